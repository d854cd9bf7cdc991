"""Terminal tables fit the terminal's width: long texts wrap at word boundaries, --wide shows them whole."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.cli._options import table

LONG = ("ensure all looked after children and young people have a written record of the healthcare they have "
        "received at the point of discharge from care.")


@pytest.fixture(scope="module")
def store_dir(sample_store):
    return sample_store[0]


def _body_text(out: str, column: str) -> str:
    """The words of one column of a printed table, read back from its fixed-width lines."""
    lines = out.splitlines()
    header, rule = lines[0], lines[1]
    start = header.index(column)
    end = start + len(rule[start:].split(" ")[0])
    return " ".join(" ".join(line[start:end].split()) for line in lines[2:] if line[start:end].strip())


@pytest.mark.parametrize("width", [80, 100, 140])
def test_due_by_fits_the_terminal_and_keeps_every_word(store_dir, width):
    r = CliRunner(env={"COLUMNS": str(width)}).invoke(
        main, ["query", "due-by", "-p", "date=2011-06-30", "--store", str(store_dir)])
    assert r.exit_code == 0, r.output
    assert max(map(len, r.stdout.splitlines())) <= width
    assert LONG in _body_text(r.stdout, "text")  # wrapped, not cut


def test_click_terminal_width_is_honoured(store_dir):
    r = CliRunner().invoke(main, ["recurring", "--council", "Doncaster", "--store", str(store_dir)],
                           terminal_width=90)
    assert r.exit_code == 0, r.output
    assert max(map(len, r.stdout.splitlines())) <= 90


def test_wide_shows_every_text_whole_on_one_line(store_dir):
    r = CliRunner(env={"COLUMNS": "80"}).invoke(
        main, ["query", "due-by", "-p", "date=2011-06-30", "--wide", "--store", str(store_dir)])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert len(lines) == 2 + 9  # header, rule, one line per row
    assert any(LONG in line for line in lines)


def test_short_columns_are_not_broken_when_texts_can_give_way():
    rows = [{"date": "2011-04-01", "document": "002_f1ebdee6c896ebcd.txt", "text": LONG}] * 2
    out = table(rows, ["date", "document", "text"], width=80)
    assert all(len(line) <= 80 for line in out.splitlines())
    assert out.count("002_f1ebdee6c896ebcd.txt") == 2 and out.count("2011-04-01") == 2
    assert _body_text(out, "text") == f"{LONG} {LONG}"
    assert table(rows, ["date", "document", "text"], width=None).splitlines()[2].endswith(LONG)
