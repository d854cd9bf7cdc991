"""Rule files: the loader of the items extractor's YAML lists, and the start-up check of every rule file.

Each file in `kg/data/` holds named lists of mappings. Every entry is checked for its required
keys and its regexes are compiled here, so a typo fails at load time with the file and line,
not later on some report.

`check_rule_files()` loads every rule file the pipeline reads (kg/data and the rule-bearing ontology
files) through its own loader, once, so that `kg build` and `kg extract` stop with one line (exit 2)
before any report is read, instead of failing every report on the same broken file. From a shell:
`python -m kg.rules --check` (exit 0 all valid, 2 some file broken). $KG_RULES_DIR points the pipeline
at another directory of rule files in place of the bundled kg/data (see kg.paths).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from .errors import RuleFileError
from .paths import data_dir, ontology_dir
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
    keys every entry must have; `flags` declares, per list, every other key an entry may carry and
    its allowed values (`any` for free text), so a misspelt or unknown flag fails here, with its line,
    instead of being silently ignored by the code that reads it.
    """
    file = Path(path) if path else data_dir() / name
    doc = load_yaml(file)  # mappings carry their line as LINE
    if not isinstance(doc, dict):
        raise RuleFileError("line 1: a rule file must be a mapping of lists", source=str(file))
    required = doc.get("required") or {}
    declared = doc.get("flags") or {}
    if not isinstance(declared, dict) or not all(isinstance(v, dict) for k, v in declared.items() if k != LINE):
        raise rule_error(file, doc, "'flags' must map each list to its flags and their allowed values")
    out: dict[str, tuple[Entry, ...]] = {}
    for key, value in doc.items():
        if key in ("required", "flags", LINE):
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
            if key in declared:
                _check_flags(file, key, line, item, set(required.get(key, ())) | {"id", "pattern"}, declared[key])
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


def _check_flags(file: Path, key: str, line: int, item: dict, plain: set, declared: dict) -> None:
    """Every key of `item` is a required key or a declared flag with an allowed value."""
    for name, value in item.items():
        if name in plain:
            continue
        if name not in declared:
            known = ", ".join(sorted(k for k in declared if k != LINE))
            raise RuleFileError(f"line {line}: unknown key '{name}' in an entry of '{key}' (declared flags: {known})",
                                source=str(file))
        allowed = declared[name]
        if allowed != "any" and value not in (allowed if isinstance(allowed, list) else [allowed]):
            raise RuleFileError(f"line {line}: '{name}: {value}' in '{key}' must be one of "
                                f"{', '.join(map(str, allowed))}", source=str(file))


def _loaders() -> list[tuple[Path, Callable[[], object]]]:
    """(file, the function that loads and checks it) for every rule file the pipeline reads."""
    from .entities import entity_rule
    from .extract.metadata import load_people_rules, load_type_rules
    from .rdf import schemes
    from .read import load_rules
    from .recur import default_issues, domain_stop_words
    from .recur.weights import idf_table
    from .resolve import load_council_names, load_councils
    from .themes import default_scheme

    data, onto = data_dir(), ontology_dir()
    out: list[tuple[Path, Callable[[], object]]] = [
        (data / name, lambda name=name: load_rule_file(name))
        for name in ("grades.yaml", "organisations.yaml", "sections.yaml", "tone.yaml")]
    out += [(data / "report_types.yaml", load_type_rules), (data / "people.yaml", load_people_rules),
            (data / "la_lookup.csv", load_councils), (data / "council_names.yaml", load_council_names),
            (data / "normalise.yaml", load_rules), (data / "recurrence_stopwords.txt", domain_stop_words),
            (data / "recurrence_idf.tsv", idf_table),
            (onto / "themes.ttl", default_scheme), (onto / "issues.ttl", default_issues),
            (onto / "schemes.ttl", schemes), (onto / "entities.rq", entity_rule)]
    return out


def check_rule_files() -> list[tuple[Path, RuleFileError | None]]:
    """Load every rule file (each loader caches what it read, so the pipeline reuses it): (file, its error
    or None). A loader that fails in a way it did not foresee is reported against its file too."""
    if not data_dir().is_dir():
        return [(data_dir(), RuleFileError("the rule files' directory does not exist (is $KG_RULES_DIR right?)",
                                           source=str(data_dir())))]
    out: list[tuple[Path, RuleFileError | None]] = []
    for file, load in _loaders():
        try:
            load()
            out.append((file, None))
        except RuleFileError as exc:
            out.append((file, exc))
        except Exception as exc:  # e.g. a list where the loader expects a mapping
            out.append((file, RuleFileError(f"not a valid rule file: {type(exc).__name__}: {exc}",
                                            source=str(file))))
    return out


def require_rule_files() -> None:
    """Raise the first broken rule file's RuleFileError (exit status 2 in the CLI); called once at the start
    of a build or an extraction, before any report is read."""
    for _, error in check_rule_files():
        if error is not None:
            raise error


def main(argv: list[str] | None = None) -> int:
    """`python -m kg.rules --check`: one line per rule file on stdout, one per broken file on stderr."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m kg.rules", description=(
        "Check every rule file the pipeline reads (kg/data, or $KG_RULES_DIR if set, and the rule-bearing "
        "ontology files). Exit status: 0 all valid, 2 some file is broken."))
    parser.add_argument("--check", action="store_true", required=True, help="load and check every rule file")
    parser.parse_args(argv)
    results = check_rule_files()
    for file, error in results:
        if error is None:
            print(f"ok: {file}")
        else:
            print(f"error: {error.one_line()}", file=sys.stderr)
    return 2 if any(error for _, error in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
