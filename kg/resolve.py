"""Stage 4, resolve: names as printed -> known entities (councils from the gazetteer).

The council gazetteer is `kg/data/la_lookup.csv` (ONS GSS codes, DfE codes, Ofsted URNs, regions,
other names); `kg/data/council_names.yaml` adds the ways reports print councils' names
(`resolve_council`).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from .errors import RuleFileError
from .paths import data_dir
from .rulefiles import load_yaml, rule_error


@dataclass(frozen=True, slots=True)
class CouncilEntry:
    canonical: str  # e.g. "Doncaster"
    gss_code: str  # current ONS GSS code, e.g. "E08000017"
    dfe_code: str | None  # DfE three-digit LA code
    urn: str | None  # Ofsted URN
    region_code: str | None  # ONS region code, e.g. E12000003
    region_name: str | None
    la_type: str | None  # e.g. "Metropolitan District"
    also_known_as: tuple[str, ...] = ()
    current: bool = True  # False for councils abolished by reorganisation (Cumbria, Poole...)


@lru_cache(maxsize=1)
def load_councils() -> tuple[CouncilEntry, ...]:
    """All English councils of the gazetteer, in file order."""
    return read_gazetteer(data_dir() / "la_lookup.csv")


def _region_key(name: str) -> str:
    return " ".join(name.casefold().split())


def read_gazetteer(path: Path) -> tuple[CouncilEntry, ...]:
    """The councils of a gazetteer file, checked: a region code must carry one region name throughout.

    One mislabelled row once gave the East Midlands code the name "South East", and since the first
    name seen named the region, all East Midlands councils were filed under South East.
    """
    out = []
    region_seen: dict[str, tuple[str, int]] = {}  # region code -> (name, first line)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for line_no, row in enumerate(csv.DictReader(fh), 2):
                current_gss = (row.get("la_code_new") or "").strip()
                gss = current_gss or (row.get("ltla23cd") or row.get("lad23cd") or "").strip()
                name = (row.get("local_authority_ons_name") or "").strip()
                if not gss or not name:
                    raise RuleFileError(f"line {line_no}: missing la_code_new or local_authority_ons_name",
                                        source=str(path))
                aka = tuple(a.strip() for a in (row.get("also_known_as") or "").strip("[]").split(";")
                            if a.strip())
                region_code = (row.get("rgn22cd") or "").strip() or None
                region_name = (row.get("region_name") or row.get("rgn22nm") or "").strip() or None
                if region_code and region_name:
                    first = region_seen.setdefault(region_code, (region_name, line_no))
                    if _region_key(first[0]) != _region_key(region_name):
                        raise RuleFileError(
                            f"line {line_no}: {name} gives region code {region_code} the name {region_name!r}, "
                            f"but line {first[1]} names it {first[0]!r}", source=str(path),
                            hint="one of the two rows has the wrong region code or name")
                out.append(CouncilEntry(
                    canonical=name, gss_code=gss, dfe_code=(row.get("la_code") or "").strip() or None,
                    urn=(row.get("urn") or "").strip() or None,
                    region_code=region_code, region_name=region_name,
                    la_type=(row.get("ons_la_type") or "").strip() or None,
                    also_known_as=aka, current=bool(current_gss),
                ))
    except OSError as exc:
        raise RuleFileError(f"cannot read the council gazetteer: {exc}", source=str(path)) from exc
    return tuple(out)


def regions(entries: Iterable[CouncilEntry] | None = None) -> dict[str, str]:
    """Region code -> region name, for the gazetteer's councils (or `entries`); one name per code."""
    out: dict[str, str] = {}
    for c in entries if entries is not None else load_councils():
        if c.region_code:
            name = c.region_name or c.region_code
            if _region_key(out.setdefault(c.region_code, name)) != _region_key(name):
                raise RuleFileError(f"region code {c.region_code} is named both {out[c.region_code]!r} and {name!r}",
                                    hint=f"see {c.canonical}")
    return out


def council_by_gss(gss_code: str) -> CouncilEntry | None:
    return next((c for c in load_councils() if c.gss_code == gss_code), None)


# ---------------------------------------------------------------- council names as printed


@dataclass(frozen=True, slots=True)
class _NameRules:
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    index: dict[str, CouncilEntry]  # normalised name -> council


def _norm_name(name: str) -> str:
    """Case, '&', apostrophes, 'St.' and punctuation do not distinguish councils."""
    s = name.lower().replace("\u2019", "'").replace("&", " and ")
    s = re.sub(r"\bst\.", "st", s)
    s = re.sub(r"'s\b", "s", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


@lru_cache(maxsize=None)
def load_council_names(path: str | None = None) -> _NameRules:
    """The gazetteer's names plus kg/data/council_names.yaml (or `path`), checked once."""
    path = Path(path) if path else data_dir() / "council_names.yaml"
    doc = load_yaml(path)
    if not isinstance(doc, dict):
        raise RuleFileError("expected a mapping with prefixes, suffixes and aliases", source=str(path))
    by_gss = {c.gss_code: c for c in load_councils()}
    index: dict[str, CouncilEntry] = {}

    def add(name: str, entry: CouncilEntry) -> None:
        key = _norm_name(name)
        if key and key not in index:
            index[key] = entry

    gazetteer = data_dir() / "la_lookup.csv"
    with open(gazetteer, encoding="utf-8-sig", newline="") as fh:
        other_names = {(row.get("la_code_new") or row.get("ltla23cd") or "").strip():
                       [(row.get(k) or "").strip() for k in ("ltla23nm", "utla23nm")]
                       for row in csv.DictReader(fh)}
    for c in load_councils():  # own names first: an old name of a merged council must not shadow them
        add(c.canonical, c)
        inverted = re.fullmatch(r"(.+), ((?:City|County) of)", c.canonical)
        if inverted:  # 'Bristol, City of' -> 'City of Bristol', 'Bristol'
            add(f"{inverted.group(2)} {inverted.group(1)}", c)
            add(inverted.group(1), c)
    for c in load_councils():
        for alt in (*c.also_known_as, *other_names.get(c.gss_code, ())):
            if alt:
                add(alt, c)
    for i, entry in enumerate(doc.get("aliases") or (), 1):
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("gss_code"):
            raise rule_error(path, entry, f"alias {i} needs 'name' and 'gss_code'")
        council = by_gss.get(str(entry["gss_code"]))
        if council is None:
            raise rule_error(path, entry, f"alias {entry['name']!r}: GSS code {entry['gss_code']} "
                                          "is not in the council gazetteer")
        add(str(entry["name"]), council)

    def words(key: str) -> tuple[str, ...]:
        items = doc.get(key) or ()
        if not all(isinstance(w, str) and w.strip() for w in items):
            raise RuleFileError(f"'{key}' must be a list of non-empty strings", source=str(path))
        # longest first, so 'metropolitan borough council' is tried before 'council'
        return tuple(sorted({_norm_name(w) for w in items}, key=len, reverse=True))

    return _NameRules(words("prefixes"), words("suffixes"), index)


def _strip_affixes(key: str, rules: _NameRules) -> Iterator[str]:
    """The name with council-type words removed, one at a time, outermost first."""
    seen = {key}
    todo = [key]
    while todo:
        cur = todo.pop(0)
        for p in rules.prefixes:
            if cur.startswith(p + " "):
                nxt = cur[len(p) + 1:]
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
                    yield nxt
        for s in rules.suffixes:
            if cur.endswith(" " + s):
                nxt = cur[: -len(s) - 1]
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
                    yield nxt


def longest_council_name() -> int:
    """A bound on the length of a council's name as printed: the longest name the resolver knows, with
    room for the longest council-type words before and after it. A longer value names no council, and
    is refused before the affix stripping and fuzzy matching (whose work grows with its length)."""
    rules = load_council_names()
    affixes = max(map(len, rules.prefixes), default=0) + max(map(len, rules.suffixes), default=0)
    return max(map(len, rules.index), default=0) + affixes + 10


FUZZY_CUTOFF = 90  # rapidfuzz ratio; below this, a misspelt name is left unresolved
FUZZY_MARGIN = 5  # the best match must beat the runner-up (another council) by this much


def resolve_council(name_as_printed: str | None) -> CouncilEntry | None:
    """The council a printed name refers to, or None.

    Exact names first (gazetteer, aliases), then the name without council-type words
    ('London Borough of Camden', 'Doncaster Metropolitan Borough Council', 'City of Doncaster
    Council'), and only then a fuzzy match for misspellings, accepted when it is close and clearly
    better than any other council (two councils' names can be near each other, e.g. the Lincolnshires).
    """
    if not name_as_printed or len(name_as_printed) > longest_council_name():
        return None
    rules = load_council_names()
    key = _norm_name(name_as_printed)
    if not key:
        return None
    if key in rules.index:
        return rules.index[key]
    candidates = list(_strip_affixes(key, rules))
    for cand in candidates:
        if cand in rules.index:
            return rules.index[cand]
    from rapidfuzz import fuzz, process

    shortest = min([key, *candidates], key=len)
    if len(shortest) < 4:
        return None
    best = process.extract(shortest, list(rules.index), scorer=fuzz.ratio, limit=5)
    if not best or best[0][1] < FUZZY_CUTOFF:
        return None
    top = rules.index[best[0][0]]
    rivals = [score for name, score, _ in best[1:] if rules.index[name].gss_code != top.gss_code]
    if rivals and best[0][1] - rivals[0] < FUZZY_MARGIN:
        return None
    return top


def council_named(name_or_code: str) -> CouncilEntry:
    """The council a user means by `--council` or a council parameter: any name a report prints for it,
    its other and former names, or its GSS code (any case).

    Every command that takes a council goes through here (kg query, kg recurring, kg draw, kg graph),
    so what one accepts, all accept. An unknown name is a QueryError (exit 2).
    """
    from .errors import QueryError

    value = (name_or_code or "").strip()
    if len(value) > longest_council_name():  # bounded work: the fuzzy matcher never sees such a value
        raise QueryError(f"{len(value)} characters, longer than any council's name",
                         hint="give a council name as in the gazetteer (e.g. Doncaster) or a GSS code")
    entry = council_by_gss(value.upper()) if value else None
    if entry is None and value:
        entry = resolve_council(value)
    if entry is None:
        raise QueryError(f"no council called {name_or_code!r}",
                         hint="give one of its names (e.g. Doncaster, 'City of Doncaster Council') or its GSS code")
    return entry
