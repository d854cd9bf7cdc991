"""`kg recurring` and the recurrence queries, end to end on a store built from samples/reports."""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.paths import queries_dir

from .conftest import GOLD, SAMPLES

XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    from kg.build import build

    path = tmp_path_factory.mktemp("store") / "kg"
    summary = build([SAMPLES], path)
    assert summary.built
    # the derived graph: `kg recurring --save` recomputes the links and writes them
    res = CliRunner().invoke(main, ["recurring", "--store", str(path), "--save", "--format", "json"])
    assert res.exit_code == 0, res.output
    return path


def _run(*args):
    return CliRunner().invoke(main, ["recurring", *args])


def test_doncaster_json(store):
    res = _run("--store", str(store), "--council", "Doncaster", "--format", "json")
    assert res.exit_code == 0, res.output
    groups = json.loads(res.stdout)
    assert groups
    for g in groups:
        assert set(g) >= {"issue", "theme", "councils", "occurrences", "inspections", "last_raised"}
        assert g["councils"] == ["Doncaster"] and g["inspections"] >= 2
        dates = [o["date"] for o in g["occurrences"]]
        assert dates == sorted(dates) and g["last_raised"] == dates[-1]
        for o in g["occurrences"]:
            assert set(o) == {"council", "report", "date", "kind", "text", "part"} and o["part"] in o["text"]
    # one group per issue: no issue appears twice for the council
    assert len({g["issue"] for g in groups}) == len(groups)
    years = {o["date"][:4] for g in groups for o in g["occurrences"]}
    assert "2010" in years and "2025" in years
    sup = next(g for g in groups if g["issue"] == "Quality and reflectiveness of supervision")
    reports = {o["report"] for o in sup["occurrences"]}
    assert {"000_8c596ea8a2081205.txt", "doncaster_2022-04-08.pdf"} <= reports


def test_table_and_csv(store):
    res = _run("--store", str(store), "--council", "Doncaster", "--wide")
    assert res.exit_code == 0 and "Quality and reflectiveness of supervision" in res.stdout
    res = _run("--store", str(store), "--council", "Doncaster", "--format", "csv")
    assert res.stdout.splitlines()[0] == "group,issue,council,inspections,last_raised,date,report,kind,text"
    res = _run("--store", str(store), "--across-councils", "--min", "1", "--format", "csv")
    assert res.exit_code == 0
    assert res.stdout.splitlines()[0] == "rank,issue,theme,recurred_in,raised_once_in,councils_recurred"


def test_records_input_and_errors(store):
    res = _run("--records", str(GOLD), "--across-councils", "--format", "json")
    assert res.exit_code == 0
    ranks = json.loads(res.stdout)
    assert ranks and all(r["recurred_in"] == len(r["councils_recurred"]) >= 2 for r in ranks)
    assert [r["recurred_in"] for r in ranks] == sorted((r["recurred_in"] for r in ranks), reverse=True)
    res = _run("--store", str(store), "--council", "Atlantis")
    assert res.exit_code == 2 and "Atlantis" in res.output
    res = _run("--store", str(store.parent / "missing"))
    assert res.exit_code == 2 and "kg build" in res.output


def _query(store: Path, name: str, **params):
    from kg.store import GraphStore

    text = (queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
    header = [l for l in text.splitlines() if l.startswith("#")]
    assert any(l.startswith("# title:") for l in header) and any(l.startswith("# description:") for l in header)
    gs = GraphStore(store, read_only=True)
    subs = {ox.Variable(k): v for k, v in params.items()}
    return None, list(gs.store.query(text, substitutions=subs))


def test_query_recurring_within_council(store):
    _, rows = _query(store, "recurring-within-council", council=ox.Literal("Doncaster"))
    by_issue = {r["issue"].value: r for r in rows}
    sup = by_issue["Quality and reflectiveness of supervision"]
    assert sup["theme"].value == "Supervision of social workers"
    assert sup["first_raised"].value.startswith("2010") and int(sup["inspections"].value) >= 3
    assert "Not all staff receive regular formal supervision" in sup["texts"].value


def test_query_themes_across_councils(store):
    _, rows = _query(store, "themes-across-councils", min_councils=ox.Literal("1", datatype=XSD_INTEGER))
    assert rows and all(int(r["councils"].value) >= 1 and r["issue"].value and r["theme"].value for r in rows)
    assert any("Yorkshire and the Humber: Doncaster" in r["councils_by_region"].value for r in rows)
    assert len({r["issue"].value for r in rows}) == len(rows)  # a table of issues


def test_query_follow_up(store):
    _, rows = _query(store, "recommendation-follow-up", council=ox.NamedNode("https://w3id.org/ofsted-kg/id/council/E08000017"))
    again = [r for r in rows if r["raised_again"].value == "true"]
    assert again and len(again) < len(rows)
    assert all(0 <= float(r["score"].value) <= 1 and r["shared_theme"] is not None and r["issue"] is not None
               for r in again)


def test_query_why_linked(store):
    _, rows = _query(store, "why-linked", text=ox.Literal("supervision"))
    assert rows
    r = rows[0]
    assert float(r["score"].value) > 0 and r["shared_theme"].value and r["issue"].value and r["method"].value
    assert r["from_evidence"].value in r["from_text"].value and r["to_evidence"].value in r["to_text"].value
