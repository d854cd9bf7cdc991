"""Counts over the graph: by class, by council and by year."""
from __future__ import annotations

from dataclasses import dataclass

from .namespaces import PREFIXES
from .query import rows_as_plain, run_query
from .store import GraphStore

BY_CLASS = """SELECT ?class (COUNT(DISTINCT ?s) AS ?count) WHERE { ?s a ?class }
              GROUP BY ?class ORDER BY DESC(?count) ?class"""
BY_COUNCIL = """SELECT ?council (COUNT(DISTINCT ?report) AS ?reports) (COUNT(DISTINCT ?judgement) AS ?judgements)
                       (COUNT(DISTINCT ?rec) AS ?recommendations) (COUNT(DISTINCT ?finding) AS ?findings)
WHERE {
  ?inspection a kg:Inspection ; kg:inspected ?c . ?c skos:prefLabel ?council .
  ?report prov:wasGeneratedBy ?inspection .
  OPTIONAL { ?judgement a kg:Judgement ; kg:inspection ?inspection }
  OPTIONAL { ?rec a kg:Recommendation ; kg:inspection ?inspection }
  OPTIONAL { ?finding a kg:Finding ; kg:inspection ?inspection }
} GROUP BY ?council ORDER BY ?council"""
BY_YEAR = """SELECT ?year (COUNT(DISTINCT ?inspection) AS ?inspections) (COUNT(DISTINCT ?rec) AS ?recommendations)
WHERE {
  ?inspection a kg:Inspection . OPTIONAL { ?inspection kg:startDate ?start }
  BIND(COALESCE(STR(YEAR(?start)), "unknown") AS ?year)
  OPTIONAL { ?rec a kg:Recommendation ; kg:inspection ?inspection }
} GROUP BY ?year ORDER BY ?year"""


@dataclass(frozen=True, slots=True)
class Stats:
    by_class: tuple[dict, ...]
    by_council: tuple[dict, ...]
    by_year: tuple[dict, ...]
    report_graphs: int
    quads: int


def stats(store: GraphStore) -> Stats:
    def rows(sparql: str) -> tuple[dict, ...]:
        return tuple(rows_as_plain(run_query(store, sparql), compact_iris=True))
    return Stats(rows(BY_CLASS), rows(BY_COUNCIL), rows(BY_YEAR), len(store.report_graphs()), len(store))


__all__ = ["stats", "Stats"]
