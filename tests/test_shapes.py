"""Each shape fires: the data is broken on purpose and the expected message must appear."""
from __future__ import annotations

from dataclasses import replace

import pyoxigraph as ox
import pytest

from kg.namespaces import ID, KG
from kg.rdf import map_record, report_iri
from kg.records import Inspector, Span
from kg.store import GraphStore
from kg.validate import cross_report_checks, validate_reference, validate_report_graph

from ._graph_helpers import gold_record, sample_source, with_spans

STEM = "002_f1ebdee6c896ebcd"  # full 2009-12 report: judgements, recommendations with deadlines


@pytest.fixture(scope="module")
def src():
    return sample_source(STEM)


@pytest.fixture(scope="module")
def good(src):
    return with_spans(gold_record(STEM), src.text)


def _check(record, src, extra: str = "", drop=lambda t: False):
    rg = map_record(record, src)
    nt = "".join(f"{t} .\n" for t in rg.triples if not drop(t)) + extra
    return validate_report_graph(nt, report="test")


def _messages(results, severity="Violation"):
    return [r.message for r in results if r.severity == severity]


def test_a_correct_report_has_no_violations(good, src):
    results = _check(good, src)
    assert _messages(results) == []


def test_seed_000_letter_six_months_late_is_a_warning():
    src = sample_source("000_8c596ea8a2081205")
    results = _check(with_spans(gold_record("000_8c596ea8a2081205"), src.text), src)
    assert _messages(results) == []
    assert any("more than six months after the inspection" in m for m in _messages(results, "Warning"))


def _first(seq, **changes):
    return (replace(seq[0], **changes),) + tuple(seq[1:])


BROKEN_RECORDS = [
    ("end before start", lambda r: replace(r, inspection_start="2011-04-02"), "ends before it starts"),
    ("letter before end", lambda r: replace(r, letter_date="2011-03-01"), "letter is dated before the inspection"),
    ("published before end", lambda r: replace(r, published_date="2011-03-25"), "published before the inspection"),
    ("invalid date", lambda r: replace(r, published_date="2011-02-30"), "publication date must be one valid"),
    ("invalid start date", lambda r: replace(r, inspection_start="2011-13-01"), "start date must be one valid"),
    ("unknown report type", lambda r: replace(r, report_type="annual-review"), "report type must be one of"),
    ("grade off the scale", lambda r: replace(r, judgements=_first(r.judgements, grade_number=7)), "four-point scale"),
    ("unknown recommendation kind", lambda r: replace(r, recommendations=_first(r.recommendations, kind="wish")),
     "recommendation-kind scheme"),
    ("unknown deadline", lambda r: replace(r, recommendations=_first(r.recommendations, deadline="next-year")),
     "deadline must be Immediately"),
    ("empty recommendation", lambda r: replace(r, recommendations=_first(r.recommendations, text="")),
     "needs its text"),
    ("unknown finding kind", lambda r: replace(r, findings=(replace(gold_record("000_8c596ea8a2081205").findings[0],
                                                                    kind="opinion"),)), "finding-kind scheme"),
    ("unknown board kind", lambda r: replace(r, boards=_first(r.boards, kind="club")), "board-kind scheme"),
    ("unknown partner kind", lambda r: replace(r, partner_organisations=_first(r.partner_organisations, kind="alien")),
     "partner-kind scheme"),
    ("council not in gazetteer", lambda r: replace(r, council=replace(r.council, gss_code="E08999999")),
     "council of the gazetteer"),
    ("span ends before start", lambda r: replace(r, findings=(), recommendations=_first(r.recommendations,
                                                                                       span=Span(50, 10))),
     "span ends before it starts"),
    ("negative span", lambda r: replace(r, recommendations=_first(r.recommendations, span=Span(-5, 10))),
     "non-negative character offset"),
    ("two lead inspectors", lambda r: replace(r, inspectors=(Inspector("Ann Lead", "Lead inspector", True, False),
                                                             Inspector("Bob Lead", "Lead inspector", True, False))),
     "at most one lead inspector"),
    ("one-letter person", lambda r: replace(r, inspectors=(Inspector("X", "Lead inspector", True, False),)),
     "name of at least two characters"),
]


@pytest.mark.parametrize("name,breaker,message", BROKEN_RECORDS, ids=[b[0] for b in BROKEN_RECORDS])
def test_violation_shapes_fire(good, src, name, breaker, message):
    messages = _messages(_check(breaker(good), src))
    assert any(message in m for m in messages), messages


BROKEN_WARNINGS = [
    ("no council", lambda r: replace(r, council=replace(r.council, gss_code=None)), "could not be identified"),
    ("no start", lambda r: replace(r, inspection_start=None), "first day of the inspection was not found"),
    ("no end: no due dates", lambda r: replace(r, inspection_end=None), "deadline but no due date"),
    ("unknown area", lambda r: replace(r, judgements=_first(r.judgements, area="Quality of lunches")),
     "matches no concept of the judgement-area scheme"),
    ("no span", lambda r: replace(r, recommendations=_first(r.recommendations, span=None)), "no character span"),
    ("late publication", lambda r: replace(r, published_date="2012-05-01"), "published more than six months"),
]


@pytest.mark.parametrize("name,breaker,message", BROKEN_WARNINGS, ids=[b[0] for b in BROKEN_WARNINGS])
def test_warning_shapes_fire_without_violations(good, src, name, breaker, message):
    results = _check(breaker(good), src)
    assert _messages(results) == []
    assert any(message in m for m in _messages(results, "Warning")), _messages(results, "Warning")


def _iri(src, tail):
    return f"<{report_iri(src.text_sha256)}/{tail}>"


BROKEN_TRIPLES = [
    ("closed judgement", lambda s: f"{_iri(s, 'judgement/1')} <{KG}colour> \"red\" .\n", None,
     "may only have the properties"),
    ("two grades", lambda s: f"{_iri(s, 'judgement/1')} <{KG}grade> <https://w3id.org/ofsted-kg/def/grade/2009-good> .\n",
     None, "exactly one grade"),
    ("area from another scheme",
     lambda s: f"{_iri(s, 'judgement/1')} <{KG}area> <https://w3id.org/ofsted-kg/def/deadline/immediately> .\n",
     lambda t: t.predicate.value == str(KG.area), "not in the judgement-area scheme"),
    ("due date without rule", lambda s: "", lambda t: t.predicate.value == str(KG.dueDateRule), "which rule"),
    ("bad rule", lambda s: f"{_iri(s, 'recommendation/1')} <{KG}dueDateRule> <{KG}due-whenever> .\n",
     None, "due-date rules"),
    ("report without inspection", lambda s: "",
     lambda t: t.predicate.value == "http://www.w3.org/ns/prov#wasGeneratedBy", "exactly one inspection"),
    ("report without hash", lambda s: "", lambda t: t.predicate.value == "http://purl.org/dc/terms/identifier"
     and t.subject.value.startswith(str(ID["report/"])), "'sha256:'"),
    ("text without report", lambda s: "", lambda t: t.predicate.value == "http://purl.org/dc/terms/isFormatOf",
     "text of exactly one report"),
    ("evidence without source", lambda s: "", lambda t: t.predicate.value == "http://www.w3.org/ns/oa#hasSource",
     "exactly one text rendition"),
    ("quote without exact", lambda s: "", lambda t: t.predicate.value == "http://www.w3.org/ns/oa#exact",
     "exactly one quoted text"),
    ("item without evidence", lambda s: "", lambda t: t.predicate.value == str(KG.evidence), "exactly one evidence"),
    ("item without position", lambda s: "", lambda t: t.predicate.value == str(KG.position), "position (1, 2, ...)"),
    ("item without inspection", lambda s: "", lambda t: t.predicate.value == str(KG.inspection),
     "belongs to exactly one inspection"),
    ("membership without member", lambda s: "", lambda t: t.predicate.value == "http://www.w3.org/ns/org#member",
     "exactly one person"),
    ("association without role", lambda s: "", lambda t: t.predicate.value == "http://www.w3.org/ns/prov#hadRole",
     "one role"),
    ("post without organisation", lambda s: "",
     lambda t: t.predicate.value == "http://www.w3.org/ns/org#organization", "exactly one organisation"),
    ("instant without date", lambda s: "", lambda t: t.predicate.value == "http://www.w3.org/2006/time#inXSDDate",
     "exactly one valid date"),
    ("board without name", lambda s: "", lambda t: t.predicate.value == str(KG.nameAsPrinted)
     and "/board/" in t.subject.value, "needs the name it prints"),
    ("inspector without name", lambda s: "", lambda t: t.predicate.value == str(KG.nameAsPrinted)
     and "/association/" in t.subject.value, "name as printed"),
    ("partner of two kinds", lambda s: "", None, None),
]


@pytest.mark.parametrize("name,extra,drop,message", BROKEN_TRIPLES[:-1], ids=[b[0] for b in BROKEN_TRIPLES[:-1]])
def test_shapes_fire_on_broken_triples(good, src, name, extra, drop, message):
    rec = replace(good, addressee=gold_record("000_8c596ea8a2081205").addressee,
                  inspectors=gold_record("000_8c596ea8a2081205").inspectors, letter_date="2011-05-01")
    results = _check(rec, src, extra(src), drop or (lambda t: False))
    messages = [r.message for r in results if r.severity == "Violation"]
    assert any(message in m for m in messages), messages


def test_partner_given_two_kinds_by_two_reports_is_a_warning_of_the_entities_graph(good, src):
    """Each report alone is fine; the entities graph, where both reports' facts meet, is validated too."""
    from kg.entities import refresh_entities
    from kg.namespaces import GRAPH_ENTITIES
    from kg.rdf import SourceFacts, reference_triples
    from kg.validate import validate_store

    first = good.partner_organisations[0]
    other_kind = "other" if first.kind != "other" else "health"
    later = replace(good, partner_organisations=(replace(first, kind=other_kind),))
    gs = GraphStore(None)
    gs.ensure_reference(reference_triples())
    for record, facts in ((good, src), (later, SourceFacts("later.txt", "e" * 64, "f" * 64, "text", src.text))):
        rg = map_record(record, facts)
        assert not any("different kinds" in m for m in _messages(validate_report_graph(rg.ntriples()), "Warning"))
        gs.store.extend(rg.quads())
    refresh_entities(gs)
    assert gs.graph_ntriples(str(GRAPH_ENTITIES))
    results = validate_store(gs).results
    kinds = [r for r in results if "different kinds" in r.message]
    assert [(r.severity, r.report) for r in kinds] == [("Warning", "entities")], kinds


def test_reference_graph_conforms_and_its_shapes_fire(monkeypatch):
    assert [r for r in validate_reference() if r.severity == "Violation"] == []
    from kg import rdf
    from kg.validate import load_shapes, _run, to_rdflib
    from rdflib import Graph

    data = Graph()
    for t in rdf.reference_triples():
        data.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    data.parse(data=f"""<{ID['council/E08000017']}> <http://www.w3.org/2002/07/owl#sameAs>
                           <http://statistics.data.gov.uk/id/statistical-geography/E08000017> .
                        <{ID['council/E08000017']}> <http://www.w3.org/2004/02/skos/core#notation>
                           "X123"^^<{KG}GSSCode> .
                        <https://w3id.org/ofsted-kg/def/grade/sif-good> <{KG}rank> 9 .
                        <{KG}due-immediately> <{KG}monthsAfterInspectionEnd> -1 .
                        <https://example.org/c> a <http://www.w3.org/2004/02/skos/core#Concept> .""", format="turtle")
    messages = [r.message for r in _run(data, load_shapes("reference"), "reference", None)]
    for expected in ("Do not state owl:sameAs", "GSS code of a council entity type",
                     "rank from 1 (best) to 4", "whole number of months", "preferred label", "in a concept scheme"):
        assert any(expected in m for m in messages), (expected, messages)


def test_cross_report_check_finds_disagreeing_dates(good, src, tmp_path):
    gs = GraphStore(None)
    a = map_record(good, src)
    gs.store.extend(a.quads())
    other = ox.NamedNode(str(ID["graph/report/ffffffffffffffff"]))
    inspection = next(t.object for t in a.triples if t.predicate.value == "http://www.w3.org/ns/prov#wasGeneratedBy")
    gs.store.add(ox.Quad(inspection, ox.NamedNode(str(KG.endDate)),
                         ox.Literal("2011-04-08", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
                         other))
    messages = [r.message for r in cross_report_checks(gs)]
    assert any("disagree on when this inspection ended" in m for m in messages)


def test_cross_report_check_finds_span_past_the_text(good, src):
    gs = GraphStore(None)
    broken = replace(good, recommendations=_first(good.recommendations, span=Span(10, len(src.text) + 5)))
    gs.store.extend(map_record(broken, src).quads())
    assert any("past the end of its text" in r.message for r in cross_report_checks(gs))


def test_focused_visit_whose_dates_span_a_year_is_a_warning():
    """A focused visit runs two days; printed as '26 June 2023 to 27 June 2024' it is a misprint."""
    stem = "001_08ab79b8e78a2bf8"
    src = sample_source(stem)
    record = with_spans(gold_record(stem), src.text)
    assert record.report_type == "focused-visit"
    assert not any("longer than its framework allows" in m for m in _messages(_check(record, src), "Warning"))
    results = _check(replace(record, inspection_start="2023-06-26"), src)
    assert _messages(results) == []
    assert any("longer than its framework allows" in m for m in _messages(results, "Warning"))


def test_a_four_week_single_inspection_is_not_too_long():
    src = sample_source(STEM)
    record = replace(with_spans(gold_record(STEM), src.text), report_type="single-inspection",
                     inspection_start="2011-03-07")  # 26 days, as SIF inspections ran
    assert not any("longer than its framework allows" in m for m in _messages(_check(record, src), "Warning"))
