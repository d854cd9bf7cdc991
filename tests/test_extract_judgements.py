"""Judgements against the gold records, per report family, and the grade scale."""
from __future__ import annotations

from collections import Counter

import pytest

from kg.errors import RuleFileError
from kg.extract.judgements import extract_judgements, grade_of
from kg.rules import load_rule_file
from kg.read import read_bytes
from kg.segment import segment
from tests._items_helpers import SAMPLE_FILES, plain


@pytest.mark.parametrize("stem", sorted(SAMPLE_FILES))
def test_judgements_match_gold(items_of, gold, stem):
    _, items = items_of(stem)
    want = Counter((plain(j["area"]).lower(), j["grade_number"]) for j in gold(stem)["judgements"])
    got = Counter((j.area.lower(), j.grade_number) for j in items.judgements)
    assert got == want


def test_record_of_main_findings_keeps_both_parts(items_of):
    _, items = items_of("002_f1ebdee6c896ebcd")
    sections = Counter(j.section for j in items.judgements)
    assert sections == {"Safeguarding services": 10, "Services for looked after children": 12}


def test_previous_inspection_grades_are_left_out(items_of):
    # the 2015 'inadequate' grades are quoted in the 2018 re-inspection; all of 2018 is good
    _, items = items_of("doncaster_2018-01-19")
    assert {j.grade_number for j in items.judgements} == {2}


def test_sif_lscb_grade_from_its_section(items_of):
    _, items = items_of("darlington_2015-09-01")
    lscb = [j for j in items.judgements if "Safeguarding Children Board" in j.area]
    assert [(j.grade_label, j.grade_number) for j in lscb] == [("Requires improvement", 3)]


def test_grade_label_wrapped_over_lines():
    assert grade_of("Requires\nimprovement to be\ngood") == ("Requires improvement to be good", 3)
    # the front page of Darlington's 2018 SIF report, as its text layer prints it
    text = ("Darlington\nInspection of services for children in need of help and\n"
            "protection, children looked after and care leavers\n"
            "Children's services in Darlington require improvement to be\ngood\n"
            "1. Children who need help and protection\nRequires\nimprovement to be\ngood\n"
            "2. Children looked after and achieving\npermanence\nRequires\nimprovement to be\ngood\n"
            "2.1 Adoption performance Good\n2.2 Experiences and progress of care leavers Good\n"
            "3. Leadership, management and governance\nRequires\nimprovement to be\ngood\n"
            "Executive summary\nIt has been a considerable achievement for the local authority.\n")
    src = read_bytes(text.encode(), name="darlington_front.txt")
    got = [(j.area, j.grade_label) for j in extract_judgements(src, segment(src), "single-inspection")]
    assert got == [
        ("Overall effectiveness", "Requires improvement to be good"),
        ("Children who need help and protection", "Requires improvement to be good"),
        ("Children looked after and achieving permanence", "Requires improvement to be good"),
        ("Adoption performance", "Good"),
        ("Experiences and progress of care leavers", "Good"),
        ("Leadership, management and governance", "Requires improvement to be good"),
    ]


def test_judgement_spans_hold_the_grade(items_of):
    src, items = items_of("doncaster_2022-04-08")
    for j in items.judgements:
        quoted = " ".join(src.text[j.span.start:j.span.end].split()).lower()
        assert j.grade_label.lower() in quoted


def test_broken_rule_file_names_file_and_line(tmp_path):
    bad = tmp_path / "grades.yaml"
    bad.write_text("required:\n  grades: [label, number, pattern]\ngrades:\n"
                   "  - {label: Good, number: 2, pattern: good}\n"
                   "  - {label: Bad, number: 4, pattern: \"(unclosed\"}\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        load_rule_file("grades.yaml", str(bad))
    assert err.value.source == str(bad)
    assert "line 5" in err.value.message


def test_lscb_grade_printed_as_a_sentence():
    # SIF 2014 (NOT a real report): the LSCB grade is a sentence, not a table row
    from kg.extract.judgements import _LSCB, grade_regex
    import re

    text = "The judgement for the effectiveness of the LSCB is requires improvement.\n"
    m = re.search(_LSCB.format(g=grade_regex()), text, re.IGNORECASE)
    assert m and m.group("grade") == "requires improvement"
    assert re.search(_LSCB.format(g=grade_regex()), "The LSCB is good at challenging partners.",
                     re.IGNORECASE) is None
