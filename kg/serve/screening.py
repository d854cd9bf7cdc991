"""Query screening: what a query may do, decided from a parse by a real SPARQL grammar (rdflib's).

Refused: updates (LOAD included), SERVICE anywhere, queries too long or too deeply nested to parse
safely, and anything the grammar cannot read (fail closed). Oxigraph's LATERAL is read as a group. Pure: no sockets, no processes.
"""
from __future__ import annotations

import re

from .base import MAX_QUERY_CHARS


class QueryRefused(Exception):
    """A query this endpoint will not run: an HTTP status and a one-line reason."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


# SPARQL 1.1 section 19.2: \uXXXX and \UXXXXXXXX are undone before parsing, everywhere in the query; but
# not after a backslash that is itself escaped (`"\\u0041"` is a backslash and `u0041`, as Oxigraph reads it).
_CODEPOINT = re.compile(r"(?<!\\)((?:\\\\)*)\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")
_SERVICE_NODE = "ServiceGraphPattern"
# Oxigraph's LATERAL (a SPARQL 1.2 proposal; the project's named queries use it) is not in rdflib's grammar.
# For the parse only, the keyword is blanked to spaces of its length, and only where it stands between
# white space (or a brace) and a `{`: no IRI, prefixed name or variable can hold white space or `{`, so a
# LATERAL there lies in no IRI for either parser, and blanking it moves no string, comment or IRI boundary
# and joins no tokens. Every SERVICE Oxigraph reads as a keyword is then one for rdflib too, and
# `LATERAL { P }` reads as the group `{ P }`. Anywhere else the word is left as written (and a query rdflib
# then cannot read is refused).
_LATERAL = re.compile(r"(?i)(?<=[\s{}])LATERAL(?=\s*\{)")


def screen(query: str) -> str:
    """The text to run for `query`, or QueryRefused: what a query may do is decided from a parse by
    rdflib's SPARQL 1.1 grammar, not from its look. Refused: updates (LOAD included), SERVICE anywhere
    (the store would fetch any URL a query names, from the server's network), queries too long or too
    deeply nested to parse safely, and anything rdflib cannot parse.

    Oxigraph runs the text returned here, which is the text rdflib parsed: codepoint escapes already
    undone (those not escaped themselves) and line ends made LF, so the two parsers cannot read comments or escapes differently
    (Oxigraph ends a comment at a bare CR, rdflib does not; Oxigraph keeps \\u outside strings).
    Worst case time is linear in the length, which MAX_QUERY_CHARS bounds; callers run it under the
    query timeout all the same.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise QueryRefused(413, f"query is longer than {MAX_QUERY_CHARS} characters")
    try:
        text = _CODEPOINT.sub(lambda m: m.group(1) + chr(int(m.group(2) or m.group(3), 16)), query)
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

    parsed = _LATERAL.sub(" " * len("LATERAL"), text)
    try:
        tree = Query.parse_string(parsed, parse_all=True)
    except RecursionError:
        raise QueryRefused(400, "query nests too deeply to be run safely") from None
    except ParseBaseException as e:
        try:
            UpdateUnit.parse_string(parsed, parse_all=True)
        except (ParseBaseException, RecursionError):
            raise QueryRefused(400, _unreadable(parsed, e)) from None
        raise _update_refusal() from None
    if _holds(tree, _SERVICE_NODE):
        raise QueryRefused(403, "SERVICE (federated query) is disabled on this endpoint")
    return text


def _unreadable(text: str, e) -> str:
    """Why a query is refused that rdflib's grammar cannot read, on one line: where it stopped reading,
    and what to do (the screen fails closed: what it cannot read is never run, valid or not)."""
    at = text[e.loc:e.loc + 30] if 0 <= e.loc < len(text) else ""
    near = " ".join(at.split())
    return (f"query is not valid SPARQL 1.1 as the screen reads it ({' '.join(str(e.msg).split())} at line "
            f"{e.lineno}, column {e.col}" + (f", near '{near}'" if near else ", at the end") + "); it is not run: "
            "if it is valid, rewrite that part in plain SPARQL 1.1 (no SPARQL 1.2 or Oxigraph extensions)")


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

