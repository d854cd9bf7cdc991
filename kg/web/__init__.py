"""The web view of `kg serve`: HTML pages beside the SPARQL endpoint, rendered in its query workers.

- `/`                      councils by region with their latest grades
- `/council/<GSS or name>` one council: timeline, grades, recommendations with deadlines and due dates,
                           recurring issues, the changes between its last two inspections
- `/query`                 a GET form for the named queries and for SPARQL, results as a table
- `/report/<id>/<name>`    a report file the store was built from, by its catalog id (nothing else)

Pages are rendered by the same worker processes that answer SPARQL (`kg.serve`), so they run under
its timeouts and memory cap with the store opened read-only, and SPARQL typed into the form goes
through the endpoint's own screening (`kg.serve.evaluate`). Templates are package files
(kg/web/templates, string.Template); pages use no script and load nothing from elsewhere. The pieces of
HTML are in `html`, the query form in `query_form`, what the pages show (read from the store) in `views`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from .html import chip, council_href, e, message, page, period, source_link, template  # noqa: F401
from .query_form import query_page

PAGE_TIMEOUT = 60.0  # least seconds a page may take (recurrence is computed once per store snapshot)
# The only pages there are; `kg.serve.Endpoint` sends these to the workers, and nothing else.
_ROUTES = re.compile(r"^/(?:council/[^/]+|query|report/[^/]*/[^/]*)$")
_REPORT = re.compile(r"^/report/([0-9a-f]{16})/([^/]+)$")


@dataclass(frozen=True, slots=True)
class PageJob:
    """One page request for a worker: plain strings, so it crosses a process boundary."""

    path: str
    query_string: str = ""
    min_timeout: float = PAGE_TIMEOUT  # the runner allows max(its query timeout, this)
    query_timeout: float = 0.0  # the endpoint's query timeout, for the query page to state


def is_page(path: str) -> bool:
    """True for the paths of the web view (the home page `/` is decided by the endpoint)."""
    return path == "/" or bool(_ROUTES.match(path))


# ---------------------------------------------------------------- pages

def render(gs, job: PageJob, max_results: int, max_bytes: int):
    """The response to one page request, from a read-only GraphStore."""
    from ..errors import KgError

    path = job.path
    try:
        if path == "/":
            return home_page(gs)
        if path.startswith("/council/"):
            return council_page(gs, unquote(path[len("/council/"):]))
        if path == "/query":
            return query_page(gs, job.query_string, max_results, max_bytes, job.query_timeout)
        if path.startswith("/report/"):
            return report_file(gs, path)
    except KgError as exc:
        status = 404 if path.startswith("/council/") else 400
        return message(status, "Not found" if status == 404 else "Cannot answer", exc.one_line())
    return message(404, "Not found", f"no such page: {path}")


def home_page(gs):
    from .views import home

    regions = home(gs)
    parts, councils, reports = [], 0, 0
    empty = [r for r in regions if not r.councils]
    for region in [r for r in regions if r.councils]:
        rows = []
        for c in region.councils:
            councils += 1
            reports += c.reports
            latest = c.latest
            if latest is not None:
                others = [g for g in latest.grades if g is not latest.overall]
                areas = ""
                if others:  # the chips at a glance; the areas they grade when opened (no script needed)
                    chips = " ".join(f'<span title="{e(g.area)}">{chip(g)}</span>' for g in others)
                    rows_ = "".join(f"<li>{e(g.area)}: {chip(g)}</li>" for g in others)
                    areas = f'<details class="areas"><summary>{chips}</summary><ul>{rows_}</ul></details>'
                graded = (f"{chip(latest.overall)}<div class=areas>{e(latest.framework)}, {e(latest.date)}</div>"
                          f"{areas}")
            else:
                graded = '<span class="muted">no graded inspection in the store</span>'
            last = c.last
            last_text = f"<span class=date>{e(last.date)}</span><div class=areas>{e(last.framework)}</div>" if last else ""
            rows.append(f'<tr><td><a href="{council_href(c.gss)}">{e(c.name)}</a><div class=areas>{e(c.gss)}</div></td>'
                        f"<td>{graded}</td><td>{last_text}</td><td class=num>{c.reports}</td></tr>")
        table = ("<table><tr><th>Council</th><th>Latest grades</th><th>Last inspected</th><th>Reports</th></tr>"
                 + "".join(rows) + "</table>") if rows else ""
        without = (f'<p class="none">No reports in the store: {e(", ".join(region.without))}.</p>'
                   if region.without else "")
        parts.append(f'<section class="region"><h2>{e(region.name)}</h2>{table}{without}</section>')
    if empty:
        lists = "".join(f"<li><b>{e(r.name)}</b>: {e(', '.join(r.without))}</li>" for r in empty)
        parts.append(f'<section class="region"><h2>Regions without reports in the store</h2><details><summary>'
                     f'{e(", ".join(f"{r.name} ({len(r.without)})" for r in empty))}</summary><ul>{lists}</ul>'
                     f"</details></section>")
    summary = f"{councils} councils with {reports} reports in the store."
    body = template("home.html").substitute(summary=e(summary), regions="\n".join(parts))
    return page("Councils by region", body)


def _entry_html(entry, tags: str = "") -> str:
    quote_text = entry.quote or entry.text
    return (f'<div class="item"><blockquote>{e(quote_text)}</blockquote><div class="meta">{tags}'
            f"{source_link(entry.source)}</div></div>")


def _rec_tags(entry) -> str:
    tags = f'<span class="tag">{e(entry.kind.replace("-", " "))}</span>' if entry.kind else ""
    if entry.deadline:
        tags += f'<span class="tag due">{e(entry.deadline)}</span>'
    if entry.due_date:
        tags += f'<span class="tag due">due {e(entry.due_date)}</span>'
    return tags


def council_page(gs, name: str):
    from .views import council

    c = council(gs, name)
    facts = [f"<span>GSS <b>{e(c.gss)}</b></span>"]
    if c.region:
        facts.append(f"<span>Region <b>{e(c.region)}</b></span>")
    if c.la_type:
        facts.append(f"<span>Type <b>{e(c.la_type)}</b></span>")
    facts.append(f"<span><b>{len(c.inspections)}</b> inspections in the store</span>")

    timeline = ["<table><tr><th>Inspection</th><th>Type</th><th>Published</th><th>Overall</th>"
                "<th>Recommendations</th><th>Report</th></tr>"]
    for insp in reversed(c.inspections):
        docs = ", ".join(source_link(c.reports.get(d), e(d)) for d in insp.documents)
        timeline.append(f"<tr><td class=date>{e(period(insp))}</td><td>{e(insp.framework)}</td>"
                        f"<td class=date>{e(insp.published or '')}</td><td>{chip(insp.overall) if insp.grades else ''}</td>"
                        f"<td class=num>{len(c.recommendations.get(insp.iri, ()))}</td><td>{docs}</td></tr>")
    timeline.append("</table>")
    if not c.inspections:
        timeline = ['<p class="muted">The store holds no reports of this council.</p>']

    grades = []
    for insp in reversed([i for i in c.inspections if i.grades]):
        rows = "".join(f"<tr><td>{e(g.area)}</td><td>{chip(g)}</td><td><span class=meta>"
                       f"{e(g.quote or '')}</span></td><td class=meta>{source_link(g.source)}</td></tr>"
                       for g in insp.grades)
        grades.append(f"<h3>{e(insp.framework)}, {e(period(insp))}</h3><table><tr><th>Area</th>"
                      f"<th>Grade</th><th>As printed</th><th>Source</th></tr>{rows}</table>")
    if not grades:
        grades = ['<p class="muted">No graded inspection of this council in the store.</p>']

    recs = []
    with_recs = [i for i in reversed(c.inspections) if c.recommendations.get(i.iri)]
    for n, insp in enumerate(with_recs):
        items = "".join(_entry_html(r, _rec_tags(r)) for r in c.recommendations[insp.iri])
        recs.append(f"<details{' open' if n == 0 else ''}><summary>{e(insp.framework)}, {e(period(insp))}: "
                    f"{len(c.recommendations[insp.iri])} recommendations</summary>{items}</details>")
    if not recs:
        recs = ['<p class="muted">No recommendations of this council in the store.</p>']

    issues = []
    for n, issue in enumerate(c.issues):
        occ = "".join(
            f'<div class="item"><blockquote>{e((o.entry.quote if o.entry else None) or o.text)}</blockquote>'
            f'<div class="meta"><span class="tag">{e(o.date or "")}</span><span class="tag">'
            f'{e(o.kind.replace("-", " "))}</span>'
            f'{source_link(o.entry.source) if o.entry else e(o.report)}</div></div>' for o in issue.occurrences)
        issues.append(f"<details{' open' if n < 2 else ''}><summary>{e(issue.theme)}: raised at {issue.inspections} "
                      f"inspections, {e(issue.first)} to {e(issue.last)}</summary>{occ}</details>")
    if not issues:
        issues = ['<p class="muted">No issue of this council was raised again at a later inspection.</p>']

    body = template("council.html").substitute(
        name=e(c.name), gss=e(c.gss), facts="".join(facts), timeline="".join(timeline), grades="".join(grades),
        recommendations="".join(recs), recurring="".join(issues), changes=_changes_html(c.changes))
    return page(c.name, body)


def _changes_html(ch) -> str:
    if ch is None:
        return '<p class="muted">The store holds fewer than two inspections of this council.</p>'
    head = (f'<p>From the <b>{e(ch.earlier.framework)}</b> of {e(period(ch.earlier))} to the '
            f'<b>{e(ch.later.framework)}</b> of {e(period(ch.later))}.</p>')
    if ch.graded != (ch.earlier, ch.later):
        a, b = ch.graded
        head += (f'<p class="muted">Not both of these gave grades: the grades compared are those of the last two '
                 f'graded inspections, the {e(a.framework)} of {e(period(a))} and the {e(b.framework)} of '
                 f'{e(period(b))}.</p>')
    if ch.grades:
        rows = "".join(f"<tr><td>{e(g.area)}</td><td>{chip(g.before)}</td><td>{chip(g.after)}</td>"
                       f"<td>{e(g.change)}</td></tr>" for g in ch.grades)
        grades = f"<h3>Grades</h3><table><tr><th>Area</th><th>Before</th><th>After</th><th>Change</th></tr>{rows}</table>"
    else:
        grades = '<h3>Grades</h3><p class="muted">Neither inspection gave grades.</p>'
    again_tag = '<span class="tag again">raised again</span>'
    again = "".join(
        f'<div class="item">{_entry_html(r, again_tag + _rec_tags(r))}'
        f'<div class="meta">Earlier:</div>{"".join(_entry_html(p) for p in earlier)}</div>'
        for r, earlier in ch.raised_again)
    new = "".join(_entry_html(r, "<span class='tag new'>new</span>" + _rec_tags(r)) for r in ch.new)
    gone = "".join(_entry_html(r, "<span class='tag gone'>no longer raised</span>" + _rec_tags(r))
                   for r in ch.no_longer_raised)
    none = '<p class="muted">None.</p>'
    return (head + grades + f"<h3>Raised again ({len(ch.raised_again)})</h3>" + (again or none)
            + f"<h3>New ({len(ch.new)})</h3>" + (new or none)
            + f"<h3>No longer raised ({len(ch.no_longer_raised)})</h3>" + (gone or none))


# ---------------------------------------------------------------- report files

def report_file(gs, path: str):
    """A source file of the catalog, by its id: any other path, and any file the catalog does not
    list as built, is refused (404); the file is opened as a regular file of bounded size."""
    from ..errors import KgError
    from ..read import DEFAULT_MAX_BYTES, open_regular
    from ..serve import Response
    from .views import catalog

    m = _REPORT.match(path)
    f = catalog(gs).get(m.group(1)) if m else None
    if f is None or f.graph is None or unquote(m.group(2)) != f.name:
        return message(404, "Not found", "no such report: report links name a file of the store's catalog")
    try:
        with open_regular(f.path, DEFAULT_MAX_BYTES) as fh:
            data = fh.read(DEFAULT_MAX_BYTES + 1)
    except KgError as exc:
        return message(404, "Not found", exc.one_line())
    is_pdf = data.startswith(b"%PDF")
    ctype = "application/pdf" if is_pdf else "text/plain; charset=utf-8"  # HTML reports as their source text
    headers = [("X-Content-Type-Options", "nosniff"),
               ("Content-Disposition", f"inline; filename*=UTF-8''{quote(f.name)}")]
    if not is_pdf:
        headers.append(("Content-Security-Policy", "sandbox; default-src 'none'"))
    return Response(200, ctype, data, tuple(headers))


__all__ = ["PageJob", "PAGE_TIMEOUT", "is_page", "render"]
