"""PDFs made by the tests from a real sample: a two-page cut, an encrypted copy, a blank 'scan'."""
from __future__ import annotations

import io

from .conftest import SAMPLES


def sample_pdf_bytes(*, encrypt: bool = False, blank: bool = False) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    if blank:
        writer.add_blank_page(width=595, height=842)
    else:
        for page in PdfReader(SAMPLES / "doncaster_2022-04-08.pdf").pages[:2]:
            writer.add_page(page)
    if encrypt:
        writer.encrypt("secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def zip_bomb_pdf(inflated_mb: int = 200, *, unit: bytes = b"(x) Tj ", filters: str = "/FlateDecode") -> bytes:
    """A one-page PDF whose content stream is a FlateDecode of `inflated_mb` MB of text operators (`unit`
    over and over) after one line of text: about 1.5 kB on disk per MB inflated. pdfium makes an object of
    every operator: 100 MB of `(x) Tj` took a reader to 8 GB (issue 19 measured 5.5 GB for its bomb).
    Made a megabyte at a time, so the test itself never holds the inflated stream. `filters` "double"
    compresses it twice (/FlateDecode /FlateDecode)."""
    import zlib

    z = zlib.compressobj(9)
    block = unit * ((1 << 20) // len(unit))
    parts = [z.compress(b"BT /F1 11 Tf 72 770 Td (Inspection of children's services) Tj ")]
    parts += [z.compress(block) for _ in range(inflated_mb)]
    parts += [z.compress(b" ET"), z.flush()]
    if filters == "double":
        parts, filters = [zlib.compress(b"".join(parts), 9)], "[/FlateDecode /FlateDecode]"
    stream = b"".join(parts)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter %s >>\nstream\n" % (len(stream), filters.encode()) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
