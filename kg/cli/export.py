"""`kg export`: write the graph in a standard RDF format."""
from __future__ import annotations

import sys

import click

from ..export import FORMATS, export
from ..store import GraphStore
from ._options import echo_err, format_option, output_option, resolve_store, store_option

HELP = """Export the graph store as Turtle, N-Triples, N-Quads, TriG or JSON-LD.

Turtle, N-Triples and JSON-LD merge all graphs; N-Quads and TriG keep one named graph per report.
Output is sorted, so two exports of the same store are byte-identical.

\b
Examples:
  kg export --format turtle -o graph.ttl
  kg export --format nquads | sort | sha256sum
  kg export --format trig --no-provenance -o graph.trig
  kg export --format jsonld --no-catalog -o graph.jsonld
"""


@click.command("export", help=HELP)
@store_option
@format_option(list(FORMATS), "turtle")
@output_option
@click.option("--no-provenance", is_flag=True, help="Leave out the evidence spans (oa:SpecificResource nodes).")
@click.option("--no-catalog", is_flag=True, help="Leave out the catalog graph (build runs, file paths).")
def export_command(store, fmt, output, no_provenance, no_catalog):
    try:
        summary = _export(resolve_store(store), fmt, output, not no_provenance, not no_catalog)
    except BrokenPipeError:
        raise  # the reader went away (`kg export | head`): click ends quietly
    except OSError as exc:
        echo_err(f"error: cannot write {output}: {exc.strerror or exc}")
        sys.exit(2)
    if output is not None:
        echo_err(f"wrote {summary.statements} statements as {fmt} to {output}")


def _export(store_dir, fmt, output, provenance, catalog):
    gs = GraphStore(store_dir, read_only=True)  # released when this returns
    if output is None:
        summary = export(gs, fmt, sys.stdout.buffer, provenance=provenance, catalog=catalog)
        sys.stdout.buffer.flush()
        return summary
    with open(output, "wb") as fh:
        return export(gs, fmt, fh, provenance=provenance, catalog=catalog)


COMMANDS = [export_command]
