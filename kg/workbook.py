"""Spreadsheets: any table as an .xlsx sheet, and one workbook of a council or a region.

The people this is for live in Excel, so a workbook is what they hand on: a sheet per view
(inspections and grades, recommendations with deadlines and due dates, recurring issues,
inspectors), each with a frozen header row, an autofilter, column widths that fit, and for every
item a link to its report opened at the page that holds it (`file:///.../report.pdf#page=N`; PDF
viewers and browsers honour the page, Excel opens the file).

openpyxl is an optional dependency (`pip install 'ofsted-kg[xlsx]'`); without it, asking for a
spreadsheet is one clear error.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Sequence

from .errors import KgError, QueryError, optional_module
from .filters import Scope
from .namespaces import PREFIXES
from .query import plain

MAX_WIDTH = 80  # characters: a long text column stops here and wraps
MAX_SHEET_ROWS = 1_048_575  # Excel's limit, less the header


@dataclass(frozen=True, slots=True)
class Sheet:
    """One view: its title (at most 31 characters), columns, rows, and which column links where.

    `links` maps a column to the column holding its URL; the URL column itself is not shown.
    """

    title: str
    columns: tuple[str, ...]
    rows: tuple[dict, ...]
    links: dict[str, str] = field(default_factory=dict)
    wrap: tuple[str, ...] = ()  # long text columns


def _openpyxl():
    return optional_module("openpyxl", KgError("spreadsheets need openpyxl, which is not installed",
                                               hint="pip install 'ofsted-kg[xlsx]' (or pip install openpyxl)"))


def _value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, (list, tuple)):
        return "; ".join(str(x) for x in v)
    return v if isinstance(v, (int, float)) else str(v)


def write_workbook(sheets: Sequence[Sheet], out: str | Path | IO[bytes]) -> None:
    """Write the sheets as one .xlsx file (a path or a binary file object)."""
    openpyxl = _openpyxl()
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    bold, link_font = Font(bold=True), Font(color="0563C1", underline="single")
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title[:31])
        shown = [c for c in sheet.columns if c not in set(sheet.links.values())]
        ws.append(shown)
        for cell in ws[1]:
            cell.font = bold
        if len(sheet.rows) > MAX_SHEET_ROWS:
            raise QueryError(f"{len(sheet.rows)} rows do not fit in one sheet (Excel's limit is {MAX_SHEET_ROWS})",
                             hint="narrow the question (--council, --region) or use --format csv")
        for r, row in enumerate(sheet.rows, 2):
            for c, column in enumerate(shown, 1):
                cell = ws.cell(row=r, column=c, value=_value(row.get(column)))
                if cell.data_type == "f":  # a text that starts with '=' is a report's words, never a formula
                    cell.data_type = "s"
                url = row.get(sheet.links[column]) if column in sheet.links else None
                if url and cell.value is not None:
                    cell.hyperlink = url
                    cell.font = link_font
                if column in sheet.wrap:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                else:
                    cell.alignment = Alignment(vertical="top")
        for c, column in enumerate(shown, 1):
            longest = max([len(column)] + [len(str(_value(row.get(column)) or "")) for row in sheet.rows])
            ws.column_dimensions[get_column_letter(c)].width = min(MAX_WIDTH, longest + 2)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(max(1, len(shown)))}{max(1, len(sheet.rows) + 1)}"
    if not sheets:
        wb.create_sheet("empty")
    wb.save(out)


def table_sheet(rows: Iterable[dict], columns: Sequence[str], title: str = "results") -> Sheet:
    """Any command's table as a sheet (`--format xlsx`); columns of long texts wrap."""
    rows = tuple(rows)
    wrap = tuple(c for c in columns if any(len(str(r.get(c) or "")) > 60 for r in rows))
    return Sheet(title, tuple(columns), rows, wrap=wrap)


# ------------------------------------------------------------------------------ the council workbook

def report_link(path: str | None, page: int | None) -> str | None:
    """A link to a report file, opened at its page: file:///abs/path.pdf#page=3."""
    if not path:
        return None
    url = Path(path).resolve().as_uri()
    return f"{url}#page={page}" if page else url


def _councils_in(scope: Scope) -> list[str]:
    from .rdf import council_iri  # noqa: PLC0415
    from .resolve import load_councils  # noqa: PLC0415

    if scope.council is not None:
        return [council_iri(scope.council.gss_code)]
    return [council_iri(c.gss_code) for c in load_councils()
            if scope.region is None or (c.region_name or "").casefold() == scope.region.casefold()]


_PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())

# the file of each report graph (a report copied under two names: the first name)
_FILES = """
  OPTIONAL { SELECT ?g (MIN(?f) AS ?path) WHERE {
    GRAPH <https://w3id.org/ofsted-kg/id/graph/catalog> { ?src kg:reportGraph ?g ; kg:filePath ?f } } GROUP BY ?g }
"""

INSPECTIONS = _PREFIXES + """
SELECT ?council ?region ?framework ?start ?end ?published ?area ?grade ?rank ?report ?page ?path WHERE {
  VALUES ?council { %s }
  GRAPH ?g { ?rep prov:wasGeneratedBy ?inspection ; kg:fileName ?report .
             ?inspection kg:inspected ?council ; dcterms:type ?type .
             OPTIONAL { ?inspection kg:startDate ?start } OPTIONAL { ?inspection kg:endDate ?end }
             OPTIONAL { ?rep dcterms:issued ?issued } OPTIONAL { ?rep dcterms:date ?letter } }
  ?type skos:prefLabel ?framework .  # before the OPTIONAL: after it, Oxigraph's plan took seconds a council
  OPTIONAL { ?j a kg:Judgement ; kg:inspection ?inspection ; prov:wasDerivedFrom ?rep ; kg:position ?pos ;
                kg:areaLabel ?area ; kg:gradeLabel ?grade ; kg:evidence ?ev .
             OPTIONAL { ?j kg:grade/kg:rank ?rank } OPTIONAL { ?ev kg:page ?page } }
  OPTIONAL { ?council kg:region/skos:prefLabel ?region }
  BIND(COALESCE(?issued, ?letter) AS ?published)
""" + _FILES + "} ORDER BY ?council ?start ?report ?pos"

RECOMMENDATIONS = _PREFIXES + """
SELECT ?council ?region ?framework ?start ?end ?n ?kind ?deadline ?due_date ?addressed_to ?text ?report ?page ?path
WHERE {
  VALUES ?council { %s }
  GRAPH ?g { ?rec a kg:Recommendation ; kg:inspection ?inspection ; kg:position ?n ; rdf:value ?text ;
                  kg:kind ?k ; kg:evidence ?ev ; prov:wasDerivedFrom ?rep .
             ?rep kg:fileName ?report .
             ?inspection kg:inspected ?council ; dcterms:type ?type .
             OPTIONAL { ?inspection kg:startDate ?start } OPTIONAL { ?inspection kg:endDate ?end }
             OPTIONAL { ?rec kg:dueDate ?due_date }
             OPTIONAL { ?rec kg:addressedToAsPrinted ?addressed_to } OPTIONAL { ?ev kg:page ?page } }
  ?type skos:prefLabel ?framework . ?k skos:prefLabel ?kind .
  OPTIONAL { ?rec kg:deadlineGroup/skos:prefLabel ?deadline }
  OPTIONAL { ?council kg:region/skos:prefLabel ?region }
""" + _FILES + "} ORDER BY ?council ?start ?report ?n"

INSPECTORS = _PREFIXES + """
SELECT ?inspector ?role ?lead ?council ?region ?framework ?start ?report ?page ?path WHERE {
  VALUES ?council { %s }
  GRAPH ?g { ?inspection kg:inspected ?council ; dcterms:type ?type ; prov:qualifiedAssociation ?a .
             ?rep prov:wasGeneratedBy ?inspection ; kg:fileName ?report .
             ?a prov:agent ?person ; prov:hadRole ?r .
             OPTIONAL { ?a kg:roleAsPrinted ?printed } OPTIONAL { ?a kg:evidence/kg:page ?page }
             OPTIONAL { ?inspection kg:startDate ?start } }
  ?person foaf:name ?inspector .
  ?type skos:prefLabel ?framework .
  OPTIONAL { ?r rdfs:label ?rl }
  OPTIONAL { ?council kg:region/skos:prefLabel ?region }
  BIND(COALESCE(?printed, ?rl) AS ?role)
  BIND(IF(?r = kg:LeadInspector, "yes", "") AS ?lead)
""" + _FILES + "} ORDER BY ?council ?start ?report DESC(?lead) ?inspector"

ITEM_PAGES = _PREFIXES + """
SELECT ?item ?page ?path WHERE {
  VALUES ?council { %s }
  GRAPH ?g { ?item kg:inspection/kg:inspected ?council ; kg:evidence ?ev . OPTIONAL { ?ev kg:page ?page } }
""" + _FILES + "}"


def _rows(gs, sparql: str, councils: list[str]) -> list[dict]:
    values = " ".join(f"<{c}>" for c in councils)
    res = gs.query(sparql % values, use_default_graph_as_union=True)
    cols = [v.value for v in res.variables]
    return [{c: plain(sol[c], names=True) for c in cols} for sol in res]


def _with_links(rows: list[dict]) -> list[dict]:
    for r in rows:
        r["link"] = report_link(r.pop("path", None), r.get("page"))
    return rows


def council_sheets(gs, scope: Scope, recurrence=None) -> list[Sheet]:
    """The four views of a council or a region, read from the store `gs` (a GraphStore).

    `recurrence` is a RecurrenceResult of the store (kg.recur.link_items of items_from_store); it is
    computed here when not given.
    """
    from .filters import recurrence_in_scope  # noqa: PLC0415
    from .recur import WITHIN, group_links, item_iri, items_from_store, link_items  # noqa: PLC0415

    councils = _councils_in(scope)
    inspections = _with_links(_rows(gs, INSPECTIONS, councils))
    recommendations = _with_links(_rows(gs, RECOMMENDATIONS, councils))
    inspectors = _with_links(_rows(gs, INSPECTORS, councils))
    if recurrence is None:
        items = items_from_store(gs)
        recurrence = link_items(items) if items else None
    recurring: list[dict] = []
    if recurrence is not None:
        result = recurrence_in_scope(recurrence, scope)
        index = {i.key: i for i in result.items}
        pages = {r["item"]: r for r in _rows(gs, ITEM_PAGES, councils)}
        for n, g in enumerate(group_links(result, WITHIN), 1):
            for o in g.occurrences:
                where = pages.get(str(item_iri(index[o.item]))) if o.item in index else None
                recurring.append({"group": n, "theme": g.theme_label, "council": o.council, "date": o.date,
                                  "kind": o.kind, "text": o.text, "report": o.report,
                                  "page": where and where["page"],
                                  "link": report_link(where and where["path"], where and where["page"])})
    links = {"report": "link"}
    return [
        Sheet("Inspections and grades", ("council", "region", "framework", "start", "end", "published", "area",
                                         "grade", "rank", "report", "page", "link"), tuple(inspections), links),
        Sheet("Recommendations", ("council", "region", "framework", "start", "end", "n", "kind", "deadline",
                                  "due_date", "addressed_to", "text", "report", "page", "link"),
              tuple(recommendations), links, wrap=("text",)),
        Sheet("Recurring issues", ("group", "theme", "council", "date", "kind", "text", "report", "page", "link"),
              tuple(recurring), links, wrap=("text",)),
        Sheet("Inspectors", ("inspector", "role", "lead", "council", "region", "framework", "start", "report",
                             "page", "link"), tuple(inspectors), links),
    ]


__all__ = ["Sheet", "write_workbook", "table_sheet", "council_sheets", "report_link"]
