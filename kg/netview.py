"""The graph as networkx: for notebooks, for Gephi/Cytoscape files and for the pictures of `kg draw`.

RDF is a graph of triples; analysts want a graph of *things*. So every IRI or blank node becomes one
networkx node (id = the IRI, `_:id` for blank nodes) with

- `label`: its skos:prefLabel, rdfs:label, foaf:name or dcterms:title (English first), else the IRI's
  last segment, so a picture or a Gephi table is readable without looking anything up;
- `classes`: the rdf:type IRIs (sorted), and `kind`: one short word for the most telling class
  (`Inspection`, `LocalAuthority`, `Person`, ...), so nodes can be coloured or filtered by type;
- its literal values as attributes keyed by the predicate's compact name (`kg:startDate`), one value
  as a scalar, several as a list: literals are properties of a thing, not things.

Every triple between two resources is one edge of a `MultiDiGraph`, keyed by the predicate's
compact name, with `predicate` (full IRI) and `graphs` (the named graphs that state it). rdf:type is
kept as `classes`, not as edges to class nodes that would tie every inspection to one hub.

`to_networkx` reads the whole store or the result of any SPARQL CONSTRUCT/DESCRIBE or SELECT query;
the helper views below it (`council_timeline`, `theme_inspection_graph`, `inspector_council_graph`)
are the data behind the `kg draw` pictures. `write_graph` writes GraphML, GEXF or node-link JSON.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import networkx as nx
import pyoxigraph as ox

from .errors import KgError, QueryError, StoreError
from .namespaces import PREFIXES

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
FOAF = "http://xmlns.com/foaf/0.1/"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Predicates that name a thing, best first.
LABEL_PREDICATES = (SKOS + "prefLabel", RDFS + "label", FOAF + "name", DCT + "title")

#: Node attributes this module sets itself (literal attributes always carry a prefix or full IRI).
RESERVED_ATTRIBUTES = ("iri", "label", "classes", "kind")

_INT_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                "positiveInteger", "nonPositiveInteger", "negativeInteger",
                                "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOAT_TYPES = {XSD + t for t in ("decimal", "double", "float")}

_PREFIXES = sorted(((p, str(ns)) for p, ns in PREFIXES.items()), key=lambda x: -len(x[1]))
_KIND_NAMESPACES = (str(PREFIXES["kg"]), "http://www.w3.org/ns/org#", FOAF, "http://www.w3.org/ns/prov#",
                    SKOS, "http://www.w3.org/ns/oa#", DCT, "http://www.w3.org/2006/time#")
#: Generic classes that say little when a more telling one is present.
_WEAK_CLASSES = {"http://www.w3.org/ns/prov#Activity", "http://www.w3.org/ns/prov#Entity",
                 "http://www.w3.org/ns/prov#Agent", "http://www.w3.org/ns/org#FormalOrganization",
                 "http://www.w3.org/ns/org#Organization", FOAF + "Document", FOAF + "Agent",
                 "http://www.w3.org/2002/07/owl#NamedIndividual", RDFS + "Resource"}


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


# --------------------------------------------------------------------------------------------- #
# Opening whatever the caller has as a SPARQL-capable pyoxigraph Store
# --------------------------------------------------------------------------------------------- #

def open_store(source: Any) -> ox.Store:
    """A pyoxigraph Store for a Store, a Dataset, a store directory, an rdflib graph or a wrapper.

    A directory is opened read-only, so drawing never competes with a build for the write lock.
    """
    if isinstance(source, ox.Store):
        return source
    inner = getattr(source, "store", None) or getattr(source, "oxigraph", None)
    if isinstance(inner, ox.Store):
        return inner
    if isinstance(source, ox.Dataset):
        mem = ox.Store()
        mem.extend(iter(source))
        return mem
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:  # the store module's own opener, when it is there, for one wording of store errors
            from .store import GraphStore  # noqa: PLC0415

            return GraphStore(path, read_only=True).store
        except ImportError:
            pass
        if not path.is_dir():
            raise StoreError(f"no graph store at {path}", source=str(path),
                             hint="build one with: kg build REPORTS --store DIR")
        try:
            return ox.Store.read_only(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the graph store: {exc}", source=str(path)) from exc
    if hasattr(source, "serialize"):  # rdflib Graph / Dataset
        data = source.serialize(format="nquads" if hasattr(source, "contexts") else "ntriples")
        mem = ox.Store()
        fmt = ox.RdfFormat.N_QUADS if hasattr(source, "contexts") else ox.RdfFormat.N_TRIPLES
        mem.load(data.encode("utf-8") if isinstance(data, str) else data, format=fmt)
        return mem
    raise TypeError(f"cannot read a graph from {type(source).__name__}")


def _sparql_prefixes() -> dict[str, str]:
    return {p: str(ns) for p, ns in PREFIXES.items()}


def _term(value: Any) -> Any:
    """A Python value as a pyoxigraph term for a bound query parameter."""
    if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "double"))
    text = str(value)
    if text.startswith(("http://", "https://", "urn:")) and " " not in text:
        return ox.NamedNode(text)
    return ox.Literal(text)


def run_query(store: ox.Store, sparql: str, params: Mapping[str, Any] | None = None):
    """Run SPARQL over the union of all graphs with parameters bound (never pasted into the text)."""
    subs = {ox.Variable(k.lstrip("?$")): _term(v) for k, v in (params or {}).items() if v is not None}
    try:
        return store.query(sparql, use_default_graph_as_union=True, prefixes=_sparql_prefixes(),
                           substitutions=subs or None)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}", hint="check the query text") from exc
    except OSError as exc:
        raise StoreError(f"query failed: {exc}") from exc
    except RuntimeError as exc:  # e.g. a bound parameter the query does not select (SEP-0007)
        raise QueryError(f"query failed: {exc}",
                         hint="a bound parameter must be a variable the query selects") from exc


def prepare_query(query: Any, params: Mapping[str, Any] | None = None) -> tuple[str, dict]:
    """SPARQL text and bound parameters for a named query, a .rq file, SPARQL text or a NamedQuery.

    Named queries declare typed parameters (`# param: council (council) ...`); they are bound by the
    query module, so `council=Doncaster` becomes the council's IRI. Undeclared parameters of ad-hoc
    SPARQL are bound as IRIs (http..., urn:...), numbers or plain strings.
    """
    params = dict(params or {})
    try:
        from . import query as kq  # noqa: PLC0415
    except ImportError:  # the query module is optional for this view
        kq = None
    if kq is not None:
        nq = query if isinstance(query, kq.NamedQuery) else kq.resolve_query(str(query))
        if nq.params:
            subs = kq.bind(nq, {k.lstrip("?$"): str(v) for k, v in params.items()})
            return nq.sparql, {v.value: t for v, t in subs.items()}
        return nq.sparql, params
    return str(query), params


def resolve_query(spec: str) -> tuple[str, str]:
    """(name, SPARQL text) of a named query, a .rq file or SPARQL text given on the command line."""
    try:
        from . import query as kq  # noqa: PLC0415

        nq = kq.resolve_query(spec)
        return nq.name, nq.sparql
    except ImportError:
        return "query", spec


# --------------------------------------------------------------------------------------------- #
# RDF -> networkx
# --------------------------------------------------------------------------------------------- #

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
        if dt == XSD + "boolean":
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
    `params` are bound to its variables, never pasted into it (see `prepare_query`). CONSTRUCT/DESCRIBE results are read
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
    sparql, bound = prepare_query(query, params)
    result = run_query(store, sparql, bound)
    if isinstance(result, ox.QueryBoolean):
        raise QueryError("an ASK query answers yes or no; there is no graph to draw",
                         hint="use a CONSTRUCT or SELECT query")
    if isinstance(result, ox.QueryTriples):
        for t in result:
            b.add(t.subject, t.predicate, t.object, type_edges=type_edges)
        if describe:
            b.describe(store, list(b.nodes))
        return b.graph(source=getattr(query, "name", None) or "construct")
    variables = [v.value for v in result.variables]
    rows = list(result)
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


# --------------------------------------------------------------------------------------------- #
# Export: GraphML, GEXF, node-link JSON
# --------------------------------------------------------------------------------------------- #

GRAPH_FORMATS = ("graphml", "gexf", "json")
_GEXF_RESERVED = {"id", "pid", "start", "end", "spells", "viz", "start_open", "end_open"}


def scalar_copy(g: nx.Graph, fmt: str = "graphml") -> nx.Graph:
    """A copy whose attributes GraphML/GEXF can hold: lists become JSON text, mixed types become text.

    Both formats declare one type per attribute name, so an attribute that is an int on one node
    and text on another is written as text everywhere (reading it back must not fail).
    """
    h = g.copy()

    def fix(items: list[dict[str, Any]], reserved: set[str]) -> None:
        kinds: dict[str, set[type]] = defaultdict(set)
        for d in items:
            for k, v in list(d.items()):
                if v is None:
                    del d[k]
                    continue
                if isinstance(v, (list, tuple, set, dict)):
                    v = json.dumps(sorted(v, key=str) if isinstance(v, set) else v, ensure_ascii=False, default=str)
                elif not isinstance(v, (str, int, float, bool)):
                    v = str(v)
                if k in reserved:
                    del d[k]
                    k = f"attr_{k}"
                d[k] = v
                kinds[k].add(type(v))
        mixed = {k for k, ts in kinds.items() if len(ts) > 1}
        for d in items:
            for k in mixed & d.keys():
                d[k] = str(d[k])

    reserved = _GEXF_RESERVED if fmt == "gexf" else set()
    fix([d for _, d in h.nodes(data=True)], reserved)
    edge_data = [d for *_, d in (h.edges(keys=True, data=True) if h.is_multigraph() else h.edges(data=True))]
    fix(edge_data, reserved)
    fix([h.graph], set())
    return h


def write_graph(g: nx.Graph, path: str | Path, fmt: str) -> None:
    """Write the graph as GraphML (yEd, Cytoscape), GEXF (Gephi) or node-link JSON (d3, notebooks)."""
    if fmt not in GRAPH_FORMATS:
        raise KgError(f"unknown graph format {fmt!r}", hint="use one of: " + ", ".join(GRAPH_FORMATS))
    path = Path(path)
    if fmt == "json":
        data = nx.node_link_data(g, edges="edges")
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    elif fmt == "graphml":
        nx.write_graphml(scalar_copy(g, "graphml"), path)
    else:
        nx.write_gexf(scalar_copy(g, "gexf"), path)


# --------------------------------------------------------------------------------------------- #
# Helper views: the data behind `kg draw`
# --------------------------------------------------------------------------------------------- #

@dataclass(frozen=True, slots=True)
class Filters:
    """What part of the graph a view covers. Empty fields mean 'all'."""

    council: str | None = None  # a council's name (any of its labels) or IRI
    region: str | None = None  # an English region's name or IRI
    year_from: int | None = None  # inspections that started in or after this year
    year_to: int | None = None  # ... and in or before this year
    theme: str | None = None  # a theme's label (or part of it) or IRI

    def describe(self) -> str:
        parts = []
        if self.theme:
            parts.append(f"theme {self.theme!r}")
        return ", ".join(parts)

    def summary(self) -> str:
        """Every filter in words ('region London, 2013-2019'), for messages about an empty view."""
        years = (f"{self.year_from or ''}-{self.year_to or ''}" if self.year_from or self.year_to else "")
        parts = [f"council {self.council}" if self.council else "", f"region {self.region}" if self.region else "",
                 f"years {years}" if years else "", f"theme {self.theme!r}" if self.theme else ""]
        return ", ".join(p for p in parts if p) or "the whole store"


@dataclass(frozen=True, slots=True)
class Council:
    iri: str
    label: str
    region: str | None = None


@dataclass(frozen=True, slots=True)
class GradedJudgement:
    area: str  # area concept label (the printed wording if the area has no concept)
    area_iri: str | None
    grade: str  # the grade as the framework words it
    rank: int | None  # 1 outstanding ... 4 inadequate (kg:rank); None when unknown


@dataclass(frozen=True, slots=True)
class InspectionSummary:
    """One inspection with what the timeline shows of it."""

    iri: str
    council: str  # council IRI
    council_label: str
    start: str | None  # xsd:date lexical form
    end: str | None
    type_label: str  # "ILACS inspection", "Monitoring visit" ...
    type_code: str | None  # the report-type concept's notation
    judgements: tuple[GradedJudgement, ...] = ()
    recommendations: int = 0
    reports: tuple[str, ...] = ()  # report IRIs
    region: str | None = None  # the council's region

    @property
    def year(self) -> int | None:
        return int(self.start[:4]) if self.start and self.start[:4].isdigit() else None

    @property
    def overall(self) -> GradedJudgement | None:
        """The 'overall effectiveness' judgement if there is one, else the worst grade given."""
        graded = [j for j in self.judgements if j.rank is not None]
        for j in graded:
            if "overall" in j.area.lower():
                return j
        return max(graded, key=lambda j: j.rank) if graded else None


@dataclass(frozen=True, slots=True)
class Timeline:
    """A council's inspections in date order: the data of `kg draw timeline`."""

    council: Council
    inspections: tuple[InspectionSummary, ...]
    reports: int  # distinct reports the inspections come from
    dropped: int = 0  # inspections left out by the cap (the oldest)

    @property
    def years(self) -> tuple[int | None, int | None]:
        ys = [i.year for i in self.inspections if i.year]
        return (min(ys), max(ys)) if ys else (None, None)


_COUNCILS_Q = """
SELECT DISTINCT ?c ?label ?alt ?region WHERE {
  ?c a kg:LocalAuthority .
  OPTIONAL { ?c skos:prefLabel ?label }
  OPTIONAL { { ?c skos:altLabel ?alt } UNION { ?c skos:hiddenLabel ?alt } UNION { ?c rdfs:label ?alt } }
  OPTIONAL { ?c kg:region ?r . OPTIONAL { ?r skos:prefLabel ?rl } OPTIONAL { ?r rdfs:label ?rl2 } }
  BIND(COALESCE(?rl, ?rl2, STR(?r)) AS ?region)
}"""


def councils(source: Any) -> list[Council]:
    """Every council in the store, with its region: to resolve names and to filter by region."""
    store = open_store(source)
    found: dict[str, dict[str, Any]] = {}
    for row in run_query(store, _COUNCILS_Q):
        iri = row["c"].value
        d = found.setdefault(iri, {"labels": set(), "label": None, "region": None})
        if row["label"] is not None:
            d["label"] = d["label"] or row["label"].value
        if row["alt"] is not None:
            d["labels"].add(row["alt"].value)
        if row["region"] is not None:
            d["region"] = row["region"].value
    out = [Council(iri, d["label"] or sorted(d["labels"] or {local_name(iri)})[0], d["region"])
           for iri, d in found.items()]
    return sorted(out, key=lambda c: c.label)


def _norm(name: str) -> str:
    return " ".join(name.replace("&", "and").split()).casefold()


def find_council(source: Any, name: str) -> Council:
    """The council `name` means (any of its names, its GSS code, or its IRI), as the store holds it.

    Names are resolved by `kg.resolve.council_named`, the one resolver every command uses; an
    unknown name is an error listing the councils with inspections in the store.
    """
    every = {c.iri: c for c in councils(source)}
    if name in every:
        return every[name]
    from .rdf import council_iri  # noqa: PLC0415
    from .resolve import council_named  # noqa: PLC0415

    try:
        iri = council_iri(council_named(name).gss_code)
    except QueryError as exc:
        inspected = {row["c"].value for row in run_query(open_store(source),
                                                        "SELECT DISTINCT ?c WHERE { ?i kg:inspected ?c }")}
        with_reports = sorted(every[c].label for c in inspected if c in every)
        known = ", ".join(with_reports[:10]) + (" ..." if len(with_reports) > 10 else "")
        hint = (f"councils with inspections in this store: {known}" if with_reports
                else "the store has no inspections: run kg build")
        raise QueryError(f"{exc.message} in the store" if every else exc.message, hint=hint) from exc
    if iri not in every:
        raise QueryError(f"{name!r} is not in the store's council gazetteer", hint="run kg build to refresh it")
    return every[iri]


def _year_ok(start: str | None, f: Filters) -> bool:
    y = int(start[:4]) if start and start[:4].isdigit() else None
    if y is None:
        return f.year_from is None and f.year_to is None
    return (f.year_from is None or y >= f.year_from) and (f.year_to is None or y <= f.year_to)


def _region_ok(c: Council | None, f: Filters) -> bool:
    if not f.region:
        return True
    return c is not None and c.region is not None and (
        _norm(f.region) == _norm(c.region) or f.region == c.region or _norm(f.region) in _norm(c.region))


_INSPECTIONS_Q = """
SELECT ?i ?c ?start ?end ?type ?typeLabel ?typeCode WHERE {
  ?i a kg:Inspection ; kg:inspected ?c .
  OPTIONAL { ?i kg:startDate ?start }
  OPTIONAL { ?i kg:endDate ?end }
  OPTIONAL { ?i dcterms:type ?type .
             OPTIONAL { ?type skos:prefLabel ?typeLabel } OPTIONAL { ?type skos:notation ?typeCode } }
}"""

_REPORTS_Q = """
SELECT DISTINCT ?i ?report WHERE {
  { ?report prov:wasGeneratedBy ?i } UNION { ?i prov:generated ?report }
  ?i a kg:Inspection . ?report a kg:Report .
}"""

_JUDGEMENTS_Q = """
SELECT DISTINCT ?i ?area ?areaLabel ?areaPrinted ?gradeLabel ?gradePrinted ?rank WHERE {
  ?j a kg:Judgement ; kg:inspection ?i .
  OPTIONAL { ?j kg:area ?area . OPTIONAL { ?area skos:prefLabel ?areaLabel } }
  OPTIONAL { ?j kg:areaLabel ?areaPrinted }
  OPTIONAL { ?j kg:grade ?grade . OPTIONAL { ?grade skos:prefLabel ?gradeLabel } OPTIONAL { ?grade kg:rank ?rank } }
  OPTIONAL { ?j kg:gradeLabel ?gradePrinted }
}"""

_RECOMMENDATIONS_Q = """
SELECT ?i (COUNT(DISTINCT ?r) AS ?n) WHERE {
  ?r a kg:Recommendation ; kg:inspection ?i .
} GROUP BY ?i"""


def inspections(source: Any, filters: Filters = Filters()) -> list[InspectionSummary]:
    """Inspections (with judgements, recommendation counts and reports) that pass the filters, by date."""
    store = open_store(source)
    if filters.region:  # an unknown region is an error naming the known ones, not an empty view
        from dataclasses import replace  # noqa: PLC0415

        from .filters import region_named  # noqa: PLC0415

        filters = replace(filters, region=region_named(filters.region))
    by_iri = {c.iri: c for c in councils(store)}
    wanted_council = find_council(store, filters.council).iri if filters.council else None
    rows: dict[str, dict[str, Any]] = {}
    for row in run_query(store, _INSPECTIONS_Q):
        iri, council = row["i"].value, row["c"].value
        start = row["start"].value if row["start"] is not None else None
        if wanted_council and council != wanted_council:
            continue
        if not _region_ok(by_iri.get(council), filters) or not _year_ok(start, filters):
            continue
        d = rows.setdefault(iri, {"council": council, "start": start, "end": None, "type": None,
                                  "type_label": None, "type_code": None})
        d["start"] = min(filter(None, (d["start"], start)), default=None)
        if row["end"] is not None:
            d["end"] = max(filter(None, (d["end"], row["end"].value)), default=None)
        if row["type"] is not None:
            d["type"] = row["type"].value
            d["type_label"] = row["typeLabel"].value if row["typeLabel"] is not None else local_name(row["type"].value)
            d["type_code"] = row["typeCode"].value if row["typeCode"] is not None else local_name(row["type"].value)
    reports: dict[str, set[str]] = defaultdict(set)
    for row in run_query(store, _REPORTS_Q):
        if row["i"].value in rows:
            reports[row["i"].value].add(row["report"].value)
    judgements: dict[str, dict[tuple, GradedJudgement]] = defaultdict(dict)
    for row in run_query(store, _JUDGEMENTS_Q):
        i = row["i"].value
        if i not in rows:
            continue
        area = _first(row, "areaLabel", "areaPrinted") or (local_name(row["area"].value) if row["area"] else "judgement")
        grade = _first(row, "gradePrinted", "gradeLabel") or "?"
        rank = int(row["rank"].value) if row["rank"] is not None else None
        area_iri = row["area"].value if row["area"] is not None else None
        judgements[i].setdefault((area_iri or area, rank), GradedJudgement(area, area_iri, grade, rank))
    recs = {row["i"].value: int(row["n"].value) for row in run_query(store, _RECOMMENDATIONS_Q)}
    out = []
    for iri, d in rows.items():
        c = by_iri.get(d["council"])
        out.append(InspectionSummary(
            iri=iri, council=d["council"], council_label=c.label if c else local_name(d["council"]),
            start=d["start"], end=d["end"], type_label=d["type_label"] or "Inspection", type_code=d["type_code"],
            judgements=tuple(judgements.get(iri, {}).values()), recommendations=recs.get(iri, 0),
            reports=tuple(sorted(reports.get(iri, ()))), region=c.region if c else None))
    return sorted(out, key=lambda x: (x.start or "", x.council_label, x.iri))


def _first(row: Any, *names: str) -> str | None:
    for n in names:
        if row[n] is not None and str(row[n].value).strip():
            return str(row[n].value).strip()
    return None


def council_timeline(source: Any, council: str, filters: Filters = Filters(), *,
                     max_inspections: int | None = None) -> Timeline:
    """A council's inspections over the years, with judgements and recommendation counts.

    With `max_inspections`, only the most recent ones are kept and `dropped` says how many were not.
    """
    store = open_store(source)
    c = find_council(store, council)
    f = Filters(c.iri, None, filters.year_from, filters.year_to, None)
    items = inspections(store, f)
    dropped = 0
    if max_inspections is not None and len(items) > max_inspections:
        dropped = len(items) - max_inspections
        items = items[-max_inspections:]
    reports = {r for i in items for r in i.reports}
    return Timeline(c, tuple(items), len(reports), dropped)


_THEMES_Q = """
SELECT ?i ?theme ?themeLabel (COUNT(DISTINCT ?item) AS ?n) WHERE {
  ?item kg:theme ?theme ; kg:inspection ?i .
  OPTIONAL { ?theme skos:prefLabel ?themeLabel }
} GROUP BY ?i ?theme ?themeLabel"""

_INSPECTORS_Q = """
SELECT DISTINCT ?i ?p ?name ?role WHERE {
  ?i a kg:Inspection ; prov:qualifiedAssociation ?a .
  ?a prov:agent ?p .
  OPTIONAL { ?a prov:hadRole ?role }
  OPTIONAL { ?p foaf:name ?name }
}"""

TYPE_SHORT = {
    "annual-unannounced-inspection": "Unannounced",
    "safeguarding-and-looked-after-children-inspection": "Safeguarding & LAC",
    "single-inspection": "SIF inspection",
    "ilacs-inspection": "ILACS inspection",
    "focused-visit": "Focused visit",
    "monitoring-visit": "Monitoring visit",
    "joint-targeted-area-inspection": "JTAI",
    "other": "Other",
}

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def short_date(date: str | None) -> str:
    """'2015-11-27' -> 'Nov 2015': what people call an inspection."""
    if not date or len(date) < 7 or not date[:4].isdigit():
        return "undated"
    try:
        return f"{_MONTHS[int(date[5:7]) - 1]} {date[:4]}"
    except (ValueError, IndexError):
        return date[:4]


def inspection_label(i: InspectionSummary, *, with_council: bool = False) -> str:
    """'Nov 2015 SIF inspection' (prefixed with the council when several councils are shown)."""
    label = f"{short_date(i.start)} {TYPE_SHORT.get(i.type_code or '', i.type_label)}"
    return f"{i.council_label}: {label}" if with_council else label


def _theme_ok(iri: str, label: str, f: Filters) -> bool:
    return not f.theme or f.theme == iri or _norm(f.theme) in _norm(label)


def _scope(items: list[InspectionSummary], f: Filters) -> dict[str, Any]:
    years = [i.year for i in items if i.year]
    councils_shown = sorted({i.council_label for i in items})
    regions = sorted({i.region for i in items if i.region})
    return {"council": councils_shown[0] if f.council and councils_shown else (f.council or ""),
            "region": (regions[0] if len(regions) == 1 else f.region) if f.region else "", "councils": len(councils_shown),
            "inspections": len(items), "reports": len({r for i in items for r in i.reports}),
            "year_from": min(years) if years else "", "year_to": max(years) if years else "",
            "theme": f.theme or ""}


def theme_inspection_graph(source: Any, filters: Filters = Filters()) -> nx.Graph:
    """Bipartite graph of themes and the inspections whose recommendations/findings raised them.

    Edge `weight` = how many items of that inspection raise the theme. Theme nodes carry `items`
    (all such items) and `inspections` (how many inspections raised it: 2 or more is a recurrence).
    """
    store = open_store(source)
    items = inspections(store, filters)
    by_iri = {i.iri: i for i in items}
    several = len({i.council for i in items}) > 1
    g = nx.Graph()
    for row in run_query(store, _THEMES_Q):
        i = by_iri.get(row["i"].value)
        if i is None:
            continue
        theme = row["theme"].value
        label = row["themeLabel"].value if row["themeLabel"] is not None else local_name(theme)
        if not _theme_ok(theme, label, filters):
            continue
        if theme not in g:
            g.add_node(theme, kind="theme", label=label, bipartite=0, items=0, inspections=0)
        if i.iri not in g:
            overall = i.overall
            g.add_node(i.iri, kind="inspection", label=inspection_label(i, with_council=several), bipartite=1,
                       council=i.council_label, start=i.start or "", type=i.type_label,
                       rank=overall.rank if overall else None, grade=overall.grade if overall else "",
                       recommendations=i.recommendations)
        n = int(row["n"].value)
        if g.has_edge(theme, i.iri):
            g.edges[theme, i.iri]["weight"] += n
        else:
            g.add_edge(theme, i.iri, weight=n)
            g.nodes[theme]["inspections"] += 1
        g.nodes[theme]["items"] += n
    shown = [i for i in items if i.iri in g]
    g.graph.update(_scope(items if not filters.theme else shown, filters))
    g.graph["inspections_with_themes"] = len(shown)
    return g


def inspector_council_graph(source: Any, filters: Filters = Filters()) -> nx.Graph:
    """Bipartite graph of inspectors and the councils they inspected.

    Edge `weight` = inspections of that council the inspector took part in (`led` of them as lead);
    node `inspections` = how many inspections the inspector or council has in the view.
    """
    store = open_store(source)
    items = inspections(store, filters)
    by_iri = {i.iri: i for i in items}
    g = nx.Graph()
    seen: set[tuple[str, str]] = set()
    lead_role = str(PREFIXES["kg"]) + "LeadInspector"
    led: set[tuple[str, str]] = set()
    names: dict[str, str] = {}
    for row in run_query(store, _INSPECTORS_Q):
        i = by_iri.get(row["i"].value)
        if i is None:
            continue
        p = node_id(row["p"])
        if row["name"] is not None:
            names[p] = row["name"].value
        if row["role"] is not None and row["role"].value == lead_role:
            led.add((p, i.iri))
        seen.add((p, i.iri))
    per_council: dict[str, set[str]] = defaultdict(set)
    for p, iri in sorted(seen):
        i = by_iri[iri]
        per_council[i.council].add(iri)
        if p not in g:
            g.add_node(p, kind="inspector", label=names.get(p, local_name(p)), bipartite=0, inspections=0, led=0)
        if i.council not in g:
            g.add_node(i.council, kind="council", label=i.council_label, bipartite=1, inspections=0)
        g.nodes[p]["inspections"] += 1
        lead = (p, iri) in led
        g.nodes[p]["led"] += int(lead)
        if g.has_edge(p, i.council):
            g.edges[p, i.council]["weight"] += 1
            g.edges[p, i.council]["led"] += int(lead)
        else:
            g.add_edge(p, i.council, weight=1, led=int(lead))
    for council, its in per_council.items():
        g.nodes[council]["inspections"] = len(its)
    shown = [i for i in items if i.council in per_council]
    g.graph.update(_scope(shown, filters))
    return g


def cap_nodes(g: nx.Graph, max_nodes: int | None, *, keep_kind: str | None = None) -> tuple[nx.Graph, dict[str, int]]:
    """Keep at most `max_nodes` nodes, the most connected first (by total edge weight).

    Nodes of `keep_kind` are kept first, each with its strongest neighbour (e.g. the councils of
    an inspector view, so councils stay while the inspectors are cut), up to half the cap.
    Nodes left without edges are dropped too.
    Returns the smaller graph and how many nodes of each kind were cut.
    """
    if not max_nodes or g.number_of_nodes() <= max_nodes:
        return g, {}

    def score(n: str) -> tuple:
        d = g.nodes[n]
        return (d.get("kind") == keep_kind, g.degree(n, weight="weight"), d.get("label", ""))

    ranked = sorted(g.nodes, key=score, reverse=True)
    keep: dict[str, None] = {}
    anchors = [n for n in ranked if keep_kind and g.nodes[n].get("kind") == keep_kind][: max(1, max_nodes // 2)]
    for n in anchors:  # each kept anchor keeps its strongest link, so none is left standing alone
        keep[n] = None
        nbrs = sorted(g[n], key=lambda m: (g.edges[n, m].get("weight", 1), score(m)), reverse=True)
        if nbrs and len(keep) < max_nodes:
            keep.setdefault(nbrs[0], None)
    for n in ranked:
        if len(keep) >= max_nodes:
            break
        keep.setdefault(n, None)
    h = g.subgraph(keep).copy()
    h.remove_nodes_from([n for n in list(h) if h.degree(n) == 0])
    cut: dict[str, int] = defaultdict(int)
    for n in g:
        if n not in h:
            cut[g.nodes[n].get("kind", "node")] += 1
    h.graph.update(g.graph)
    return h, dict(cut)
