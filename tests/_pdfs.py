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
