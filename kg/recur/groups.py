"""Recurrence groups: the items linked on one theme, in date order."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..themes import default_scheme
from .items import ACROSS
from .links import Link, RecurrenceResult

@dataclass(frozen=True, slots=True)
class Occurrence:
    council: str
    report: str
    date: str | None
    kind: str
    text: str
    item: str  # item key


@dataclass(frozen=True, slots=True)
class RecurrenceGroup:
    theme: str  # IRI
    theme_label: str
    councils: tuple[str, ...]
    occurrences: tuple[Occurrence, ...]  # in date order
    links: tuple[Link, ...]

    @property
    def inspections(self) -> int:
        return len({(o.council, o.report) for o in self.occurrences})

    def as_dict(self) -> dict:
        return {
            "theme": self.theme_label,
            "councils": list(self.councils),
            "first_raised": self.occurrences[0].date if self.occurrences else None,
            "last_raised": self.occurrences[-1].date if self.occurrences else None,
            "inspections": self.inspections,
            "occurrences": [{"council": o.council, "report": o.report, "date": o.date, "kind": o.kind,
                             "text": o.text} for o in self.occurrences],
        }



def group_links(result: RecurrenceResult, scope: str = "all", council: str | None = None,
                min_count: int = 2) -> tuple[RecurrenceGroup, ...]:
    """Recurrence groups: per theme, items connected by links on that theme.

    scope: `within-council` keeps links inside one council (optionally only `council`), and
    `min_count` counts inspections; `across-councils` keeps links between councils and `min_count`
    counts councils; `all` keeps both and counts inspections. A link joins the groups of every
    theme its two items share; groups with the same occurrences under several themes are kept once,
    under the most specific theme.
    """
    index = result._index()
    want = council.casefold() if council else None
    by_theme: dict[str, list[Link]] = defaultdict(list)
    label: dict[str, str] = {}
    for link in result.links:
        if scope != "all" and link.scope != scope:
            continue
        if want and (index[link.source].council.casefold() != want or index[link.target].council.casefold() != want):
            continue
        for t in link.shared_themes:
            by_theme[t].append(link)
        label[link.theme] = link.theme_label

    scheme_labels = {t.iri: t.label for t in default_scheme().themes}
    groups: list[RecurrenceGroup] = []
    seen: set[frozenset[str]] = set()
    # most specific themes first (fewest linked items), so a duplicate set keeps that theme
    order = sorted(by_theme, key=lambda t: (len({k for l in by_theme[t] for k in (l.source, l.target)}), t))
    for theme in order:
        parent: dict[str, str] = {}

        def find(k: str) -> str:
            while parent.setdefault(k, k) != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for l in by_theme[theme]:
            parent[find(l.source)] = find(l.target)
        comps: dict[str, list[str]] = defaultdict(list)
        for k in list(parent):
            comps[find(k)].append(k)
        for members in comps.values():
            mset = frozenset(members)
            if mset in seen:
                continue
            occ = sorted((index[k] for k in members), key=lambda i: (i.date or "", i.council, i.document, i.key))
            councils = tuple(dict.fromkeys(i.council for i in occ))
            n = len(councils) if scope == ACROSS else len({i.inspection for i in occ})
            if n < min_count:
                continue
            seen.add(mset)
            glinks = tuple(l for l in by_theme[theme] if l.source in mset)
            groups.append(RecurrenceGroup(
                theme, label.get(theme) or scheme_labels.get(theme, theme), tuple(sorted(councils)),
                tuple(Occurrence(i.council, i.document, i.date, i.kind, i.text, i.key) for i in occ), glinks))
    groups.sort(key=lambda g: (-len(g.councils) if scope == ACROSS else 0, -g.inspections,
                               g.occurrences[0].council, g.theme_label, g.occurrences[0].date or ""))
    return tuple(groups)
