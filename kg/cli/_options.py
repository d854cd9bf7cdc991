"""Options and renderers shared by several commands: defined once, used as decorators."""
from __future__ import annotations

import csv
import io
import json
import sys
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


def format_option(choices: Sequence[str], default: str):
    def deco(f):
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
                     show_default=True, help="Refuse files larger than this many megabytes.")(f)
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


def render_rows(rows: list[dict[str, Any]], columns: Sequence[str], fmt: str, out=None) -> None:
    """Print rows as a table, CSV or JSON (a list of objects)."""
    out = out or sys.stdout
    if fmt == "json":
        out.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    elif fmt == "csv":
        w = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: _cell(r.get(k)) for k in columns})
    else:
        out.write(table(rows, columns) + "\n")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return "; ".join(_cell(x) for x in v)
    return str(v)


def table(rows: Iterable[dict[str, Any]], columns: Sequence[str], max_width: int = 60) -> str:
    """A plain fixed-width text table; long cells are cut with an ellipsis."""
    rows = list(rows)
    cells = [[_cut(_cell(r.get(c)), max_width) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join([line, rule, *body])


def _cut(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def to_text(obj: Any) -> str:
    buf = io.StringIO()
    json.dump(obj, buf, ensure_ascii=False)
    return buf.getvalue()
