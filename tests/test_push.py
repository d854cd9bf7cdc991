"""kg push against a real SPARQL 1.1 store: the `oxigraph` server from PyPI, started by the test.

The graph pushed is the one built from samples/reports (shared with the other store tests),
copied so that the tests can change it. Round trip means: every quad read back from the
server, graph by graph, equals the local store's (blank nodes compared after canonicalisation).
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import PushError
from kg.push import GRAPH_PUSH_STATE, GraphStoreClient, digest, push
from ._process import stop

EX = "http://example.org/push-test/"


def _oxigraph_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "oxigraph"
    return str(beside_python) if beside_python.exists() else shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def oxigraph(tmp_path):
    """A fresh `oxigraph serve` on 127.0.0.1; yields (query URL, graph store URL); stopped afterwards."""
    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server (PyPI package `oxigraph`, in the test extra) is not installed")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([binary, "serve", "--location", str(tmp_path / "target"), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("oxigraph serve did not start")
                time.sleep(0.05)
        yield f"{base}/query", f"{base}/store"
    finally:
        stop(proc)


@pytest.fixture
def local_store(sample_store, tmp_path) -> Path:
    """A private copy of the store built from samples/reports."""
    path = tmp_path / "local"
    shutil.copytree(sample_store[0], path)
    return path


def _local_graphs(path: Path) -> dict[str, str]:
    store = ox.Store.read_only(str(path))
    graphs = {g.value: [ox.Triple(q.subject, q.predicate, q.object)
                        for q in store.quads_for_pattern(None, None, None, g)]
              for g in store.named_graphs()}
    return {g: digest(g, triples).body.decode() for g, triples in graphs.items()}


def _remote_graphs(query_url: str) -> dict[str, str]:
    """Every quad on the server, as canonical N-Triples per graph (the push-state graph left out)."""
    rows = GraphStoreClient(query_url).select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    graphs: dict[str, list] = {}
    for r in rows:
        graphs.setdefault(r["g"].value, []).append(ox.Triple(r["s"], r["p"], r["o"]))
    graphs.pop(GRAPH_PUSH_STATE, None)
    return {g: digest(g, triples).body.decode() for g, triples in graphs.items()}


def _edit(path: Path, graph: str, add: list[tuple]) -> None:
    store = ox.Store(str(path))
    g = ox.NamedNode(graph)
    for s, p, o in add:
        store.add(ox.Quad(s, p, o, g))
    store.flush()
    del store


def test_round_trip_then_only_changed_graphs_are_replaced(oxigraph, local_store):
    query_url, gsp_url = oxigraph
    local = _local_graphs(local_store)
    reports = sorted(g for g in local if "/graph/report/" in g)
    assert len(reports) >= 2 and any(g.endswith("/graph/reference") for g in local)

    first = push(local_store, query_url, gsp_url)
    assert first.puts == len(local) and first.unchanged == () and first.deleted == ()
    assert first.triples_sent == sum(body.count("\n") for body in local.values())
    assert _remote_graphs(query_url) == local

    again = push(local_store, query_url, gsp_url)
    assert again.puts == 0 and len(again.unchanged) == len(local)

    # one report changes, with a blank node (compared after canonicalisation)
    changed = reports[0]
    note = ox.BlankNode()
    _edit(local_store, changed, [(ox.NamedNode(EX + "x"), ox.NamedNode(EX + "note"), note),
                                 (note, ox.NamedNode(EX + "text"), ox.Literal("edited", language="en"))])
    third = push(local_store, query_url, gsp_url)
    assert third.replaced == (changed,)
    assert _remote_graphs(query_url) == _local_graphs(local_store)


def test_graph_changed_on_the_target_is_pushed_again(oxigraph, local_store):
    """The hash is recorded in the target, but checked against what the target really holds."""
    query_url, gsp_url = oxigraph
    push(local_store, query_url, gsp_url)
    victim = sorted(g for g in _local_graphs(local_store) if "/graph/report/" in g)[1]
    GraphStoreClient(query_url, gsp_url).delete(victim)
    assert victim not in _remote_graphs(query_url)

    summary = push(local_store, query_url, gsp_url)
    assert summary.replaced == (victim,)
    assert _remote_graphs(query_url) == _local_graphs(local_store)


def test_prune_deletes_only_graphs_push_sent(oxigraph, local_store):
    query_url, gsp_url = oxigraph
    client = GraphStoreClient(query_url, gsp_url)
    foreign = EX + "someone-elses-graph"
    client.put(foreign, f"<{EX}a> <{EX}b> <{EX}c> .\n".encode())
    push(local_store, query_url, gsp_url)

    gone = sorted(g for g in _local_graphs(local_store) if "/graph/report/" in g)[0]
    store = ox.Store(str(local_store))
    store.remove_graph(ox.NamedNode(gone))
    store.flush()
    del store

    kept = push(local_store, query_url, gsp_url, prune=False)
    assert kept.deleted == () and gone in _remote_graphs(query_url)
    pruned = push(local_store, query_url, gsp_url)
    assert pruned.deleted == (gone,) and pruned.puts == 0
    remote = _remote_graphs(query_url)
    assert gone not in remote and foreign in remote


def test_unreachable_target_is_one_line_error(local_store):
    with pytest.raises(PushError) as info:
        push(local_store, f"http://127.0.0.1:{_free_port()}/query")
    message = info.value.one_line()
    assert "\n" not in message and "failed" in message and "127.0.0.1" in message


def test_cli_push(oxigraph, local_store):
    from click.testing import CliRunner

    from kg.cli import main

    query_url, gsp_url = oxigraph
    args = ["push", "--store", str(local_store), "--endpoint", query_url, "--graph-store", gsp_url, "--quiet"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    n = len(_local_graphs(local_store))
    assert f"pushed {n} graphs" in first.output
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0 and f"pushed 0 graphs (0 triples), {n} unchanged" in second.output


def test_bulk_load_then_record_only(oxigraph, local_store):
    """The documented path for big stores: load N-Quads in bulk, then let push record the state."""
    query_url, gsp_url = oxigraph
    store = ox.Store.read_only(str(local_store))
    nquads = ox.serialize(store.quads_for_pattern(None, None, None, None), format=ox.RdfFormat.N_QUADS)
    del store
    request = urllib.request.Request(gsp_url, data=nquads, method="POST",
                                     headers={"Content-Type": "application/n-quads"})
    urllib.request.urlopen(request, timeout=30).read()  # stands in for `oxigraph load --file all.nq`

    recorded = push(local_store, query_url, gsp_url, record_only=True)
    assert recorded.puts == 0 and recorded.triples_sent == 0
    after = push(local_store, query_url, gsp_url)
    assert after.puts == 0 and len(after.unchanged) == len(_local_graphs(local_store))
