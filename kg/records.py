"""The report record: frozen dataclasses passed between stages, serialised to gold/SCHEMA.md JSON.

Every extracted item carries a `Span` into the normalised text of its report (the text rendition),
so each fact can be traced back to the exact source text.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range [start, end) in the report's normalised text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Council:
    name_as_printed: str | None
    canonical: str | None
    gss_code: str | None


@dataclass(frozen=True, slots=True)
class Inspector:
    name: str
    role: str | None
    lead: bool
    signatory: bool
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class HeadingSeen:
    """An item heading the extractor recognised, where it stands and how many items it gave."""

    heading: str
    page: int
    items: int
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Addressee:
    title: str | None
    name: str
    role: str | None
    organisation: str | None
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class CopyRecipient:
    name: str
    role: str | None
    organisation: str | None
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Board:
    name_as_printed: str
    kind: str  # safeguarding-children-board | childrens-trust-board | corporate-parenting-board | safeguarding-partnership | other-board
    also_printed_as: tuple[str, ...] = ()
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class PartnerOrganisation:
    name_as_printed: str
    kind: str  # health | police | government | inspectorate | voluntary | other
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Judgement:
    area: str
    section: str | None
    grade_label: str
    grade_number: int
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # strength | satisfactory-practice | headline-finding | weakness
    text: str
    section: str | None = None
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Recommendation:
    text: str
    kind: str  # area-for-priority-action | area-for-development | area-for-improvement | what-needs-to-improve | recommendation
    deadline: str | None  # immediately | within-three-months | within-six-months | None
    addressed_to: str | None
    section: str | None = None
    span: Span | None = None
    supporting_paragraphs: tuple[Span, ...] = ()  # paragraphs marked '(Recommendation)' that support it


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """Everything extracted from one report. `document` is the source file name."""

    document: str
    report_type: str
    council: Council
    letter_date: str | None = None
    published_date: str | None = None
    inspection_start: str | None = None
    inspection_end: str | None = None
    date_notes: str | None = None
    inspectors: tuple[Inspector, ...] = ()
    addressee: Addressee | None = None
    copied_to: tuple[CopyRecipient, ...] = ()
    addressees: tuple[CopyRecipient, ...] = ()  # the people a jointly signed letter is sent to
    written_statement_due: str | None = None  # date by which a written statement of action is due (JTAI)
    boards: tuple[Board, ...] = ()
    services: tuple[Service, ...] = ()
    partner_organisations: tuple[PartnerOrganisation, ...] = ()
    judgements: tuple[Judgement, ...] = ()
    findings: tuple[Finding, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    report_type_reason: str | None = None  # why a report is 'other'
    source_sha256: str | None = None  # hash of the file's bytes
    text_sha256: str | None = None  # hash of the normalised text the spans refer to
    source_format: str | None = None  # pdf | text | html
    headings: tuple[HeadingSeen, ...] = ()  # item headings recognised, with their item counts
    warnings: tuple[str, ...] = ()  # where the extractor is unsure: for a reader to check by hand


def _plain(value: Any) -> Any:
    if isinstance(value, Span):
        return [value.start, value.end]
    if is_dataclass(value):
        out = {}
        for f in fields(value):
            v = getattr(value, f.name)
            if f.name == "also_printed_as" and not v:
                continue
            if f.name == "supporting_paragraphs" and not v:
                continue
            out[f.name] = _plain(v)
        return out
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def record_to_dict(record: ReportRecord) -> dict:
    """The record as the JSON object of gold/SCHEMA.md (plus `span`, `section` and source hashes).

    `services` are printed as plain strings, as in the schema.
    """
    d = _plain(record)
    d["services"] = [s.name for s in record.services]
    return d


def _span(value: Any) -> Span | None:
    return Span(int(value[0]), int(value[1])) if value else None


def record_from_dict(d: dict) -> ReportRecord:
    """Inverse of record_to_dict; also reads gold files (which carry no spans)."""
    def people(cls, rows):
        return tuple(cls(**{k: r.get(k) for k in cls.__dataclass_fields__ if k != "span"},
                         span=_span(r.get("span"))) for r in rows or ())

    council = d.get("council") or {}
    addressee = d.get("addressee")
    return ReportRecord(
        document=d["document"],
        report_type=d.get("report_type") or "other",
        council=Council(council.get("name_as_printed"), council.get("canonical"), council.get("gss_code")),
        letter_date=d.get("letter_date"), published_date=d.get("published_date"),
        inspection_start=d.get("inspection_start"), inspection_end=d.get("inspection_end"),
        date_notes=d.get("date_notes"),
        inspectors=tuple(Inspector(r["name"], r.get("role"), bool(r.get("lead")), bool(r.get("signatory")),
                                   _span(r.get("span"))) for r in d.get("inspectors") or ()),
        addressee=Addressee(addressee.get("title"), addressee["name"], addressee.get("role"),
                            addressee.get("organisation"), _span(addressee.get("span"))) if addressee else None,
        copied_to=people(CopyRecipient, d.get("copied_to")),
        addressees=people(CopyRecipient, d.get("addressees")),
        written_statement_due=d.get("written_statement_due"),
        boards=tuple(Board(b["name_as_printed"], b.get("kind") or "other-board", tuple(b.get("also_printed_as") or ()),
                           _span(b.get("span"))) for b in d.get("boards") or ()),
        services=tuple(Service(s) if isinstance(s, str) else Service(s["name"], _span(s.get("span")))
                       for s in d.get("services") or ()),
        partner_organisations=tuple(PartnerOrganisation(p["name_as_printed"], p.get("kind") or "other",
                                                        _span(p.get("span")))
                                    for p in d.get("partner_organisations") or ()),
        judgements=tuple(Judgement(j["area"], j.get("section"), j["grade_label"], int(j["grade_number"]),
                                   _span(j.get("span"))) for j in d.get("judgements") or ()),
        findings=tuple(Finding(f["kind"], f["text"], f.get("section"), _span(f.get("span")))
                       for f in d.get("findings") or ()),
        recommendations=tuple(Recommendation(r["text"], r["kind"], r.get("deadline"), r.get("addressed_to"),
                                             r.get("section"), _span(r.get("span")),
                                             tuple(_span(s) for s in r.get("supporting_paragraphs") or ()))
                              for r in d.get("recommendations") or ()),
        report_type_reason=d.get("report_type_reason"),
        source_sha256=d.get("source_sha256"), text_sha256=d.get("text_sha256"),
        source_format=d.get("source_format"),
        headings=tuple(HeadingSeen(h["heading"], int(h["page"]), int(h["items"]), _span(h.get("span")))
                       for h in d.get("headings") or ()),
        warnings=tuple(d.get("warnings") or ()),
    )
