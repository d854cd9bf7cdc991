"""The scene model of a picture: marks in pixel coordinates (rectangles, circles, curves, text, each with a
hover title), the shared colours and fonts, and the canvas the layouts fill top to bottom."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..errors import KgError


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

    def header(self, title: str, subtitle: str, notes: Sequence[str], *, missing: str | None = None) -> None:
        """Title, subtitle and notes; `missing` is a last note, saying what the view has none of."""
        m = self.margin
        notes = [*notes, missing] if missing else notes
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

