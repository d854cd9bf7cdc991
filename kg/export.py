"""Stage 9, export: the store (or some of its graphs) as Turtle, N-Triples, N-Quads, TriG or JSON-LD.

Output is deterministic: N-Quads and N-Triples are sorted lines; Turtle/TriG/JSON-LD are written from
sorted statements with the project's prefixes (JSON-LD compacted with them as its @context). Triple formats (Turtle, N-Triples, JSON-LD) merge all
selected graphs into one; quad formats keep the named graphs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Iterable

import pyoxigraph as ox

from .errors import StoreError
from .namespaces import EXPORT_PREFIXES, GRAPH_CATALOG, ID, KG
from .namespaces import OA as _OA
from .namespaces import XSD as _XSD
from .store import GraphStore

FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
           "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}
QUAD_FORMATS = {"nquads", "trig"}
OA = str(_OA)
XSD_STRING = str(_XSD.string)
KG_EVIDENCE = (str(KG.evidence), str(KG.supportedBy))


@dataclass(frozen=True, slots=True)
class ExportSummary:
    format: str
    statements: int


def _without_provenance(quads: list[ox.Quad]) -> list[ox.Quad]:
    """Drop the evidence nodes (oa:SpecificResource and their selectors) and the links to them."""
    evidence = {q.object for q in quads if q.predicate.value in KG_EVIDENCE}
    selectors = {q.object for q in quads if q.subject in evidence and q.predicate.value == OA + "hasSelector"}
    gone = evidence | selectors
    return [q for q in quads if q.subject not in gone and q.predicate.value not in KG_EVIDENCE]


def export(store: GraphStore, fmt: str, out: IO[bytes], *, graphs: Iterable[str] | None = None,
           provenance: bool = True, catalog: bool = True) -> ExportSummary:
    """Write the store (or the named `graphs`) to `out` in `fmt` (turtle|ntriples|nquads|trig|jsonld)."""
    if fmt not in FORMATS:
        raise StoreError(f"unknown export format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    quads = list(store.quads(graphs))
    if not catalog:
        quads = [q for q in quads if q.graph_name != ox.NamedNode(str(GRAPH_CATALOG))]
    if not provenance:
        quads = _without_provenance(quads)
    if fmt in QUAD_FORMATS:
        stmts = sorted(set(quads), key=lambda q: str(q))
    else:
        stmts = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=lambda t: str(t))
    if fmt in ("nquads", "ntriples"):
        for s in stmts:
            out.write(f"{s} .\n".encode("utf-8"))
    elif fmt == "jsonld":
        out.write(compact_jsonld(stmts))
    else:
        prefixes = {k: str(v) for k, v in EXPORT_PREFIXES.items()}
        out.write(ox.serialize(stmts, format=FORMATS[fmt], prefixes=prefixes))
    return ExportSummary(fmt, len(stmts))


def jsonld_context() -> dict[str, str]:
    """The @context of the JSON-LD export: the project's prefixes, so IRIs read `kg:Inspection`, `id:report/...`."""
    return {**{k: str(v) for k, v in EXPORT_PREFIXES.items()}, "id": str(ID)}


def compact_jsonld(triples: list[ox.Triple]) -> bytes:
    """Compacted JSON-LD with an inline @context (pyoxigraph writes only expanded JSON-LD, a third bigger
    and unreadable), by rdflib's JSON-LD serializer; nodes sorted by @id so the file is deterministic."""
    import json

    import rdflib

    def term(t):  # literals keep their lexical form exactly (rdflib would normalise e.g. dateTimes)
        if isinstance(t, ox.NamedNode):
            return rdflib.URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return rdflib.BNode(t.value)
        if t.language:
            return rdflib.Literal(t.value, lang=t.language, normalize=False)
        if t.datatype.value == XSD_STRING:  # RDF 1.1: a simple literal, written as a bare JSON string
            return rdflib.Literal(t.value, normalize=False)
        return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value), normalize=False)

    g = rdflib.Graph()
    for t in triples:
        g.add((term(t.subject), term(t.predicate), term(t.object)))
    doc = json.loads(g.serialize(format="json-ld", context=jsonld_context(), auto_compact=True))
    if isinstance(doc.get("@graph"), list):
        doc["@graph"].sort(key=lambda node: json.dumps(node, sort_keys=True, ensure_ascii=False))
    elif "@context" in doc and len(doc) > 1:  # a single node is written without @graph
        ctx = doc.pop("@context")
        doc = {"@context": ctx, "@graph": [doc]}
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def sorted_nquads(store: GraphStore) -> str:
    """The whole store as sorted N-Quads text (what idempotence is checked on)."""
    return "".join(sorted(f"{q} .\n" for q in store.quads()))


__all__ = ["export", "ExportSummary", "FORMATS", "sorted_nquads"]
