"""Offset-preserving rewriting: a text with, for each character, its index in the raw text, and the
normalisation rules of kg/data/normalise.yaml applied to it, so spans of the normalised text map back."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import yaml

from ..errors import RuleFileError
from ..paths import data_dir
from ..scan import may_contain


class MappedText:
    """A string plus, for each character, its index in the original text."""

    __slots__ = ("text", "offsets")

    def __init__(self, text: str, offsets: list[int] | None = None):
        self.text = text
        self.offsets = list(range(len(text))) if offsets is None else offsets

    def sub(self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> "MappedText":
        """re.sub that keeps the offset map: replacement text maps to the start of its match."""
        text, old = self.text, self.offsets
        first = pattern.search(text)
        if first is None:  # most rules find nothing in most texts: no copy of the offset map
            return self
        out: list[str] = []
        offs: list[int] = []
        last = 0
        literal = None if callable(repl) or "\\" in repl else repl  # no group references: no expand per match
        for m in pattern.finditer(text, first.start()):
            s, e = m.span()
            out.append(text[last:s])
            offs.extend(old[last:s])
            new = literal if literal is not None else (repl(m) if callable(repl) else m.expand(repl))
            if new:
                # characters kept from the match map to their own origin where they line up
                anchor = old[s] if s < len(old) else (old[-1] + 1 if old else 0)
                if new == m.group(0):
                    offs.extend(old[s:e])
                else:
                    offs.extend([anchor] * len(new))
                out.append(new)
            last = e
        out.append(text[last:])
        offs.extend(old[last:])
        return MappedText("".join(out), offs)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    pattern: re.Pattern[str]
    replace: str
    applies_to: frozenset[str]


@lru_cache(maxsize=None)
def load_rules(path: str | None = None) -> tuple[Rule, ...]:
    """Load and check the normalisation rules (id, pattern, replace, formats)."""
    file = Path(path) if path else data_dir() / "normalise.yaml"
    try:
        doc = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleFileError(f"cannot load normalisation rules: {exc}", source=str(file)) from exc
    rules = []
    for i, entry in enumerate(doc.get("rules", []), 1):
        try:
            flags = re.MULTILINE | (re.IGNORECASE if entry.get("ignore_case") else 0) | (
                re.DOTALL if entry.get("dotall") else 0)
            rules.append(Rule(
                id=entry["id"],
                pattern=re.compile(entry["pattern"], flags),
                replace=entry.get("replace", ""),
                applies_to=frozenset(entry.get("formats", ["pdf", "text", "html"])),
            ))
        except (KeyError, re.error, TypeError) as exc:
            raise RuleFileError(f"rule {i} is broken: {exc}", source=str(file)) from exc
    return tuple(rules)


def normalise(mapped: MappedText, fmt: str) -> MappedText:
    """Apply the normalisation rules of `kg/data/normalise.yaml` for this format, in order."""
    for rule in load_rules():
        if fmt in rule.applies_to and may_contain(rule.pattern, mapped.text):
            mapped = mapped.sub(rule.pattern, rule.replace)
    return mapped
