"""Stage 8, query: named SPARQL queries kept as files in `queries/`, run with parameters bound as RDF terms.

Each `queries/<name>.rq` opens with comment lines::

    # title: Recommendations of a council
    # description: Every recommendation made to a council, with its kind, deadline group and due date.
    # param: council (council) Council name or GSS code, e.g. Doncaster or E08000017

Parameter types: `council` (a name or GSS code, bound as the council's IRI), `region` (a region's name
or ONS code, bound as the region's IRI), `iri`, `string`, `date`, `integer`. `(council, optional)` marks a
parameter that may be left out: the query then uses it as an ordinary variable, so an optional `?council`
of a triple pattern matches every council. Values are bound with pyoxigraph's `substitutions=` (SEP-0007): never pasted into the text.
Queries run over the union of all graphs, so they need no GRAPH clauses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import pyoxigraph as ox

from .errors import QueryError, RuleFileError
from .namespaces import PREFIXES
from .namespaces import XSD as _XSD
from .paths import queries_dir

PARAM_TYPES = ("council", "region", "iri", "string", "date", "integer")
_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[a-z]+)(?P<optional>\s*,\s*optional)?\)"
                    r"\s*(?P<desc>.*)$")
XSD = str(_XSD)


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str
    description: str
    optional: bool = False


@dataclass(frozen=True, slots=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    sparql: str
    path: str | None = None


@dataclass(frozen=True, slots=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: tuple[dict, ...]  # column -> RDF term (pyoxigraph) or None
    kind: str = "select"  # select | ask | triples (a CONSTRUCT or DESCRIBE: rows of subject, predicate, object)


def parse_query_file(path: Path) -> NamedQuery:
    """A named query from its file; a malformed header is an error naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QueryError(f"cannot read query file: {exc.strerror or exc}", source=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise QueryError(f"query file is not UTF-8 text (byte {exc.start} is not valid UTF-8)",
                         source=str(path)) from exc
    return parse_query_text(text, name=path.stem, source=str(path))


def _check_text(value: str, what: str) -> None:
    """A value from the command line that is not valid UTF-8 (its bytes came in as surrogate escapes)
    is refused with one line, instead of failing as a traceback where it is encoded."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise QueryError(f"{what} is not valid UTF-8 text (at character {exc.start + 1})") from None


def parse_query_text(text: str, name: str = "query", source: str | None = None) -> NamedQuery:
    title = description = ""
    params: list[Param] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.groups()
        if key == "title":
            title = value
        elif key == "description":
            description = value
        else:
            pm = _PARAM.match(value)
            if not pm or pm["type"] not in PARAM_TYPES:
                raise RuleFileError(f"line {n}: a parameter reads '# param: name (type) description' (or "
                                    "'(type, optional)') with type one of "
                                    f"{', '.join(PARAM_TYPES)}", source=source or name)
            params.append(Param(pm["name"], pm["type"], pm["desc"], bool(pm["optional"])))
    return NamedQuery(name, title or name, description, tuple(params), text, source)


@lru_cache(maxsize=1)
def load_queries() -> tuple[NamedQuery, ...]:
    """Every named query of `queries/`, by name."""
    return tuple(parse_query_file(p) for p in sorted(queries_dir().glob("*.rq")))


def get_query(name: str) -> NamedQuery:
    for q in load_queries():
        if q.name == name:
            return q
    raise QueryError(f"unknown query {name!r}", hint="`kg query --list` shows the named queries")


_UPDATE = re.compile(r"^\s*(?:(?:PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
                     r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE)


def refuse_updates(sparql: str, source: str | None = None) -> None:
    """SPARQL Update is refused with a sentence saying so (it is not an 'unknown query')."""
    text = "\n".join(line for line in sparql.splitlines() if not line.lstrip().startswith("#"))
    m = _UPDATE.match(text)
    if m:
        raise QueryError(f"SPARQL updates ({m.group(1).upper()} ...) are refused: queries only read the graph",
                         source=source, hint="the graph is written by `kg build`; change the reports, not the store")


def resolve_query(spec: str) -> NamedQuery:
    """A named query, a .rq file, or SPARQL text given on the command line."""
    _check_text(spec, "the query")
    refuse_updates(spec)
    if re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", spec, re.IGNORECASE) and "{" in spec:
        return parse_query_text(spec, name="query")
    path = Path(spec)
    if spec.endswith(".rq") or path.is_file():
        if not path.is_file():
            raise QueryError(f"no such query file: {spec}")
        return parse_query_file(path)
    return get_query(spec)


# ------------------------------------------------------------------------------------ binding

def bind_value(param: Param, value: str):
    """A parameter value as the RDF term it stands for."""
    _check_text(value, f"--param {param.name}")
    v = value.strip()
    if param.type == "council":
        from .rdf import council_iri
        from .resolve import council_named

        try:
            entry = council_named(v)
        except QueryError as exc:
            raise QueryError(f"--param {param.name}: {exc.message}", hint=exc.hint) from exc
        return ox.NamedNode(council_iri(entry.gss_code))
    if param.type == "region":
        from .filters import region_named
        from .rdf import region_iri
        from .resolve import regions

        try:
            name = region_named(v)
        except QueryError as exc:
            raise QueryError(f"--param {param.name}: {exc.message}", hint=exc.hint) from exc
        return ox.NamedNode(region_iri(next(code for code, n in regions().items() if n == name)))
    if param.type == "iri":
        m = re.match(r"^([a-z][a-z0-9]*):(.*)$", v)
        if m and m.group(1) in PREFIXES and not v.startswith(("http:", "https:")):
            return ox.NamedNode(str(PREFIXES[m.group(1)]) + m.group(2))
        try:
            return ox.NamedNode(v.strip("<>"))
        except ValueError as exc:
            raise QueryError(f"--param {param.name}: not an IRI: {value!r}") from exc
    if param.type == "date":
        try:
            date.fromisoformat(v)
        except ValueError as exc:
            raise QueryError(f"--param {param.name}: not a date (YYYY-MM-DD): {value!r}") from exc
        return ox.Literal(v, datatype=ox.NamedNode(XSD + "date"))
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", v):
            raise QueryError(f"--param {param.name}: not a whole number: {value!r}")
        return ox.Literal(str(int(v)), datatype=ox.NamedNode(XSD + "integer"))
    return ox.Literal(value)


def bind(query: NamedQuery, values: Mapping[str, str]) -> dict:
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise QueryError(f"query {query.name!r} has no parameter {unknown[0]!r}",
                         hint=f"its parameters: {', '.join(declared) or 'none'}")
    missing = [p.name for p in query.params if p.name not in values and not p.optional]
    if missing:
        raise QueryError(f"query {query.name!r} needs --param {missing[0]}=...",
                         hint=next(p.description for p in query.params if p.name == missing[0]))
    return {ox.Variable(name): bind_value(declared[name], v) for name, v in values.items()}


def undeclared_params(values: Mapping[str, Any]) -> tuple[Param, ...]:
    """Parameters for SPARQL text that declares none (`kg graph --query '...' --param c=...`), typed by
    their values: an IRI (http..., https..., urn:..., no space) is bound as an IRI, a Python int as an
    integer, anything else as a plain string."""
    def kind(v: Any) -> str:
        if isinstance(v, int) and not isinstance(v, bool):
            return "integer"
        text = str(v)
        return "iri" if text.startswith(("http://", "https://", "urn:")) and " " not in text else "string"
    return tuple(Param(name, kind(v), "") for name, v in values.items())


def run_query(store, query: NamedQuery | str, params: Mapping[str, str] | None = None) -> QueryResult:
    """Run a SELECT (or ASK/CONSTRUCT) query over the union of all graphs of `store`: a `kg.store.GraphStore`
    (or an in-memory pyoxigraph Store of the same `query` signature, as the picture code builds)."""
    q = resolve_query(query) if isinstance(query, str) else query
    refuse_updates(q.sparql, q.path)
    subs = bind(q, params or {})
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    try:
        res = store.query(q.sparql, substitutions=subs or None, use_default_graph_as_union=True, prefixes=prefixes)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error in {q.name}: {exc}", source=q.path) from exc
    except (OSError, RuntimeError) as exc:
        hint = None
        if "projection" in str(exc):
            hint = "a parameter must also be a variable of the SELECT clause (pyoxigraph binds it there)"
        raise QueryError(f"query {q.name} failed: {exc}", source=q.path, hint=hint) from exc
    if isinstance(res, ox.QuerySolutions):
        cols = tuple(v.value for v in res.variables)
        rows = tuple({c: sol[c] for c in cols} for sol in res)
        return QueryResult(cols, rows)
    if isinstance(res, ox.QueryBoolean):
        return QueryResult(("result",), ({"result": ox.Literal("true" if bool(res) else "false",
                                                               datatype=ox.NamedNode(XSD + "boolean"))},), "ask")
    triples = list(res)
    return QueryResult(("subject", "predicate", "object"),
                       tuple({"subject": t.subject, "predicate": t.predicate, "object": t.object} for t in triples),
                       "triples")


@lru_cache(maxsize=1)
def _place_names() -> dict[str, str]:
    """Council and region IRI -> name, from the gazetteer (the names the reference graph gives them)."""
    from .rdf import council_iri, region_iri
    from .resolve import load_councils, regions

    out = {council_iri(c.gss_code): c.canonical for c in load_councils()}
    out.update({region_iri(code): name for code, name in regions().items()})
    return out


def plain(term: Any, compact_iris: bool = False, names: bool = False) -> Any:
    """An RDF term as a plain value for tables, CSV and JSON; with `names`, a council's or region's IRI
    is given as its name ('Doncaster', not id:council/E08000017): tables and CSV are read by people."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        if names and term.value in _place_names():
            return _place_names()[term.value]
        if compact_iris:
            from .validate import compact
            return compact(term.value)
        return term.value
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype is not None else ""
        if dt == XSD + "integer":
            try:
                return int(term.value)
            except ValueError:
                return term.value
        return term.value
    return str(term)


def rows_as_plain(result: QueryResult, compact_iris: bool = False, names: bool = False) -> list[dict]:
    return [{c: plain(r.get(c), compact_iris, names) for c in result.columns} for r in result.rows]


__all__ = ["NamedQuery", "Param", "QueryResult", "load_queries", "get_query", "resolve_query", "run_query",
           "bind", "undeclared_params", "rows_as_plain", "plain"]
