"""The store: atomic replacement of a report graph, catalog entries, reference graph versioning."""
from __future__ import annotations

import gc

import pyoxigraph as ox
import pytest

from kg.errors import StoreError
from kg.namespaces import GRAPH_REFERENCE
from kg.rdf import map_record, reference_triples
from kg.store import CatalogEntry, GraphStore, new_build_iri, now

from ._graph_helpers import gold_record, sample_source


@pytest.fixture()
def mapped():
    src = sample_source("000_8c596ea8a2081205")
    return map_record(gold_record("000_8c596ea8a2081205"), src)


def test_replace_report_writes_graph_and_catalog(tmp_path, mapped):
    gs = GraphStore(tmp_path / "s")
    entry = CatalogEntry(str(tmp_path / "a.txt"), "ab" * 32, "v1", "built", mapped.graph.value)
    gs.replace_report(mapped.graph.value, mapped.triples, entry, new_build_iri(now()))
    assert gs.report_graphs() == [mapped.graph.value]
    assert len(gs.graph_triples(mapped.graph.value)) == len(mapped)
    assert gs.catalog_entry(tmp_path / "a.txt") == entry


def test_a_failed_write_leaves_the_old_graph_untouched(tmp_path, mapped):
    gs = GraphStore(tmp_path / "s")
    entry = CatalogEntry(str(tmp_path / "a.txt"), "ab" * 32, "v1", "built", mapped.graph.value)
    gs.replace_report(mapped.graph.value, mapped.triples, entry, new_build_iri(now()))
    before = gs.graph_ntriples(mapped.graph.value)

    class Broken:  # a triple whose text breaks the update halfway through
        def __str__(self):
            return "<http://a> <http://b> \"unterminated"
    with pytest.raises(StoreError):
        gs.replace_report(mapped.graph.value, list(mapped.triples) + [Broken()],
                          CatalogEntry(entry.path, "cd" * 32, "v2", "built", mapped.graph.value), new_build_iri(now()))
    assert gs.graph_ntriples(mapped.graph.value) == before
    assert gs.catalog_entry(tmp_path / "a.txt").sha256 == "ab" * 32


def test_reference_graph_is_written_once(tmp_path):
    gs = GraphStore(tmp_path / "s")
    assert gs.ensure_reference(reference_triples()) is True
    assert gs.ensure_reference(reference_triples()) is False
    n = sum(1 for _ in gs.store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPH_REFERENCE))))
    assert n == len(reference_triples())


def test_read_only_store_must_exist(tmp_path):
    with pytest.raises(StoreError, match="no graph store"):
        GraphStore(tmp_path / "missing", read_only=True)


class _StoppedMidWrite(BaseException):
    """Stands in for the process being killed: nothing after it runs."""


class _HalfLoadingStore:
    """The real store, except that a bulk load writes the first half of its quads and then stops dead,
    like a build killed while the bulk loader is ingesting."""

    def __init__(self, store: ox.Store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def bulk_load(self, data: str, format):
        lines = data.splitlines(keepends=True)
        self._store.bulk_load("".join(lines[: len(lines) // 2]), format=format)
        raise _StoppedMidWrite()


def _new_reports(tmp_path, mapped):
    entry = CatalogEntry(str(tmp_path / "a.txt"), "ab" * 32, "v1", "built", mapped.graph.value)
    return [(mapped.graph.value, mapped.ntriples(), entry)], entry


def test_new_reports_are_written_with_their_catalog_entries(tmp_path, mapped):
    gs = GraphStore(tmp_path / "s")
    reports, entry = _new_reports(tmp_path, mapped)
    gs.add_reports(reports, new_build_iri(now()))
    assert gs.graph_ntriples(mapped.graph.value) == "".join(sorted(f"{t} .\n" for t in mapped.triples))
    assert gs.catalog_entry(tmp_path / "a.txt") == entry
    assert not gs._pending()  # the intent record is gone once the write is done


def test_a_write_stopped_halfway_is_undone_when_the_store_is_next_opened(tmp_path, mapped):
    path = tmp_path / "s"
    gs = GraphStore(path)
    gs.ensure_reference(reference_triples())
    reports, _ = _new_reports(tmp_path, mapped)
    gs.store = _HalfLoadingStore(gs.store)
    with pytest.raises(_StoppedMidWrite):
        gs.add_reports(reports, new_build_iri(now()))
    half = len(gs.graph_triples(mapped.graph.value))
    assert 0 < half < len(mapped)  # the partial report really is in the store at this point
    del gs
    gc.collect()
    with pytest.raises(StoreError, match="half-written"):
        GraphStore(path, read_only=True)  # a reader is not shown the half report

    reopened = GraphStore(path)  # opening for writing undoes the interrupted write
    assert reopened.report_graphs() == []
    assert reopened.catalog_entry(tmp_path / "a.txt") is None
    assert not reopened._pending()
    assert reopened.meta("identifier")  # what was there before the write is untouched
    reopened.add_reports(reports, new_build_iri(now()))  # and the report can be written again, whole
    assert len(reopened.graph_triples(mapped.graph.value)) == len(mapped)
