"""`kg draw`: pictures of the graph (a council's timeline, the recurrence network, who inspected whom)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ._options import echo_err, output_option, resolve_store, store_option

DRAW_HELP = """Draw a picture of the graph as PNG, SVG or a self-contained interactive HTML page.

\b
PICTURE is one of:
  timeline    one council's inspections over the years: judgements coloured by grade,
              and how many recommendations each inspection made (needs --council)
  recurrence  themes linked to the inspections whose recommendations or findings raised
              them, for one council, a region or everything; line width = how often
  inspectors  who inspected whom: inspectors and councils, sized by number of inspections

\b
Examples:
  kg draw timeline --council Doncaster -o doncaster-timeline.png
  kg draw recurrence --council Doncaster -o doncaster-recurrence.png
  kg draw recurrence --region "Yorkshire and the Humber" --from 2015 --format html -o yh.html
  kg draw recurrence --council Doncaster --theme supervision -o supervision.svg
  kg draw inspectors --region London --max-nodes 60 -o london-inspectors.png

The format comes from --format, else from the file's extension. Big views are cut to
--max-nodes (the most connected nodes stay); the cut is noted in the picture and on stderr.
PNG and SVG need matplotlib (pip install 'ofsted-kg[draw]'); HTML needs nothing and works offline.
"""


@click.command("draw", help=DRAW_HELP)
@click.argument("picture", type=click.Choice(["timeline", "recurrence", "inspectors"]))
@click.option("--council", help="One council (any of its names or its GSS code, e.g. 'Doncaster', E08000017).")
@click.option("--region", help="One English region (e.g. 'London', 'North West'); an unknown one is an error.")
@click.option("--from", "year_from", type=int, metavar="YEAR", help="Inspections that started in or after YEAR.")
@click.option("--to", "year_to", type=int, metavar="YEAR", help="Inspections that started in or before YEAR.")
@click.option("--theme", metavar="LABEL", help="Only this theme (part of its label, or its IRI); recurrence only.")
@click.option("--max-nodes", type=click.IntRange(min=0), default=80, show_default=True,
              help="Cut bigger views to this many nodes (inspections, for a timeline); 0 = no cap.")
@click.option("--format", "fmt", type=click.Choice(["png", "svg", "html"]), default=None,
              help="Picture format (default: from the file's extension, else png).")
@output_option
@store_option
def draw_command(picture, council, region, year_from, year_to, theme, max_nodes, fmt, output, store):
    from ..draw import draw
    from ..netview import Filters

    if output is None:
        raise click.UsageError("give the picture's file with -o FILE")
    fmt = fmt or (output.suffix.lstrip(".").lower() if output.suffix.lstrip(".").lower() in ("png", "svg", "html")
                  else "png")
    if picture == "timeline" and not council:
        raise click.UsageError("a timeline is drawn for one council: add --council NAME")
    if theme and picture != "recurrence":
        echo_err("note: --theme only applies to the recurrence picture; ignored")
        theme = None
    filters = Filters(council=council, region=region, year_from=year_from, year_to=year_to, theme=theme)
    drawing = draw(resolve_store(store), picture, output, fmt, filters=filters, max_nodes=max_nodes or None)
    for note in drawing.notes:
        echo_err(f"note: {note}")
    echo_err(f"wrote {Path(drawing.path)}: {drawing.title}")
    if not drawing.nodes:  # an empty picture is not an answer: say so, and exit 1
        echo_err(f"warning: the picture is empty: nothing in the store matches {filters.summary()}")
        sys.exit(1)


draw_command.error_prefix = "Error"  # its messages have always read 'Error: ...'

COMMANDS = [draw_command]
