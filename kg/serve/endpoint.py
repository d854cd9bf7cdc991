"""The SPARQL 1.1 Protocol over a QueryRunner: GET/POST parsing, refusal of updates, the help page, and
the pages of the web view (kg.web), which go to the workers as page jobs. Pure: no sockets.
"""
from __future__ import annotations

import html
from urllib.parse import parse_qs

from .base import (DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TIMEOUT, MAX_BODY, MAX_QUERY_CHARS, SPARQL_PATH,
                   TRUNCATED_HEADER, QueryJob, Request, Response, error)
from .results import negotiate
from .screening import _update_refusal

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
            from .. import web

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
        from ..web import PAGE_TIMEOUT, PageJob

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

