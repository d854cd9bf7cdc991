"""Practice themes: the SKOS scheme in `ontology/themes.ttl`, loaded once, and theme assignment.

Each theme is a `skos:Concept` of `kg:themes` with its evidence kept as data: `kg:pattern` regular
expressions and `skos:hiddenLabel` phrases, both matched case-insensitively. `assign_themes(text)`
returns one `ThemeMatch` per theme the text raises, with the words that matched and where they are
in the text, so every theme can be explained.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .paths import ontology_dir
from .scan import may_match
from .schemefiles import read_scheme_file

THEMES_FILE = "themes.ttl"


@dataclass(frozen=True, slots=True)
class Theme:
    iri: str
    label: str
    definition: str
    patterns: tuple[re.Pattern, ...]  # kg:pattern, compiled case-insensitively
    phrases: tuple[str, ...] = ()  # skos:hiddenLabel
    combined: re.Pattern | None = None  # all of the above as one alternation (earliest match wins)


@dataclass(frozen=True, slots=True)
class ThemeMatch:
    """One theme of an item's text, with the evidence: the matched words and their span in the text."""

    theme: str  # theme IRI
    label: str
    evidence: str  # text[start:end], verbatim
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ThemeScheme:
    source: str
    themes: tuple[Theme, ...]

    def by_iri(self) -> dict[str, Theme]:
        return {t.iri: t for t in self.themes}

    def label(self, iri: str) -> str:
        for t in self.themes:
            if t.iri == iri:
                return t.label
        return iri


def load_scheme(path: str | Path | None = None) -> ThemeScheme:
    """Read a theme scheme from Turtle; every pattern must compile (else RuleFileError naming the file)."""
    from rdflib.namespace import SKOS

    from .namespaces import KG

    path = Path(path) if path is not None else ontology_dir() / THEMES_FILE
    sf = read_scheme_file(path, "theme")
    themes = []
    for concept, label, definition in sf.concepts(KG["themes"]):
        patterns = list(sf.patterns(concept, KG.pattern))
        phrases = tuple(sorted(str(p) for p in sf.graph.objects(concept, SKOS.hiddenLabel)))
        for p in phrases:
            patterns.append(re.compile(r"\b" + re.escape(p) + r"\b", re.IGNORECASE))
        if not patterns:
            raise sf.error(f"theme {concept} has no kg:pattern or skos:hiddenLabel")
        combined = re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
        themes.append(Theme(str(concept), label, definition, tuple(patterns), phrases, combined))
    if not themes:
        raise sf.error("no skos:Concept in kg:themes")
    return ThemeScheme(str(path), tuple(themes))


@lru_cache(maxsize=1)
def default_scheme() -> ThemeScheme:
    """The bundled scheme, loaded once per process."""
    return load_scheme()


def assign_themes(text: str, scheme: ThemeScheme | None = None) -> tuple[ThemeMatch, ...]:
    """The themes `text` raises, each with its earliest matching evidence, in scheme order."""
    scheme = scheme or default_scheme()
    out = []
    for theme in scheme.themes:
        # one search of the alternation finds the earliest position at which any pattern matches
        # (skipped when the text lacks every literal the alternation needs: kg.scan, the same answer)
        m = theme.combined.search(text) if theme.combined is not None and may_match(theme.combined, text) else None
        if m is None and theme.combined is None:
            found = [x for x in (p.search(text) for p in theme.patterns) if x and x.end() > x.start()]
            m = min(found, key=lambda x: x.start()) if found else None
        if m is not None and m.end() > m.start():
            out.append(ThemeMatch(theme.iri, theme.label, m.group(0), m.start(), m.end()))
    return tuple(out)
