"""Self-audit: what the extractor saw in a report, and where it is unsure.

Each record carries the item headings it recognised (with the page and the number of items each
gave) and warnings a reader should check by hand: a heading that gave no items, a letter whose
findings were not read, a full inspection with fewer graded areas than its framework grades, a title
of no known family. An unknown layout is a warning, never a silent zero. What each family is expected
to hold is data (kg/data/report_types.yaml `expects`).
"""
from __future__ import annotations

import bisect

from ..read import SourceText
from ..records import HeadingSeen, ReportRecord, Span
from ..segment import Segmented, not_item, section_rules
from .metadata import load_type_rules


def audit(src: SourceText, seg: Segmented, record: ReportRecord) -> tuple[tuple[HeadingSeen, ...], tuple[str, ...]]:
    """(headings seen with their item counts, warnings) of one extracted record."""
    rules = {e["id"]: e for e in section_rules()["headings"] if e.get("finding") or e.get("recommendation")}
    heads = [(i, b) for i, b in enumerate(seg.blocks) if b.kind == "heading" and b.heading_id in rules
             and b.section[:1] != ("Contents",)
             and record.report_type in rules[b.heading_id].get("report_types", (record.report_type,))]
    starts = sorted(x.span.start for x in (*record.findings, *record.recommendations) if x.span is not None)
    seen: list[HeadingSeen] = []
    warnings: list[str] = []
    for n, (i, h) in enumerate(heads):
        stop = heads[n + 1][1].start if n + 1 < len(heads) else len(src.text)
        count = bisect.bisect_left(starts, stop) - bisect.bisect_left(starts, h.end)
        page = src.page_of(h.start)
        seen.append(HeadingSeen(h.text, page, count, Span(h.start, h.end)))
        says_none = any(not_item(b.text) for b in seg.blocks[i + 1:i + 3])
        # a heading over headings of its own ('What does the local authority need to improve?' over
        # 'Priority and immediate action'): its items are counted under them
        parent = n + 1 < len(heads) and heads[n + 1][0] <= i + 2
        if count == 0 and not says_none and not parent:
            warnings.append(f"heading '{h.text}' on page {page} gave no items")
    expects = load_type_rules().expects.get(record.report_type, {})
    if record.report_type == "other" and record.report_type_reason == load_type_rules().unmatched_reason:
        warnings.append("no known report title: layout not known, items read by heading only")
    if record.council.gss_code is None:
        warnings.append("no council found in the title or address block")
    if expects.get("findings") and not record.findings:
        warnings.append(f"no findings read, though a {record.report_type} letter prints them")
    if expects.get("recommendations") and not record.recommendations:
        warnings.append(f"no recommendations read, though a {record.report_type} report makes them")
    low = expects.get("judgements")
    if low and len(record.judgements) < low:
        warnings.append(f"{len(record.judgements)} graded areas read, fewer than the {low} a "
                        f"{record.report_type} report grades")
    return tuple(seen), tuple(warnings)
