"""Stage 3, extract: a normalised report text -> its report record.

Metadata (type, council, dates, people) comes from `kg.extract.metadata`; the graded judgements,
findings, recommendations and organisations from `kg.extract.items`, which works on the sections
found by `kg.segment`.
"""
from __future__ import annotations

from dataclasses import replace

from ..read import SourceText
from ..records import ReportRecord
from ..segment import segment
from .audit import audit
from .items import extract_items
from .metadata import extract_metadata


def extract_record(src: SourceText) -> ReportRecord:
    """The full report record of one report text, with what the extractor saw and doubts."""
    meta = extract_metadata(src)
    seg = segment(src)
    items = extract_items(src, meta.report_type, meta.council.name_as_printed, seg)
    record = replace(meta, **items.as_fields())
    headings, warnings = audit(src, seg, record)
    return replace(record, headings=headings, warnings=warnings)


__all__ = ["extract_record", "extract_metadata", "extract_items"]
