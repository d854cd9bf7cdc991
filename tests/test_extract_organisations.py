"""Boards, partners and services, resolved within a report."""
from __future__ import annotations

import re

import pytest

from tests._items_helpers import plain


def board_key(name: str) -> str:
    name = re.sub(r"\s*\([^()]*\)\s*$", "", plain(name)).lower()
    return re.sub(r"^the ", "", name)


@pytest.mark.parametrize("stem", ["000_8c596ea8a2081205", "001_08ab79b8e78a2bf8", "002_f1ebdee6c896ebcd",
                                  "003_fd8ddec3fbd4e1da", "004_b5ee7b23e5af23f4", "barnsley_2018-11-19",
                                  "darlington_2022-12-02", "doncaster_2018-01-19", "doncaster_2022-04-08",
                                  "kent_2013-08-23"])
def test_boards_match_gold(items_of, gold, stem):
    _, items = items_of(stem)
    assert sorted(board_key(b.name_as_printed) for b in items.boards) == \
        sorted(board_key(b["name_as_printed"]) for b in gold(stem)["boards"])


def test_one_board_under_full_name_and_local_name(items_of):
    _, items = items_of("000_8c596ea8a2081205")
    scb = [b for b in items.boards if b.kind == "safeguarding-children-board"]
    assert len(scb) == 1
    assert scb[0].name_as_printed == "Doncaster Safeguarding Children Board"
    assert "Local Safeguarding Children Board" in scb[0].also_printed_as


def test_acronym_is_an_alias(items_of):
    _, items = items_of("002_f1ebdee6c896ebcd")
    scb = next(b for b in items.boards if b.kind == "safeguarding-children-board")
    assert "LSCB" in scb.also_printed_as


def test_services_trust_is_not_a_childrens_trust_board(items_of):
    _, items = items_of("doncaster_2015-11-27")
    assert not any(b.kind == "childrens-trust-board" and "Trust" in b.name_as_printed for b in items.boards)


def test_partners_and_services(items_of):
    src, items = items_of("kent_2013-08-23")
    partners = {p.name_as_printed: p.kind for p in items.partner_organisations}
    assert partners.get("Sussex Partnership NHS Foundation Trust") == "health"
    _, letter = items_of("000_8c596ea8a2081205")
    assert "Children with Disability Team" in {s.name for s in letter.services}
    assert {p.kind for p in letter.partner_organisations} >= {"government"}
    for p in items.partner_organisations:
        assert " ".join(src.text[p.span.start:p.span.end].split()) == p.name_as_printed


def test_a_board_printed_again_under_another_rule_is_one_board(items_of):
    _, items = items_of("doncaster_2015-11-27")
    names = [board_key(b.name_as_printed) for b in items.boards]
    assert names.count("doncaster safeguarding children board") == 1
    assert len(names) == len(set(names))


def test_plural_and_singular_spellings_are_one_board(items_of):
    _, items = items_of("darlington_2015-09-01")
    adult = [b for b in items.boards if "adult" in b.name_as_printed.lower()]
    assert len(adult) == 1
    assert {adult[0].name_as_printed, *adult[0].also_printed_as} == {"Adult Safeguarding Board",
                                                                      "Adults Safeguarding Board"}
