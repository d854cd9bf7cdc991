"""The entities graph: shared entities (people, boards, services, organisations, roles, posts) stated once.

Why: a report graph used to type and name every person and organisation it mentions, so a query that
sees all graphs as one (`SELECT (COUNT(*) ...) WHERE { ?s a foaf:Person }`) counted a person once per
report. Now a report graph keeps only its own nodes (who inspected, with the name printed; which boards
and services it mentions, with the printed names and spans), and what those entities are and are called
is computed from them, by the one rule `ontology/entities.rq` (a SPARQL CONSTRUCT), into
`id:graph/entities`:

- `refresh_entities(store)` recomputes the graph over the whole store whenever what it is computed
  from changed (the reference graph, the set of report graphs, the rule): deterministic (a set of
  triples), idempotent, and a report pruned takes the entities only it named with it;
- `report_entity_triples(ntriples)` is the same rule over one report graph (and the reference graph):
  what that report alone says about them, so a report is validated with its entities before it is stored.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

import pyoxigraph as ox

from .errors import RuleFileError
from .namespaces import GRAPH_ENTITIES, GRAPH_REFERENCE
from .paths import ontology_dir

RULE_FILE = "entities.rq"
_SCRATCH = ox.NamedNode("urn:ofsted-kg:report-being-checked")


def rule_path():
    return ontology_dir() / RULE_FILE


@lru_cache(maxsize=1)
def entity_rule() -> str:
    """The text of ontology/entities.rq, checked to be a SPARQL CONSTRUCT query (RuleFileError if not)."""
    path = rule_path()
    try:
        sparql = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(f"cannot read the entities rule: {exc.strerror or exc}", source=str(path)) from exc
    try:
        result = ox.Store().query(sparql)
    except SyntaxError as exc:
        raise RuleFileError(f"the entities rule is not valid SPARQL: {' '.join(str(exc).split())}",
                            source=str(path)) from exc
    if not isinstance(result, ox.QueryTriples):
        raise RuleFileError("the entities rule must be a CONSTRUCT query", source=str(path))
    return sparql


def rule_digest() -> str:
    return hashlib.sha256(entity_rule().encode()).hexdigest()


def entity_triples(store) -> set[ox.Triple]:
    """The entities graph of a `GraphStore`: the rule over all its graphs seen as one."""
    return set(store.query(entity_rule(), use_default_graph_as_union=True))


@lru_cache(maxsize=1)
def _reference_store() -> ox.Store:
    """An in-memory store holding the reference graph, to run the rule on one report at a time."""
    from .rdf import reference_quads

    st = ox.Store()
    st.extend(reference_quads())
    return st


def report_entity_triples(ntriples: str) -> list[ox.Triple]:
    """What one report graph (N-Triples text) says about the entities it names, sorted: the rule over that
    graph and the reference graph alone."""
    st = _reference_store()
    st.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=_SCRATCH)
    try:
        return sorted(st.query(entity_rule(), use_default_graph_as_union=True), key=str)
    finally:
        st.clear_graph(_SCRATCH)


def entities_digest(store) -> str:
    """What the entities graph is computed from: the reference graph and the set of report graphs (the
    derived graph's digest), the rule, and the pipeline version (a new version rewrites report graphs
    under the same IRIs: a build stopped before recomputing the entities graph must not leave it stale)."""
    from .store import pipeline_version

    return f"{store.derived_digest()}+rule:{rule_digest()[:16]}+{pipeline_version()}"


def refresh_entities(store, force: bool = False) -> int | None:
    """Recompute the entities graph of a `GraphStore` if what it is computed from changed since it was
    last computed (or `force`); the number of its triples, or None if it was up to date."""
    digest = entities_digest(store)
    if not force and store.recorded_digest(str(GRAPH_ENTITIES)) == digest:
        return None
    triples = entity_triples(store)
    store.replace_entities(triples)
    store.record_digest(str(GRAPH_ENTITIES), digest)
    return len(triples)


__all__ = ["entity_rule", "entity_triples", "report_entity_triples", "refresh_entities", "entities_digest",
           "GRAPH_ENTITIES", "GRAPH_REFERENCE"]
