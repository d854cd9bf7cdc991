"""networkx views of the graph, checked against the store's own SPARQL counts; GraphML/GEXF round trips."""
from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import QueryError
from kg.netview import (RESERVED_ATTRIBUTES, Filters, cap_nodes, council_timeline, inspections,
                        inspector_council_graph, open_store, scalar_copy, theme_inspection_graph, to_networkx,
                        write_graph)
from kg.paths import queries_dir
from kg.query import load_queries, parse_query_file, parse_query_text, run_query


ROOT = Path(__file__).resolve().parent.parent
DONCASTER = "https://w3id.org/ofsted-kg/id/council/E08000017"


@pytest.fixture(scope="module")
def store_dir(sample_store):
    return sample_store[0]


@pytest.fixture(scope="module")
def store(store_dir):
    return open_store(store_dir)


@pytest.fixture(scope="module")
def whole(store):
    return to_networkx(store)


def select(store, sparql: str, **params) -> tuple[dict, ...]:
    """The rows of SPARQL text, its parameters declared as IRIs (kg.query binds only declared ones)."""
    header = "".join(f"# param: {name} (iri)\n" for name in params)
    return run_query(store, parse_query_text(header + sparql), params).rows


def count(store, sparql: str, **params) -> int:
    """A COUNT query's ?n; bound parameters must be selected too (SPARQL SEP-0007), so group by them."""
    rows = select(store, sparql, **params)
    return int(rows[0]["n"].value) if rows else 0


def literal_values(g: nx.MultiDiGraph) -> int:
    n = 0
    for _, d in g.nodes(data=True):
        for k, v in d.items():
            if k not in RESERVED_ATTRIBUTES:
                n += len(v) if isinstance(v, list) else 1
    return n


# ------------------------------------------------------------------------------------- whole store

def test_whole_graph_nodes_are_the_stores_resources(store, whole):
    n = count(store, """SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {
        { ?x ?p ?o } UNION { ?s ?p ?x FILTER(!isLiteral(?x) && ?p != rdf:type) } }""")
    assert whole.number_of_nodes() == n > 1000


def test_whole_graph_edges_are_the_stores_links(store, whole):
    n = count(store, """SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE {
        ?s ?p ?o FILTER(!isLiteral(?o) && ?p != rdf:type) } }""")
    assert whole.number_of_edges() == n


def test_literals_become_attributes_and_types_become_classes(store, whole):
    lits = count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } }")
    types = count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?o WHERE { ?s a ?o } }")
    assert literal_values(whole) == lits
    assert sum(len(d["classes"]) for _, d in whole.nodes(data=True)) == types
    assert not any(k == "rdf:type" for *_, k in whole.edges(keys=True))


def test_nodes_are_typed_and_labelled(store, whole):
    d = whole.nodes[DONCASTER]
    assert d["label"] == "Doncaster"
    assert d["kind"] == "LocalAuthority"
    assert "https://w3id.org/ofsted-kg/def#LocalAuthority" in d["classes"]
    kinds = nx.get_node_attributes(whole, "kind")
    n_insp = count(store, "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a kg:Inspection }")
    assert sum(1 for k in kinds.values() if k == "Inspection") == n_insp
    insp = next(n for n, k in kinds.items() if k == "Inspection" and whole.has_edge(n, DONCASTER))
    data = whole.get_edge_data(insp, DONCASTER)
    assert "kg:inspected" in data
    assert data["kg:inspected"]["predicate"] == "https://w3id.org/ofsted-kg/def#inspected"
    assert data["kg:inspected"]["graphs"]  # the report graph(s) that state it
    assert isinstance(whole.nodes[insp]["kg:startDate"], str)


def test_one_named_graph(store):
    graph = next(g.value for g in store.named_graphs() if "/graph/report/" in g.value)
    g = to_networkx(store, graphs=[graph])
    n = count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{"
                     " ?s ?p ?o FILTER(!isLiteral(?o) && ?p != rdf:type) } } }")
    assert g.number_of_edges() == n > 0
    assert all(d["graphs"] == [graph] for *_, d in g.edges(data=True))


# ------------------------------------------------------------------------------------- queries

def test_construct_result(store):
    g = to_networkx(store, "CONSTRUCT { ?i kg:inspected ?c } WHERE { ?i kg:inspected ?c }")
    assert g.number_of_edges() == count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?i ?c WHERE { ?i kg:inspected ?c } }")
    assert g.nodes[DONCASTER]["label"] == "Doncaster"  # described from the store, not the result


def test_select_rows_become_edges_with_literal_attributes(store):
    q = """SELECT ?c ?i (COUNT(DISTINCT ?r) AS ?recs) WHERE {
             ?i kg:inspected ?c . ?r a kg:Recommendation ; kg:inspection ?i } GROUP BY ?c ?i"""
    g = to_networkx(store, q)
    rows = select(store, q)
    assert g.number_of_edges() == len(rows)
    assert sum(d["recs"] for *_, d in g.edges(data=True)) == count(
        store, "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a kg:Recommendation ; kg:inspection ?i . ?i kg:inspected ?c }")
    assert {k for *_, k in g.edges(keys=True)} == {"i"}


def test_select_spo_is_read_as_triples(store):
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o . ?s a kg:Inspection }"
    g = to_networkx(store, q)
    assert g.number_of_edges() == count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE {"
                                               " ?s ?p ?o . ?s a kg:Inspection FILTER(!isLiteral(?o) && ?p != rdf:type) } }")


def test_parameters_are_bound(store):
    g = to_networkx(store, "SELECT ?c ?i WHERE { ?i kg:inspected ?c }", params={"c": DONCASTER})
    assert set(g.predecessors(DONCASTER)) == set() and g.out_degree(DONCASTER) == count(
        store, "SELECT ?c (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i kg:inspected ?c } GROUP BY ?c", c=DONCASTER)
    assert all(u == DONCASTER for u, *_ in g.edges)


def test_ask_has_no_graph(store):
    with pytest.raises(QueryError):
        to_networkx(store, "ASK { ?s ?p ?o }")
    with pytest.raises(QueryError):
        to_networkx(store, "SELECT ?s WHERE { ?s ?p }")


# ------------------------------------------------------------------------------------- helper views

def test_council_timeline_matches_store(store):
    tl = council_timeline(store, "doncaster")
    assert tl.council.iri == DONCASTER
    assert len(tl.inspections) == count(store, "SELECT ?c (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i kg:inspected ?c } GROUP BY ?c", c=DONCASTER)
    starts = [i.start for i in tl.inspections]
    assert starts == sorted(starts)
    for i in tl.inspections:
        assert i.recommendations == count(store, "SELECT ?i (COUNT(DISTINCT ?r) AS ?n) WHERE "
                                                 "{ ?r a kg:Recommendation ; kg:inspection ?i } GROUP BY ?i", i=i.iri)
        assert all(j.rank in (1, 2, 3, 4, None) for j in i.judgements)
    assert tl.reports == count(store, "SELECT ?c (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r prov:wasGeneratedBy ?i . "
                                      "?i kg:inspected ?c } GROUP BY ?c", c=DONCASTER)
    graded = sum(len(i.judgements) for i in tl.inspections)
    assert graded > 0
    capped = council_timeline(store, "Doncaster", max_inspections=2)
    assert len(capped.inspections) == 2 and capped.dropped == len(tl.inspections) - 2
    assert capped.inspections == tl.inspections[-2:]


def test_year_and_region_filters(store):
    every = inspections(store)
    recent = inspections(store, Filters(year_from=2018))
    assert recent and len(recent) < len(every) and all(i.year >= 2018 for i in recent)
    yh = inspections(store, Filters(region="Yorkshire and the Humber"))
    assert yh and all(i.region == "Yorkshire and the Humber" for i in yh)
    assert {i.council_label for i in yh} >= {"Doncaster", "Barnsley"}


def test_inspector_council_graph_matches_store(store):
    g = inspector_council_graph(store)
    people = [n for n, d in g.nodes(data=True) if d["kind"] == "inspector"]
    assert len(people) == count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?i a kg:Inspection ; "
                                       "prov:qualifiedAssociation/prov:agent ?p . ?i kg:inspected ?c }")
    pairs = count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?p ?i WHERE { ?i a kg:Inspection ; "
                         "kg:inspected ?c ; prov:qualifiedAssociation/prov:agent ?p } }")
    assert sum(d["weight"] for *_, d in g.edges(data=True)) == pairs
    assert g.nodes[DONCASTER]["inspections"] == count(
        store, "SELECT ?c (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i kg:inspected ?c ; prov:qualifiedAssociation ?a } GROUP BY ?c",
        c=DONCASTER)
    assert nx.is_bipartite(g)


def test_theme_inspection_graph_matches_store(store):
    g = theme_inspection_graph(store, Filters(council="Doncaster"))
    n = count(store, "SELECT ?c (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?c ?item ?t WHERE { ?item kg:theme ?t ; "
                     "kg:inspection ?i . ?i kg:inspected ?c } } GROUP BY ?c", c=DONCASTER)
    assert n > 0
    assert sum(d["weight"] for *_, d in g.edges(data=True)) == n
    themes = [x for x, d in g.nodes(data=True) if d["kind"] == "theme"]
    assert all(g.nodes[t]["inspections"] == g.degree(t) for t in themes)
    assert g.graph["council"] == "Doncaster"
    one = g.nodes[themes[0]]["label"]
    only = theme_inspection_graph(store, Filters(council="Doncaster", theme=one))
    assert [d["label"] for _, d in only.nodes(data=True) if d["kind"] == "theme"] == [one]


def test_cap_keeps_the_most_connected(store):
    g = inspector_council_graph(store)
    h, cut = cap_nodes(g, 10, keep_kind="council")
    assert h.number_of_nodes() <= 10
    assert sum(cut.values()) == g.number_of_nodes() - h.number_of_nodes()
    assert all(n in h for n, d in g.nodes(data=True) if d["kind"] == "council")
    assert cap_nodes(g, None) == (g, {})


# ------------------------------------------------------------------------------------- export

@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_export_parses_back(whole, tmp_path, fmt):
    path = tmp_path / f"g.{fmt}"
    write_graph(whole, path, fmt)
    if fmt == "graphml":
        back = nx.read_graphml(path)
    elif fmt == "gexf":
        back = nx.read_gexf(path)
    else:
        back = nx.node_link_graph(json.loads(path.read_text()), edges="edges")
    assert back.number_of_nodes() == whole.number_of_nodes()
    assert back.number_of_edges() == whole.number_of_edges()
    d = back.nodes[DONCASTER]
    assert d["label"] == "Doncaster"
    classes = d["classes"] if fmt == "json" else json.loads(d["classes"])
    assert "https://w3id.org/ofsted-kg/def#LocalAuthority" in classes


def test_scalar_copy_unifies_mixed_types():
    g = nx.MultiDiGraph()
    g.add_node("a", x=1, start="2020-01-01", tags=["b", "a"])
    g.add_node("b", x="one")
    h = scalar_copy(g, "gexf")
    assert h.nodes["a"]["x"] == "1" and h.nodes["b"]["x"] == "one"
    assert h.nodes["a"]["attr_start"] == "2020-01-01" and h.nodes["a"]["tags"] == '["b", "a"]'
    assert g.nodes["a"]["x"] == 1  # the original is untouched


def test_cli_graph_export(store_dir, tmp_path):
    out = tmp_path / "insp.gexf"
    r = CliRunner().invoke(main, ["graph", "--store", str(store_dir), "--query",
                                  "SELECT ?i ?c WHERE { ?i kg:inspected ?c }", "--param", f"c={DONCASTER}",
                                  "-o", str(out)])
    assert r.exit_code == 0, r.output
    g = nx.read_gexf(out)
    assert DONCASTER in g and g.number_of_edges() >= 4
    assert "wrote" in r.stderr
    r = CliRunner().invoke(main, ["graph", "--store", str(store_dir), "--query", "ASK { ?s ?p ?o }", "-o", str(out)])
    assert r.exit_code == 2 and r.stderr.startswith("Error: ")
    r = CliRunner().invoke(main, ["graph", "--store", str(tmp_path / "none"), "-o", str(out)])
    assert r.exit_code == 2 and "no graph store" in r.stderr


# ------------------------------------------------------------------------------------- the views' queries

VIEW_QUERIES = sorted((queries_dir() / "views").glob("*.rq"))


def test_the_views_read_their_sparql_from_query_files():
    """The pictures' queries are files of queries/views/ (not SPARQL strings in code), each one used by a view."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "kg" / "netview").glob("*.py")))
    assert VIEW_QUERIES
    assert not re.search(r"\b(?:SELECT|CONSTRUCT)\b[^\n]*\bWHERE\b", code)
    assert all(f'"{p.stem}"' in code for p in VIEW_QUERIES)


@pytest.mark.parametrize("path", VIEW_QUERIES, ids=lambda p: p.stem)
def test_every_view_query_answers_on_the_samples(store, path):
    """Each view query has a title and a description and answers on the samples with a value in every
    column in some row. They are not named queries: `kg query --list` does not offer them."""
    q = parse_query_file(path)
    assert q.title != q.name and q.description
    result = run_query(store, q)
    assert result.rows, f"{path.name} returns no rows on the samples"
    assert not [c for c in result.columns if all(r.get(c) is None for r in result.rows)]
    assert all(Path(n.path).parent != path.parent for n in load_queries())
