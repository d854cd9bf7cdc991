"""The report record of one report's metadata: type, council, dates, inspectors, addressee and copy list,
put together from the parts the other modules of this package read."""
from __future__ import annotations

from ...read import SourceText
from ...records import Addressee, Council, CopyRecipient, Inspector, ReportRecord, Span
from ...resolve import resolve_council
from ...segment import collapse
from .council import council_from_text, council_near_title
from .inspectors import letter_inspectors, prose_team_inspectors, team_inspectors
from .letters import DEAR, named_recipients, read_letter, written_statement_due
from .report_dates import INSPECTION_DATES, PUBLISHED, date_after, date_notes, visit_dates
from .rules import load_people_rules, load_type_rules
from .title import find_title


def extract_metadata(src: SourceText) -> ReportRecord:
    """The report record of `src` with its metadata filled in and no items."""
    text = src.text
    type_rules, people = load_type_rules(), load_people_rules()
    title = find_title(text, type_rules)
    if title is None:
        report_type, reason = "other", type_rules.unmatched_reason
    else:
        report_type, reason = title.rule.report_type, title.rule.reason

    dear = DEAR.search(text, 0, min(len(text), type_rules.head_chars))
    is_letter = dear is not None and (title is None or dear.start() < title.start + 3000)
    letter = read_letter(text, dear, people) if is_letter else None

    council_found = council_near_title(text, title) if title else None
    if letter and letter.addressee and letter.addressee.organisation:
        org = resolve_council(letter.addressee.organisation)
        if org and (council_found is None or org.gss_code == council_found[1].gss_code):
            council_found = (letter.addressee.organisation, org)  # the fuller name of the address block
    if council_found is None:
        council_found = council_from_text(text, type_rules.head_chars)
    council = (Council(council_found[0], council_found[1].canonical, council_found[1].gss_code)
               if council_found else Council(title.council_text if title else None, None, None))

    body_start = title.end if title else (dear.end() if dear else 0)
    joint = bool(title and title.rule.joint_letter)
    addressee = letter.addressee if letter else None
    addressees: tuple[CopyRecipient, ...] = ()
    statement_due = None
    if is_letter:
        letter_date = letter.date.first if letter.date else None
        visit = visit_dates(text, body_start, letter_date.year if letter_date else None)
        published = date_after(text, PUBLISHED, len(text))
        if joint:
            # signed by the leaders of the inspectorates: all sign, none leads; addressed to the
            # partnership of the salutation, the people named above it listed apart
            inspectors = [Inspector(n, r, False, True, sp) for n, r, sp in letter.signatories]
            who = dear.group("who").rstrip(" ,")
            addressee = Addressee(None, collapse(who), None, None, Span(dear.start("who"), dear.start("who") + len(who)))
            addressees = named_recipients(text, letter.date.end if letter.date else 0, dear.start(), people)
            due = written_statement_due(text, body_start)
            statement_due = due.first.isoformat() if due else None
        else:
            inspectors = letter_inspectors(text, people, letter, body_start)
        if not inspectors:
            inspectors = team_inspectors(text, people)
    else:
        visit = date_after(text, INSPECTION_DATES, type_rules.head_chars)
        published = date_after(text, PUBLISHED, type_rules.head_chars)
        letter_date = None
        inspectors = team_inspectors(text, people)
        inspectors += prose_team_inspectors(text, people, inspectors)
    published_date = published.first if published else None

    return ReportRecord(
        document=src.name,
        report_type=report_type,
        council=council,
        letter_date=letter_date.isoformat() if letter_date else None,
        published_date=published_date.isoformat() if published_date else None,
        inspection_start=visit.first.isoformat() if visit else None,
        inspection_end=visit.last.isoformat() if visit else None,
        date_notes=date_notes(is_letter, letter_date, published_date, visit),
        inspectors=tuple(inspectors),
        addressee=addressee,
        copied_to=letter.copied_to if letter else (),
        addressees=addressees,
        written_statement_due=statement_due,
        report_type_reason=reason if report_type == "other" else None,
        source_sha256=src.sha256,
        text_sha256=src.text_sha256,
        source_format=src.format,
    )
