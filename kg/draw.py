"""Pictures people take to meetings: a council's timeline, the recurrence network, who inspected whom.

Each picture is laid out once as a `Scene` (marks in pixel coordinates: rectangles, circles,
curves, text, each with a hover title), then rendered by one of two small backends:

- matplotlib (Agg, no screen needed) for PNG and SVG;
- a self-contained HTML page with the same marks as inline SVG, hover titles and a few lines of
  inline JavaScript (highlight a node's links, filter by label). No CDN, no external file: it
  works offline and can be mailed as one file.

Laying out once keeps the PNG and the HTML page identical, and lets the layouts do what a
force-directed drawing cannot: themes, inspectors and councils in columns with labels that never
overlap, inspections in date order, grades in one set of colours everywhere (`GRADE_COLOURS`).
Big graphs are cut to `max_nodes` (the most connected nodes stay) and the cut is written into
the picture and returned in `Drawing.notes` for the CLI to print on stderr.
"""
from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import networkx as nx

from .errors import KgError
from .netview import (Filters, InspectionSummary, Timeline, cap_nodes, council_timeline, inspection_label,
                      inspector_council_graph, open_store, short_date, theme_inspection_graph)

PICTURES = ("timeline", "recurrence", "inspectors")
FORMATS = ("png", "svg", "html")
DEFAULT_MAX_NODES = 80


class DrawError(KgError):
    """A picture could not be drawn (missing matplotlib, nothing to draw, bad format)."""


# One colour per grade rank, everywhere (colour-blind-safe green-to-red with a text label in cells).
GRADE_COLOURS = {1: "#1b7837", 2: "#7fbf7b", 3: "#f6b04e", 4: "#c0282f", None: "#d6d6d6"}
GRADE_NAMES = {1: "Outstanding", 2: "Good", 3: "Requires improvement / Adequate", 4: "Inadequate",
               None: "Not graded"}
_TEXT_ON = {1: "#ffffff", 2: "#102010", 3: "#2a1a00", 4: "#ffffff", None: "#444444"}
# Qualitative palette for themes (Tableau 20 without its greys), as plain hex so HTML needs no matplotlib.
THEME_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
                 "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2",
                 "#dbdb8d", "#9edae5")
INK, MUTED, FAINT, NOTE, BLANK = "#1a1a1a", "#555555", "#bbbbbb", "#a0281e", "#f2f2f2"
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"


# --------------------------------------------------------------------------------------------- #
# Scene: marks in pixels, rendered by matplotlib or as inline SVG
# --------------------------------------------------------------------------------------------- #

@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str | None = None
    title: str = ""
    node: str = ""


@dataclass(frozen=True, slots=True)
class Circle:
    x: float
    y: float
    r: float
    fill: str
    stroke: str | None = "#ffffff"
    title: str = ""
    node: str = ""


@dataclass(frozen=True, slots=True)
class Curve:
    """A line from (x1, y1) to (x2, y2); an S-curve between two columns unless `straight`."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 1.0
    colour: str = "#888888"
    alpha: float = 1.0
    title: str = ""
    ends: tuple[str, ...] = ()
    straight: bool = False
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float  # vertical centre of the text
    text: str
    size: float = 12
    anchor: str = "start"  # start | middle | end
    bold: bool = False
    italic: bool = False
    colour: str = INK
    title: str = ""
    node: str = ""


Mark = Rect | Circle | Curve | Text


@dataclass(frozen=True, slots=True)
class Scene:
    width: float
    height: float
    title: str
    marks: tuple[Mark, ...]
    description: str = ""


@dataclass(frozen=True, slots=True)
class Drawing:
    """What `draw` made: the file, the picture's title and any notes (cuts, empty results)."""

    path: Path
    title: str
    notes: tuple[str, ...] = ()
    nodes: int = 0
    edges: int = 0


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Rough width of text in DejaVu Sans / Verdana (wide fonts, so layouts err on the roomy side)."""
    return len(text) * size * (0.64 if bold else 0.6)


def wrap(text: str, max_px: float, size: float, max_lines: int = 2) -> list[str]:
    """Wrap to lines that fit `max_px`; the last line ends with an ellipsis if text is left over."""
    chars = max(8, int(max_px / (size * 0.6)))
    lines = textwrap.wrap(text, chars) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: chars - 1].rstrip() + "…"
    return lines


class _Canvas:
    """Collects marks top to bottom; `y` is the next free line."""

    def __init__(self, width: float, margin: float = 24):
        self.width = width
        self.margin = margin
        self.y = margin
        self.marks: list[Mark] = []
        self.notes: list[str] = []

    def add(self, *marks: Mark) -> None:
        self.marks.extend(marks)

    def header(self, title: str, subtitle: str, notes: Sequence[str]) -> None:
        m = self.margin
        for line in wrap(title, self.width - 2 * m, 19, 3):
            self.add(Text(m, self.y + 11, line, 19, bold=True))
            self.y += 26
        for line in wrap(subtitle, self.width - 2 * m, 12, 4):
            self.add(Text(m, self.y + 8, line, 12, colour=MUTED))
            self.y += 17
        for note in notes:
            for line in wrap("Note: " + note, self.width - 2 * m, 12, 3):
                self.add(Text(m, self.y + 8, line, 12, italic=True, colour=NOTE))
                self.y += 17
        self.y += 8

    def legend(self, entries: Sequence[tuple[str, str, str]], *, title: str = "") -> None:
        """One row (wrapping) of legend entries: (shape 'square'|'circle'|'line', colour, label)."""
        m = self.margin
        x = m
        if title:
            self.add(Text(x, self.y + 8, title, 12, bold=True))
            x += text_width(title, 12, True) + 12
        for shape, colour, label in entries:
            need = 22 + text_width(label, 12) * 0.93 + 24
            if x + need > self.width - m and x > m + 1:
                x = m + (text_width(title, 12, True) + 12 if title else 0)
                self.y += 20
            if shape == "square":
                self.add(Rect(x, self.y + 1, 14, 14, colour, "#777777"))
            elif shape == "circle":
                self.add(Circle(x + 7, self.y + 8, 6, colour, "#777777"))
            else:
                width = float(shape.split(":")[1]) if ":" in shape else 3
                self.add(Curve(x, self.y + 8, x + 16, self.y + 8, width, colour, straight=True))
            self.add(Text(x + 22, self.y + 8, label, 12))
            x += need
        self.y += 24

    def scene(self, title: str, description: str = "", height: float | None = None) -> Scene:
        return Scene(self.width, height or self.y + self.margin, title, tuple(self.marks), description)


# --------------------------------------------------------------------------------------------- #
# Renderers
# --------------------------------------------------------------------------------------------- #

def _require_matplotlib():
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise DrawError("PNG and SVG pictures need matplotlib",
                        hint="pip install 'ofsted-kg[draw]', or draw --format html") from exc
    return Figure


def render_matplotlib(scene: Scene, path: Path, fmt: str) -> None:
    """Draw the scene with matplotlib's object API (no pyplot state, no screen) to PNG or SVG."""
    Figure = _require_matplotlib()
    import matplotlib
    from matplotlib.patches import Circle as MCircle, PathPatch, Rectangle
    from matplotlib.path import Path as MPath

    pt = 0.72  # pixels -> points at 100 dpi
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ofsted-kg",
                                "font.family": "DejaVu Sans"}):
        fig = Figure(figsize=(scene.width / 100, scene.height / 100), dpi=100, facecolor="white")
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, scene.width)
        ax.set_ylim(scene.height, 0)
        ax.set_axis_off()
        z = 1
        for m in scene.marks:
            z += 1
            if isinstance(m, Rect):
                ax.add_patch(Rectangle((m.x, m.y), m.w, m.h, facecolor=m.fill, edgecolor=m.stroke or "none",
                                       linewidth=0.8 * pt, zorder=z))
            elif isinstance(m, Circle):
                ax.add_patch(MCircle((m.x, m.y), m.r, facecolor=m.fill, edgecolor=m.stroke or "none",
                                     linewidth=1.2 * pt, zorder=z + 10000))
            elif isinstance(m, Curve):
                if m.straight:
                    verts, codes = [(m.x1, m.y1), (m.x2, m.y2)], [MPath.MOVETO, MPath.LINETO]
                else:
                    dx = (m.x2 - m.x1) / 2
                    verts = [(m.x1, m.y1), (m.x1 + dx, m.y1), (m.x2 - dx, m.y2), (m.x2, m.y2)]
                    codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4]
                ax.add_patch(PathPatch(MPath(verts, codes), facecolor="none", edgecolor=m.colour,
                                       linewidth=m.width * pt, alpha=m.alpha, capstyle="round",
                                       linestyle="--" if m.dashed else "-", zorder=z))
            elif isinstance(m, Text):
                ax.text(m.x, m.y, m.text, fontsize=m.size * pt, color=m.colour,
                        ha={"start": "left", "middle": "center", "end": "right"}[m.anchor], va="center",
                        fontweight="bold" if m.bold else "normal", fontstyle="italic" if m.italic else "normal",
                        zorder=z + 20000, clip_on=False)
        metadata = {"Title": scene.title}
        if fmt == "svg":
            metadata["Date"] = None
        fig.savefig(path, format=fmt, dpi=150 if fmt == "png" else 100, facecolor="white", metadata=metadata)


_HTML_STYLE = """
body{font-family:%(font)s;margin:16px;color:#1a1a1a;background:#fff}
.bar{display:flex;gap:12px;align-items:center;margin:0 0 8px 24px;font-size:13px;color:#555}
.bar input{font:inherit;padding:3px 6px;width:18em}
svg{max-width:100%%;height:auto}
svg text{font-family:%(font)s;dominant-baseline:central}
svg .node,svg .edge{transition:opacity .15s}
svg.focus .node,svg.focus .edge{opacity:.12}
svg.focus .on{opacity:1 !important}
svg .hidden{opacity:.08}
"""

_HTML_SCRIPT = """
(function(){
  var svg=document.querySelector('svg.kg');if(!svg)return;
  function marks(id){return svg.querySelectorAll('[data-node="'+CSS.escape(id)+'"],[data-ends~="'+CSS.escape(id)+'"]');}
  function focus(id){
    svg.classList.add('focus');
    marks(id).forEach(function(e){e.classList.add('on');
      (e.getAttribute('data-ends')||'').split(' ').forEach(function(o){
        if(o)svg.querySelectorAll('[data-node="'+CSS.escape(o)+'"]').forEach(function(n){n.classList.add('on');});});});
  }
  function blur(){svg.classList.remove('focus');svg.querySelectorAll('.on').forEach(function(e){e.classList.remove('on');});}
  svg.querySelectorAll('[data-node]').forEach(function(e){
    e.addEventListener('mouseenter',function(){focus(e.getAttribute('data-node'));});
    e.addEventListener('mouseleave',blur);});
  var box=document.getElementById('filter');
  if(box)box.addEventListener('input',function(){
    var q=box.value.trim().toLowerCase();
    svg.querySelectorAll('[data-label]').forEach(function(e){
      var hit=!q||e.getAttribute('data-label').toLowerCase().indexOf(q)>=0;
      e.classList.toggle('hidden',!hit);});
  });
})();
"""


def _ids(node: str, ids: dict[str, str]) -> str:
    """Short stable ids for data attributes (IRIs contain characters that make selectors awkward)."""
    if node not in ids:
        ids[node] = f"n{len(ids)}"
    return ids[node]


def scene_svg(scene: Scene) -> str:
    """The scene as an inline <svg> element (no xmlns needed inside HTML, no external references)."""
    e = html.escape
    ids: dict[str, str] = {}
    labels: dict[str, str] = {}
    for m in scene.marks:
        if isinstance(m, Text) and m.node:
            labels.setdefault(m.node, m.text)
    out = [f'<svg class="kg" viewBox="0 0 {scene.width:.0f} {scene.height:.0f}" width="{scene.width:.0f}" '
           f'height="{scene.height:.0f}" role="img" aria-label="{e(scene.title)}">',
           f'<rect x="0" y="0" width="{scene.width:.0f}" height="{scene.height:.0f}" fill="#ffffff"/>']
    circles, rest = [], []
    for m in scene.marks:
        title = f"<title>{e(m.title)}</title>" if getattr(m, "title", "") else ""
        node_attr = ""
        node = getattr(m, "node", "")
        if node:
            node_attr = (f' class="node" data-node="{_ids(node, ids)}"'
                         f' data-label="{e(labels.get(node, ""))}"')
        if isinstance(m, Rect):
            stroke = f' stroke="{m.stroke}" stroke-width="0.8"' if m.stroke else ""
            rest.append(f'<rect x="{m.x:.1f}" y="{m.y:.1f}" width="{m.w:.1f}" height="{m.h:.1f}" '
                        f'fill="{m.fill}"{stroke}{node_attr}>{title}</rect>')
        elif isinstance(m, Circle):
            stroke = f' stroke="{m.stroke}" stroke-width="1.2"' if m.stroke else ""
            circles.append(f'<circle cx="{m.x:.1f}" cy="{m.y:.1f}" r="{m.r:.1f}" fill="{m.fill}"{stroke}'
                           f'{node_attr}>{title}</circle>')
        elif isinstance(m, Curve):
            if m.straight:
                d = f"M{m.x1:.1f},{m.y1:.1f} L{m.x2:.1f},{m.y2:.1f}"
            else:
                dx = (m.x2 - m.x1) / 2
                d = (f"M{m.x1:.1f},{m.y1:.1f} C{m.x1 + dx:.1f},{m.y1:.1f} {m.x2 - dx:.1f},{m.y2:.1f} "
                     f"{m.x2:.1f},{m.y2:.1f}")
            ends = " ".join(_ids(n, ids) for n in m.ends)
            cls = ' class="edge"' if ends else ""
            data = f' data-ends="{ends}"' if ends else ""
            dash = ' stroke-dasharray="5,4"' if m.dashed else ""
            rest.append(f'<path d="{d}" fill="none" stroke="{m.colour}" stroke-width="{m.width:.2f}" '
                        f'stroke-opacity="{m.alpha:.2f}" stroke-linecap="round"{dash}{cls}{data}>{title}</path>')
        elif isinstance(m, Text):
            anchor = f' text-anchor="{m.anchor}"' if m.anchor != "start" else ""
            style = (' font-weight="bold"' if m.bold else "") + (' font-style="italic"' if m.italic else "")
            rest.append(f'<text x="{m.x:.1f}" y="{m.y:.1f}" font-size="{m.size:.1f}" fill="{m.colour}"'
                        f'{anchor}{style}{node_attr}>{e(m.text)}{title}</text>')
    out += rest + circles + ["</svg>"]
    return "\n".join(out)


def render_html(scene: Scene, path: Path) -> None:
    """One self-contained page: inline SVG, inline CSS and JS; nothing fetched from the network."""
    e = html.escape
    has_nodes = any(getattr(m, "node", "") for m in scene.marks)
    bar = ('<div class="bar"><label>Filter: <input id="filter" type="search" '
           'placeholder="type part of a label"></label><span>Hover a circle or a label to see its links; '
           'hover any mark for details.</span></div>') if has_nodes else ""
    page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{e(scene.title)}</title>\n"
            f"<meta name=\"description\" content=\"{e(scene.description or scene.title)}\">\n"
            f"<style>{_HTML_STYLE % {'font': FONT_FAMILY}}</style>\n</head>\n<body>\n"
            f"{bar}\n{scene_svg(scene)}\n<script>{_HTML_SCRIPT}</script>\n</body>\n</html>\n")
    path.write_text(page, encoding="utf-8")


def render(scene: Scene, path: str | Path, fmt: str) -> Path:
    """Write the scene as PNG/SVG (matplotlib) or HTML (inline SVG)."""
    path = Path(path)
    if fmt not in FORMATS:
        raise DrawError(f"unknown picture format {fmt!r}", hint="use one of: " + ", ".join(FORMATS))
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        render_html(scene, path)
    else:
        render_matplotlib(scene, path, fmt)
    return path


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
    from .netview import TYPE_SHORT

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
    notes = list(notes)
    if not themes:
        notes.append("no themes in this view: build the store with themes (kg build, kg recurring) or widen the filters")
    cv.header(title, subtitle, notes)
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
    notes = list(notes)
    if not people:
        notes.append("no inspectors in this view: widen the filters")
    cv.header(title, subtitle, notes)
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


# --------------------------------------------------------------------------------------------- #
# The one entry point
# --------------------------------------------------------------------------------------------- #

def draw(source: Any, picture: str, path: str | Path, fmt: str | None = None, *,
         filters: Filters = Filters(), max_nodes: int | None = DEFAULT_MAX_NODES) -> Drawing:
    """Draw one picture of the graph in `source` (a store directory or Store) to `path`.

    `picture` is timeline (needs `filters.council`), recurrence or inspectors; `fmt` defaults to
    the file's extension. Returns the drawing's title and its notes (what was cut or missing).
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise DrawError(f"unknown picture format {fmt!r}", hint="use --format png, svg or html")
    if picture not in PICTURES:
        raise DrawError(f"unknown picture {picture!r}", hint="use one of: " + ", ".join(PICTURES))
    if fmt != "html":
        _require_matplotlib()
    store = open_store(source)
    notes: list[str] = []
    if picture == "timeline":
        if not filters.council:
            raise DrawError("a timeline is drawn for one council", hint="add --council NAME")
        tl = council_timeline(store, filters.council, filters, max_inspections=max_nodes)
        if tl.dropped:
            notes.append(f"showing the {len(tl.inspections)} most recent of {len(tl.inspections) + tl.dropped} "
                         f"inspections (--max-nodes {max_nodes}); use --from/--to to pick years")
        if not tl.inspections:
            notes.append("no inspections of this council in the store for these years")
        scene = timeline_scene(tl, notes)
        n_nodes, n_edges = len(tl.inspections), sum(len(i.judgements) for i in tl.inspections)
    else:
        if picture == "recurrence":
            g = theme_inspection_graph(store, filters)
            h, cut = cap_nodes(g, max_nodes)
        else:
            g = inspector_council_graph(store, filters)
            h, cut = cap_nodes(g, max_nodes, keep_kind="council")
        note = _cut_note(cut, max_nodes or 0, " or --theme" if picture == "recurrence" else "")
        if note:
            notes.append(note)
        scene = recurrence_scene(h, notes) if picture == "recurrence" else inspectors_scene(h, notes)
        n_nodes, n_edges = h.number_of_nodes(), h.number_of_edges()
    render(scene, path, fmt)
    return Drawing(path, scene.title, tuple(notes), n_nodes, n_edges)
