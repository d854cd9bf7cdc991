"""Stage 1, read: bytes on disk -> one normalised text per report, with a map back to the raw text.

The format is decided from the bytes, not the file name (a report saved as HTML under a `.pdf` name
is read as HTML, with a warning). Normalisation is a list of rewrite rules kept in
`kg/data/normalise.yaml`; each rule is a regex substitution that keeps, for every output
character, the index of the raw character it came from, so spans in the normalised text can be
mapped back to the source.

One job a module: `files` (which files, opened safely), `formats` (raw text from PDF, HTML or text bytes),
`furniture` (page headers and footers), `mapped` (offset-preserving rewriting and the normalisation rules),
`source` (the limits and the SourceText); reading one report from them is here.
"""
from __future__ import annotations

import bisect
import hashlib
import html
import re
from pathlib import Path

from ..errors import LimitError, NotAReportError, ReadError, storable
from .files import READABLE_SUFFIXES, file_sha256, iter_report_files, open_regular, read_chunks
from .formats import _HTML_TITLE, decode_text, html_to_text, pdf_pages, sniff_format
from .furniture import strip_page_furniture
from .mapped import MappedText, Rule, load_rules, normalise
from .source import DEFAULT_MAX_BYTES, DEFAULT_MAX_MEMORY, DEFAULT_MAX_PAGES, DEFAULT_TIMEOUT, ReadLimits, SourceText

__all__ = ["read_source", "read_bytes", "looks_like_report", "ReadLimits", "SourceText", "MappedText", "Rule",
           "load_rules", "normalise", "iter_report_files", "open_regular", "file_sha256", "sniff_format",
           "decode_text", "pdf_pages", "html_to_text", "strip_page_furniture", "READABLE_SUFFIXES",
           "DEFAULT_MAX_BYTES", "DEFAULT_MAX_PAGES", "DEFAULT_TIMEOUT", "DEFAULT_MAX_MEMORY"]


def read_source(path: str | Path, limits: ReadLimits = ReadLimits()) -> SourceText:
    """Read one file as a report text. Raises ReadError with a one-line reason."""
    path = Path(path)
    try:
        with open_regular(path, limits.max_bytes) as fh:
            data = b"".join(read_chunks(fh, path, limits.max_bytes))  # a step at a time: the timeout holds
    except OSError as exc:
        raise ReadError(f"cannot read: {exc.strerror or exc}", source=str(path)) from exc
    # a name that is not UTF-8 is kept with its bytes shown as \xNN (it goes into the graph and messages)
    return read_bytes(data, name=storable(path.name), path=storable(str(path)), limits=limits)


def read_bytes(data: bytes, *, name: str, path: str | None = None,
               limits: ReadLimits = ReadLimits()) -> SourceText:
    """Read a report from bytes; `name` is used for messages and the record's `document`.

    PDF and HTML files (documents as downloaded) must look like an inspection report
    (`looks_like_report`), else NotAReportError; plain text is taken as given.
    """
    where = path or name
    fmt = sniff_format(data)
    warnings: list[str] = []
    suffix = Path(name).suffix.lower()
    if fmt == "empty":
        raise ReadError("empty file", source=where)
    if fmt == "binary":
        raise ReadError("not a PDF, text or HTML file (binary data)", source=where)
    if suffix == ".pdf" and fmt != "pdf":
        warnings.append(f"named .pdf but is not a PDF: read as {fmt.upper() if fmt == 'html' else fmt}")
    page_starts: list[int] = [0]
    if fmt == "pdf":
        pages = [p.replace("\r\n", "\n").replace("\r", "\n")
                 for p in pdf_pages(Path(where), data, limits)]
        raw = "\f".join(pages)
        if sum(len(p.strip()) for p in pages) < 20 * max(1, len(pages)) and len(raw.strip()) < 200:
            raise ReadError("PDF has no text layer (scanned image?)", source=where,
                            hint="run it through OCR first")
        mapped, page_starts = strip_page_furniture(pages)
    elif fmt == "html":
        raw = decode_text(data)
        mapped = html_to_text(raw)
    else:
        raw = decode_text(data)
        if "\f" in raw:  # a PDF's text layer, pages joined by form feeds: read as its PDF is
            pages = raw.replace("\r\n", "\n").replace("\r", "\n").split("\f")
            raw = "\f".join(pages)  # spans index the text as the PDF path gives it
            mapped, page_starts = strip_page_furniture(pages)
        else:
            mapped = MappedText(raw)
    mapped = normalise(mapped, fmt)
    if fmt == "pdf" or (fmt == "text" and "\f" in raw):
        # pages start where the first character of each raw page lands after normalisation
        raw_starts, pos = [], 0
        for p in pages:
            raw_starts.append(pos)
            pos += len(p) + 1
        page_starts = [bisect.bisect_left(mapped.offsets, r) for r in raw_starts]
    if not mapped.text.strip():
        raise NotAReportError("no text found", source=where)
    if fmt == "html" and not looks_like_report(mapped.text):
        title = _HTML_TITLE.search(raw)
        shown = re.sub(r"\s+", " ", html.unescape(title.group(1))).strip() if title else ""
        prefix = "named .pdf but is an HTML page, not a PDF; " if suffix == ".pdf" else ""
        raise NotAReportError(f"{prefix}it holds no Ofsted report"
                              + (f" (page title: '{shown}')" if shown else ""), source=where)
    if fmt == "pdf" and not looks_like_report(mapped.text):
        first = next((ln.strip() for ln in mapped.text.splitlines() if ln.strip()), "")
        shown = first if len(first) <= 60 else first[:59] + "…"
        raise NotAReportError("PDF holds no Ofsted report" + (f" (it begins: '{shown}')" if shown else ""),
                              source=where, hint="only children's-services inspection reports are read")
    return SourceText(
        path=where, name=name, format=fmt, sha256=hashlib.sha256(data).hexdigest(), raw=raw,
        text=mapped.text, offsets=tuple(mapped.offsets), page_starts=tuple(page_starts),
        warnings=tuple(warnings),
    )


_REPORT_SIGNS = re.compile(
    r"inspection of|focused visit|monitoring visit|unannounced inspection|joint targeted area inspection"
    r"|children'?s services|Her Majesty's Inspector|His Majesty's Inspector|Lead inspector",
    re.IGNORECASE)


def looks_like_report(text: str) -> bool:
    """At least two distinct signs of an inspection report in the text."""
    found: set[str] = set()
    for m in _REPORT_SIGNS.finditer(text, 0, 20000):
        found.add(m.group(0).lower())
        if len(found) >= 2 and "inspect" in " ".join(found):
            return True  # enough seen: the rest of the text need not be searched
    return False
