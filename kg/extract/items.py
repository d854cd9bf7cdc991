"""What the inspectors found: judgements, findings, recommendations and organisations.

Contract: `extract_items(src, report_type) -> Items`. Every item carries a Span into `src.text`.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from ..read import SourceText
from ..records import Board, Finding, Judgement, PartnerOrganisation, Recommendation, Service


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


def extract_items(src: SourceText, report_type: str) -> Items:
    """Not yet implemented: returns no items (the items extractor replaces this)."""
    return Items()
