"""The data behind the `kg draw` pictures: the store's councils, inspections (with judgements, reports and
recommendation counts), a council's timeline, and the theme and inspector graphs, read by the queries of
`queries/views/` and cut to size."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from functools import lru_cache
from typing import Any

import networkx as nx

from ..errors import QueryError
from ..namespaces import KG
from ..paths import queries_dir
from ..query import NamedQuery, parse_query_file, run_query
from .convert import local_name, node_id
from .model import Council, Filters, GradedJudgement, InspectionSummary, Timeline, inspection_label
from .source import open_store


@lru_cache(maxsize=None)
def view_query(name: str) -> NamedQuery:
    """The query `queries/views/<name>.rq` of a picture view (not a named query of `kg query`)."""
    return replace(parse_query_file(queries_dir() / "views" / f"{name}.rq"), name=f"views/{name}")


def _rows(store: Any, name: str) -> tuple[dict, ...]:
    return run_query(store, view_query(name)).rows


def councils(source: Any) -> list[Council]:
    """Every council in the store, with its region: to resolve names and to filter by region."""
    store = open_store(source)
    found: dict[str, dict[str, Any]] = {}
    for row in _rows(store, "councils"):
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
    from ..rdf import council_iri  # noqa: PLC0415
    from ..resolve import council_named  # noqa: PLC0415

    try:
        iri = council_iri(council_named(name).gss_code)
    except QueryError as exc:
        inspected = {row["c"].value for row in _rows(open_store(source), "councils-inspected")}
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



def inspections(source: Any, filters: Filters = Filters()) -> list[InspectionSummary]:
    """Inspections (with judgements, recommendation counts and reports) that pass the filters, by date."""
    store = open_store(source)
    if filters.region:  # an unknown region is an error naming the known ones, not an empty view
        from ..filters import region_named  # noqa: PLC0415

        filters = replace(filters, region=region_named(filters.region))
    by_iri = {c.iri: c for c in councils(store)}
    wanted_council = find_council(store, filters.council).iri if filters.council else None
    rows: dict[str, dict[str, Any]] = {}
    for row in _rows(store, "inspections"):
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
    for row in _rows(store, "reports"):
        if row["i"].value in rows:
            reports[row["i"].value].add(row["report"].value)
    judgements: dict[str, dict[tuple, GradedJudgement]] = defaultdict(dict)
    for row in _rows(store, "judgements"):
        i = row["i"].value
        if i not in rows:
            continue
        area = _first(row, "areaLabel", "areaPrinted") or (local_name(row["area"].value) if row["area"] else "judgement")
        grade = _first(row, "gradePrinted", "gradeLabel") or "?"
        rank = int(row["rank"].value) if row["rank"] is not None else None
        area_iri = row["area"].value if row["area"] is not None else None
        judgements[i].setdefault((area_iri or area, rank), GradedJudgement(area, area_iri, grade, rank))
    recs = {row["i"].value: int(row["n"].value) for row in _rows(store, "recommendations")}
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
    for row in _rows(store, "themes"):
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
    lead_role = str(KG.LeadInspector)
    led: set[tuple[str, str]] = set()
    names: dict[str, str] = {}
    for row in _rows(store, "inspectors"):
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
