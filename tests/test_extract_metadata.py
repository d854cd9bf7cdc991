"""Metadata of the report record, checked against the gold records of the sample reports.

The samples cover the families: annual unannounced inspection letters (000, 003), a focused visit
letter (001), a monitoring visit letter (004), a safeguarding and looked after children inspection
(002), single inspection framework reports (2015, and a 2018 re-inspection), ILACS reports of three
layouts (2018, 2022, 2025) and the 2013 Kent looked-after-children inspection (type 'other').
"""
from __future__ import annotations

import re

import pytest

from kg.errors import RuleFileError
from kg.extract.metadata import extract_metadata, load_people_rules, load_type_rules

from .conftest import SAMPLES

SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".txt", ".pdf"))


def _key(name: str | None) -> str:
    """Names compared as score.py does: case, curly quotes and titles ignored."""
    s = (name or "").replace("\u2019", "'").lower()
    s = re.sub(r"\b(mr|mrs|ms|miss|dr|cllr|councillor)\b", " ", s)
    return " ".join(s.split())


@pytest.fixture(scope="module")
def records(read_sample):
    return {name: (read_sample(name), extract_metadata(read_sample(name))) for name in SAMPLE_NAMES}


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_scalar_fields_match_gold(records, gold, name):
    src, rec = records[name]
    g = gold(name.rsplit(".", 1)[0])
    assert rec.report_type == g["report_type"]
    assert rec.council.gss_code == g["council"]["gss_code"]
    assert rec.council.canonical == g["council"]["canonical"]
    for field in ("letter_date", "published_date", "inspection_start", "inspection_end"):
        assert getattr(rec, field) == g[field], field
    assert (rec.report_type_reason is not None) == (rec.report_type == "other")
    assert rec.source_sha256 == src.sha256 and rec.text_sha256 == src.text_sha256
    assert rec.source_format == src.format
    assert not rec.judgements and not rec.recommendations  # metadata only


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_people_match_gold(records, gold, name):
    _, rec = records[name]
    g = gold(name.rsplit(".", 1)[0])
    assert sorted(_key(i.name) for i in rec.inspectors) == sorted(_key(i["name"]) for i in g["inspectors"])
    assert [_key(i.name) for i in rec.inspectors if i.lead] == [_key(i["name"]) for i in g["inspectors"] if i["lead"]]
    assert {_key(i.name) for i in rec.inspectors if i.signatory} == {
        _key(i["name"]) for i in g["inspectors"] if i["signatory"]}
    assert _key(rec.addressee.name if rec.addressee else None) == _key((g["addressee"] or {}).get("name"))
    assert [_key(c.name) for c in rec.copied_to] == [_key(c["name"]) for c in g["copied_to"]]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_person_span_covers_the_name(records, name):
    src, rec = records[name]
    people = [*rec.inspectors, *rec.copied_to, *([rec.addressee] if rec.addressee else [])]
    for p in people:
        assert " ".join(src.text[p.span.start:p.span.end].split()) == p.name


def test_letter_people_details(records):
    """Roles and organisations of letters: split 'Chair of X Board', join an organisation split over lines."""
    _, rec = records["000_8c596ea8a2081205.txt"]
    assert (rec.addressee.title, rec.addressee.role, rec.addressee.organisation) == (
        "Mr", "Interim Director of Children's Services", "Doncaster Metropolitan Borough Council")
    by_name = {c.name: c for c in rec.copied_to}
    assert (by_name["Roger Thompson"].role, by_name["Roger Thompson"].organisation) == (
        "Chair", "Doncaster Safeguarding Children Board")
    assert by_name["Andrea Milner"].organisation == "Doncaster Metropolitan Borough Council"
    assert (by_name["Andrew Spencer"].role, by_name["Andrew Spencer"].organisation) == (
        None, "Department for Children, Schools and Families")
    _, visit = records["001_08ab79b8e78a2bf8.txt"]
    assert (visit.addressee.title, visit.addressee.organisation) == ("Ms", None)  # title from 'Dear Ms Nelson'
    _, mv = records["004_b5ee7b23e5af23f4.txt"]  # address block run together on one line
    assert (mv.addressee.name, mv.addressee.organisation) == ("Suzanne Joyner", "Darlington Borough Council")


def test_team_roles_are_singular_as_printed(records):
    _, rec = records["doncaster_2018-01-19.pdf"]
    roles = {i.name: i.role for i in rec.inspectors}
    assert roles["Matthew Reed"] == "Team inspector"  # 'Team inspectors: ... and Matthew Reed'
    assert roles["Stewart Hartshorne"] == "Senior data analyst"  # singular label, two names
    assert not any(i.signatory for i in rec.inspectors)


def test_date_notes_flag_a_letter_long_after_its_visit(records):
    _, rec = records["000_8c596ea8a2081205.txt"]  # dated 5 February 2010, visit printed January 2009
    assert "more than six months" in rec.date_notes and "12 and 13 January 2009" in rec.date_notes
    _, ok = records["003_fd8ddec3fbd4e1da.txt"]
    assert ok.date_notes is None


def test_kent_2013_is_other_with_a_reason(records):
    _, rec = records["kent_2013-08-23.pdf"]
    assert rec.report_type == "other" and "looked after children" in rec.report_type_reason
    assert rec.council.name_as_printed == "Kent County Council"


def test_broken_report_type_rule_names_file_and_line(tmp_path):
    bad = tmp_path / "report_types.yaml"
    bad.write_text("families:\n  - id: focused-visit\n    titles:\n"
                   "      - pattern: \"focused visit (to\"\n        council: none\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        load_type_rules(str(bad))
    assert err.value.source == str(bad) and "line 4" in err.value.message


def test_unknown_report_type_is_refused(tmp_path):
    bad = tmp_path / "report_types.yaml"
    bad.write_text("families:\n  - id: inspection-of-everything\n    titles: []\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="line 2"):
        load_type_rules(str(bad))


def test_broken_people_rules_file(tmp_path):
    bad = tmp_path / "people.yaml"
    bad.write_text("titles: [Mr\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="invalid YAML"):
        load_people_rules(str(bad))
