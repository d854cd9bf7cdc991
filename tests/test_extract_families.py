"""Recommendations and findings of report families beyond the gold samples (no gold records:
expected values read off the printed reports in samples/families)."""
from __future__ import annotations

from collections import Counter

import pytest

from kg.extract.items import extract_items
from kg.read import read_source
from kg.segment import collapse, segment

from .conftest import REPO

FAMILIES = REPO / "samples" / "families"


@pytest.fixture(scope="module")
def items():
    cache = {}

    def _items(name: str, council: str | None = None):
        if name not in cache:
            src = read_source(FAMILIES / name)
            cache[name] = (src, extract_items(src, "other", council))
        return cache[name]

    return _items


def test_sif_2014_groups_and_topic_subheadings(items):
    # Manchester 2014: 'What does the local authority need to improve?' / 'Priority and immediate
    # action' (items 11-16 under topic sub-headings 'Workforce', 'Quality of practice', ...) /
    # 'Areas for improvement' (17-34, again under topic sub-headings); the same for the LSCB (154-163)
    src, it = items("manchester_2014-09-03.pdf")
    recs = it.recommendations
    assert len(recs) == 34
    assert {r.kind for r in recs} == {"recommendation"}  # SIF items, not 2009-13 dated areas for improvement
    la = [r for r in recs if r.section == "The local authority"]
    lscb = [r for r in recs if r.section == "The Local Safeguarding Children Board (LSCB)"]
    assert (len(la), len(lscb)) == (24, 10)
    assert Counter(r.deadline for r in la) == {"immediately": 6, None: 18}
    assert Counter(r.deadline for r in lscb) == {"immediately": 6, None: 4}
    assert la[0].text.startswith("Review the number of cases held by all staff")
    assert la[-1].text.startswith("Improve the collation, accuracy and reporting")
    assert lscb[-1].text == "Extend the current membership of the Board to include two lay members."
    assert {r.addressed_to for r in lscb} == {"Manchester Safeguarding Children Board (MSCB)"}
    # the list stops at 'The local authority's strengths', whose numbered items are strengths
    assert not any(r.text.startswith("The local authority has a strategic understanding") for r in recs)
    strengths = [f for f in it.findings if f.kind == "strength"]
    assert len(strengths) == 16  # 35-42 (local authority) and 164-171 (LSCB)
    for r in recs:
        assert collapse(src.text[r.span.start:r.span.end]) == r.text


def test_sif_2014_none_found_item_and_sub_bullets(items):
    # Sheffield 2014: '18. There are no areas for priority or immediate action.' is not an item;
    # item 27 ends 'by:' and carries three sub-bullets; items 28-31 follow them
    src, it = items("sheffield_2014-02-21.pdf")
    recs = it.recommendations
    assert not any("There are no areas" in r.text for r in recs)
    la = [r for r in recs if r.section == "The local authority"]
    assert len(la) == 13
    assert {(r.kind, r.deadline) for r in recs} == {("recommendation", None)}
    by = [r for r in la if r.text.startswith("Improve the educational achievement of looked after children")]
    assert len(by) == 1 and by[0].text.endswith("- working with education providers to reduce fixed-term exclusions.")
    assert la[-1].text.startswith("Ensure that pathway plans for care leavers set out clear objectives")
    lscb = [r for r in recs if r not in la]
    assert len(lscb) == 2  # stops at 'Key strengths and weaknesses of the LSCB'
    assert {r.addressed_to for r in lscb} == {"Sheffield Safeguarding Children Board (SSCB)"}
    for r in recs:
        assert collapse(src.text[r.span.start:r.span.end]) == r.text


def test_ilacs_item_before_a_wrapped_judgement_heading_ends_there(items):
    # East Riding 2020: the last bullet is followed by the long heading 'The experiences and
    # progress of children who need help and protection' / 'are: inadequate'
    _, it = items("east-riding-of-yorkshire_2020-03-13.pdf")
    recs = it.recommendations
    assert len(recs) == 12 and {r.kind for r in recs} == {"what-needs-to-improve"}
    assert recs[-1].text == "Availability and access to training for all social work staff and foster carers."


def test_addressee_is_a_body_or_nothing(items):
    from kg.extract.recommendations import addressee

    assert addressee("The use of special guardianship orders should be promoted.", {}, ()) is None
    assert addressee("The authority should seek to emulate its approach.", {}, ()) is None
    assert addressee("The council should ensure that the virtual school ...", {}, (), "Barsetshire County Council") \
        == "Barsetshire County Council"
    assert addressee("The council and the trust should ensure ...", {"the trust": "Barset Children's Trust"}, (),
                     "Barsetshire County Council") == "Barsetshire County Council and Barset Children's Trust"
    assert addressee("The virtual school should track attainment.", {}, ()) == "virtual school"


def test_empty_recommendations_heading_takes_no_findings_paragraphs(tmp_path):
    # an LSCB judged outstanding: 'Recommendations' with nothing under it before 'Inspection findings'
    text = ("The Local Safeguarding Children Board (LSCB)\n"
            "Recommendations\n"
            "Inspection findings - the Local Safeguarding Children Board\n"
            "102. An experienced chair leads the board, and partners value the challenge given.\n"
            "103. Governance arrangements are highly effective, with clear lines of accountability.\n")
    path = tmp_path / "lscb.txt"
    path.write_text(text, encoding="utf-8")
    src = read_source(path)
    assert extract_items(src, "other").recommendations == ()
    assert segment(src).blocks


def test_sif_2014_not_yet_good_because_items_are_weaknesses(items):
    # Sheffield 2014 'Summary of key findings': 'This local authority requires improvement and is not yet
    # good because:' then items 1-7 (shortfalls); 'The local authority has the following strengths:' 8-...
    src, it = items("sheffield_2014-02-21.pdf")
    weak = [f for f in it.findings if f.kind == "weakness"]
    assert len(weak) == 7
    assert weak[0].text.startswith("Child protection strategy discussions do not include the relevant agencies")
    assert weak[-1].text == ("Feedback from complaints is not used effectively to improve the services offered "
                             "to children, young people and families.")
    assert not any(f.text.startswith("Council leaders in Sheffield") for f in weak)  # item 8: a strength
    # Manchester 2014: 'Children's services in Manchester are inadequate because:' and the LSCB's list
    _, man = items("manchester_2014-09-03.pdf")
    assert sum(f.kind == "weakness" for f in man.findings) == 17
