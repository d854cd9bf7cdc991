"""Stage 6, validate: SHACL shapes per report graph, once for the reference graph, plus cross-report checks.

Strategy (fast and predictable):

- each report graph is checked on its own with `shapes/report.ttl` (core SHACL only), and what it says
  about the people and organisations it names (kg.entities) with `shapes/entities.ttl`, together with
  the `rdf:type` / `skos:inScheme` statements of the reference graph, so class and scheme checks on
  councils and concepts work without dragging 150 councils into every run;
- the entities graph (those people and organisations, stated once) with `shapes/entities.ttl`;
- the reference graph (ontology, schemes, gazetteer) is checked once with `shapes/reference.ttl`;
- rules that span reports (two reports disagreeing on an inspection's dates, a span past the end of
  its text) are SPARQL queries over the whole store.

The result is a typed `ValidationReport`; Violations make it non-conforming, Warnings do not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from .errors import ValidationError
from .namespaces import GRAPH_DERIVED, GRAPH_ENTITIES, GRAPH_REFERENCE, KG, PREFIXES
from .namespaces import SH as _SH
from .paths import shapes_dir

SH = str(_SH)
SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """One finding of the validator, in words a user can act on."""

    severity: str  # Violation | Warning | Info
    message: str
    focus: str  # IRI of the node the problem is about
    path: str | None = None  # the property concerned, compacted (kg:endDate)
    value: str | None = None  # the offending value, if any
    report: str | None = None  # file name of the report (or 'reference' / 'store')
    graph: str | None = None  # named graph IRI
    shape: str | None = None  # source shape
    check: str = "shacl"  # shacl | cross-report

    def as_dict(self) -> dict:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class ValidationReport:
    results: tuple[ValidationResult, ...] = ()
    graphs_checked: int = 0

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    @property
    def warnings(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Warning")

    @property
    def conforms(self) -> bool:
        return not self.violations

    def as_dict(self) -> dict:
        return {"conforms": self.conforms, "graphs_checked": self.graphs_checked,
                "violations": len(self.violations), "warnings": len(self.warnings),
                "results": [r.as_dict() for r in self.results]}


def compact(iri: str | None) -> str | None:
    """`https://w3id.org/ofsted-kg/def#endDate` -> `kg:endDate` (longest matching prefix)."""
    if iri is None:
        return None
    best = None
    for prefix, ns in PREFIXES.items():
        ns = str(ns)
        if iri.startswith(ns) and (best is None or len(ns) > len(best[1])):
            best = (prefix, ns)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else iri


# ------------------------------------------------------------------------------------ shapes

@lru_cache(maxsize=8)
def load_shapes(which: str = "all") -> Graph:
    """Shapes of `shapes/`: 'report', 'entities', 'reference', 'derived', several joined by '+'
    ('report+entities'), or 'all' (every .ttl file)."""
    files = sorted(shapes_dir().glob("*.ttl"))
    if which != "all":
        files = [f for f in files if f.stem in which.split("+")]
    if not files:
        raise ValidationError(f"no shapes found for {which!r}", source=str(shapes_dir()))
    g = Graph()
    for f in files:
        try:
            g.parse(f, format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise ValidationError(f"cannot parse shapes file: {exc}", source=str(f)) from exc
    return g


def to_rdflib(term):
    """A pyoxigraph term as the rdflib term pySHACL and rdflib-based baselines need."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    from rdflib import BNode
    return BNode(term.value)


@lru_cache(maxsize=1)
def _skeleton_triples() -> dict:
    """The reference statements report shapes rely on (rdf:type and skos:inScheme), as pyoxigraph triples
    keyed by their subject's IRI."""
    from .rdf import reference_triples

    keep = {str(RDF.type), str(SKOS.inScheme)}
    out: dict[str, list] = {}
    for t in reference_triples():
        if t.predicate.value in keep and isinstance(t.subject, ox.NamedNode):
            out.setdefault(t.subject.value, []).append(t)
    return out


@lru_cache(maxsize=1)
def reference_skeleton() -> dict:
    """The skeleton as rdflib triples, keyed by the subject (for pySHACL)."""
    return {URIRef(iri): [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in ts]
            for iri, ts in _skeleton_triples().items()}


@lru_cache(maxsize=1)
def reference_skeleton_nt() -> dict[str, str]:
    """The skeleton as N-Triples lines, keyed by the subject's IRI (for pyshacl-turbo)."""
    return {iri: "".join(f"{t} .\n" for t in ts) for iri, ts in _skeleton_triples().items()}


ENGINES = ("turbo", "pyshacl")


def engine() -> str:
    """The SHACL engine: pyshacl-turbo (Rust, same results: tests/test_validate_parity.py) when it is
    installed, else pySHACL. `KG_SHACL_ENGINE=pyshacl` forces pySHACL."""
    import os

    wanted = os.environ.get("KG_SHACL_ENGINE", "").strip().lower()
    if wanted == "pyshacl":
        return "pyshacl"
    try:
        import pyshacl_turbo  # noqa: F401
    except ImportError:
        return "pyshacl"
    return "turbo"


@lru_cache(maxsize=8)
def _compiled(shapes_id: int, shapes: Graph):
    import pyshacl_turbo

    return pyshacl_turbo.compile_shapes(shapes)


_OBJECT_IRI = re.compile(r"> <([^>]*)> \.$", re.MULTILINE)  # the object of an N-Triples line, if an IRI


def _run(data: Graph, shapes: Graph, report: str | None, graph: str | None, use: str | None = None
         ) -> list[ValidationResult]:
    if (use or engine()) == "turbo":
        return _run_turbo(data, shapes, report, graph)
    from pyshacl import validate as shacl_validate

    try:
        _conforms, results_graph, _text = shacl_validate(
            data, shacl_graph=shapes, inference="none", abort_on_first=False, allow_warnings=True,
            advanced=False, inplace=True, meta_shacl=False, debug=False)
    except Exception as exc:  # pyshacl raises its own error types for broken shapes
        raise ValidationError(f"the SHACL validator failed: {exc}", source=report) from exc
    return parse_results(results_graph, report=report, graph=graph)


def _run_turbo(data, shapes: Graph, report: str | None, graph: str | None) -> list[ValidationResult]:
    """pyshacl-turbo over an rdflib Graph or a pyoxigraph Store, the shapes compiled once per process."""
    try:
        _conforms, results_graph, _text = _compiled(id(shapes), shapes).validate(data, allow_warnings=True)
    except Exception as exc:
        raise ValidationError(f"the SHACL validator failed: {exc}", source=report) from exc
    return parse_results(results_graph, report=report, graph=graph)


def parse_results(results_graph: Graph, report: str | None = None, graph: str | None = None
                  ) -> list[ValidationResult]:
    """The sh:ValidationResult nodes of a pyshacl results graph as typed results, sorted."""
    shn = lambda s: URIRef(SH + s)  # noqa: E731
    out = []
    for node in results_graph.subjects(RDF.type, shn("ValidationResult")):
        def one(p):
            v = results_graph.value(node, shn(p))
            return None if v is None else str(v)
        severity = (one("resultSeverity") or SH + "Violation").rsplit("#", 1)[-1]
        path = results_graph.value(node, shn("resultPath"))
        out.append(ValidationResult(
            severity=severity, message=one("resultMessage") or "constraint not met",
            focus=compact(one("focusNode")) or "", path=compact(str(path)) if isinstance(path, URIRef) else None,
            value=one("value"), report=report, graph=graph, shape=compact(one("sourceShape"))))
    return sorted(out, key=_order)


def _order(r: ValidationResult):
    return (SEVERITIES.index(r.severity) if r.severity in SEVERITIES else 9, r.report or "", r.focus,
            r.path or "", r.message, r.value or "")


# ------------------------------------------------------------------------------------ entry points

def validate_report_graph(ntriples: str | Iterable, report: str | None = None, graph: str | None = None
                          ) -> list[ValidationResult]:
    """Check one report graph (N-Triples text, or pyoxigraph triples) with shapes/report.ttl, and what it
    says about the entities it names (kg.entities) with shapes/entities.ttl, together with the reference
    skeleton of the nodes its triples point at."""
    from .entities import report_entity_triples

    if not isinstance(ntriples, str):
        ntriples = "".join(f"{t} .\n" for t in ntriples)
    ntriples += "".join(f"{t} .\n" for t in report_entity_triples(ntriples))
    return _validate_with_skeleton(ntriples, load_shapes("report+entities"), report, graph)


def validate_entities(ntriples: str) -> list[ValidationResult]:
    """Check the entities graph (N-Triples text) with shapes/entities.ttl: where reports disagree about an
    entity (a partner given two kinds) shows here."""
    return _validate_with_skeleton(ntriples, load_shapes("entities"), "entities", str(GRAPH_ENTITIES))


def _validate_with_skeleton(ntriples: str, shapes: Graph, report: str | None, graph: str | None
                            ) -> list[ValidationResult]:
    if engine() == "turbo":  # the text goes to pyshacl-turbo as it is (no Store, no rdflib terms)
        import pyshacl_turbo

        skeleton = reference_skeleton_nt()
        extra = "".join(skeleton.get(iri, "") for iri in dict.fromkeys(_OBJECT_IRI.findall(ntriples)))
        return _run_turbo(pyshacl_turbo.Input(ntriples + extra, "nt", None, {}), shapes, report, graph)
    data = Graph()
    data.parse(data=ntriples, format="nt")
    skeleton = reference_skeleton()
    for o in set(data.objects()):  # only the reference nodes this report points at
        for t in skeleton.get(o, ()):
            data.add(t)
    return _run(data, shapes, report, graph)


def validate_mapped(report_graph, report: str | None = None) -> list[ValidationResult]:
    """Check a freshly mapped `kg.rdf.ReportGraph` before it is stored."""
    return validate_report_graph(report_graph.ntriples(), report=report, graph=report_graph.graph.value)


def validate_reference() -> list[ValidationResult]:
    from .rdf import reference_triples

    data = Graph()
    for t in reference_triples():
        data.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return _run(data, load_shapes("reference"), "reference", str(GRAPH_REFERENCE))


CROSS_CHECKS = (
    ("Violation", "kg:startDate",
     "Reports disagree on when this inspection started ({values}).",
     f"""SELECT ?focus (GROUP_CONCAT(DISTINCT STR(?d); separator=", ") AS ?values)
         WHERE {{ GRAPH ?g {{ ?focus <{KG}startDate> ?d }} }}
         GROUP BY ?focus HAVING (COUNT(DISTINCT ?d) > 1)"""),
    ("Violation", "kg:endDate",
     "Reports disagree on when this inspection ended ({values}).",
     f"""SELECT ?focus (GROUP_CONCAT(DISTINCT STR(?d); separator=", ") AS ?values)
         WHERE {{ GRAPH ?g {{ ?focus <{KG}endDate> ?d }} }}
         GROUP BY ?focus HAVING (COUNT(DISTINCT ?d) > 1)"""),
    ("Warning", "prov:wasGeneratedBy",
     "Different documents report this same inspection ({values}): a duplicate download or a re-issued report?",
     f"""SELECT ?focus (GROUP_CONCAT(DISTINCT ?name; separator=", ") AS ?values)
         WHERE {{ GRAPH ?g {{ ?r <http://www.w3.org/ns/prov#wasGeneratedBy> ?focus ; <{KG}fileName> ?name }} }}
         GROUP BY ?focus HAVING (COUNT(DISTINCT ?r) > 1)"""),
    ("Violation", "oa:end",
     "This span ends at character {values}, past the end of its text: the offsets do not belong to this text.",
     f"""SELECT ?focus (STR(?end) AS ?values)
         WHERE {{ GRAPH ?g {{ ?focus <http://www.w3.org/ns/oa#hasSource> ?text ;
                                     <http://www.w3.org/ns/oa#hasSelector> ?sel .
                             ?sel <http://www.w3.org/ns/oa#end> ?end .
                             ?text <{KG}characterCount> ?n . FILTER(?end > ?n) }} }}"""),
)


def cross_report_checks(store) -> list[ValidationResult]:
    """Rules that look at several report graphs at once, run as SPARQL over the store (a `GraphStore`)."""
    out = []
    for severity, path, message, sparql in CROSS_CHECKS:
        for row in store.query(sparql):
            values = row["values"].value if row["values"] is not None else ""
            out.append(ValidationResult(severity=severity, message=message.format(values=values),
                                        focus=compact(row["focus"].value) or "", path=path, value=values or None,
                                        report="store", check="cross-report"))
    return sorted(out, key=_order)


def validate_store(graph_store, progress=None) -> ValidationReport:
    """Validate every graph of a `kg.store.GraphStore`: reference, each report, then cross-report rules."""
    results: list[ValidationResult] = list(validate_reference())
    graphs = graph_store.report_graphs()
    for g in graphs:
        name = graph_store.file_name_of(g)
        results.extend(validate_report_graph(graph_store.graph_ntriples(g), report=name or g, graph=g))
        if progress:
            progress(g)
    entities = graph_store.graph_ntriples(str(GRAPH_ENTITIES))
    if entities:
        results.extend(validate_entities(entities))
    derived = graph_store.graph_ntriples(str(GRAPH_DERIVED))
    if derived:
        results.extend(validate_derived(derived))
    results.extend(cross_report_checks(graph_store))
    return ValidationReport(tuple(results), len(graphs) + 1 + bool(entities) + bool(derived))


def validate_derived(ntriples: str) -> list[ValidationResult]:
    """Check the derived graph (theme assignments, recurrence links) against shapes/derived.ttl."""
    data = Graph()
    data.parse(data=ntriples, format="nt")
    return _run(data, load_shapes("derived"), "derived", str(GRAPH_DERIVED))


__all__ = ["engine", "to_rdflib", "ValidationResult", "ValidationReport", "validate_store", "validate_report_graph", "validate_mapped",
           "validate_reference", "validate_derived", "validate_entities", "cross_report_checks", "load_shapes", "compact"]
