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

_PUBLIC = {  # public name -> (module, function); names differ from module names so imports can't shadow them
    "read_source": ("kg.read", "read_source"),  # file -> SourceText
    "segment_report": ("kg.segment", "segment"),  # SourceText -> sections and list items
    "extract_record": ("kg.extract", "extract_record"),  # SourceText -> ReportRecord
    "resolve_council": ("kg.resolve", "resolve_council"),  # name as printed -> gazetteer council
    "map_record": ("kg.rdf", "map_record"),  # ReportRecord -> the report's named graph
    "validate_store": ("kg.validate", "validate_store"),  # store -> ValidationReport
    "build_store": ("kg.build", "build"),  # files -> store (read, extract, map, validate, write)
    "run_query": ("kg.query", "run_query"),  # named query / SPARQL -> rows
    "export_store": ("kg.export", "export"),  # store -> Turtle, N-Quads...
    "find_recurrence": ("kg.recur", "find_recurrence"),  # records -> themes and recurrence links
    "to_networkx": ("kg.netview", "to_networkx"),  # store or query -> networkx graph
    "draw_picture": ("kg.draw", "draw"),  # store -> PNG, SVG or HTML picture
}


def __getattr__(name: str):
    if name in _PUBLIC:
        module, attr = _PUBLIC[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


__all__ = ["__version__", *_PUBLIC]
