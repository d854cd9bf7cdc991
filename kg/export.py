"""Stage 9, export: the store (or some of its graphs) as Turtle, N-Triples, N-Quads, TriG or JSON-LD.

Output is deterministic: N-Quads and N-Triples are sorted lines; Turtle/TriG/JSON-LD are written from
sorted statements with the project's prefixes. Triple formats (Turtle, N-Triples, JSON-LD) merge all
selected graphs into one; quad formats keep the named graphs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Iterable

import pyoxigraph as ox

from .errors import StoreError
from .namespaces import EXPORT_PREFIXES, GRAPH_CATALOG
from .store import GraphStore

FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
           "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}
QUAD_FORMATS = {"nquads", "trig"}
OA = "http://www.w3.org/ns/oa#"
KG_EVIDENCE = ("https://w3id.org/ofsted-kg/def#evidence", "https://w3id.org/ofsted-kg/def#supportedBy")


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
    else:
        prefixes = {k: str(v) for k, v in EXPORT_PREFIXES.items()}
        data = ox.serialize(stmts, format=FORMATS[fmt], prefixes=prefixes if fmt != "jsonld" else None)
        out.write(data)
    return ExportSummary(fmt, len(stmts))


def sorted_nquads(store: GraphStore) -> str:
    """The whole store as sorted N-Quads text (what idempotence is checked on)."""
    return "".join(sorted(f"{q} .\n" for q in store.quads()))


__all__ = ["export", "ExportSummary", "FORMATS", "sorted_nquads"]
