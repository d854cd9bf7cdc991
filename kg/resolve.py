"""Stage 4, resolve: names as printed -> known entities (councils from the gazetteer).

The council gazetteer is `kg/data/la_lookup.csv` (ONS GSS codes, DfE codes, Ofsted URNs, regions,
other names).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from .errors import RuleFileError
from .paths import data_dir


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
    path = data_dir() / "la_lookup.csv"
    out = []
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
                out.append(CouncilEntry(
                    canonical=name, gss_code=gss, dfe_code=(row.get("la_code") or "").strip() or None,
                    urn=(row.get("urn") or "").strip() or None,
                    region_code=(row.get("rgn22cd") or "").strip() or None,
                    region_name=(row.get("region_name") or row.get("rgn22nm") or "").strip() or None,
                    la_type=(row.get("ons_la_type") or "").strip() or None,
                    also_known_as=aka, current=bool(current_gss),
                ))
    except OSError as exc:
        raise RuleFileError(f"cannot read the council gazetteer: {exc}", source=str(path)) from exc
    return tuple(out)


def council_by_gss(gss_code: str) -> CouncilEntry | None:
    return next((c for c in load_councils() if c.gss_code == gss_code), None)
