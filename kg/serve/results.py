"""Evaluation of one query inside a worker: screen it, run it on a GraphStore, render it for the
client's Accept header, with row and byte caps. Pure: no sockets, no processes.
"""
from __future__ import annotations

import json

from ..namespaces import PREFIXES, XSD
from .base import (BYTE_LIMIT_HEADER, DEFAULT_MAX_BYTES, DEFAULT_MAX_RESULTS, GRAPH_OFFERS, LIMIT_HEADER,
                   RESULT_OFFERS, TRUNCATED_HEADER, QueryJob, Response, error)
from .screening import QueryRefused, screen

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
        elif term.datatype.value != str(XSD.string):
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

