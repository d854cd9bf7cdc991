"""What reading gives and keeps to: the limits one report's read must stay within, and the report's
normalised text with its map back to the raw text (the spans of every later stage index into it)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

DEFAULT_MAX_BYTES = 50_000_000  # 50 MB, as --max-mb counts them
DEFAULT_MAX_PAGES = 400
DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_MEMORY = 2_000_000_000  # 2 GB a worker may take for one report, as --max-memory counts it


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Limits that stop a single bad file from eating the machine.

    `timeout` (seconds, None or 0 for none) bounds reading and extracting one report; it is enforced by
    `kg.pipeline.process_file`, not by the reader. `max_memory` (bytes, None for none) bounds the memory
    a worker process may take on top of what it starts with, so a PDF whose page inflates to gigabytes
    (a zip bomb) ends its own worker, not the machine or the batch; with it, `kg.pipeline.process_paths`
    always reads in worker processes (the command line sets it; the library default reads in-process).
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pages: int = DEFAULT_MAX_PAGES
    timeout: float | None = DEFAULT_TIMEOUT
    max_memory: int | None = None


@dataclass(frozen=True, slots=True)
class SourceText:
    """A report's text after normalisation. Spans of every later stage index into `text`."""

    path: str
    name: str
    format: str  # pdf | text | html
    sha256: str  # of the file's bytes
    raw: str  # text as extracted, before normalisation
    text: str  # normalised text (the "text rendition")
    offsets: tuple[int, ...]  # offsets[i] = index in `raw` of text[i]
    page_starts: tuple[int, ...]  # index in `text` where each page begins
    warnings: tuple[str, ...] = ()

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text back to the raw text."""
        if start >= end:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.raw)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1

    def page_of(self, pos: int) -> int:
        """1-based page number of a text position (1 for non-paginated sources)."""
        page = 1
        for i, s in enumerate(self.page_starts):
            if s <= pos:
                page = i + 1
        return page
