"""Stage 1, read: bytes on disk -> one normalised text per report, with a map back to the raw text.

The format is decided from the bytes, not the file name (a report saved as HTML under a `.pdf` name
is read as HTML, with a warning). Normalisation is a list of rewrite rules kept in
`kg/data/normalise.yaml`; each rule is a regex substitution that keeps, for every output
character, the index of the raw character it came from, so spans in the normalised text can be
mapped back to the source.
"""
from __future__ import annotations

import bisect
import hashlib
import html
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

import yaml

from .errors import LimitError, NotAReportError, ReadError, RuleFileError, storable
from .paths import data_dir
from . import scan as _scan
from .scan import may_contain

READABLE_SUFFIXES = {".pdf", ".txt", ".text", ".html", ".htm", ".md"}
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


# ---------------------------------------------------------------- offset-preserving rewriting


class MappedText:
    """A string plus, for each character, its index in the original text."""

    __slots__ = ("text", "offsets")

    def __init__(self, text: str, offsets: list[int] | None = None):
        self.text = text
        self.offsets = list(range(len(text))) if offsets is None else offsets

    def sub(self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> "MappedText":
        """re.sub that keeps the offset map: replacement text maps to the start of its match."""
        text, old = self.text, self.offsets
        first = pattern.search(text)
        if first is None:  # most rules find nothing in most texts: no copy of the offset map
            return self
        out: list[str] = []
        offs: list[int] = []
        last = 0
        # no group references in the replacement: no expand per match (scan.ENABLED off: expand, the plain way)
        literal = None if callable(repl) or "\\" in repl or not _scan.ENABLED else repl
        for m in pattern.finditer(text, first.start()):
            s, e = m.span()
            out.append(text[last:s])
            offs.extend(old[last:s])
            new = literal if literal is not None else (repl(m) if callable(repl) else m.expand(repl))
            if new:
                # characters kept from the match map to their own origin where they line up
                anchor = old[s] if s < len(old) else (old[-1] + 1 if old else 0)
                if new == m.group(0):
                    offs.extend(old[s:e])
                else:
                    offs.extend([anchor] * len(new))
                out.append(new)
            last = e
        out.append(text[last:])
        offs.extend(old[last:])
        return MappedText("".join(out), offs)


# ---------------------------------------------------------------- rules as data


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    pattern: re.Pattern[str]
    replace: str
    applies_to: frozenset[str]


@lru_cache(maxsize=None)
def load_rules(path: str | None = None) -> tuple[Rule, ...]:
    """Load and check the normalisation rules (id, pattern, replace, formats)."""
    file = Path(path) if path else data_dir() / "normalise.yaml"
    try:
        doc = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleFileError(f"cannot load normalisation rules: {exc}", source=str(file)) from exc
    rules = []
    for i, entry in enumerate(doc.get("rules", []), 1):
        try:
            flags = re.MULTILINE | (re.IGNORECASE if entry.get("ignore_case") else 0) | (
                re.DOTALL if entry.get("dotall") else 0)
            rules.append(Rule(
                id=entry["id"],
                pattern=re.compile(entry["pattern"], flags),
                replace=entry.get("replace", ""),
                applies_to=frozenset(entry.get("formats", ["pdf", "text", "html"])),
            ))
        except (KeyError, re.error, TypeError) as exc:
            raise RuleFileError(f"rule {i} is broken: {exc}", source=str(file)) from exc
    return tuple(rules)


# ---------------------------------------------------------------- format sniffing and raw text


def sniff_format(data: bytes) -> str:
    """'pdf', 'html', 'text' or 'binary', from the bytes alone."""
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    probe = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in probe[:1024]:
        return "html"
    if not data:
        return "empty"
    sample = data[:65536]
    if sample.count(b"\x00") > len(sample) // 10:
        return "binary"
    try:
        sample.decode("utf-8")
        return "text"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4:  # cut in the middle of a multi-byte character
            return "text"
    bad = sum(1 for b in sample if b < 9 or 13 < b < 32)
    controls = bad / max(1, len(sample))
    return "text" if controls < 0.01 else "binary"


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else cp1252, else latin-1; NUL bytes dropped."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").replace("\x00", "")  # an odd last byte: U+FFFD
    for enc in ("utf-8", "cp1252"):
        try:
            return data.decode(enc).replace("\x00", "")
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1").replace("\x00", "")


def pdf_pages(path: Path, data: bytes, limits: ReadLimits) -> list[str]:
    """Text of each page: pypdfium2 first, pypdf if pdfium cannot open the file."""
    try:
        import pypdfium2 as pdfium

        _quiet_pdfium()
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            msg = str(exc)
            if "password" in msg.lower():
                raise ReadError("encrypted PDF: it needs a password", source=str(path),
                                hint="save an unprotected copy and read that") from exc
            raise
        try:
            if len(doc) > limits.max_pages:
                raise LimitError(f"PDF has {len(doc)} pages, more than the limit of {limits.max_pages}",
                                 source=str(path), hint="raise --max-pages if this is really one report")
            pages = []
            for i in range(len(doc)):
                page = doc[i]
                try:
                    textpage = page.get_textpage()
                    try:
                        pages.append(textpage.get_text_range())
                    finally:
                        textpage.close()
                finally:
                    page.close()
            return pages
        finally:
            doc.close()
    except ReadError:
        raise
    except Exception as first:  # pdfium refused: try pypdf before giving up
        import io
        import logging

        quiet = logging.getLogger("pypdf")
        level = quiet.level
        quiet.setLevel(logging.ERROR)  # pypdf logs its repairs as warnings; the reason is in our one line
        try:
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise ReadError("encrypted PDF: it needs a password", source=str(path),
                                hint="save an unprotected copy and read that")
            if len(reader.pages) > limits.max_pages:
                raise LimitError(f"PDF has {len(reader.pages)} pages, more than the limit of {limits.max_pages}",
                                 source=str(path), hint="raise --max-pages if this is really one report")
            return [p.extract_text() or "" for p in reader.pages]
        except ReadError:
            raise
        except Exception as second:
            why = " ".join(f"{first}; {second}".split())
            raise ReadError(f"damaged or truncated PDF ({why})", source=str(path),
                            hint="download the report again") from second
        finally:
            quiet.setLevel(level)


def _quiet_pdfium() -> None:
    """pypdfium2 writes its clean-up notices at exit straight to stderr; the tool's stderr carries only its
    own lines, so they are turned off (pypdfium2_cfg.DEBUG_AUTOCLOSE)."""
    try:
        import logging

        import pypdfium2_cfg

        pypdfium2_cfg.DEBUG_AUTOCLOSE.value = max(pypdfium2_cfg.DEBUG_AUTOCLOSE.value, logging.CRITICAL + 1)
    except (ImportError, AttributeError):
        pass


_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def html_to_text(source: str) -> MappedText:
    """Visible text of an HTML page, mapped back to the HTML source."""
    m = MappedText(source)
    m = m.sub(re.compile(r"<(script|style|head|noscript)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL), "")
    m = m.sub(re.compile(r"<!--.*?-->", re.DOTALL), "")
    m = m.sub(re.compile(r"<(br|/p|/div|/li|/h[1-6]|/tr|/ul|/ol|/table|p|div|h[1-6]|tr)\b[^>]*>",
                         re.IGNORECASE), "\n")
    m = m.sub(re.compile(r"<li\b[^>]*>", re.IGNORECASE), "\n- ")
    m = m.sub(re.compile(r"<(td|th)\b[^>]*>", re.IGNORECASE), "\t")
    m = m.sub(re.compile(r"<[^>]+>"), "")
    m = m.sub(re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);"), lambda x: html.unescape(x.group(0)))
    return m


# ---------------------------------------------------------------- page furniture


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


# ---------------------------------------------------------------- public API


def iter_report_files(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Files under the given paths, recursively, in a stable order.

    In directories, only files with a report-like suffix (or none) are taken; a file named
    explicitly is always taken, whatever its name. Special files (a FIFO, a device) are listed like
    files, so that reading them fails with one line (`open_regular`) instead of hanging. Nothing under
    the `exclude` folders is listed (the graph store, when it lies inside a folder being built).
    """
    skip = [Path(os.path.abspath(e)) for e in exclude]

    def excluded(f: Path) -> bool:
        a = Path(os.path.abspath(f))
        return any(a == e or e in a.parents for e in skip)

    for p in paths:
        path = Path(p)
        if path.is_dir():
            if excluded(path):
                continue
            for f in sorted(path.rglob("*")):
                if not f.name.startswith(".") and (f.suffix.lower() in READABLE_SUFFIXES or f.suffix == "") \
                        and _listable(f) and not excluded(f):
                    yield f
        elif not excluded(path):
            yield path


def _listable(f: Path) -> bool:
    """A regular file or a special one (not a folder, not a broken link)."""
    try:
        return not stat.S_ISDIR(f.stat().st_mode)
    except OSError:
        return False


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def open_regular(path: str | Path, max_bytes: int | None = None):
    """Open a file for reading its bytes, if it is a regular file (else ReadError: a FIFO or /dev/zero
    would block or never end) and no larger than `max_bytes` (else LimitError), both checked before the
    first byte is read. The open does not block on a FIFO (O_NONBLOCK), and the checks are made on the
    opened file, so a file swapped for another after listing is caught too. Returns a binary file object."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError as exc:
        raise ReadError("file not found: it was moved or deleted", source=str(path)) from exc
    except OSError as exc:
        raise ReadError(f"cannot open: {exc.strerror or exc}", source=str(path)) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
            raise ReadError(f"{kind}, not a regular file: not read", source=str(path))
        if max_bytes is not None and st.st_size > max_bytes:
            raise LimitError(f"file is {st.st_size / 1e6:.1f} MB, more than the limit of {max_bytes / 1e6:g} MB",
                             source=str(path), hint="raise --max-mb if this is really one report")
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def file_sha256(path: str | Path, max_bytes: int | None = None) -> str:
    """sha256 of a regular file's bytes (`open_regular`: a FIFO or device is refused, not read)."""
    h = hashlib.sha256()
    with open_regular(path, max_bytes) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def normalise(mapped: MappedText, fmt: str) -> MappedText:
    """Apply the normalisation rules of `kg/data/normalise.yaml` for this format, in order."""
    for rule in load_rules():
        if fmt in rule.applies_to and may_contain(rule.pattern, mapped.text):
            mapped = mapped.sub(rule.pattern, rule.replace)
    return mapped


def read_source(path: str | Path, limits: ReadLimits = ReadLimits()) -> SourceText:
    """Read one file as a report text. Raises ReadError with a one-line reason."""
    path = Path(path)
    try:
        with open_regular(path, limits.max_bytes) as fh:
            data = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        raise ReadError(f"cannot read: {exc.strerror or exc}", source=str(path)) from exc
    if len(data) > limits.max_bytes:  # it grew after it was opened
        raise LimitError(f"file is more than the limit of {limits.max_bytes / 1e6:g} MB",
                         source=str(path), hint="raise --max-mb if this is really one report")
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
