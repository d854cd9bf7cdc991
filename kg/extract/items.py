"""What the inspectors found: judgements, findings, recommendations and organisations.

Contract: `extract_items(src, report_type) -> Items`. Every item carries a Span into `src.text`.
The report is segmented once (kg.segment) and each item kind has its own module; the extractors
key on headings and layouts rather than on the report type, so a report whose type could not be
decided ('other') still gets its items.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from ..read import SourceText
from ..records import Board, Finding, Judgement, PartnerOrganisation, Recommendation, Service
from ..segment import Segmented, segment
from .findings import extract_findings
from .judgements import extract_judgements
from .organisations import extract_boards, extract_partners, extract_services
from .recommendations import extract_recommendations


@dataclass(frozen=True, slots=True)
class Items:
    judgements: tuple[Judgement, ...] = ()
    findings: tuple[Finding, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    boards: tuple[Board, ...] = ()
    services: tuple[Service, ...] = ()
    partner_organisations: tuple[PartnerOrganisation, ...] = ()

    def as_fields(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def extract_items(src: SourceText, report_type: str, council: str | None = None,
                  seg: Segmented | None = None) -> Items:
    """All items of one report. Layouts decide, and `report_type` where a heading says so
    (sections.yaml `report_types`). `council`, the council's printed name, stands for 'the council'
    in recommendations. `seg`: the report already segmented, if the caller has it."""
    seg = segment(src) if seg is None else seg
    boards = extract_boards(src)
    return Items(
        judgements=extract_judgements(src, seg, report_type),
        findings=extract_findings(src, seg, report_type),
        recommendations=extract_recommendations(src, seg, boards, council),
        boards=boards,
        services=extract_services(src),
        partner_organisations=extract_partners(src),
    )
