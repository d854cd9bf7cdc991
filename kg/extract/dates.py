"""Dates as Ofsted prints them -> ISO dates.

Reports give inspection dates in many shapes: '12 and 13 January 2009', '21 March-1 April 2011',
'27 February 2018 to 22 March 2018', '9-24 November 2017', '19 November-11 December 2013 and
28 - 30 January 2014'. Rather than one regex per shape, a date expression is read as a run of
day, month and year tokens joined by connectors ('-', 'to', 'and', ','); each day takes the first
month and the first year printed after it. The first and last dates of the run are the range.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from dateutil import parser as _dateparser

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December" \
         r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_TOKEN = rf"(?:{_DAY}(?![\d:])|{_MONTH}\b|{_YEAR}\b)"
_CONNECT = r"(?:\s*(?:[-\u2010-\u2015]|to|and|until|till|,)\s*|\s+of\s+(?=(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec))|\s+)"  # '15 and 16 of May 2018'
# a run of tokens; the look-behind keeps '2018' inside '2018/19' or a page number glued to a word out
DATE_EXPR = re.compile(rf"(?<![\w/]){_TOKEN}(?:{_CONNECT}{_TOKEN})*", re.IGNORECASE)
_TOKENS = re.compile(rf"(?P<year>{_YEAR})\b|(?P<month>{_MONTH})\b|(?P<day>{_DAY})(?![\d:])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DateExpression:
    """One printed date or date range, with its position in the text it was found in."""

    text: str
    start: int  # character offsets of the printed expression
    end: int
    dates: tuple[date, ...]  # every full date the expression names, in printed order
    year_assumed: bool = False  # no year printed: the dates take a year given by the caller

    @property
    def first(self) -> date:
        return self.dates[0]

    @property
    def last(self) -> date:
        return self.dates[-1]


def _full_date(day: int, month: int, year: int) -> date | None:
    """A real calendar date (dateutil checks it: '31 February' is refused)."""
    try:
        return _dateparser.parse(f"{year:04d}-{month:02d}-{day:02d}", yearfirst=True).date()
    except (ValueError, OverflowError):
        return None


def _dates_of(expr: str, default_year: int | None = None) -> tuple[date, ...]:
    """Dates named by one expression: each day takes the next printed month and year (or
    `default_year` when the expression prints no year at all)."""
    toks: list[tuple[str, int]] = []
    for m in _TOKENS.finditer(expr):
        if m.group("year"):
            toks.append(("y", int(m.group("year"))))
        elif m.group("month"):
            toks.append(("m", MONTHS[m.group("month").lower().rstrip(".")]))
        else:
            toks.append(("d", int(re.match(r"\d+", m.group("day")).group(0))))
    out = []
    for i, (kind, value) in enumerate(toks):
        if kind != "d":
            continue
        month = next((v for k, v in toks[i + 1:] if k == "m"), None)
        year = next((v for k, v in toks[i + 1:] if k == "y"), None)
        if year is None and not any(k == "y" for k, _ in toks):
            year = default_year
        if month is None or year is None or not 1 <= value <= 31:
            continue
        d = _full_date(value, month, year)
        if d is not None:
            out.append(d)
    return tuple(out)


def find_dates(text: str, start: int = 0, end: int | None = None,
               default_year: int | None = None) -> Iterator[DateExpression]:
    """Every date expression in text[start:end] that names at least one full date. With
    `default_year`, an expression of days and months alone ('16 May and 20 May') takes that year."""
    end = len(text) if end is None else end
    for m in DATE_EXPR.finditer(text, start, end):
        dates = _dates_of(m.group(0))
        assumed = False
        if not dates and default_year is not None:
            dates = _dates_of(m.group(0), default_year)
            assumed = bool(dates)
        if dates:
            yield DateExpression(m.group(0), m.start(), m.end(), dates, assumed)


def parse_date(text: str) -> date | None:
    """The first full date printed in `text` ('Published: 01 September 2014' -> 2014-09-01)."""
    return next((e.first for e in find_dates(text)), None)


def parse_date_range(text: str) -> tuple[date, date] | None:
    """First and last dates of the first date expression in `text`, or None."""
    expr = next(find_dates(text), None)
    return (expr.first, expr.last) if expr else None


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None
