"""`kg stats`: counts by class, by council and by year."""
from __future__ import annotations

import json
import sys

import click

from ..stats import stats
from ..store import GraphStore
from ._options import format_option, render_rows, resolve_store, store_option

HELP = """Counts over the graph: resources by class, reports and items by council, inspections by year.

\b
Examples:
  kg stats
  kg stats --store /tmp/kg --format json
"""


@click.command("stats", help=HELP)
@store_option
@format_option(["table", "json"], "table")
def stats_command(store, fmt):
    s = stats(GraphStore(resolve_store(store), read_only=True))
    if fmt == "json":
        sys.stdout.write(json.dumps({"report_graphs": s.report_graphs, "quads": s.quads,
                                     "by_class": s.by_class, "by_council": s.by_council,
                                     "by_year": s.by_year}, ensure_ascii=False, indent=1) + "\n")
        return
    click.echo(f"report graphs: {s.report_graphs}  quads: {s.quads}\n")
    click.echo("By class")
    render_rows(list(s.by_class), ("class", "count"), "table")
    click.echo("\nBy council")
    render_rows(list(s.by_council), ("council", "reports", "judgements", "recommendations", "findings"), "table")
    click.echo("\nBy year of inspection")
    render_rows(list(s.by_year), ("year", "inspections", "recommendations"), "table")


COMMANDS = [stats_command]
