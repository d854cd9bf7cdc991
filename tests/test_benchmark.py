"""benchmarks/run.py's query stage: every named query gets its parameters, and a query rdflib cannot run
is said so (speed itself is measured by the benchmark, never asserted here)."""
from __future__ import annotations

import importlib.util
import multiprocessing as mp
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("kg_benchmark_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_named_query_gets_its_required_parameters(bench):
    """The benchmark ran every query with a value for each of its parameters, and stopped with KeyError
    on the first optional region parameter; optional ones are now left out (every council)."""
    from kg.query import bind, load_queries

    queries = load_queries()
    assert any(p.type == "region" for q in queries for p in q.params)
    for q in queries:
        params = bench.query_params(q)
        assert set(params) == {p.name for p in q.params if not p.optional}
        bind(q, params)  # each value is one the query accepts


def test_a_query_rdflib_cannot_parse_is_reported_not_waited_for(bench):
    """rdflib has no LATERAL: the child process says so instead of dying before it answers (the
    benchmark then waited for its answer for ever)."""
    from rdflib import Dataset

    ctx = mp.get_context("fork")
    out = ctx.Queue()
    proc = ctx.Process(target=bench._rdflib_query,
                       args=(Dataset(default_union=True), "SELECT * WHERE { ?s ?p ?o LATERAL { ?o ?q ?r } }", {}, out))
    proc.start()
    proc.join(60)
    assert out.get(timeout=5) == ("n/a", "n/a")
