"""`kg graph`: the graph (or a query's result) as a GraphML, GEXF or JSON file for Gephi, Cytoscape, d3."""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import click

from ._options import echo_err, resolve_store, store_option

GRAPH_HELP = """Export the graph, or the result of a SPARQL query, as a network file.

\b
Every IRI becomes a node (label, classes, kind, and its literal values as attributes);
every triple between two resources becomes an edge keyed by its predicate (kg:inspected...).
GraphML opens in Cytoscape and yEd, GEXF in Gephi, JSON is networkx node-link data (d3).
Lists (a node's classes, several values) are written as JSON text in GraphML and GEXF.

\b
Examples:
  kg graph --format gexf -o everything.gexf
  kg graph --query council-timeline --param council=Doncaster -o doncaster.graphml
  kg graph --query my-question.rq --format json -o result.json
  kg graph --query 'CONSTRUCT { ?i kg:inspected ?c } WHERE { ?i kg:inspected ?c }' -o inspected.graphml

\b
--query takes a named query (kg query --list), a .rq file or SPARQL text. A SELECT result is
read as triples when it selects ?s ?p ?o; otherwise each row links its first resource column
to its other resource columns (edges keyed by column name), literals become edge attributes.
Parameters are bound to the query's variables with --param NAME=VALUE, never pasted into it.
"""


def _params(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, value = v.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{v!r} is not NAME=VALUE", param_hint="--param")
        out[name.strip()] = value
    return out


@click.command("graph", help=GRAPH_HELP)
@click.option("--query", "query_spec", metavar="NAME|FILE|SPARQL", help="Export a query's result, not the whole graph.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Bind a query parameter (repeatable).")
@click.option("--graph", "graphs", multiple=True, metavar="IRI",
              help="Without --query: only these named graphs (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "json"]), default=None,
              help="File format (default: from the file's extension, else graphml).")
@click.option("-o", "--output", required=True, metavar="FILE", help="Write to FILE ('-' for standard output).")
@store_option
def graph_command(query_spec, params, graphs, fmt, output, store):
    from ..netview import to_networkx, write_graph

    suffix = Path(output).suffix.lstrip(".").lower()
    fmt = fmt or (suffix if suffix in ("graphml", "gexf", "json") else "graphml")
    g = to_networkx(resolve_store(store), query_spec, params=_params(params), graphs=graphs or None)
    if output == "-":
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"graph.{fmt}"
            write_graph(g, path, fmt)
            with open(path, "rb") as fh:
                shutil.copyfileobj(fh, sys.stdout.buffer)
    else:
        write_graph(g, output, fmt)
    echo_err(f"wrote {g.number_of_nodes()} nodes and {g.number_of_edges()} edges"
             + (f" to {output}" if output != "-" else ""))
    if not g.number_of_nodes():  # an empty file is not an answer: say so, and exit 1
        echo_err("warning: the graph is empty: " + ("the query matched nothing" if query_spec
                                                    else "the store (or the graphs asked for) holds no triples"))
        sys.exit(1)


graph_command.error_prefix = "Error"  # its messages have always read 'Error: ...'

COMMANDS = [graph_command]
