"""Helpers for the graph tests: gold records mapped with their real sample texts."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from kg.read import read_source
from kg.records import Span, record_from_dict

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "reports"
GOLD = REPO / "tests" / "data" / "gold"


def gold_record(stem: str):
    return record_from_dict(json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8")))


def sample_source(stem: str):
    path = next(SAMPLES.glob(f"{stem}.*"))
    return read_source(path)


def with_spans(record, text: str):
    """The record with each recommendation/finding/judgement given the span of its text (or its first
    40 characters) where the text can be found, else a span at 0..1: enough to exercise selectors."""
    def span_of(s: str) -> Span:
        probe = " ".join(s.split())[:40]
        i = text.find(probe)
        return Span(i, i + len(probe)) if i >= 0 else Span(0, 1)
    return replace(
        record,
        recommendations=tuple(replace(r, span=span_of(r.text)) for r in record.recommendations),
        findings=tuple(replace(f, span=span_of(f.text)) for f in record.findings),
        judgements=tuple(replace(j, span=span_of(j.area)) for j in record.judgements),
    )
