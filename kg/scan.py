"""Regex scanning that skips text a pattern cannot match (speed only: the answers are a full scan's).

Python's `re` tries a pattern at every position of a text. Most gazetteer and theme patterns need a
literal that most texts never print ('Cafcass', 'Primary Care Trust', 'supervision'), so each pattern is
first asked for the literals one of which any match must contain (`may_match`), and a text without any
of them is not scanned. Patterns that match only letters, whitespace and a few other characters are
then scanned only in the runs of such characters around each literal (`finditer`). A pattern holding
anything these walkers do not reason about (scoped flags such as (?i:...), lookbehinds, backreferences
...) gets no prefilter: it is scanned in full. tests/test_scan.py checks every rule pattern against full
scans on real and random text, tests/test_speed_parity.py the extractors' answers.
"""
from __future__ import annotations

import re
from functools import lru_cache

ENABLED = True  # False: every function here scans in full (the parity tests' and the benchmark's plain way)

try:  # re's own parser: what a pattern must match is read from its parse tree
    from re import _constants as C, _parser as P  # type: ignore[attr-defined]  # Python 3.11+
except ImportError:  # Python 3.10
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]


def _through(op, av, walk, merge):
    """What `walk` finds in a node every match passes through: a group, a repeat of at least once, or a branch
    whose every alternative has it (`merge` joins their answers); None for any other node."""
    if op is C.SUBPATTERN:
        return walk(av[-1])
    if op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
        return walk(av[2])
    if op is C.BRANCH:
        alts = [walk(b) for b in av[1]]
        return merge(alts) if alts and all(alts) else None
    return None


def _one_of_literals(alts):
    return frozenset().union(*(a[0] for a in alts)), min(a[1] for a in alts)


def _one_of_chars(alts):
    return frozenset().union(*alts)


def _required(items) -> tuple[frozenset[str], int] | None:
    """(alternatives, shortest length): one of the literals every match of the parsed items contains."""
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
        found = _through(op, av, _required, _one_of_literals)
        if found and (best is None or found[1] > best[1]):
            best = found
    close()
    return best


def _understood(items) -> bool:
    """Whether every node of the parse tree is one the walkers here reason about correctly. Refused (the
    pattern is then always scanned in full): scoped inline flags such as (?i:...) or (?-i:...), which
    change case-sensitivity inside the pattern where the walkers read only the pattern's own flags;
    lookbehinds; and anything else (backreferences, atomic groups, possessive repeats, conditionals,
    nodes of a later Python), rather than a guess."""
    for op, av in items:
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.AT):
            continue
        if op is C.IN:
            if not all(iop in (C.LITERAL, C.RANGE, C.CATEGORY, C.NEGATE) for iop, _ in av):
                return False
        elif op is C.SUBPATTERN:
            if av[1] or av[2] or not _understood(av[-1]):  # av: (group, add flags, del flags, items)
                return False
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            if not _understood(av[2]):
                return False
        elif op is C.BRANCH:
            if not all(_understood(b) for b in av[1]):
                return False
        elif op in (C.ASSERT, C.ASSERT_NOT):
            if av[0] < 0 or not _understood(av[1]):  # av[0] < 0: a lookbehind
                return False
        else:
            return False
    return True


def _from_tree(pattern: re.Pattern[str], walker):
    """walker(the pattern's parse tree), or None when the pattern cannot be parsed, holds a node the
    walkers do not reason about (`_understood`) or its tree is not what the walker expects: then no
    prefilter is used, and the text is scanned in full."""
    try:
        tree = P.parse(pattern.pattern, pattern.flags)
        return walker(tree) if _understood(tree) else None
    except Exception:
        return None


@lru_cache(maxsize=None)
def _literals(pattern: re.Pattern[str]) -> tuple[frozenset[str], bool] | None:
    """(literals, ignore case) for a pattern's prefilter, or None when it has no usable literal."""
    found = _from_tree(pattern, _required)
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


def may_match(pattern: re.Pattern[str], text: str) -> bool:
    """False only if `text` lacks every literal one of which any match of `pattern` contains."""
    if not ENABLED:
        return True
    lit = _literals(pattern)
    if lit is None:
        return True
    words, icase = lit
    hay = _folded(text) if icase else text
    return any(w in hay for w in words)


def _consumed(items) -> frozenset[str] | None:
    """The characters other than letters and whitespace that the parsed pattern can match or look
    ahead at, or None when that set is open (a wildcard, a negated class, digits, a lookbehind ...)."""
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
    if _literals(pattern) is None:
        return None
    extra = _from_tree(pattern, _consumed)
    if extra is None:
        return None
    others = "".join(sorted(re.escape(c) for c in extra))
    return re.compile(r"(?:[^\W\d_]|\s" + (f"|[{others}]" if others else "") + ")*")


@lru_cache(maxsize=4)
def _reversed(text: str) -> str:
    return text[::-1]


def finditer(pattern: re.Pattern[str], text: str):
    """pattern.finditer(text), scanning only the parts of the text where a match can be: the runs (see
    `_run_pattern`) around each occurrence of a required literal, found by matching the run pattern
    forwards from the literal and backwards over the reversed text."""
    run_pattern = _run_pattern(pattern) if ENABLED else None
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


def _required_chars(items) -> frozenset[str] | None:
    """Characters one of which every match of the parsed items contains, or None if none is found. Every
    item of a sequence must match, so the first item that names its characters (a literal, a plain class,
    a group or a repeat of at least one of them, or a branch whose every alternative names them) gives
    the set; optional, zero-width and open items (\\s, [^x], lookarounds) are passed over."""
    for op, av in items:
        found: frozenset[str] | None = None
        if op is C.LITERAL:
            found = frozenset(chr(av))
        elif op is C.IN:
            chars: set[str] | None = set()
            for iop, iav in av:
                if iop is C.LITERAL:
                    chars.add(chr(iav))
                elif iop is C.RANGE and iav[1] - iav[0] < 256:
                    chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
                else:
                    chars = None  # a negated class or a category: any character
                    break
            found = frozenset(chars) if chars else None
        else:
            found = _through(op, av, _required_chars, _one_of_chars)
        if found:
            return found
    return None


@lru_cache(maxsize=None)
def _chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    if pattern.flags & re.IGNORECASE:
        return None
    return _from_tree(pattern, _required_chars)


def may_contain(pattern: re.Pattern[str], text: str) -> bool:
    """False only if `text` lacks every character one of which any match of `pattern` needs (a quick
    test for rules such as 'replace curly quotes', which most texts give nothing to do)."""
    chars = _chars(pattern) if ENABLED else None
    return chars is None or any(c in text for c in chars)
