"""What part of the graph a command covers: one council (any name or code), one region, a span of years.

The commands that take `--council`, `--region`, `--from` and `--to` resolve them here, so that they
all accept the same names and refuse the same mistakes with the same words: an unknown council or
region is an error (exit 2) naming what is known; a filter that matches nothing is not.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from .errors import QueryError
from .resolve import CouncilEntry, council_by_gss, council_named, regions


def _key(name: str) -> str:
    return " ".join(name.replace("&", " and ").casefold().split())


def region_named(name: str) -> str:
    """The region's name as the gazetteer gives it, for any case of its name or its ONS code (E12...)."""
    known = regions()
    value = (name or "").strip()
    if value.upper() in known:
        return known[value.upper()]
    for region in known.values():
        if _key(region) == _key(value):
            return region
    partial = {region for region in known.values() if _key(value) and _key(value) in _key(region)}
    if len(partial) == 1:  # 'Yorkshire' is Yorkshire and the Humber; 'Midlands' is two regions
        return partial.pop()
    raise QueryError(f"no region called {name!r}",
                     hint="the regions are: " + ", ".join(sorted(set(known.values()))))


@dataclass(frozen=True, slots=True)
class Scope:
    """A resolved filter: the council (a gazetteer entry), the region's name, the years (inclusive)."""

    council: CouncilEntry | None = None
    region: str | None = None
    year_from: int | None = None
    year_to: int | None = None

    def allows(self, gss_code: str | None, date: str | None) -> bool:
        """Whether an item of the council with this GSS code, dated `date` (ISO), is in scope."""
        if self.council is not None and gss_code != self.council.gss_code:
            return False
        if self.region is not None:
            entry = council_by_gss(gss_code) if gss_code else None
            if entry is None or entry.region_name is None or _key(entry.region_name) != _key(self.region):
                return False
        if self.year_from is not None or self.year_to is not None:
            year = int(date[:4]) if date and date[:4].isdigit() else None
            if year is None:
                return False
            if self.year_from is not None and year < self.year_from:
                return False
            if self.year_to is not None and year > self.year_to:
                return False
        return True

    @property
    def empty(self) -> bool:
        return self.council is None and self.region is None and self.year_from is None and self.year_to is None

    def describe(self) -> str:
        """'Doncaster, 2013-2019' or 'London, from 2015': what the scope covers, for messages."""
        parts = [self.council.canonical] if self.council else []
        if self.region:
            parts.append(self.region)
        if self.year_from is not None and self.year_to is not None:
            parts.append(f"{self.year_from}-{self.year_to}")
        elif self.year_from is not None:
            parts.append(f"from {self.year_from}")
        elif self.year_to is not None:
            parts.append(f"up to {self.year_to}")
        return ", ".join(parts) or "everything"


def scope_of(council: str | None = None, region: str | None = None, year_from: int | None = None,
             year_to: int | None = None) -> Scope:
    """Resolve the filter options of a command; unknown names and reversed years are QueryErrors."""
    if year_from is not None and year_to is not None and year_from > year_to:
        raise QueryError(f"--from {year_from} is after --to {year_to}", hint="give the earlier year first")
    entry = council_named(council) if council else None
    region_name = region_named(region) if region else None
    if entry is not None and region_name is not None and _key(entry.region_name or "") != _key(region_name):
        raise QueryError(f"{entry.canonical} is not in {region_name} (it is in {entry.region_name})",
                         hint="give --council or --region, or both of one place")
    return Scope(entry, region_name, year_from, year_to)


def recurrence_in_scope(result, scope: Scope):
    """A recurrence result cut to the scope: its items in scope and the links between two of them.

    Links are kept only when both ends are in scope, so "Doncaster's recurring issues 2013-2019"
    are issues raised again within those years.
    """
    if scope.empty:
        return result
    items = tuple(i for i in result.items if scope.allows(i.gss_code, i.date))
    keys = {i.key for i in items}
    links = tuple(link for link in result.links if link.source in keys and link.target in keys)
    return replace(result, items=items, links=links)


def councils_of(items: Iterable) -> list[str]:
    """The councils (canonical names) of some items, sorted: to say what the data does hold."""
    return sorted({i.council for i in items})


__all__ = ["Scope", "scope_of", "region_named", "recurrence_in_scope", "councils_of"]
