"""--council, --region, --from/--to: one resolver for every command, and no empty answer passed off as success.

On the store built once from samples/reports (tests/conftest.py: sample_store).
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main

# names a report or a user gives Doncaster, and its GSS code in two cases
DONCASTER_NAMES = ["Doncaster Metropolitan Borough Council", "City of Doncaster Council", "Doncaster Council",
                   "E08000017", "e08000017"]
REGIONS = ("East Midlands, East of England, London, North East, North West, South East, South West, "
           "West Midlands, Yorkshire and the Humber")


@pytest.fixture(scope="module")
def store(sample_store):
    return str(sample_store[0])


def kg(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def doncaster_groups(store):
    r = kg("recurring", "--council", "Doncaster", "--format", "json", "--store", store)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("name", DONCASTER_NAMES)
def test_recurring_takes_any_name_or_code_of_a_council(store, doncaster_groups, name):
    r = kg("recurring", "--council", name, "--format", "json", "--store", store)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout) == doncaster_groups


@pytest.mark.parametrize("name", DONCASTER_NAMES)
def test_draw_timeline_takes_any_name_or_code_of_a_council(store, tmp_path, name):
    r = kg("draw", "timeline", "--council", name, "--store", store, "-o", str(tmp_path / "t.html"))
    assert r.exit_code == 0, r.stderr
    assert "Doncaster: 7 inspections 2009-2025" in r.stderr


@pytest.mark.parametrize("name", DONCASTER_NAMES)
def test_query_and_graph_take_the_same_names(store, tmp_path, name):
    r = kg("query", "council-timeline", "--param", f"council={name}", "--format", "json", "--store", store)
    assert r.exit_code == 0, r.stderr
    assert {row["council"] for row in json.loads(r.stdout)} == {"https://w3id.org/ofsted-kg/id/council/E08000017"}


def test_unknown_council_is_the_same_error_everywhere(store, tmp_path):
    for args in (["recurring", "--council", "Atlantis"],
                 ["draw", "timeline", "--council", "Atlantis", "-o", str(tmp_path / "t.html")],
                 ["query", "council-timeline", "--param", "council=Atlantis"]):
        r = kg(*args, "--store", store)
        assert r.exit_code == 2, args
        assert "no council called 'Atlantis'" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_recurring_years_keep_links_within_the_years(store, doncaster_groups):
    r = kg("recurring", "--council", "Doncaster", "--from", "2013", "--to", "2019", "--format", "json",
           "--store", store)
    assert r.exit_code == 0, r.stderr
    groups = json.loads(r.stdout)
    dates = [o["date"] for g in groups for o in g["occurrences"]]
    assert groups and all("2013" <= d[:4] <= "2019" for d in dates)
    assert len(groups) < len(doncaster_groups)


def test_recurring_region_filter(store):
    r = kg("recurring", "--region", "yorkshire and the humber", "--format", "json", "--store", store)
    assert r.exit_code == 0, r.stderr
    assert {c for g in json.loads(r.stdout) for c in g["councils"]} <= {"Doncaster", "Barnsley"}


@pytest.mark.parametrize("args", [["recurring", "--region", "Narnia"],
                                  ["draw", "recurrence", "--region", "Narnia", "-o", "{tmp}/x.html"],
                                  ["draw", "inspectors", "--region", "Narnia", "-o", "{tmp}/x.html"]])
def test_unknown_region_is_an_error_listing_the_regions(store, tmp_path, args):
    r = kg(*[a.format(tmp=tmp_path) for a in args], "--store", store)
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [f"Error: no region called 'Narnia' (the regions are: {REGIONS})"]
    assert not (tmp_path / "x.html").exists()


def test_empty_picture_warns_and_exits_1(store, tmp_path):
    r = kg("draw", "inspectors", "--region", "London", "--store", store, "-o", str(tmp_path / "x.html"))
    assert r.exit_code == 1, r.stderr
    assert "warning: the picture is empty" in r.stderr and "region London" in r.stderr
    r = kg("draw", "timeline", "--council", "Rutland", "--store", store, "-o", str(tmp_path / "t.html"))
    assert r.exit_code == 1 and "warning: the picture is empty" in r.stderr


def test_recurring_of_a_council_without_reports_warns_and_exits_1(store):
    r = kg("recurring", "--council", "Rutland", "--store", store)
    assert r.exit_code == 1
    assert "warning: no recommendations or findings of Rutland" in r.stderr and "Doncaster" in r.stderr


def test_council_with_across_councils_is_a_usage_error(store):
    r = kg("recurring", "--council", "Doncaster", "--across-councils", "--store", store)
    assert r.exit_code == 2 and r.stdout == ""
    assert "--council and --across-councils do not combine" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_graph_of_a_table_query_is_an_error_and_empty_graph_warns(store, tmp_path):
    r = kg("graph", "--query", "inspectors", "--store", store, "-o", str(tmp_path / "i.json"))
    assert r.exit_code == 2 and "holds no IRI to make a node of" in r.stderr
    r = kg("graph", "--query", "SELECT ?s WHERE { ?s a kg:NoSuchClass }", "--store", store,
           "-o", str(tmp_path / "e.json"))
    assert r.exit_code == 1 and "warning: the graph is empty" in r.stderr


def test_graph_of_council_timeline_has_one_node_per_inspection(store, tmp_path):
    out = tmp_path / "doncaster.json"
    r = kg("graph", "--query", "council-timeline", "--param", "council=Doncaster", "--store", store, "-o", str(out))
    assert r.exit_code == 0, r.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    inspections = [n for n in data["nodes"] if n["kind"] == "Inspection"]
    assert len(inspections) == 7
    council = "https://w3id.org/ofsted-kg/id/council/E08000017"
    for node in inspections:
        edges = [e for e in data["edges"] if e["target"] == node["id"]]
        assert [e["source"] for e in edges] == [council]
        assert node["id"].endswith("/" + edges[0]["start"])  # one start date, this inspection's own
