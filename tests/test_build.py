"""The build: samples -> store; idempotence; replacing one report's graph; failures with reasons."""
from __future__ import annotations

import shutil

from kg.build import build
from kg.export import sorted_nquads
from kg.store import GraphStore
from kg.validate import validate_store

from .conftest import BAD, SAMPLES


def test_sample_build_reads_every_report_and_conforms(sample_store):
    path, summary = sample_store
    assert summary.files == len([p for p in SAMPLES.iterdir() if p.is_file()])
    assert summary.failed == ()
    assert summary.built == summary.files and summary.triples > 1000
    report = validate_store(GraphStore(path, read_only=True))
    assert report.conforms, [r for r in report.violations][:5]


def test_second_build_skips_everything_and_changes_nothing(tmp_path):
    src = tmp_path / "reports"
    src.mkdir()
    for name in ("000_8c596ea8a2081205.txt", "003_fd8ddec3fbd4e1da.txt", "kent_2013-08-23.pdf"):
        shutil.copy(SAMPLES / name, src / name)
    store = tmp_path / "store"
    first = build([src], store)
    before = sorted_nquads(GraphStore(store))
    second = build([src], store)
    after = sorted_nquads(GraphStore(store))
    assert first.built == 3 and second.built == 0 and second.read == 0
    assert len(second.skipped) == 3
    assert before == after


def test_editing_one_report_replaces_only_its_graph(tmp_path):
    src = tmp_path / "reports"
    src.mkdir()
    for name in ("000_8c596ea8a2081205.txt", "003_fd8ddec3fbd4e1da.txt"):
        shutil.copy(SAMPLES / name, src / name)
    store = tmp_path / "store"
    build([src], store)
    gs = GraphStore(store)
    graphs = gs.report_graphs()
    kept = {g: gs.graph_ntriples(g) for g in graphs}
    del gs
    edited = src / "003_fd8ddec3fbd4e1da.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA note added after publication.\n", encoding="utf-8")
    summary = build([src], store)
    assert summary.built == 1 and len(summary.skipped) == 1
    gs = GraphStore(store)
    now = gs.report_graphs()
    assert len(now) == 2  # the old graph of the edited file is gone, a new one replaced it
    unchanged = [g for g in graphs if g in now]
    assert len(unchanged) == 1 and gs.graph_ntriples(unchanged[0]) == kept[unchanged[0]]


def test_a_bad_file_fails_with_its_reason_and_is_remembered(tmp_path):
    store = tmp_path / "store"
    bad = BAD / "rotherham_2012-08-10.pdf"
    first = build([bad], store)
    assert first.built == 0 and len(first.failed) == 1 and not first.ok
    assert "HTML" in first.failed[0].reason
    second = build([bad], store)
    assert second.read == 0 and second.failed[0].cached and second.failed[0].reason == first.failed[0].reason
