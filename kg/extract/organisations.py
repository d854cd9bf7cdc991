"""Boards, services and partner organisations named in a report, resolved within the report.

Names are found with the gazetteer of kg/data/organisations.yaml. Within one report the same
safeguarding children board printed as 'Doncaster Safeguarding Children Board', 'Local
Safeguarding Children Board' and 'LSCB' becomes one Board (the place-named form first, the others
in also_printed_as); other boards are merged when printed alike (case aside).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..read import SourceText
from ..records import Board, PartnerOrganisation, Service, Span
from ..rules import Entry, load_rule_file
from ..scan import finditer, may_match
from ..segment import collapse

_TRAILING_ACRONYM = re.compile(r"\s*\(([A-Z&]{2,8})\)")


@lru_cache(maxsize=None)
def gazetteer() -> dict[str, tuple[Entry, ...]]:
    return load_rule_file("organisations.yaml")


@dataclass(frozen=True, slots=True)
class Mention:
    name: str
    rule: Entry
    start: int
    end: int


@lru_cache(maxsize=None)
def _wrapping(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern with each space allowing a line break: names wrap in PDF text layers."""
    return re.compile(pattern.pattern.replace(" ", r"\s+"), pattern.flags)


def _mentions(text: str, entries: tuple[Entry, ...]) -> list[Mention]:
    """Non-overlapping matches, earlier rules first (so specific patterns beat generic ones)."""
    taken: list[tuple[int, int]] = []
    out = []
    for e in entries:
        pattern = _wrapping(e.pattern)
        if not may_match(pattern, text):
            continue
        for m in finditer(pattern, text):
            s, t = m.span()
            if any(s < b and a < t for a, b in taken):
                continue
            if text[max(0, s - 7):s].lower() == "former ":
                continue  # a body that no longer exists ('the former Children's Trust')
            name = collapse(m.group(0))
            acr = _TRAILING_ACRONYM.match(text, t)
            if acr and not e.get("acronym"):
                name, t = f"{name} ({acr.group(1)})", acr.end()
            taken.append((s, t))
            out.append(Mention(name, e, s, t))
    return sorted(out, key=lambda m: m.start)


def _key(name: str) -> str:
    """What makes two printed names one organisation: case, spacing, a trailing acronym, a leading
    'the' and plural or possessive endings ('Adults'/'Adult', "Children's"/'Childrens') aside."""
    words = _TRAILING_ACRONYM.sub("", name).lower().replace("\u2019", "'").split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(re.sub(r"'?s'?$", "", w) or w for w in words)


def extract_boards(src: SourceText) -> tuple[Board, ...]:
    text = src.text
    g = gazetteer()
    skip = [e.pattern for e in g["not_boards"]]
    mentions = [m for m in _mentions(text, g["boards"]) if not any(p.search(m.name) for p in skip)]
    services_trust = re.search(r"Children'?s\s+Services?\s+Trust", text, re.IGNORECASE) is not None
    scb_named = [m for m in mentions if m.rule.get("lscb") == "named"]
    scb_local = [m for m in mentions if m.rule.get("lscb") == "local"]
    scb_acr = [m for m in mentions if m.rule.get("lscb") == "acronym"]
    boards: list[Board] = []
    if scb_named or scb_local:
        main = scb_named[0] if scb_named else scb_local[0]
        others = []
        for m in scb_named + scb_local + scb_acr:
            if _key(m.name) != _key(main.name) and m.name not in others:
                if m.rule.get("lscb") == "named" and _key(m.name).split()[0] != _key(main.name).split()[0]:
                    continue  # another place's board: kept on its own below
                others.append(m.name)
        boards.append(Board(main.name, "safeguarding-children-board", tuple(others), Span(main.start, main.end)))
        seen_places = {_key(main.name)}
        for m in scb_named:
            if _key(m.name).split()[0] != _key(main.name).split()[0] and _key(m.name) not in seen_places:
                seen_places.add(_key(m.name))
                boards.append(Board(m.name, "safeguarding-children-board", (), Span(m.start, m.end)))
    groups: dict[str, list[Mention]] = {}
    for m in mentions:
        if m.rule.get("lscb"):
            continue
        if m.rule.get("trust"):
            if services_trust:
                continue
            groups.setdefault("childrens-trust", []).append(m)
            continue
        groups.setdefault(_key(m.name), []).append(m)
    taken = {_key(n) for b in boards for n in (b.name_as_printed, *b.also_printed_as)}
    for key, ms in groups.items():
        if key in taken:
            continue  # printed again under a rule of its own: the same board
        if key == "childrens-trust":
            named = [m for m in ms if not m.name.lower().startswith("children")] or ms
            main = named[0]
            others = tuple(dict.fromkeys(m.name for m in ms if _key(m.name) != _key(main.name)))
            boards.append(Board(main.name, "childrens-trust-board", others, Span(main.start, main.end)))
            continue
        main = ms[0]
        others = tuple(dict.fromkeys(m.name for m in ms if m.name != main.name and _key(m.name) == key
                                     and m.name.lower() != main.name.lower()))
        boards.append(Board(main.name, main.rule["kind"], others, Span(main.start, main.end)))
    return tuple(boards)


def extract_partners(src: SourceText) -> tuple[PartnerOrganisation, ...]:
    out: dict[str, PartnerOrganisation] = {}
    for m in _mentions(src.text, gazetteer()["partners"]):
        out.setdefault(_key(m.name), PartnerOrganisation(m.name, m.rule["kind"], Span(m.start, m.end)))
    return tuple(out.values())


def extract_services(src: SourceText) -> tuple[Service, ...]:
    out: dict[str, Service] = {}
    for m in _mentions(src.text, gazetteer()["services"]):
        out.setdefault(_key(m.name), Service(m.name, Span(m.start, m.end)))
    return tuple(out.values())
