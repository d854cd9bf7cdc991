"""Rule files of the items extractor: YAML lists of entries, loaded once and checked on load.

Each file in `kg/data/` holds named lists of mappings. Every entry is checked for its required
keys and its regexes are compiled here, so a typo fails at load time with the file and line,
not later on some report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import RuleFileError
from .paths import data_dir
from .rulefiles import LINE, load_yaml, rule_error


@dataclass(frozen=True, slots=True)
class Entry:
    """One rule: its fields, its compiled `pattern` (if any) and where it was written."""

    fields: dict[str, Any]
    pattern: re.Pattern[str] | None
    source: str
    line: int

    def __getitem__(self, key: str) -> Any:
        return self.fields[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


@lru_cache(maxsize=None)
def load_rule_file(name: str, path: str | None = None) -> dict[str, tuple[Entry, ...]]:
    """All lists of a rule file, each entry with its compiled pattern.

    Schema (per list): entries are mappings; `pattern`, when present, is a regex (compiled with
    IGNORECASE unless `case: sensitive`); `required` at the top of the file names, per list, the
    keys every entry must have.
    """
    file = Path(path) if path else data_dir() / name
    doc = load_yaml(file)  # mappings carry their line as LINE
    if not isinstance(doc, dict):
        raise RuleFileError("line 1: a rule file must be a mapping of lists", source=str(file))
    required = doc.get("required") or {}
    out: dict[str, tuple[Entry, ...]] = {}
    for key, value in doc.items():
        if key in ("required", LINE):
            continue
        if not isinstance(value, list):
            raise rule_error(file, doc, f"'{key}' must be a list")
        entries = []
        for item in value:
            if not isinstance(item, dict):
                raise rule_error(file, doc, f"entry of '{key}' must be a mapping")
            line = item.pop(LINE, 0)
            missing = [k for k in required.get(key, ()) if k not in item]
            if missing:
                raise RuleFileError(f"line {line}: entry of '{key}' lacks {', '.join(missing)}", source=str(file))
            pattern = None
            if "pattern" in item:
                flags = 0 if item.get("case") == "sensitive" else re.IGNORECASE
                try:
                    pattern = re.compile(str(item["pattern"]), flags | re.MULTILINE)
                except re.error as exc:
                    raise RuleFileError(f"line {line}: bad pattern in '{key}': {exc}", source=str(file)) from exc
            entries.append(Entry(item, pattern, str(file), line))
        out[key] = tuple(entries)
    for key in required:
        if key != LINE and key not in out:
            raise RuleFileError(f"line 1: list '{key}' is missing", source=str(file))
    return out
