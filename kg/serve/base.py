"""What crosses the layers of kg serve: requests, responses, query jobs, and the limits they are held to.

Plain frozen records of strings and bytes, so that a QueryJob and a Response cross the pipe to a worker
process; nothing here touches a socket, a process or the store.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7879
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RESULTS = 10_000
DEFAULT_WORKERS = 2
DEFAULT_MAX_BYTES = 16_000_000  # about this many bytes of results (beside the row cap), then cut off
DEFAULT_MAX_MEMORY_MB = 2048  # address space a worker may take beyond what it holds at rest
DEFAULT_IDLE_TIMEOUT = 15.0  # seconds a connection may stay silent before it is closed
DEFAULT_HEADER_TIMEOUT = 10.0  # seconds from the first byte of a request to the end of its headers
DEFAULT_BODY_TIMEOUT = 30.0  # seconds to receive a request body once its headers are in
LISTEN_BACKLOG = 1024  # connections the kernel holds while every thread is busy accepting
MAX_BODY = 1_000_000  # bytes of a POSTed request; anything larger is refused with 413
# Longer queries are refused before parsing: 13 times the longest shipped query. rdflib parses most text at
# 10-50 kB/s, but a chain of 1+1+... at about 2 kB/s, slower as it grows (20 kB: 11 s); the query timeout
# stops what the cap lets through.
MAX_QUERY_CHARS = 20_000
STACK_BYTES = 256 << 20  # stack of the thread that parses and runs queries (Oxigraph recurses on long chains)
SPARQL_PATH = "/sparql"

TRUNCATED_HEADER = "X-Result-Truncated"
LIMIT_HEADER = "X-Result-Limit"
BYTE_LIMIT_HEADER = "X-Result-Byte-Limit"

# Offers in order of preference (the first is the default when the client accepts anything).
RESULT_OFFERS = (
    ("application/sparql-results+json", "JSON"),
    ("application/sparql-results+xml", "XML"),
    ("text/csv", "CSV"),
    ("text/tab-separated-values", "TSV"),
    ("application/json", "JSON"),
    ("application/xml", "XML"),
    ("text/xml", "XML"),
)
GRAPH_OFFERS = (
    ("text/turtle", "TURTLE"),
    ("application/n-triples", "N_TRIPLES"),
    ("application/n-quads", "N_QUADS"),
    ("application/rdf+xml", "RDF_XML"),
    ("text/plain", "N_TRIPLES"),
)


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request, as the endpoint sees it (headers with lower-case names)."""

    method: str
    path: str
    query_string: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass(frozen=True, slots=True)
class QueryJob:
    """What a worker needs to answer one query: plain strings, so it crosses a process boundary."""

    query: str
    accept: str = ""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


def error(status: int, message: str, *headers: tuple[str, str]) -> Response:
    return Response(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"), headers)

