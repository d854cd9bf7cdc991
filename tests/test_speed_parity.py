"""The fast paths give the same answers as the straightforward ones (speed itself lives in benchmarks/).

- the literal prefilter and run scanning of kg.scan (gazetteer of kg.extract.organisations, themes of
  kg.themes, normalisation rules of kg.read) vs full regex scans;
- the segmenter's cached heading lookups vs uncached ones (same records), and its one-regex gate over
  a rule list's headings vs trying each heading in turn;
- pyshacl-turbo vs pySHACL on real report graphs, intact and broken on purpose;
- mapping and validation in the worker (kg.prepare.prepare) vs in the main process;
- the store's items read with quad patterns (kg.recur.items_from_store) vs one SPARQL query, and vs
  the items the workers work out per report graph (kg.recur.report_items);
- the derived graph's quads made directly vs converted from rdflib triples;
- new reports written in batches (bulk loads, from terms or from N-Triples text) vs one SPARQL update
  per report.
"""
from __future__ import annotations

import os
from contextlib import contextmanager

import pytest

from kg.extract import extract_record
from kg.extract import organisations as org
from kg.rdf import map_record
from kg import scan, segment

SAMPLES = ["000_8c596ea8a2081205.txt", "003_fd8ddec3fbd4e1da.txt", "barnsley_2018-11-19.pdf",
           "darlington_2015-09-01.pdf", "doncaster_2022-04-08.pdf", "kent_2013-08-23.pdf"]


def _patterns():
    g = org.gazetteer()
    return [org._wrapping(e.pattern) for k in ("boards", "partners", "services") for e in g[k]]


@contextmanager
def _unoptimised():
    """Every regex scanned in full (kg.scan off) and the segmenter's lookups uncached."""
    saved = (scan.ENABLED, segment.known_heading, segment.deadline_label)
    scan.ENABLED = False
    segment.known_heading, segment.deadline_label = saved[1].__wrapped__, saved[2].__wrapped__
    try:
        yield
    finally:
        scan.ENABLED, segment.known_heading, segment.deadline_label = saved


@pytest.mark.parametrize("name", SAMPLES)
def test_gazetteer_scan_finds_what_a_full_scan_finds(read_sample, name):
    text = read_sample(name).text
    for p in _patterns():
        full = [m.span() for m in p.finditer(text)]
        fast = [m.span() for m in scan.finditer(p, text)] if scan.may_match(p, text) else []
        assert fast == full, p.pattern


@pytest.mark.parametrize("text", [
    "The Doncaster Safeguarding Children Partnership met.",
    "the SAFEGUARDING\nchildren   PARTNERSHIP arrangements are",  # wrapped, other case, lookahead
    "the safeguarding partnership2 and safeguarding partnership_x",  # no word boundary after a name
    "Caf\u212acass and CAFCASS and Cafcass",  # the Kelvin sign K matches k under IGNORECASE
    "the virtual \u017fchool",  # long s matches s under IGNORECASE
    "V\u0130RTUAL SCHOOL and corporate parenting board",  # dotted capital I
    "the Children\u2019s Trust Board, Children's Trust and the children's trust",  # apostrophes inside runs
    "Multi-Agency Safeguarding Hub (MASH); the MASH, multi-agency safeguarding hub",  # hyphen, acronym
    "North-East Lincolnshire Safeguarding Children Board's chair; Bristol's Safeguarding Children Board",
    "the Department for Children, Schools and Families and the Department for Education.",  # comma in a name
    "Safeguarding Children Board",  # literal at the very start and end of the text
    "",
])
def test_gazetteer_scan_edge_cases(text):
    for p in _patterns():
        full = [m.span() for m in p.finditer(text)]
        fast = [m.span() for m in scan.finditer(p, text)] if scan.may_match(p, text) else []
        assert fast == full, p.pattern


def test_normalisation_prefilter_changes_nothing(samples_dir, monkeypatch):
    from kg.read import iter_report_files, read_source

    files = list(iter_report_files([samples_dir]))
    fast = [read_source(f) for f in files]
    monkeypatch.setattr(scan, "ENABLED", False)
    slow = [read_source(f) for f in files]
    assert len(files) >= 10 and fast == slow


@pytest.mark.parametrize("name", SAMPLES)
def test_records_are_the_same_without_the_speed_ups(read_sample, name):
    src = read_sample(name)
    fast = extract_record(src)
    with _unoptimised():
        slow = extract_record(src)
    assert fast == slow


@pytest.mark.parametrize("name", SAMPLES)
def test_heading_gate_finds_the_heading_the_loop_finds(read_sample, name):
    """Every line (and every pair of lines, as a wrapped heading is tried) of real reports gets the same
    sections.yaml entry, or none, with the gate as without it."""
    lines = read_sample(name).text.split("\n")
    rules = segment.section_rules()
    asked = found = 0
    for key in ("headings", "deadlines"):
        entries = rules[key]
        assert segment._any_of(entries) is not None  # the bundled rules are joinable: the gate is used
        for text in [*lines, *(a + " " + b for a, b in zip(lines, lines[1:]))]:
            fast = segment._full_match(entries, text)
            scan.ENABLED = False
            try:
                slow = segment._full_match(entries, text)
            finally:
                scan.ENABLED = True
            assert fast is slow, text
            asked += 1
            found += fast is not None
    assert asked > 200 and found > 0


def test_heading_gate_is_not_used_where_it_could_answer_differently():
    """Patterns with different flags, or with a backreference (its group number would shift in the
    alternation), get no gate: each entry is tried in turn."""
    import re

    from kg.rules import Entry

    mixed = (Entry({"id": "a"}, re.compile("findings", re.I), "t", 1), Entry({"id": "b"}, re.compile("Aims"), "t", 2))
    backref = (Entry({"id": "a"}, re.compile(r"(x)\1"), "t", 1), Entry({"id": "b"}, re.compile(r"(y)\1"), "t", 2))
    assert segment._any_of(mixed) is None and segment._any_of(backref) is None
    assert segment._full_match(mixed, "FINDINGS") is mixed[0] and segment._full_match(mixed, "aims") is None
    assert segment._full_match(backref, "yy") is backref[1]


@pytest.fixture(scope="module")
def graphs(read_sample):
    out = []
    for name in SAMPLES:
        src = read_sample(name)
        out.append((name, map_record(extract_record(src), src)))
    return out


def _both(ntriples: str, name: str):
    from kg import validate as V

    pytest.importorskip("pyshacl_turbo")
    saved = os.environ.get("KG_SHACL_ENGINE")
    try:
        os.environ["KG_SHACL_ENGINE"] = "turbo"
        fast = V.validate_report_graph(ntriples, report=name)
        os.environ["KG_SHACL_ENGINE"] = "pyshacl"
        slow = V.validate_report_graph(ntriples, report=name)
    finally:
        if saved is None:
            os.environ.pop("KG_SHACL_ENGINE", None)
        else:
            os.environ["KG_SHACL_ENGINE"] = saved
    return fast, slow


def test_turbo_and_pyshacl_agree_on_real_report_graphs(graphs):
    for name, rg in graphs:
        fast, slow = _both(rg.ntriples(), name)
        assert fast == slow, name


def _broken(nt: str) -> str:
    """A report graph broken in several ways the shapes catch (dates, cardinalities, classes, datatypes)."""
    lines = nt.splitlines(keepends=True)
    out = []
    for line in lines:
        if "def#startDate>" in line:
            out.append(line.replace('"^^<http://www.w3.org/2001/XMLSchema#date>',
                                    '"^^<http://www.w3.org/2001/XMLSchema#string>'))
            continue
        if "/council/E" in line and "def#inspected>" in line:
            out.append(line)
            out.append(line.replace("/council/E", "/council/X"))  # a second, unknown council
            continue
        if "rdf-syntax-ns#type> <https://w3id.org/ofsted-kg/def#Recommendation>" in line:
            continue  # recommendations that are no longer typed
        out.append(line)
    return "".join(out)


def test_turbo_and_pyshacl_agree_on_broken_report_graphs(graphs):
    found = 0
    for name, rg in graphs:
        fast, slow = _both(_broken(rg.ntriples()), name)
        assert fast == slow, name
        found += len(fast)
    assert found > 0  # the breakage was seen


def test_worker_side_preparation_matches_main_process(read_sample, samples_dir):
    from kg.prepare import PackedGraph, Prepared, prepare
    from kg.pipeline import process_file
    from kg.validate import validate_mapped

    outcome = process_file(samples_dir / "doncaster_2018-01-19.pdf")
    rg = map_record(outcome.record, outcome.source)
    prepared = prepare(outcome)
    assert isinstance(prepared.prepared, Prepared)
    assert prepared.prepared.graph == PackedGraph.of(rg)
    assert list(prepared.prepared.results) == validate_mapped(rg, report=outcome.source.name)
    assert prepared.source.text_sha256 == outcome.source.text_sha256


def test_items_from_store_match_the_sparql_query(sample_store):
    from kg.recur import _items_from_store_sparql, items_from_store
    from kg.store import GraphStore

    gs = GraphStore(sample_store[0], read_only=True)
    items = items_from_store(gs)
    assert items and items == _items_from_store_sparql(gs)


def test_items_worked_out_per_report_match_the_items_read_from_the_store(sample_store):
    """What the build's workers send back (kg.recur.report_items of each report graph) is what the main
    process would otherwise read back from the store."""
    from kg.recur import item_order, items_from_store, report_items
    from kg.store import GraphStore

    gs = GraphStore(sample_store[0], read_only=True)
    per_report = [it for g in gs.report_graphs() for it in report_items(g, gs.graph_ntriples(g))]
    stored = items_from_store(gs)
    assert len(stored) > 100 and sorted(per_report, key=item_order) == list(stored)
    assert items_from_store(gs, skip_graphs=set(gs.report_graphs())) == ()


def test_theme_prefilter_assigns_what_full_searches_assign(sample_store, monkeypatch):
    from kg import themes
    from kg.recur import items_from_store
    from kg.store import GraphStore

    texts = [it.text for it in items_from_store(GraphStore(sample_store[0], read_only=True))]
    texts += ["Supervision is not regular.", "SUPERVISION", "", "the Kelvin sign: \u212aeeping children safe"]
    fast = [themes.assign_themes(t) for t in texts]
    monkeypatch.setattr(scan, "ENABLED", False)
    slow = [themes.assign_themes(t) for t in texts]
    assert fast == slow
    assert sum(bool(f) for f in fast) > len(texts) // 2  # most item texts do raise a theme


def test_derived_quads_are_the_derived_triples(sample_store):
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    from kg.namespaces import GRAPH_DERIVED
    from kg.recur import derived_quads, derived_triples, items_from_store, link_items
    from kg.store import GraphStore

    result = link_items(items_from_store(GraphStore(sample_store[0], read_only=True)))
    g = ox.NamedNode(str(GRAPH_DERIVED))

    def conv(t):
        if isinstance(t, URIRef):
            return ox.NamedNode(str(t))
        assert isinstance(t, Literal) and not t.language
        return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype))) if t.datatype else ox.Literal(str(t))

    assert result.links
    assert list(derived_quads(result)) == [ox.Quad(conv(s), conv(p), conv(o), g) for s, p, o in derived_triples(result)]


def test_batched_new_reports_equal_one_update_per_report(tmp_path, read_sample):
    from kg.store import CatalogEntry, GraphStore

    graphs = [map_record(extract_record(src), src) for src in (read_sample(n) for n in SAMPLES[:3])]
    one, batched = GraphStore(tmp_path / "one"), GraphStore(tmp_path / "batched")
    entries = [CatalogEntry(str(tmp_path / f"{k}.txt"), f"{k:064x}", "v", "built", rg.graph.value)
               for k, rg in enumerate(graphs)]
    for rg, e in zip(graphs, entries):
        assert batched.is_new_report(rg.graph.value, e.path)
        one.replace_report(rg.graph.value, rg.triples, e, "urn:build:1")
    batched.add_reports([(rg.graph.value, rg.triples, e) for rg, e in zip(graphs, entries)], "urn:build:1")
    assert sorted(map(str, one.quads())) == sorted(map(str, batched.quads()))
    # the build's own input: N-Triples text from the workers
    text = GraphStore(tmp_path / "text")
    text.add_reports([(rg.graph.value, rg.ntriples(), e) for rg, e in zip(graphs, entries)], "urn:build:1")
    assert sorted(map(str, one.quads())) == sorted(map(str, text.quads()))
    assert not batched.is_new_report(graphs[0].graph.value, tmp_path / "other.txt")
    assert not batched.is_new_report("urn:graph:unused", entries[0].path)
