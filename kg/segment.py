"""Stage 2, segment: a normalised report text -> its headings and blocks, each with its span.

Reports reach us as PDF text layers (lines wrapped at the page width, no blank lines), as text
copies (one line per paragraph, blank lines between) and as HTML. Segmentation therefore works on
line *shapes*, not on one file's layout: a block starts at a bullet ('- '), a numbered paragraph
('12. ' or '10.Text'), a known heading (kg/data/sections.yaml) or a deadline label ('Within three
months:'), and goes on while the next line reads as a wrapped continuation (lower-case start, or
the previous line is full width and not a sentence end). Short unpunctuated paragraphs are headings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import scan
from .rules import Entry, load_rule_file
from .read import SourceText

_BULLET = re.compile(r"- ")
_NUMBERED = re.compile(r"(\d{1,3}(?:\.\d{1,2})?)\.\s*(?=\S)|(\d\.\d{1,2})\s+(?=[A-Z])")
_TERMINAL = re.compile(r"[.!?:;][\"')\]]*$")
_FOOTNOTE = re.compile(r"\d{1,2}")


@dataclass(frozen=True, slots=True)
class Line:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Block:
    """A heading, paragraph, numbered paragraph, bullet or deadline label.

    `start`/`end` span the block's text in `src.text` without its bullet or number, so
    whitespace-collapsed `src.text[start:end] == text`.
    """

    kind: str  # heading | label | paragraph | numbered | bullet
    text: str
    start: int
    end: int
    section: tuple[str, ...]  # headings above the block: (part, heading)
    number: str | None = None  # printed paragraph number of a numbered paragraph
    heading_id: str | None = None  # id of a known heading (sections.yaml) or deadline label
    line_count: int = 1


@dataclass(frozen=True, slots=True)
class Segmented:
    """The blocks of one report plus its lines (table parsers read lines)."""

    lines: tuple[Line, ...]
    blocks: tuple[Block, ...]
    width: int  # typical full line length: tells wrapped lines from paragraph ends

    def blocks_after(self, index: int) -> tuple[Block, ...]:
        return self.blocks[index + 1:]


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces, ends trimmed."""
    return " ".join(text.split())  # the same as re.sub(r"\s+", " ", text).strip(): one notion of whitespace


@lru_cache(maxsize=None)
def section_rules() -> dict[str, tuple[Entry, ...]]:
    return load_rule_file("sections.yaml")


def _full_match(entries: tuple[Entry, ...], text: str) -> Entry | None:
    t = collapse(text).rstrip()
    gate = _any_of(entries) if scan.ENABLED else None  # scan.ENABLED off: the plain loop (parity tests)
    if gate is not None and gate.fullmatch(t) is None:  # most lines are no heading: one regex call says so
        return None
    for e in entries:
        if e.pattern is not None and e.pattern.fullmatch(t):
            return e
    return None


_GATES: dict[int, tuple[tuple[Entry, ...], re.Pattern[str] | None]] = {}
_BACKREF = re.compile(r"\\[1-9]|\(\?P=")


def _any_of(entries: tuple[Entry, ...]) -> re.Pattern[str] | None:
    """One pattern that fully matches a text exactly when one of the entries' patterns does (their
    alternation; speed only, the entry is still found by the loop), or None when they cannot be joined
    (different flags, a backreference whose group number would shift)."""
    known = _GATES.get(id(entries))
    if known is not None and known[0] is entries:
        return known[1]
    patterns = [e.pattern for e in entries if e.pattern is not None]
    gate = None
    if patterns and len({p.flags for p in patterns}) == 1 and not any(_BACKREF.search(p.pattern) for p in patterns):
        try:
            gate = re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)
        except re.error:
            gate = None
    _GATES[id(entries)] = (entries, gate)
    return gate


@lru_cache(maxsize=1 << 16)  # the segmenter asks about each line several times
def known_heading(text: str) -> Entry | None:
    """The sections.yaml heading a line (or two joined lines) is, if any."""
    return _full_match(section_rules()["headings"], text)


@lru_cache(maxsize=1 << 16)
def deadline_label(text: str) -> Entry | None:
    return _full_match(section_rules()["deadlines"], text)


def split_lines(text: str) -> tuple[Line, ...]:
    out = []
    pos = 0
    for raw in text.split("\n"):
        out.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return tuple(out)


def _typical_width(lines: tuple[Line, ...]) -> int:
    lengths = sorted(len(ln.text) for ln in lines if ln.text.strip())
    if not lengths:
        return 80
    return max(40, lengths[int(0.9 * (len(lengths) - 1))])


def _marker(line: str) -> tuple[str, str | None, int]:
    """(kind, number, text offset) of a line's list marker."""
    if _BULLET.match(line):
        return "bullet", None, 2
    m = _NUMBERED.match(line)
    if m and len(line) > m.end():
        number = m.group(1) or m.group(2)
        if int(number.split(".")[0]) <= 400:
            return "numbered", number, m.end()
    return "paragraph", None, 0


def _is_heading_text(text: str, line_count: int, width: int) -> bool:
    """A short paragraph that does not end a sentence and starts with a capital reads as a heading."""
    return (0 < len(text) <= 160 and line_count <= 3 and not _TERMINAL.search(text)
            and not text.endswith(",") and (text[0].isupper() or text[0].isdigit()))


def segment(src: SourceText) -> Segmented:
    """Headings and blocks of a report, in text order, each with its section path."""
    lines = split_lines(src.text)
    width = _typical_width(lines)
    long_line = 0.8 * width
    n = len(lines)

    def starts_block(i: int) -> bool:
        t = lines[i].text
        if not t.strip():
            return True
        if _marker(t)[0] != "paragraph" or deadline_label(t) or known_heading(t):
            return True
        return False

    def continues(prev: str, nxt: str, after_blank: bool) -> bool:
        if not nxt.strip() or _marker(nxt)[0] != "paragraph" or deadline_label(nxt) or known_heading(nxt):
            return False
        first = nxt.lstrip()[0]
        lower = first.islower() or first in "(&"
        if after_blank:
            return lower and not _TERMINAL.search(prev)
        if lower:
            return True
        if _TERMINAL.search(prev):
            if any(e.pattern.search(nxt) for e in section_rules().get("openers", ())):
                return False
            return len(prev) >= long_line and (len(nxt) >= long_line or bool(_TERMINAL.search(nxt)))
        return len(prev) >= 0.6 * width

    blocks: list[Block] = []
    part: str | None = None
    heading: str | None = None
    i = 0
    while i < n:
        ln = lines[i]
        if not ln.text.strip():
            i += 1
            continue
        section = tuple(s for s in (part, heading) if s)
        # a known heading on one line, or wrapped over two
        entry = known_heading(ln.text)
        used = 1
        if entry is None and i + 1 < n and lines[i + 1].text.strip() and _marker(ln.text)[0] == "paragraph" \
                and not _TERMINAL.search(ln.text) and _marker(lines[i + 1].text)[0] == "paragraph":
            entry = known_heading(ln.text + " " + lines[i + 1].text)
            used = 2 if entry else 1
        if entry is not None:
            end_line = lines[i + used - 1]
            text = collapse(src.text[ln.start:end_line.end])
            label = entry.get("label") or text
            if entry["level"] == 1:
                part, heading = label, None
            else:
                heading = text
            blocks.append(Block("heading", text, ln.start, end_line.end, tuple(s for s in (part, heading) if s),
                                heading_id=entry["id"], line_count=used))
            i += used
            continue
        lab = deadline_label(ln.text)
        if lab is not None:
            blocks.append(Block("label", collapse(ln.text), ln.start, ln.end, section, heading_id=lab["id"]))
            i += 1
            continue
        kind, number, offset = _marker(ln.text)
        if part == "Contents" and kind != "paragraph":
            part, heading = None, None  # the contents list ends where the text begins
            section = ()
        j = i
        last = ln.text
        while j + 1 < n:
            nxt = lines[j + 1].text
            if continues(last, nxt, False):
                j += 1
                last = nxt
                continue
            # a sentence broken by a blank line (page gap in text copies)
            if not nxt.strip() and j + 2 < n and continues(last, lines[j + 2].text, True):
                j += 2
                last = lines[j].text
                continue
            break
        start = ln.start + offset
        while start < lines[j].end and src.text[start] in " \t":
            start += 1
        end = lines[j].end
        text = collapse(src.text[start:end])
        count = j - i + 1
        if kind == "paragraph" and _is_heading_text(text, count, width) and not _FOOTNOTE.fullmatch(text):
            heading = text
            blocks.append(Block("heading", text, start, end, tuple(s for s in (part, heading) if s), line_count=count))
        elif text:
            blocks.append(Block(kind, text, start, end, section, number=number, line_count=count))
        i = j + 1
    return Segmented(lines, tuple(blocks), width)


def not_item(text: str) -> bool:
    """An item that says there is nothing to list ('There are no areas for priority action.')."""
    return any(e.pattern.search(text) for e in section_rules().get("not_items", ()))


def _numbered_with_sub_bullets(blocks: tuple[Block, ...], k: int) -> bool:
    """Is blocks[k] a numbered item whose sub-bullets follow it, with the next numbered item after them
    ('1. Improve ... by:' '- ...' '- ...' '2. Ensure ...')? Then it is the first item, not a lead-in."""
    if blocks[k].kind != "numbered":
        return False
    j = k + 1
    while j < len(blocks) and blocks[j].kind == "bullet":
        j += 1
    return j > k + 1 and j < len(blocks) and blocks[j].kind == "numbered"


def _list_goes_on(blocks: tuple[Block, ...], k: int, subheadings: bool) -> bool:
    """Does a bullet list continue at blocks[k] (a bullet, or a topic sub-heading over bullets)?"""
    if k < len(blocks) and blocks[k].kind == "bullet":
        return True
    return (subheadings and k + 1 < len(blocks) and blocks[k].kind == "heading" and blocks[k].heading_id is None
            and len(blocks[k].text) <= 100 and blocks[k + 1].kind == "bullet")


def items_under(seg: Segmented, index: int, *, paragraphs: bool = False,
                lead_in: re.Pattern[str] | None = None,
                subheadings: bool = False) -> list[tuple[Block, str | None]]:
    """The list items (bullets or numbered paragraphs) under the heading at `index`, each with the
    deadline group label it sits under ('Within three months:' -> 'within-three-months').

    A lead-in sentence ending in ':' or 'following action.' is skipped; the list ends at the next
    heading or at prose. With `paragraphs`, plain paragraphs are items too (headline findings).
    With `subheadings`, in a list that opens with a topic sub-heading, a later unknown short
    heading ('Quality of practice') does not end the list when an item of the same kind follows. Items that say there is nothing to
    list (sections.yaml `not_items`) are left out.
    """
    deadlines = {e["id"]: e["deadline"] for e in section_rules()["deadlines"]}
    out: list[tuple[Block, str | None]] = []
    deadline = None
    kinds: set[str] = set()
    skipped = 0
    sub_bullets = -1  # start of the numbered item whose sub-bullets are being joined to it
    following = seg.blocks[index + 1:]
    for k, b in enumerate(following):
        if b.kind == "label":
            deadline = deadlines.get(b.heading_id or "")
            continue
        if b.kind == "heading":
            if _FOOTNOTE.fullmatch(b.text):
                continue
            if not out and b.heading_id is None and skipped < 3:
                skipped += 1  # sub-headings before the first item ('Priority and immediate action')
                continue
            if subheadings and skipped and out and b.heading_id is None and len(b.text) <= 100:
                nxt = next((x for x in following[k + 1:] if not (x.kind == "heading" and x.heading_id is None
                                                                  and len(x.text) <= 100)), None)
                if nxt is not None and nxt.kind in kinds:
                    continue  # a topic sub-heading inside the list
            break
        if not_item(b.text):
            continue
        is_lead_in = (b.text.endswith(":") or b.text.endswith("following action.")
                      or (lead_in is not None and lead_in.search(b.text) is not None))
        if not out and b.kind != "bullet" and is_lead_in and not _numbered_with_sub_bullets(following, k):
            continue
        if b.kind == "paragraph" and _FOOTNOTE.fullmatch(b.text):
            continue
        if b.kind == "paragraph" and not paragraphs:
            if out and out[-1][0].kind == "bullet" and _list_goes_on(following, k + 1, subheadings):
                # an indented paragraph that continues the bullet above it, the list going on after it
                prev = out[-1][0]
                out[-1] = (Block(prev.kind, f"{prev.text} {b.text}", prev.start, b.end, prev.section,
                                 prev.number, prev.heading_id, prev.line_count + b.line_count), out[-1][1])
                continue
            break
        if out and b.kind == "paragraph" and is_lead_in:
            break  # a lead-in opens the next list ('The following areas of satisfactory practice ...:')
        if kinds and b.kind not in kinds:
            prev = out[-1][0] if out else None
            if b.kind == "bullet" and prev is not None and prev.kind == "numbered" and (
                    prev.text.endswith(":") or sub_bullets == prev.start):
                sub_bullets = prev.start
                # sub-bullets of a numbered item ('27. Improve ... by:' '- targeting ...'): part of it
                out[-1] = (Block(prev.kind, f"{prev.text} - {b.text}", prev.start, b.end, prev.section,
                                 prev.number, prev.heading_id, prev.line_count + b.line_count), out[-1][1])
                continue
            break
        kinds.add(b.kind)
        out.append((b, deadline))
    return out
