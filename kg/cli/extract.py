"""`kg extract`: print the report record of each report."""
from __future__ import annotations

import json
import sys

import click

from ..pipeline import process_paths
from ..records import record_to_dict
from ..rules import require_rule_files
from ._options import echo_err, format_option, limits_options, read_limits, render_rows

EXTRACT_HELP = """Extract the report record of each report (PDF, text or HTML; folders are read recursively).

\b
Examples:
  kg extract report.pdf
  kg extract --format jsonl reports/ > records.jsonl
  kg extract --format json letters/2010/*.txt

Unreadable files get one line on stderr (file and reason); the others are still extracted,
and the exit status is 1 if any file failed. Where the extractor is unsure (a heading that gave
no items, a letter whose findings were not read, fewer graded areas than the framework grades) it
says so on stderr; the same warnings are in the record (`warnings`) and in the graph. A second copy
of a report (same text under another name) gets one warning line and is not printed again. Limits:
--max-mb, --max-pages, --timeout, --max-memory.

The rule files (kg/data, or the directory $KG_RULES_DIR names) are checked before any report is
read: a broken one stops the command with one line naming the file and line (exit status 2).
"""

TABLE_COLUMNS = ("document", "report_type", "council", "inspection", "published/letter", "lead",
                 "judgements", "recs")


@click.command("extract", help=EXTRACT_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@format_option(["table", "jsonl", "json"], "table")
@click.option("-j", "--jobs", type=int, default=1, show_default=True, help="Read and extract in N processes.")
@limits_options
def extract_command(paths, fmt, jobs, max_pages, max_mb, timeout, max_memory):
    limits = read_limits(max_mb, max_pages, timeout, max_memory)
    failed = 0
    records = []
    first_of: dict[str, str] = {}  # normalised-text hash -> first file with that text
    require_rule_files()  # a broken rule file stops here, before any report is read
    stores: list = []
    for n, outcome in enumerate(process_paths(paths, limits=limits, jobs=jobs, stores=stores)):
        if n == 0:
            _say_stores(stores)
        for w in outcome.warnings:
            echo_err(f"warning: {outcome.path}: {w}")
        if outcome.error is not None:
            failed += 1
            echo_err(f"error: {outcome.error.one_line()}")
            continue
        original = first_of.setdefault(outcome.source.text_sha256, outcome.path)
        if original != outcome.path:
            echo_err(f"warning: {outcome.path}: same report as {original}; not extracted again")
            continue
        for w in outcome.record.warnings:  # where the extractor is unsure: for a reader to check
            echo_err(f"warning: {outcome.path}: {w}")
        d = record_to_dict(outcome.record)
        if fmt == "jsonl":
            sys.stdout.write(json.dumps(d, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            records.append(d)
    _say_stores(stores)  # if no file was read, they are said here
    if fmt == "json":
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
    elif fmt == "table":
        render_rows([_table_row(d) for d in records], TABLE_COLUMNS, "table")
    if failed:
        echo_err(f"{failed} file(s) could not be extracted")
        sys.exit(1)


def _say_stores(stores: list) -> None:
    for folder in stores:
        echo_err(f"warning: {folder}: a graph store, not reports: its files were not read")
    stores.clear()


def _table_row(d: dict) -> dict:
    lead = next((i["name"] for i in d["inspectors"] if i.get("lead")), None)
    start, end = d.get("inspection_start"), d.get("inspection_end")
    return {
        "document": d["document"],
        "report_type": d["report_type"],
        "council": (d.get("council") or {}).get("canonical"),
        "inspection": f"{start or '?'}..{end or '?'}" if start or end else None,
        "published/letter": d.get("published_date") or d.get("letter_date"),
        "lead": lead,
        "judgements": len(d.get("judgements") or []),
        "recs": len(d.get("recommendations") or []),
    }


COMMANDS = [extract_command]
