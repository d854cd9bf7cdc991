"""A read-only SPARQL 1.1 Protocol endpoint over the graph store.

Three layers, each testable without the one above it:

- `screen(query)` (screening.py) decides what a query may do from a parse by rdflib's SPARQL grammar (no update,
  no LOAD, no SERVICE; bounded length and nesting), and `evaluate(store, job)` (results.py) screens one query,
  runs it on a GraphStore and renders the response (content negotiation, row and byte caps).
  Pure: no sockets, no processes.
- `QueryRunner` (workers.py) runs `evaluate` in worker processes that each hold a read-only GraphStore. Screening
  runs there too, under the same timeout as the query: one hostile request holds one worker, never
  the server. A query that overruns its timeout is stopped by killing its worker (pyoxigraph queries
  cannot be cancelled from Python, and a thread cannot be killed); a worker's memory is capped, and
  on Linux it has no network at all.
- `Endpoint.handle(request)` (endpoint.py) is the SPARQL Protocol: GET/POST parsing, refusal of updates, the help
  page, and the pages of the web view (kg.web), which the workers render as they answer queries.
  `open_server` (server.py) wraps it in a stdlib ThreadingHTTPServer with a deep listen backlog, an
  idle timeout per connection and total deadlines for a request's headers and body.

What crosses the layers (requests, responses, jobs, the limits) is in base.py.

The store is opened read-only, which takes no lock, so `kg build` can keep writing. A read-only view
is a snapshot taken when it is opened; workers reopen it when the store changes, so answers follow
finished builds without restarting the server, and keep the last whole snapshot while a build is
half-way through writing a batch.
"""
from __future__ import annotations

from .base import (BYTE_LIMIT_HEADER, DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_HOST,
                   DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_BYTES, DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_RESULTS, DEFAULT_PORT,
                   DEFAULT_TIMEOUT, DEFAULT_WORKERS, GRAPH_OFFERS, LIMIT_HEADER, LISTEN_BACKLOG, MAX_BODY,
                   MAX_QUERY_CHARS, RESULT_OFFERS, SPARQL_PATH, STACK_BYTES, TRUNCATED_HEADER, QueryJob, Request,
                   Response, error)
from .endpoint import Endpoint
from .results import evaluate, negotiate
from .screening import QueryRefused, screen
from .server import SparqlServer, close_server, open_server
from .workers import QueryRunner

__all__ = [
    "BYTE_LIMIT_HEADER", "DEFAULT_BODY_TIMEOUT", "DEFAULT_HEADER_TIMEOUT", "DEFAULT_HOST", "DEFAULT_IDLE_TIMEOUT",
    "DEFAULT_MAX_BYTES", "DEFAULT_MAX_MEMORY_MB", "DEFAULT_MAX_RESULTS", "DEFAULT_PORT", "DEFAULT_TIMEOUT",
    "DEFAULT_WORKERS", "GRAPH_OFFERS", "LIMIT_HEADER", "LISTEN_BACKLOG", "MAX_BODY", "MAX_QUERY_CHARS",
    "RESULT_OFFERS", "SPARQL_PATH", "STACK_BYTES", "TRUNCATED_HEADER", "Endpoint", "QueryJob", "QueryRefused",
    "QueryRunner", "Request", "Response", "SparqlServer", "close_server", "error", "evaluate", "negotiate",
    "open_server", "screen",
]
