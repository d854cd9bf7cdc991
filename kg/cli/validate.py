"""`kg validate`: check every graph of the store against shapes/ and the cross-report rules."""
from __future__ import annotations

import json
import sys

import click

from ..store import GraphStore
from ..validate import validate_store
from ._options import echo_err, format_option, render_rows, resolve_store, store_option

HELP = """Validate the graph store: SHACL shapes per report graph and for the reference graph, then rules
that span reports (e.g. two reports disagreeing on an inspection's dates).

\b
Examples:
  kg validate
  kg validate --store /tmp/kg --format json > validation.json
  kg validate --severity Violation

Exit status: 0 no violations (warnings are listed but allowed); 1 violations; 2 error.
"""

COLUMNS = ("severity", "report", "focus", "path", "message")


@click.command("validate", help=HELP)
@store_option
@format_option(["table", "json"], "table")
@click.option("--severity", type=click.Choice(["Violation", "Warning", "all"]), default="all", show_default=True,
              help="Only list results of this severity.")
def validate_command(store, fmt, severity):
    report = validate_store(GraphStore(resolve_store(store), read_only=True))
    results = [r for r in report.results if severity == "all" or r.severity == severity]
    if fmt == "json":
        d = report.as_dict()
        d["results"] = [r.as_dict() for r in results]
        sys.stdout.write(json.dumps(d, ensure_ascii=False, indent=1) + "\n")
    else:
        if results:
            render_rows([r.as_dict() for r in results], COLUMNS, "table")
        echo_err(f"graphs checked: {report.graphs_checked}  violations: {len(report.violations)}  "
                 f"warnings: {len(report.warnings)}  conforms: {'yes' if report.conforms else 'no'}")
    sys.exit(0 if report.conforms else 1)


COMMANDS = [validate_command]
