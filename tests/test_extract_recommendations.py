"""Recommendations against the gold records: text, kind, deadline group and addressee."""
from __future__ import annotations

from collections import Counter

import pytest

from kg.segment import collapse
from tests._items_helpers import SAMPLE_FILES, plain


@pytest.mark.parametrize("stem", sorted(SAMPLE_FILES))
def test_recommendations_match_gold(items_of, gold, stem):
    _, items = items_of(stem)
    want = Counter((plain(r["text"]), r["kind"], r["deadline"]) for r in gold(stem)["recommendations"])
    got = Counter((r.text, r.kind, r.deadline) for r in items.recommendations)
    assert got == want


@pytest.mark.parametrize("stem", sorted(SAMPLE_FILES))
def test_every_recommendation_has_its_span_and_section(items_of, stem):
    src, items = items_of(stem)
    for r in items.recommendations:
        assert collapse(src.text[r.span.start:r.span.end]) == r.text


def test_item_split_by_page_break_is_joined(items_of):
    # in the text copy of the 2010 Barnsley letter the CAF bullet breaks over a page
    _, items = items_of("003_fd8ddec3fbd4e1da")
    caf = [r for r in items.recommendations if r.text.startswith("Common assessment framework (CAF)")]
    assert len(caf) == 1
    assert "The council has recognised the problem and has recently increased the numbers" in caf[0].text


def test_deadline_groups_run_across_a_page_break(items_of):
    src, items = items_of("kent_2013-08-23")
    deadlines = Counter(r.deadline for r in items.recommendations)
    assert deadlines == {"immediately": 3, "within-three-months": 6, "within-six-months": 3}
    pages = {src.page_of(r.span.start) for r in items.recommendations}
    assert len(pages) == 2


def test_addressed_to_when_the_item_names_a_body(items_of):
    _, items = items_of("002_f1ebdee6c896ebcd")
    named = {r.addressed_to for r in items.recommendations if r.addressed_to}
    assert named == {"Doncaster Safeguarding Children Board", "LAC health nurses"}
    assert {r.section for r in items.recommendations} == {"Safeguarding services", "Services for looked after children"}


def test_lscb_recommendations_are_addressed_to_the_board(items_of):
    _, items = items_of("darlington_2015-09-01")
    lscb = [r for r in items.recommendations if r.section == "The Local Safeguarding Children Board (LSCB)"]
    assert len(lscb) == 6
    assert {r.addressed_to for r in lscb} == {"Darlington Safeguarding Children Board"}
    assert all(r.addressed_to is None for r in items.recommendations if r not in lscb)


def test_short_names_resolve_to_the_printed_full_name(items_of):
    _, items = items_of("doncaster_2015-11-27")
    trust = [r for r in items.recommendations if r.text.startswith("The trust should")]
    assert trust and {r.addressed_to for r in trust} == {"Doncaster Children's Services Trust"}


def test_paragraphs_tagged_recommendation_support_a_recommendation(items_of):
    src, items = items_of("doncaster_2018-01-19")
    spans = [s for r in items.recommendations for s in r.supporting_paragraphs]
    assert len(spans) == 5
    assert all(src.text[s.start:s.end].rstrip().endswith("(Recommendation)") for s in spans)
