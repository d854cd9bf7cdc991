"""`kg build`: read, extract, map, validate and store reports; unchanged files are skipped."""
from __future__ import annotations

import os
import sys

import click

from ..build import BuildSummary, build
from ..rules import require_rule_files
from ..store import GraphStore
from ._options import echo_err, limits_options, read_limits, resolve_store, store_option

HELP = """Build or update the graph store from report files (PDF, text or HTML; folders are read recursively).

Each report becomes one named graph, validated against shapes/ and written atomically. Files whose
bytes are unchanged since the last build are skipped; changed files replace their report's graph.

\b
Examples:
  kg build reports/
  kg build ../shared/seeds ../shared/corpus/reports --store /tmp/kg
  kg build reports/ --jobs 4 --force          # rebuild everything

Each file that cannot be built gets one line on stderr (`failed: FILE: reason`) and the others are
still built; a second copy of a report already built gets one line (`duplicate: FILE: same report as
OTHER`) and is not built again. Reports of files that were built before but are no longer on disk stay
in the store (with a warning saying how many) until a build with --prune removes them. Limits: --max-mb, --max-pages, --timeout, --max-memory (per report).

The rule files (kg/data, or the directory $KG_RULES_DIR names; `python -m kg.rules --check` checks
them) are checked before any report is read: a broken one stops the build with one line naming the
file and line.

Exit status: 0 all built (duplicates allowed) and no violations; 1 some files failed or reports have
violations; 2 usage or configuration error (a broken rule file included).
"""


def _default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


@click.command("build", help=HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@store_option
@click.option("-j", "--jobs", type=int, default=None, help="Read and extract in N processes (default: all cores).")
@click.option("--force", is_flag=True, help="Rebuild every file, even unchanged ones.")
@click.option("--prune", is_flag=True, help="Remove the reports of files built earlier that are no longer on disk.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@limits_options
def build_command(paths, store, jobs, force, prune, quiet, max_mb, max_pages, timeout, max_memory):
    store_dir = resolve_store(store)
    limits = read_limits(max_mb, max_pages, timeout, max_memory)
    require_rule_files()  # before the store is opened: a broken rule file changes nothing
    summary = _run(paths, GraphStore(store_dir), jobs or _default_jobs(), force, prune, limits, quiet)
    print_summary(summary, str(store_dir))
    sys.exit(0 if summary.ok else 1)


def _run(paths, gs, jobs, force, prune, limits, quiet) -> BuildSummary:
    if quiet or not sys.stderr.isatty():
        return build(paths, gs, jobs=jobs, force=force, prune=prune, limits=limits)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[file]}"), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("building", total=None, file="")

        def progress(total=None, path=None, status=None):
            if total is not None:
                bar.update(task, total=total)
            if path is not None:
                bar.update(task, advance=1, file=f"{status}: {os.path.basename(path)}")
        return build(paths, gs, jobs=jobs, force=force, prune=prune, limits=limits, progress=progress)


def print_summary(s: BuildSummary, store: str) -> None:
    """The closing summary, on stderr (stdout stays free for data)."""
    for note in s.notes:
        echo_err(f"warning: {note}")
    for f in s.failed:
        echo_err(f"failed: {f.path}: {f.reason}" + (" (unchanged since the last build)" if f.cached else ""))
    for d in s.duplicates:
        echo_err(f"duplicate: {d.path}: same report as {d.of}; not built again"
                 + (" (unchanged since the last build)" if d.cached else ""))
    for path in s.pruned:
        echo_err(f"pruned: {path}: the file is gone; removed from the store")
    if s.gone:
        echo_err(f"warning: {len(s.gone)} file(s) of earlier builds are no longer on disk; their reports stay in the "
                 "store (run `kg build --prune` to remove them)")
    for r in s.results:
        if r.severity == "Violation":
            echo_err(f"violation: {r.report}: {r.focus} {r.path or ''}: {r.message}")
    echo_err(f"store: {store}")
    echo_err(f"files: {s.files}  read: {s.read}  built: {s.built}  skipped (unchanged): {len(s.skipped)}  "
             f"failed: {len(s.failed)}" + (f"  duplicates: {len(s.duplicates)}" if s.duplicates else ""))
    echo_err(f"triples written: {s.triples}  in store: {s.store_triples}  "
             f"warnings: {s.warnings}  violations: {s.violations}"
             + ("  (reference graph updated)" if s.reference_updated else ""))
    if s.recurrence_links is not None:
        echo_err(f"recurrence links recomputed: {s.recurrence_links} (see `kg recurring`)")
    if s.warnings:
        echo_err("run `kg validate` to list the warnings")


COMMANDS = [build_command]
