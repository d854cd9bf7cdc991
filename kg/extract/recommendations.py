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
from .organisations import gazetteer

_SUBJECT = re.compile(
    r"^(?:Where [^,]{3,120}, )?(?P<who>(?:The|the) (?!local authority\b)[A-Za-z'’ ]{2,80}?)"
    r" (?:should|must|needs? to|is to|are to)\b")
_ALIAS = re.compile(r"(?P<name>(?:[A-Z][\w'’]*\s){1,6}[A-Z][\w'’]*)\s+\(['‘]?(?P<alias>the [a-z]+)['’]?\)")
_TAG = re.compile(r"\(Recommendation\)\s*$")
_WORD = re.compile(r"[a-z]{4,}")


def _aliases(text: str) -> dict[str, str]:
    """Short names the report defines: "Doncaster Children's Services Trust ('the trust')"."""
    return {m.group("alias").lower(): m.group("name") for m in _ALIAS.finditer(text)}


def addressee(text: str, aliases: dict[str, str], boards: tuple[Board, ...],
              council: str | None = None) -> str | None:
    """The body an item names as its subject ('The Doncaster Safeguarding Children Board should
    consider ...'), resolved to a full printed name where the report gives one ('the trust' ->
    its defined name, 'the council' -> the council's printed name). None when the subject is not
    a body (kg/data/organisations.yaml `addressees`) or only the implied local authority."""
    m = _SUBJECT.match(text)
    if not m:
        return None
    who = m.group("who")
    parts = re.split(r"\s+and\s+", who)
    resolved = []
    for p in parts:
        p = p.strip()
        bare = re.sub(r"^(?:the|The) ", "", p)
        key = "the " + bare.lower()
        name = aliases.get(key)
        if name is None:
            for b in boards:
                if key[4:] in {a.lower() for a in (b.name_as_printed, *b.also_printed_as)}:
                    name = b.name_as_printed
        if name is None:
            rule = next((e for e in gazetteer()["addressees"] if e.pattern.search(bare)), None)
            if rule is None:
                return None  # not a body: 'The use of special guardianship orders should ...'
            if rule.get("implied"):
                continue
            if rule.get("as") == "council":
                name = council or bare
        resolved.append(name or bare)
    return " and ".join(resolved) or None


def _lscb_board(boards: tuple[Board, ...]) -> str:
    for b in boards:
        if b.kind == "safeguarding-children-board":
            return b.name_as_printed
    return "Local Safeguarding Children Board"


def extract_recommendations(src: SourceText, seg: Segmented, boards: tuple[Board, ...] = (),
                            council: str | None = None) -> tuple[Recommendation, ...]:
    """Every recommendation-like item, with kind, deadline group and addressee."""
    rules = {e["id"]: e for e in section_rules()["headings"] if e.get("recommendation")}
    aliases = _aliases(src.text)
    out: list[Recommendation] = []
    seen: set[int] = set()
    for i, h in enumerate(seg.blocks):
        if h.kind != "heading" or h.heading_id not in rules or h.section[:1] == ("Contents",):
            continue
        rule = rules[h.heading_id]
        items = [(b, d) for b, d in items_under(seg, i, subheadings=bool(rule.get("subheadings")))
                 if b.start not in seen]
        # a heading's own kind, or its `undated` kind when no item sits under a deadline group and
        # the items are numbered paragraphs (SIF 2014-15 'Areas for improvement' lists vs. the dated
        # lists of 2009-13 and the bulleted, undated lists of letters: 'Areas for improvement' in
        # place of 'Areas for development', joint targeted area inspections)
        kind = rule["recommendation"]
        if rule.get("undated") and items and all(d is None for _, d in items) \
                and any(b.kind == "numbered" for b, _ in items):
            kind = rule["undated"]
        for b, deadline in items:
            seen.add(b.start)
            if deadline is None and rule.get("deadline_in_text"):
                deadline = next((e["deadline"] for e in section_rules()["deadlines"]
                                 if e.get("in_text") and re.search(e["in_text"], b.text, re.IGNORECASE)), None)
            part = b.section[0] if b.section else None
            in_lscb = part is not None and "Safeguarding Children Board" in part or rule.get("addressed_to") == "lscb"
            who = _lscb_board(boards) if in_lscb else addressee(b.text, aliases, boards, council)
            section = part if part and part != h.text else None
            out.append(Recommendation(b.text, kind, deadline or rule.get("deadline"), who, section,
                                      Span(b.start, b.end)))
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
