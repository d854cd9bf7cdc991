"""Raw text from the bytes of a file: its format sniffed from the bytes (not the name), text decoded,
PDF pages by pypdfium2 (pypdf when pdfium cannot open the file), HTML's visible text mapped to its source."""
from __future__ import annotations

import html
import re
from pathlib import Path

from ..errors import LimitError, ReadError
from .mapped import MappedText
from .source import ReadLimits


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
    """Text of each page: pypdfium2 first, pypdf if pdfium cannot open the file. A file whose streams
    inflate past `limits.max_bytes` (a zip bomb) is refused first, before either parser sees it."""
    from ..pdfguard import first_excess

    excess = first_excess(data, limits.max_bytes)
    if excess is not None:
        where = f"object {excess.obj}" if excess.obj is not None else "a stream"
        raise LimitError(f"PDF content inflates to more than {limits.max_bytes / 1e6:g} MB ({where}"
                         f"{', an image' if excess.image else ''}): a zip bomb? not read", source=str(path),
                         hint="raise --max-mb if this is really one report")
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
