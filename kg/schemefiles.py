"""Concept schemes kept as Turtle rule files (ontology/themes.ttl, ontology/issues.ttl), read one way: parsed with
errors naming the file, each concept of the scheme with its label and definition, its patterns compiled."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .errors import RuleFileError


@dataclass(frozen=True)
class SchemeFile:
    """A parsed scheme file; `what` names its concepts in messages ('theme', 'issue')."""

    path: Path
    graph: Any  # rdflib.Graph
    what: str

    def error(self, message: str) -> RuleFileError:
        return RuleFileError(message, source=str(self.path))

    def concepts(self, scheme: Any) -> Iterator[tuple[Any, str, str]]:
        """(concept, prefLabel, definition) of each skos:Concept in `scheme`, by IRI; a concept without
        a label or a definition is an error."""
        from rdflib.namespace import RDF, SKOS

        g = self.graph
        for concept in sorted(set(g.subjects(SKOS.inScheme, scheme)), key=str):
            if (concept, RDF.type, SKOS.Concept) not in g:
                continue
            label, definition = g.value(concept, SKOS.prefLabel), g.value(concept, SKOS.definition)
            if label is None or definition is None:
                raise self.error(f"{self.what} {concept} needs skos:prefLabel and skos:definition")
            yield concept, str(label), str(definition)

    def patterns(self, concept: Any, prop: Any) -> tuple[re.Pattern, ...]:
        """The `prop` values of a concept as regexes (case-insensitive), by their text; each must be a literal
        that compiles."""
        from rdflib import Literal

        out = []
        for lit in sorted(self.graph.objects(concept, prop), key=str):
            if not isinstance(lit, Literal):
                raise self.error(f"{self.what} {concept}: {prop.n3(self.graph.namespace_manager)} must be a literal")
            try:
                out.append(re.compile(str(lit), re.IGNORECASE))
            except re.error as exc:
                raise self.error(f"{self.what} {concept}: pattern {str(lit)!r} does not compile: {exc}") from exc
        return tuple(out)


def read_scheme_file(path: Path, what: str) -> SchemeFile:
    """Parse a scheme's Turtle file; a missing or invalid file is a RuleFileError naming it."""
    from rdflib import Graph

    g = Graph()
    try:
        g.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise RuleFileError(f"{what} scheme not found", source=str(path)) from exc
    except Exception as exc:  # rdflib raises several parser error types
        raise RuleFileError(f"{what} scheme is not valid Turtle: {exc}", source=str(path)) from exc
    return SchemeFile(Path(path), g, what)
