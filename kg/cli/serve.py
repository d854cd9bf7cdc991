"""`kg serve`: a read-only SPARQL endpoint over the store."""
from __future__ import annotations

import ipaddress
import logging
import signal
import sys

import click

from .. import serve as lib
from ._options import echo_err, resolve_store, store_option

HELP = f"""Serve the graph as a read-only SPARQL 1.1 endpoint at http://HOST:PORT{lib.SPARQL_PATH}.

Queries by GET (?query=...) or POST (form or application/sparql-query); results by the Accept
header: SPARQL JSON (default), XML, CSV or TSV for SELECT/ASK; Turtle (default), N-Triples,
N-Quads or RDF/XML for CONSTRUCT/DESCRIBE. Queries without GRAPH see every named graph.
Updates, LOAD and SERVICE are refused (403), as is anything that does not parse as SPARQL 1.1
(400) or is longer than {lib.MAX_QUERY_CHARS} characters (413). A query running past --timeout is
stopped (503), and one that needs more than --max-memory-mb fails (500); results past --max-results or
--max-result-mb are cut off and marked with the header X-Result-Truncated: true.
The store is opened read-only, so `kg build` can write to it meanwhile; answers follow the
store after each build. Listens on 127.0.0.1 only unless --host says otherwise. A connection is
closed after {lib.DEFAULT_IDLE_TIMEOUT:g} s of silence, or when a request's headers take more than
{lib.DEFAULT_HEADER_TIMEOUT:g} s from its first byte (or its body {lib.DEFAULT_BODY_TIMEOUT:g} s more).

A web view beside it, for a browser (read-only, no scripts, nothing loaded from elsewhere):
/ lists the councils by region with their latest grades; /council/NAME (any name or GSS code)
shows a council's timeline, grades, recommendations with deadlines and due dates, recurring
issues and the changes between its last two inspections, each item linking to the page of the
report it was read from (/report/...: only files of the store's catalog); /query runs the named
queries or SPARQL (screened as the endpoint screens it) into a table.

\b
Examples:
  kg serve                                   # http://127.0.0.1:{lib.DEFAULT_PORT}/sparql, web view at /
  kg serve --store ./store --port 8000 --timeout 30 --max-results 50000
  curl -H 'Accept: text/csv' --data-urlencode \\
       'query=SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g' \\
       http://127.0.0.1:{lib.DEFAULT_PORT}/sparql
"""


@click.command("serve", help=HELP)
@store_option
@click.option("--host", default=lib.DEFAULT_HOST, show_default=True,
              help="Address to listen on. Anything but a loopback address exposes the graph to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=lib.DEFAULT_PORT, show_default=True,
              help="Port to listen on (0 picks a free one).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=lib.DEFAULT_TIMEOUT, show_default=True,
              help="Seconds a query may run before it is stopped.")
@click.option("--max-results", type=click.IntRange(min=1), default=lib.DEFAULT_MAX_RESULTS,
              show_default=True, help="Most solutions or triples returned per query.")
@click.option("--max-result-mb", type=click.FloatRange(min=0.001), default=lib.DEFAULT_MAX_BYTES / 1e6,
              show_default=True, help="About how many megabytes of results are returned per query (beside "
              "--max-results); more are cut off the same way.")
@click.option("--max-memory-mb", type=click.IntRange(min=16), default=lib.DEFAULT_MAX_MEMORY_MB, show_default=True,
              help="Memory one query may take; a query that needs more is stopped (500).")
@click.option("--workers", type=click.IntRange(min=1), default=lib.DEFAULT_WORKERS, show_default=True,
              help="Queries answered at once (one process each).")
@click.option("-q", "--quiet", is_flag=True, help="Do not log requests to standard error.")
def serve_command(store, host, port, timeout, max_results, max_result_mb, max_memory_mb, workers, quiet):
    store = resolve_store(store)
    server = lib.open_server(store, host=host, port=port, timeout=timeout, max_results=max_results,
                             max_bytes=max(1, int(max_result_mb * 1e6)), max_memory_mb=max_memory_mb,
                             workers=workers)
    if not quiet:
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not _is_loopback(host):
        echo_err(f"warning: listening on {host}: anyone who can reach this address can query the graph")
    echo_err(f"Serving {store} read-only at {server.url} (Ctrl-C to stop); web view at {server.home_url}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the workers on `kill` too
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        lib.close_server(server)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


serve_command.error_prefix = "Error"  # its messages have always read 'Error: ...'

COMMANDS = [serve_command]
