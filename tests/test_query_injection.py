"""Named-query parameters cannot change a query's shape: values are bound as single RDF terms.

Every hostile value below, pasted into a query's text, would close a literal or IRI and add
clauses. Bound with `substitutions=` it is one term: a string literal that matches nothing, or a
typed value refused before the query runs.
"""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import QueryError
from kg.query import Param, bind_value, load_queries, run_query

HOSTILE = (
    '"> } ; DROP ALL #',
    "Doncaster\" } UNION { ?s ?p ?o } #",
    "Doncaster' } UNION { ?s ?p ?o } #",
    '" . } } INSERT DATA { <urn:a> <urn:b> <urn:c> } #',
    'x")) || true) } LIMIT 100000 #',
    "Doncaster\n} LIMIT 0 #",
    "<http://example.org/> } ; CLEAR ALL",
)
BENIGN = {"council": "Doncaster", "string": "Doncaster", "date": "2030-01-01", "integer": "1",
          "iri": "https://w3id.org/ofsted-kg/id/graph/reference", "region": "Yorkshire and the Humber"}


@pytest.mark.parametrize("value", HOSTILE)
def test_string_values_become_one_literal(value):
    term = bind_value(Param("x", "string", ""), value)
    assert isinstance(term, ox.Literal) and term.value == value and term.language is None


@pytest.mark.parametrize("kind", ["council", "region", "date", "integer", "iri"])
@pytest.mark.parametrize("value", HOSTILE)
def test_typed_values_are_refused(kind, value):
    with pytest.raises(QueryError) as info:
        bind_value(Param("x", kind, ""), value)
    assert "\n" not in info.value.one_line()


@pytest.fixture(scope="module")
def store(sample_store):
    return ox.Store.read_only(str(sample_store[0]))


PARAMETRISED = [q for q in load_queries() if q.params]


@pytest.mark.parametrize("query", PARAMETRISED, ids=[q.name for q in PARAMETRISED])
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_keep_the_query_shape(store, query, value):
    size = len(store)
    benign = {p.name: BENIGN[p.type] for p in query.params}
    expected = run_query(store, query, benign)
    for param in query.params:
        values = dict(benign, **{param.name: value})
        if param.type != "string":
            with pytest.raises(QueryError):
                run_query(store, query, values)
            continue
        result = run_query(store, query, values)
        assert result.columns == expected.columns
        assert result.rows == ()  # one literal that equals no council, theme or text
    assert len(store) == size
