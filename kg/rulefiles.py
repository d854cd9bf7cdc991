"""Rule files (YAML) loaded with line numbers, so a broken rule is reported by file and line.

Every mapping read through `load_yaml` carries its line as the key `__line__`; `rule_error` builds
the RuleFileError that names both.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import RuleFileError

LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records where each mapping starts."""

    def construct_mapping(self, node, deep=False):  # noqa: D401 - PyYAML hook
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping


def load_yaml(path: Path) -> Any:
    """The YAML document at `path`; mappings carry `__line__`. Unreadable or invalid -> RuleFileError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(f"cannot read rule file: {exc.strerror or exc}", source=str(path)) from exc
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise RuleFileError(f"{where}invalid YAML: {getattr(exc, 'problem', None) or exc}",
                            source=str(path)) from exc


def rule_error(path: Path, entry: Any, message: str) -> RuleFileError:
    """A RuleFileError naming the file and the line of `entry` (a mapping from load_yaml)."""
    line = entry.get(LINE) if isinstance(entry, dict) else None
    return RuleFileError(f"line {line}: {message}" if line else message, source=str(path))


def compile_pattern(path: Path, entry: dict, key: str = "pattern", flags: int = 0) -> re.Pattern[str]:
    """Compile entry[key] as a regex in which a plain space matches any run of whitespace.

    Titles wrap over lines in PDF text, so 'Inspection of services' must also match
    'Inspection of\\nservices'; writing the rule with plain spaces keeps the YAML readable.
    """
    source = entry.get(key)
    if not isinstance(source, str) or not source.strip():
        raise rule_error(path, entry, f"'{key}' must be a non-empty string")
    try:
        return re.compile(_spaces_to_whitespace(source), flags | re.MULTILINE)
    except re.error as exc:
        raise rule_error(path, entry, f"bad regex in '{key}': {exc}") from exc


def _spaces_to_whitespace(source: str) -> str:
    """Replace each plain space outside [...] and not escaped with \\s+."""
    out, in_class, escaped = [], False, False
    for ch in source:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            in_class = ch != "]"
        elif ch == "[":
            out.append(ch)
            in_class = True
        elif ch == " ":
            out.append(r"\s+")
        else:
            out.append(ch)
    return "".join(out)
