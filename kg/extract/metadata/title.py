"""The report title printed in the head of a report: it gives the report type and says where the
council's name is printed."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...segment import collapse
from .rules import TitleRule, TypeRules, load_type_rules


@dataclass(frozen=True, slots=True)
class Title:
    rule: TitleRule
    start: int
    end: int
    council_text: str | None


def find_title(text: str, rules: TypeRules | None = None) -> Title | None:
    """The first report title printed in the head of the text (earliest wins, then rule order)."""
    rules = rules or load_type_rules()
    head_end = min(len(text), rules.head_chars)
    best: Title | None = None
    for rule in rules.titles:
        for m in rule.pattern.finditer(text, 0, head_end):
            if not m.group(0)[:1].isupper():
                continue
            if best is None or m.start() < best.start:
                council = m.group("council") if "council" in rule.pattern.groupindex else None
                if council:  # 'within the Royal Borough of ...': the article is not part of the name
                    council = re.sub(r"^the\s+", "", collapse(council))
                best = Title(rule, m.start(), m.end(), council or None)
            break
    return best
