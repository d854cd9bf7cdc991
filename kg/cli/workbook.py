"""`kg workbook`: one spreadsheet of a council or a region, a sheet per view."""
from __future__ import annotations

from pathlib import Path

import click

from ._options import echo_err, resolve_store, store_option

HELP = """One .xlsx workbook of a council or a region, to hand to a colleague: a sheet of inspections
and grades, one of recommendations with their deadlines and due dates, one of recurring issues, one
of inspectors. Each sheet has a frozen header row, filters and fitted columns, and every row links
to its report opened at the page that holds it. Needs openpyxl: pip install 'ofsted-kg[xlsx]'.

\b
Examples:
  kg workbook --council Doncaster -o doncaster.xlsx
  kg workbook --region "Yorkshire and the Humber" -o yh.xlsx
"""


@click.command("workbook", help=HELP)
@click.option("--council", default=None, help="This council (any of its names, or its GSS code).")
@click.option("--region", default=None, help="Every council of this English region (name or ONS code).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The .xlsx file to write.")
@store_option
def workbook_command(council, region, output, store):
    from ..filters import scope_of
    from ..store import GraphStore
    from ..workbook import council_sheets, write_workbook

    if not council and not region:
        raise click.UsageError("give --council or --region")
    scope = scope_of(council, region)
    gs = GraphStore(resolve_store(store), read_only=True, create=False)
    sheets = council_sheets(gs, scope)
    try:
        write_workbook(sheets, output)
    except OSError as exc:
        echo_err(f"Error: {output}: cannot write the workbook: {exc.strerror or exc}")
        raise SystemExit(2)
    echo_err(f"{output}: " + ", ".join(f"{s.title} ({len(s.rows)} rows)" for s in sheets))
    if not sheets[0].rows:
        echo_err(f"warning: the store holds no inspections of {scope.describe()}")
        raise SystemExit(1)


COMMANDS = [workbook_command]
