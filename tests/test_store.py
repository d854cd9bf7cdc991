"""The store: atomic replacement of a report graph, catalog entries, reference graph versioning."""
from __future__ import annotations

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
