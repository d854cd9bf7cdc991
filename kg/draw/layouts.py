"""The layouts: each picture (a council's timeline, the recurrence network, who inspected whom) laid out
once as a Scene, in columns with labels that never overlap."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import networkx as nx

from ..netview import InspectionSummary, Timeline, inspection_label, short_date
from .scene import (BLANK, FAINT, GRADE_COLOURS, GRADE_NAMES, INK, MUTED, THEME_COLOURS, Circle, Curve,
                    Rect, Scene, Text, _Canvas, _TEXT_ON, text_width, wrap)


# --------------------------------------------------------------------------------------------- #
# Titles
# --------------------------------------------------------------------------------------------- #

def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _years(y0: Any, y1: Any) -> str:
    if not y0:
        return "no dates"
    return str(y0) if y0 == y1 else f"{y0}-{y1}"


def _where(scope: dict[str, Any]) -> str:
    if scope.get("council"):
        return str(scope["council"])
    if scope.get("region"):
        return str(scope["region"])
    return "All councils"


def grade_short(grade: str, rank: int | None) -> str:
    """The grade in a table cell: the framework's own word, shortened to fit."""
    g = grade.lower()
    if rank == 3:
        return "Adequate" if "adequate" in g and "inadequate" not in g else "Req. improv."
    return {1: "Outstanding", 2: "Good", 4: "Inadequate"}.get(rank, grade[:12] or "?")


# --------------------------------------------------------------------------------------------- #
# (a) A council's timeline
# --------------------------------------------------------------------------------------------- #

def timeline_scene(tl: Timeline, notes: Sequence[str] = ()) -> Scene:
    """Columns = inspections in date order; a bar of recommendations; a grid of graded judgements."""
    insp = list(tl.inspections)
    y0, y1 = tl.years
    title = (f"{tl.council.label}: {_plural(len(insp), 'inspection')} {_years(y0, y1)}, "
             f"from {_plural(tl.reports, 'report')}")
    subtitle = ("Each column is one inspection or visit, in date order. Bars count the recommendations "
                "it made; cells are its graded judgements, coloured by grade (blank: not judged).")
    # rows: one per judgement area, 'overall' first, then in order of first appearance
    areas: dict[str, str] = {}
    first_seen: dict[str, int] = {}
    for n, i in enumerate(insp):
        for j in i.judgements:
            key = j.area_iri or j.area
            areas.setdefault(key, j.area)
            first_seen.setdefault(key, n)
    order = sorted(areas, key=lambda k: ("overall" not in areas[k].lower(), first_seen[k], areas[k]))
    label_w = min(340, max([text_width(areas[k], 12) for k in order] + [150])) + 12
    col_w = 118
    m = 24
    width = max(m * 2 + label_w + col_w * max(len(insp), 1), 760,
                text_width(title, 19, True) * 0.7 + 2 * m)
    cv = _Canvas(width, m)
    cv.header(title, subtitle, notes)
    unknown = any(j.rank is None for i in insp for j in i.judgements)
    cv.legend([("square", GRADE_COLOURS[r], GRADE_NAMES[r]) for r in (1, 2, 3, 4)]
              + ([("square", GRADE_COLOURS[None], "grade not known")] if unknown else [])
              + [("square", BLANK, "not judged"), ("square", "#4a6fa5", "recommendations made")], title="Key:")
    x0 = m + label_w
    # column headers: date and type
    head_y = cv.y
    for n, i in enumerate(insp):
        cx = x0 + n * col_w + col_w / 2
        tip = f"{i.type_label}, {i.start or '?'} to {i.end or '?'}; reports: {len(i.reports)}"
        cv.add(Text(cx, head_y + 8, short_date(i.start), 12, "middle", bold=True, title=tip))
        for k, line in enumerate(wrap(_type_short(i), col_w - 8, 11, 2)):
            cv.add(Text(cx, head_y + 25 + 14 * k, line, 11, "middle", colour=MUTED, title=tip))
    cv.y = head_y + 58
    # recommendations bars
    bar_h = 70
    top = max([i.recommendations for i in insp] + [1])
    cv.add(Text(x0 - 10, cv.y + bar_h - 10, "Recommendations", 12, "end", bold=True))
    cv.add(Curve(x0, cv.y + bar_h, x0 + col_w * len(insp), cv.y + bar_h, 1, "#999999", straight=True))
    for n, i in enumerate(insp):
        h = (bar_h - 18) * i.recommendations / top
        bx = x0 + n * col_w + col_w / 2 - 18
        tip = f"{inspection_label(i)}: {_plural(i.recommendations, 'recommendation')}"
        if h:
            cv.add(Rect(bx, cv.y + bar_h - h, 36, h, "#4a6fa5", title=tip))
        cv.add(Text(bx + 18, cv.y + bar_h - h - 8, str(i.recommendations), 12, "middle", bold=True, title=tip))
    cv.y += bar_h + 12
    # judgement grid
    if not order:
        cv.add(Text(x0, cv.y + 10, "No graded judgements in these inspections.", 12, italic=True, colour=MUTED))
        cv.y += 24
    for k in order:
        lines = wrap(areas[k], label_w - 12, 12, 2)
        row_h = 28 if len(lines) == 1 else 40
        for n_line, line in enumerate(lines):
            cv.add(Text(x0 - 10, cv.y + row_h / 2 + (n_line - (len(lines) - 1) / 2) * 15, line, 12, "end",
                        title=areas[k]))
        for n, i in enumerate(insp):
            cell = [j for j in i.judgements if (j.area_iri or j.area) == k]
            x = x0 + n * col_w + 3
            if not cell:
                cv.add(Rect(x, cv.y + 2, col_w - 6, row_h - 4, BLANK))
                continue
            j = max(cell, key=lambda c: c.rank or 0)
            tip = f"{inspection_label(i)}: {areas[k]}: {j.grade}"
            cv.add(Rect(x, cv.y + 2, col_w - 6, row_h - 4, GRADE_COLOURS.get(j.rank, GRADE_COLOURS[None]), title=tip))
            cv.add(Text(x + (col_w - 6) / 2, cv.y + row_h / 2, grade_short(j.grade, j.rank), 11, "middle",
                        bold=j.rank in (1, 4), colour=_TEXT_ON.get(j.rank, INK), title=tip))
        cv.y += row_h
    cv.y += 6
    sources = sorted({r for i in insp for r in i.reports})
    cv.add(Text(m, cv.y + 8, f"Source: {_plural(len(sources), 'report')} in the ofsted-kg graph; "
                             "grades compared across frameworks by their rank (1 best, 4 worst).", 11,
                colour=MUTED))
    cv.y += 18
    return cv.scene(title, subtitle)


def _type_short(i: InspectionSummary) -> str:
    from ..netview import TYPE_SHORT

    return TYPE_SHORT.get(i.type_code or "", i.type_label)


# --------------------------------------------------------------------------------------------- #
# Two-column bipartite layout, shared by (b) recurrence and (c) inspectors
# --------------------------------------------------------------------------------------------- #

@dataclass(frozen=True, slots=True)
class _Side:
    nodes: Sequence[str]
    label: Any  # node -> text
    colour: Any  # node -> hex
    radius: Any  # node -> px
    title: Any  # node -> hover text


def _bipartite(cv: _Canvas, g: nx.Graph, left: _Side, right: _Side, edge_colour: Any, edge_width: Any,
               edge_title: Any, *, heading: tuple[str, str], edge_dashed: Any = None) -> None:
    """Left nodes with labels right-aligned to them, right nodes with labels after them, S-curves between."""
    m = cv.margin
    size = 12
    left_labels = {n: _fit(left.label(n), 380, size) for n in left.nodes}
    right_labels = {n: _fit(right.label(n), 380, size) for n in right.nodes}
    lw = max([text_width(t, size) for t in left_labels.values()] + [120])
    rw = max([text_width(t, size) for t in right_labels.values()] + [120])
    row = 24
    rows = max(len(left.nodes), len(right.nodes), 1)
    gap = max(300.0, cv.width - 2 * m - lw - rw - 60)
    xl = m + lw + 22
    xr = xl + gap
    need = xr + 22 + rw + m
    if need > cv.width:
        cv.width = need
    top = cv.y + 28
    cv.add(Text(xl, cv.y + 6, heading[0], 12, "end", bold=True, colour=MUTED),
           Text(xr, cv.y + 6, heading[1], 12, "start", bold=True, colour=MUTED))
    span = (rows - 1) * row

    def ys(nodes: Sequence[str]) -> dict[str, float]:
        if len(nodes) <= 1:
            return {n: top + span / 2 for n in nodes}
        step = span / (len(nodes) - 1)
        return {n: top + k * step for k, n in enumerate(nodes)}

    yl, yr = ys(left.nodes), ys(right.nodes)
    curves = []
    for u, v, d in g.edges(data=True):
        a, b = (u, v) if u in yl else (v, u)
        if a not in yl or b not in yr:
            continue
        colour = edge_colour(a, b, d)
        muted = colour in (FAINT, "#bdbdbd")
        curves.append(Curve(xl + left.radius(a), yl[a], xr - right.radius(b), yr[b], edge_width(d), colour,
                            0.4 if muted else 0.65, edge_title(a, b, d), (a, b),
                            dashed=bool(edge_dashed and edge_dashed(a, b, d))))
    # grey (unremarkable) lines first, then thin before thick, so what matters is drawn on top
    cv.add(*sorted(curves, key=lambda c: (c.alpha > 0.5, c.width, c.ends)))
    for n in left.nodes:
        cv.add(Circle(xl, yl[n], left.radius(n), left.colour(n), title=left.title(n), node=n),
               Text(xl - left.radius(n) - 6, yl[n], left_labels[n], size, "end", title=left.title(n), node=n))
    for n in right.nodes:
        cv.add(Circle(xr, yr[n], right.radius(n), right.colour(n), title=right.title(n), node=n),
               Text(xr + right.radius(n) + 6, yr[n], right_labels[n], size, "start", title=right.title(n), node=n))
    cv.y = top + span + 30


def _fit(label: str, max_px: float, size: float) -> str:
    """Shorten a label to one line, keeping a trailing '(count)' visible."""
    if text_width(label, size) <= max_px:
        return label
    head, sep, tail = label.rpartition(" (")
    if sep and tail.endswith(")") and len(tail) < 30:
        room = max_px - text_width(" (" + tail, size)
        return head[: max(4, int(room / (size * 0.6)) - 1)].rstrip() + "… (" + tail
    return label[: max(4, int(max_px / (size * 0.6)) - 1)].rstrip() + "…"


def _cut_note(cut: dict[str, int], max_nodes: int, what: str) -> str | None:
    if not cut:
        return None
    parts = ", ".join(_plural(n, k) for k, n in sorted(cut.items()))
    return (f"cut to {max_nodes} nodes (--max-nodes): {parts} with the fewest links left out; "
            f"narrow the view with --council, --region, --from/--to{what}")


# --------------------------------------------------------------------------------------------- #
# (b) The recurrence network
# --------------------------------------------------------------------------------------------- #

def _barycentre_order(g: nx.Graph, movable: list[str], fixed: list[str]) -> list[str]:
    """Order nodes by the mean position of their neighbours in `fixed` (weighted): few crossings.

    A theme raised by one inspection sits level with it, so its line is short and flat; a theme
    that recurs sits between its inspections and its fan of lines is easy to follow.
    """
    pos = {n: k for k, n in enumerate(fixed)}

    def key(n: str) -> tuple:
        nbrs = [(pos[m], g.edges[n, m].get("weight", 1)) for m in g[n] if m in pos]
        total = sum(w for _, w in nbrs) or 1
        return (sum(p * w for p, w in nbrs) / total, -g.nodes[n].get("inspections", 0),
                g.nodes[n].get("label", ""))

    return sorted(movable, key=key)


def recurrence_scene(g: nx.Graph, notes: Sequence[str] = ()) -> Scene:
    """Themes (left) linked to the inspections whose items raised them (right), in date order."""
    s = g.graph
    insp = sorted((n for n, d in g.nodes(data=True) if d["kind"] == "inspection"),
                  key=lambda n: (g.nodes[n]["start"], g.nodes[n]["council"], n))
    themes = _barycentre_order(g, [n for n, d in g.nodes(data=True) if d["kind"] == "theme"], insp)
    recurring = [t for t in themes if g.nodes[t]["inspections"] >= 2]
    colour_of = {t: THEME_COLOURS[k % len(THEME_COLOURS)] for k, t in enumerate(recurring)}
    where = _where(s)
    theme_part = f" (theme: {s['theme']})" if s.get("theme") else ""
    title = (f"{where}: {_plural(len(themes), 'theme')}{theme_part} raised in {_plural(len(insp), 'inspection')} "
             f"{_years(s.get('year_from'), s.get('year_to'))}, from {_plural(s.get('reports', 0), 'report')}")
    subtitle = ("Lines join a theme to each inspection whose recommendations or findings raised it; line width = "
                "how many of its items did. Coloured themes recur in two or more inspections; grey ones were "
                "raised once. Circle size = number of items; inspections are coloured by their overall grade.")
    cv = _Canvas(1100)
    cv.header(title, subtitle, notes, missing=None if themes else
              "no themes in this view: build the store with themes (kg build, kg recurring) or widen the filters")
    cv.legend([("circle", GRADE_COLOURS[r], GRADE_NAMES[r]) for r in (1, 2, 3, 4, None)], title="Inspections:")
    cv.legend([("line:1.5", "#777777", "1 item"), ("line:4", "#777777", "3 items"), ("line:7", "#777777", "6+ items"),
               ("circle", "#bdbdbd", "theme raised once")], title="Lines:")

    def theme_title(t: str) -> str:
        d = g.nodes[t]
        return f"{d['label']}: raised in {_plural(d['inspections'], 'inspection')} by {_plural(d['items'], 'item')}"

    def insp_title(i: str) -> str:
        d = g.nodes[i]
        grade = f"; overall: {d['grade']}" if d.get("grade") else ""
        return f"{d['council']}, {d['type']} starting {d['start'] or '?'}{grade}; {_plural(d['recommendations'], 'recommendation')}"

    left = _Side(themes, lambda t: f"{g.nodes[t]['label']} ({g.nodes[t]['inspections']})",
                 lambda t: colour_of.get(t, "#bdbdbd"),
                 lambda t: min(4 + 2.2 * g.nodes[t]["items"] ** 0.5, 13), theme_title)
    right = _Side(insp, lambda i: g.nodes[i]["label"] + (f" ({grade_short(g.nodes[i]['grade'], g.nodes[i]['rank'])})"
                                                         if g.nodes[i].get("rank") else ""),
                  lambda i: GRADE_COLOURS.get(g.nodes[i].get("rank"), GRADE_COLOURS[None]),
                  lambda i: 8, insp_title)
    _bipartite(cv, g, left, right,
               lambda t, i, d: colour_of.get(t, "#bdbdbd"),
               lambda d: min(1.5 + 1.25 * (d["weight"] - 1), 7.5),
               lambda t, i, d: f"{g.nodes[t]['label']} - {g.nodes[i]['label']}: {_plural(d['weight'], 'item')}",
               heading=("Theme (inspections raising it)", "Inspection (overall grade)"))
    return cv.scene(title, subtitle)


# --------------------------------------------------------------------------------------------- #
# (c) Who inspected whom
# --------------------------------------------------------------------------------------------- #

LEAD_COLOUR, TEAM_COLOUR = "#08519c", "#6baed6"


def inspectors_scene(g: nx.Graph, notes: Sequence[str] = ()) -> Scene:
    """Inspectors (left, most inspections first) linked to the councils they inspected (right)."""
    s = g.graph
    places = sorted((n for n, d in g.nodes(data=True) if d["kind"] == "council"),
                    key=lambda n: (-g.nodes[n]["inspections"], g.nodes[n]["label"]))
    people = _barycentre_order(g, [n for n, d in g.nodes(data=True) if d["kind"] == "inspector"], places)
    years = _years(s.get("year_from"), s.get("year_to"))
    if s.get("council"):
        title = (f"{s['council']}: who inspected it, {_plural(len(people), 'inspector')} in "
                 f"{_plural(s.get('inspections', 0), 'inspection')} {years}, from {_plural(s.get('reports', 0), 'report')}")
    else:
        where = f"{s['region']}: w" if s.get("region") else "W"
        title = (f"{where}ho inspected whom: {_plural(len(people), 'inspector')} and "
                 f"{_plural(len(places), 'council')} {years}, from {_plural(s.get('reports', 0), 'report')}")
    subtitle = ("Lines join an inspector to each council they inspected; line width = number of inspections, dark "
                "lines where they led at least one. Circles are sized by number of inspections.")
    cv = _Canvas(1000)
    cv.header(title, subtitle, notes, missing=None if people else "no inspectors in this view: widen the filters")
    cv.legend([("line:3", LEAD_COLOUR, "led an inspection there"), ("line:3", TEAM_COLOUR, "team member only"),
               ("circle", "#f0a04b", "inspector"), ("circle", "#6a51a3", "council")], title="Key:")

    def size(n: str) -> float:
        return min(4 + 2.5 * g.nodes[n]["inspections"] ** 0.5, 16)

    def person_title(p: str) -> str:
        d = g.nodes[p]
        return f"{d['label']}: {_plural(d['inspections'], 'inspection')}, led {d['led']}"

    def place_title(c: str) -> str:
        d = g.nodes[c]
        return f"{d['label']}: {_plural(d['inspections'], 'inspection')} in view, {_plural(g.degree(c), 'inspector')}"

    left = _Side(people, lambda p: f"{g.nodes[p]['label']} ({g.nodes[p]['inspections']})", lambda p: "#f0a04b",
                 size, person_title)
    right = _Side(places, lambda c: f"{g.nodes[c]['label']} ({g.nodes[c]['inspections']})", lambda c: "#6a51a3",
                  size, place_title)
    _bipartite(cv, g, left, right,
               lambda p, c, d: LEAD_COLOUR if d.get("led") else TEAM_COLOUR,
               lambda d: min(1.5 + 1.5 * (d["weight"] - 1), 7.5),
               lambda p, c, d: (f"{g.nodes[p]['label']} - {g.nodes[c]['label']}: "
                                f"{_plural(d['weight'], 'inspection')}, led {d.get('led', 0)}"),
               heading=("Inspector (inspections)", "Council (inspections)"))
    return cv.scene(title, subtitle)


