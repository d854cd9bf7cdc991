"""Recurrence items: the recommendations and shortfall findings of report records, themed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from ..records import ReportRecord
from ..themes import ThemeMatch, ThemeScheme, assign_themes, default_scheme


def states_shortfall(text: str) -> bool:
    """Whether a headline finding states a shortfall: the tone rule of kg/data/tone.yaml (kg.extract.tone),
    so that praise ('managers make the right decisions') is never linked as if it were an issue."""
    from ..extract.tone import tone

    return tone(text) == "weakness"


# recommendations worded as findings (annual-letter areas for development): their parts are judged by tone
STATEMENT_KINDS = frozenset({"area-for-development", "area-for-priority-action"})

WITHIN = "within-council"
ACROSS = "across-councils"


@dataclass(frozen=True, slots=True)
class Item:
    """One recommendation or finding of one report, with its themes."""

    key: str  # "<document>#recommendation-<position>" or "#finding-<position>"
    document: str  # the report's source file name
    council: str  # canonical council name
    gss_code: str | None
    date: str | None  # the report's date: published, else letter, else inspection end/start
    inspection: str  # identity of the inspection (council + type + start date, else the document)
    category: str  # "recommendation" | "finding"
    position: int  # 1-based among the record's items of this category
    kind: str  # the item's kind (area-for-development, what-needs-to-improve, headline-finding ...)
    text: str  # verbatim
    themes: tuple[ThemeMatch, ...] = ()
    text_sha256: str | None = None  # of the report's text, for the graph mapper's IRIs



def record_date(record: ReportRecord) -> str | None:
    return record.published_date or record.letter_date or record.inspection_end or record.inspection_start


def _inspection_id(record: ReportRecord) -> str:
    council = record.council.gss_code or record.council.canonical or ""
    if record.inspection_start and council:
        return f"{council}/{record.report_type}/{record.inspection_start}"
    return record.document


def _document_name(document: str) -> str:
    """The file name of a record's document (its last path segment), as written: items are keyed by it."""
    return document.rsplit("/", 1)[-1]


def collect_items(records: Iterable[ReportRecord], scheme: ThemeScheme | None = None,
                  finding_kinds: Sequence[str] = ("weakness", "headline-finding")) -> tuple[Item, ...]:
    """The linkable items of the records, each with its themes (items without a theme are kept)."""
    scheme = scheme or default_scheme()
    out: list[Item] = []
    for rec in records:
        council = rec.council.canonical or rec.council.name_as_printed or "(unknown council)"
        base = dict(document=_document_name(rec.document), council=council, gss_code=rec.council.gss_code,
                    date=record_date(rec), inspection=_inspection_id(rec), text_sha256=rec.text_sha256)
        for pos, r in enumerate(rec.recommendations, 1):
            out.append(Item(key=f"{base['document']}#recommendation-{pos}", category="recommendation",
                            position=pos, kind=r.kind, text=r.text, themes=assign_themes(r.text, scheme),
                            **base))
        for pos, f in enumerate(rec.findings, 1):
            if f.kind not in finding_kinds:
                continue
            if f.kind == "headline-finding" and not states_shortfall(f.text):
                continue
            out.append(Item(key=f"{base['document']}#finding-{pos}", category="finding", position=pos,
                            kind=f.kind, text=f.text, themes=assign_themes(f.text, scheme), **base))
    return tuple(out)



def item_order(item: Item) -> tuple:
    """The order items are listed in: by council, date, report, category and position."""
    return item.council, item.date or "", item.document, item.category, item.position


def linkable_parts(item: Item):
    """The parts of an item that can recur: every part of a recommendation; of a finding (or an area
    for development, worded as a finding) of several parts, those that do not praise (the tone rule:
    a weakness paragraph's sentence of praise is not an issue; a neutral one may carry the shortfall)."""
    from .issues import item_parts

    parts = item_parts(item.text)
    if item.category != "finding" and item.kind not in STATEMENT_KINDS or len(parts) == 1:
        return parts
    from ..extract.tone import tone_scores

    return tuple(p for p in parts if (lambda w, s: w >= s)(*tone_scores(p.text)))
