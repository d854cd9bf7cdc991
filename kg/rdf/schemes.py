"""The concept schemes of ontology/schemes.ttl as look-up tables, and which grade scale a judgement is on."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import pyoxigraph as ox

from ..errors import RuleFileError
from ..namespaces import AREA, BOARD_KIND, DEADLINE, GRADE, KG, REPORT_TYPE, SH
from ..paths import ontology_dir, shapes_dir
from .terms import SKOS_NS, _norm


@dataclass(frozen=True, slots=True)
class Schemes:
    areas: dict  # normalised label -> concept IRI
    grades: dict  # (scale, rank) -> concept IRI
    report_type_labels: dict  # code -> label
    board_kind_labels: dict  # code -> label
    max_duration_days: dict = field(default_factory=dict)  # report-type code -> kg:maxDurationDays
    due_rules: dict = field(default_factory=dict)  # deadline code -> (months after the last day, rule IRI)
    board_names: dict = field(default_factory=dict)  # board-kind code -> kg:councilBoardName
    grade_scales: dict = field(default_factory=dict)  # report-type code -> scale ('2009', 'sif', 'ilacs')
    grade_labels: dict = field(default_factory=dict)  # scale -> (normalised prefLabels, normalised hiddenLabels)
    graded_from: tuple = ()  # (first day, scale) of each grade scheme, earliest first
    grade_names: dict = field(default_factory=dict)  # every grade name (prefLabel, hiddenLabel) as written -> kg:rank

    @property
    def report_types(self) -> tuple[str, ...]:
        """The report-type codes, in the order of the scheme's file ('other' last)."""
        return tuple(sorted(self.report_type_labels, key=lambda c: (c == "other", c)))


@lru_cache(maxsize=1)
def schemes() -> Schemes:
    """Look-up tables read from ontology/schemes.ttl (loaded once)."""
    path = ontology_dir() / "schemes.ttl"
    store = _load_turtle(path, "the concept schemes")
    areas: dict[str, str] = {}
    for row in store.query(f"""SELECT ?c ?l WHERE {{ ?c <{SKOS_NS}inScheme> <{AREA}scheme> .
                               {{ ?c <{SKOS_NS}prefLabel> ?l }} UNION {{ ?c <{SKOS_NS}hiddenLabel> ?l }} }}"""):
        areas[_norm(row["l"].value)] = row["c"].value
    grades = {}
    for row in store.query(f"SELECT ?c ?r WHERE {{ ?c <{KG}rank> ?r }}"):
        grades[(_grade_scale_of(row["c"].value), int(row["r"].value))] = row["c"].value

    def labels(ns) -> dict:
        return {r["n"].value: r["l"].value for r in store.query(
            f"SELECT ?n ?l WHERE {{ ?c <{SKOS_NS}inScheme> <{ns}scheme> ; <{SKOS_NS}notation> ?n ;"
            f" <{SKOS_NS}prefLabel> ?l }}")}
    max_days = {r["n"].value: int(r["d"].value) for r in store.query(
        f"SELECT ?n ?d WHERE {{ ?c <{SKOS_NS}inScheme> <{REPORT_TYPE}scheme> ; <{SKOS_NS}notation> ?n ;"
        f" <{KG}maxDurationDays> ?d }}")}
    due = {r["n"].value: (int(r["m"].value), r["rule"].value) for r in store.query(
        f"SELECT ?n ?m ?rule WHERE {{ ?c <{SKOS_NS}inScheme> <{DEADLINE}scheme> ; <{SKOS_NS}notation> ?n ;"
        f" <{KG}dueDateRule> ?rule . ?rule <{KG}monthsAfterInspectionEnd> ?m }}")}
    board_names = {r["n"].value: r["w"].value for r in store.query(
        f"SELECT ?n ?w WHERE {{ ?c <{SKOS_NS}inScheme> <{BOARD_KIND}scheme> ; <{SKOS_NS}notation> ?n ;"
        f" <{KG}councilBoardName> ?w }}")}
    scales = {r["n"].value: _scale(r["s"].value) for r in store.query(
        f"SELECT ?n ?s WHERE {{ ?c <{SKOS_NS}inScheme> <{REPORT_TYPE}scheme> ; <{SKOS_NS}notation> ?n ;"
        f" <{KG}gradeScale> ?s }}")}
    grade_labels: dict[str, tuple[set, set]] = {}
    grade_names: dict[str, int] = {}
    for r in store.query(f"SELECT ?c ?p ?l ?r WHERE {{ ?c <{KG}rank> ?r ; ?p ?l ."
                         f" FILTER(?p IN (<{SKOS_NS}prefLabel>, <{SKOS_NS}hiddenLabel>)) }}"):
        pref, hidden = grade_labels.setdefault(_grade_scale_of(r["c"].value), (set(), set()))
        (pref if r["p"].value.endswith("prefLabel") else hidden).add(_norm(r["l"].value))
        if grade_names.setdefault(r["l"].value, int(r["r"].value)) != int(r["r"].value):
            raise RuleFileError(f"the grade name {r['l'].value!r} has two ranks", source=str(path))
    graded_from = tuple(sorted((date.fromisoformat(r["d"].value), _scale(r["s"].value)) for r in store.query(
        f"SELECT ?s ?d WHERE {{ ?s <{KG}gradedFrom> ?d }}")))
    return Schemes(areas, grades, labels(REPORT_TYPE), labels(BOARD_KIND), max_days, due, board_names, scales,
                   {k: (frozenset(p), frozenset(h)) for k, (p, h) in grade_labels.items()}, graded_from,
                   dict(sorted(grade_names.items())))


def _load_turtle(path, what: str) -> ox.Store:
    """A Turtle rule file (schemes, shapes) in an in-memory store; unreadable or invalid -> RuleFileError."""
    store = ox.Store()
    try:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    except (OSError, SyntaxError) as exc:
        raise RuleFileError(f"cannot load {what}: {exc}", source=str(path)) from exc
    return store


def _scale(scheme_iri: str) -> str:
    """grade:scheme-sif -> 'sif'."""
    return scheme_iri[len(str(GRADE)):].removeprefix("scheme-")


def _grade_scale_of(concept_iri: str) -> str:
    """grade:sif-good -> 'sif'."""
    return concept_iri[len(str(GRADE)):].split("-", 1)[0]


def grade_scale(report_type: str, label: str, start: date | None) -> str:
    """Which framework's grade scale a judgement is on: the report type's kg:gradeScale, else the one scale
    whose grade names (prefLabel, then hiddenLabel) the label is, else the date."""
    sch = schemes()
    if report_type in sch.grade_scales:
        return sch.grade_scales[report_type]
    key = _norm(label)
    for which in (0, 1):
        named = [scale for scale, names in sch.grade_labels.items() if key in names[which]]
        if len(named) == 1:
            return named[0]
    if not sch.graded_from:
        raise RuleFileError("no grade scheme has kg:gradedFrom", source=str(ontology_dir() / "schemes.ttl"))
    if start is None:
        return sch.graded_from[-1][1]  # the framework in use now
    in_use = [scale for first, scale in sch.graded_from if first <= start]
    return in_use[-1] if in_use else sch.graded_from[0][1]


@lru_cache(maxsize=1)
def letter_lag_days() -> int:
    """How many days after the inspection's end a letter may be dated before it is unusual: the
    sh:maxInclusive of the letter-lag shape (shapes/report.ttl), so the extractor's date note and the
    validator's warning share one threshold."""
    path = shapes_dir() / "report.ttl"
    store = _load_turtle(path, "the shapes")
    rows = list(store.query(f"SELECT ?d WHERE {{ ?s <{SH}path> <{KG}letterLagDays> ; <{SH}maxInclusive> ?d }}"))
    if len(rows) != 1:
        raise RuleFileError("expected one sh:maxInclusive on kg:letterLagDays", source=str(path))
    return int(rows[0]["d"].value)
