"""A read-only SPARQL 1.1 Protocol endpoint over the graph store.

Three layers, each testable without the one above it:

- `evaluate(store, job)` runs one query on a pyoxigraph Store and renders the response
  (content negotiation, result cap). Pure: no sockets, no processes.
- `QueryRunner` runs `evaluate` in worker processes that each hold a read-only handle on the
  store. A query that overruns its timeout is stopped by killing its worker, so a hostile or
  careless query cannot keep burning a CPU after the client has been told it timed out
  (pyoxigraph queries cannot be cancelled from Python, and a thread cannot be killed).
- `Endpoint.handle(request)` is the SPARQL Protocol: GET/POST parsing, refusal of updates and
  federated queries, the help page. `make_server` wraps it in a stdlib ThreadingHTTPServer.

The store is opened with `Store.read_only`, which takes no lock, so `kg build` can keep writing.
A read-only handle is a snapshot taken when it is opened; workers reopen it when the store's
files change, so answers follow finished builds without restarting the server.
"""
from __future__ import annotations

import html
import json
import logging
import multiprocessing
import os
import queue
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .errors import ServeError
from .namespaces import PREFIXES

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7879
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RESULTS = 10_000
DEFAULT_WORKERS = 2
MAX_BODY = 1_000_000  # bytes of a POSTed query; anything larger is refused with 413
SPARQL_PATH = "/sparql"

TRUNCATED_HEADER = "X-Result-Truncated"
LIMIT_HEADER = "X-Result-Limit"

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

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''  # long strings
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''                             # short strings
    r'|<[^<>"{}|^`\\\x00-\x20]*>'                                             # IRIs
    r'|#[^\n]*'                                                               # comments
    r'|[?$][\w]+'                                                             # variables
    r'|[\w.\-]*:[\w.\-:%]*'                                                   # prefixed names
    r'|[A-Za-z_]\w*',                                                         # keywords
    re.DOTALL,
)


def uses_service(query: str) -> bool:
    """True if the query holds a SERVICE clause (federated query).

    Refused because the store would fetch any URL the query names, from the server's network.
    Codepoint escapes are undone first, as the SPARQL grammar does before parsing.
    """
    text = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    return any(tok.upper() == "SERVICE" for tok in _TOKENS.findall(text))


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


def _capped(results, max_results: int) -> tuple[list, bool]:
    rows = []
    for row in results:
        if len(rows) == max_results:
            return rows, True
        rows.append(row)
    return rows, False


def _cap_headers(truncated: bool, max_results: int) -> tuple[tuple[str, str], ...]:
    if not truncated:
        return ()
    return ((TRUNCATED_HEADER, "true"), (LIMIT_HEADER, str(max_results)))


def evaluate(store, job: QueryJob, max_results: int = DEFAULT_MAX_RESULTS) -> Response:
    """Run one query on a pyoxigraph Store and render it for the client's Accept header.

    At most `max_results` solutions or triples are returned; if there were more, the response
    says so in the X-Result-Truncated header. OSError (store I/O) propagates to the caller.
    """
    import pyoxigraph as ox

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
        result = store.query(job.query, **options)
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
        rows, truncated = _capped(result, max_results)
        doc = {"head": {"vars": names}, "results": {"bindings": [
            {n: _term_json(row[n]) for n in names if row[n] is not None} for row in rows]}}
        data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        # Re-serialise through pyoxigraph so every format is written by one well-tested writer.
        parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        body = parsed.serialize(format=getattr(ox.QueryResultsFormat, fmt))
        return Response(200, mime, body, _cap_headers(truncated, max_results))

    chosen = negotiate(job.accept, GRAPH_OFFERS)
    if chosen is None:
        return _not_acceptable(job.accept, GRAPH_OFFERS)
    mime, fmt = chosen
    triples, truncated = _capped(result, max_results)
    prefixes = _used_prefixes(triples) if fmt == "TURTLE" else None
    body = ox.serialize(triples, format=getattr(ox.RdfFormat, fmt), prefixes=prefixes)
    return Response(200, mime, body, _cap_headers(truncated, max_results))


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
    """A read-only Store, reopened when the files on disk change (e.g. a build finished)."""

    def __init__(self, path: str):
        self.path = path
        self._store = None
        self._signature = None

    def _current_signature(self):
        sig = []
        with os.scandir(self.path) as entries:
            for e in entries:
                if e.name == "CURRENT" or e.name.startswith("MANIFEST") or e.name.endswith(".log"):
                    st = e.stat()
                    sig.append((e.name, st.st_size, st.st_mtime_ns))
        return tuple(sorted(sig))

    def get(self, *, force: bool = False):
        import pyoxigraph as ox

        signature = self._current_signature()
        if force or self._store is None or signature != self._signature:
            self._store = None
            self._store = ox.Store.read_only(self.path)
            self._signature = signature
        return self._store


def _worker_main(conn, store_path: str, max_results: int) -> None:
    """Worker process loop: open the store, then answer jobs until the pipe closes."""
    handle = _StoreHandle(store_path)
    try:
        handle.get()
    except Exception as e:  # noqa: BLE001 - reported to the parent as one line
        conn.send(("error", f"{store_path}: cannot open the store read-only: {e}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            try:
                response = evaluate(handle.get(), job, max_results)
            except OSError:
                response = evaluate(handle.get(force=True), job, max_results)
        except Exception as e:  # noqa: BLE001 - one failing query must not end the worker
            response = error(500, f"query failed: {type(e).__name__}: {e}")
        conn.send(response)


class _Worker:
    def __init__(self, ctx, store_path: str, max_results: int, startup_timeout: float):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, store_path, max_results),
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
                 startup_timeout: float = 60.0):
        store = Path(store)
        if not (store / "CURRENT").is_file():
            raise ServeError(f"{store}: no graph store here", hint="run `kg build` first or pass --store")
        if timeout <= 0 or max_results < 1 or workers < 1:
            raise ServeError("timeout, max results and workers must be positive")
        self.store = store
        self.timeout = timeout
        self.max_results = max_results
        self._startup_timeout = startup_timeout
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._slots = threading.BoundedSemaphore(workers)
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._idle.put(self._spawn())  # fail now, not at the first query, if the store is unusable

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, str(self.store), self.max_results, self._startup_timeout)
        with self._lock:
            self._all.add(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def run(self, job: QueryJob) -> Response:
        if not self._slots.acquire(timeout=self.timeout):
            return error(503, f"server busy: every query worker was in use for {self.timeout:g} s; "
                              "try again", ("Retry-After", "5"))
        try:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                try:
                    worker = self._spawn()
                except ServeError as e:
                    return error(500, e.one_line())
            try:
                worker.conn.send(job)
                if not worker.conn.poll(self.timeout):
                    self._discard(worker)
                    return error(503, f"query timed out after {self.timeout:g} s and was stopped; "
                                      "narrow it down or add a LIMIT", ("X-Query-Timeout", f"{self.timeout:g}"))
                response = worker.conn.recv()
            except (EOFError, OSError):
                self._discard(worker)
                return error(500, "query worker died while answering; the query was not completed")
            self._idle.put(worker)
            return response
        finally:
            self._slots.release()

    def close(self) -> None:
        """Stop every worker process."""
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
            return error(404, f"no such page: {request.path}; the SPARQL endpoint is {SPARQL_PATH}")
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
                if request.method == "GET":
                    return self.page(request)
                return error(400, "missing query: send it as the `query` form field or as an "
                                  "application/sparql-query body")
            if len(queries) > 1:
                return error(400, "more than one `query` parameter")
            query = queries[0]
        if uses_service(query):
            return error(403, "SERVICE (federated query) is disabled on this endpoint")
        job = QueryJob(query, request.header("accept"),
                       tuple(params.get("default-graph-uri", ())), tuple(params.get("named-graph-uri", ())))
        return self.runner.run(job)

    def page(self, request: Request) -> Response:
        """The help page at GET / (HTML, or plain text if the client prefers it)."""
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
            "Updates and SERVICE are refused.",
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


def _refuse_update() -> Response:
    return error(403, "SPARQL Update is not allowed: this endpoint is read-only; "
                      "change the graph with `kg build`")


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
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        self._send(endpoint.handle(Request(self.command, url.path, url.query, headers, body)))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

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

    def __init__(self, address, endpoint: Endpoint):
        self.endpoint = endpoint
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{SPARQL_PATH}"


def open_server(store: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                timeout: float = DEFAULT_TIMEOUT, max_results: int = DEFAULT_MAX_RESULTS,
                workers: int = DEFAULT_WORKERS) -> SparqlServer:
    """Open the store read-only and bind the endpoint (port 0 picks a free port). Call
    `serve_forever()` on the result, and `close_server()` when done."""
    runner = QueryRunner(store, timeout=timeout, max_results=max_results, workers=workers)
    try:
        return SparqlServer((host, port), Endpoint(runner, store_label=str(store)))
    except OSError as e:
        runner.close()
        raise ServeError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None


def close_server(server: SparqlServer) -> None:
    """Stop listening and stop the query workers."""
    server.server_close()
    runner = server.endpoint.runner
    if hasattr(runner, "close"):
        runner.close()
