"""Recommendations: what the report asks to be done, by whom and by when.

Lists under the headings of kg/data/sections.yaml that carry a `recommendation` kind ('Areas for
development', 'Area for priority action', 'Areas for improvement' with its 'Immediately:' /
'Within three months:' / 'Within six months:' groups, 'Recommendations', 'What needs to
improve...'). Text is the item verbatim, whitespace collapsed, without its bullet or number.
"""
from __future__ import annotations

import re

from ..read import SourceText
from ..records import Board, Recommendation, Span
from ..segment import Segmented, items_under, section_rules

_SUBJECT = re.compile(
    r"^(?:Where [^,]{3,120}, )?(?P<who>(?:The|the) (?!local authority\b)[A-Za-z'’ ]{2,80}?)"
    r" (?:should|must|needs? to|is to|are to)\b")
_ALIAS = re.compile(r"(?P<name>(?:[A-Z][\w'’]*\s){1,6}[A-Z][\w'’]*)\s+\(['‘]?(?P<alias>the [a-z]+)['’]?\)")
_TAG = re.compile(r"\(Recommendation\)\s*$")
_WORD = re.compile(r"[a-z]{4,}")


def _aliases(text: str) -> dict[str, str]:
    """Short names the report defines: "Doncaster Children's Services Trust ('the trust')"."""
    return {m.group("alias").lower(): m.group("name") for m in _ALIAS.finditer(text)}


def addressee(text: str, aliases: dict[str, str], boards: tuple[Board, ...]) -> str | None:
    """The body an item names as its subject ('The Doncaster Safeguarding Children Board should
    consider ...'), resolved to a full printed name where the report gives one."""
    m = _SUBJECT.match(text)
    if not m:
        return None
    who = m.group("who")
    parts = re.split(r"\s+and\s+", who)
    resolved = []
    for p in parts:
        p = p.strip()
        key = p.lower() if p.lower().startswith("the ") else "the " + p.lower()
        name = aliases.get(key)
        if name is None:
            for b in boards:
                if key[4:] in {a.lower() for a in (b.name_as_printed, *b.also_printed_as)}:
                    name = b.name_as_printed
        resolved.append(name or re.sub(r"^(?:the|The) ", "", p))
    return " and ".join(resolved)


def _lscb_board(boards: tuple[Board, ...]) -> str:
    for b in boards:
        if b.kind == "safeguarding-children-board":
            return b.name_as_printed
    return "Local Safeguarding Children Board"


def extract_recommendations(src: SourceText, seg: Segmented,
                            boards: tuple[Board, ...] = ()) -> tuple[Recommendation, ...]:
    """Every recommendation-like item, with kind, deadline group and addressee."""
    kinds = {e["id"]: e["recommendation"] for e in section_rules()["headings"] if e.get("recommendation")}
    aliases = _aliases(src.text)
    out: list[Recommendation] = []
    seen: set[int] = set()
    for i, h in enumerate(seg.blocks):
        if h.kind != "heading" or h.heading_id not in kinds or h.section[:1] == ("Contents",):
            continue
        for b, deadline in items_under(seg, i):
            if b.start in seen:
                continue
            seen.add(b.start)
            part = b.section[0] if b.section else None
            in_lscb = part is not None and "Safeguarding Children Board" in part or h.heading_id == "lscb-needs-to-improve"
            who = _lscb_board(boards) if in_lscb else addressee(b.text, aliases, boards)
            section = part if part and part != h.text else None
            out.append(Recommendation(b.text, kinds[h.heading_id], deadline, who, section, Span(b.start, b.end)))
    return tuple(_link_supporting(seg, out))


def _link_supporting(seg: Segmented, recs: list[Recommendation]) -> list[Recommendation]:
    """Attach paragraphs tagged '(Recommendation)' to the recommendation sharing most words."""
    if not recs:
        return recs
    words = [set(_WORD.findall(r.text.lower())) for r in recs]
    support: dict[int, list[Span]] = {}
    for b in seg.blocks:
        if b.kind in ("numbered", "paragraph") and _TAG.search(b.text):
            para = set(_WORD.findall(b.text.lower()))
            best = max(range(len(recs)), key=lambda k: len(para & words[k]) / (len(words[k]) or 1))
            if para & words[best]:
                support.setdefault(best, []).append(Span(b.start, b.end))
    if not support:
        return recs
    from dataclasses import replace

    return [replace(r, supporting_paragraphs=tuple(support.get(k, ()))) for k, r in enumerate(recs)]
