"""Options and renderers shared by several commands: defined once, used as decorators."""
from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any, Iterable, Sequence

import click

DEFAULT_STORE = Path.home() / ".local" / "share" / "ofsted-kg" / "store"


def store_option(f):
    return click.option(
        "--store", "store", type=click.Path(file_okay=False, path_type=Path), envvar="KG_STORE",
        default=None, show_default=False,
        help="Directory of the graph store (default: $KG_STORE or ~/.local/share/ofsted-kg/store).",
    )(f)


def _set_wide(ctx: click.Context, _param, value: bool) -> bool:
    ctx.meta["kg.wide"] = bool(value)
    return value


def format_option(choices: Sequence[str], default: str):
    """--format; a command that prints tables also gets --wide (read by render_rows)."""
    def deco(f):
        if "table" in choices:
            f = click.option("--wide", is_flag=True, expose_value=False, callback=_set_wide,
                             help="Tables: show every text whole on one line (default: wrap long texts to the "
                             "terminal's width).")(f)
        return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default,
                            show_default=True, help="Output format.")(f)
    return deco


def output_option(f):
    return click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="Write to this file instead of standard output.")(f)


def limits_options(f):
    """--max-mb, --max-pages, --timeout and --max-memory: the limits on one report (see kg.read.ReadLimits)."""
    from ..read import DEFAULT_MAX_MEMORY, ReadLimits

    d = ReadLimits()
    f = click.option("--max-memory", type=click.FloatRange(min=0), default=DEFAULT_MAX_MEMORY / 1e6,
                     show_default=True, help="Give up on a report whose reading needs more than this many "
                     "megabytes of memory (0: no limit).")(f)
    f = click.option("--timeout", type=click.FloatRange(min=0), default=d.timeout, show_default=True,
                     help="Give up on a report after this many seconds (0: no limit).")(f)
    f = click.option("--max-pages", type=click.IntRange(min=1), default=d.max_pages, show_default=True,
                     help="Refuse PDFs with more pages than this.")(f)
    f = click.option("--max-mb", type=click.FloatRange(min=0, min_open=True), default=d.max_bytes / 1e6,
                     show_default=True, help="Refuse files larger than this many megabytes, and PDFs whose content inflates to more (zip bombs).")(f)
    return f


def read_limits(max_mb: float, max_pages: int, timeout: float, max_memory: float | None = None):
    """The ReadLimits of the options added by `limits_options`."""
    from ..read import ReadLimits

    return ReadLimits(max_bytes=int(max_mb * 1e6), max_pages=max_pages, timeout=timeout or None,
                      max_memory=int(max_memory * 1e6) or None if max_memory is not None else None)


def resolve_store(store: Path | None) -> Path:
    return store if store is not None else DEFAULT_STORE


def echo_err(message: str) -> None:
    """One message line on stderr, whatever a file name in it holds (newlines, bytes that are not UTF-8)."""
    from ..errors import printable

    click.echo(printable(message), err=True)


def terminal_width() -> int:
    """The width tables must fit: click's terminal_width if set, else $COLUMNS or the terminal's, else 100."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.terminal_width:
        return ctx.terminal_width
    return shutil.get_terminal_size(fallback=(100, 24)).columns


def _wide() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get("kg.wide"))


def render_rows(rows: list[dict[str, Any]], columns: Sequence[str], fmt: str, out=None,
                output: Path | None = None, title: str = "results") -> None:
    """Print rows as a table (fitted to the terminal's width, or whole with --wide), CSV or JSON; or
    write them as a spreadsheet (xlsx) to `output`, or to standard output when it is not a terminal."""
    if fmt == "xlsx":
        from ..workbook import table_sheet, write_workbook

        if output is None and sys.stdout.isatty():
            raise click.UsageError("--format xlsx writes a file: give -o FILE.xlsx (or redirect the output)")
        target = output if output is not None else sys.stdout.buffer
        write_workbook([table_sheet(rows, columns, title)], target)
        return
    if output is not None:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            render_rows(rows, columns, fmt, fh)
        return
    out = out or sys.stdout
    if fmt == "json":
        out.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    elif fmt == "csv":
        w = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: _cell(r.get(k)) for k in columns})
    else:
        out.write(table(rows, columns, width=None if _wide() else terminal_width()) + "\n")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return "; ".join(_cell(x) for x in v)
    return str(v)


def table(rows: Iterable[dict[str, Any]], columns: Sequence[str], width: int | None = None) -> str:
    """A plain fixed-width text table no wider than `width` (None: as wide as its cells).

    When the cells do not fit, the widest columns give way first, down to their header or ten
    characters (dates and codes stay on one line), and their texts wrap at word boundaries.
    """
    rows = list(rows)
    cells = [[" ".join(_cell(r.get(c)).split()) for c in columns] for r in rows]
    natural = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    if width is None:
        widths = natural
    else:
        words = [max([len(c)] + [len(w) for row in cells for w in row[i].split()]) for i, c in enumerate(columns)]
        # only file names and paths may break inside a word; names of queries, councils, people do not
        files = [any(len(w) > 12 and any(ch in w for ch in "._/") for row in cells for w in row[i].split())
                 for i in range(len(columns))]
        least = [min(n, max(len(c), 10)) if f else min(n, max(len(c), 10, words[i]))
                 for i, (n, c, f) in enumerate(zip(natural, columns, files))]
        widths = _fit(natural, least, words, width - 2 * (len(columns) - 1), columns)
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = []
    for row in cells:
        wrapped = [textwrap.wrap(v, w, break_on_hyphens=False) or [""] if len(v) > w else [v]
                   for v, w in zip(row, widths)]
        for k in range(max(map(len, wrapped))):
            body.append("  ".join((parts[k] if k < len(parts) else "").ljust(w)
                                  for parts, w in zip(wrapped, widths)).rstrip())
    return "\n".join([line, rule, *body])


LONG = 30  # a column wider than this holds texts; narrower ones (names, dates, files) wrap only if they must


def _fit(widths: list[int], least: list[int], words: list[int], room: int, headers: Sequence[str]) -> list[int]:
    """Column widths summing to at most `room`. The text columns give way first (the widest first, down
    to 40 characters), then the others down to their longest word, the texts down to 20; only then are
    long words (file names) broken, down to the header or ten characters, and at last every column
    goes down to its header. A name a user may copy (a query, a file) stays whole while it can."""
    widths = list(widths)
    texts = [i for i, w in enumerate(widths) if w > LONG]
    others = [i for i in range(len(widths)) if i not in texts]
    _shrink(widths, {i: max(least[i], 40) for i in texts}, room)
    _shrink(widths, {i: max(least[i], words[i]) for i in others}, room)
    _shrink(widths, {i: max(least[i], 20) for i in texts}, room)
    _shrink(widths, {i: max(least[i], words[i] if words[i] <= 12 else 0) for i in others}, room)  # file names
    _shrink(widths, dict(enumerate(least)), room)
    _shrink(widths, {i: min(w, max(len(h), 4)) for i, (w, h) in enumerate(zip(widths, headers))}, room)
    return widths


def _shrink(widths: list[int], least: dict[int, int], room: int) -> None:
    while sum(widths) > room:
        shrinkable = [i for i in least if widths[i] > least[i]]
        if not shrinkable:
            return
        i = max(shrinkable, key=lambda j: widths[j])
        runner_up = max((widths[j] for j in shrinkable if j != i), default=0)
        target = max(least[i], widths[i] - (sum(widths) - room), runner_up)
        widths[i] = target if target < widths[i] else widths[i] - 1


def to_text(obj: Any) -> str:
    buf = io.StringIO()
    json.dump(obj, buf, ensure_ascii=False)
    return buf.getvalue()
