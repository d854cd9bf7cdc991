"""Push the local graph into an existing SPARQL 1.1 store through the Graph Store HTTP Protocol.

Every named graph of the local store (one per report, plus reference, catalog and derived) is
sent with an HTTP PUT, which replaces that graph on the target. A graph is only sent when its
content changed since the last push.

"Changed" is decided by a content hash (sha256 of the graph's sorted N-Triples, blank nodes
labelled by W3C RDF Canonicalization, RDFC-1.0) and triple count, recorded *in the target* in
the graph `id:graph/push-state` as `<graph> kg:contentHash "..."; kg:tripleCount n`. The state
lives beside the data rather than on the pushing machine because the target is what it
describes: a push from another clone, a wiped target or a graph dropped by hand are all seen
correctly. The hash is checked against the target's actual triple count as well, so a graph
emptied or edited on the target behind kg's back is pushed again.

Graphs that an earlier push recorded but that are gone from the local store (a report removed
from the build) are deleted from the target unless `prune=False`. Graphs kg never pushed are
never touched.

For large stores (millions of triples, or a first load), a bulk loader is faster than HTTP: see
docs/push.md (`kg export` to N-Quads, then e.g. `oxigraph load --location DIR --file all.nq`).
"""
from __future__ import annotations

import hashlib
import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import KgError, PushError
from .namespaces import ID, KG, XSD

GRAPH_PUSH_STATE = str(ID["graph/push-state"])
CONTENT_HASH = str(KG["contentHash"])
TRIPLE_COUNT = str(KG["tripleCount"])
XSD_INTEGER = str(XSD.integer)
PUT_TYPE = "text/turtle; charset=utf-8"  # the body is N-Triples, which every Turtle parser reads


@dataclass(frozen=True, slots=True)
class GraphDigest:
    """One local graph ready to send: its N-Triples body, hash and size."""

    graph: str
    sha256: str
    triples: int
    body: bytes


@dataclass(frozen=True, slots=True)
class PushSummary:
    """What a push did, graph IRIs sorted."""

    replaced: tuple[str, ...]
    unchanged: tuple[str, ...]
    deleted: tuple[str, ...]
    triples_sent: int

    @property
    def puts(self) -> int:
        """Graph PUTs sent for data graphs (the push-state graph is not counted)."""
        return len(self.replaced)


def digest(graph: str, triples: Iterable[ox.Triple]) -> GraphDigest:
    """Hash a graph independently of triple order and blank-node labels."""
    quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    if any(isinstance(term, ox.BlankNode) for q in quads for term in (q.subject, q.object)):
        dataset = ox.Dataset(quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        quads = list(dataset)
    lines = sorted({f"{q.subject} {q.predicate} {q.object} .\n" for q in quads})
    body = "".join(lines).encode("utf-8")
    return GraphDigest(graph, hashlib.sha256(body).hexdigest(), len(lines), body)


class GraphStoreClient:
    """The few HTTP calls push needs: a SPARQL SELECT, and GSP PUT / DELETE of a named graph."""

    def __init__(self, endpoint: str, graph_store: str | None = None, *, user: str | None = None,
                 password: str | None = None, timeout: float = 60.0):
        for url in (endpoint, graph_store):
            if url is not None:
                _check_url(url)
        self.endpoint = endpoint
        self.graph_store = graph_store or endpoint
        self.timeout = timeout
        handlers = []
        if user is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in {self.endpoint, self.graph_store}:
                passwords.add_password(None, url, user, password or "")
            handlers = [urllib.request.HTTPBasicAuthHandler(passwords),
                        urllib.request.HTTPDigestAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    def _call(self, method: str, url: str, body: bytes | None = None, content_type: str | None = None,
              accept: str | None = None, ok_missing: bool = False) -> bytes:
        request = urllib.request.Request(url, data=body, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        if accept:
            request.add_header("Accept", accept)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as e:
            if ok_missing and e.code == 404:
                return b""
            detail = " ".join(e.read(300).decode("utf-8", "replace").split())
            raise PushError(f"{method} {url} failed: HTTP {e.code} {e.reason}" + (f": {detail}" if detail else ""),
                            hint="check --user/--password" if e.code in (401, 403) else None) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
            reason = " ".join(str(getattr(e, "reason", e) or type(e).__name__).split())
            raise PushError(f"{method} {url} failed: {reason}", hint="is the store running?") from None

    def graph_url(self, graph: str) -> str:
        sep = "&" if "?" in self.graph_store else "?"
        return f"{self.graph_store}{sep}{urllib.parse.urlencode({'graph': graph})}"

    def select(self, query: str) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]:
        data = urllib.parse.urlencode({"query": query}).encode("ascii")
        raw = self._call("POST", self.endpoint, data, "application/x-www-form-urlencoded",
                         "application/sparql-results+json")
        try:
            results = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
            names = [v.value for v in results.variables]
            return [{n: row[n] for n in names} for row in results]
        except (SyntaxError, ValueError) as e:
            raise PushError(f"{self.endpoint} did not return SPARQL JSON results: {e}") from None

    def put(self, graph: str, body: bytes) -> None:
        try:
            self._call("PUT", self.graph_url(graph), body, PUT_TYPE)
        except PushError as e:
            raise _naming(e, f"sending graph <{graph}>") from None

    def delete(self, graph: str) -> None:
        try:
            self._call("DELETE", self.graph_url(graph), ok_missing=True)
        except PushError as e:
            raise _naming(e, f"deleting graph <{graph}>") from None


def _naming(e: PushError, what: str) -> PushError:
    """The error of one graph's request, saying which graph it was (the URL only holds it encoded)."""
    return PushError(f"{what} failed: {e.message}", source=e.source, hint=e.hint)


def _check_url(url: str) -> None:
    """An http(s) URL with a host and a numeric port, else a one-line PushError (urllib would raise
    ValueError or http.client.InvalidURL deep inside a request, as a traceback)."""
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise PushError(f"not a valid URL (it holds a space or control character): {url!r}")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number in range
    except ValueError as e:
        raise PushError(f"not a valid URL: {url!r} ({e})") from None
    if parts.scheme not in ("http", "https"):
        raise PushError(f"not an http(s) URL: {url}")
    if not parts.hostname:
        raise PushError(f"not a valid URL (no host): {url!r}")


_STATE_QUERY = f"""SELECT ?g ?hash ?count ?actual WHERE {{
  GRAPH <{GRAPH_PUSH_STATE}> {{ ?g <{CONTENT_HASH}> ?hash . OPTIONAL {{ ?g <{TRIPLE_COUNT}> ?count }} }}
  OPTIONAL {{ {{ SELECT ?g (COUNT(*) AS ?actual) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g }} }}
}}"""


@dataclass(frozen=True, slots=True)
class RemoteGraph:
    """What the target says about a graph an earlier push sent."""

    sha256: str  # as recorded by that push
    triples: int  # as recorded by that push
    actual: int  # triples the target holds now


def remote_state(client: GraphStoreClient) -> dict[str, RemoteGraph]:
    """Graphs recorded in the target's push-state graph, by IRI."""
    state = {}
    for row in client.select(_STATE_QUERY):
        g, h, n, actual = row["g"], row["hash"], row["count"], row["actual"]
        if isinstance(g, ox.NamedNode) and isinstance(h, ox.Literal):
            state[g.value] = RemoteGraph(h.value, _int(n), _int(actual))
    return state


def _int(term) -> int:
    try:
        return int(term.value) if term is not None else 0
    except ValueError:
        return -1


def _state_body(state: dict[str, tuple[str, int]]) -> bytes:
    lines = []
    for graph, (sha, count) in sorted(state.items()):
        lines.append(f'<{graph}> <{CONTENT_HASH}> "{sha}" .\n')
        lines.append(f'<{graph}> <{TRIPLE_COUNT}> "{count}"^^<{XSD_INTEGER}> .\n')
    return "".join(lines).encode("utf-8")


def push(store: str | Path, endpoint: str, graph_store: str | None = None, *, user: str | None = None,
         password: str | None = None, prune: bool = True, timeout: float = 60.0, record_only: bool = False,
         progress: Callable[[str, str], None] | None = None) -> PushSummary:
    """Send every changed named graph of the local store to the target; return what was done.

    `record_only=True` sends no graph, only records the local hashes as pushed: for a target
    just filled by a bulk load of `kg export --format nquads` (graphs whose triple count on
    the target differs are still sent next time). `progress(action, graph)` is called before
    each PUT/DELETE (action "put" or "delete").
    """
    from .store import GraphStore  # opens the store read-only with the project's checks

    try:
        local = GraphStore(store, read_only=True)
    except KgError as e:
        raise PushError(e.message, source=e.source, hint=e.hint) from None
    client = GraphStoreClient(endpoint, graph_store, user=user, password=password, timeout=timeout)
    previous = remote_state(client)
    graphs = [g for g in local.graph_names() if g != GRAPH_PUSH_STATE]

    recorded = {g: (r.sha256, r.triples) for g, r in previous.items()}
    state = dict(recorded)
    replaced, unchanged, deleted, sent = [], [], [], 0
    try:
        for graph in graphs:
            d = digest(graph, local.graph_triples(graph))
            old = previous.get(graph)
            if old is not None and old.sha256 == d.sha256 and old.actual == d.triples:
                unchanged.append(graph)
                continue
            if not record_only:
                if progress:
                    progress("put", graph)
                client.put(graph, d.body)
                replaced.append(graph)
                sent += d.triples
            state[graph] = (d.sha256, d.triples)
        if prune and not record_only:
            for graph in sorted(set(previous) - set(graphs)):
                if progress:
                    progress("delete", graph)
                client.delete(graph)
                state.pop(graph, None)
                deleted.append(graph)
    except BaseException:
        # Record what did land, so the next push resumes there; if the target is gone, the error that
        # stopped the push (naming its graph) is the one to report, not this bookkeeping write's.
        if state != recorded:
            try:
                client.put(GRAPH_PUSH_STATE, _state_body(state))
            except PushError:
                pass
        raise
    if state != recorded:
        client.put(GRAPH_PUSH_STATE, _state_body(state))
    return PushSummary(tuple(replaced), tuple(unchanged), tuple(deleted), sent)


__all__ = [
    "GRAPH_PUSH_STATE",
    "GraphDigest",
    "GraphStoreClient",
    "PushSummary",
    "RemoteGraph",
    "digest",
    "push",
    "remote_state",
]
