"""kg.themes: the SKOS theme scheme loads, every theme is documented, matches carry evidence spans."""
from __future__ import annotations

import json

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.errors import RuleFileError
from kg.namespaces import KG
from kg.paths import ontology_dir
from kg.themes import assign_themes, default_scheme, load_scheme

THEMES = ontology_dir() / "themes.ttl"


def test_scheme_size_and_definitions():
    scheme = default_scheme()
    assert 30 <= len(scheme.themes) <= 50
    for t in scheme.themes:
        assert t.iri.startswith(str(KG)) and t.label and t.definition and t.patterns


def test_own_vocabulary_is_documented():
    g = Graph().parse(THEMES)
    terms = [s for s in g.subjects(RDF.type, None)
             if str(s).startswith(str(KG)) and (s, RDF.type, SKOS.Concept) not in g
             and (s, RDF.type, SKOS.ConceptScheme) not in g]
    assert KG.RecurrenceLink in terms and KG.score in terms and KG.sharedTheme in terms and KG.pattern in terms
    for term in terms:
        assert g.value(term, RDFS.label) is not None, term
        assert g.value(term, RDFS.comment) is not None, term
    assert (KG.RecurrenceLink, RDF.type, OWL.Class) in g


@pytest.mark.parametrize("text, label, evidence", [
    ("Not all staff receive regular formal supervision.", "Supervision of social workers", "supervision"),
    ("improve completion rate of Common Assessment Frameworks (CAFs).",
     "Early help and the common assessment framework", "Common Assessment Frameworks"),
    ("The quality and timeliness of achieving permanence.", "Permanence", "permanence"),
    ("continue to strengthen the Children's Trust to enable it to fulfil its function",
     "Children's Trust and strategic partnership planning", "Children's Trust"),
])
def test_assign_themes_with_evidence(text, label, evidence):
    matches = {m.label: m for m in assign_themes(text)}
    assert label in matches
    m = matches[label]
    assert m.evidence == evidence
    assert text[m.start:m.end] == m.evidence


def test_provider_trust_is_not_a_childrens_trust():
    labels = {m.label for m in assign_themes(
        "The scrutiny arrangements between senior leaders of the council and the Children’s Services Trust.")}
    assert "Children's Trust and strategic partnership planning" not in labels
    assert "Leadership, governance and scrutiny" in labels


def test_every_gold_recommendation_span_is_exact(gold):
    for stem in ("000_8c596ea8a2081205", "002_f1ebdee6c896ebcd", "doncaster_2015-11-27"):
        for r in gold(stem)["recommendations"]:
            for m in assign_themes(r["text"]):
                assert r["text"][m.start:m.end] == m.evidence


def test_broken_pattern_names_the_file(tmp_path):
    bad = tmp_path / "themes.ttl"
    bad.write_text(THEMES.read_text(encoding="utf-8").replace(
        'kg:pattern "\\\\bsupervis', 'kg:pattern "(unclosed \\\\bsupervis', 1), encoding="utf-8")
    with pytest.raises(RuleFileError) as exc:
        load_scheme(bad)
    assert str(bad) in exc.value.one_line() and "does not compile" in exc.value.one_line()


def test_broken_turtle_names_the_file(tmp_path):
    bad = tmp_path / "themes.ttl"
    bad.write_text("kg:oops a .", encoding="utf-8")
    with pytest.raises(RuleFileError) as exc:
        load_scheme(bad)
    assert str(bad) in exc.value.one_line()
