"""kg.read: format sniffing, normalisation with offsets, and clear errors on bad input."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import NotAReportError, ReadError
from kg.read import MappedText, ReadLimits, iter_report_files, normalise, read_bytes, read_source, sniff_format

from .conftest import BAD, SAMPLES
from ._pdfs import sample_pdf_bytes

SEED_000 = "000_8c596ea8a2081205.txt"
SEED_004 = "004_b5ee7b23e5af23f4.txt"


def test_formats_are_decided_from_bytes(read_sample):
    assert read_sample("doncaster_2022-04-08.pdf").format == "pdf"
    assert read_sample(SEED_000).format == "text"
    # the same PDF bytes under a .txt name are still read as a PDF
    data = (SAMPLES / "doncaster_2022-04-08.pdf").read_bytes()
    assert read_bytes(data, name="renamed.txt").format == "pdf"


def test_html_saved_as_pdf_is_named_and_refused_when_it_holds_no_report():
    with pytest.raises(NotAReportError) as err:
        read_source(BAD / "rotherham_2012-08-10.pdf")
    line = err.value.one_line()
    assert "rotherham_2012-08-10.pdf" in line and "not a PDF" in line and "Report not found" in line


def test_html_report_is_read_as_html_with_a_warning(read_sample):
    seed = (SAMPLES / SEED_000).read_text(encoding="utf-8")
    page = "<html><head><title>x</title></head><body>" + "".join(
        f"<p>{line}</p>" for line in seed.splitlines()) + "</body></html>"
    src = read_bytes(page.encode(), name="letter.pdf")
    assert src.format == "html"
    assert any("not a PDF" in w for w in src.warnings)
    assert "Dear Mr Jarman" in src.text and "<p>" not in src.text


def test_converted_markup_is_removed_and_inline_bullets_split(read_sample):
    text = read_sample(SEED_000).text
    assert "<ul" not in text and "▪" not in text
    assert "\n- Councillors and senior managers have demonstrated" in text
    assert "\n- The new arrangements for handling contacts" in text
    assert "**" not in read_sample(SEED_004).text


def test_sentence_broken_by_a_page_gap_is_joined(read_sample):
    text = read_sample(SEED_000).text
    assert "assessments are clear and analytical,\nrisk factors are identified" in text


def test_running_headers_and_page_numbers_are_removed(read_sample):
    src = read_sample("doncaster_2022-04-08.pdf")
    assert "14 to 25 February 2022 2" not in src.text
    assert src.text.count("Inspection of Doncaster local authority children's services") <= 1
    assert len(src.page_starts) > 5


def test_quotes_ligatures_and_pdf_bullets_are_normalised(read_sample):
    text = read_sample("doncaster_2015-11-27.pdf").text
    assert "\u2019" not in text and "\uf06e" not in text
    assert "children's" in text
    assert "Review of the effectiveness of the local safeguarding children\nboard\n" in text  # footnote '1' gone


def test_offsets_point_back_into_the_raw_text(read_sample):
    for name in (SEED_000, "doncaster_2015-11-27.pdf"):
        src = read_sample(name)
        assert len(src.offsets) == len(src.text)
        assert all(a <= b for a, b in zip(src.offsets, src.offsets[1:]))
        same = sum(1 for i, ch in enumerate(src.text)
                   if src.offsets[i] < len(src.raw) and src.raw[src.offsets[i]] == ch)
        assert same / len(src.text) > 0.97
        m = re.search(r"Children who need help and protection", src.text) or re.search("Gary Lamb", src.text)
        a, b = src.raw_span(*m.span())
        assert src.raw[a:b] == m.group(0)


def test_directories_are_read_recursively_in_stable_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("x")
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / ".hidden.txt").write_text("x")
    assert [p.name for p in iter_report_files([tmp_path])] == ["a.pdf", "z.txt"]


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (bytes(range(256)) * 40, "binary data"),
])
def test_unreadable_bytes_get_a_one_line_reason(data, reason):
    with pytest.raises(ReadError) as err:
        read_bytes(data, name="bad.pdf")
    assert reason in err.value.one_line() and "\n" not in err.value.one_line()


def test_truncated_pdf_is_reported_as_damaged():
    data = (SAMPLES / "doncaster_2022-04-08.pdf").read_bytes()[:5000]
    with pytest.raises(ReadError, match="damaged or truncated PDF"):
        read_bytes(data, name="cut.pdf")


def test_encrypted_pdf_is_reported():
    with pytest.raises(ReadError, match="encrypted"):
        read_bytes(sample_pdf_bytes(encrypt=True), name="locked.pdf")


def test_pdf_without_text_layer_is_reported():
    with pytest.raises(ReadError, match="no text layer"):
        read_bytes(sample_pdf_bytes(blank=True), name="scan.pdf")


def test_limits_on_size_and_pages(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2000)
    with pytest.raises(ReadError, match="limit"):
        read_source(big, ReadLimits(max_bytes=1000))
    with pytest.raises(ReadError, match="pages, more than the limit of 1"):
        read_bytes(sample_pdf_bytes(), name="two.pdf", limits=ReadLimits(max_pages=1))


@pytest.mark.parametrize("encode", [
    lambda s: s.encode("cp1252", errors="replace"),
    lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
    lambda s: s.encode("utf-8").replace(b"Dear", b"De\x00ar"),
])
def test_text_encodings_bom_and_nul_bytes(encode):
    seed = (SAMPLES / SEED_000).read_text(encoding="utf-8").replace("children's", "children\u2019s")
    src = read_bytes(encode(seed), name="letter.txt")
    assert src.format == "text"
    assert "Dear Mr Jarman" in src.text and "children's services" in src.text
    assert "\ufeff" not in src.text and "\x00" not in src.text


def test_sniffing_is_total():
    assert sniff_format(b"%PDF-1.7 ...") == "pdf"
    assert sniff_format(b"<!DOCTYPE html><html>") == "html"
    assert sniff_format(b"plain words") == "text"
    assert sniff_format(b"") == "empty"


# ------------------------------------------------------------------ properties


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab ,\n\t-*<>ul▪•’“”ﬁ\uf06e\ufffe\u00ad1.")), max_size=200))
def test_normalisation_never_crashes_and_keeps_an_ordered_offset_map(s):
    for fmt in ("text", "pdf", "html"):
        m = normalise(MappedText(s), fmt)
        assert len(m.offsets) == len(m.text)
        assert all(0 <= o <= len(s) for o in m.offsets)
        assert all(a <= b for a, b in zip(m.offsets, m.offsets[1:]))
