"""Export: every format, deterministic output, the Turtle export loads and conforms."""
from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Dataset, Graph

from kg.export import FORMATS, export
from kg.store import GraphStore
from kg.validate import load_shapes


@pytest.fixture(scope="module")
def store(sample_store):
    return GraphStore(sample_store[0], read_only=True)


def _export(store, fmt, **kw) -> bytes:
    buf = io.BytesIO()
    export(store, fmt, buf, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_exports_are_deterministic(store, fmt):
    assert _export(store, fmt) == _export(store, fmt)


def test_turtle_loads_in_rdflib_and_pyoxigraph_and_passes_the_shapes(store):
    data = _export(store, "turtle")
    assert b"@prefix kg: <https://w3id.org/ofsted-kg/def#>" in data
    g = Graph().parse(data=data, format="turtle")
    oxs = ox.Store()
    oxs.load(data, format=ox.RdfFormat.TURTLE)
    assert len(g) == len(oxs) > 1000
    conforms, _, text = validate(g, shacl_graph=load_shapes("all"), inference="none", allow_warnings=True)
    assert conforms, text[:2000]


def test_turtle_is_readable_no_escaped_slashes_in_prefixed_names(store):
    data = _export(store, "turtle").decode("utf-8")
    assert "\\/" not in data
    assert "@prefix person: <https://w3id.org/ofsted-kg/id/person/>" in data
    assert "person:gary-lamb" in data
    assert "<https://w3id.org/ofsted-kg/id/council/E08000017>" in data


def test_quad_formats_keep_named_graphs(store):
    ds = Dataset()
    ds.parse(data=_export(store, "trig"), format="trig")
    names = {str(c.identifier) for c in ds.graphs()}
    assert set(store.report_graphs()) <= names
    lines = _export(store, "nquads").decode().splitlines()
    assert lines == sorted(lines)


def test_no_provenance_drops_evidence(store):
    full = _export(store, "ntriples").decode()
    bare = _export(store, "ntriples", provenance=False).decode()
    assert "http://www.w3.org/ns/oa#hasSelector" in full and "http://www.w3.org/ns/oa#hasSelector" not in bare
    assert "def#evidence> <https://w3id.org/ofsted-kg/id/" not in bare


def test_jsonld_is_compacted_with_a_context_and_means_the_same_triples(store):
    import json

    data = _export(store, "jsonld")
    doc = json.loads(data)
    assert doc["@context"]["kg"] == "https://w3id.org/ofsted-kg/def#"
    types = {t for node in doc["@graph"] for t in ([node.get("@type")] if isinstance(node.get("@type"), str)
                                                   else node.get("@type") or [])}
    assert "kg:Inspection" in types and "foaf:Person" in types
    assert not any(k.startswith("http") for node in doc["@graph"] for k in node)  # every property compacted
    back = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=ox.RdfFormat.JSON_LD)}
    nt = {ox.Triple(q.subject, q.predicate, q.object)
          for q in ox.parse(_export(store, "ntriples"), format=ox.RdfFormat.N_TRIPLES)}
    assert back == nt
