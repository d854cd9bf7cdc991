"""`kg query`: run a named query, a .rq file or SPARQL text; `kg query --list` shows the named ones."""
from __future__ import annotations

import click

from ..query import load_queries, rows_as_plain, run_query
from ..store import GraphStore
from ._options import echo_err, format_option, output_option, render_rows, resolve_store, store_option

HELP = """Ask the graph a question: a named query from queries/, a .rq file, or SPARQL text.

Parameters are bound as RDF terms (never pasted into the query). Queries see the union of all graphs.
--council and --region are short for --param council=... and --param region=... (for the queries
that take them: see --list). Tables and CSV name councils and regions; JSON gives their IRIs.

\b
Examples:
  kg query --list
  kg query council-recommendations --param council=Doncaster
  kg query council-timeline --param council=E08000016 --format csv
  kg query latest-grades --format xlsx -o latest-grades.xlsx
  kg query due-by --param date=2011-12-31 --format json
  kg query latest-grades --region "Yorkshire and the Humber"   # every council at once
  kg query outstanding-deadlines --param date=2025-02-01 --council Doncaster
  kg query my-question.rq
  kg query 'SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c'
"""


def _params(values) -> dict:
    out = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"{v!r} is not key=value", param_hint="--param")
        key, value = v.split("=", 1)
        out[key.strip()] = value
    return out


def _sheet_title(spec: str) -> str:
    """A named query's name (a .rq file's stem) titles its sheet; SPARQL text gives 'results'."""
    import re
    from pathlib import Path

    name = Path(spec).stem if spec.endswith(".rq") else spec
    return name[:31] if re.fullmatch(r"[\w.-]+", name) else "results"


@click.command("query", help=HELP)
@click.argument("query", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help="A query parameter (repeatable).")
@click.option("--list", "list_", is_flag=True, help="List the named queries with their descriptions.")
@click.option("--council", default=None, help="Only this council (any name or GSS code): --param council=...")
@click.option("--region", default=None, help="Only councils of this region (name or ONS code): --param region=...")
@store_option
@format_option(["table", "csv", "json", "xlsx"], "table")
@output_option
def query_command(query, params, list_, council, region, store, fmt, output):
    params = _params(params)
    for key, value in (("council", council), ("region", region)):
        if value is not None:
            if key in params:
                raise click.UsageError(f"--{key} and --param {key}=... both given: give one")
            params[key] = value
    if list_:
        rows = [{"name": q.name, "parameters": ", ".join(f"{p.name} ({p.type}{', optional' if p.optional else ''})"
                                                         for p in q.params),
                 "description": q.description or q.title} for q in load_queries()]
        render_rows(rows, ("name", "parameters", "description"), fmt, output=output, title="queries")
        return
    if not query:
        raise click.UsageError("give a query name, a .rq file or SPARQL text (or --list)")
    result = run_query(GraphStore(resolve_store(store), read_only=True), query, params)
    rows = rows_as_plain(result, compact_iris=(fmt == "table"), names=(fmt != "json"))
    columns = result.columns
    if fmt == "table":  # a bound parameter only echoes the input: leave it out of the table
        bound = set(params)
        columns = tuple(c for c in columns if c not in bound) or columns
    render_rows(rows, columns, fmt, output=output, title=_sheet_title(query))
    if fmt == "table":
        echo_err(f"{len(rows)} row(s)")


COMMANDS = [query_command]
