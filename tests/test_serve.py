"""kg serve: the SPARQL Protocol endpoint, from pure functions up to a real `kg serve` process.

The live tests start `kg serve --port 0` as a subprocess over a small store laid out like a built
one plus a synthetic graph big enough to hit the result cap and the timeout, and query it with
curl and rdflib's SPARQLStore, as other tools would. (test_push round-trips the real built graph.)
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
import subprocess
import sys
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import serve
from kg.errors import ServeError
from kg.namespaces import GRAPH_CATALOG, KG
from kg.store import _PENDING as PENDING
from kg.store import GraphStore
from kg.serve import Endpoint, QueryJob, QueryRefused, Request, Response, evaluate, negotiate, screen
from ._process import stop

EX = "http://example.org/test/"
BIG_GRAPH = EX + "big"
BIG = 300  # quads in BIG_GRAPH: a three-way self-join over it runs for many seconds
MAX_RESULTS = 50
MAX_RESULT_BYTES = 50_000
TIMEOUT = 1.5
CROSS_JOIN = (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BIG_GRAPH}> {{ ?a ?p ?x . ?b ?p ?y . ?c ?p ?z }} "
              "FILTER(?x + ?y + ?z = -1) }")
REPORT_GRAPH = "https://w3id.org/ofsted-kg/id/graph/report/"
N_REPORTS = 4
COUNT_REPORTS = (f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                 f"FILTER(STRSTARTS(STR(?g), '{REPORT_GRAPH}')) }}")


def _big_quads():
    g = ox.NamedNode(BIG_GRAPH)
    return [ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(i), g) for i in range(BIG)]


# ---------------------------------------------------------------- pure parts

@pytest.mark.parametrize("accept, expected", [
    ("", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("text/csv", "text/csv"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/*;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "application/sparql-results+json"),
    ("application/json", "application/json"),
    ("text/tab-separated-values;q=1, text/csv;q=0.1", "text/tab-separated-values"),
    ("image/png", None),
    ("text/csv;q=0", None),
])
def test_negotiate_results(accept, expected):
    chosen = negotiate(accept, serve.RESULT_OFFERS)
    assert (chosen[0] if chosen else None) == expected


def _refusal(query: str) -> QueryRefused | None:
    try:
        screen(query)
    except QueryRefused as e:
        return e
    return None


# SERVICE and LOAD in forms a tokenizer misreads (issue 19, class 1): escapes in local names, codepoint
# escapes, a comment ended by a bare CR, case, prefixes, BASE, and SERVICE nested in every kind of pattern.
SERVICE_FORMS = [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    # inside Oxigraph's LATERAL, which the screen reads as a group (the named queries use it)
    "SELECT * WHERE { ?s ?p ?o LATERAL { SERVICE <{url}> { ?s ?p ?o } } }",
    "SELECT * WHERE { ?s ?p ?o lateral{SERVICE<{url}>{?s ?p ?o}} }",
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:a.LATERAL { SERVICE <{url}> { ?s ?p ?o } } }",
    # LATERAL inside an IRI is not blanked (blanked, rdflib would read the IRI's '#' as a comment's start)
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ?p ?o FILTER(?o < <ex:a&&LATERAL#>) "
    "SERVICE <{url}> { ?s ?p ?o } FILTER(true\n-1) }",
    "select * where { service silent <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { \\U00000053ERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u005Cu0053ERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { \\\\u0053ERVICE <{url}> { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p "\\\\\\u0022 . SERVICE <{url}> { ?s ?p ?o } # " }',
    "SELECT * WHERE {\nSERVICE\n?svc { ?s ?p ?o } VALUES ?svc { <{url}> } }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { BIND(ex:a\\#b AS ?z) SERVICE <{url}> { ?s ?p ?o } }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { BIND(ex:a\\'b AS ?z) SERVICE <{url}> { ?s ?p ?o } }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { BIND(ex:a\\.b\\-c AS ?z) SERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { # a comment that ends at a bare CR\rSERVICE <{url}> { ?s ?p ?o }\n}",
    "SELECT * WHERE { # a comment\r\nSERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p '#' . SERVICE <{url}> { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p """\\"""" . SERVICE <{url}> { ?s ?p ?o } }',
    "SELECT * WHERE { ?s ?p '''it''s''' . SERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s <http://x/#frag> ?o . SERVICE <{url}> { ?s ?p ?o } }",
    "PREFIX svc: <{url}> SELECT * WHERE { SERVICE svc: { ?s ?p ?o } }",
    "BASE <{url}> SELECT * WHERE { SERVICE <x> { ?s ?p ?o } }",
    "SELECT * WHERE { OPTIONAL { { SERVICE <{url}> { ?s ?p ?o } } UNION { ?s ?p ?o } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}> { ?a ?b ?c } } }",
    "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <{url}> { ?a ?b ?c } } }",
    "SELECT * WHERE { { SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } } } }",
    "SELECT * WHERE { GRAPH ?g { SERVICE <{url}> { ?s ?p ?o } } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "DESCRIBE ?s WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "ASK { SERVICE <{url}> { ?s ?p ?o } }",
    "ASK {\r\n  SERVICE <{url}> {}\r\n}",
    "LOAD <{url}>",
    "LOAD SILENT <{url}> INTO GRAPH <http://x/g>",
    "INSERT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("form", SERVICE_FORMS)
def test_service_and_load_are_refused(form):
    refusal = _refusal(form.replace("{url}", "http://127.0.0.1:9/sparql"))
    assert refusal is not None and refusal.status in (400, 403)
    assert refusal.reason and "\n" not in refusal.reason


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE" }',
    "SELECT * WHERE { ?s ?p '''a SERVICE b''' }",
    "SELECT * WHERE { ?s <http://x/SERVICE> ?o }",
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:service ?o } # SERVICE in a comment",
    "SELECT ?service WHERE { ?service ?p ?o FILTER(?p < <http://x/>) }",
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ?p ex:a\\'b }",
    "SELECT * WHERE { ?s ?p \"caf\\u00e9\" }",
    "SELECT * WHERE { ?s ?p ?o LATERAL { OPTIONAL { ?s ?q ?z } } }",  # Oxigraph's LATERAL, read as a group
    'SELECT * WHERE { ?s ?p "LATERAL { SERVICE <http://x/> {} }" }',
    "PREFIX ex: <http://x/> SELECT ?LATERAL WHERE { ?LATERAL ex:LATERAL <http://x/LATERAL> }",
    'SELECT * WHERE { ?s ?p "\\\\u0022 . SERVICE <http://x/> { ?s ?p ?o } . \\\\u0022" }',
])
def test_service_lookalikes_pass(query):
    assert _refusal(query) is None


# Valid queries a user writes, each in a form a screen could misread: local-name escapes (`ex:a\\#b`,
# `ex:a\\'b`, issue 19) in every position, codepoint escapes, a backslash before `u` in a string, CRLF
# line ends with comments. Each must pass, and Oxigraph must answer the screened text as it answers the query.
EVERYDAY = [
    "PREFIX ex: <http://example.org/> SELECT ?z WHERE { BIND(ex:a\\#b AS ?z) }",
    "PREFIX ex: <http://example.org/> SELECT ?z WHERE { BIND(ex:a\\'b AS ?z) }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ex:a\\#b ex:p\\.q ex:it\\'s . }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { VALUES ?o { ex:a\\(1\\) ex:b\\,c ex:d\\;e ex:f\\=g } }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { GRAPH ex:g\\/1 { ?s ex:p\\?x/ex:q\\!y* ?o } }",
    "PREFIX ex: <http://example.org/> SELECT ?s WHERE { ?s ?p ?o FILTER(?o IN (ex:a\\#b, ex:a\\'b, ex:\\-c)) }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ?p \"x\"^^ex:t\\#1 }",
    "PREFIX ex: <http://example.org/> SELECT (ex:a\\~b\\&c\\@d\\+e\\*f\\$g AS ?z) WHERE {}",
    'SELECT ?x WHERE { BIND("\\\\u0041 and \\\\U00000041" AS ?x) }',
    'SELECT ?x WHERE { BIND(REGEX("a\\\\u0041", "\\\\\\\\u0041") AS ?x) }',
    'SELECT ?x WHERE { BIND("caf\\u00e9 \\U0001F600" AS ?x) }',
    'SELECT ?x WHERE { BIND("C:\\\\Users\\\\me" AS ?x) }',
    "SELECT ?x WHERE {\r\n  # a comment\r\n  BIND(\"it's\" AS ?x) # another\r\n}",
    "SELECT ?x WHERE { BIND(\"\"\"a \"quoted\" # not a comment\"\"\" AS ?x) }",
]


@pytest.mark.parametrize("query", EVERYDAY)
def test_everyday_queries_pass_screening_and_mean_what_they_meant(query):
    text = screen(query)
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/a#b"), ox.NamedNode("http://example.org/p.q"),
                      ox.NamedNode("http://example.org/it's")))
    answer = [sorted(map(str, row)) for row in store.query(query)]
    assert [sorted(map(str, row)) for row in store.query(text)] == answer


def test_a_query_the_screen_cannot_read_is_refused_saying_where_and_what_to_do():
    """Oxigraph runs SPARQL 1.2 triple terms; the screen's grammar does not read them, so the query is
    refused (fail closed), with the place it stopped and what to rewrite."""
    refusal = _refusal("ASK {\n  ?s ?p <<( ?a ?b ?c )>> }")
    assert refusal.status == 400 and "\n" not in refusal.reason
    assert "not valid SPARQL 1.1 as the screen reads it" in refusal.reason
    assert "at line 2, column 3, near '?s ?p <<( ?a ?b ?c )>> }'" in refusal.reason
    assert "it is not run: if it is valid, rewrite that part in plain SPARQL 1.1" in refusal.reason


def test_the_named_queries_pass_screening():
    """Every query the project ships (`kg query NAME`) is accepted: the screen is not too strict."""
    from kg.paths import queries_dir

    files = sorted(queries_dir().glob("*.rq"))
    assert files
    for f in files:
        assert _refusal(f.read_text()) is None, f.name


SCREENING_WORST = [
    "SELECT * WHERE { FILTER(1 " + "-" * 90_000 + " 1) }",
    "SELECT * WHERE { ?s ?p ?o " + "." * 90_000 + " }",
    "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000,
    "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "ASK { " + "-" * 999_000 + " }",
]


@pytest.mark.parametrize("query", SCREENING_WORST, ids=["minus", "dots", "braces", "parens", "huge"])
def test_screening_refuses_the_worst_inputs_quickly(query):
    """Long runs of '-' or '.' took the old tokenizer 26-44 s, holding every request; 5,000-deep nesting
    crashes Oxigraph's parser. Each is refused in well under the query timeout."""
    started = time.monotonic()
    refusal = _refusal(query)
    assert time.monotonic() - started < 5
    assert refusal is not None and refusal.status in (400, 413) and "\n" not in refusal.reason


class _Recorder:
    """Stands in for the QueryRunner: records the jobs the endpoint would run."""

    timeout, max_results = 1.0, 10

    def __init__(self):
        self.jobs: list[QueryJob] = []

    def run(self, job: QueryJob) -> Response:
        self.jobs.append(job)
        return Response(200, "text/plain", b"ran")


def _handle(method="GET", path="/sparql", qs="", headers=None, body=b""):
    runner = _Recorder()
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    response = Endpoint(runner).handle(Request(method, path, qs, headers, body))
    return response, runner.jobs


@pytest.mark.parametrize("request_args", [
    dict(qs="update=DROP%20ALL"),
    dict(method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"}, body=b"update=DROP+ALL"),
    dict(method="POST", headers={"Content-Type": "application/sparql-update"}, body=b"DROP ALL"),
    dict(method="POST", headers={"Content-Type": "application/sparql-update; charset=utf-8"}, body=b"CLEAR ALL"),
])
def test_updates_are_refused_before_any_query_runs(request_args):
    response, jobs = _handle(**request_args)
    assert response.status == 403
    assert b"read-only" in response.body
    assert jobs == []


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_writing_methods_are_not_allowed(method):
    response, jobs = _handle(method=method, body=b"<a:a> <a:b> <a:c> .")
    assert response.status == 405 and response.header("Allow") == "GET, POST" and jobs == []


def test_query_forms_reach_the_runner():
    q = "SELECT * WHERE { ?s ?p ?o }"
    r1, j1 = _handle(qs=urllib.parse.urlencode({"query": q, "default-graph-uri": EX + "g"}),
                     headers={"Accept": "text/csv"})
    r2, j2 = _handle(method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"},
                     body=urllib.parse.urlencode({"query": q}).encode())
    r3, j3 = _handle(method="POST", path="/", headers={"Content-Type": "application/sparql-query"}, body=q.encode())
    assert [r.status for r in (r1, r2, r3)] == [200, 200, 200]
    assert j1 == [QueryJob(q, "text/csv", (EX + "g",), ())]
    assert j2[0].query == j3[0].query == q


@pytest.mark.parametrize("request_args, status", [
    (dict(qs=urllib.parse.urlencode({"query": "ASK {" + " " * serve.MAX_QUERY_CHARS + "}"})), 413),
    (dict(method="POST", headers={"Content-Type": "text/plain"}, body=b"SELECT * {}"), 415),
    (dict(method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"}, body=b""), 400),
    (dict(qs="query=ASK%7B%7D&query=ASK%7B%7D"), 400),
    (dict(path="/admin"), 404),
])
def test_bad_requests_get_a_clear_status(request_args, status):
    response, jobs = _handle(**request_args)
    assert response.status == status and jobs == []
    assert response.content_type.startswith("text/plain") and response.body.strip()


def test_help_page():
    html, _ = _handle(path="/sparql")
    text, _ = _handle(path="/", headers={"Accept": "text/plain"})  # GET / in a browser is the web view's home
    assert html.content_type.startswith("text/html") and b"<form" in html.body
    assert text.content_type.startswith("text/plain") and b"/sparql" in text.body and b"read-only" in text.body


def test_pages_go_to_the_workers_as_page_jobs_and_only_by_get():
    from kg.web import PAGE_TIMEOUT, PageJob

    _, home = _handle(path="/")
    _, council = _handle(path="/council/Doncaster")
    _, query = _handle(path="/query", qs="query=ASK%7B%7D")
    assert home == [PageJob("/", "", PAGE_TIMEOUT, 1.0)] and council[0].path == "/council/Doncaster"
    assert query == [PageJob("/query", "query=ASK%7B%7D", 0.0, 1.0)]  # user SPARQL: the query timeout only
    response, jobs = _handle(method="POST", path="/council/Doncaster", body=b"x")
    assert response.status == 405 and jobs == []


@pytest.fixture(scope="module")
def memory_store():
    store = ox.Store()
    store.extend(_big_quads())
    store.add(ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "label"), ox.Literal("Doncaster", language="en"),
                      ox.NamedNode(EX + "small")))
    return store


def test_evaluate_caps_results_and_says_so(memory_store):
    r = evaluate(memory_store, QueryJob(f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }}", "text/csv"), max_results=7)
    assert r.status == 200 and r.content_type == "text/csv"
    assert len(r.body.decode().splitlines()) == 1 + 7
    assert r.header(serve.TRUNCATED_HEADER) == "true" and r.header(serve.LIMIT_HEADER) == "7"
    full = evaluate(memory_store, QueryJob(f"SELECT ?s WHERE {{ ?s <{EX}label> ?o }}"), max_results=7)
    assert full.header(serve.TRUNCATED_HEADER) is None


def test_evaluate_union_default_graph_and_graph_forms(memory_store):
    """Queries without GRAPH see every named graph; CONSTRUCT keeps language tags."""
    ask = evaluate(memory_store, QueryJob(f"ASK {{ <{EX}a> ?p ?o }}"))
    assert json.loads(ask.body)["boolean"] is True
    nt = evaluate(memory_store, QueryJob(f"CONSTRUCT WHERE {{ <{EX}a> ?p ?o }}", "application/n-triples"))
    assert nt.content_type == "application/n-triples"
    assert nt.body.decode() == f'<{EX}a> <{EX}label> "Doncaster"@en .\n'
    only_small = evaluate(memory_store, QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "text/csv",
                                                 default_graphs=(EX + "small",)))
    assert only_small.body.decode().splitlines()[1] == "1"


def test_evaluate_errors(memory_store):
    assert evaluate(memory_store, QueryJob("SELEKT nothing")).status == 400
    assert evaluate(memory_store, QueryJob("INSERT DATA { <a:a> <a:b> <a:c> }")).status == 403
    assert evaluate(memory_store, QueryJob("ASK {}", "image/png")).status == 406
    assert evaluate(memory_store, QueryJob("SELECT * { SERVICE <http://10.0.0.1/> { ?s ?p ?o } }")).status == 403
    assert evaluate(memory_store, QueryJob("ASK {}", default_graphs=("not an iri",))).status == 400


def test_default_bind_is_loopback(tmp_path):
    """Both the library and the CLI listen on 127.0.0.1 unless told otherwise."""
    from kg.cli.serve import serve_command

    host_option = next(p for p in serve_command.params if p.name == "host")
    assert host_option.default == "127.0.0.1" == serve.DEFAULT_HOST
    store = ox.Store(str(tmp_path / "store"))
    store.add(ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal(1), ox.NamedNode(EX + "g")))
    store.flush()
    del store
    server = serve.open_server(tmp_path / "store", port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        serve.close_server(server)


def test_missing_store_is_one_line_error(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["serve", "--store", str(tmp_path / "none"), "--port", "0"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "no graph store" in result.output


# ---------------------------------------------------------------- a real `kg serve`

@pytest.fixture(scope="module")
def served_store(tmp_path_factory) -> Path:
    """A small on-disk store laid out like a built one (report graphs) plus the big graph."""
    path = tmp_path_factory.mktemp("serve") / "store"
    store = ox.Store(str(path))
    store.extend(_big_quads())
    for i in range(N_REPORTS):
        g = ox.NamedNode(f"{REPORT_GRAPH}{i:016x}")
        report = ox.NamedNode(f"https://w3id.org/ofsted-kg/id/report/{i:016x}")
        store.add(ox.Quad(report, ox.NamedNode("http://purl.org/dc/terms/title"),
                          ox.Literal(f"Report {i}", language="en"), g))
    store.flush()
    del store
    return path


@pytest.fixture(scope="module")
def endpoint_url(served_store, tmp_path_factory):
    """Start `kg serve --port 0` and yield its SPARQL URL; stop it (and its workers) afterwards."""
    with kg_serve(served_store, tmp_path_factory.mktemp("serve-log"), "--timeout", str(TIMEOUT),
                  "--max-results", str(MAX_RESULTS), "--workers", "2",
                  "--max-result-mb", str(MAX_RESULT_BYTES / 1e6)) as url:
        yield url


@contextlib.contextmanager
def kg_serve(store: Path, log_dir: Path, *options: str):
    """A real `kg serve --port 0 OPTIONS...` process over `store`: yields its SPARQL URL, stops it after."""
    log = log_dir / "stderr.txt"
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from kg.cli import main; main()", "serve", "--store", str(store),
             "--port", "0", *options], stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.monotonic() + 30
        while not (m := re.search(r"at (http://\S+/sparql)", log.read_text())):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"kg serve did not start: {log.read_text()}")
            time.sleep(0.05)
        yield m.group(1)
    finally:
        stop(proc)


def curl(*args: str) -> tuple[dict[str, str], str]:
    """Run curl, return (response headers with lower-case names, body)."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    out = subprocess.run(["curl", "-sS", "-D", "-", "--max-time", "30", *args],
                         capture_output=True, check=True).stdout.decode("utf-8")
    head, _, body = out.partition("\r\n\r\n")
    lines = head.split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
    headers[":status"] = lines[0].split()[1]
    return headers, body


def test_startup_line_names_loopback(endpoint_url):
    assert endpoint_url.startswith("http://127.0.0.1:")


def test_curl_json_csv_xml(endpoint_url):
    n_reports = N_REPORTS
    h, body = curl("--get", "--data-urlencode", f"query={COUNT_REPORTS}", endpoint_url)
    assert h[":status"] == "200" and h["content-type"] == "application/sparql-results+json"
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == n_reports

    h, body = curl("-H", "Accept: text/csv", "--data-urlencode", f"query={COUNT_REPORTS}", endpoint_url)
    assert h["content-type"] == "text/csv"
    assert list(csv.reader(io.StringIO(body))) == [["n"], [str(n_reports)]]

    h, body = curl("-H", "Accept: application/sparql-results+xml", "-H", "Content-Type: application/sparql-query",
                   "--data-binary", COUNT_REPORTS, endpoint_url)
    assert h["content-type"] == "application/sparql-results+xml"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert ET.fromstring(body).find(".//r:binding[@name='n']/r:literal", ns).text == str(n_reports)


def test_curl_construct_as_turtle(endpoint_url):
    q = f"CONSTRUCT WHERE {{ <{EX}s1> ?p ?o }}"
    h, body = curl("-H", "Accept: text/turtle", "--data-urlencode", f"query={q}", endpoint_url)
    assert h["content-type"] == "text/turtle"
    triples = list(ox.parse(body.encode(), format=ox.RdfFormat.TURTLE))
    expected = (ox.NamedNode(EX + "s1"), ox.NamedNode(EX + "p"), ox.Literal(1))
    assert [(q.subject, q.predicate, q.object) for q in triples] == [expected]


def test_rdflib_sparqlstore(endpoint_url):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(endpoint_url, returnFormat="json")
    rows = list(store.query(COUNT_REPORTS))
    assert int(rows[0][0]) == N_REPORTS
    assert store.query(f"ASK {{ GRAPH <{BIG_GRAPH}> {{ <{EX}s1> ?p 1 }} }}").askAnswer is True
    store.close()


def test_curl_updates_refused_and_store_unchanged(endpoint_url):
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BIG_GRAPH}> {{ ?s ?p ?o }} }}"
    for args in (["--data-urlencode", f"update=DROP GRAPH <{BIG_GRAPH}>"],
                 ["-H", "Content-Type: application/sparql-update", "--data-binary", "DROP ALL"],
                 ["-X", "PUT", "-H", "Content-Type: text/turtle", "--data-binary", "<a:a> <a:b> <a:c> ."]):
        h, body = curl(*args, endpoint_url)
        assert h[":status"] in ("403", "405") and "read-only" in body
    _, body = curl("-H", "Accept: text/csv", "--data-urlencode", f"query={count}", endpoint_url)
    assert body.splitlines()[1] == str(BIG)


def test_result_cap(endpoint_url):
    h, body = curl("-H", "Accept: text/csv", "--data-urlencode",
                   f"query=SELECT ?s WHERE {{ GRAPH <{BIG_GRAPH}> {{ ?s ?p ?o }} }}", endpoint_url)
    assert h[":status"] == "200"
    assert h["x-result-truncated"] == "true" and h["x-result-limit"] == str(MAX_RESULTS)
    assert len(body.splitlines()) == 1 + MAX_RESULTS


def test_timeout_stops_the_query_and_the_server_goes_on(endpoint_url):
    started = time.monotonic()
    h, body = curl("--data-urlencode", f"query={CROSS_JOIN}", endpoint_url)
    elapsed = time.monotonic() - started
    assert h[":status"] == "503" and "timed out" in body
    assert elapsed < TIMEOUT + 5
    # the killed worker is replaced: the next queries are answered
    for _ in range(3):
        h, body = curl("--data-urlencode", "query=ASK { ?s ?p ?o }", endpoint_url)
        assert h[":status"] == "200" and json.loads(body)["boolean"] is True


def test_help_page_over_http(endpoint_url):
    h, body = curl(endpoint_url)
    assert h[":status"] == "200" and h["content-type"].startswith("text/html") and "SPARQL" in body


def test_a_build_can_write_while_serving_and_answers_follow(tmp_path):
    """The store is opened read-only (no lock): a writer gets in, and workers reopen after it."""
    path = tmp_path / "store"
    writer = ox.Store(str(path))
    writer.add(ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal(1), ox.NamedNode(EX + "g")))
    writer.flush()
    runner = serve.QueryRunner(path, timeout=10, workers=1)
    try:
        count = QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "text/csv")
        assert runner.run(count).body.decode().splitlines()[1] == "1"
        writer.add(ox.Quad(ox.NamedNode(EX + "b"), ox.NamedNode(EX + "p"), ox.Literal(2), ox.NamedNode(EX + "g")))
        writer.flush()
        assert runner.run(count).body.decode().splitlines()[1] == "2"
    finally:
        runner.close()
        del writer


# ---------------------------------------------------------------- hostile queries and clients (issue 19)

def _post(url: str, query: str, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """POST a query; (status, headers with lower-case names, body), whatever the status."""
    req = urllib.request.Request(url, data=query.encode("utf-8"), method="POST",
                                 headers={"Content-Type": "application/sparql-query"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


@pytest.fixture()
def listener():
    """A TCP listener on 127.0.0.1 that counts the connections made to it (the SERVICE target)."""
    sock = socket.create_server(("127.0.0.1", 0), backlog=64)
    sock.settimeout(0.2)
    seen: list[bytes] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                conn, _ = sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    seen.append(conn.recv(4096) or b"(nothing)")
                except OSError:
                    seen.append(b"(nothing)")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", seen
    done.set()
    thread.join(5)
    sock.close()


def test_no_query_makes_the_server_connect_out(endpoint_url, listener):
    """Every SERVICE / LOAD form is refused with a one-line reason and nothing connects to the target
    (the local-name escape `ex:a\\#b` got the old server to POST to it)."""
    target, seen = listener
    for form in SERVICE_FORMS:
        status, _, body = _post(endpoint_url, form.replace("{url}", target))
        assert status in (400, 403), (form, status, body)
        assert body.decode().count("\n") == 1, body
    time.sleep(0.3)
    assert seen == []


def test_a_hostile_query_does_not_hold_up_others(served_store, tmp_path):
    """Hostile clients: the worst screening inputs, sent over and over (999 kB of '-' and of '.', under the
    1 MB body limit: the old screening held every request for over 90 s on it; and 20 kB of '-', which
    reaches a worker's parser), and the slowest query screening lets in (about 11 s of parsing), which
    holds one worker. A plain ASK {} on another connection is answered all the same, while the hostile
    ones are still going (the issue asks for under a second: benchmarks/serve_hostile.py measures it
    against a quiet server; an order, unlike a time, holds on a loaded machine)."""
    worst = ["ASK { " + "-" * 999_000 + " }", "ASK { ?s ?p ?o " + "." * 999_000 + " }",
             "ASK { " + "-" * (serve.MAX_QUERY_CHARS - 20) + " }"]
    slow = "ASK { FILTER(" + "+".join(["1"] * (serve.MAX_QUERY_CHARS // 2 - 20)) + ") }"
    assert len(slow) <= serve.MAX_QUERY_CHARS
    with kg_serve(served_store, tmp_path, "--timeout", "60", "--workers", "2") as url:
        stop_sending = threading.Event()
        refused: list[int] = []
        slow_result: list = []

        def keep_sending(query: str) -> None:
            while not stop_sending.is_set():
                refused.append(_post(url, query, timeout=60)[0])

        hostile = [threading.Thread(target=lambda: slow_result.append(_post(url, slow, timeout=120)))]
        hostile += [threading.Thread(target=keep_sending, args=(q,)) for q in worst]
        for t in hostile:
            t.start()
        while len(refused) < 6:  # every kind of refusal is under way
            time.sleep(0.05)
        status, _, body = _post(url, "ASK {}")
        still_parsing = hostile[0].is_alive()
        stop_sending.set()
        for t in hostile:
            t.join(120)
    assert status == 200 and json.loads(body)["boolean"] is True
    assert still_parsing, "the slow query finished before ASK {} was answered"
    assert set(refused) <= {400, 413} and 413 in refused and 400 in refused, refused
    assert slow_result and slow_result[0][0] in (200, 503)


def test_deep_nesting_is_refused_without_losing_a_worker(endpoint_url):
    """5,000-deep nesting crashed Oxigraph's parser (the worker died); it is refused by screening,
    before Oxigraph sees it."""
    for deep in ("SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000,
                 "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"):
        status, _, body = _post(endpoint_url, deep)
        assert status == 400 and b"nests too deeply" in body
    status, _, body = _post(endpoint_url, "ASK { ?s ?p ?o }")
    assert status == 200


def test_result_bytes_are_capped_beside_rows(endpoint_url):
    """One GROUP_CONCAT row of hundreds of kB passed the row cap; the byte cap cuts it off."""
    q = (f"SELECT (GROUP_CONCAT(STR(?x)) AS ?all) WHERE {{ GRAPH <{BIG_GRAPH}> {{ ?a ?p ?x . ?b ?p ?y }} }}")
    status, headers, body = _post(endpoint_url, q)
    assert status == 200
    assert headers.get("x-result-truncated") == "true"
    assert headers.get(serve.BYTE_LIMIT_HEADER.lower()) == str(MAX_RESULT_BYTES)
    assert len(body) < MAX_RESULT_BYTES


def test_a_burst_of_connections_is_not_reset(endpoint_url):
    """200 clients at once (the listen backlog was 5: 51 of them were reset)."""
    outcomes: list = []

    def one() -> None:
        try:
            outcomes.append(_post(endpoint_url, "ASK {}", timeout=30)[0])
        except OSError as e:
            outcomes.append(repr(e))

    threads = [threading.Thread(target=one) for _ in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(outcomes) == 200
    assert [o for o in outcomes if not isinstance(o, int)] == []
    assert set(outcomes) <= {200, 503} and outcomes.count(200) > 100


def test_idle_connections_are_closed(served_store):
    """A client that opens a connection and sends half a request line is disconnected."""
    server = serve.open_server(served_store, port=0, workers=1, idle_timeout=0.5)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with socket.create_connection(server.server_address[:2], timeout=5) as sock:
            sock.sendall(b"GET /sparql?query=ASK")
            started = time.monotonic()
            assert sock.recv(1024) == b""  # closed by the server, not by our 5 s timeout
            assert time.monotonic() - started < 4
    finally:
        server.shutdown()
        serve.close_server(server)
        thread.join(5)


def test_a_client_dribbling_its_headers_is_cut_off(served_store):
    """Slowloris by headers: a byte every 0.4 s is never silent for the 3 s idle timeout, and held its
    connection (and thread) as long as it went on. A request's line and headers now have 1.5 s from its
    first byte: the server hangs up while the client is still sending, and a plain ASK {} is answered
    meanwhile by the one worker."""
    server = serve.open_server(served_store, port=0, workers=1, idle_timeout=3, header_timeout=1.5)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    header = b"X-Slow: " + b"a" * 60  # 25 s of dribbling at most
    outcomes: list = []

    def dribble() -> None:
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
            sent = 0
            try:
                for byte in header:
                    sock.sendall(bytes([byte]))
                    sent += 1
                    time.sleep(0.4)
                sock.sendall(b"\r\n\r\n")
                outcomes.append(("finished", sent, sock.recv(1024)))
            except OSError:
                outcomes.append(("cut off", sent, b""))

    try:
        dribblers = [threading.Thread(target=dribble) for _ in range(3)]
        for t in dribblers:
            t.start()
        time.sleep(0.5)
        status, _, body = _post(server.url, "ASK {}")
        assert status == 200 and json.loads(body)["boolean"] is True
        assert all(t.is_alive() for t in dribblers)  # answered while all three were still dribbling
        for t in dribblers:
            t.join(60)
        assert [o[0] for o in outcomes] == ["cut off"] * 3, outcomes
        assert all(o[1] < len(header) for o in outcomes)
    finally:
        server.shutdown()
        serve.close_server(server)
        thread.join(5)


def test_a_query_that_grows_without_end_is_stopped_by_the_memory_cap(tmp_path):
    """A worker's address space is capped: a query that keeps allocating fails alone (500), well
    before its timeout, and the next query is answered by a fresh worker."""
    path = tmp_path / "store"
    store = GraphStore(path)
    store.store.extend(_big_quads())
    store.flush()
    del store
    runner = serve.QueryRunner(path, timeout=20, workers=1, max_memory_mb=64)
    try:
        hog = QueryJob(f"SELECT (GROUP_CONCAT(CONCAT(STR(?a), STR(?b), STR(?c))) AS ?x) WHERE {{ GRAPH <{BIG_GRAPH}> "
                       "{ ?a ?p ?x1 . ?b ?p ?x2 . ?c ?p ?x3 } }")
        started = time.monotonic()
        response = runner.run(hog)
        assert response.status in (500, 503) and b"memory" in response.body, response.body
        assert time.monotonic() - started < 15
        assert runner.run(QueryJob("ASK { ?s ?p ?o }")).status == 200
    finally:
        runner.close()


def _mark_half_written(store: GraphStore, graph: str) -> None:
    """What `GraphStore._load_reports` leaves while a batch is being bulk-loaded: its intent record."""
    store.store.update(f"INSERT DATA {{ GRAPH <{GRAPH_CATALOG}> {{ <{PENDING}> <{KG.pendingGraph}> <{graph}> }} }}")
    store.flush()


def test_a_half_written_store_is_not_served(tmp_path):
    """Workers open the store through GraphStore: on a store with a batch half-written, serve goes on
    answering from the last whole snapshot, and sees the batch once it is complete (issue 18, bug 3)."""
    path = tmp_path / "store"
    writer = GraphStore(path)
    writer.store.add(ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal(1), ox.NamedNode(EX + "g")))
    writer.flush()
    count = QueryJob(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{EX}g> {{ ?s ?p ?o }} }}", "text/csv")
    runner = serve.QueryRunner(path, timeout=10, workers=1)
    try:
        assert runner.run(count).body.decode().splitlines()[1] == "1"
        _mark_half_written(writer, EX + "g")
        writer.store.add(ox.Quad(ox.NamedNode(EX + "b"), ox.NamedNode(EX + "p"), ox.Literal(2), ox.NamedNode(EX + "g")))
        writer.flush()
        assert runner.run(count).body.decode().splitlines()[1] == "1"  # not the half-written batch
        writer.store.update(f"DELETE WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ <{PENDING}> ?p ?o }} }}")
        writer.flush()
        assert runner.run(count).body.decode().splitlines()[1] == "2"
    finally:
        runner.close()
    # and a server is not started on a store that is half-written
    _mark_half_written(writer, EX + "g")
    with pytest.raises(ServeError, match="half-written"):
        serve.QueryRunner(path, timeout=10, workers=1)
    del writer
