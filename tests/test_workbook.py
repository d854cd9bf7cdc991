"""Spreadsheets: `--format xlsx` for tables and `kg workbook` of a council or a region, read back with
openpyxl; every item links to its report at the page that holds it (checked against the PDF's page)."""
from __future__ import annotations

from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest
from click.testing import CliRunner

from kg.cli import main

openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture(scope="module")
def store_dir(sample_store):
    return sample_store[0]


@pytest.fixture(scope="module")
def doncaster(store_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("wb") / "doncaster.xlsx"
    r = CliRunner().invoke(main, ["workbook", "--council", "City of Doncaster Council", "-o", str(out),
                                  "--store", str(store_dir)])
    assert r.exit_code == 0, r.output
    return openpyxl.load_workbook(out)


def _records(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True)]


def test_a_sheet_per_view_with_frozen_headers_filters_and_widths(doncaster):
    assert doncaster.sheetnames == ["Inspections and grades", "Recommendations", "Recurring issues", "Inspectors"]
    for ws in doncaster:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}", ws.title
        assert ws.max_row > 2, ws.title
        assert all(ws.column_dimensions[c.column_letter].width >= len(c.value) for c in ws[1]), ws.title
    recs = doncaster["Recommendations"]
    text_col = [c.value for c in recs[1]].index("text") + 1
    assert 40 < recs.column_dimensions[recs.cell(1, text_col).column_letter].width <= 82
    assert recs.cell(2, text_col).alignment.wrap_text


def test_the_sheets_hold_the_councils_facts(doncaster):
    grades = _records(doncaster["Inspections and grades"])
    assert {r["council"] for r in grades} == {"Doncaster"}
    assert len(grades) == 44 + 2  # every judgement once, and a row for each of the 2 ungraded inspections
    latest = {r["area"]: (r["grade"], r["rank"]) for r in grades if r["start"] == "2025-01-20"}
    assert latest["Overall effectiveness"] == ("Good", 2)
    assert any(r["framework"] == "Focused visit" and r["area"] is None for r in grades)  # ungraded visits too
    recs = _records(doncaster["Recommendations"])
    assert len(recs) == 81  # as council-recommendations
    due = [r for r in recs if r["due_date"]]
    assert len(due) == 25 and all(r["deadline"] for r in due)
    assert {r["deadline"] for r in recs} <= {None, "Immediately", "Within three months", "Within six months"}
    recurring = _records(doncaster["Recurring issues"])
    assert recurring and {r["council"] for r in recurring} == {"Doncaster"}
    assert recurring[0]["theme"] == "Supervision of social workers"  # its first group: the quality of supervision
    inspectors = _records(doncaster["Inspectors"])
    leads = {(r["inspector"], r["start"]) for r in inspectors if r["lead"] == "yes"}
    assert ("Catherine Heron", "2025-01-20") in leads and ("Neil Penswick", "2017-11-09") in leads
    # one row per inspector and inspection: a person named by several reports is not repeated per report
    team = [(r["inspector"], r["start"], r["report"]) for r in inspectors]
    assert len(team) == len(set(team)), sorted(t for t in team if team.count(t) > 1)


def _page_text(path: str, page: int) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        tp = doc[page - 1].get_textpage()
        text = tp.get_text_range().replace("\u2019", "'").replace("\u2018", "'").replace("\ufffe", "")
        return " ".join(text.split())
    finally:
        doc.close()


def test_every_item_links_to_its_report_at_its_page(doncaster):
    checked = 0
    for title, column in (("Recommendations", "text"), ("Recurring issues", "text")):
        ws = doncaster[title]
        header = [c.value for c in ws[1]]
        rc, pc = header.index("report"), header.index("page")
        for row in ws.iter_rows(min_row=2):
            link = row[rc].hyperlink
            assert link is not None and link.target.startswith("file://"), (title, row[rc].value)
            url = urlparse(link.target)
            path = url2pathname(url.path)
            assert path.endswith(row[rc].value)
            if path.endswith(".pdf"):
                page = row[pc].value
                assert url.fragment == f"page={page}"
                words = " ".join(str(row[header.index(column)].value).split()[:6])
                assert words in _page_text(path, page), (title, row[rc].value, page, words)
                checked += 1
            else:  # a text copy has no pages
                assert row[pc].value is None and not url.fragment
    assert checked > 50


def test_a_region_workbook_holds_its_councils(store_dir, tmp_path):
    out = tmp_path / "yh.xlsx"
    r = CliRunner().invoke(main, ["workbook", "--region", "Yorkshire and the Humber", "-o", str(out),
                                  "--store", str(store_dir)])
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out)
    assert {r["council"] for r in _records(wb["Inspections and grades"])} == {"Barnsley", "Doncaster"}


def test_workbook_errors(store_dir, tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["workbook", "-o", str(tmp_path / "x.xlsx"), "--store", str(store_dir)])
    assert r.exit_code == 2 and "--council or --region" in r.output
    r = runner.invoke(main, ["workbook", "--council", "Narnia", "-o", str(tmp_path / "x.xlsx"),
                             "--store", str(store_dir)])
    assert r.exit_code == 2 and "no council called 'Narnia'" in r.stderr
    r = runner.invoke(main, ["workbook", "--region", "London", "-o", str(tmp_path / "l.xlsx"),
                             "--store", str(store_dir)])
    assert r.exit_code == 1 and "no inspections of London" in r.stderr


def test_format_xlsx_for_tables(store_dir, tmp_path):
    out = tmp_path / "due.xlsx"
    r = CliRunner().invoke(main, ["query", "due-by", "-p", "date=2011-06-30", "--format", "xlsx", "-o", str(out),
                                  "--store", str(store_dir)])
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["due-by"]
    rows = _records(wb["due-by"])
    assert len(rows) == 9 and {r["council"] for r in rows} == {"Doncaster"}
    assert wb["due-by"].freeze_panes == "A2" and wb["due-by"].auto_filter.ref
    out = tmp_path / "rec.xlsx"
    r = CliRunner().invoke(main, ["recurring", "--council", "Doncaster", "--format", "xlsx", "-o", str(out),
                                  "--store", str(store_dir)])
    assert r.exit_code == 0, r.output
    rows = _records(openpyxl.load_workbook(out).active)
    assert rows and rows[0]["issue"] == "Quality and reflectiveness of supervision" and all(r["council"] == "Doncaster" for r in rows)


def test_a_text_beginning_with_equals_is_text_not_a_formula(tmp_path):
    from kg.workbook import table_sheet, write_workbook

    write_workbook([table_sheet([{"text": "=HYPERLINK(\"http://x\")"}], ["text"])], tmp_path / "f.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "f.xlsx").active["A2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\")"
