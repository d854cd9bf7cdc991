"""ofsted-kg: Ofsted children's-services inspection reports -> a validated, queryable knowledge graph.

The pipeline, one module per stage, read top to bottom:
read -> segment -> extract -> resolve -> map (rdf) -> validate -> store -> query / export / draw.
One public function per stage is importable from `kg` itself (loaded on first use, so `import kg`
stays light):

    >>> import kg
    >>> src = kg.read_source("samples/reports/000_8c596ea8a2081205.txt")
    >>> record = kg.extract_record(src)
    >>> record.council.canonical
    'Doncaster'
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_PUBLIC = {
    "read_source": "kg.read",  # file -> SourceText
    "segment": "kg.segment",  # SourceText -> sections and list items
    "extract_record": "kg.extract",  # SourceText -> ReportRecord
    "resolve_council": "kg.resolve",  # name as printed -> gazetteer council
    "map_record": "kg.rdf",  # ReportRecord -> the report's named graph
    "validate_store": "kg.validate",  # store -> ValidationReport
    "build": "kg.build",  # files -> store (read, extract, map, validate, write)
    "run_query": "kg.query",  # named query / SPARQL -> rows
    "export": "kg.export",  # store -> Turtle, N-Quads...
    "find_recurrence": "kg.recur",  # records -> themes and recurrence links
    "to_networkx": "kg.netview",  # store or query -> networkx graph
    "draw": "kg.draw",  # store -> PNG, SVG or HTML picture
}


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


__all__ = ["__version__", *_PUBLIC]
