"""shapes/derived.ttl: the derived graph (themes, recurrence links) conforms, and each shape fires when broken."""
from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from kg.namespaces import KG
from kg.records import record_from_dict
from kg.recur import derived_triples, find_recurrence
from kg.validate import validate_derived

from .recurrence_eval import GOLD_DIR


@pytest.fixture(scope="module")
def derived() -> Graph:
    records = [record_from_dict(json.loads(p.read_text(encoding="utf-8")))
               for p in sorted(GOLD_DIR.glob("0*.json"))]
    g = Graph()
    for t in derived_triples(find_recurrence(records)):
        g.add(t)
    return g


def _check(g: Graph):
    return validate_derived(g.serialize(format="nt"))


def _copy(g: Graph) -> Graph:
    out = Graph()
    for t in g:
        out.add(t)
    return out


def test_derived_graph_of_the_seeds_conforms(derived):
    assert len(list(derived.subjects(RDF.type, KG.RecurrenceLink))) > 5
    assert [r for r in _check(derived) if r.severity == "Violation"] == []


def _first(g, cls):
    return sorted(g.subjects(RDF.type, cls))[0]


@pytest.mark.parametrize("path, breaker, words", [
    ("kg:score", lambda g, n: g.set((n, KG.score, Literal("1.5", datatype=XSD.decimal))), "between 0 and 1"),
    ("kg:score", lambda g, n: g.remove((n, KG.score, None)), "similarity score"),
    ("kg:sharedTheme", lambda g, n: g.remove((n, KG.sharedTheme, None)), "theme both items share"),
    ("kg:scope", lambda g, n: g.set((n, KG.scope, Literal("somewhere"))), "within one council"),
    ("kg:to", lambda g, n: g.set((n, KG.to, g.value(n, KG["from"]))), "not an item to itself"),
    ("prov:wasGeneratedBy", lambda g, n: g.remove((n, PROV.wasGeneratedBy, None)), "linking run"),
    ("closed", lambda g, n: g.add((n, KG.colour, Literal("red"))), "may only have the properties"),
])
def test_each_link_shape_fires(derived, path, breaker, words):
    g = _copy(derived)
    breaker(g, _first(g, KG.RecurrenceLink))
    messages = [r.message for r in _check(g) if r.severity == "Violation"]
    assert any(words in m for m in messages), messages


@pytest.mark.parametrize("breaker, words", [
    (lambda g, n: g.remove((n, KG.evidenceText, None)), "quotes the words"),
    (lambda g, n: g.set((n, KG.evidenceEnd, Literal(0, datatype=XSD.integer))), "must end after it starts"),
    (lambda g, n: g.add((n, KG.assignedTheme, URIRef("https://example.org/other"))), "exactly one theme"),
])
def test_each_theme_assignment_shape_fires(derived, breaker, words):
    g = _copy(derived)
    breaker(g, _first(g, KG.ThemeAssignment))
    messages = [r.message for r in _check(g) if r.severity == "Violation"]
    assert any(words in m for m in messages), messages


def test_linking_run_shape_fires(derived):
    g = _copy(derived)
    g.remove((_first(g, KG.RecurrenceLinking), KG.method, None))
    assert any("states its method" in r.message for r in _check(g))
