"""The web view's query form: the named queries with their parameters, and SPARQL typed in, screened and
run exactly as the endpoint runs it (kg.serve.evaluate), results as an HTML table."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

from .html import council_href, e, page, template

EXAMPLE = """SELECT ?council (COUNT(?rec) AS ?recommendations)
WHERE { ?rec a kg:Recommendation ; kg:inspection/kg:inspected/skos:prefLabel ?council }
GROUP BY ?council ORDER BY DESC(?recommendations)"""


def _with_prefixes(text: str) -> str:
    """The query with the project's PREFIX lines it does not declare itself put in front."""
    from ..namespaces import PREFIXES

    declared = {m.lower() for m in re.findall(r"PREFIX\s+([\w.-]*):", text, re.IGNORECASE)}
    lines = [f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items() if k.lower() not in declared]
    return "\n".join(lines + [text])


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    m = re.match(r"^https://w3id\.org/ofsted-kg/id/council/(E\d{8})$", text)
    if m:
        return f'<a href="{council_href(m.group(1))}">{e(m.group(1))}</a>'
    from ..validate import compact

    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return f"<span class=date>{text}</span>"
    return e(compact(text) if text.startswith(("http://", "https://")) else text)


def _table(columns, rows, truncated: bool, limit: int) -> str:
    head = "".join(f"<th>{e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(r.get(c))}</td>" for c in columns) + "</tr>" for r in rows)
    note = f"{len(rows)} row(s)" + (f"; cut off at {limit} (use the SPARQL endpoint or a LIMIT)" if truncated else "")
    return f'<p class="muted">{e(note)}</p><div class="scroll"><table class="results"><tr>{head}</tr>{body}</table></div>'


def _run_text(gs, text: str, max_results: int, max_bytes: int) -> tuple[int, str]:
    """Screened and run exactly as the endpoint runs a query (kg.serve.evaluate), shown as a table."""
    import pyoxigraph as ox

    from ..serve import MAX_QUERY_CHARS, TRUNCATED_HEADER, QueryJob, evaluate

    if len(text) > MAX_QUERY_CHARS:
        return 413, f"query is longer than {MAX_QUERY_CHARS} characters"
    response = evaluate(gs, QueryJob(_with_prefixes(text), "application/sparql-results+json, application/n-triples;q=0.9"),
                        max_results, max_bytes)
    if response.status != 200:
        return response.status, response.body.decode("utf-8", "replace").strip()
    truncated = response.header(TRUNCATED_HEADER) == "true"
    if response.content_type.startswith("application/n-triples"):
        triples = list(ox.parse(response.body, format=ox.RdfFormat.N_TRIPLES))
        rows = [{"subject": t.subject.value, "predicate": t.predicate.value,
                 "object": t.object.value} for t in triples]
        return 200, _table(("subject", "predicate", "object"), rows, truncated, max_results)
    doc = json.loads(response.body)
    if "boolean" in doc:
        return 200, _table(("result",), [{"result": str(doc["boolean"]).lower()}], False, max_results)
    columns = doc["head"]["vars"]
    rows = [{k: v.get("value") for k, v in b.items()} for b in doc["results"]["bindings"]]
    return 200, _table(columns, rows, truncated, max_results)


def _run_named(gs, name: str, params: dict, max_results: int) -> tuple[int, str, str]:
    from ..errors import KgError
    from ..query import get_query, rows_as_plain, run_query
    from ..serve import QueryRefused, screen

    try:
        q = get_query(name)
    except KgError as exc:
        return 404, exc.one_line(), ""
    values = {p.name: params[p.name] for p in q.params if params.get(p.name, "").strip()}
    try:
        screen(q.sparql)  # shipped text, screened all the same
        result = run_query(gs, q, values)
    except QueryRefused as exc:
        return exc.status, exc.reason, q.sparql
    except KgError as exc:
        return 400, exc.one_line(), q.sparql
    rows = rows_as_plain(result)
    bound = set(values)
    columns = [c for c in result.columns if c not in bound]
    return 200, _table(columns, rows[:max_results], len(rows) > max_results, max_results), q.sparql


def query_page(gs, query_string: str, max_results: int, max_bytes: int, timeout: float = 0.0):
    from ..query import load_queries
    from ..namespaces import PREFIXES

    form = {k: v[0] for k, v in parse_qs(query_string, keep_blank_values=True).items()}
    status, results, sparql = 200, "", EXAMPLE
    if "query" in form and form["query"].strip():
        sparql = form["query"]
        status, out = _run_text(gs, sparql, max_results, max_bytes)
        results = (f"<h2>Results</h2>{out}" if status == 200
                   else f'<h2>Results</h2><p class="error">{e(status)}: {e(out)}</p>')
    elif form.get("name"):
        status, out, text = _run_named(gs, form["name"], form, max_results)
        args = ", ".join(f"{k}={v}" for k, v in form.items() if k != "name" and v.strip())
        title = f"<h2>Results of {e(form['name'])}{' (' + e(args) + ')' if args else ''}</h2>"
        results = title + (out if status == 200 else f'<p class="error">{e(status)}: {e(out)}</p>')
        if text:
            results += f"<details><summary>The query</summary><pre>{e(text)}</pre></details>"
    named = []
    for q in load_queries():
        inputs = "".join(
            f'<label>{e(p.name)} <span class=muted>({e(p.type)})</span>'
            f'<input name="{e(p.name)}" value="{e(form.get(p.name, "") if form.get("name") == q.name else "")}" '
            f'placeholder="{e(p.description)}" required></label>' for p in q.params)
        named.append(f'<form method="get" action="/query"><input type="hidden" name="name" value="{e(q.name)}">'
                     f"<b>{e(q.title)}</b> <span class=muted>{e(q.name)}</span><div class=d>{e(q.description)}</div>"
                     f"{inputs}<button type=submit>Run</button></form>")
    from ..serve import DEFAULT_TIMEOUT

    body = template("query.html").substitute(
        timeout=e(f"{timeout or DEFAULT_TIMEOUT:g}"), limit=e(max_results), results=results,
        sparql=e(sparql), prefixes=e(", ".join(f"{k}:" for k in PREFIXES)), named="\n".join(named))
    return page("Query", body, status)
