"""The web view of `kg serve`: a real server on 127.0.0.1 over the store built from samples/reports,
read over HTTP as a browser would, and in a real headless browser (Debian's chromium) when installed.

What a user relies on: the pages load; every link on them resolves; report links go to the page of
the report that holds the quote; nothing is loaded from elsewhere; the report route serves only
files of the catalog; SPARQL typed into the form is screened as the endpoint screens it.
"""
from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

import pytest

from ._process import stop

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def web(sample_store, tmp_path_factory):
    """`kg serve --port 0` over the sample store: yields (host, port); stopped afterwards."""
    store, _ = sample_store
    log = tmp_path_factory.mktemp("web-log") / "stderr.txt"
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-c", "from kg.cli import main; main()", "serve", "--store",
                                 str(store), "--port", "0", "--workers", "2", "--timeout", "20", "-q"],
                                stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.monotonic() + 60
        while not (m := re.search(r"web view at http://([\d.]+):(\d+)/", log.read_text())):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"kg serve did not start: {log.read_text()}")
            time.sleep(0.05)
        yield m.group(1), int(m.group(2))
    finally:
        stop(proc)


def get(web, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One request with the path sent exactly as given (no client-side normalisation of '..')."""
    conn = http.client.HTTPConnection(*web, timeout=90)
    try:
        conn.request(method, path)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("href", "src", "action") and value is not None:
                self.links.append(value)


def links_of(body: bytes) -> tuple[list[str], set[str]]:
    p = _Links()
    p.feed(body.decode("utf-8"))
    return p.links, p.tags


def page(web, path: str) -> str:
    status, headers, body = get(web, path)
    assert status == 200, (path, body[:300])
    assert headers["content-type"].startswith("text/html")
    return body.decode("utf-8")


def test_home_lists_councils_by_region_with_latest_grades(web):
    html = page(web, "/")
    assert "Councils by region" in html
    for region, council in (("Yorkshire and the Humber", "Doncaster"), ("North East", "Darlington"),
                            ("South East", "Kent"), ("Yorkshire and the Humber", "Barnsley")):
        section = re.search(rf"<h2>{region}</h2>(.*?)</section>", html, re.S)
        assert section and f">{council}</a>" in section.group(1), (region, council)
    # Doncaster's latest graded inspection is the ILACS of January 2025, judged good overall
    row = re.search(r'href="/council/E08000017">Doncaster</a>.*?</tr>', html, re.S).group(0)
    assert 'grade g2">Good<' in row and "ILACS inspection, 2025-01-20" in row


def test_council_page_shows_timeline_grades_recommendations_recurrence_and_changes(web):
    html = page(web, "/council/Doncaster")
    for start in ("2009-01-12", "2011-03-21", "2015-09-14", "2017-11-09", "2022-02-14", "2024-06-26", "2025-01-20"):
        assert start in html  # every inspection on the timeline
    assert 'grade g4">Inadequate<' in html and "Requires improvement to be good" in html
    # a recommendation with its deadline group and due date (2011: last day 2011-04-01 + 3 months)
    assert "Within three months" in html and "due 2011-07-01" in html
    assert re.search(r"<h2 id=\"recurring\">.*Case recording: raised at \d+ inspections", html, re.S)
    changes = html.split('id="changes"', 1)[1]
    assert "ILACS inspection</b> of 2025-01-20" in changes
    assert re.search(r"<h3>Raised again \(\d+\)</h3>", changes) and "<h3>New (" in changes
    # the same page by GSS code and by a printed name
    assert page(web, "/council/E08000017").count("doncaster_2025-03-18.pdf") == html.count("doncaster_2025-03-18.pdf")
    assert "<h1>Doncaster</h1>" in page(web, "/council/Doncaster%20Metropolitan%20Borough%20Council")


def test_unknown_council_is_a_404_page_saying_so(web):
    status, headers, body = get(web, "/council/Narnia")
    assert status == 404 and headers["content-type"].startswith("text/html")
    assert b"Narnia" in body


def _crawl(web, starts: list[str]) -> dict[str, int]:
    """Every link reachable from the start pages through the pages of the view: path -> status."""
    seen: dict[str, int] = {}
    todo = list(starts)
    while todo:
        link = todo.pop()
        url = urlsplit(link)
        assert not url.scheme and not url.netloc, f"a link leaves the server: {link}"
        path = url.path + (f"?{url.query}" if url.query else "")
        if path in seen:
            continue
        status, headers, body = get(web, path)
        seen[path] = status
        if status == 200 and headers["content-type"].startswith("text/html") and not path.startswith("/report/"):
            found, tags = links_of(body)
            assert "script" not in tags and "iframe" not in tags and "img" not in tags
            todo += [f for f in found if not f.startswith("#")]
    return seen


def test_every_link_on_the_pages_resolves(web):
    seen = _crawl(web, ["/", "/query", "/query?" + urlencode({"name": "council-timeline", "council": "Kent"})])
    assert {p: s for p, s in seen.items() if s != 200} == {}
    councils = {p for p in seen if p.startswith("/council/")}
    reports = {p for p in seen if p.startswith("/report/")}
    assert len(councils) == 4 and len(reports) == 13  # the sample councils; every sample report is linked


def test_pages_load_nothing_from_elsewhere(web):
    for path in ("/", "/council/Doncaster", "/query"):
        status, headers, body = get(web, path)
        assert "default-src 'none'" in headers["content-security-policy"]
        assert not re.search(rb"""(?:src|href|action)=["']?(?:https?:)?//""", body)
        assert b"<script" not in body and b"@import" not in body


def _quote_links(html: str) -> list[tuple[str, int, str]]:
    """(report path, page, quote) of each recommendation of a council page."""
    out = []
    for m in re.finditer(r'<blockquote>([^<]*)</blockquote><div class="meta">(?:(?!</div>).)*?'
                         r'<a href="(/report/[^"#]+)#page=(\d+)"', html, re.S):
        out.append((m.group(2), int(m.group(3)), m.group(1)))
    return out


def test_report_links_go_to_the_page_that_holds_the_quote(web):
    import html as htmllib

    import pypdfium2 as pdfium

    links = [q for q in _quote_links(page(web, "/council/Doncaster")) if q[0].endswith(".pdf")]
    assert len(links) > 20
    assert any(n > 1 for _, n, _ in links)  # not every quote on page 1
    docs: dict[str, list[str]] = {}
    for path, n, quote in links[:40]:
        status, headers, body = get(web, path)
        assert status == 200 and headers["content-type"] == "application/pdf" and body.startswith(b"%PDF")
        if path not in docs:
            pdf = pdfium.PdfDocument(body)
            docs[path] = [" ".join(re.findall(r"\w+", pdf[i].get_textpage().get_text_range())) for i in range(len(pdf))]
        words = " ".join(re.findall(r"\w+", htmllib.unescape(quote))[:6])  # the graph's text is normalised (’ is ')
        assert words in docs[path][n - 1], (path, n, words)


def test_report_links_refuse_traversal_and_files_not_in_the_catalog(web, sample_store):
    html = page(web, "/council/Kent")
    good = re.search(r'href="(/report/([0-9a-f]{16})/([^"#]+))', html)
    ident, name = good.group(2), good.group(3)
    status, headers, body = get(web, good.group(1))
    assert status == 200 and body.startswith(b"%PDF")
    store, _ = sample_store
    for path in (f"/report/{ident}/../../../../etc/passwd", "/report/../../../../etc/passwd",
                 f"/report/{ident}/..%2f..%2f..%2f..%2fetc%2fpasswd", "/report/%2e%2e/%2e%2e%2fetc%2fpasswd",
                 f"/report/{ident}/passwd", f"/report/{ident}/{name}/..", f"/report/{ident}",
                 "/report/0000000000000000/" + name, f"/report/{ident.upper()}/{name}",
                 f"/report/{ident}/%2fetc%2fpasswd", "/report//etc/passwd",
                 f"/report/{ident}/" + unquote(str(store / "CURRENT")).replace("/", "%2f")):
        status, _, body = get(web, path)
        assert status == 404, path
        assert b"root:" not in body and b"%PDF" not in body


def test_pages_are_read_only(web):
    for path in ("/", "/council/Doncaster", "/query", "/report/0000000000000000/x.pdf"):
        for method in ("POST", "PUT", "DELETE"):
            status, _, _ = get(web, path, method)
            assert status in (405, 415, 400), (method, path, status)  # POST / is the SPARQL Protocol's


def test_query_form_runs_named_queries_and_screens_sparql(web):
    html = page(web, "/query")
    assert html.count('<form method="get" action="/query">') >= 11  # free SPARQL + one per named query
    assert 'name="name" value="council-recommendations"' in html and 'name="council"' in html
    html = page(web, "/query?" + urlencode({"name": "council-timeline", "council": "Kent"}))
    assert "<table class=\"results\">" in html and "Overall effectiveness" in html and "kent_2013-08-23.pdf" in html
    html = page(web, "/query?" + urlencode({"query": "SELECT ?n WHERE { ?c a kg:LocalAuthority ; skos:notation ?n "
                                                        "FILTER(STR(?n) = 'E08000017') }"}))
    assert "<td>E08000017</td>" in html and "1 row(s)" in html
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = page(web, "/query?" + urlencode({"query": count}))
    for refused in ("INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }", "DROP ALL",
                    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"):
        status, _, body = get(web, "/query?" + urlencode({"query": refused}))
        assert status in (400, 403) and b'class="error"' in body, refused
    assert page(web, "/query?" + urlencode({"query": count})).split("<table")[1] == before.split("<table")[1]


def test_sparql_endpoint_still_answers_beside_the_pages(web):
    status, headers, body = get(web, "/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"}))
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+json")
    status, headers, body = get(web, "/sparql")
    assert status == 200 and b"SPARQL" in body


# ---------------------------------------------------------------- a real browser

def chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,900", *args],
        capture_output=True, timeout=120)


PAGES = {"home": ("/", ["Councils by region", "Doncaster", "Yorkshire and the Humber"]),
         "council": ("/council/Doncaster", ["Timeline", "Recurring issues", "Changes between the last two inspections",
                                            "doncaster_2025-03-18.pdf p."]),
         "query": ("/query?" + urlencode({"name": "council-timeline", "council": "Kent"}),
                   ["Results of council-timeline", "Overall effectiveness"])}


@pytest.mark.skipif(not Path(CHROMIUM).exists(),
                    reason=f"{CHROMIUM} is not installed (Debian: apt-get install -y chromium; .ci/run does it)")
@pytest.mark.parametrize("kind", sorted(PAGES))
def test_pages_in_a_headless_browser(web, tmp_path, kind):
    """Each page as chromium renders it: its DOM holds the content, and it draws. (The pages' CSP of
    default-src 'none' forbids scripts, so this is the page without JavaScript; chromium's --dump-dom
    and --screenshot themselves need scripting on, so it is not turned off here.)"""
    path, expected = PAGES[kind]
    url = f"http://{web[0]}:{web[1]}{path}"
    dom = chromium(["--dump-dom", url], tmp_path)
    text = dom.stdout.decode("utf-8", "replace")
    assert dom.returncode == 0 and "<main>" in text, dom.stderr[-2000:]
    for words in expected:
        assert words in text, words
    png = tmp_path / f"{kind}.png"
    shot = chromium([f"--screenshot={png}", url], tmp_path)
    assert shot.returncode == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot.stderr[-2000:]
    from PIL import Image

    with Image.open(png) as im:
        assert im.size == (1200, 900)
        colours = im.convert("RGB").getcolors(1 << 20)
        assert colours is None or len(colours) > 50  # something was drawn, not a blank page
    if os.environ.get("KG_WEB_SCREENSHOTS"):  # `KG_WEB_SCREENSHOTS=docs/img pytest ...` refreshes the README's
        shutil.copy(png, Path(os.environ["KG_WEB_SCREENSHOTS"]) / f"web-{kind}.png")


def test_file_names_in_links_are_escaped():
    """A report's file name is text from the disk: it is shown, never run as markup."""
    from kg.web import source_link
    from kg.web.views import Source

    for page_no in (None, 3):
        html = source_link(Source("<script>alert(1)</script>.pdf", "/report/0123456789abcdef/x.pdf", page_no))
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;.pdf" in html
