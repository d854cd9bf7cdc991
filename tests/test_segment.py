"""kg.segment on real samples of each layout: text letters, 2011/2013 full reports, SIF and ILACS PDFs."""
from __future__ import annotations

import pytest

from kg.segment import collapse
from tests._items_helpers import SAMPLE_FILES


@pytest.mark.parametrize("name", sorted(SAMPLE_FILES.values()))
def test_block_spans_give_back_the_block_text(segmented, name):
    src, seg = segmented(name)
    assert seg.blocks
    for b in seg.blocks:
        assert collapse(src.text[b.start:b.end]) == b.text


def test_bullet_broken_by_page_break_in_text_copy_is_one_block(segmented):
    src, seg = segmented("003_fd8ddec3fbd4e1da.txt")
    texts = [b.text for b in seg.blocks if b.kind == "bullet"]
    assert "Managers at all levels are very accessible and provide good quality support to staff." in texts
    assert not any(t == "staff." for t in texts)


def test_wrapped_pdf_bullets_and_deadline_labels(segmented):
    src, seg = segmented("kent_2013-08-23.pdf")
    labels = [b.heading_id for b in seg.blocks if b.kind == "label"]
    assert labels == ["immediately", "three-months", "six-months"]
    assert any(b.kind == "bullet" and b.text == "improve looked after children's participation in and "
               "ownership of PEPs and Pathway Planning" for b in seg.blocks)


def test_wrapped_heading_with_grade_is_one_heading(segmented):
    src, seg = segmented("barnsley_2018-11-19.pdf")
    headings = [b.text for b in seg.blocks if b.kind == "heading"]
    assert "The experiences and progress of children who need help and protection: Good" in headings


def test_numbered_paragraph_without_space_after_number(segmented):
    src, seg = segmented("doncaster_2018-01-19.pdf")
    numbers = [b.number for b in seg.blocks if b.kind == "numbered"]
    assert "10" in numbers and "11" in numbers


def test_section_path_follows_report_parts(segmented):
    src, seg = segmented("002_f1ebdee6c896ebcd.txt")
    immediately = [b for b in seg.blocks if b.kind == "label" and b.heading_id == "immediately"]
    assert [b.section[0] for b in immediately] == ["Safeguarding services", "Services for looked after children"]


def test_collapse_treats_every_unicode_space_as_re_does():
    """collapse uses str.split(); it must agree with re's \\s for every character."""
    import re
    import sys

    from kg.segment import collapse

    spaces = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if re.fullmatch(r"\s", c))
    text = f"{spaces}a{spaces}b\u00a0\u2009c{spaces}"
    assert collapse(text) == re.sub(r"\s+", " ", text).strip() == "a b c"


def test_a_first_numbered_recommendation_with_sub_bullets_is_an_item_not_a_lead_in():
    # SIF 2015 layout: the list opens with a numbered item whose sub-bullets follow it (NOT a real report)
    from kg.read import read_bytes
    from kg.extract import extract_record

    text = ("Inspection of services for children in need of help and protection, children looked after and "
            "care leavers\n\nRecommendations\n\n"
            "1. Improve the quality of assessments by:\n- setting clear timescales for each plan\n"
            "- recording the child's views in every assessment\n"
            "2. Ensure that all children in care have an up-to-date health assessment.\n"
            "3. Reduce the caseloads of social workers in the assessment teams.\n\n"
            "Summary for children and young people\n")
    rec = extract_record(read_bytes(text.encode(), name="variant.txt"))
    assert [r.text for r in rec.recommendations] == [
        "Improve the quality of assessments by: - setting clear timescales for each plan - recording the "
        "child's views in every assessment",
        "Ensure that all children in care have an up-to-date health assessment.",
        "Reduce the caseloads of social workers in the assessment teams."]
