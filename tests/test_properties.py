"""Property-based tests of reading + extraction (normalisation alone is in test_read.py).

Texts are generated as mixtures of real report lines (from the samples), the headings the segmenter
looks for, bullets, numbered paragraphs, grades, dates, letter furniture and junk. For every text:
extraction never crashes, every span lies inside the normalised text and quotes its item as the
extractors promise (whitespace-collapsed), and the record serialises to JSON and back (services as
plain strings, as the schema prints them).
"""
from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.extract import extract_record
from kg.read import read_bytes
from kg.records import Service, Span, record_from_dict, record_to_dict
from kg.segment import collapse

from .conftest import SAMPLES

HEADINGS = [
    "Recommendations", "What needs to improve", "What needs to improve in this area of social work practice",
    "Areas for priority action", "Areas for development", "Areas for improvement", "Strengths", "Weaknesses",
    "Headline findings", "Main findings", "Satisfactory practice", "Immediately:", "Within three months:",
    "Within six months:", "Inspection findings", "The local authority", "Judgement grade", "Contents",
    "What does the local authority need to improve?", "Information about this inspection",
    "Summary of judgements", "Overall effectiveness", "Yours sincerely", "Dear Ms Smith", "cc:",
    "Children who need help and protection", "The experiences and progress of children in care",
    "The impact of leaders on social work practice with children and families",
]
GRADES = ["Outstanding", "Good", "Requires improvement to be good", "Inadequate", "Requires\nimprovement to be\ngood",
          "Adequate", "Grade 1", "Grade 4"]
JUNK = st.text(alphabet=st.sampled_from(list("abcXYZ ():;,.-–•▪*#'’\"\t0123456789\u00a0\ufeff")), max_size=40)


@lru_cache(maxsize=1)
def real_lines() -> list[str]:
    lines: list[str] = []
    for name in ("000_8c596ea8a2081205.txt", "002_f1ebdee6c896ebcd.txt", "004_b5ee7b23e5af23f4.txt"):
        lines += [ln for ln in (SAMPLES / name).read_text(encoding="utf-8").splitlines() if ln.strip()]
    return lines


LINE = st.one_of(
    st.integers(min_value=0, max_value=10_000).map(lambda i: real_lines()[i % len(real_lines())]),
    st.sampled_from(HEADINGS),
    st.sampled_from(GRADES),
    st.tuples(st.sampled_from(["- ", "• ", "▪ ", "* ", "1. ", "12. ", "(a) ", ""]),
              st.integers(min_value=0, max_value=10_000)).map(lambda t: t[0] + real_lines()[t[1] % len(real_lines())]),
    st.dates().map(lambda d: f"{d.day} {d:%B %Y}"),
    st.sampled_from(["Lead inspector: Jane Doe HMI", "John Smith", "Her Majesty's Inspector",
                     "Inspection of children's services", "Inspection dates: 1 to 12 March 2021",
                     "Ofsted", "Published: 3 May 2019", "Page 3 of 12", "\f", ""]),
    JUNK,
)
BULLET = st.tuples(st.sampled_from(["- ", "• ", "1. ", ""]), st.integers(min_value=0, max_value=10_000)).map(
    lambda t: t[0] + real_lines()[t[1] % len(real_lines())])
BLOCK = st.one_of(  # a heading with the lines it governs, or a graded area
    st.tuples(st.sampled_from(HEADINGS), st.lists(BULLET, min_size=1, max_size=4)).map(
        lambda t: "\n".join([t[0], *t[1]])),
    st.tuples(st.sampled_from(HEADINGS[-3:] + ["Overall effectiveness", "Adoption performance",
                                                "Leadership, management and governance"]),
              st.sampled_from(GRADES), st.sampled_from(["\n", ": ", " ", "\nGrade 2 ("])).map(
        lambda t: f"{t[0]}{t[2]}{t[1]}" + (")" if t[2].endswith("(") else "")),
)
TEXTS = st.lists(st.one_of(LINE, BLOCK), min_size=1, max_size=40).map("\n".join)


def _quotes(text: str, span: Span | None) -> str:
    assert span is not None
    assert 0 <= span.start <= span.end <= len(text), (span, len(text))
    return collapse(text[span.start:span.end])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.sampled_from(["text", "html"]))
def test_extraction_never_crashes_and_every_span_quotes_its_item(body, wrap):
    data = body if wrap == "text" else "<html><body>" + "".join(f"<p>{ln}</p>" for ln in body.split("\n")) + "</body></html>"
    try:
        src = read_bytes(data.encode("utf-8"), name=f"generated.{'txt' if wrap == 'text' else 'html'}")
    except Exception as exc:  # only the project's own, one-line errors are allowed
        from kg.errors import ReadError

        assert isinstance(exc, ReadError) and "\n" not in exc.one_line()
        return
    rec = extract_record(src)
    text = src.text

    for r in rec.recommendations:
        assert _quotes(text, r.span) == r.text
        for s in r.supporting_paragraphs:
            _quotes(text, s)
    for f in rec.findings:
        assert _quotes(text, f.span) == f.text
    for p in (*rec.inspectors, *rec.copied_to, *([rec.addressee] if rec.addressee else [])):
        assert _quotes(text, p.span) == p.name
    for o in rec.partner_organisations:
        assert _quotes(text, o.span) == o.name_as_printed
    for s in rec.services:
        assert _quotes(text, s.span) == s.name
    for b in rec.boards:
        _quotes(text, b.span)
    for j in rec.judgements:
        assert collapse(j.grade_label).lower() in _quotes(text, j.span).lower()

    d = record_to_dict(rec)
    again = json.loads(json.dumps(d, ensure_ascii=False))
    assert again == d
    # the schema prints services as plain strings: their spans stay out of the JSON
    assert record_from_dict(again) == replace(rec, services=tuple(Service(s.name) for s in rec.services))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([b"", b"%PDF-1.4\n", b"\xef\xbb\xbf", b"<html><body>", b"\xff\xfe", b"Inspection of "]),
       st.binary(max_size=400), st.sampled_from(["x.pdf", "x.txt", "x.html", "x"]))
def test_reading_arbitrary_bytes_gives_a_text_or_a_one_line_read_error(prefix, data, name):
    from kg.errors import ReadError

    try:
        src = read_bytes(prefix + data, name=name)
    except ReadError as exc:
        line = exc.one_line()
        assert line.startswith(f"{name}: ") and "\n" not in line
        return
    assert len(src.offsets) == len(src.text) and src.text.strip()
    assert all(0 <= o <= len(src.raw) for o in src.offsets)
