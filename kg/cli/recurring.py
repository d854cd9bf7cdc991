"""`kg recurring`: which issues keep coming back, within a council over time or across councils."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import KgError, RuleFileError
from ._options import echo_err, format_option, output_option, render_rows, resolve_store, store_option

HELP = """Which issues keep coming back: recommendations and shortfall findings of different
inspections that raise the same specific practice issue, with the verbatim text of each occurrence.

Each recommendation, weakness and shortfall headline is split into parts; each part carries the
specific issues of ontology/issues.ttl whose evidence it matches (e.g. 'Regularity of supervision',
'Return home interviews', under the broader themes of ontology/themes.ttl). Two parts are linked when
they carry the same issue and (for broad issues) their wording agrees beyond the issue's own trigger
words; a shared theme alone never links.

By default: one group per council and issue, its occurrences in date order, how many inspections
raised it and when it was last raised. --across-councils: the issues ranked by the number of councils
in which they recurred (raised at two or more inspections of one council), beside the number of
councils that raised them once.

\b
Examples:
  kg recurring --council Doncaster                  # Doncaster's recurring issues, 2010-2025
  kg recurring --council E08000017 --from 2013 --to 2019   # any name or GSS code; reports of 2013-2019
  kg recurring --across-councils --region London    # issues that recurred in London councils
  kg recurring --across-councils --min 5            # issues that recurred in at least 5 councils
  kg recurring --council Doncaster --format json    # groups as JSON for other tools
  kg recurring --council Doncaster --format xlsx -o doncaster-recurring.xlsx
  kg recurring --records tests/data/gold/           # from record files instead of the store
  kg recurring --save                               # also rewrite the store's derived graph

\b
JSON: a list of groups, each {"issue", "theme", "councils", "first_raised", "last_raised",
"inspections", "occurrences": [{"council", "report", "date", "kind", "text", "part"}, ...]};
with --across-councils a list of {"issue", "theme", "recurred_in", "raised_once_in",
"councils_recurred", "councils_raised_once"}.
"""

COLUMNS = ["group", "issue", "council", "inspections", "last_raised", "date", "report", "kind", "text"]
ACROSS_COLUMNS = ["rank", "issue", "theme", "recurred_in", "raised_once_in", "councils_recurred"]


def _load_records(paths: tuple[Path, ...]):
    from ..records import record_from_dict

    files: list[Path] = []
    for p in paths:
        files += sorted(q for q in p.rglob("*") if q.suffix in {".json", ".jsonl"}) if p.is_dir() else [p]
    out = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        try:
            if f.suffix == ".jsonl":
                rows = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                data = json.loads(text)
                rows = data if isinstance(data, list) else [data]
            out += [record_from_dict(r) for r in rows if isinstance(r, dict) and "document" in r]
        except (ValueError, KeyError, TypeError) as exc:
            raise RuleFileError(f"not a report record file: {exc}", source=str(f)) from exc
    return out


@click.command("recurring", help=HELP)
@click.option("--council", default=None, help="Only this council (any of its names, or its GSS code).")
@click.option("--region", default=None, help="Only councils of this English region (e.g. 'North West').")
@click.option("--from", "year_from", type=int, metavar="YEAR", help="Only items of reports dated in or after YEAR.")
@click.option("--to", "year_to", type=int, metavar="YEAR", help="Only items of reports dated in or before YEAR.")
@click.option("--across-councils", is_flag=True,
              help="Rank the issues by the number of councils in which they recurred.")
@click.option("--min", "min_count", type=int, default=2, show_default=True,
              help="Least number of inspections in a group (with --across-councils: of councils it recurred in).")
@click.option("--min-score", type=float, default=None,
              help="Least similarity for a link, 0-1 (default: the library's calibrated value).")
@click.option("--records", "records", type=click.Path(exists=True, path_type=Path), multiple=True,
              help="Read report records (JSON / JSONL, e.g. `kg extract --format jsonl`) instead of the store.")
@click.option("--save", is_flag=True, help="Also replace the store's derived graph with the recomputed links.")
@format_option(["table", "csv", "json", "xlsx"], "table")
@output_option
@store_option
def recurring_command(council, region, year_from, year_to, across_councils, min_count, min_score, records, save,
                      fmt, output, store):
    from ..filters import councils_of, recurrence_in_scope, scope_of
    from ..recur import WITHIN, LinkParams, find_recurrence, group_links, items_from_store, link_items, rank_issues_across

    if council and across_councils:
        echo_err("Error: --council and --across-councils do not combine (--across-councils compares councils: "
                 "narrow it with --region; drop it for one council's recurring issues)")
        raise SystemExit(2)
    params = LinkParams() if min_score is None else LinkParams(min_score=min_score)
    scope = scope_of(council, region, year_from, year_to)
    if records:
        recs = _load_records(records)
        if not recs:
            raise RuleFileError("no report records found", source=", ".join(map(str, records)))
        result = find_recurrence(recs, params)
    else:
        from ..store import GraphStore

        gs = GraphStore(resolve_store(store), read_only=not save, create=False)
        if save:
            from ..recur import refresh_derived

            result = refresh_derived(gs, params)
        else:
            result = link_items(items_from_store(gs), params)
        if not result.items:
            raise KgError("the store holds no recommendations or findings",
                          hint="run `kg build PATH... --store DIR` first")

    everything = result
    result = recurrence_in_scope(result, scope)
    if across_councils:
        ranks = rank_issues_across(result, min_count=min_count)
        if fmt == "json":
            render_rows([r.as_dict() for r in ranks], [], "json", output=output)
        else:
            render_rows([{"rank": n, "issue": r.issue_label, "theme": r.theme_label, "recurred_in": len(r.recurred_in),
                          "raised_once_in": len(r.raised_once_in), "councils_recurred": ", ".join(r.recurred_in)}
                         for n, r in enumerate(ranks, 1)], ACROSS_COLUMNS, fmt, output=output, title="recurring issues")
        summary = f"{len(ranks)} issue(s) recurring in at least {min_count} council(s)"
    else:
        groups = group_links(result, WITHIN, min_count=min_count)
        if fmt == "json":
            render_rows([g.as_dict() for g in groups], [], "json", output=output)
        else:
            rows = []
            for n, g in enumerate(groups, 1):
                last = g.occurrences[-1].date if g.occurrences else None
                for o in g.occurrences:
                    rows.append({"group": n, "issue": g.issue_label, "council": o.council, "inspections": g.inspections,
                                 "last_raised": last, "date": o.date, "report": o.report, "kind": o.kind,
                                 "text": o.part or o.text})
            render_rows(rows, COLUMNS, fmt, output=output, title="recurring issues")
        summary = f"{len(groups)} recurring issue(s)"
    echo_err(f"{summary} from {len(result.links)} link(s) between {len(result.items)} item(s)"
             + ("" if scope.empty else f" of {scope.describe()}"))
    if not result.items:  # the filters matched nothing: say so, and do not pass it off as an answer
        echo_err(f"warning: no recommendations or findings of {scope.describe()} in the data "
                 f"(councils with some: {', '.join(councils_of(everything.items))})")
        raise SystemExit(1)


recurring_command.error_prefix = "Error"  # its messages have always read 'Error: ...'

COMMANDS = [recurring_command]
