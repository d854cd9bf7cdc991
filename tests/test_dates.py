"""Dates as Ofsted prints them: every shape found on report covers and in letters parses to ISO."""
from __future__ import annotations

from datetime import date

import pytest

from kg.extract.dates import find_dates, parse_date, parse_date_range


@pytest.mark.parametrize("printed, start, end", [
    ("12 and 13 January 2009", "2009-01-12", "2009-01-13"),  # annual unannounced letter
    ("21 March-1 April 2011", "2011-03-21", "2011-04-01"),  # safeguarding and LAC cover
    ("27 February 2018 to 22 March 2018", "2018-02-27", "2018-03-22"),
    ("14 September \u2013 8 October 2015", "2015-09-14", "2015-10-08"),  # en dash, year once
    ("9\u201324 November 2017", "2017-11-09", "2017-11-24"),  # month and year once
    ("19 November-11 December 2013 and 28 \u2013 30 January 2014", "2013-11-19", "2014-01-30"),
    ("19 November-11 December 2013 and 28 - 30\nJanuary 2014", "2013-11-19", "2014-01-30"),  # wrapped
    ("10 October to 21 October 2022", "2022-10-10", "2022-10-21"),
    ("15 - 19 July 2013", "2013-07-15", "2013-07-19"),
    ("28 July 2016", "2016-07-28", "2016-07-28"),  # a one-day inspection
    ("5th and 6th May 2010", "2010-05-05", "2010-05-06"),
])
def test_inspection_date_ranges(printed, start, end):
    assert parse_date_range(printed) == (date.fromisoformat(start), date.fromisoformat(end))


def test_published_date_with_leading_zero():
    assert parse_date("Published: 01 September 2014") == date(2014, 9, 1)


def test_impossible_dates_and_numbers_that_are_not_dates():
    assert parse_date("31 February 2015") is None
    assert parse_date_range("under section 138 of the Education and Inspections Act 2006") is None
    assert parse_date("in September 2015") is None  # no day: not a full date


def test_expressions_keep_their_offsets():
    text = "This letter summarises the findings of the focused visit on 26 and 27 June 2024. Thanks."
    expr = next(find_dates(text))
    assert text[expr.start:expr.end] == "26 and 27 June 2024"
    assert (expr.first, expr.last) == (date(2024, 6, 26), date(2024, 6, 27))
