"""A build killed at any moment (SIGKILL) leaves a store that opens cleanly, holds every report either
fully or not at all, and whose catalog agrees with its graphs; the next build completes it, ending
identical to a clean build.

`kg build` runs as a subprocess over a few samples; it is killed after a wall-clock delay, or as soon
as a read-only view of the store shows N reports written (the moment that just follows, the build is
writing the next report, its failure entry, the build record or the derived graph), or as soon as
it shows the intent record of a bulk write (kg.store), i.e. while new reports are being loaded. The next
build ends with the entities and derived graphs of a clean build, too.
"""
from __future__ import annotations

import gc
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.namespaces import GRAPH_CATALOG, GRAPH_DERIVED, GRAPH_ENTITIES, KG
from kg.store import _PENDING, REPORT_GRAPH_PREFIX, GraphStore, pipeline_version

from .conftest import SAMPLES

FILES = ("000_8c596ea8a2081205.txt", "001_08ab79b8e78a2bf8.txt", "002_f1ebdee6c896ebcd.txt",
         "003_fd8ddec3fbd4e1da.txt", "004_b5ee7b23e5af23f4.txt", "darlington_2022-12-02.pdf",
         "doncaster_2022-04-08.pdf")
KG_CMD = [sys.executable, "-c", "from kg.cli import main; main()"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("atomic") / "reports"
    folder.mkdir()
    for name in FILES:
        shutil.copy(SAMPLES / name, folder / name)
    (folder / "zz_empty.pdf").write_bytes(b"")  # a failure entry to write, too
    return folder


@pytest.fixture(scope="module")
def clean(reports, tmp_path_factory) -> dict:
    """Report graphs, entities and derived graphs and catalog of a clean, uninterrupted build."""
    path = tmp_path_factory.mktemp("atomic-clean") / "store"
    gs = GraphStore(path)
    summary = build([reports], gs, jobs=1)
    assert summary.built == len(FILES) and len(summary.failed) == 1
    state = _state(gs)
    del gs
    gc.collect()
    return state


def _catalog(store: ox.Store) -> dict[str, tuple]:
    """file path -> (status, report graph, sha256), from the catalog graph."""
    q = f"""SELECT ?f ?status ?g ?sha WHERE {{ GRAPH <{GRAPH_CATALOG}> {{
              ?s <{KG.filePath}> ?f ; <{KG.status}> ?status ; <http://purl.org/dc/terms/identifier> ?sha .
              OPTIONAL {{ ?s <{KG.reportGraph}> ?g }} }} }}"""
    return {r["f"].value: (r["status"].value, r["g"].value if r["g"] else None, r["sha"].value)
            for r in store.query(q)}


def _state(gs: GraphStore) -> dict:
    return {
        "graphs": {g: gs.graph_ntriples(g) for g in gs.report_graphs()},
        "derived": gs.graph_ntriples(str(GRAPH_DERIVED)),
        "entities": gs.graph_ntriples(str(GRAPH_ENTITIES)),
        "catalog": _catalog(gs.store),
    }


def _reports_written(path: Path) -> int:
    """Reports in the catalog, seen through a read-only view of a store another process is writing. While
    the intent record of a bulk write is there, the batch is not written yet (a kill then undoes it, as it
    should), so its entries do not count: under load that window was wide enough to be hit."""
    try:
        view = ox.Store.read_only(str(path))
    except (OSError, RuntimeError):  # not there yet, or still being created
        return 0
    try:
        if next(iter(view.quads_for_pattern(ox.NamedNode(_PENDING), None, None, None)), None) is not None:
            return 0
        q = f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ ?s <{KG.status}> "built" }} }}'
        return int(next(iter(view.query(q)))["n"].value)
    except Exception:
        return 0
    finally:
        del view


def _writing_a_batch(path: Path) -> bool:
    """True while a read-only view of the store shows the intent record of a bulk write in progress."""
    try:
        view = ox.Store.read_only(str(path))
    except (OSError, RuntimeError):
        return False
    try:
        return next(iter(view.quads_for_pattern(ox.NamedNode(_PENDING), None, None, None)), None) is not None
    except Exception:
        return False
    finally:
        del view


def _killed_build(reports: Path, store: Path, *, after: float | None = None, written: int | None = None,
                  batch: bool = False) -> bool:
    """Run `kg build` and kill it at the moment given; False if it had already finished (not interrupted)."""
    proc = subprocess.Popen([*KG_CMD, "build", "-q", "-j", "2", "--store", str(store), str(reports)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        if after is not None:
            time.sleep(after)
        elif batch:  # as soon as the intent record of a bulk write is seen (best effort: the window is short)
            deadline = time.monotonic() + 60
            while not _writing_a_batch(store) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
        else:
            deadline = time.monotonic() + 60
            while _reports_written(store) < written and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        finished = proc.poll() is not None
        if not finished:
            os.killpg(proc.pid, signal.SIGKILL)  # the build and its worker processes
        proc.wait(timeout=30)
        proc.stderr.close()
    return not finished


MOMENTS = [
    pytest.param({"after": 0.5}, id="0.5s"),  # starting up, or writing the reference graph
    pytest.param({"written": 1}, id="1-report"),
    pytest.param({"written": 3}, id="3-reports"),
    pytest.param({"written": len(FILES)}, id="all-reports"),  # the failure entry, build record, derived graph
    pytest.param({"batch": True}, id="mid-batch"),  # while new reports are being bulk-loaded
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_killed_build_leaves_whole_reports_and_the_next_build_completes_it(reports, clean, tmp_path, moment):
    store = tmp_path / "store"
    for _ in range(3):  # the mid-batch window is short: a build that ended before it was seen is run again
        shutil.rmtree(store, ignore_errors=True)
        if _killed_build(reports, store, **moment):
            break
    else:
        pytest.fail(f"the build finished before it could be killed ({moment}): nothing was interrupted")

    gs = GraphStore(store)  # opens cleanly after the kill
    state = _state(gs)
    # every report graph present is whole: identical to the clean build's graph of the same report
    for graph, triples in state["graphs"].items():
        assert graph in clean["graphs"], graph
        assert triples == clean["graphs"][graph], f"{graph} is partly written"
    # the catalog agrees with the graphs: no entry without its graph, no graph without its entry
    linked = {g for status, g, _ in state["catalog"].values() if g}
    assert linked == set(state["graphs"])
    for path, entry in state["catalog"].items():
        assert entry == clean["catalog"][path]
    assert all(g.startswith(REPORT_GRAPH_PREFIX) for g in state["graphs"])
    assert len(state["graphs"]) >= moment.get("written", 0)  # killed at the moment meant, not before it
    del gs
    gc.collect()

    # the next build completes it and ends where a clean build ends
    pipeline_version.cache_clear()  # as the subprocess computed it (the code may be edited while tests run)
    gs = GraphStore(store)
    done = build([reports], gs, jobs=1)
    assert [(Path(f.path).name, f.reason) for f in done.failed] == [("zz_empty.pdf", "empty file")]
    assert done.built == len(FILES) - len(state["graphs"])  # only the missing reports are built
    after = _state(gs)
    assert after["graphs"] == clean["graphs"]
    assert after["catalog"] == clean["catalog"]
    assert after["derived"] == clean["derived"]
    assert after["entities"] == clean["entities"]
