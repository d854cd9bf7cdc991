"""`kg diff`: what changed between two inspections of one council."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import click

from ._options import echo_err, format_option, output_option, render_rows, resolve_store, store_option

HELP = """What changed between two inspections of one council: grades that went up or down, and
recommendations that are new, raised again (with what the earlier inspection said) or no longer
raised. By default the council's last two inspections in the store (when one of them gave no grades,
a focused or monitoring visit, the grades of the last two graded inspections are compared, and said).

Recommendations are paired by the similarity of their texts (TF-IDF cosine over words, word weights
learnt from every recommendation and finding in the store); a pair at or above --min-similarity is
"raised again". Grades are paired by judgement area; a lower rank (1 outstanding .. 4 inadequate) is
better.

\b
Examples:
  kg diff --council Doncaster                              # its last two inspections
  kg diff --council Doncaster --from-report doncaster_2015-11-27.pdf --to-report doncaster_2018-01-19.pdf
  kg diff --council Doncaster --format html -o doncaster-diff.html   # a page to read or send
  kg diff --council E08000017 --format json
"""


@click.command("diff", help=HELP)
@click.option("--council", required=True, help="The council (any of its names, or its GSS code).")
@click.option("--from-report", default=None, metavar="FILE", help="The earlier inspection's report (file name).")
@click.option("--to-report", default=None, metavar="FILE", help="The later inspection's report (file name).")
@click.option("--min-similarity", type=click.FloatRange(0, 1), default=None,
              help="Least text similarity for 'raised again', 0-1 (default: kg.diff.MIN_SIMILARITY, 0.2).")
@format_option(["table", "json", "html"], "table")
@output_option
@store_option
def diff_command(council, from_report, to_report, min_similarity, fmt, output, store):
    from ..diff import MIN_SIMILARITY, diff_inspections, to_html
    from ..store import GraphStore

    gs = GraphStore(resolve_store(store), read_only=True, create=False)
    d = diff_inspections(gs, council, from_report, to_report,
                         MIN_SIMILARITY if min_similarity is None else min_similarity)
    buf = io.StringIO()
    if fmt == "json":
        buf.write(json.dumps(d.as_dict(), ensure_ascii=False, indent=1) + "\n")
    elif fmt == "html":
        buf.write(to_html(d))
    else:
        e, a = d.earlier, d.later
        buf.write(f"{a.council}\nearlier: {e.framework}, {e.start} to {e.end} ({e.report})\n"
                  f"later:   {a.framework}, {a.start} to {a.end} ({a.report})\n\n")
        buf.write("Grades\n")
        note = d.graded_note()
        if note:
            buf.write(f"({note})\n")
        if d.grades:
            render_rows([{"area": g.area, "earlier": g.before, "later": g.after, "change": g.change}
                         for g in d.grades], ("area", "earlier", "later", "change"), "table", buf)
        else:
            buf.write("(neither inspection gave grades)\n")
        buf.write("\nRecommendations\n")
        render_rows([{"status": r.status, "text": r.text, "earlier text": r.earlier_text,
                      "similarity": r.similarity} for r in d.recommendations],
                    ("status", "text", "earlier text", "similarity"), "table", buf)
    if output is not None:
        try:
            Path(output).write_text(buf.getvalue(), encoding="utf-8")
        except OSError as exc:
            echo_err(f"Error: {output}: cannot write: {exc.strerror or exc}")
            raise SystemExit(2)
    else:
        sys.stdout.write(buf.getvalue())
    counts = d.counts()
    echo_err(", ".join(f"{n} {k}" for k, n in counts.items()) or "nothing to compare")


COMMANDS = [diff_command]
