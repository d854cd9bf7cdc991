"""How far a PDF's streams inflate, measured before pdfium parses them (zip bombs).

A page whose content stream is a few hundred kB of FlateDecode that inflates to hundreds of MB of text
operators makes pdfium build tens of millions of objects: 100 MB of `(x) Tj` took one worker to 8 GB
in under a minute. Worker memory limits stop that late and slowly; this stops it first, in a few
milliseconds and a few kB: every stream of the file is inflated in bounded steps, counting the bytes
and keeping none of them, and a file whose streams inflate past the limit is refused before pdfium
sees it.

What is counted: every stream that pdfium would decode to read text (page contents, forms, fonts,
CMaps, object streams); images count against their own, larger allowance, since text extraction does
not decode them, but a content stream can claim to be an image. Filters measured: FlateDecode, and
ASCIIHex/ASCII85 in front of it, chained any number of times. LZW and RunLength streams are left to
the worker's memory limit (`--max-memory`), the second fence. The real reports of the corpus inflate
to at most 2.1 MB in all (one stream at most 0.3 MB).
"""
from __future__ import annotations

import base64
import binascii
import re
import zlib
from dataclasses import dataclass

# `stream` then its end of line opens a stream's data; `endstream` does not
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")
_NAME = re.compile(rb"/([^\s/\[\]<>()]+)")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
IMAGE_ALLOWANCE = 4  # images may inflate to this many times the limit
_CHUNK = 1 << 18
_HEAD = 4096  # bytes before `stream` searched for its object's dictionary


@dataclass(frozen=True, slots=True)
class Inflation:
    """The first stream that took a file past its limit: object number (None if not found), bytes seen."""

    obj: int | None
    inflated: int
    image: bool


def first_excess(data: bytes, limit: int) -> Inflation | None:
    """None if the file's streams inflate to at most `limit` bytes in all (images to IMAGE_ALLOWANCE
    times that), else the stream where the count went past it. Work is linear in the file and in the
    bytes counted, which never pass the limit by more than one step."""
    total = images = 0
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - _HEAD):m.start()]
        obj = None
        for o in _OBJ.finditer(head):  # the last `N G obj` before the stream is its own
            obj = o
        if obj is not None:
            head = head[obj.end():]
        filters = _filters(head)
        if not filters or filters[-1] not in ("FlateDecode", "Fl"):
            continue
        image = _IMAGE.search(head) is not None
        room = limit * IMAGE_ALLOWANCE - images if image else limit - total
        size = _inflated_size(data, m.end(), filters, room)
        if image:
            images += size
        else:
            total += size
        if size > room:
            return Inflation(int(obj.group(1)) if obj else None, total if not image else images, image)
    return None


def _filters(head: bytes) -> list[str] | None:
    m = _FILTER.search(head)
    if m is None:
        return None
    names = [n.decode("latin-1") for n in _NAME.findall(m.group(1))]
    if not names or any(n not in ("FlateDecode", "Fl", "ASCIIHexDecode", "AHx", "ASCII85Decode", "A85")
                        for n in names):
        return None  # unmeasured filters: the memory limit's to catch
    return names


def _inflated_size(data: bytes, start: int, filters: list[str], room: int) -> int:
    """Bytes the stream at `start` decodes to, counted up to room + 1 (then it stops)."""
    text_layers = 0
    for name in filters:
        if name in ("FlateDecode", "Fl"):
            break
        text_layers += 1
    source = data
    if text_layers:  # ASCII layers before the first Flate: at most the file's size, decoded whole
        end = data.find(b"endstream", start)
        source = data[start:end if end >= 0 else len(data)]
        for name in filters[:text_layers]:
            source = _ascii_decode(name, source)
        start = 0
    flates = [zlib.decompressobj() for n in filters[text_layers:] if n in ("FlateDecode", "Fl")]
    if len(flates) != len(filters) - text_layers:
        return 0  # an ASCII layer after a Flate one: not a form pdfium writes or reads as a bomb

    def raw():
        pos = start
        while pos < len(source) and not flates[0].eof:
            yield source[pos:pos + _CHUNK]
            pos += _CHUNK

    pieces = raw()
    for d in flates:  # each layer pulls from the one before, a bounded step at a time
        pieces = _inflate(d, pieces)
    counted = 0
    try:
        for piece in pieces:
            counted += len(piece)
            if counted > room:
                break
    except zlib.error:
        pass  # damaged data: pdfium stops where zlib does
    return counted


def _inflate(d, chunks):
    for chunk in chunks:
        while not d.eof:
            got = d.decompress(chunk, _CHUNK)
            if got:
                yield got
            chunk = d.unconsumed_tail
            if not chunk and len(got) < _CHUNK:
                break  # this input is used up and nothing is pending: the next chunk
        if d.eof:
            return


def _ascii_decode(name: str, data: bytes) -> bytes:
    try:
        if name in ("ASCIIHexDecode", "AHx"):
            text = bytes(c for c in data.split(b">", 1)[0] if c not in b" \t\r\n\f\x00")
            return binascii.unhexlify(text + b"0" * (len(text) % 2))
        body = data.split(b"~>", 1)[0]
        body = body[2:] if body.startswith(b"<~") else body
        return base64.a85decode(body + b"~>", adobe=True, ignorechars=b" \t\r\n\f\x00")
    except (ValueError, binascii.Error):
        return b""
