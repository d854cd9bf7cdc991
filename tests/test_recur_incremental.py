"""Recurrence when reports arrive one at a time: `kg build` updates the derived graph by a delta of the
issues the added, changed or removed reports carry (kg.recur.store.update_derived), and the result is
exactly the derived graph a fresh build of the same reports writes; links of issues a new report does not
carry keep their scores."""
from __future__ import annotations

import gc
import shutil

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.namespaces import GRAPH_DERIVED, KG
from kg.store import GraphStore

from .conftest import SAMPLES

SEEDS = sorted(SAMPLES.glob("00*.txt"))
NEW = SAMPLES / "001_08ab79b8e78a2bf8.txt"  # two recommendations, four issues
BASE = [f for f in SEEDS if f != NEW]


def base_store(tmp_path):
    src = tmp_path / "reports"
    src.mkdir()
    for f in BASE:
        shutil.copy(f, src)
    store = tmp_path / "store"
    build([src], store, jobs=1)
    gc.collect()
    return src, store


def derived(path) -> set[str]:
    gs = GraphStore(path, read_only=True)
    out = {str(q) for q in gs.match(None, None, None, ox.NamedNode(str(GRAPH_DERIVED)))}
    del gs
    gc.collect()
    return out


def link_scores(path) -> dict[str, tuple[str, str]]:
    """link IRI -> (issue IRI, score) of every recurrence link of the store."""
    gs = GraphStore(path, read_only=True)
    g = ox.NamedNode(str(GRAPH_DERIVED))
    out = {}
    for q in gs.match(None, ox.NamedNode(str(KG.score)), None, g):
        issue = next(gs.match(q.subject, ox.NamedNode(str(KG.issue)), None, g)).object.value
        out[q.subject.value] = (issue, q.object.value)
    del gs
    gc.collect()
    return out


def fresh(src, tmp_path, name) -> set[str]:
    store = tmp_path / name
    build([src], store, jobs=1)
    gc.collect()
    return derived(store)


@pytest.mark.parametrize("step", ["add", "change", "remove"])
def test_an_update_writes_the_derived_graph_of_a_fresh_build(tmp_path, step, monkeypatch):
    import kg.build
    import kg.recur.store

    assert len(SEEDS) == 5
    src, store = base_store(tmp_path)
    before = derived(store)
    full = []  # the update must not fall back to recomputing the whole graph (the real function still runs)
    for module in (kg.build, kg.recur.store):
        real = module.refresh_derived
        monkeypatch.setattr(module, "refresh_derived", lambda *a, real=real, **k: full.append(1) or real(*a, **k))
    if step == "add":
        shutil.copy(NEW, src)
    elif step == "change":  # a new text: its old report graph goes, the new one comes
        f = src / SEEDS[3].name
        f.write_text(f.read_text(encoding="utf-8") + "\nA later correction.\n", encoding="utf-8")
    else:
        (src / SEEDS[0].name).unlink()
    summary = build([src], store, jobs=1, prune=step == "remove")
    gc.collect()
    monkeypatch.undo()
    assert not full
    assert summary.recurrence_links and summary.recurrence_links > 0
    after = derived(store)
    assert after != before
    assert after == fresh(src, tmp_path, "fresh")


def test_links_of_issues_a_new_report_does_not_carry_keep_their_scores(tmp_path):
    """Scores do not shift when an unrelated report arrives: each issue's words are weighed over the
    parts that carry that issue, not over the whole store."""
    from kg.recur import item_issues, report_items

    src, store = base_store(tmp_path)
    before = link_scores(store)
    shutil.copy(NEW, src)
    build([src], store, jobs=1)
    gc.collect()
    gs = GraphStore(store, read_only=True)
    carried = set()
    for g in gs.report_graphs():
        for it in report_items(g, gs.graph_ntriples(g)):
            if it.document == NEW.name:
                carried |= set(item_issues(it))
    del gs
    gc.collect()
    assert carried
    untouched = {k: v for k, v in before.items() if v[0] not in carried}
    assert len(untouched) >= 5
    build([src], tmp_path / "fresh", jobs=1)  # all five from scratch: the same scores
    gc.collect()
    for after in (link_scores(store), link_scores(tmp_path / "fresh")):
        assert {k: after.get(k) for k in untouched} == untouched
