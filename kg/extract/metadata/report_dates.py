"""When: the inspection and publication dates a report prints, and the notes that say where they do not
fit together (a letter months after the visit, a report published before the inspection ended)."""
from __future__ import annotations

import re
from datetime import date

from ...rdf.schemes import letter_lag_days
from ...segment import collapse
from ..dates import DateExpression, find_dates


INSPECTION_DATES = re.compile(r"^Inspection dates?:?[ \t]*", re.MULTILINE | re.IGNORECASE)
PUBLISHED = re.compile(r"^(?:Report )?(?:published|publication date):?[ \t]*", re.MULTILINE | re.IGNORECASE)


def date_after(text: str, label: re.Pattern[str], head: int) -> DateExpression | None:
    """The date expression printed right after a cover label ('Inspection dates: ...')."""
    for m in label.finditer(text, 0, head):
        expr = next(find_dates(text, m.end(), min(len(text), m.end() + 120)), None)
        if expr and expr.start - m.end() <= 3:
            return expr
    return None


def visit_dates(text: str, start: int, letter_year: int | None = None) -> DateExpression | None:
    """A letter's visit dates: the first date printed after its title ('... on 26 and 27 June 2024');
    days and months printed without a year ('Between 16 May and 20 May') take the letter's year."""
    return next(find_dates(text, start, min(len(text), start + 1500), default_year=letter_year), None)


def date_notes(is_letter: bool, letter_date: date | None, published: date | None,
                visit: DateExpression | None) -> str | None:
    """Factual remarks where the dates do not fit together, or are missing."""
    notes = []
    if visit is None:
        notes.append("No inspection dates found in the text.")
    else:
        start, end = visit.first, visit.last
        printed = f"printed '{collapse(visit.text)}'"
        if visit.year_assumed:
            notes.append(f"Inspection dates {printed}, without a year: the year of the letter is taken.")
        if end < start:
            notes.append(f"Inspection dates {printed} end before they start.")
        if len(visit.dates) > 2 and re.search(r"\band\b|,", visit.text) \
                and any((b - a).days > 7 for a, b in zip(visit.dates, visit.dates[1:])):
            notes.append(f"The inspection ran in more than one period ({printed}): inspection_start is the "
                         "first day of the first period and inspection_end the last day of the last.")
        if not is_letter and start == end:
            notes.append(f"Only one inspection date is printed ('{collapse(visit.text)}'), for an inspection that usually "
                         "runs over several weeks: start and end are both that date, as printed.")
        if letter_date and (letter_date - end).days > letter_lag_days():
            notes.append(f"Letter dated {letter_date:%-d %B %Y} is more than six months after the visit "
                         f"({printed}); the year of the visit may be a misprint. Dates are recorded as printed.")
        if letter_date and letter_date < end:
            notes.append(f"Letter dated {letter_date:%-d %B %Y} is before the end of the visit ({printed}).")
        if published and published < end:
            notes.append(f"Published {published:%-d %B %Y}, before the end of the inspection ({printed}).")
        if published and (published - end).days > 365:
            notes.append(f"Published {published:%-d %B %Y}, more than a year after the inspection ({printed}).")
    if not is_letter and published is None:
        notes.append("No publication date is printed.")
    return " ".join(notes) or None
