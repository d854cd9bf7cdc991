"""Renderers of a scene: matplotlib (PNG, SVG) and one self-contained HTML page (inline SVG, with the CSS
and JavaScript of page.css and page.js beside this module)."""
from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path

from ..errors import optional_module
from .scene import FONT_FAMILY, Circle, Curve, DrawError, Rect, Scene, Text

FORMATS = ("png", "svg", "html")


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    """A file shipped beside this module (the HTML page's CSS and JavaScript)."""
    return (Path(__file__).parent / name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------- #
# Renderers
# --------------------------------------------------------------------------------------------- #

def _require_matplotlib():
    return optional_module("matplotlib.figure", DrawError("PNG and SVG pictures need matplotlib",
                                                          hint="pip install 'ofsted-kg[draw]', or draw --format html")).Figure


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
            f"<style>\n{_asset('page.css').replace('%(font)s', FONT_FAMILY)}</style>\n</head>\n<body>\n"
            f"{bar}\n{scene_svg(scene)}\n<script>\n{_asset('page.js')}</script>\n</body>\n</html>\n")
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

