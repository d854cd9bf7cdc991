"""RDF as networkx: every IRI or blank node one node (label, classes, kind, literal values as attributes),
every link between resources one edge, from the whole store, some named graphs or a query's result."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any, Iterable, Mapping

import networkx as nx
import pyoxigraph as ox

from ..errors import QueryError
from ..namespaces import DCTERMS, FOAF, ORG, OA, OWL, PREFIXES, PROV, RDF, RDFS, SKOS, TIME, XSD
from ..query import NamedQuery, resolve_query, run_query, undeclared_params
from .source import open_store

RDF_TYPE = str(RDF.type)
_XSD = str(XSD)

#: Predicates that name a thing, best first.
LABEL_PREDICATES = (str(SKOS.prefLabel), str(RDFS.label), str(FOAF.name), str(DCTERMS.title))

#: Node attributes this module sets itself (literal attributes always carry a prefix or full IRI).
RESERVED_ATTRIBUTES = ("iri", "label", "classes", "kind")

_INT_TYPES = {_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                 "positiveInteger", "nonPositiveInteger", "negativeInteger",
                                 "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOAT_TYPES = {_XSD + t for t in ("decimal", "double", "float")}

_PREFIXES = sorted(((p, str(ns)) for p, ns in PREFIXES.items()), key=lambda x: -len(x[1]))
_KIND_NAMESPACES = tuple(str(ns) for ns in (PREFIXES["kg"], ORG, FOAF, PROV, SKOS, OA, DCTERMS, TIME))
#: Generic classes that say little when a more telling one is present.
_WEAK_CLASSES = {str(PROV.Activity), str(PROV.Entity), str(PROV.Agent), str(ORG.FormalOrganization),
                 str(ORG.Organization), str(FOAF.Document), str(FOAF.Agent), str(OWL.NamedIndividual),
                 str(RDFS.Resource)}


def compact(iri: str) -> str:
    """`https://w3id.org/ofsted-kg/def#grade` -> `kg:grade`; IRIs outside the known prefixes stay whole."""
    for prefix, ns in _PREFIXES:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def local_name(iri: str) -> str:
    """The last segment of an IRI: what to show when a resource has no label."""
    for sep in ("#", "/", ":"):
        if sep in iri.rstrip(sep):
            tail = iri.rstrip(sep).rsplit(sep, 1)[1]
            if tail:
                return tail
    return iri




def node_id(term: Any) -> str:
    """The networkx node id of an RDF resource: its IRI, or `_:id` for a blank node."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    raise TypeError(f"not a resource: {term!r}")


def literal_value(lit: ox.Literal) -> Any:
    """A literal as a plain Python scalar: numbers and booleans typed, everything else its lexical form."""
    dt = lit.datatype.value if lit.datatype is not None else None
    try:
        if dt in _INT_TYPES:
            return int(lit.value)
        if dt in _FLOAT_TYPES:
            return float(lit.value)
        if dt == _XSD + "boolean":
            return lit.value.strip() in ("true", "1")
    except ValueError:
        pass
    return lit.value


class _Builder:
    """Collects resources, literal values and links, then emits a deterministic MultiDiGraph."""

    def __init__(self) -> None:
        self.literals: dict[str, dict[str, list[tuple[Any, str | None]]]] = defaultdict(lambda: defaultdict(list))
        self.classes: dict[str, set[str]] = defaultdict(set)
        self.nodes: dict[str, str] = {}  # id -> "iri" | "blank"
        self.edges: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        self._seen_literals: set[tuple[str, str, Any]] = set()
        self.triples = 0

    def add_node(self, term: Any) -> str:
        nid = node_id(term)
        self.nodes.setdefault(nid, "blank" if isinstance(term, ox.BlankNode) else "iri")
        return nid

    def add(self, s: Any, p: Any, o: Any, graph: Any = None, *, type_edges: bool = False) -> None:
        if not isinstance(s, (ox.NamedNode, ox.BlankNode)):
            return  # RDF-star triple terms are not drawn
        sid = self.add_node(s)
        pred = p.value
        gname = graph.value if isinstance(graph, (ox.NamedNode, ox.BlankNode)) else None
        if isinstance(o, ox.Literal):
            key = (sid, pred, o)
            if key not in self._seen_literals:
                self._seen_literals.add(key)
                self.triples += 1
                self.literals[sid][pred].append((literal_value(o), o.language))
            return
        if not isinstance(o, (ox.NamedNode, ox.BlankNode)):
            return
        if pred == RDF_TYPE and not type_edges:
            if o.value not in self.classes[sid]:
                self.triples += 1
            self.classes[sid].add(o.value)
            return
        oid = self.add_node(o)
        ekey = (sid, pred, oid)
        if ekey not in self.edges:
            self.triples += 1
        self.edges[ekey].add(gname or "")

    def describe(self, store: ox.Store, ids: Iterable[str]) -> None:
        """Fill labels and classes from the store for nodes the query result did not describe."""
        type_node = ox.NamedNode(RDF_TYPE)
        label_nodes = [ox.NamedNode(p) for p in LABEL_PREDICATES]
        for nid in ids:
            if self.nodes.get(nid) != "iri":
                continue
            subject = ox.NamedNode(nid)
            if not self.classes.get(nid):
                for q in store.quads_for_pattern(subject, type_node, None, None):
                    if isinstance(q.object, ox.NamedNode):
                        self.classes[nid].add(q.object.value)
            have = self.literals.get(nid, {})
            if not any(p in have for p in LABEL_PREDICATES):
                for pnode in label_nodes:
                    seen = set()
                    for q in store.quads_for_pattern(subject, pnode, None, None):
                        if isinstance(q.object, ox.Literal) and q.object not in seen:
                            seen.add(q.object)
                            self.literals[nid][pnode.value].append((q.object.value, q.object.language))
                    if seen:
                        break

    def graph(self, **graph_attrs: Any) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph(**graph_attrs)
        for nid in sorted(self.nodes):
            kind = kind_of(self.classes.get(nid, ()), blank=self.nodes[nid] == "blank")
            attrs: dict[str, Any] = {"iri": nid if self.nodes[nid] == "iri" else "",
                                     "label": _label(nid, self.literals.get(nid, {})) or f"[{kind}]",
                                     "classes": sorted(self.classes.get(nid, ())), "kind": kind}
            for pred, values in sorted(self.literals.get(nid, {}).items()):
                vals = [v for v, _ in values]
                attrs[compact(pred)] = vals[0] if len(vals) == 1 else sorted(vals, key=str)
            g.add_node(nid, **attrs)
        for (s, p, o), graphs in sorted(self.edges.items()):
            g.add_edge(s, o, key=compact(p), predicate=p, label=compact(p),
                       graphs=sorted(x for x in graphs if x))
        g.graph.setdefault("triples", self.triples)
        return g


def _label(nid: str, literals: Mapping[str, list[tuple[Any, str | None]]]) -> str:
    for pred in LABEL_PREDICATES:
        values = literals.get(pred)
        if values:
            ranked = sorted(values, key=lambda v: (0 if v[1] in (None, "", "en") else 1, str(v[0])))
            return str(ranked[0][0])
    return "" if nid.startswith("_:") else local_name(nid)


def kind_of(classes: Iterable[str], *, blank: bool = False) -> str:
    """One short word for a node's type: the most specific project (kg:) class first, then ORG/FOAF/PROV/SKOS."""
    classes = sorted(classes)
    for ns in _KIND_NAMESPACES:
        strong = [c for c in classes if c.startswith(ns) and c not in _WEAK_CLASSES]
        if strong:
            return local_name(strong[0])
    for c in classes:
        if c not in _WEAK_CLASSES:
            return local_name(c)
    if classes:
        return local_name(classes[0])
    return "blank" if blank else "resource"


def to_networkx(source: Any, query: str | None = None, *, params: Mapping[str, Any] | None = None,
                graphs: Iterable[str] | None = None, describe: bool = True,
                type_edges: bool = False) -> nx.MultiDiGraph:
    """A networkx MultiDiGraph of the whole store, of some named graphs, or of a SPARQL result.

    `query` is SPARQL text, a named query (`council-timeline`), a .rq file or a NamedQuery;
    `params` are bound to its variables, never pasted into it (kg.query binds them: a named query's as it declares, else by their values). CONSTRUCT/DESCRIBE results are read
    as triples; SELECT rows are read as:

    - triples, when the query selects `?s ?p ?o` (or `?subject ?predicate ?object`);
    - otherwise a star per row: the first resource column is the row's hub; every other resource
      column is an edge hub -> value keyed by the column name; the row's literal columns become
      attributes of those edges (or of the hub when the row has no other resource), e.g. a count.

    `describe` fills labels and classes of result nodes from the store, so a query need not
    select them. `graphs` limits the whole-store view to these named graph IRIs.
    """
    store = open_store(source)
    b = _Builder()
    if query is None:
        wanted = [ox.NamedNode(g) for g in graphs] if graphs else [None]
        for gname in wanted:
            for q in store.quads_for_pattern(None, None, None, gname):
                b.add(q.subject, q.predicate, q.object, q.graph_name, type_edges=type_edges)
        return b.graph(source="store" if not graphs else "graphs: " + ", ".join(sorted(graphs)))
    nq = query if isinstance(query, NamedQuery) else resolve_query(str(query))
    values = {k.lstrip("?$"): v for k, v in (params or {}).items() if v is not None}
    if values and not nq.params:  # SPARQL text that declares no parameters: typed by their values
        nq = replace(nq, params=undeclared_params(values))
    result = run_query(store, nq, {k: str(v) for k, v in values.items()})
    if result.kind == "ask":
        raise QueryError("an ASK query answers yes or no; there is no graph to draw",
                         hint="use a CONSTRUCT or SELECT query")
    if result.kind == "triples":
        for t in result.rows:
            b.add(t["subject"], t["predicate"], t["object"], type_edges=type_edges)
        if describe:
            b.describe(store, list(b.nodes))
        return b.graph(source=getattr(query, "name", None) or "construct")
    variables = list(result.columns)
    rows = result.rows
    g_extra: list[tuple[str, str, str, dict[str, Any]]] = []
    hub_attrs: dict[str, dict[str, Any]] = defaultdict(dict)
    triple_vars = _triple_variables(variables)
    for row in rows:
        if triple_vars:
            s, p, o = (row[v] for v in triple_vars)
            if s is not None and isinstance(p, ox.NamedNode) and o is not None:
                b.add(s, p, o, type_edges=type_edges)
            continue
        resources = [(v, row[v]) for v in variables if isinstance(row[v], (ox.NamedNode, ox.BlankNode))]
        literals = {v: literal_value(row[v]) for v in variables if isinstance(row[v], ox.Literal)}
        if not resources:
            continue
        hub_var, hub = resources[0]
        hid = b.add_node(hub)
        if len(resources) == 1:
            _merge(hub_attrs[hid], literals)
        for var, term in resources[1:]:
            g_extra.append((hid, var, b.add_node(term), literals))
    if rows and not triple_vars and not b.nodes:
        raise QueryError(f"the result of {getattr(query, 'name', None) or str(query)[:40]!r} holds no IRI to make a "
                         f"node of (its columns: {', '.join(variables)})",
                         hint="select the resources themselves (e.g. ?person, ?inspection), or use `kg query` "
                              "for a table")
    if describe:
        b.describe(store, list(b.nodes))
    g = b.graph(source="select", variables=" ".join(variables))
    for nid, attrs in hub_attrs.items():
        g.nodes[nid].update({k: v for k, v in attrs.items() if k not in RESERVED_ATTRIBUTES})
    for hid, var, oid, attrs in g_extra:
        data = {k: v for k, v in attrs.items() if k not in ("predicate", "label", "graphs")}
        if g.has_edge(hid, oid, key=var):  # several rows for one edge: keep every value, not the last
            data = _merge(dict(g.edges[hid, oid, var]), data)
        g.add_edge(hid, oid, key=var, **{**data, "predicate": var, "label": var, "graphs": []})
    return g


def _merge(into: dict[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Add a row's literal values to attributes: a second, different value makes a sorted list of them."""
    for k, v in values.items():
        if k not in into or into[k] == v:
            into[k] = v
            continue
        old = into[k] if isinstance(into[k], list) else [into[k]]
        into[k] = old if v in old else sorted([*old, v], key=str)
    return into


def _triple_variables(variables: list[str]) -> tuple[str, str, str] | None:
    for names in (("s", "p", "o"), ("subject", "predicate", "object")):
        if all(n in variables for n in names):
            return names
    return None


