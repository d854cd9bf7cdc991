"""The self-audit: item headings seen with their counts, and warnings where the extractor is unsure,
in the record, on `kg extract`'s stderr, and in the graph (`kg validate`, `kg query reports-to-check`)."""
from __future__ import annotations

from click.testing import CliRunner

from kg.cli import main
from kg.extract import extract_record
from kg.read import read_bytes, read_source

from .conftest import BAD, REPO, SAMPLES

# a focused-visit letter (NOT a real report, made for this test) whose 'What needs to improve' heading
# holds prose only; the README shows what `kg extract` says of it
UNSURE = (BAD / "unsure.txt").read_text(encoding="utf-8")


def test_a_heading_that_gives_no_items_is_a_warning():
    rec = extract_record(read_bytes(UNSURE.encode("utf-8"), name="unsure.txt"))
    by_heading = {h.heading: h.items for h in rec.headings}
    assert by_heading == {"Headline findings": 1,
                          "What needs to improve in this area of social work practice": 0}
    assert rec.warnings == (
        "heading 'What needs to improve in this area of social work practice' on page 1 gave no items",
        "no recommendations read, though a focused-visit report makes them")


def test_reports_read_whole_carry_no_warnings():
    for name in ("001_08ab79b8e78a2bf8.txt", "doncaster_2015-11-27.pdf", "barnsley_2018-11-19.pdf"):
        rec = extract_record(read_source(SAMPLES / name))
        assert rec.warnings == (), name
        assert rec.headings and all(h.items > 0 for h in rec.headings), name
    letter = extract_record(read_source(REPO / "samples" / "letters" / "milton-keynes_2020-11-13.pdf"))
    assert [(h.heading, h.items) for h in letter.headings] == [
        ("Overview", 5), ("What needs to improve in this area of social work practice", 2), ("Findings", 25)]


def test_warnings_reach_stderr_the_graph_and_the_named_query(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "unsure.txt").write_text(UNSURE, encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(main, ["extract", str(folder / "unsure.txt")])
    assert out.exit_code == 0
    assert "warning: " in out.stderr and "gave no items" in out.stderr
    store = str(tmp_path / "store")
    assert runner.invoke(main, ["build", str(folder), "--store", store, "--jobs", "1"]).exit_code == 0
    rows = runner.invoke(main, ["query", "reports-to-check", "--store", store, "--format", "csv"])
    assert rows.exit_code == 0
    lines = rows.stdout.strip().splitlines()
    assert lines[0] == "council,file,warning" and len(lines) == 3
    assert all(line.startswith('"Bristol, City of",unsure.txt,') for line in lines[1:])
    checked = runner.invoke(main, ["validate", "--store", store])
    assert "kg:extractionWarning" in checked.stdout
