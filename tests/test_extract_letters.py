"""Letter families beyond the seeds: annual unannounced inspections, focused and monitoring visits,
joint targeted area inspections.

We hold only one or two real letters of each family (samples/reports), and none of a joint targeted
area inspection. The texts below are VARIANTS BUILT FOR TESTING, NOT REAL REPORTS: each takes a seed
letter of samples/reports and rewrites it the ways other councils' letters of the same family differ
(other council names and address layouts, 'Areas for improvement' for 'Areas for development', no
area for priority action, strengths as prose, two signatories, 'cc' lists, inspectors named in other
phrasings). People's names in them are invented. The joint targeted area inspection letter is
written from scratch after the published layout (addressees listed one per line, a letter signed for
each inspectorate). The monitoring-visit opening follows the wording of a published BCP letter
(2022).
"""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from kg.extract import extract_record
from kg.extract.dates import find_dates
from kg.extract.metadata import extract_metadata
from kg.extract.metadata.report_dates import date_notes as _date_notes
from kg.read import read_bytes, read_source

from .conftest import REPO

SEEDS = REPO / "samples" / "reports"


def seed(prefix: str) -> str:
    return next(SEEDS.glob(prefix + "_*.txt")).read_text(encoding="utf-8")


def swap(text: str, *pairs: tuple[str, str]) -> str:
    """text with each old string (which must be there) replaced by the new one."""
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


def record(text: str):
    return extract_record(read_bytes(text.encode("utf-8"), name="variant.txt"))


def people(rec):
    return [(i.name, i.role, i.lead, i.signatory) for i in rec.inspectors]


# ---------------------------------------------------------------- variants (NOT real reports)


def aui_bristol() -> str:
    """VARIANT of the Barnsley 2010 annual unannounced inspection letter: Bristol, address on one
    line, 'Areas for improvement', two signatories, a 'cc' list."""
    t = seed("003")
    body = t[t.index("Dear Mrs Sutton"):]
    head = ("\n\n12 December 2011\n\nMs Alice Holt Strategic Director, Children and Young People's Services "
            "Bristol City Council Council House College Green Bristol BS1 5TR\n\n")
    body = swap(body,
                ("Dear Mrs Sutton", "Dear Ms Holt"),
                ("Barnsley Metropolitan Borough Council children's services", "Bristol City Council children's services"),
                ("Barnsley Metropolitan Borough Council which was conducted on 5 and 6 May 2010",
                 "Bristol City Council which was conducted on 23 and 24 November 2011"),
                ("Areas for development\n", "Areas for improvement\n"),
                ("Any areas for development", "Any areas for improvement"))
    body = body[:body.index("Yours sincerely")] + (
        "Yours sincerely\n\nJane Example\nHer Majesty's Inspector\n\nJohn Sample\nHer Majesty's Inspector\n\n"
        "cc: Jan Ordinary, Chief Executive, Bristol City Council\n"
        "Cllr Pat Other, Lead Member for Children's Services, Bristol City Council\n"
        "Sam Person, Chair of Bristol Safeguarding Children Board\n"
        "Andrew Spencer, Department for Education\n")
    return head + body


def aui_kingston() -> str:
    """VARIANT of the Doncaster 2010 annual unannounced inspection letter: a Royal Borough (its name
    printed without 'Council'), no area for priority action, 'Name HMI' signature, 'Copy to:'."""
    t = seed("000")
    t = swap(t,
             ("5 February 2010", "24 November 2011"),
             ("Mr Nick Jarman\nInterim Director of Children's Services\nDoncaster Metropolitan Borough Council\n"
              "Floor 2, The Council House\nCollege Road\nDoncaster\nDN1 1RN",
              "Mr Robin Example\nDirector of Children's Services\nRoyal Borough of Kingston upon Thames\n"
              "Guildhall 2\nHigh Street\nKingston upon Thames\nKT1 1EU"),
             ("Dear Mr Jarman", "Dear Mr Example"),
             ("within Doncaster children's services", "within the Royal Borough of Kingston upon Thames children's services"),
             ("in Doncaster Council which was conducted on 12 and 13 January 2009",
              "in the Royal Borough of Kingston upon Thames which was conducted on 1 and 2 November 2011"),
             ("identified one area for priority action and", "identified no areas for priority action and"),
             ("Gary Lamb\nHer Majesty's Inspector", "Gary Example HMI"))
    a, b = t.index("This visit has identified the following area for priority action."), t.index("Yours sincerely")
    t = t[:a] + ("Any areas for development identified above will be specifically considered in any future "
                 "inspection of services to safeguard children within your area.\n\n") + t[b:]
    return t[:t.index("Copy:")] + (
        "Copy to: Bruce Example, Chief Executive, Royal Borough of Kingston upon Thames\n"
        "Chris Sample, Independent Chair, Kingston Local Safeguarding Children Board\n"
        "Andrew Spencer, Department for Education\n")


def aui_prose_strengths() -> str:
    """VARIANT: strengths printed as short paragraphs, satisfactory practice behind a lead-in."""
    t = aui_bristol()
    a, b = t.index("Strengths\n"), t.index("Satisfactory practice\n")
    t = t[:a] + ("Strengths\n\nThere is a very low turnover of staff, with stable and well experienced assessment teams.\n\n"
                 "Managers at all levels are very accessible and provide good quality support to staff.\n\n") + t[b:]
    return swap(t, ("Satisfactory practice\n", "The following areas of satisfactory practice were identified:\n"))


def fv_hull(phrase: str, signature: str) -> str:
    """VARIANT of the Doncaster 2024 focused visit letter: Hull, 2018, three inspectors."""
    t = seed("001")
    return swap(t,
                ("26 July 2024", "5 October 2018"),
                ("Riana Nelson\nExecutive Director of Children, Young People and Families\nThe Civic Office\n"
                 "Waterdale\nDoncaster\nDN1 3BU",
                 "Mr Alex Example\nDirector of Children's Services\nKingston upon Hull City Council\nGuildhall\n"
                 "Alfred Gelder Street\nHull\nHU1 2AA"),
                ("Dear Ms Nelson", "Dear Mr Example"),
                ("Focused visit to City of Doncaster Council children's services\n",
                 "Focused visit to Kingston upon Hull City Council children's services\n"),
                ("This letter summarises the findings of the focused visit to City of Doncaster Council children's "
                 "services on 26 and 27 June 2024. His Majesty's Inspectors for this visit were Catherine Heron and "
                 "John Roughton.",
                 "This letter summarises the findings of the focused visit to Kingston upon Hull City Council "
                 "children's services on 4 and 5 September 2018. " + phrase),
                ("Catherine Heron\nHis Majesty's Inspector", signature))


def mv(council_block: str, title: str, opening: str, signature: str) -> str:
    """VARIANT of the Darlington 2017 monitoring visit letter."""
    return swap(seed("004"),
                ("Ms Suzanne Joyner Darlington Borough Council Town Hall, Darlington DL1 5QT", council_block),
                ("Dear Ms Joyner", "Dear Ms Example"),
                ("Monitoring visit of Darlington Borough Council children's services", title),
                ("This letter summarises the findings of the monitoring visit to Darlington Borough Council children's "
                 "services on 16 and 17 February 2017. This was the third monitoring visit since the local authority "
                 "was judged inadequate for services to children who need help and protection in September 2015. "
                 "The visit was carried out by Her Majesty's Inspectors, Tracey Metcalfe and Jan Edwards.", opening),
                ("Tracey Metcalfe **Her Majesty's Inspector**", signature))


JTAI = """

7 June 2018

Ms Jane Example, Director of Children's Services, Bristol City Council
Ms Ann Sample, Chief Executive, Bristol City Council
Dr Martin Other, Accountable Officer, Bristol, North Somerset and South Gloucestershire Clinical Commissioning Group
Mr Andy Person, Chief Constable, Avon and Somerset Constabulary
Mr Tom Anyone, Independent Chair, Bristol Safeguarding Children Board

Dear local partners

Joint targeted area inspection of the multi-agency response to abuse and neglect in Bristol

Between 16 and 20 April 2018, Ofsted, the Care Quality Commission (CQC), HMI Constabulary and Fire & Rescue Services (HMICFRS) and HMI Probation (HMIP) undertook a joint inspection of the multi-agency response to abuse and neglect in Bristol.

Headline findings

Partners in Bristol have a shared commitment to improving the response to children living with neglect.

Key strengths

- Strategic leaders have a clear understanding of the prevalence of neglect in Bristol.
- Multi-agency safeguarding hub arrangements are well established.

Areas for improvement

- The quality of referrals from some agencies is variable.
- Health visitors do not consistently share information with GPs.

Next steps

The director of children's services should send the written statement of action to Ofsted by 20 September 2018.

Yours sincerely

Ofsted
Yvonne Hartley
National Director, Social Care

Care Quality Commission
Ursula Grant
Deputy Chief Inspector, Primary Medical Services and Integrated Care

HMI Constabulary and Fire & Rescue Services
Wendy Mills
Her Majesty's Inspector of Constabulary

HMI Probation
Helen Dale
Assistant Chief Inspector
"""  # VARIANT written for testing, not a real report; the names are invented


# ---------------------------------------------------------------- annual unannounced inspections


def test_aui_one_line_address_two_signatories_cc_and_areas_for_improvement():
    rec = record(aui_bristol())
    assert rec.report_type == "annual-unannounced-inspection"
    assert (rec.council.name_as_printed, rec.council.gss_code) == ("Bristol City Council", "E06000023")
    assert (rec.letter_date, rec.inspection_start, rec.inspection_end) == ("2011-12-12", "2011-11-23", "2011-11-24")
    a = rec.addressee
    # the role runs into the council's name on the one line: split where the council's name starts
    assert (a.title, a.name, a.role, a.organisation) == (
        "Ms", "Alice Holt", "Strategic Director, Children and Young People's Services", "Bristol City Council")
    assert people(rec) == [("Jane Example", "Her Majesty's Inspector", True, True),
                           ("John Sample", "Her Majesty's Inspector", False, True)]
    assert [(c.name, c.role, c.organisation) for c in rec.copied_to] == [
        ("Jan Ordinary", "Chief Executive", "Bristol City Council"),
        ("Pat Other", "Lead Member for Children's Services", "Bristol City Council"),
        ("Sam Person", "Chair", "Bristol Safeguarding Children Board"),
        ("Andrew Spencer", None, "Department for Education")]
    assert Counter(f.kind for f in rec.findings) == {"strength": 6, "satisfactory-practice": 11}
    # a bulleted, undated 'Areas for improvement' list of a letter: areas for improvement, not the
    # numbered SIF recommendations printed under the same heading
    assert Counter((r.kind, r.deadline) for r in rec.recommendations) == {("area-for-improvement", None): 9}
    assert rec.judgements == ()


def test_aui_royal_borough_no_priority_action_copy_to():
    rec = record(aui_kingston())
    assert rec.report_type == "annual-unannounced-inspection"
    # the title's 'within the Royal Borough of ...': the article is not part of the name
    assert (rec.council.name_as_printed, rec.council.gss_code) == ("Royal Borough of Kingston upon Thames", "E09000021")
    # an address line naming the council by its kind first is the organisation, not an address line
    assert rec.addressee.organisation == "Royal Borough of Kingston upon Thames"
    assert rec.addressee.role == "Director of Children's Services"
    assert (rec.letter_date, rec.inspection_start, rec.inspection_end) == ("2011-11-24", "2011-11-01", "2011-11-02")
    assert people(rec) == [("Gary Example", "HMI", True, True)]
    assert [c.organisation for c in rec.copied_to] == [
        "Royal Borough of Kingston upon Thames", "Kingston Local Safeguarding Children Board", "Department for Education"]
    assert Counter(r.kind for r in rec.recommendations) == {"area-for-development": 8}
    assert Counter(f.kind for f in rec.findings) == {"satisfactory-practice": 7, "strength": 3}


def test_aui_strengths_as_prose_and_satisfactory_lead_in():
    rec = record(aui_prose_strengths())
    strengths = [f.text for f in rec.findings if f.kind == "strength"]
    assert strengths == [
        "There is a very low turnover of staff, with stable and well experienced assessment teams.",
        "Managers at all levels are very accessible and provide good quality support to staff."]
    # the lead-in ends the paragraph list and opens the next one
    assert sum(f.kind == "satisfactory-practice" for f in rec.findings) == 11
    assert not any(f.text.endswith(":") for f in rec.findings)


# ---------------------------------------------------------------- focused visits


@pytest.mark.parametrize("phrase, signature, expected", [
    ("The visit was carried out by Her Majesty's Inspectors Jane Example, Sam Sample and Lee Other.",
     "Jane Example\nHer Majesty's Inspector (Lead inspector)",
     [("Jane Example", "Her Majesty's Inspector", True, True), ("Sam Sample", "Her Majesty's Inspector", False, False),
      ("Lee Other", "Her Majesty's Inspector", False, False)]),
    # the lead marked in the list; someone else signs
    ("Her Majesty's Inspectors for this visit were Jane Example (lead inspector), Sam Sample and Lee Other.",
     "Lee Other\nHer Majesty's Inspector",
     [("Jane Example", "Her Majesty's Inspector", True, False), ("Sam Sample", "Her Majesty's Inspector", False, False),
      ("Lee Other", "Her Majesty's Inspector", False, True)]),
    ("The lead inspector was Jane Example, Her Majesty's Inspector. The other inspector was Sam Sample, "
     "Her Majesty's Inspector.",
     "Jane Example\nLead inspector",
     [("Jane Example", "Her Majesty's Inspector", True, True), ("Sam Sample", "Her Majesty's Inspector", False, False)]),
    # no one named in the prose: the signature says who led
    ("Inspectors looked at the local authority's arrangements.",
     "Sam Sample\nHer Majesty's Inspector\n\nJane Example\nLead inspector",
     [("Sam Sample", "Her Majesty's Inspector", False, True), ("Jane Example", "Lead inspector", True, True)]),
])
def test_focused_visit_inspector_phrasings(phrase, signature, expected):
    rec = record(fv_hull(phrase, signature))
    assert rec.report_type == "focused-visit"
    assert (rec.council.name_as_printed, rec.council.gss_code) == ("Kingston upon Hull City Council", "E06000010")
    assert (rec.letter_date, rec.inspection_start, rec.inspection_end) == ("2018-10-05", "2018-09-04", "2018-09-05")
    assert people(rec) == expected
    assert [r.kind for r in rec.recommendations] == ["what-needs-to-improve"] * 2
    assert Counter(f.kind for f in rec.findings) == {"headline-finding": 2}


# ---------------------------------------------------------------- monitoring visits


def test_monitoring_visit_bcp_wording():
    text = mv("Cathi Example\nCorporate Director for Children's Services\nBournemouth, Christchurch and Poole Council\n"
              "Bournemouth Town Hall\nBourne Avenue\nBournemouth\nBH2 6DY",
              "Monitoring visit to Bournemouth, Christchurch and Poole children's services",
              "This letter summarises the findings of the monitoring visit to Bournemouth, Christchurch and Poole "
              "children's services on 7 and 8 June 2022. This was the first monitoring visit since the local "
              "authority was judged inadequate in December 2021. Her Majesty's inspectors for this visit were Anna "
              "Example and Steve Sample.",
              "Anna Example\nHer Majesty's Inspector")
    rec = record(swap(text, ("20 March 2017", "5 July 2022")))
    assert rec.report_type == "monitoring-visit"
    assert (rec.council.name_as_printed, rec.council.gss_code) == (
        "Bournemouth, Christchurch and Poole Council", "E06000058")
    assert (rec.letter_date, rec.inspection_start, rec.inspection_end) == ("2022-07-05", "2022-06-07", "2022-06-08")
    assert [(i.name, i.lead, i.signatory) for i in rec.inspectors] == [
        ("Anna Example", True, True), ("Steve Sample", False, False)]
    a = rec.addressee
    assert (a.name, a.role, a.organisation) == (
        "Cathi Example", "Corporate Director for Children's Services", "Bournemouth, Christchurch and Poole Council")
    assert rec.date_notes is None


def test_monitoring_visit_numbered_and_inspectors_after_names():
    rec = record(mv("Ms Sue Example\nDirector of Children's Services\nHerefordshire Council\nPlough Lane\nHereford\nHR4 0LE",
                    "Monitoring visit to Herefordshire Council children's services",
                    "This letter summarises the findings of the fourth monitoring visit to Herefordshire Council "
                    "children's services on 21 and 22 February 2017. This visit was the fourth monitoring visit since "
                    "the local authority was judged inadequate in July 2016. The visit was conducted by Tracey "
                    "Example and Jan Sample, Her Majesty's Inspectors.",
                    "Tracey Example\nHer Majesty's Inspector"))
    assert rec.report_type == "monitoring-visit"
    assert (rec.council.name_as_printed, rec.council.gss_code) == ("Herefordshire Council", "E06000019")
    assert (rec.inspection_start, rec.inspection_end) == ("2017-02-21", "2017-02-22")
    assert people(rec) == [("Tracey Example", "Her Majesty's Inspector", True, True),
                           ("Jan Sample", "Her Majesty's Inspector", False, False)]


# ---------------------------------------------------------------- joint targeted area inspections


def test_jtai_several_addressees_signed_for_each_inspectorate():
    rec = record(JTAI)
    assert rec.report_type == "joint-targeted-area-inspection"
    assert (rec.council.name_as_printed, rec.council.gss_code) == ("Bristol City Council", "E06000023")
    assert (rec.letter_date, rec.inspection_start, rec.inspection_end) == ("2018-06-07", "2018-04-16", "2018-04-20")
    # addressed to the partnership of the salutation; the people named above it are listed apart
    a = rec.addressee
    assert (a.title, a.name, a.role, a.organisation) == (None, "local partners", None, None)
    assert [(p.name, p.role, p.organisation) for p in rec.addressees][:2] == [
        ("Jane Example", "Director of Children's Services", "Bristol City Council"),
        ("Ann Sample", "Chief Executive", "Bristol City Council")]
    assert len(rec.addressees) == 5
    assert rec.written_statement_due == "2018-09-20"
    # the inspectorates' names above the signatures are not people and do not end the signatures;
    # all four leaders sign, none is the lead inspector
    assert people(rec) == [
        ("Yvonne Hartley", "National Director, Social Care", False, True),
        ("Ursula Grant", "Deputy Chief Inspector, Primary Medical Services and Integrated Care", False, True),
        ("Wendy Mills", "Her Majesty's Inspector of Constabulary", False, True),
        ("Helen Dale", "Assistant Chief Inspector", False, True)]
    assert [(f.kind, f.text) for f in rec.findings if f.kind == "strength"] == [
        ("strength", "Strategic leaders have a clear understanding of the prevalence of neglect in Bristol."),
        ("strength", "Multi-agency safeguarding hub arrangements are well established.")]
    assert [(r.kind, r.deadline) for r in rec.recommendations] == [("area-for-improvement", None)] * 2


# ---------------------------------------------------------------- dates of full reports


def _expr(printed: str):
    return next(find_dates(printed))


def test_date_notes_inspection_in_two_periods():
    visit = _expr("19 November-11 December 2013 and 28 - 30 January 2014")
    notes = _date_notes(False, None, None, visit)
    assert "more than one period" in notes and "No publication date is printed." in notes
    # one period, or two consecutive days, is not remarked on
    assert _date_notes(False, None, date(2011, 5, 12), _expr("21 March-1 April 2011")) is None
    assert _date_notes(True, date(2010, 6, 4), None, _expr("5 and 6 May 2010")) is None


def test_date_notes_single_date_of_a_full_inspection():
    notes = _date_notes(False, None, date(2016, 9, 20), _expr("28 July 2016"))
    assert notes.startswith("Only one inspection date is printed ('28 July 2016')")
    assert _date_notes(True, date(2011, 12, 1), None, _expr("24 November 2011")) is None  # a one-day visit


def test_sheffield_second_visit_inspectors():
    # Sheffield 2014: 'The inspectors who carried out this second visit were: Carolyn Adcock Senior HMI;
    # Chris Sands Senior HMI; Paul d'Inverno HMI and' / 'National Lead for Fostering, ...'
    rec = extract_metadata(read_source(REPO / "samples" / "families" / "sheffield_2014-02-21.pdf"))
    assert [(i.name, i.role, i.lead) for i in rec.inspectors][-3:] == [
        ("Carolyn Adcock", "Senior HMI", False), ("Chris Sands", "Senior HMI", False), ("Paul d'Inverno", "HMI", False)]
    assert len(rec.inspectors) == 10
    assert "more than one period" in rec.date_notes
    assert rec.published_date is None


def test_joint_progress_report_priorities_and_key_findings():
    # 2009-12 joint reports (NOT a real report): the council in 'in the London Borough of ...', items of
    # 'Priorities for further improvement' are recommendations, 'immediately' inside one sets its deadline
    text = ("Joint area review progress report on services for children in the London Borough of Haringey\n\n"
            "Key findings\n\n- Partners have improved the timeliness of initial assessments.\n"
            "- Too many child protection plans lack clear outcomes.\n\n"
            "Priorities for further improvement\n\n"
            "- Ensure immediately that all children subject to a child protection plan are allocated a qualified "
            "social worker.\n- Improve the quality of core group meetings.\n\nAnnex\n")
    rec = record(text)
    assert rec.council.canonical == "Haringey"
    assert [(r.kind, r.deadline) for r in rec.recommendations] == [
        ("recommendation", "immediately"), ("recommendation", None)]
    assert [f.kind for f in rec.findings] == ["headline-finding", "headline-finding"]
