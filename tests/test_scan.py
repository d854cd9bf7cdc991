"""kg.scan's prefilters give a full scan's answers: for every pattern of every rule file, on real report
text and on random text made of the patterns' own literals, sample snippets and characters that case
folding treats specially (a differential test: the prefiltered scan against the plain `re` scan).

A pattern kg.scan cannot reason about (scoped inline flags, lookbehinds, anything unknown) is refused:
it is always scanned in full.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import scan

from .conftest import SAMPLES


def _rule_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Every compiled pattern of the rule files, as the extractors use them (with a name for messages)."""
    from kg.extract import organisations as org
    from kg.extract.metadata import load_people_rules, load_type_rules
    from kg.read import load_rules
    from kg.rules import load_rule_file
    from kg.themes import default_scheme

    out: list[tuple[str, re.Pattern[str]]] = []
    for name in ("organisations.yaml", "sections.yaml", "grades.yaml"):
        for key, entries in load_rule_file(name).items():
            for e in entries:
                if e.pattern is not None:
                    out.append((f"{name}:{e.line}", e.pattern))
                    if name == "organisations.yaml":
                        out.append((f"{name}:{e.line} (wrapping)", org._wrapping(e.pattern)))
    for t in default_scheme().themes:
        out += [(f"themes.ttl {t.label}", p) for p in (*t.patterns, t.combined) if p is not None]
    out += [(f"normalise.yaml {r.id}", r.pattern) for r in load_rules()]
    out += [(f"report_types.yaml:{t.line}", t.pattern) for t in load_type_rules().titles]
    people = load_people_rules()
    for field in ("titles", "qualifier_tail", "qualifier_only", "sign_off", "copy_heading", "org_head", "org_start"):
        out.append((f"people.yaml {field}", getattr(people, field)))
    out += [("people.yaml team_labels", t.pattern) for t in people.team_labels]
    out += [("people.yaml visit_phrases", v.pattern) for v in people.visit_phrases]
    out += [("people.yaml report_phrases", p) for p in people.report_phrases]
    return out


PATTERNS = _rule_patterns()


def _disagreement(pattern: re.Pattern[str], text: str) -> str | None:
    """Where the prefiltered answers differ from the plain scan's, or None."""
    full = [m.span() for m in pattern.finditer(text)]
    if full and not scan.may_match(pattern, text):
        return f"may_match says no, but it matches at {full[0]}"
    if full and not scan.may_contain(pattern, text):
        return f"may_contain says no, but it matches at {full[0]}"
    fast = [m.span() for m in scan.finditer(pattern, text)]
    if fast != full:
        return f"finditer found {fast[:3]}, a full scan {full[:3]}"
    return None


def _check(text: str) -> None:
    bad = [(name, p.pattern, why) for name, p in PATTERNS if (why := _disagreement(p, text))]
    assert not bad, (text[:200], bad[:3])


def test_the_rule_files_give_enough_patterns_to_mean_something():
    assert len(PATTERNS) > 300
    prefiltered = [p for _, p in PATTERNS if scan._literals(p) is not None]
    assert len(prefiltered) > 100  # the prefilter is in use, so agreeing is not trivial


@pytest.mark.parametrize("name", ["000_8c596ea8a2081205.txt", "doncaster_2022-04-08.pdf", "kent_2013-08-23.pdf"])
def test_every_rule_pattern_agrees_with_a_full_scan_on_real_reports(read_sample, name):
    _check(read_sample(name).text)


def _fragments() -> list[str]:
    """The pieces random texts are made of: every literal a prefilter looks for, and lines of real text."""
    words = sorted({w for _, p in PATTERNS if (lit := scan._literals(p)) for w in lit[0]})
    lines = []
    for path in sorted(SAMPLES.glob("*.txt"))[:2]:
        lines += [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()][:150]
    return words + lines


FRAGMENTS = _fragments()
TRICKY = "aAkKsSiI \n\t-'\u2019\u201c\u201d.,;:()0123456789\u212a\u017f\u0130\u0131\u00df\u00e9_"
_TWINS = str.maketrans({"k": "\u212a", "K": "\u212a", "s": "\u017f", "S": "\u017f", "i": "\u0130", "I": "\u0131"})


def _twins(text: str) -> str:
    """The letters re.IGNORECASE matches by non-ASCII twins (Kelvin sign, long s, dotted and dotless i)."""
    return text.translate(_TWINS)


_case = st.sampled_from([str, str.upper, str.lower, str.title, str.swapcase, _twins])
_piece = st.one_of(
    st.tuples(st.sampled_from(FRAGMENTS), _case).map(lambda t: t[1](t[0])),
    st.text(alphabet=TRICKY, max_size=4),
)
_sep = st.sampled_from(["", " ", "  ", "\n", " \n", "-", "'", ". ", ", "])
random_texts = st.lists(st.tuples(_piece, _sep).map("".join), max_size=10).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_texts)
def test_every_rule_pattern_agrees_with_a_full_scan_on_random_text(text):
    _check(text)


@pytest.mark.parametrize("pattern, flags, text", [
    (r"(?i:safeguarding) board", 0, "the SAFEGUARDING board"),  # a scoped flag makes the literal caseless
    (r"(?-i:Cafcass) officers", re.IGNORECASE, "Cafcass OFFICERS"),  # ... or case-sensitive
    (r"(?i:q)", 0, "Q"),  # may_contain: one character, any case
    (r"(?<=health )assessments", 0, "health assessments"),  # a lookbehind
])
def test_patterns_kg_scan_cannot_reason_about_are_scanned_in_full(pattern, flags, text):
    p = re.compile(pattern, flags)
    assert p.search(text)
    assert scan.may_match(p, text) and scan.may_contain(p, text)
    assert [m.span() for m in scan.finditer(p, text)] == [m.span() for m in p.finditer(text)]
