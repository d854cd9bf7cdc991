"""Tone: whether a finding, taken as a whole, states a strength or a shortfall.

Focused-visit letters of 2018-21 print their findings under a neutral 'Findings' heading; each
bullet is typed by its dominant tone (gold/SCHEMA.md). The cues and their weights are data
(kg/data/tone.yaml); a bullet is a weakness when its weakness cues outweigh its strength cues.
Mixed bullets exist, so this is a judgement, measured on the gold, not a certainty.
"""
from __future__ import annotations

from functools import lru_cache

from ..rules import Entry, load_rule_file


@lru_cache(maxsize=None)
def tone_rules() -> dict[str, tuple[Entry, ...]]:
    return load_rule_file("tone.yaml")


def tone_scores(text: str) -> tuple[float, float]:
    """(weakness, strength) weight of the cues found in `text`, each occurrence counted."""
    rules = tone_rules()
    weak = sum(float(e["weight"]) * len(e.pattern.findall(text)) for e in rules["weakness"])
    strong = sum(float(e["weight"]) * len(e.pattern.findall(text)) for e in rules["strength"])
    return weak, strong


def tone(text: str) -> str:
    """'weakness' when the shortfall cues outweigh the strength cues, else 'strength'."""
    weak, strong = tone_scores(text)
    return "weakness" if weak > strong else "strength"
