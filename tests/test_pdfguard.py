"""kg.pdfguard: how far a PDF's streams inflate, measured before pdfium parses them (issue 19, zip bombs)."""
from __future__ import annotations

import base64
import zlib

import pytest

from kg.errors import LimitError
from kg.pdfguard import first_excess
from kg.read import ReadLimits, read_bytes
from .conftest import SAMPLES
from ._pdfs import zip_bomb_pdf

MB = 1_000_000


def _one_stream(dictionary: bytes, data: bytes) -> bytes:
    return b"%PDF-1.4\n7 0 obj\n<< /Length " + str(len(data)).encode() + b" " + dictionary + b" >>\nstream\n" \
        + data + b"\nendstream\nendobj\n%%EOF\n"


def test_real_reports_inflate_far_below_the_default_limit():
    """Every sample PDF passes at a twentieth of the default --max-mb (the corpus peaks at 2.1 MB)."""
    pdfs = sorted(SAMPLES.glob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        assert first_excess(pdf.read_bytes(), ReadLimits().max_bytes // 20) is None, pdf.name


OPS = b"(x) Tj " * (3 * MB // 7)  # 3 MB of text operators


@pytest.mark.parametrize("dictionary, data", [
    (b"/Filter /FlateDecode", zlib.compress(OPS)),
    (b"/Filter [/FlateDecode /FlateDecode]", zlib.compress(zlib.compress(OPS))),
    (b"/Filter [ /ASCII85Decode /FlateDecode ]", base64.a85encode(zlib.compress(OPS), adobe=True)),
    (b"/Filter[/AHx/Fl]", zlib.compress(OPS).hex().encode() + b">"),
    (b"/Subtype /Image /Filter /FlateDecode", zlib.compress(OPS * 4)),  # a content stream that says it is an image
], ids=["flate", "twice", "ascii85", "hex", "image"])
def test_streams_past_the_limit_are_found_in_every_filter_chain(dictionary, data):
    limit = 2 * MB * (4 if b"/Image" in dictionary else 1)  # images have four times the room
    found = first_excess(_one_stream(dictionary, data), 2 * MB)
    assert found is not None and found.obj == 7 and found.image == (b"/Image" in dictionary)
    assert limit < found.inflated < limit + (1 << 19)  # counted a step past the limit, not to the end
    assert first_excess(_one_stream(dictionary, data), 13 * MB) is None


def test_a_bomb_is_refused_by_the_reader_with_one_line():
    with pytest.raises(LimitError) as err:
        read_bytes(zip_bomb_pdf(60), name="bomb.pdf", limits=ReadLimits())
    assert err.value.one_line() == ("bomb.pdf: PDF content inflates to more than 50 MB (object 5): a zip bomb? "
                                    "not read (raise --max-mb if this is really one report)")
    with pytest.raises(LimitError):
        read_bytes(zip_bomb_pdf(3), name="bomb.pdf", limits=ReadLimits(max_bytes=2 * MB))
