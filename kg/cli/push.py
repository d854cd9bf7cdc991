"""`kg push`: copy the graph into another SPARQL 1.1 store (Graph Store HTTP Protocol)."""
from __future__ import annotations

import click

from .. import push as lib
from ._options import echo_err, resolve_store, store_option

HELP = """Push the graph into an existing SPARQL 1.1 store, one named graph per report.

Each named graph (every report, plus reference, catalog and derived) is sent with a Graph Store
Protocol PUT, which replaces it on the target, but only if it changed since the last push: kg
records each graph's content hash in the target's graph <https://w3id.org/ofsted-kg/id/graph/push-state>.
Graphs an earlier push sent that are gone locally are deleted there (--no-prune keeps them);
graphs kg did not push are never touched.

--endpoint is the target's SPARQL query URL (used to read the push state); --graph-store is its
Graph Store Protocol URL, if different. For a first load of a large graph, a bulk loader is
faster: see docs/push.md.

\b
Examples:
  # Oxigraph (oxigraph serve --location DIR)
  kg push --endpoint http://localhost:7878/query --graph-store http://localhost:7878/store
  # Apache Jena Fuseki, dataset "ofsted"
  kg push --endpoint http://localhost:3030/ofsted/sparql --graph-store http://localhost:3030/ofsted/data
  # Virtuoso (digest authentication)
  kg push --endpoint http://localhost:8890/sparql \\
          --graph-store http://localhost:8890/sparql-graph-crud-auth --user dba --password dba

Prints one line per graph sent or deleted to standard error, and a summary.
"""


@click.command("push", help=HELP)
@click.option("--endpoint", required=True, help="SPARQL 1.1 query endpoint URL of the target store.")
@click.option("--graph-store", default=None,
              help="Graph Store HTTP Protocol URL of the target (default: the --endpoint URL).")
@store_option
@click.option("--user", default=None, envvar="KG_PUSH_USER",
              help="User name for HTTP Basic/Digest auth ($KG_PUSH_USER).")
@click.option("--password", default=None, envvar="KG_PUSH_PASSWORD",
              help="Password for HTTP auth ($KG_PUSH_PASSWORD; prompted for if --user is given without it).")
@click.option("--prune/--no-prune", default=True, show_default=True,
              help="Delete graphs an earlier push sent that are no longer in the local store.")
@click.option("--record-only", is_flag=True,
              help="Send nothing; record the local graphs as pushed (after a bulk load, see docs/push.md).")
@click.option("--timeout", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds to wait for each HTTP request.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary.")
def push_command(endpoint, graph_store, store, user, password, prune, record_only, timeout, quiet):
    if user is not None and password is None:
        password = click.prompt(f"Password for {user}", hide_input=True, err=True)

    def progress(action: str, graph: str) -> None:
        if not quiet:
            echo_err(f"{action} {graph}")

    summary = lib.push(resolve_store(store), endpoint, graph_store, user=user, password=password,
                       prune=prune, timeout=timeout,
                       record_only=record_only, progress=progress)
    echo_err(f"pushed {len(summary.replaced)} graphs ({summary.triples_sent} triples), "
             f"{len(summary.unchanged)} unchanged, {len(summary.deleted)} deleted")


push_command.error_prefix = "Error"  # its messages have always read 'Error: ...'

COMMANDS = [push_command]
