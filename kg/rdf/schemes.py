"""The concept schemes of ontology/schemes.ttl as look-up tables, and which grade scale a judgement is on."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import pyoxigraph as ox

from ..errors import RuleFileError
from ..namespaces import AREA, BOARD_KIND, GRADE, KG, REPORT_TYPE
from ..paths import ontology_dir
from .terms import SKOS_NS, _norm


@dataclass(frozen=True, slots=True)
class Schemes:
    areas: dict  # normalised label -> concept IRI
    grades: dict  # (scale, rank) -> concept IRI
    report_type_labels: dict  # code -> label
    board_kind_labels: dict  # code -> label
    max_duration_days: dict = field(default_factory=dict)  # report-type code -> kg:maxDurationDays


@lru_cache(maxsize=1)
def schemes() -> Schemes:
    """Look-up tables read from ontology/schemes.ttl (loaded once)."""
    path = ontology_dir() / "schemes.ttl"
    store = ox.Store()
    try:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    except (OSError, SyntaxError) as exc:
        raise RuleFileError(f"cannot load the concept schemes: {exc}", source=str(path)) from exc
    areas: dict[str, str] = {}
    for row in store.query(f"""SELECT ?c ?l WHERE {{ ?c <{SKOS_NS}inScheme> <{AREA}scheme> .
                               {{ ?c <{SKOS_NS}prefLabel> ?l }} UNION {{ ?c <{SKOS_NS}hiddenLabel> ?l }} }}"""):
        areas[_norm(row["l"].value)] = row["c"].value
    grades = {}
    for row in store.query(f"SELECT ?c ?r WHERE {{ ?c <{KG}rank> ?r }}"):
        iri = row["c"].value
        scale = iri[len(str(GRADE)):].split("-", 1)[0]
        grades[(scale, int(row["r"].value))] = iri

    def labels(ns) -> dict:
        return {r["n"].value: r["l"].value for r in store.query(
            f"SELECT ?n ?l WHERE {{ ?c <{SKOS_NS}inScheme> <{ns}scheme> ; <{SKOS_NS}notation> ?n ;"
            f" <{SKOS_NS}prefLabel> ?l }}")}
    max_days = {r["n"].value: int(r["d"].value) for r in store.query(
        f"SELECT ?n ?d WHERE {{ ?c <{SKOS_NS}inScheme> <{REPORT_TYPE}scheme> ; <{SKOS_NS}notation> ?n ;"
        f" <{KG}maxDurationDays> ?d }}")}
    return Schemes(areas, grades, labels(REPORT_TYPE), labels(BOARD_KIND), max_days)


def grade_scale(report_type: str, label: str, start: date | None) -> str:
    """Which framework's grade scale a judgement is on: from the report type, else the wording/date."""
    by_type = {"annual-unannounced-inspection": "2009", "safeguarding-and-looked-after-children-inspection": "2009",
               "single-inspection": "sif", "ilacs-inspection": "ilacs"}
    if report_type in by_type:
        return by_type[report_type]
    lab = label.lower()
    if "adequate" in lab or "satisfactory" in lab:
        return "2009"
    if "requires improvement to be good" in lab:
        return "ilacs"
    if "requires improvement" in lab:
        return "sif"
    if start is None:
        return "ilacs"
    return "2009" if start.year < 2013 else ("sif" if start < date(2018, 1, 1) else "ilacs")
