"""Findings: strengths, satisfactory practice, headline findings and bulleted shortfalls.

Only listed or headed items count (gold/SCHEMA.md): bullets under 'Strengths' / 'Satisfactory
practice' / 'Weaknesses' / 'Summary for children and young people', bullets after a lead-in
such as '... delivered satisfactorily in accordance with national guidance, in particular:', and
the paragraphs under 'Headline findings'. Prose paragraphs of the body are not findings.
"""
from __future__ import annotations

from ..read import SourceText
from ..records import Finding, Span
from ..scan import may_match
from ..segment import Segmented, items_under, section_rules
from .tone import tone


def extract_findings(src: SourceText, seg: Segmented, report_type: str | None = None) -> tuple[Finding, ...]:
    rules = section_rules()
    kinds = {e["id"]: e for e in rules["headings"] if e.get("finding")}
    out: list[Finding] = []
    seen: set[int] = set()
    for i, h in enumerate(seg.blocks):
        kind = None
        paragraphs = numbered = False
        if h.kind == "heading" and h.heading_id in kinds and h.section[:1] != ("Contents",) and (
                report_type is None or report_type in kinds[h.heading_id].get("report_types", (report_type,))):
            kind = kinds[h.heading_id]["finding"]
            paragraphs = bool(kinds[h.heading_id].get("paragraphs"))
            numbered = bool(kinds[h.heading_id].get("numbered"))
        elif h.kind in ("paragraph", "numbered") or (h.kind == "heading" and h.heading_id is None):
            # a lead-in sentence; one without its colon is short enough to read as a heading
            for e in rules["lead_ins"]:
                if may_match(e.pattern, h.text) and e.pattern.search(h.text):
                    kind = e["finding"]
                    numbered = bool(e.get("numbered"))
                    break
        if kind is None:
            continue
        for b, _ in items_under(seg, i, paragraphs=paragraphs):
            if b.start in seen or (not paragraphs and b.kind != "bullet" and not (numbered and b.kind == "numbered")):
                continue
            seen.add(b.start)
            section = b.section[0] if b.section else None
            item_kind = tone(b.text) if kind == "by-tone" else kind
            out.append(Finding(item_kind, b.text, section, Span(b.start, b.end)))
    return tuple(out)
