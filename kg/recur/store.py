"""Recurrence and the store: items read back from report graphs, and the derived graph rewritten."""
from __future__ import annotations

from functools import lru_cache
from typing import Mapping, Sequence

from ..themes import ThemeScheme, assign_themes, default_scheme
from .items import states_shortfall, Item, _document_name, item_order
from .links import LinkParams, RecurrenceResult, link_items
from .rdf import _local, derived_quads

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


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_KG = "https://w3id.org/ofsted-kg/def#"
_DCT = "http://purl.org/dc/terms/"



def items_from_store(store, scheme: ThemeScheme | None = None,
                     finding_kinds: Sequence[str] = ("weakness", "headline-finding"),
                     skip_graphs: frozenset[str] | set[str] = frozenset()) -> tuple[Item, ...]:
    """The linkable items of every report graph of a built store (`kg.store.GraphStore`), themed.

    The same selection as `collect_items`, read back from the graph the build wrote: recommendations,
    and findings of `finding_kinds` (headline findings only when they state a shortfall).

    The same answers as the SPARQL query `_ITEMS_QUERY` (`_items_from_store_sparql`, kept as the
    reference; tests/test_speed_parity.py), read with quad patterns: per item, its own quads in its
    report graph, and per report and inspection theirs, looked up once. A SPARQL query joining across
    every graph of a 20x store took most of a minute; this takes about a second. Report graphs in
    `skip_graphs` are passed over (their items are known already: `report_items`).
    """
    import pyoxigraph as ox

    from ..namespaces import GRAPH_REFERENCE

    scheme = scheme or default_scheme()
    st = store.store
    N = ox.NamedNode
    rdf_type, rdf_value = N(_RDF + "type"), _RDF + "value"
    position, kind_p, derived = _KG + "position", _KG + "kind", "http://www.w3.org/ns/prov#wasDerivedFrom"
    report_c, file_p, insp_p = N(_KG + "Report"), _KG + "fileName", _KG + "inspection"
    start_p, end_p, inspected_p = _KG + "startDate", _KG + "endDate", _KG + "inspected"
    letter_p, issued_p = _DCT + "date", _DCT + "issued"
    pref_label = N("http://www.w3.org/2004/02/skos/core#prefLabel")
    reference = str(GRAPH_REFERENCE)

    def props(node, graph) -> dict[str, object]:
        """predicate IRI -> the least object (by its N-Triples form, for determinism) of node in graph."""
        out: dict[str, object] = {}
        for q in st.quads_for_pattern(node, None, None, graph):
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
            is_report = any(True for _ in st.quads_for_pattern(rep, rdf_type, report_c, graph))
            reports[key] = (p, p[file_p].value) if is_report and file_p in p else None
        return reports[key]

    def label_of(council) -> str | None:
        if council.value not in labels:
            found = sorted((q.graph_name.value != reference, str(q.object), q.object.value)
                           for q in st.quads_for_pattern(council, pref_label, None, None))
            labels[council.value] = found[0][2] if found else None
        return labels[council.value]

    seen: dict[str, Item] = {}
    for cls, category in ((N(_KG + "Recommendation"), "recommendation"), (N(_KG + "Finding"), "finding")):
        for tq in st.quads_for_pattern(None, rdf_type, cls, None):
            node, graph = tq.subject, tq.graph_name
            if node.value in seen or graph.value in skip_graphs:
                continue
            p = props(node, graph)
            if not all(k in p for k in (position, rdf_value, kind_p, derived)):
                continue
            rep = report_of(p[derived], graph)
            if rep is None:
                continue
            kind = _local(p[kind_p].value)
            text = p[rdf_value].value
            if category == "finding" and (kind not in finding_kinds or
                                          kind == "headline-finding" and not states_shortfall(text)):
                continue
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
                                    themes=assign_themes(text, scheme),
                                    text_sha256=_local(p[derived].value))
    return tuple(sorted(seen.values(), key=item_order))


def _items_from_store_sparql(store, scheme: ThemeScheme | None = None,
                             finding_kinds: Sequence[str] = ("weakness", "headline-finding")) -> tuple[Item, ...]:
    """`items_from_store` as one SPARQL query (`_ITEMS_QUERY`): the reference for the parity test."""
    scheme = scheme or default_scheme()
    seen: dict[str, Item] = {}
    for row in store.store.query(_ITEMS_QUERY):
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

    from ..namespaces import GRAPH_REFERENCE
    from ..store import GraphStore

    tiny = GraphStore(None)
    g = ox.NamedNode(graph)
    tiny.store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=g)
    labels = _reference_labels()
    councils = {q.object for q in tiny.store.quads_for_pattern(None, ox.NamedNode(_KG + "inspected"), None, g)}
    ref = ox.NamedNode(str(GRAPH_REFERENCE))  # the labels items_from_store looks up (councils' names)
    tiny.store.extend(ox.Quad(n, p, o, ref) for n in councils for p, o in labels.get(n, ()))
    return items_from_store(tiny)


@lru_cache(maxsize=1)
def _reference_labels() -> dict:
    """Node -> its (skos:prefLabel, label) pairs in the reference graph (kg.rdf.reference_triples)."""
    from ..rdf import reference_triples

    pref = "http://www.w3.org/2004/02/skos/core#prefLabel"
    out: dict = {}
    for t in reference_triples():
        if t.predicate.value == pref:
            out.setdefault(t.subject, []).append((t.predicate, t.object))
    return out


def refresh_derived(store, params: LinkParams = LinkParams(), scheme: ThemeScheme | None = None,
                    known_items: Mapping[str, Sequence[Item]] | None = None) -> RecurrenceResult:
    """Recompute themes and links from a store's report graphs and replace its `derived` graph
    (`known_items`: report graph IRI -> `report_items` of it, for graphs of the store whose items were
    worked out already, by the build's workers; used with the default scheme only)."""
    known_items = known_items if known_items and (scheme is None or scheme is default_scheme()) else {}
    items = items_from_store(store, scheme, skip_graphs=frozenset(known_items))
    if known_items:
        present = set(store.report_graphs())
        items = tuple(sorted((*items, *(it for g, its in known_items.items() if g in present for it in its)),
                             key=item_order))
    scheme = scheme or default_scheme()
    result = link_items(items, params, scheme)
    store.replace_derived(derived_quads(result))
    store.flush()
    return result
