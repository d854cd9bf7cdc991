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
        assert set(g) >= {"theme", "councils", "occurrences"} and g["councils"] == ["Doncaster"]
        for o in g["occurrences"]:
            assert set(o) == {"council", "report", "date", "kind", "text"} and o["text"]
    years = {o["date"][:4] for g in groups for o in g["occurrences"]}
    assert "2010" in years and "2025" in years
    sup = next(g for g in groups if g["theme"] == "Supervision of social workers")
    reports = {o["report"] for o in sup["occurrences"]}
    assert {"000_8c596ea8a2081205.txt", "doncaster_2022-04-08.pdf"} <= reports


def test_table_and_csv(store):
    res = _run("--store", str(store), "--council", "Doncaster", "--wide")
    assert res.exit_code == 0 and "Supervision of social workers" in res.stdout
    res = _run("--store", str(store), "--across-councils", "--min", "3", "--format", "csv")
    assert res.exit_code == 0
    assert res.stdout.splitlines()[0] == "group,theme,council,date,report,kind,text"


def test_records_input_and_errors(store):
    res = _run("--records", str(GOLD), "--across-councils", "--format", "json")
    assert res.exit_code == 0
    assert all(len(g["councils"]) >= 2 for g in json.loads(res.stdout))
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
    _, rows = _query(store, "recurring-within-council", council=ox.NamedNode("https://w3id.org/ofsted-kg/id/council/E08000017"))
    by_theme = {r["theme"].value: r for r in rows}
    sup = by_theme["Supervision of social workers"]
    assert sup["first_raised"].value.startswith("2010") and int(sup["inspections"].value) >= 3
    assert "Not all staff receive regular formal supervision" in sup["texts"].value


def test_query_themes_across_councils(store):
    _, rows = _query(store, "themes-across-councils", min_councils=ox.Literal("3", datatype=XSD_INTEGER))
    assert rows and all(int(r["councils"].value) >= 3 for r in rows)
    assert any("Yorkshire and the Humber: Doncaster" in r["councils_by_region"].value for r in rows)


def test_query_follow_up(store):
    _, rows = _query(store, "recommendation-follow-up", council=ox.NamedNode("https://w3id.org/ofsted-kg/id/council/E08000017"))
    again = [r for r in rows if r["raised_again"].value == "true"]
    assert again and len(again) < len(rows)
    assert all(float(r["score"].value) > 0 and r["shared_theme"] is not None for r in again)


def test_query_why_linked(store):
    _, rows = _query(store, "why-linked", text=ox.Literal("supervision"))
    assert rows
    r = rows[0]
    assert float(r["score"].value) > 0 and r["shared_theme"].value and r["method"].value
    assert r["from_evidence"].value.lower() in r["from_text"].value.lower()
