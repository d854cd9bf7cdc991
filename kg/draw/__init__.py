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

from pathlib import Path
from typing import Any

from ..netview import (Filters, cap_nodes, council_timeline, inspector_council_graph, open_store,
                       theme_inspection_graph)
from .layouts import _cut_note, inspectors_scene, recurrence_scene, timeline_scene
from .render import FORMATS, _require_matplotlib, render
from .scene import GRADE_COLOURS, DrawError, Drawing, Scene

PICTURES = ("timeline", "recurrence", "inspectors")
DEFAULT_MAX_NODES = 80

__all__ = ["draw", "render", "DrawError", "Drawing", "Scene", "timeline_scene", "recurrence_scene",
           "inspectors_scene", "PICTURES", "FORMATS", "DEFAULT_MAX_NODES", "GRADE_COLOURS"]


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
