"""The mapper: deterministic IRIs, provenance spans, due dates, and the reference graph."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDFS

from kg.namespaces import ID, KG
from kg.rdf import (add_months, council_iri, inspection_iri, item_iri, map_record, person_iri, reference_triples,
                    report_iri)
from kg.records import Span

from ._graph_helpers import gold_record, sample_source, with_spans

OA = "http://www.w3.org/ns/oa#"


def _objects(rg, subject: str, predicate: str) -> list:
    return [t.object for t in rg.triples if t.subject.value == subject and t.predicate.value == predicate]


@pytest.fixture(scope="module")
def seed000():
    src = sample_source("000_8c596ea8a2081205")
    return src, map_record(with_spans(gold_record("000_8c596ea8a2081205"), src.text), src)


def test_mapping_is_deterministic_and_has_no_blank_nodes(seed000):
    src, rg = seed000
    again = map_record(with_spans(gold_record("000_8c596ea8a2081205"), src.text), src)
    assert rg.ntriples() == again.ntriples()
    assert not any(isinstance(term, ox.BlankNode) for t in rg.triples for term in (t.subject, t.object))
    assert rg.graph.value == str(ID[f"graph/report/{src.text_sha256[:16]}"])


def test_iris_follow_the_documented_scheme(seed000):
    src, rg = seed000
    assert council_iri("E08000017") == str(ID["council/E08000017"])
    insp = inspection_iri("E08000017", "annual-unannounced-inspection", "2009-01-12", src.text_sha256)
    assert insp == str(ID["inspection/E08000017/annual-unannounced-inspection/2009-01-12"])
    assert _objects(rg, report_iri(src.text_sha256), "http://www.w3.org/ns/prov#wasGeneratedBy")[0].value == insp
    first = item_iri(src.text_sha256, "recommendation", 1).value
    assert first == f"{report_iri(src.text_sha256)}/recommendation/1"
    assert any(t.subject.value == first for t in rg.triples)
    assert person_iri("Mr  Gary Lamb") == person_iri("gary lamb") == str(ID["person/gary-lamb"])


def test_every_item_quotes_its_span_exactly(seed000):
    src, rg = seed000
    starts = {t.subject.value: int(t.object.value) for t in rg.triples if t.predicate.value == OA + "start"}
    ends = {t.subject.value: int(t.object.value) for t in rg.triples if t.predicate.value == OA + "end"}
    exact = {t.subject.value: t.object.value for t in rg.triples if t.predicate.value == OA + "exact"}
    assert starts
    for pos, start in starts.items():
        quote = pos.removesuffix("/position") + "/quote"
        assert exact[quote] == src.text[start:ends[pos]]


def test_span_none_gives_evidence_without_selector():
    src = sample_source("000_8c596ea8a2081205")
    rg = map_record(gold_record("000_8c596ea8a2081205"), src)
    assert not any(t.predicate.value == OA + "hasSelector" for t in rg.triples)
    assert any(t.predicate.value == OA + "hasSource" for t in rg.triples)


def test_due_dates_follow_the_deadline_rule():
    src = sample_source("002_f1ebdee6c896ebcd")
    rec = gold_record("002_f1ebdee6c896ebcd")  # inspection ends 2011-04-01
    rg = map_record(rec, src)
    due = {}
    for n, r in enumerate(rec.recommendations, 1):
        iri = item_iri(src.text_sha256, "recommendation", n).value
        values = _objects(rg, iri, str(KG.dueDate))
        due.setdefault(r.deadline, set()).update(v.value for v in values)
    assert due["immediately"] == {"2011-04-01"}
    assert due["within-three-months"] == {"2011-07-01"}
    assert due["within-six-months"] == {"2011-10-01"}
    assert add_months(date(2011, 8, 31), 6) == date(2012, 2, 29)
    assert add_months(date(2010, 11, 30), 3) == date(2011, 2, 28)


def test_no_due_date_without_an_inspection_end():
    src = sample_source("002_f1ebdee6c896ebcd")
    rg = map_record(replace(gold_record("002_f1ebdee6c896ebcd"), inspection_end=None), src)
    assert not any(t.predicate.value == str(KG.dueDate) for t in rg.triples)
    assert any(t.predicate.value == str(KG.deadlineGroup) for t in rg.triples)


def test_letter_lag_is_precomputed(seed000):
    src, rg = seed000
    lag = _objects(rg, report_iri(src.text_sha256), str(KG.letterLagDays))
    assert [int(v.value) for v in lag] == [(date(2010, 2, 5) - date(2009, 1, 13)).days]


def test_boards_resolve_within_a_report(seed000):
    from kg.entities import report_entity_triples

    src, rg = seed000
    board = str(ID["council/E08000017/board/safeguarding-children-board"])
    names = {t.object.value for t in report_entity_triples(rg.ntriples()) if t.subject.value == board}
    assert "Doncaster Safeguarding Children Board" in names
    assert "Local Safeguarding Children Board" in names  # also printed as


def test_a_report_graph_states_nothing_about_shared_entities_but_its_own_mentions(seed000):
    """People and organisations are typed and named once, in the entities graph: the report graph only
    links to them (who inspected, with the name printed; which boards it mentions, with spans)."""
    src, rg = seed000
    shared = ("person/", "org/", "role/", "council/")
    about_shared = {t.predicate.value for t in rg.triples
                    if t.subject.value.removeprefix(str(ID)).startswith(shared)}
    # a council's printed name and a board's evidence are the report's own statements
    assert about_shared <= {str(KG.nameAsPrinted), str(KG.evidence)}, about_shared
    lamb = str(ID["person/gary-lamb"])
    assert not [t for t in rg.triples if t.subject.value == lamb]
    printed = {t.object.value for t in rg.triples if t.predicate.value == str(KG.nameAsPrinted)}
    assert "Gary Lamb" in printed  # on the inspection-team entry


def test_record_without_council_still_maps():
    src = sample_source("000_8c596ea8a2081205")
    rec = replace(gold_record("000_8c596ea8a2081205"), council=replace(gold_record("000_8c596ea8a2081205").council,
                                                                       gss_code=None))
    rg = map_record(rec, src)
    assert "/inspection/unknown/" in next(t.object.value for t in rg.triples
                                          if t.predicate.value == "http://www.w3.org/ns/prov#wasGeneratedBy")


def test_reference_graph_councils_have_typed_identifiers_and_ons_links():
    triples = reference_triples()
    doncaster = str(ID["council/E08000017"])
    props = {(t.predicate.value, t.object.value, getattr(t.object, "datatype", None) and t.object.datatype.value)
             for t in triples if t.subject.value == doncaster}
    assert ("http://purl.org/dc/terms/spatial", "http://statistics.data.gov.uk/id/statistical-geography/E08000017",
            None) in props
    assert ("http://www.w3.org/ns/org#identifier", "E08000017", str(KG.GSSCode)) in props
    assert ("http://www.w3.org/ns/org#identifier", "371", str(KG.DfELACode)) in props
    assert ("http://www.w3.org/ns/org#identifier", "80462", str(KG.OfstedURN)) in props
    assert not any(t.predicate.value == str(OWL.sameAs) for t in triples)


def test_every_kg_term_has_a_label_and_a_comment():
    from kg.paths import ontology_dir

    g = Graph().parse(ontology_dir() / "ofsted-kg.ttl", format="turtle")
    terms = {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(str(KG))}
    assert len(terms) > 40
    missing = [str(t) for t in terms if g.value(t, RDFS.label) is None or g.value(t, RDFS.comment) is None]
    assert missing == []


def test_selectors_use_the_text_rendition_keyed_by_text_hash(seed000):
    src, rg = seed000
    sources = {t.object.value for t in rg.triples if t.predicate.value == OA + "hasSource"}
    assert sources == {str(ID[f"text/{src.text_sha256[:16]}"])}
