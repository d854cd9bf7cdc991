"""The web view's HTML pieces: package templates (string.Template), escaping, the page frame with its
Content-Security-Policy, grade chips and links to the source pages of reports."""
from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path
from string import Template
from urllib.parse import quote

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'self'; base-uri 'none'")


@lru_cache(maxsize=None)
def template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def e(value) -> str:
    return html.escape("" if value is None else str(value))


def page(title: str, body: str, status: int = 200):
    from ..serve import Response

    doc = template("base.html").substitute(title=e(title), style=template("style.css").template, body=body)
    return Response(status, "text/html; charset=utf-8", doc.encode("utf-8"),
                    (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff")))


def message(status: int, heading: str, text: str):
    return page(heading, template("message.html").substitute(heading=e(heading), message=e(text)), status)


def chip(grade) -> str:
    if grade is None:
        return '<span class="muted">-</span>'
    return f'<span class="grade g{grade.rank}">{e(grade.grade)}</span>'


def source_link(src, text: str | None = None) -> str:
    """'doncaster_2022.pdf p. 7' linking to that page of the file, or the name alone if the file is gone."""
    if src is None:
        return ""
    label = text or (f"{e(src.document)} p.&nbsp;{src.page}" if src.page else e(src.document))
    if src.href is None:
        return f'<span class="muted" title="the file is no longer where the store was built from">{label}</span>'
    return f'<a href="{e(src.href)}">{label}</a>'


def period(insp) -> str:
    if insp.start and insp.end and insp.start != insp.end:
        return f"{insp.start} to {insp.end}"
    return insp.start or insp.published or "date not printed"


def council_href(gss: str) -> str:
    return f"/council/{quote(gss)}"


