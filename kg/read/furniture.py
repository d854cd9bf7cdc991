"""Page furniture: the running headers, footers and bare page numbers at the edges of a PDF's pages, dropped
when the pages are joined into one text (the raw text keeps them; the offset map says where each line came from)."""
from __future__ import annotations

import re
from collections import Counter

from .mapped import MappedText


_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^\s*(page\s*)?\d{1,3}(\s*of\s*\d{1,3})?\s*$", re.IGNORECASE)


def _furniture_keys(pages: list[list[str]]) -> set[str]:
    """Lines repeated at the top or bottom of many pages: running headers and footers."""
    edge = Counter()
    for lines in pages:
        nonblank = [ln for ln in lines if ln.strip()]
        seen = set()
        for ln in nonblank[:3] + nonblank[-3:]:
            key = _DIGITS.sub("#", ln.strip())
            if key not in seen:
                seen.add(key)
                edge[key] += 1
    threshold = max(3, int(0.4 * len(pages)))
    return {k for k, n in edge.items() if n >= threshold and len(k) > 1 and k != "#"}


def strip_page_furniture(pages: list[str]) -> tuple[MappedText, list[int]]:
    """Join pages (raw = pages joined by form feeds), dropping running headers/footers and bare
    page numbers at page edges. Pages must already have plain "\n" line ends."""
    split = [p.split("\n") for p in pages]
    furniture = _furniture_keys(split) if len(pages) >= 3 else set()
    out: list[str] = []
    offs: list[int] = []
    page_starts: list[int] = []
    raw_pos = 0
    for page, lines in zip(pages, split):
        nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
        edges = set(nonblank[:3] + nonblank[-3:])
        page_starts.append(len(out))
        pos = raw_pos
        for li, ln in enumerate(lines):
            start = pos
            pos += len(ln) + 1
            if li in edges and (_DIGITS.sub("#", ln.strip()) in furniture or _PAGE_NUMBER.match(ln)):
                continue
            out.append(ln + "\n")
            offs.extend(range(start, start + len(ln) + 1))
        raw_pos += len(page) + 1  # the "\f" between pages
    return MappedText("".join(out), offs), page_starts
