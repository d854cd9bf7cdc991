"""Boards, services and partner organisations named in a report, resolved within the report.

Names are found with the gazetteer of kg/data/organisations.yaml. Within one report the same
safeguarding children board printed as 'Doncaster Safeguarding Children Board', 'Local
Safeguarding Children Board' and 'LSCB' becomes one Board (the place-named form first, the others
in also_printed_as); other boards are merged when printed alike (case aside).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from ..read import SourceText
from ..records import Board, PartnerOrganisation, Service, Span
from ..rules import Entry, load_rule_file

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


# ------------------------------------------------------------------ a literal prefilter (speed only)
# Scanning a report with some 30 gazetteer regexes is the costliest part of extraction: Python's `re`
# tries every position. Most names need a literal that most reports never print ('Cafcass', 'Police',
# 'Primary Care Trust'), so each pattern is first asked for the literals one of which any match must
# contain, and a text without any of them is not scanned. The answer is the same: a pattern is skipped
# only when it cannot match (see tests/test_extract_organisations.py for the parity check).

def _required(items) -> tuple[frozenset[str], int] | None:
    """(alternatives, shortest length): one of the literals every match of the parsed items contains."""
    from re import _constants as C  # type: ignore[attr-defined]

    best: tuple[frozenset[str], int] | None = None
    run: list[str] = []

    def close() -> None:
        nonlocal best, run
        if run and (best is None or len(run) > best[1]):
            best = (frozenset({"".join(run)}), len(run))
        run = []

    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        close()
        found = None
        if op is C.SUBPATTERN:
            found = _required(av[-1])
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
            found = _required(av[2])
        elif op is C.BRANCH:
            alts = [_required(b) for b in av[1]]
            if alts and all(alts):
                found = (frozenset().union(*(a[0] for a in alts)), min(a[1] for a in alts))
        if found and (best is None or found[1] > best[1]):
            best = found
    close()
    return best


@lru_cache(maxsize=None)
def _literals(pattern: re.Pattern[str]) -> tuple[frozenset[str], bool] | None:
    """(literals, ignore case) for a pattern's prefilter, or None when it has no usable literal."""
    from re import _parser as P  # type: ignore[attr-defined]

    try:
        found = _required(P.parse(pattern.pattern, pattern.flags))
    except Exception:  # an unexpected parse tree: no prefilter, scan as before
        return None
    if not found or found[1] < 3:
        return None
    icase = bool(pattern.flags & re.IGNORECASE)
    if icase and not all(w.isascii() for w in found[0]):
        return None
    return (frozenset(w.lower() for w in found[0]) if icase else found[0]), icase


@lru_cache(maxsize=None)
def _ascii_twin(ch: str) -> str:
    """The ASCII letter a non-ASCII character matches under re.IGNORECASE (the Kelvin sign K, the long s),
    else the character itself."""
    for c in "abcdefghijklmnopqrstuvwxyz":
        if re.fullmatch(c, ch, re.IGNORECASE):
            return c
    return ch


@lru_cache(maxsize=4)
def _folded(text: str) -> str:
    """The text lower-cased so that a literal matched case-insensitively by `re` is found by `in`."""
    if text.isascii():
        return text.lower()
    for ch in set(_NON_ASCII.findall(text)):
        twin = _ascii_twin(ch)
        if twin != ch:
            text = text.replace(ch, twin)
    return text.lower()  # may add letters (İ -> i̇): a needless scan at worst, never a missed match


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _may_match(pattern: re.Pattern[str], text: str) -> bool:
    lit = _literals(pattern)
    if lit is None:
        return True
    words, icase = lit
    hay = _folded(text) if icase else text
    return any(w in hay for w in words)


def _consumed(items) -> frozenset[str] | None:
    """The characters other than letters and whitespace that the parsed pattern can match or look
    ahead at, or None when that set is open (a wildcard, a negated class, digits, a lookbehind ...)."""
    from re import _constants as C  # type: ignore[attr-defined]

    extra: set[str] = set()

    def char(c: str) -> None:
        if not (c.isalpha() or c.isspace()):
            extra.add(c)

    for op, av in items:
        if op is C.LITERAL:
            char(chr(av))
        elif op is C.IN:
            for iop, iav in av:
                if iop is C.CATEGORY:
                    if iav is not C.CATEGORY_SPACE:
                        return None
                elif iop is C.RANGE:
                    chars = [chr(c) for c in range(iav[0], iav[1] + 1)]
                    if len(chars) > 64 and not all(c.isalpha() for c in chars):
                        return None
                    for c in chars:
                        char(c)
                elif iop is C.LITERAL:
                    char(chr(iav))
                else:
                    return None
        elif op is C.AT:
            if av not in (C.AT_BOUNDARY, C.AT_NON_BOUNDARY):
                return None
        elif op in (C.SUBPATTERN, C.MAX_REPEAT, C.MIN_REPEAT, C.ASSERT, C.ASSERT_NOT, C.BRANCH):
            if op in (C.ASSERT, C.ASSERT_NOT) and av[0] < 0:
                return None  # a lookbehind could see outside the run
            parts = {C.SUBPATTERN: lambda: [av[-1]], C.MAX_REPEAT: lambda: [av[2]], C.MIN_REPEAT: lambda: [av[2]],
                     C.ASSERT: lambda: [av[1]], C.ASSERT_NOT: lambda: [av[1]], C.BRANCH: lambda: av[1]}[op]()
            for part in parts:
                inner = _consumed(part)
                if inner is None:
                    return None
                extra |= inner
        else:
            return None
    return frozenset(extra)


@lru_cache(maxsize=None)
def _run_pattern(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A regex for the runs of text inside which every match of `pattern` must lie (letters, whitespace
    and the few other characters the pattern can match, such as apostrophes and hyphens), or None when
    the pattern cannot be confined to such runs. Only runs holding a required literal then need
    scanning (a pattern that tries every capitalised word of a report is the costliest part)."""
    from re import _parser as P  # type: ignore[attr-defined]

    if _literals(pattern) is None:
        return None
    try:
        extra = _consumed(P.parse(pattern.pattern, pattern.flags))
    except Exception:
        return None
    if extra is None:
        return None
    others = "".join(sorted(re.escape(c) for c in extra))
    return re.compile(r"(?:[^\W\d_]|\s" + (f"|[{others}]" if others else "") + ")*")


@lru_cache(maxsize=4)
def _reversed(text: str) -> str:
    return text[::-1]


def _finditer(pattern: re.Pattern[str], text: str):
    """pattern.finditer(text), scanning only the parts of the text where a match can be: the runs (see
    `_run_pattern`) around each occurrence of a required literal, found by matching the run pattern
    forwards from the literal and backwards over the reversed text."""
    run_pattern = _run_pattern(pattern)
    if run_pattern is None or len(_folded(text)) != len(text):
        yield from pattern.finditer(text)
        return
    words, icase = _literals(pattern)  # type: ignore[misc]
    hay = _folded(text) if icase else text
    n = len(text)
    runs: dict[int, int] = {}  # start -> end
    for w in words:
        at = hay.find(w)
        while at >= 0:
            end = run_pattern.match(text, at).end()  # type: ignore[union-attr]
            if end >= at + len(w):  # the literal lies inside one run
                runs[n - run_pattern.match(_reversed(text), n - at).end()] = end  # type: ignore[union-attr]
            at = hay.find(w, at + 1)
    for start in sorted(runs):
        # endpos one past the run: \b and lookaheads see the real next character
        yield from pattern.finditer(text, start, min(runs[start] + 1, n))


def _mentions(text: str, entries: tuple[Entry, ...]) -> list[Mention]:
    """Non-overlapping matches, earlier rules first (so specific patterns beat generic ones)."""
    taken: list[tuple[int, int]] = []
    out = []
    for e in entries:
        pattern = _wrapping(e.pattern)
        if not _may_match(pattern, text):
            continue
        for m in _finditer(pattern, text):
            s, t = m.span()
            if any(s < b and a < t for a, b in taken):
                continue
            if text[max(0, s - 7):s].lower() == "former ":
                continue  # a body that no longer exists ('the former Children's Trust')
            name = re.sub(r"\s+", " ", m.group(0)).strip()
            acr = _TRAILING_ACRONYM.match(text, t)
            if acr and e.get("id") != "lscb-acronym":
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
    scb_named = [m for m in mentions if m.rule["id"] == "named-scb"]
    scb_local = [m for m in mentions if m.rule["id"] == "local-scb"]
    scb_acr = [m for m in mentions if m.rule["id"] == "lscb-acronym"]
    boards: list[Board] = []
    if scb_named or scb_local:
        main = scb_named[0] if scb_named else scb_local[0]
        others = []
        for m in scb_named + scb_local + scb_acr:
            if _key(m.name) != _key(main.name) and m.name not in others:
                if m.rule["id"] == "named-scb" and _key(m.name).split()[0] != _key(main.name).split()[0]:
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
        rid = m.rule["id"]
        if rid in ("named-scb", "local-scb", "lscb-acronym"):
            continue
        if rid == "childrens-trust-board":
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
