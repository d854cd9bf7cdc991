"""Findings against the gold records: strengths, satisfactory practice, headline findings."""
from __future__ import annotations

from collections import Counter

import pytest

from kg.segment import collapse
from tests._items_helpers import SAMPLE_FILES, plain


@pytest.mark.parametrize("stem", sorted(SAMPLE_FILES))
def test_findings_match_gold(items_of, gold, stem):
    src, items = items_of(stem)
    want = Counter((plain(f["text"]), f["kind"]) for f in gold(stem)["findings"])
    got = Counter((f.text, f.kind) for f in items.findings)
    assert got == want
    for f in items.findings:
        assert collapse(src.text[f.span.start:f.span.end]) == f.text


def test_satisfactory_practice_after_a_lead_in_sentence(items_of):
    # the 2010 Doncaster letter prints no 'Satisfactory practice' heading, only '... in particular:'
    _, items = items_of("000_8c596ea8a2081205")
    kinds = Counter(f.kind for f in items.findings)
    assert kinds == {"satisfactory-practice": 7, "strength": 3}


def test_headline_findings_are_whole_paragraphs(items_of):
    _, items = items_of("001_08ab79b8e78a2bf8")
    assert [f.kind for f in items.findings] == ["headline-finding", "headline-finding"]
    assert items.findings[0].text.startswith("Children come into care at the right time")


def test_topic_bullets_of_a_monitoring_visit_are_not_findings(items_of):
    _, items = items_of("004_b5ee7b23e5af23f4")
    assert items.findings == ()
