"""Graded judgements of this inspection, from the tables and grade lines each framework prints.

Sources, by report family:
- ILACS (2018 on): the front 'Judgement Grade' table, area names wrapped, grade at the row end.
- Single inspection framework (2013-18): the front list ('1. Children who need help and
  protection Inadequate', '2.1 Adoption performance Good'), the overall sentence ('Children's
  services in X are inadequate', 'The overall judgement is requires improvement') and the LSCB
  sentence ('The Local Safeguarding Children Board requires improvement').
- 2009-13 full inspections: the 'Record of main findings' table; the 'Grade N (label)' lines under
  body headings when that table is missing.
Grades of earlier inspections are only ever quoted in prose, which none of these read.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..read import SourceText
from ..records import Judgement, Span
from ..segment import Segmented, collapse, known_heading
from ..rdf.schemes import schemes
from ..rules import load_rule_file


@lru_cache(maxsize=None)
def _grade_names() -> tuple[tuple[str, int, str], ...]:
    """(name, number, pattern) of every grade name, longest first: the labels and kg:rank of the grade concepts
    of ontology/schemes.ttl, each word as printed (grades.yaml `words`), words apart by any space."""
    forms = {e["word"].casefold(): e["pattern"] for e in load_rule_file("grades.yaml")["words"]}
    out = [(name, rank, r"\s+".join(forms.get(w.casefold(), re.escape(w.casefold())) for w in name.split()))
           for name, rank in schemes().grade_names.items()
           if name.replace(" ", "").isalpha()]  # 'Grade 3' is a grade number, not a name
    return tuple(sorted(out, key=lambda x: (-len(x[0]), x[0])))


@lru_cache(maxsize=None)
def grade_regex() -> str:
    """Alternation of every grade name, longest first."""
    return "|".join(f"(?:{pattern})" for _, _, pattern in _grade_names())


def grade_of(text: str) -> tuple[str, int] | None:
    """(name, number) of a printed grade ('requires / improvement to be good' -> 3)."""
    t = collapse(text)
    for name, number, pattern in _grade_names():
        if re.fullmatch(pattern, t, re.IGNORECASE):
            return name, number
    return None


def _heading_index(seg: Segmented, marks: str) -> int | None:
    """The first heading (outside a contents list) whose sections.yaml rule says `marks: <marks>`."""
    ids = {e["id"] for e in load_rule_file("sections.yaml")["headings"] if e.get("marks") == marks}
    for i, b in enumerate(seg.blocks):
        if b.kind == "heading" and b.heading_id in ids and b.section[:1] != ("Contents",):
            return i
    return None


def _ilacs_table(src: SourceText, seg: Segmented) -> list[Judgement]:
    i = _heading_index(seg, "judgement-table")
    if i is None:
        return []
    start = seg.blocks[i].end
    region = src.text[start:start + 1500]
    grade = re.compile(rf"(?P<area>(?:(?!\n\n).)+?)\s+(?P<grade>{grade_regex()})(?=[ \t]*(?:\n|$))", re.DOTALL | re.IGNORECASE)
    out = []
    for m in grade.finditer(region):
        area = collapse(m.group("area"))
        g = grade_of(m.group("grade"))
        if not g or len(area) > 120 or not area[:1].isupper():
            break
        out.append(Judgement(area, "Summary of judgements", collapse(m.group("grade")), g[1],
                             Span(start + m.start("area"), start + m.end("grade"))))
        if area.lower().startswith("overall effectiveness"):
            break
    return out


_SIF_OVERALL = r"(?:overall judgement is(?: that)?(?: children's services are)?|children's services in [^\n.]{1,80}?(?:\s+are)?)"
_SIF_ROW = r"(?m)^(?P<num>[123](?:\.\d)?)\.?[ \t]+(?P<area>[A-Z][^\n.]*?(?:\n[a-z][^\n.]*?)?)\s+(?P<grade>{g})\.?[ \t]*$"
# 'The Local Safeguarding Children Board is good', 'The effectiveness of the LSCB is good', and the grade
# printed as a sentence: 'The judgement for the effectiveness of the LSCB is requires improvement'
_LSCB = (r"(?:(?:The judgement (?:for|on|about) the effectiveness of the |The effectiveness of the )"
         r"(?:LSCB|Local Safeguarding Children(?:'s)? Board(?: \(LSCB\))?)"
         r"|The Local Safeguarding Children(?:'s)? Board(?: \(LSCB\))?)\s+(?:is\s+)?(?P<grade>{g})\b")


def _sif_front(src: SourceText, seg: Segmented) -> list[Judgement]:
    contents = _heading_index(seg, "contents")
    stop = seg.blocks[contents].start if contents is not None else min(len(src.text), 5000)
    region = src.text[:stop]
    rows = list(re.finditer(_SIF_ROW.format(g=grade_regex()), region, re.IGNORECASE))
    rows = [m for m in rows if m.group("area")[:1].isupper()]
    if len(rows) < 3:
        return []
    out = []
    overall = re.search(rf"{_SIF_OVERALL}\s+(?P<grade>{grade_regex()})", region, re.IGNORECASE)
    section = "The local authority"
    if overall:
        g = grade_of(overall.group("grade"))
        out.append(Judgement("Overall effectiveness", section, g[0], g[1],
                             Span(overall.start(), overall.end())))
    for m in rows:
        g = grade_of(m.group("grade"))
        out.append(Judgement(collapse(m.group("area")), section, g[0], g[1],
                             Span(m.start("area"), m.end("grade"))))
    lscb = re.search(_LSCB.format(g=grade_regex()), src.text, re.IGNORECASE)
    if lscb:
        g = grade_of(lscb.group("grade"))
        out.append(Judgement("The Local Safeguarding Children Board", "The Local Safeguarding Children Board (LSCB)",
                             g[0], g[1], Span(lscb.start(), lscb.end())))
    return out


def _record_table(src: SourceText, seg: Segmented) -> list[Judgement]:
    """Rows of a 'Record of main findings' table: 'Area<TAB>Grade', wrapped areas, part headings."""
    i = _heading_index(seg, "main-findings")
    if i is None:
        return []
    start = seg.blocks[i].end
    lines = [ln for ln in seg.lines if ln.start >= start and ln.text.strip()]
    grade_end = re.compile(rf"(?:^|\s)(?P<grade>{grade_regex()})\s*$", re.IGNORECASE)
    section = None
    blocks: list[tuple[str | None, list[Judgement]]] = []
    pending: list = []
    for ln in lines:
        text = ln.text.strip()
        entry = known_heading(text)
        if entry is not None and entry["level"] == 1:
            section = entry.get("label") or text
            blocks.append((section, []))
            pending = []
            continue
        m = grade_end.search(text)
        if not m:
            pending.append(ln)
            if len(pending) > 4:
                break  # past the table
            continue
        area = text[:m.start("grade")].strip()
        first = ln
        while pending and (not area or area[0].islower()):
            first = pending.pop()
            area = collapse(first.text + " " + area)
        pending = []
        if not area or not area[0].isupper():
            continue
        g = grade_of(m.group("grade"))
        if not blocks:
            blocks.append((section, []))
        blocks[-1][1].append(Judgement(area, section, g[0], g[1],
                                       Span(first.start, ln.end)))
    # A part heading printed again before rows that a later block of the same part repeats is a
    # mislabelled sub-heading: its rows belong to the part before it.
    out: list[Judgement] = []
    for k, (sec, rows) in enumerate(blocks):
        areas = {r.area.lower() for r in rows}
        later_same = any(s == sec and areas & {r.area.lower() for r in rs} for s, rs in blocks[k + 1:])
        earlier = next((s for s, _ in reversed(blocks[:k]) if s != sec), None)
        if later_same and earlier is not None:
            rows = [Judgement(r.area, earlier, r.grade_label, r.grade_number, r.span) for r in rows]
        out.extend(rows)
    return out


_GRADE_LINE = re.compile(r"Grade\s+(?P<num>[1-4])\s*\((?P<label>[^)\n]{3,40})\)", re.IGNORECASE)


def _grade_lines(src: SourceText, seg: Segmented) -> list[Judgement]:
    """'Grade 3 (adequate)' under (or on) a body heading; the area is that heading."""
    out = []
    prev_heading = None
    for b in seg.blocks:
        if b.kind != "heading":
            continue
        m = _GRADE_LINE.search(b.text)
        if not m:
            prev_heading = b
            continue
        area = b.text[:m.start()].strip()
        span_start = b.start
        if not area and prev_heading is not None:
            area, span_start = prev_heading.text, prev_heading.start
        if not area:
            continue
        label = m.group("label").strip()
        section = b.section[0] if b.section and b.section[0] != "Contents" else None
        out.append(Judgement(area, section, label.capitalize(), int(m.group("num")), Span(span_start, b.end)))
    return out


def extract_judgements(src: SourceText, seg: Segmented, report_type: str) -> tuple[Judgement, ...]:
    """Every graded judgement of this inspection, in report order of its source table."""
    found = _ilacs_table(src, seg)
    if not found:
        found = _sif_front(src, seg)
    if not found:
        found = _record_table(src, seg) or _grade_lines(src, seg)
    return tuple(found)
