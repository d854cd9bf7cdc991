"""Recurrence and the store: items read back from report graphs, and the derived graph written, in
full or as a delta.

A new or changed report touches only the issues its items carry (and those of the items it replaces):
each issue's links depend on the parts that carry it and nothing else (kg.recur.links), so an update
recomputes those issues' links alone and writes the difference. The derived graph records what that
needs: `kg:carriesIssue` per item (which items each issue's block holds) and `prov:used` per report
graph (which report graphs the links were made from). Every store access goes through GraphStore.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from ..namespaces import DCTERMS, GRAPH_DERIVED, GRAPH_REFERENCE, KG, PROV, RDF, SKOS, report_graph
from ..themes import ThemeScheme, assign_themes, default_scheme
from .items import states_shortfall, Item, _document_name, item_order
from .links import LinkParams, RecurrenceResult, link_items
from .rdf import (_GROUP_PREFIX, _local, activity_iri, derived_quads, group_quads, item_quads, link_iri_str,
                  link_quads, used_quads)

_ITEMS_QUERY = """
PREFIX kg: <https://w3id.org/ofsted-kg/def#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?item ?cls ?pos ?kind ?text ?file ?rep ?insp ?c ?council ?letter ?issued ?start ?end WHERE {
  GRAPH ?g {
    VALUES ?cls { kg:Recommendation kg:Finding }
    ?item a ?cls ; kg:position ?pos ; rdf:value ?text ; kg:kind ?kind ; prov:wasDerivedFrom ?rep .
    ?rep a kg:Report ; kg:fileName ?file .
    OPTIONAL { ?item kg:inspection ?insp .
               OPTIONAL { ?insp kg:startDate ?start } OPTIONAL { ?insp kg:endDate ?end }
               OPTIONAL { ?insp kg:inspected ?c } }
    OPTIONAL { ?rep dcterms:date ?letter }
    OPTIONAL { ?rep dcterms:issued ?issued }
  }
  OPTIONAL { GRAPH ?ref { ?c skos:prefLabel ?council } }
}
"""


_RDF, _KG, _DCT = str(RDF), str(KG), str(DCTERMS)



def items_from_store(store, scheme: ThemeScheme | None = None,
                     finding_kinds: Sequence[str] = ("weakness", "headline-finding"),
                     skip_graphs: frozenset[str] | set[str] = frozenset(),
                     only_items: Iterable[str] | None = None, themed: bool = True) -> tuple[Item, ...]:
    """The linkable items of every report graph of a built store (`kg.store.GraphStore`), themed.

    The same selection as `collect_items`, read back from the graph the build wrote: recommendations,
    and findings of `finding_kinds` (headline findings only when they state a shortfall).

    The same answers as the SPARQL query `_ITEMS_QUERY` (`_items_from_store_sparql`, kept as the
    reference; tests/test_speed_parity.py), read with quad patterns: per item, its own quads in its
    report graph, and per report and inspection theirs, looked up once. A SPARQL query joining across
    every graph of a 20x store took most of a minute; this takes about a second. Report graphs in
    `skip_graphs` are passed over (their items are known already: `report_items`). `only_items` (item
    IRIs): read those items only (an update reads the items of the issues it recomputes);
    `themed=False` leaves the themes out (an update does not need them).
    """
    import pyoxigraph as ox

    scheme = scheme or default_scheme()
    N = ox.NamedNode
    rdf_type, rdf_value = N(_RDF + "type"), _RDF + "value"
    position, kind_p, derived = _KG + "position", _KG + "kind", str(PROV.wasDerivedFrom)
    report_c, file_p, insp_p = N(_KG + "Report"), _KG + "fileName", _KG + "inspection"
    start_p, end_p, inspected_p = _KG + "startDate", _KG + "endDate", _KG + "inspected"
    letter_p, issued_p = _DCT + "date", _DCT + "issued"
    pref_label = N(str(SKOS.prefLabel))
    reference = str(GRAPH_REFERENCE)
    classes = {_KG + "Recommendation": "recommendation", _KG + "Finding": "finding"}

    def props(node, graph) -> dict[str, object]:
        """predicate IRI -> the least object (by its N-Triples form, for determinism) of node in graph."""
        out: dict[str, object] = {}
        for q in store.match(node, None, None, graph):
            p = q.predicate.value
            if p not in out or str(q.object) < str(out[p]):
                out[p] = q.object
        return out

    reports: dict[tuple, tuple | None] = {}
    inspections: dict[tuple, dict] = {}
    labels: dict[str, str | None] = {}

    def report_of(rep, graph):
        key = (rep, graph)
        if key not in reports:
            p = props(rep, graph)
            is_report = any(True for _ in store.match(rep, rdf_type, report_c, graph))
            reports[key] = (p, p[file_p].value) if is_report and file_p in p else None
        return reports[key]

    def label_of(council) -> str | None:
        if council.value not in labels:
            found = sorted((q.graph_name.value != reference, str(q.object), q.object.value)
                           for q in store.match(council, pref_label, None, None))
            labels[council.value] = found[0][2] if found else None
        return labels[council.value]

    seen: dict[str, Item] = {}

    def read(node, graph, category: str) -> None:
        p = props(node, graph)
        if not all(k in p for k in (position, rdf_value, kind_p, derived)):
            return
        rep = report_of(p[derived], graph)
        if rep is None:
            return
        kind = _local(p[kind_p].value)
        text = p[rdf_value].value
        if category == "finding" and (kind not in finding_kinds or
                                      kind == "headline-finding" and not states_shortfall(text)):
            return
        rep_props, file_name = rep
        insp = p.get(insp_p)
        ip = {}
        if insp is not None:
            key = (insp, graph)
            ip = inspections[key] if key in inspections else inspections.setdefault(key, props(insp, graph))
        c = ip.get(inspected_p)
        council = (label_of(c) if c is not None else None) or "(unknown council)"
        val = lambda d, k: d[k].value if k in d else None  # noqa: E731
        date = val(rep_props, issued_p) or val(rep_props, letter_p) or val(ip, end_p) or val(ip, start_p)
        document = _document_name(file_name or _local(p[derived].value))
        pos = int(p[position].value)
        seen[node.value] = Item(key=f"{document}#{category}-{pos}", document=document, council=council,
                                gss_code=_local(c.value) if c is not None else None, date=date,
                                inspection=insp.value if insp is not None else document, category=category,
                                position=pos, kind=kind, text=text,
                                themes=assign_themes(text, scheme) if themed else (),
                                text_sha256=_local(p[derived].value))

    if only_items is not None:
        for iri in sorted(set(only_items)):
            node = N(iri)
            for tq in store.match(node, rdf_type, None, None):
                cat = classes.get(tq.object.value)
                if cat is not None and tq.graph_name.value.startswith(_REPORT_GRAPHS) and node.value not in seen:
                    read(node, tq.graph_name, cat)
        return tuple(sorted(seen.values(), key=item_order))
    for cls, category in classes.items():
        for tq in store.match(None, rdf_type, N(cls), None):
            node, graph = tq.subject, tq.graph_name
            if node.value in seen or graph.value in skip_graphs:
                continue
            read(node, graph, category)
    return tuple(sorted(seen.values(), key=item_order))


_REPORT_GRAPHS = str(report_graph("")).rstrip("/") + "/"


def _items_from_store_sparql(store, scheme: ThemeScheme | None = None,
                             finding_kinds: Sequence[str] = ("weakness", "headline-finding")) -> tuple[Item, ...]:
    """`items_from_store` as one SPARQL query (`_ITEMS_QUERY`): the reference for the parity test."""
    scheme = scheme or default_scheme()
    seen: dict[str, Item] = {}
    for row in store.query(_ITEMS_QUERY):
        iri = row["item"].value
        if iri in seen:
            continue
        category = "recommendation" if row["cls"].value.endswith("Recommendation") else "finding"
        kind = _local(row["kind"].value)
        text = row["text"].value
        if category == "finding" and (kind not in finding_kinds or
                                      kind == "headline-finding" and not states_shortfall(text)):
            continue
        val = lambda k: row[k].value if row[k] is not None else None  # noqa: E731
        report_hash = _local(val("rep") or "")
        council = val("council") or "(unknown council)"
        date = val("issued") or val("letter") or val("end") or val("start")
        document = _document_name(val("file") or report_hash)
        position = int(val("pos"))
        seen[iri] = Item(key=f"{document}#{category}-{position}", document=document, council=council,
                         gss_code=_local(val("c")) if val("c") else None, date=date,
                         inspection=val("insp") or document, category=category, position=position, kind=kind,
                         text=text, themes=assign_themes(text, scheme), text_sha256=report_hash)
    return tuple(sorted(seen.values(), key=item_order))


def report_items(graph: str, ntriples: str) -> tuple[Item, ...]:
    """The linkable items of one report graph (N-Triples text), themed with the default scheme: exactly
    what `items_from_store` reads back for that graph once it is stored (the same function runs on a
    small in-memory store holding the graph and the reference labels of the nodes it names). The build's
    workers call it, so that the main process need not read every report back."""
    import pyoxigraph as ox

    from ..store import GraphStore

    tiny = GraphStore(None)
    g = ox.NamedNode(graph)
    tiny.load_ntriples(ntriples, graph)
    labels = _reference_labels()
    councils = {q.object for q in tiny.match(None, ox.NamedNode(_KG + "inspected"), None, g)}
    ref = ox.NamedNode(str(GRAPH_REFERENCE))  # the labels items_from_store looks up (councils' names)
    tiny.add_quads([ox.Quad(n, p, o, ref) for n in councils for p, o in labels.get(n, ())])
    return items_from_store(tiny)


@lru_cache(maxsize=1)
def _reference_labels() -> dict:
    """Node -> its (skos:prefLabel, label) pairs in the reference graph (kg.rdf.reference_triples)."""
    from ..rdf import reference_triples

    pref = str(SKOS.prefLabel)
    out: dict = {}
    for t in reference_triples():
        if t.predicate.value == pref:
            out.setdefault(t.subject, []).append((t.predicate, t.object))
    return out


def refresh_derived(store, params: LinkParams = LinkParams(), scheme: ThemeScheme | None = None,
                    known_items: Mapping[str, Sequence[Item]] | None = None) -> RecurrenceResult:
    """Recompute themes and links from all of a store's report graphs and replace its `derived` graph
    (`known_items`: report graph IRI -> `report_items` of it, for graphs of the store whose items were
    worked out already, by the build's workers; used with the default scheme only)."""
    known_items = known_items if known_items and (scheme is None or scheme is default_scheme()) else {}
    present = set(store.report_graphs())
    items = items_from_store(store, scheme, skip_graphs=frozenset(known_items))
    if known_items:
        items = tuple(sorted((*items, *(it for g, its in known_items.items() if g in present for it in its)),
                             key=item_order))
    scheme = scheme or default_scheme()
    result = link_items(items, params, scheme)
    store.replace_derived(derived_quads(result, used=sorted(present)))
    store.flush()
    return result


@dataclass(frozen=True, slots=True)
class DerivedUpdate:
    """What `update_derived` did: the report graphs added and removed, the issues whose links were
    recomputed, the quads written and taken out, and the links the derived graph now holds."""

    added: int
    removed: int
    issues: int
    quads_added: int
    quads_removed: int
    links: int
    full: bool = False  # the whole graph was recomputed (no earlier linking run of these parameters)


def update_derived(store, known_items: Mapping[str, Sequence[Item]] | None = None,
                   params: LinkParams = LinkParams()) -> DerivedUpdate:
    """Bring the derived graph up to date with the store's report graphs by a delta: the items of report
    graphs added since the last linking run (`known_items` when the build's workers worked them out)
    and of those removed since, the links of the issues those items carry recomputed over every item
    that carries them, and only the difference written. The result is the graph `refresh_derived`
    would write (tests/test_recur_incremental.py). When the derived graph has no linking run of these
    parameters and software version (a new store, a new method), or when most report graphs were added
    or removed, it is recomputed in full."""
    import pyoxigraph as ox

    N = ox.NamedNode
    g = N(str(GRAPH_DERIVED))
    act = N(str(activity_iri(params)))
    known_items = known_items or {}
    present = set(store.report_graphs())
    from .. import __version__

    version = next(store.match(act, N(str(KG.softwareVersion)), None, g), None)
    used = {q.object.value for q in store.match(act, N(str(PROV.used)), None, g)}
    added, removed = sorted(present - used), sorted(used - present)
    if version is None or version.object.value != __version__ or 2 * (len(added) + len(removed)) > len(present):
        # no linking run of these parameters and this version, or most reports changed: the whole graph
        result = refresh_derived(store, params, known_items=known_items)
        return DerivedUpdate(len(added), len(removed), len({l.issue for l in result.links}), -1, -1,
                             len(result.links), True)
    if not added and not removed:
        return DerivedUpdate(0, 0, 0, 0, 0, count_links(store))

    new_items: list[Item] = []
    for graph in added:
        if graph in known_items:
            new_items += known_items[graph]
    unknown = [graph for graph in added if graph not in known_items]
    if unknown:  # read back the items of those graphs (an update outside `kg build`)
        nodes = {q.subject.value for graph in unknown for q in store.match(None, N(str(RDF.type)), None, N(graph))
                 if q.object.value in (str(KG.Recommendation), str(KG.Finding))}
        new_items += items_from_store(store, only_items=nodes)
    new_items = sorted(new_items, key=item_order)

    remove: list = used_quads(removed, params)
    carries = N(str(KG.carriesIssue))
    gone_prefixes = tuple(_item_prefix(r) for r in removed)
    gone_items: set[str] = set()
    affected: set[str] = set()
    if gone_prefixes:
        for q in store.match(None, carries, None, g):
            if q.subject.value.startswith(gone_prefixes):
                gone_items.add(q.subject.value)
                affected.add(q.object.value)
        for q in store.match(None, N(str(KG.theme)), None, g):
            if q.subject.value.startswith(gone_prefixes):
                gone_items.add(q.subject.value)
        for iri in sorted(gone_items):
            for q in store.match(N(iri), None, None, g):
                remove.append(q)
                if q.predicate.value == str(KG.themeAssignment):
                    remove += list(store.match(q.object, None, None, g))
    from .rdf import item_issues

    for it in new_items:
        affected.update(item_issues(it))

    # the items of each affected issue, read back once (less those of removed graphs), and the new ones
    block: set[str] = set()
    for issue in sorted(affected):
        block.update(q.subject.value for q in store.match(None, carries, N(issue), g)
                     if q.subject.value not in gone_items)
    new_keys = {it.key for it in new_items}
    items = [it for it in items_from_store(store, only_items=block, themed=False) if it.key not in new_keys]
    items = tuple(sorted((*items, *new_items), key=item_order))
    old_iris: set[str] = set()  # the links of the affected issues, and their groups
    old_groups: set = set()
    for issue in sorted(affected):
        for q in store.match(None, N(str(KG.issue)), N(issue), g):
            if q.subject.value.startswith(_GROUP_PREFIX):
                old_groups.update(store.match(q.subject, None, None, g))
            else:
                old_iris.add(q.subject.value)

    def written(source: str, target: str, issue: str) -> bool:
        return source in new_keys or target in new_keys or _iri_of(source, target, issue) not in old_iris

    result = link_items(items, params, only_issues=affected, describe=written)
    # a link's IRI is a hash of its items' keys and its issue, and its score depends on its two parts
    # alone: a link kept by IRI is unchanged unless it touches a new item (a changed report keeps its
    # items' keys), so only links gone, new or touching new items are written
    new_by_iri = {link_iri_str(l): l for l in result.links}
    renewed = {i for i in old_iris & new_by_iri.keys()
               if new_by_iri[i].source in new_keys or new_by_iri[i].target in new_keys}
    for iri in sorted((old_iris - new_by_iri.keys()) | renewed):
        remove += list(store.match(N(iri), None, None, g))
    fresh_links = [new_by_iri[i] for i in sorted((new_by_iri.keys() - old_iris) | renewed)]
    new_groups = set(group_quads(result, params))  # the affected issues' groups, every council's
    add = [*item_quads(new_items, params), *used_quads(added, params),
           *link_quads(fresh_links, result._index(), params), *(new_groups - old_groups)]
    remove += list(old_groups - new_groups)
    store.update_derived(remove, add)
    store.flush()
    return DerivedUpdate(len(added), len(removed), len(affected), len(add), len(remove), count_links(store))


def _iri_of(source: str, target: str, issue: str) -> str:
    from .links import Link

    return link_iri_str(Link(source, target, 0.0, "", "", (), "", "", issue))


def _item_prefix(graph: str) -> str:
    """The IRI prefix of the items of a report graph (kg.rdf.item_iri: the report's IRI, then '/')."""
    from ..rdf.terms import report_iri

    return report_iri(graph.rsplit("/", 1)[-1]) + "/"


def count_links(store) -> int:
    """The recurrence links of the derived graph."""
    rows = list(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_DERIVED}> "
                            f"{{ ?l a <{KG.RecurrenceLink}> }} }}"))
    return int(rows[0]["n"].value)
