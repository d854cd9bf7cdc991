"""Report metadata: type, council, dates, inspectors, addressee and copy list.

Contract: `extract_metadata(src) -> ReportRecord` with the metadata fields filled and no items.
"""
from __future__ import annotations

from ..read import SourceText
from ..records import Council, ReportRecord


def extract_metadata(src: SourceText) -> ReportRecord:
    """Not yet implemented: the metadata extractor replaces this."""
    return ReportRecord(document=src.name, report_type="other", council=Council(None, None, None),
                        report_type_reason="metadata extractor not written yet",
                        source_sha256=src.sha256, text_sha256=src.text_sha256, source_format=src.format)
