"""Recurrence as RDF: the `derived` graph's theme assignments and recurrence links."""
from __future__ import annotations

import hashlib
import re
from typing import Sequence

from .items import Item
from .links import Link, LinkParams, RecurrenceResult

def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def item_iri(item: Item):
    """The item's IRI as the graph mapper mints it (`kg.rdf.item_iri`), as an rdflib URIRef.

    Records without a text hash (gold records) get id:report/<document stem>/<category>/<position>,
    the mapper's layout with the file stem in place of the text hash.
    """
    from rdflib import URIRef

    from ..namespaces import ID

    if item.text_sha256:
        from ..rdf import item_iri as mapper_item_iri

        return URIRef(mapper_item_iri(item.text_sha256, item.category, item.position).value)
    report = re.sub(r"[^A-Za-z0-9_.-]", "-", item.document.rsplit(".", 1)[0])
    return ID[f"report/{report}/{item.category}/{item.position}"]


def _part(item: Item, index: int) -> str:
    from .issues import item_parts

    parts = item_parts(item.text)
    return parts[index].text if 0 <= index < len(parts) else item.text


def _within_council(link: Link, items: dict[str, Item]) -> str | None:
    """The council IRI of a within-council link (kg:withinCouncil: the queries find a council's links by
    it), when its items know their council's code."""
    from ..rdf.terms import council_iri
    from .items import WITHIN

    if link.scope != WITHIN:
        return None
    code = items[link.source].gss_code
    return council_iri(code) if code else None


def link_iri(link: Link):
    from rdflib import URIRef

    return URIRef(link_iri_str(link))


def link_iri_str(link: Link) -> str:
    """The link's IRI, a hash of its two items' keys and its issue (as a string: made by the thousand)."""
    h = hashlib.sha256(f"{link.source}\n{link.target}\n{link.issue or link.theme}".encode()).hexdigest()[:16]
    return _LINK_PREFIX + h


def _link_prefix() -> str:
    from ..namespaces import ID

    return str(ID["recurrence-link/"])


_LINK_PREFIX = _link_prefix()


def activity_iri(params: LinkParams):
    from ..namespaces import ID

    h = hashlib.sha256(params.method().encode()).hexdigest()[:12]
    return ID[f"activity/recurrence-linking/{h}"]


def item_issues(item: Item) -> tuple[str, ...]:
    """The issues (IRIs, sorted) the item's linkable parts carry: the derived graph's kg:carriesIssue."""
    from .items import linkable_parts

    return tuple(sorted({m.issue for part in linkable_parts(item) for m in part.issues}))


def derived_triples(result: RecurrenceResult, used: Sequence[str] = ()) -> list[tuple]:
    """rdflib triples for the `derived` graph: theme assignments with evidence, the issues each item
    carries, recurrence links, and the report graphs the linking used (`used`)."""
    import pyoxigraph as ox
    from rdflib import Literal, URIRef
    from rdflib.namespace import PROV, RDF, RDFS, XSD

    from .. import __version__
    from ..namespaces import KG

    out: list[tuple] = []
    items = result._index()
    act = activity_iri(result.params)
    out += [(act, RDF.type, KG.RecurrenceLinking), (act, RDF.type, PROV.Activity),
            (act, RDFS.label, Literal("recurrence linking")),
            (act, KG.method, Literal(result.params.method())),
            (act, KG.softwareVersion, Literal(__version__))]
    iris = {}
    for it in result.items:
        node = item_iri(it)
        iris[it.key] = node
        for m in it.themes:
            theme = URIRef(m.theme)
            a = URIRef(f"{node}/theme/{_local(m.theme)}")
            out += [(node, KG.theme, theme), (node, KG.themeAssignment, a),
                    (a, RDF.type, KG.ThemeAssignment), (a, KG.assignedTheme, theme),
                    (a, KG.evidenceText, Literal(m.evidence)),
                    (a, KG.evidenceStart, Literal(m.start, datatype=XSD.integer)),
                    (a, KG.evidenceEnd, Literal(m.end, datatype=XSD.integer)),
                    (a, PROV.wasGeneratedBy, act)]
        carried = item_issues(it)
        out += [(node, KG.carriesIssue, URIRef(i)) for i in carried]
        if carried:
            out += [(node, KG.itemText, Literal(it.text)), (node, KG.reportFile, Literal(it.document))]
    for l in result.links:
        n = link_iri(l)
        out += [(n, RDF.type, KG.RecurrenceLink), (n, KG["from"], iris[l.source]), (n, KG.to, iris[l.target]),
                (n, KG.score, Literal(f"{l.score:.4f}", datatype=XSD.decimal)),
                (n, KG.sharedTheme, URIRef(l.theme)), (n, KG.scope, Literal(l.scope)),
                (n, PROV.wasGeneratedBy, act)]
        council = _within_council(l, items)
        if council:
            out.append((n, KG.withinCouncil, URIRef(council)))
        if l.issue:
            out += [(n, KG.issue, URIRef(l.issue)), (n, KG.matchedWords, Literal(" ".join(l.words))),
                    (n, KG.fromPart, Literal(_part(items[l.source], l.source_part))),
                    (n, KG.toPart, Literal(_part(items[l.target], l.target_part)))]
    for q in group_quads(result, result.params):  # the groups, as rdflib terms
        out.append(tuple(URIRef(t.value) if isinstance(t, ox.NamedNode) else
                         Literal(t.value, datatype=URIRef(t.datatype.value) if t.datatype.value != str(XSD.string)
                                 else None) for t in (q.subject, q.predicate, q.object)))
    out += [(act, PROV.used, URIRef(g)) for g in sorted(used)]
    return out


def derived_quads(result: RecurrenceResult, used: Sequence[str] = ()):
    """The same triples as `derived_triples`, as pyoxigraph quads in the `derived` named graph
    (kg.namespaces.GRAPH_DERIVED), made directly (no rdflib terms on the way: this is the build's path).
    A generator, so that the store's bulk loader can write while the rest are made."""
    yield from activity_quads(result.params)
    yield from item_quads(result.items, result.params)
    yield from link_quads(result.links, result._index(), result.params)
    yield from group_quads(result, result.params)
    yield from used_quads(used, result.params)


def activity_quads(params: LinkParams):
    """The linking run's own quads (its IRI is a hash of its method)."""
    import pyoxigraph as ox
    from rdflib.namespace import PROV, RDF, RDFS

    from .. import __version__
    from ..namespaces import GRAPH_DERIVED, KG

    g, N, L, Q = ox.NamedNode(str(GRAPH_DERIVED)), ox.NamedNode, ox.Literal, ox.Quad
    act = N(str(activity_iri(params)))
    return [Q(act, N(str(RDF.type)), N(str(KG.RecurrenceLinking)), g), Q(act, N(str(RDF.type)), N(str(PROV.Activity)), g),
            Q(act, N(str(RDFS.label)), L("recurrence linking"), g), Q(act, N(str(KG.method)), L(params.method()), g),
            Q(act, N(str(KG.softwareVersion)), L(__version__), g)]


def used_quads(graphs: Sequence[str], params: LinkParams):
    """`<linking run> prov:used <report graph>` for each report graph whose items were linked: what an
    update compares with the store's report graphs to find those added and removed."""
    import pyoxigraph as ox
    from rdflib.namespace import PROV

    from ..namespaces import GRAPH_DERIVED

    g, N = ox.NamedNode(str(GRAPH_DERIVED)), ox.NamedNode
    act, used = N(str(activity_iri(params))), N(str(PROV.used))
    return [ox.Quad(act, used, N(r), g) for r in sorted(graphs)]


def item_quads(items: Sequence[Item], params: LinkParams):
    """Each item's theme assignments (with evidence) and the issues it carries (kg:carriesIssue)."""
    import pyoxigraph as ox
    from rdflib.namespace import PROV, RDF, XSD

    from ..namespaces import GRAPH_DERIVED, KG

    g = ox.NamedNode(str(GRAPH_DERIVED))
    N, L, Q = ox.NamedNode, ox.Literal, ox.Quad
    rdf_type, prov_gen = N(str(RDF.type)), N(str(PROV.wasGeneratedBy))
    theme_p, assignment_p, assigned_p = N(str(KG.theme)), N(str(KG.themeAssignment)), N(str(KG.assignedTheme))
    assignment_c, text_p = N(str(KG.ThemeAssignment)), N(str(KG.evidenceText))
    start_p, end_p, integer = N(str(KG.evidenceStart)), N(str(KG.evidenceEnd)), N(str(XSD.integer))
    carries_p = N(str(KG.carriesIssue))
    item_text_p, report_file_p = N(str(KG.itemText)), N(str(KG.reportFile))
    act = N(str(activity_iri(params)))
    themes: dict[str, ox.NamedNode] = {}
    for it in items:
        iri = str(item_iri(it))
        node = N(iri)
        for m in it.themes:
            theme = themes.get(m.theme) or themes.setdefault(m.theme, N(m.theme))
            a = N(f"{iri}/theme/{_local(m.theme)}")
            yield from (Q(node, theme_p, theme, g), Q(node, assignment_p, a, g), Q(a, rdf_type, assignment_c, g),
                        Q(a, assigned_p, theme, g), Q(a, text_p, L(m.evidence), g),
                        Q(a, start_p, L(str(m.start), datatype=integer), g),
                        Q(a, end_p, L(str(m.end), datatype=integer), g), Q(a, prov_gen, act, g))
        carried = item_issues(it)
        yield from (Q(node, carries_p, N(i), g) for i in carried)
        if carried:  # what why-linked shows of a linked item, without a join into its report graph
            yield from (Q(node, item_text_p, L(it.text), g), Q(node, report_file_p, L(it.document), g))


def link_quads(links: Sequence[Link], items: dict[str, Item], params: LinkParams):
    """Each recurrence link's quads (`items`: item key -> item, for the links' ends)."""
    import pyoxigraph as ox
    from rdflib.namespace import PROV, RDF, XSD

    from ..namespaces import GRAPH_DERIVED, KG

    g = ox.NamedNode(str(GRAPH_DERIVED))
    N, L, Q = ox.NamedNode, ox.Literal, ox.Quad
    rdf_type, prov_gen = N(str(RDF.type)), N(str(PROV.wasGeneratedBy))
    link_c, from_p, to_p, score_p = N(str(KG.RecurrenceLink)), N(str(KG["from"])), N(str(KG.to)), N(str(KG.score))
    shared_p, scope_p, decimal = N(str(KG.sharedTheme)), N(str(KG.scope)), N(str(XSD.decimal))
    issue_p, words_p = N(str(KG.issue)), N(str(KG.matchedWords))
    from_part_p, to_part_p = N(str(KG.fromPart)), N(str(KG.toPart))
    within_p = N(str(KG.withinCouncil))
    act = N(str(activity_iri(params)))
    iris: dict[str, ox.NamedNode] = {}
    for l in links:
        n = N(link_iri_str(l))
        a = iris.get(l.source) or iris.setdefault(l.source, N(str(item_iri(items[l.source]))))
        b = iris.get(l.target) or iris.setdefault(l.target, N(str(item_iri(items[l.target]))))
        yield from (Q(n, rdf_type, link_c, g), Q(n, from_p, a, g), Q(n, to_p, b, g),
                    Q(n, score_p, L(f"{l.score:.4f}", datatype=decimal), g), Q(n, shared_p, N(l.theme), g),
                    Q(n, scope_p, L(l.scope), g), Q(n, prov_gen, act, g))
        council = _within_council(l, items)
        if council:
            yield Q(n, within_p, N(council), g)
        if l.issue:
            yield from (Q(n, issue_p, N(l.issue), g), Q(n, words_p, L(" ".join(l.words)), g),
                        Q(n, from_part_p, L(_part(items[l.source], l.source_part)), g),
                        Q(n, to_part_p, L(_part(items[l.target], l.target_part)), g))


def group_iri_str(issue: str, council_code: str) -> str:
    h = hashlib.sha256(f"{issue}\n{council_code}".encode()).hexdigest()[:16]
    return _GROUP_PREFIX + h


def _group_prefix() -> str:
    from ..namespaces import ID

    return str(ID["recurrence-group/"])


_GROUP_PREFIX = _group_prefix()


def group_quads(result: RecurrenceResult, params: LinkParams):
    """One `kg:RecurrenceGroup` per council and issue of the within-council links (kg.recur.groups): its
    issue, theme and council, how many inspections raised it, first and last raised, and its
    occurrences ('date: part', in date order, ' | ' between them). The queries read these instead of
    joining every link with its items' report graphs."""
    import pyoxigraph as ox
    from rdflib.namespace import PROV, RDF, XSD

    from ..namespaces import GRAPH_DERIVED, KG
    from ..rdf.terms import council_iri
    from .groups import group_links
    from .items import WITHIN

    g = ox.NamedNode(str(GRAPH_DERIVED))
    N, L, Q = ox.NamedNode, ox.Literal, ox.Quad
    act = N(str(activity_iri(params)))
    index = result._index()
    integer = N(str(XSD.integer))
    for grp in group_links(result, WITHIN):
        first = index[grp.occurrences[0].item]
        if not first.gss_code:
            continue
        n = N(group_iri_str(grp.issue, first.gss_code))
        entries = list(dict.fromkeys(f"{o.date or ''}: {o.part}" for o in grp.occurrences))
        dates = [o.date for o in grp.occurrences if o.date]
        inspections = len({index[o.item].inspection for o in grp.occurrences})
        yield from (Q(n, N(str(RDF.type)), N(str(KG.RecurrenceGroup)), g), Q(n, N(str(KG.issue)), N(grp.issue), g),
                    Q(n, N(str(KG.sharedTheme)), N(grp.theme), g),
                    Q(n, N(str(KG.withinCouncil)), N(council_iri(first.gss_code)), g),
                    Q(n, N(str(KG.inspectionCount)), L(str(inspections), datatype=integer), g),
                    Q(n, N(str(KG.occurrenceText)), L(" | ".join(entries)), g), Q(n, N(str(PROV.wasGeneratedBy)), act, g))
        if dates:
            yield from (Q(n, N(str(KG.firstRaised)), L(min(dates)), g), Q(n, N(str(KG.lastRaised)), L(max(dates)), g))
