"""Shared entities (people, boards, services, organisations, roles, posts) are stated once, in the entities
graph, so counting over all graphs seen as one is right by default, and every build keeps that graph
equal to what the reports in the store say."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build import build
from kg.entities import entity_triples, report_entity_triples
from kg.namespaces import GRAPH_ENTITIES
from kg.store import GraphStore

from .conftest import SAMPLES

KG_CMD = [sys.executable, "-c", "from kg.cli import main; main()"]
ENTITIES = str(GRAPH_ENTITIES)
PERSON = "http://xmlns.com/foaf/0.1/Person"


def _kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*KG_CMD, *args], capture_output=True, text=True, timeout=300)


def _count(store: Path, sparql: str) -> int:
    done = _kg("query", sparql, "--format", "json", "--store", str(store))
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    return int(next(iter(rows[0].values())))


def test_counting_people_over_all_graphs_agrees_with_kg_stats(sample_store):
    """Bug 6 of issue 17: `COUNT(*) ... { ?s a foaf:Person }` counted a person once per report naming them."""
    path, _ = sample_store
    every = _count(path, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{PERSON}> }}")
    distinct = _count(path, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{PERSON}> }}")
    done = _kg("stats", "--format", "json", "--store", str(path))
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout)
    by_class = {row["class"]: int(row["count"]) for row in stats["by_class"]}
    assert every == distinct == by_class["foaf:Person"] > 10


def test_no_class_counts_a_resource_twice(sample_store):
    path, _ = sample_store
    gs = GraphStore(path, read_only=True)
    twice = [(r["c"].value, r["n"].value, r["d"].value) for r in gs.query(
        "SELECT ?c (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?d) WHERE { ?s a ?c } GROUP BY ?c "
        "HAVING (COUNT(*) != COUNT(DISTINCT ?s))", use_default_graph_as_union=True)]
    assert twice == []


def test_the_entities_graph_is_what_the_reports_say_and_report_graphs_do_not_repeat_it(sample_store):
    path, _ = sample_store
    gs = GraphStore(path, read_only=True)
    stored = set(gs.graph_triples(ENTITIES))
    per_report = set()
    for g in gs.report_graphs():
        mine = set(report_entity_triples(gs.graph_ntriples(g)))
        assert not mine & set(gs.graph_triples(g)), g  # stated in the entities graph only
        per_report |= mine
    assert stored == per_report == entity_triples(gs)
    people = {t.subject.value for t in stored if t.object.value == PERSON}
    assert any(p.endswith("/person/neil-penswick") for p in people)


def _entities(store: Path) -> str:
    gs = GraphStore(store, read_only=True)
    try:
        return gs.graph_ntriples(ENTITIES)
    finally:
        del gs


def _fresh_entities(folder: Path, tmp_path: Path) -> str:
    """The entities graph of a clean build of `folder` into a new store."""
    store = tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
    build([folder], store, jobs=1)
    return _entities(store)


FILES = ("000_8c596ea8a2081205.txt", "002_f1ebdee6c896ebcd.txt", "doncaster_2018-01-19.pdf")


@pytest.fixture()
def folder(tmp_path) -> Path:
    src = tmp_path / "reports"
    src.mkdir()
    for name in FILES:
        shutil.copy(SAMPLES / name, src / name)
    return src


def test_every_kind_of_build_keeps_the_entities_graph_equal_to_a_clean_build(folder, tmp_path):
    store = tmp_path / "store"
    build([folder], store, jobs=1)  # fresh
    first = _entities(store)
    assert first and "neil-penswick" in first
    assert first == _fresh_entities(folder, tmp_path)

    again = build([folder], store, jobs=1)  # unchanged: nothing recomputed, nothing changed
    assert again.built == 0 and _entities(store) == first

    forced = build([folder], store, jobs=1, force=True)
    assert forced.built == len(FILES) and _entities(store) == first

    edited = folder / "002_f1ebdee6c896ebcd.txt"  # one report changed
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA note added after publication.\n", encoding="utf-8")
    changed = build([folder], store, jobs=1)
    assert changed.built == 1
    assert _entities(store) == _fresh_entities(folder, tmp_path)

    # a report removed and pruned takes with it the people only it named
    gone = folder / "doncaster_2018-01-19.pdf"
    only_there = {line.split()[0] for line in first.splitlines() if PERSON in line} - {
        line.split()[0] for line in _fresh_entities_without(folder, gone, tmp_path).splitlines() if PERSON in line}
    assert only_there  # the 2018 report names inspectors no other of these reports names
    gone.unlink()
    kept = build([folder], store, jobs=1)
    assert kept.gone and _entities(store) != _fresh_entities(folder, tmp_path)  # kept until pruned
    pruned = build([folder], store, jobs=1, prune=True)
    assert pruned.pruned
    now = _entities(store)
    assert now == _fresh_entities(folder, tmp_path)
    assert not any(person in now for person in only_there)


def _fresh_entities_without(folder: Path, gone: Path, tmp_path: Path) -> str:
    rest = tmp_path / f"rest-{len(list(tmp_path.iterdir()))}"
    rest.mkdir()
    for f in folder.iterdir():
        if f != gone:
            shutil.copy(f, rest / f.name)
    return _fresh_entities(rest, tmp_path)


def test_a_build_stopped_before_the_entities_graph_is_recomputed_is_finished_by_the_next(folder, tmp_path):
    store = tmp_path / "store"
    build([folder], store, jobs=1)
    clean = _entities(store)
    gs = GraphStore(store)
    gs.replace_entities([])  # as if stopped while writing it: no digest recorded any more
    gs.store.update(f"DELETE WHERE {{ GRAPH <https://w3id.org/ofsted-kg/id/graph/catalog> {{ <{ENTITIES}> ?p ?o }} }}")
    del gs
    again = build([folder], store, jobs=1)
    assert again.built == 0
    assert _entities(store) == clean


def test_a_broken_entities_rule_stops_with_its_file_named(tmp_path, monkeypatch):
    from kg import entities
    from kg.errors import RuleFileError
    from kg.rules import check_rule_files

    broken = tmp_path / "entities.rq"
    broken.write_text("CONSTRUCT { ?s a ?c } WHERE { ?s a ?c ", encoding="utf-8")
    monkeypatch.setattr(entities, "rule_path", lambda: broken)
    entities.entity_rule.cache_clear()
    try:
        with pytest.raises(RuleFileError) as err:
            entities.entity_rule()
        assert str(broken) in err.value.one_line() and "not valid SPARQL" in err.value.one_line()
        assert any(e is not None and str(broken) in e.one_line() for _, e in check_rule_files())
        broken.write_text("SELECT * WHERE { ?s ?p ?o }", encoding="utf-8")
        entities.entity_rule.cache_clear()
        with pytest.raises(RuleFileError, match="must be a CONSTRUCT"):
            entities.entity_rule()
    finally:
        entities.entity_rule.cache_clear()
