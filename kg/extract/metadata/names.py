"""Names of people as printed: the text helpers every part of the metadata reader uses to find a name,
cut it from its title and qualifiers, and give its span."""
from __future__ import annotations

import re

from ...records import Span
from ...segment import collapse
from .rules import PeopleRules


_NAME = re.compile(
    r"(?:[A-Z][\w'\u2019.-]*|O'[A-Z][\w-]*)"
    r"(?:\s+(?:[A-Z][\w'\u2019.-]*|d'[A-Z]?[\w-]+|de|van|von|der|den|le|la|du|da|di|del|bin|al)){1,4}")
_NOT_NAME = re.compile(r"\b(?:Inspection|Inspectors?|Judgement|Grade|Council|Services?|Board|Ofsted|Information"
                       r"|Children|Report|Department|Majesty's|Local|Authority|Effectiveness|Overall|Director"
                       r"|Chief|Deputy|National|Social|Care|Commission|Constabulary|Probation|Police|Executive"
                       r"|Officer|Head|Trust|Partnership|Yours|Dear)\b")


def is_name(s: str) -> bool:
    return bool(_NAME.fullmatch(s)) and not _NOT_NAME.search(s)


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without surrounding whitespace and stray punctuation."""
    while start < end and (text[start].isspace() or text[start] in ",;:-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:."):
        end -= 1
    return start, end


def nonblank_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line in text[start:end], whitespace-trimmed."""
    out = []
    for m in re.finditer(r"[^\n]+", text[start:end]):
        s, e = trimmed(text, start + m.start(), start + m.end())
        if s < e:
            out.append((s, e))
    return out


def singular(role: str) -> str:
    """'Team inspectors' -> 'Team inspector', "Her Majesty's Inspectors" -> "Her Majesty's Inspector"."""
    return re.sub(r"\b(inspector|analyst|manager)s\b", r"\1", role, flags=re.IGNORECASE)


NAME_SEPARATORS = re.compile(r"[,;()]|\s+and\s+|\s+&\s+")


def gaps(text: str, start: int, end: int, separators: re.Pattern[str]) -> list[tuple[int, int]]:
    """The (start, end) pieces of text[start:end] between separators."""
    out, pos = [], start
    for m in separators.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return out


def split_names(text: str, start: int, end: int, rules: PeopleRules) -> list[tuple[str, Span]]:
    """Names listed in text[start:end] ('A HMI, B (OI) and C'), each with its span."""
    out = []
    for s, e in gaps(text, start, end, NAME_SEPARATORS):
        s, e = trimmed(text, s, e)
        raw = text[s:e]
        if not raw or rules.qualifier_only.match(raw):
            continue
        tail = rules.qualifier_tail.search(raw)
        if tail:
            s, e = trimmed(text, s, s + tail.start())
        title = rules.titles.match(text, s, e)
        if title:
            s, e = trimmed(text, title.end(), e)
        name = collapse(text[s:e])
        if is_name(name):
            out.append((name, Span(s, e)))
    return out


def bare_name(text: str, start: int, end: int, rules: PeopleRules, *, honours: bool = True) -> tuple[int, int]:
    """The span of the name in text[start:end] without the title before it and (with `honours`) the
    honours and degrees after it ('Dr Sean O'Kelly BSc MB ChB' -> 'Sean O'Kelly')."""
    s, e = trimmed(text, start, end)
    title = rules.titles.match(text, s, e)
    if title:
        s = trimmed(text, title.end(), e)[0]
    after = rules.post_nominals.search(text, s, e) if honours else None
    if after and after.start() > s:
        e = trimmed(text, s, after.start())[1]
    return s, e


def name_key(name: str) -> str:
    return collapse(name.replace("\u2019", "'")).lower()
