"""A read-only SPARQL 1.1 Protocol endpoint over the graph store.

Three layers, each testable without the one above it:

- `screen(query)` decides what a query may do from a parse by rdflib's SPARQL grammar (no update,
  no LOAD, no SERVICE; bounded length and nesting), and `evaluate(store, job)` screens one query,
  runs it on a GraphStore and renders the response (content negotiation, row and byte caps).
  Pure: no sockets, no processes.
- `QueryRunner` runs `evaluate` in worker processes that each hold a read-only GraphStore. Screening
  runs there too, under the same timeout as the query: one hostile request holds one worker, never
  the server. A query that overruns its timeout is stopped by killing its worker (pyoxigraph queries
  cannot be cancelled from Python, and a thread cannot be killed); a worker's memory is capped, and
  on Linux it has no network at all.
- `Endpoint.handle(request)` is the SPARQL Protocol: GET/POST parsing, refusal of updates, the help
  page, and the pages of the web view (kg.web), which the workers render as they answer queries.
  `open_server` wraps it in a stdlib ThreadingHTTPServer with a deep listen backlog and an
  idle timeout per connection.

The store is opened read-only, which takes no lock, so `kg build` can keep writing. A read-only view
is a snapshot taken when it is opened; workers reopen it when the store changes, so answers follow
finished builds without restarting the server, and keep the last whole snapshot while a build is
half-way through writing a batch.
"""
from __future__ import annotations

import html
import json
import logging
import multiprocessing
import os
import queue
import re
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .errors import ServeError, StoreError
from .namespaces import PREFIXES

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7879
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RESULTS = 10_000
DEFAULT_WORKERS = 2
DEFAULT_MAX_BYTES = 16_000_000  # about this many bytes of results (beside the row cap), then cut off
DEFAULT_MAX_MEMORY_MB = 2048  # address space a worker may take beyond what it holds at rest
DEFAULT_IDLE_TIMEOUT = 15.0  # seconds a connection may stay silent before it is closed
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


# ---------------------------------------------------------------- content negotiation

def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        ranges.append((bits[0].lower(), q))
    return ranges


def negotiate(accept: str, offers: tuple[tuple[str, str], ...]) -> tuple[str, str] | None:
    """The best (media type, format name) for an Accept header, or None if nothing offered fits."""
    ranges = _media_ranges(accept or "*/*") or [("*/*", 1.0)]
    best, best_q = None, 0.0
    for mime, fmt in offers:
        kind = mime.split("/")[0]
        q, specificity = 0.0, -1
        for rng, rq in ranges:
            s = 2 if rng == mime else 1 if rng == f"{kind}/*" else 0 if rng == "*/*" else -1
            if s > specificity:
                q, specificity = rq, s
        if specificity >= 0 and q > best_q:
            best, best_q = (mime, fmt), q
    return best


# ---------------------------------------------------------------- query screening

class QueryRefused(Exception):
    """A query this endpoint will not run: an HTTP status and a one-line reason."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


# SPARQL 1.1 section 19.2: \uXXXX and \UXXXXXXXX are undone before parsing, everywhere in the query.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE_NODE = "ServiceGraphPattern"


def screen(query: str) -> str:
    """The text to run for `query`, or QueryRefused: what a query may do is decided from a parse by
    rdflib's SPARQL 1.1 grammar, not from its look. Refused: updates (LOAD included), SERVICE anywhere
    (the store would fetch any URL a query names, from the server's network), queries too long or too
    deeply nested to parse safely, and anything rdflib cannot parse.

    Oxigraph runs the text returned here, which is the text rdflib parsed: codepoint escapes already
    undone and line ends made LF, so the two parsers cannot read comments or escapes differently
    (Oxigraph ends a comment at a bare CR, rdflib does not; Oxigraph keeps \\u outside strings).
    Worst case time is linear in the length, which MAX_QUERY_CHARS bounds; callers run it under the
    query timeout all the same.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise QueryRefused(413, f"query is longer than {MAX_QUERY_CHARS} characters")
    try:
        text = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    except (ValueError, OverflowError):
        raise QueryRefused(400, "query holds a \\U escape that is not a Unicode code point") from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryRefused(400, "query holds an escape of a lone surrogate, which is not a character") from None
    if _CODEPOINT.search(text):
        raise QueryRefused(400, "query holds an escaped codepoint escape (\\u005Cu...); write the character")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import Query, UpdateUnit

    try:
        tree = Query.parse_string(text, parse_all=True)
    except RecursionError:
        raise QueryRefused(400, "query nests too deeply to be run safely") from None
    except ParseBaseException as e:
        try:
            UpdateUnit.parse_string(text, parse_all=True)
        except (ParseBaseException, RecursionError):
            raise QueryRefused(400, f"query is not valid SPARQL 1.1: {' '.join(str(e).split())}") from None
        raise _update_refusal() from None
    if _holds(tree, _SERVICE_NODE):
        raise QueryRefused(403, "SERVICE (federated query) is disabled on this endpoint")
    return text


def _holds(tree, name: str) -> bool:
    """True if an rdflib parse tree holds a node called `name` (walked without recursion)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == name:
                return True
            stack.extend(node.values())
        elif isinstance(node, (ParseResults, list, tuple)):
            stack.extend(node)
    return False


def _update_refusal() -> QueryRefused:
    return QueryRefused(403, "SPARQL Update is not allowed: this endpoint is read-only; "
                             "change the graph with `kg build`")


# ---------------------------------------------------------------- evaluation (inside a worker)

def _term_json(term) -> dict:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if getattr(term, "direction", None) is not None:
                out["its:dir"] = str(term.direction.name).lower()
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                            "predicate": _term_json(term.predicate),
                                            "object": _term_json(term.object)}}
    raise TypeError(f"unexpected term {term!r}")


def _capped(results, max_results: int, max_bytes: int, size) -> tuple[list, bool]:
    """The first results, at most `max_results` of them and about `max_bytes` in all; True if cut."""
    rows, total = [], 0
    for row in results:
        total += size(row)
        if len(rows) == max_results or total > max_bytes:
            return rows, True
        rows.append(row)
    return rows, False


def _solution_size(names):
    def size(row) -> int:
        return sum(len(str(row[n])) + len(n) + 16 for n in names if row[n] is not None)
    return size


def _cap_headers(truncated: bool, max_results: int, max_bytes: int) -> tuple[tuple[str, str], ...]:
    if not truncated:
        return ()
    return ((TRUNCATED_HEADER, "true"), (LIMIT_HEADER, str(max_results)), (BYTE_LIMIT_HEADER, str(max_bytes)))


def evaluate(store, job: QueryJob, max_results: int = DEFAULT_MAX_RESULTS,
             max_bytes: int = DEFAULT_MAX_BYTES) -> Response:
    """Screen one query (`screen`), run it on a store (a GraphStore, or anything with its `query`) and
    render it for the client's Accept header.

    At most `max_results` solutions or triples, of about `max_bytes` in all, are returned; if there
    were more, the response says so in the X-Result-Truncated header. OSError (store I/O) propagates.
    """
    import pyoxigraph as ox

    try:
        text = screen(job.query)
    except QueryRefused as e:
        return error(e.status, e.reason)
    try:
        options: dict = {}
        if job.default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        else:
            options["use_default_graph_as_union"] = True
        if job.named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    except ValueError as e:
        return error(400, f"bad default-graph-uri or named-graph-uri: {e}")
    try:
        result = store.query(text, **options)
    except SyntaxError as e:
        return error(400, f"query is not valid SPARQL: {e}")

    if isinstance(result, (ox.QueryBoolean, ox.QuerySolutions)):
        chosen = negotiate(job.accept, RESULT_OFFERS)
        if chosen is None:
            return _not_acceptable(job.accept, RESULT_OFFERS)
        mime, fmt = chosen
        if isinstance(result, ox.QueryBoolean):
            return Response(200, mime, result.serialize(format=getattr(ox.QueryResultsFormat, fmt)))
        names = [v.value for v in result.variables]
        rows, truncated = _capped(result, max_results, max_bytes, _solution_size(names))
        doc = {"head": {"vars": names}, "results": {"bindings": [
            {n: _term_json(row[n]) for n in names if row[n] is not None} for row in rows]}}
        data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        # Re-serialise through pyoxigraph so every format is written by one well-tested writer.
        parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        body = parsed.serialize(format=getattr(ox.QueryResultsFormat, fmt))
        return Response(200, mime, body, _cap_headers(truncated, max_results, max_bytes))

    chosen = negotiate(job.accept, GRAPH_OFFERS)
    if chosen is None:
        return _not_acceptable(job.accept, GRAPH_OFFERS)
    mime, fmt = chosen
    triples, truncated = _capped(result, max_results, max_bytes, lambda t: len(str(t)) + 3)
    prefixes = _used_prefixes(triples) if fmt == "TURTLE" else None
    body = ox.serialize(triples, format=getattr(ox.RdfFormat, fmt), prefixes=prefixes)
    return Response(200, mime, body, _cap_headers(truncated, max_results, max_bytes))


def _used_prefixes(triples) -> dict[str, str]:
    """The project's prefixes that some IRI in the triples starts with (keeps Turtle short)."""
    import pyoxigraph as ox

    iris = {t.value for tr in triples for t in (tr.subject, tr.predicate, tr.object)
            if isinstance(t, ox.NamedNode)}
    iris |= {t.datatype.value for tr in triples for t in (tr.object,) if isinstance(t, ox.Literal)}
    return {k: str(v) for k, v in PREFIXES.items() if any(i.startswith(str(v)) for i in iris)}


def _not_acceptable(accept: str, offers) -> Response:
    types = ", ".join(dict.fromkeys(m for m, _ in offers))
    return error(406, f"cannot answer in any type of Accept: {accept}; offered: {types}")


class _StoreHandle:
    """A read-only GraphStore, reopened when another process has written to it (e.g. a build finished).

    A view that finds reports half-written (a build is loading a batch) is not used: the last good
    snapshot goes on answering until a later reopen finds the store whole again."""

    def __init__(self, path: str):
        self.path = path
        self._store = None

    def get(self, *, force: bool = False):
        from .store import GraphStore

        if force or self._store is None or self._store.is_stale():
            try:
                fresh = GraphStore(self.path, read_only=True)
            except StoreError:
                if self._store is None or force:
                    raise
            else:
                self._store = fresh
        return self._store


def _cut_network() -> bool:
    """Put this process in network and user namespaces of its own (Linux, where unprivileged user
    namespaces are allowed): it then has no route anywhere, so even a SERVICE that screening missed
    cannot connect. A second fence only; `screen` is what refuses such queries. Must run before any
    thread starts (unshare of a user namespace needs a single-threaded process)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(0x10000000 | 0x40000000) == 0  # CLONE_NEWUSER | CLONE_NEWNET
    except (OSError, AttributeError):
        return False


def _limit_memory(extra_mb: int) -> None:
    """Cap this process's address space at what it holds now plus `extra_mb`, so one query that
    grows without end fails alone (Rust aborts the worker, which is replaced) instead of the machine
    swapping."""
    import resource

    try:
        with open("/proc/self/statm") as fh:
            now = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        now = 0
    limit = now + STACK_BYTES + (extra_mb << 20)
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _worker_main(conn, store_path: str, max_results: int, max_bytes: int, max_memory_mb: int) -> None:
    """Worker process: fence off the network, open the store, cap memory, then answer jobs on a
    thread with a large stack (Oxigraph recurses on long chains of MINUS or `+`, and a query that
    overflows the default 8 MB stack kills the process) until the pipe closes."""
    _cut_network()
    handle = _StoreHandle(store_path)
    try:
        handle.get()
        screen("ASK {}")  # load the parser now, not during the first query's timeout
    except StoreError as e:
        conn.send(("error", e.one_line()))
        return
    except Exception as e:  # noqa: BLE001 - reported to the parent as one line
        conn.send(("error", f"{store_path}: cannot open the store read-only: {e}"))
        return
    sys.setrecursionlimit(4000)  # rdflib's parser recurses per nesting level; deeper is refused
    _limit_memory(max_memory_mb)
    threading.stack_size(STACK_BYTES)
    thread = threading.Thread(target=_answer_jobs, args=(conn, handle, max_results, max_bytes),
                              name="kg-serve-query")
    conn.send(("ready", None))
    thread.start()
    thread.join()


def _answer_jobs(conn, handle: _StoreHandle, max_results: int, max_bytes: int) -> None:
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            try:
                response = _answer(handle.get(), job, max_results, max_bytes)
            except OSError:
                response = _answer(handle.get(force=True), job, max_results, max_bytes)
        except StoreError as e:
            response = error(503, e.one_line(), ("Retry-After", "5"))
        except MemoryError:
            response = error(503, "query needed more memory than a query may use; narrow it down")
        except Exception as e:  # noqa: BLE001 - one failing query must not end the worker
            response = error(500, f"query failed: {type(e).__name__}: {' '.join(str(e).split())}")
        conn.send(response)


def _answer(store, job, max_results: int, max_bytes: int) -> Response:
    """A SPARQL query (screened by `evaluate`), or a page of the web view (kg.web)."""
    if isinstance(job, QueryJob):
        return evaluate(store, job, max_results, max_bytes)
    from . import web

    return web.render(store, job, max_results, max_bytes)


class _Worker:
    def __init__(self, ctx, store_path: str, limits: tuple[int, int, int], startup_timeout: float):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, store_path, *limits),
                                daemon=True, name="kg-serve-worker")
        self.proc.start()
        child.close()
        if not self.conn.poll(startup_timeout):
            self.kill()
            raise ServeError(f"{store_path}: query worker did not start within {startup_timeout:g} s")
        try:
            kind, message = self.conn.recv()
        except EOFError:
            self.kill()
            raise ServeError(f"{store_path}: query worker exited while opening the store") from None
        if kind != "ready":
            self.kill()
            raise ServeError(message)

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class QueryRunner:
    """Answers QueryJobs in up to `workers` processes, each with a hard `timeout` in seconds.

    A query still running at its deadline gets a 503 and its worker is killed and replaced
    on demand. When every worker is busy for a whole timeout, the request gets a 503 as well.
    """

    def __init__(self, store: Path, *, timeout: float = DEFAULT_TIMEOUT,
                 max_results: int = DEFAULT_MAX_RESULTS, workers: int = DEFAULT_WORKERS,
                 max_bytes: int = DEFAULT_MAX_BYTES, max_memory_mb: int = DEFAULT_MAX_MEMORY_MB,
                 startup_timeout: float = 60.0):
        if timeout <= 0 or max_results < 1 or workers < 1 or max_bytes < 1 or max_memory_mb < 1:
            raise ServeError("timeout, max results, max bytes, memory and workers must be positive")
        self.store = Path(store)
        self.timeout = timeout
        self.max_results = max_results
        self.max_bytes = max_bytes
        self.max_memory_mb = max_memory_mb
        self._startup_timeout = startup_timeout
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._slots = threading.BoundedSemaphore(workers)
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._idle.put(self._spawn())  # fail now, not at the first query, if the store is unusable
        others = [self._replace_later() for _ in range(workers - 1)]  # side by side: ready for a burst
        for thread in others:
            thread.join(startup_timeout)

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, str(self.store), (self.max_results, self.max_bytes, self.max_memory_mb),
                         self._startup_timeout)
        with self._lock:
            self._all.add(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        """Stop a worker and start its replacement in the background (starting one takes about a
        second, which the next request should not wait for)."""
        worker.kill()
        with self._lock:
            self._all.discard(worker)
        self._replace_later()

    def _replace_later(self) -> threading.Thread:
        def replace() -> None:
            try:
                worker = self._spawn()
            except ServeError as e:
                log.warning("%s", e.one_line())
                return
            if self._closed:
                self._discard_quietly(worker)
            else:
                self._idle.put(worker)

        thread = threading.Thread(target=replace, name="kg-serve-spawn", daemon=True)
        thread.start()
        return thread

    def _discard_quietly(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def run(self, job: QueryJob) -> Response:
        if not self._slots.acquire(timeout=self.timeout):
            return error(503, f"server busy: every query worker was in use for {self.timeout:g} s; "
                              "try again", ("Retry-After", "5"))
        try:
            try:  # a worker is idle, or one being started will be
                worker = self._idle.get(timeout=max(self.timeout, 10.0))
            except queue.Empty:
                try:
                    worker = self._spawn()
                except ServeError as e:
                    return error(500, e.one_line())
            try:
                worker.conn.send(job)
                timeout = max(self.timeout, getattr(job, "min_timeout", 0.0))  # pages: kg.web.PAGE_TIMEOUT
                if not worker.conn.poll(timeout):
                    self._discard(worker)
                    return error(503, f"query timed out after {timeout:g} s and was stopped; "
                                      "narrow it down or add a LIMIT", ("X-Query-Timeout", f"{timeout:g}"))
                response = worker.conn.recv()
            except (EOFError, OSError):
                self._discard(worker)
                return error(500, "query worker died while answering, most likely out of memory (a query may "
                                  f"use {self.max_memory_mb} MB); the query was not completed")
            self._idle.put(worker)
            return response
        finally:
            self._slots.release()

    def close(self) -> None:
        """Stop every worker process."""
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), set()
        for w in workers:
            w.kill()


# ---------------------------------------------------------------- the protocol

class Endpoint:
    """SPARQL 1.1 Protocol over a QueryRunner (or anything with `run(QueryJob) -> Response`)."""

    def __init__(self, runner, *, store_label: str = "", max_body: int = MAX_BODY):
        self.runner = runner
        self.store_label = store_label
        self.max_body = max_body

    def handle(self, request: Request) -> Response:
        if request.method not in ("GET", "POST"):
            return error(405, f"{request.method} is not allowed: this endpoint is read-only "
                              "(SPARQL queries by GET or POST only)", ("Allow", "GET, POST"))
        if request.path not in ("/", SPARQL_PATH):
            from . import web

            if web.is_page(request.path):
                if request.method != "GET":
                    return error(405, f"{request.method} is not allowed on {request.path}: the pages are read-only",
                                 ("Allow", "GET"))
                return self.runner.run(self._page_job(request))
            return error(404, f"no such page: {request.path}; the pages are /, /council/<name or GSS code> and "
                              f"/query; the SPARQL endpoint is {SPARQL_PATH}")
        if len(request.body) > self.max_body:
            return error(413, f"request body is larger than {self.max_body} bytes")
        params = parse_qs(request.query_string, keep_blank_values=True)
        query = None
        if request.method == "POST":
            ctype = request.header("content-type").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                return _refuse_update()
            if ctype == "application/x-www-form-urlencoded":
                try:
                    form = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
                except UnicodeDecodeError:
                    return error(400, "form body is not UTF-8")
                for k, v in form.items():
                    params.setdefault(k, []).extend(v)
            elif ctype == "application/sparql-query":
                try:
                    query = request.body.decode("utf-8")
                except UnicodeDecodeError:
                    return error(400, "query body is not UTF-8")
            else:
                return error(415, f"unsupported Content-Type {ctype or '(none)'}; use "
                                  "application/sparql-query or application/x-www-form-urlencoded")
        if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
            return _refuse_update()
        if query is None:
            queries = params.get("query", [])
            if not queries:
                if request.method == "GET" and request.path == "/" and not params and _wants_html(request):
                    return self.runner.run(self._page_job(request))  # the web view's home page
                if request.method == "GET":
                    return self.page(request)
                return error(400, "missing query: send it as the `query` form field or as an "
                                  "application/sparql-query body")
            if len(queries) > 1:
                return error(400, "more than one `query` parameter")
            query = queries[0]
        if len(query) > MAX_QUERY_CHARS:  # screened in the worker; this one need not travel there
            return error(413, f"query is longer than {MAX_QUERY_CHARS} characters")
        job = QueryJob(query, request.header("accept"),
                       tuple(params.get("default-graph-uri", ())), tuple(params.get("named-graph-uri", ())))
        return self.runner.run(job)

    def _page_job(self, request: Request):
        from .web import PAGE_TIMEOUT, PageJob

        timeout = getattr(self.runner, "timeout", DEFAULT_TIMEOUT)
        # The query page runs what the user asks: under the query timeout, not the pages' longer one.
        least = 0.0 if request.path == "/query" else PAGE_TIMEOUT
        return PageJob(request.path, request.query_string, least, timeout)

    def page(self, request: Request) -> Response:
        """The help page at GET /sparql (HTML, or plain text if the client prefers it), and at GET / for
        clients that prefer plain text."""
        timeout = getattr(self.runner, "timeout", None)
        limit = getattr(self.runner, "max_results", None)
        host = request.header("host") or f"{DEFAULT_HOST}:{DEFAULT_PORT}"
        url = f"http://{host}{SPARQL_PATH}"
        lines = [
            "ofsted-kg SPARQL endpoint (read-only, SPARQL 1.1 Protocol)",
            "",
            f"Endpoint: {url}",
            f"Store:    {self.store_label}" if self.store_label else None,
            f"Limits:   {timeout:g} s per query; at most {limit} results "
            f"(more are cut off and the response carries '{TRUNCATED_HEADER}: true')"
            if timeout and limit else None,
            "Queries without GRAPH see every named graph (one per report, plus reference, catalog, derived).",
            "Updates, LOAD and SERVICE are refused.",
            "",
            "Results: SELECT/ASK as application/sparql-results+json (default), application/sparql-results+xml,",
            "text/csv, text/tab-separated-values; CONSTRUCT/DESCRIBE as text/turtle (default),",
            "application/n-triples, application/n-quads, application/rdf+xml. Choose with the Accept header.",
            "",
            "Examples:",
            (f"  curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT ?g (COUNT(*) AS ?n) "
             f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g' {url}"),
            f"  curl -H 'Content-Type: application/sparql-query' --data 'ASK {{ ?s ?p ?o }}' {url}",
        ]
        text = "\n".join(line for line in lines if line is not None) + "\n"
        best = negotiate(request.header("accept"), (("text/html", "html"), ("text/plain", "text")))
        if best and best[1] == "text":
            return Response(200, "text/plain; charset=utf-8", text.encode("utf-8"))
        example = "SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        page = (
            "<!doctype html><html lang=en><meta charset=utf-8><title>ofsted-kg SPARQL endpoint</title>"
            f"<h1>ofsted-kg SPARQL endpoint</h1><pre>{html.escape(text)}</pre>"
            f"<form method=get action={SPARQL_PATH}><textarea name=query rows=6 cols=100>"
            f"{html.escape(example)}</textarea><br><button>Run (JSON)</button></form></html>\n"
        )
        return Response(200, "text/html; charset=utf-8", page.encode("utf-8"))


def _wants_html(request: Request) -> bool:
    best = negotiate(request.header("accept"), (("text/html", "html"), ("text/plain", "text")))
    return best is None or best[1] == "html"


def _refuse_update() -> Response:
    return error(403, _update_refusal().reason)


# ---------------------------------------------------------------- HTTP server

class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = "ofsted-kg"

    def _dispatch(self) -> None:
        endpoint = self.server.endpoint
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > endpoint.max_body:
            self.close_connection = True
            self._send(error(413, f"request body must be 0 to {endpoint.max_body} bytes"))
            return
        try:
            body = self.rfile.read(length) if length else b""
        except (TimeoutError, ConnectionError):
            self.close_connection = True  # a client that stops sending (or hangs up) mid-body
            return
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        response = endpoint.handle(Request(self.command, url.path, url.query, headers, body))
        try:
            self._send(response)
        except (TimeoutError, ConnectionError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout  # a connection silent this long is closed (slowloris)
        super().setup()

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for k, v in response.headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args) -> None:
        log.info("%s %s", self.address_string(), format % args)


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG  # socketserver's default of 5 resets connections in a burst

    def __init__(self, address, endpoint: Endpoint, *, idle_timeout: float = DEFAULT_IDLE_TIMEOUT):
        self.endpoint = endpoint
        self.idle_timeout = idle_timeout
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{SPARQL_PATH}"

    @property
    def home_url(self) -> str:
        """The web view's home page (kg.web)."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


def open_server(store: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                timeout: float = DEFAULT_TIMEOUT, max_results: int = DEFAULT_MAX_RESULTS,
                workers: int = DEFAULT_WORKERS, max_bytes: int = DEFAULT_MAX_BYTES,
                max_memory_mb: int = DEFAULT_MAX_MEMORY_MB,
                idle_timeout: float = DEFAULT_IDLE_TIMEOUT) -> SparqlServer:
    """Open the store read-only and bind the endpoint (port 0 picks a free port). Call
    `serve_forever()` on the result, and `close_server()` when done."""
    runner = QueryRunner(store, timeout=timeout, max_results=max_results, workers=workers,
                         max_bytes=max_bytes, max_memory_mb=max_memory_mb)
    try:
        return SparqlServer((host, port), Endpoint(runner, store_label=str(store)), idle_timeout=idle_timeout)
    except OSError as e:
        runner.close()
        raise ServeError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None


def close_server(server: SparqlServer) -> None:
    """Stop listening and stop the query workers."""
    server.server_close()
    runner = server.endpoint.runner
    if hasattr(runner, "close"):
        runner.close()
