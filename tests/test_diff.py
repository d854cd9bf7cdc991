"""`kg diff`: what changed between two inspections of a council, on the store built from samples/reports."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.diff import diff_inspections, match_texts
from kg.store import GraphStore

SIF_2015, SIF_2018, ILACS_2022 = "doncaster_2015-11-27.pdf", "doncaster_2018-01-19.pdf", "doncaster_2022-04-08.pdf"


@pytest.fixture(scope="module")
def store_dir(sample_store):
    return sample_store[0]


@pytest.fixture(scope="module")
def gs(store_dir):
    return GraphStore(store_dir, read_only=True)


def test_default_is_the_councils_last_two_inspections(gs):
    d = diff_inspections(gs, "City of Doncaster Council")
    assert (d.earlier.report, d.later.report) == ("001_08ab79b8e78a2bf8.txt", "doncaster_2025-03-18.pdf")
    assert (d.earlier.framework, d.later.framework) == ("Focused visit", "ILACS inspection")
    # a focused visit grades nothing: the grades compared are the last two graded inspections' (ILACS 2022, 2025)
    assert [g.report for g in d.graded] == [ILACS_2022, "doncaster_2025-03-18.pdf"]
    assert "last two graded inspections" in d.graded_note()
    assert {g.area: g.change for g in d.grades}["Overall effectiveness"] == "better"  # RI -> good
    assert sum(r.status == "new" for r in d.recommendations) == 3
    assert sum(r.status == "no longer raised" for r in d.recommendations) == 2  # the focused visit's two


def test_chosen_reports_compare_their_own_grades_even_if_one_has_none(gs):
    d = diff_inspections(gs, "Doncaster", "001_08ab79b8e78a2bf8.txt", "doncaster_2025-03-18.pdf")
    assert d.graded is None and d.graded_note() is None
    assert {g.change for g in d.grades} == {"new"} and len(d.grades) == 5


def test_grades_up_and_recommendations_raised_again_2015_to_2018(gs):
    d = diff_inspections(gs, "Doncaster", SIF_2015, SIF_2018)
    grades = {g.area: (g.before, g.after, g.change) for g in d.grades}
    assert grades["Overall effectiveness"] == ("Inadequate", "Good", "better")
    assert grades["Adoption performance"] == ("Good", "Good", "same")
    assert grades["The Local Safeguarding Children Board"] == ("Requires improvement", None, "gone")
    again = {r.text.split(",")[0]: r for r in d.recommendations if r.status == "raised again"}
    supervision = again["Ensure that all social workers receive high-quality supervision"]
    assert "reflective supervision" in supervision.earlier_text and supervision.similarity >= 0.2
    assert (supervision.page, supervision.earlier_page) == (7, 8)
    assert sum(r.status == "no longer raised" for r in d.recommendations) == 27
    assert sum(r.status != "no longer raised" for r in d.recommendations) == 4  # the 2018 report's four


def test_grade_down_and_supervision_again_2018_to_2022(gs):
    d = diff_inspections(gs, "E08000017", SIF_2018, ILACS_2022)
    assert {g.area: g.change for g in d.grades}["Overall effectiveness"] == "worse"
    again = [r for r in d.recommendations if r.status == "raised again"]
    assert [r.text for r in again] == ["The quality and impact of supervision and management oversight."]
    assert again[0].earlier_text.startswith("Ensure that all social workers receive high-quality supervision")
    # the order of the two reports does not matter: earlier is earlier
    assert diff_inspections(gs, "Doncaster", ILACS_2022, SIF_2018) == d


def test_matching_is_one_to_one_best_first():
    earlier = ["Improve the quality of supervision of social workers.", "Reduce caseloads of social workers."]
    later = ["Supervision of social workers is not regular enough.", "Supervision quality must improve.",
             "Care leavers need suitable accommodation."]
    m = match_texts(earlier, later, 0.1)
    assert set(m) <= {0, 1} and len({j for j, _ in m.values()}) == len(m)
    assert m[1][0] == 0 and 2 not in m


def test_cli_table_json_and_html(store_dir, tmp_path):
    runner = CliRunner(env={"COLUMNS": "100"})
    args = ["diff", "--council", "Doncaster", "--from-report", SIF_2015, "--to-report", SIF_2018,
            "--store", str(store_dir)]
    r = runner.invoke(main, args)
    assert r.exit_code == 0, r.output
    assert max(map(len, r.stdout.splitlines())) <= 100
    assert "Inadequate" in r.stdout and "better" in r.stdout and "raised" in r.stdout
    assert "2 raised again" in r.stderr and "27 no longer raised" in r.stderr
    r = runner.invoke(main, args + ["--format", "json"])
    data = json.loads(r.stdout)
    assert data["council"] == "Doncaster" and data["earlier"]["report"] == SIF_2015
    assert {g["change"] for g in data["grades"]} == {"better", "same", "gone"}
    out = tmp_path / "diff.html"
    r = runner.invoke(main, args + ["--format", "html", "-o", str(out)])
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")

    class Refs(HTMLParser):
        tags, urls = set(), []

        def handle_starttag(self, tag, attrs):
            self.tags.add(tag)
            self.urls += [v for k, v in attrs if k in ("href", "src")]

    p = Refs()
    p.feed(page)
    assert not p.tags & {"script", "link", "img", "iframe"}  # static, nothing fetched
    assert p.urls and all(u.startswith("file://") for u in p.urls)
    assert any(re.search(rf"{SIF_2018}#page=7$", u) for u in p.urls)
    assert "the trust&#x27;s supervision policies" in page  # texts escaped, earlier text shown
    assert "<title>Doncaster" in page


def test_cli_errors(store_dir):
    runner = CliRunner()
    r = runner.invoke(main, ["diff", "--council", "Kent", "--store", str(store_dir)])
    assert r.exit_code == 2 and "1 inspection(s) of Kent" in r.stderr
    r = runner.invoke(main, ["diff", "--council", "Doncaster", "--from-report", "nope.pdf", "--store",
                             str(store_dir)])
    assert r.exit_code == 2 and "no report 'nope.pdf' of Doncaster" in r.stderr and SIF_2015 in r.stderr
    r = runner.invoke(main, ["diff", "--council", "Narnia", "--store", str(store_dir)])
    assert r.exit_code == 2 and "no council called 'Narnia'" in r.stderr
    r = runner.invoke(main, ["diff", "--council", "Doncaster", "--from-report", SIF_2015, "--to-report", SIF_2015,
                             "--store", str(store_dir)])
    assert r.exit_code == 2 and "same report" in r.stderr
