"""Recurrence groups: per council and issue, the occurrences linked on that issue, in date order; and
the issues ranked by the number of councils in which they recurred.

A group never chains across issues: its members are linked on its one issue (a composite item may sit
in several groups, one per issue its parts carry).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .issues import default_issues, item_parts
from .items import ACROSS, WITHIN, linkable_parts
from .links import Link, RecurrenceResult


@dataclass(frozen=True, slots=True)
class Occurrence:
    council: str
    report: str
    date: str | None
    kind: str
    text: str  # the item's verbatim text
    item: str  # item key
    part: str = ""  # the part of the text that carries the group's issue (the whole text when one part)


@dataclass(frozen=True, slots=True)
class RecurrenceGroup:
    theme: str  # IRI of the issue's broader theme
    theme_label: str
    councils: tuple[str, ...]
    occurrences: tuple[Occurrence, ...]  # in date order
    links: tuple[Link, ...]
    issue: str = ""  # IRI
    issue_label: str = ""

    @property
    def inspections(self) -> int:
        return len({(o.council, o.report) for o in self.occurrences})

    def as_dict(self) -> dict:
        return {
            "issue": self.issue_label,
            "theme": self.theme_label,
            "councils": list(self.councils),
            "first_raised": self.occurrences[0].date if self.occurrences else None,
            "last_raised": self.occurrences[-1].date if self.occurrences else None,
            "inspections": self.inspections,
            "occurrences": [{"council": o.council, "report": o.report, "date": o.date, "kind": o.kind,
                             "text": o.text, "part": o.part} for o in self.occurrences],
        }


@dataclass(frozen=True, slots=True)
class IssueRank:
    """One issue across councils: where it recurred (raised at 2+ linked inspections of one council)
    and where it was raised at one inspection only."""

    issue: str
    issue_label: str
    theme_label: str
    recurred_in: tuple[str, ...]  # councils
    raised_once_in: tuple[str, ...]  # councils

    def as_dict(self) -> dict:
        return {"issue": self.issue_label, "theme": self.theme_label, "recurred_in": len(self.recurred_in),
                "raised_once_in": len(self.raised_once_in), "councils_recurred": list(self.recurred_in),
                "councils_raised_once": list(self.raised_once_in)}


def _part_text(text: str, index: int) -> str:
    parts = item_parts(text)
    return parts[index].text if 0 <= index < len(parts) else text


def group_links(result: RecurrenceResult, scope: str = "all", council: str | None = None,
                min_count: int = 2) -> tuple[RecurrenceGroup, ...]:
    """Recurrence groups, one per issue and council (`within-council`), per issue (`across-councils`:
    the items linked between councils; `min_count` counts councils), or per issue and linked component
    (`all`: both kinds of link). `min_count` counts inspections except across councils."""
    index = result._index()
    want = council.casefold() if council else None
    buckets: dict[tuple, list[Link]] = defaultdict(list)
    for link in result.links:
        if scope != "all" and link.scope != scope:
            continue
        a, b = index[link.source], index[link.target]
        if want and (a.council.casefold() != want or b.council.casefold() != want):
            continue
        key = (link.issue, a.council) if scope == WITHIN else (link.issue,)
        buckets[key].append(link)

    components: list[tuple[str, list[Link]]] = []
    for key, links in buckets.items():
        if scope != "all":
            components.append((key[0], links))
            continue
        parent: dict[str, str] = {}

        def find(k: str) -> str:
            while parent.setdefault(k, k) != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for l in links:
            parent[find(l.source)] = find(l.target)
        comp: dict[str, list[Link]] = defaultdict(list)
        for l in links:
            comp[find(l.source)].append(l)
        components += [(key[0], ls) for ls in comp.values()]

    groups = []
    for issue, links in components:
        part_of: dict[str, int] = {}
        for l in links:
            part_of.setdefault(l.source, l.source_part)
            part_of.setdefault(l.target, l.target_part)
        occ = sorted((index[k] for k in part_of), key=lambda i: (i.date or "", i.council, i.document, i.key))
        councils = tuple(sorted(dict.fromkeys(i.council for i in occ)))
        n = len(councils) if scope == ACROSS else len({i.inspection for i in occ})
        if n < min_count:
            continue
        l0 = links[0]
        groups.append(RecurrenceGroup(
            l0.theme, l0.theme_label, councils,
            tuple(Occurrence(i.council, i.document, i.date, i.kind, i.text, i.key, _part_text(i.text, part_of[i.key]))
                  for i in occ),
            tuple(sorted(links, key=lambda l: (l.source, l.target))), issue, l0.issue_label))
    groups.sort(key=lambda g: (-len(g.councils) if scope == ACROSS else 0, g.occurrences[0].council, -g.inspections,
                               g.occurrences[0].date or "", g.issue_label))
    return tuple(groups)


def rank_issues_across(result: RecurrenceResult, min_count: int = 1) -> tuple[IssueRank, ...]:
    """Issues ranked by the number of councils in which they recurred (a within-council group: raised
    at two or more linked inspections), beside the number of councils that raised them at one
    inspection only; issues that recurred in fewer than `min_count` councils are left out."""
    from ..themes import default_scheme

    issues = default_issues().by_iri()
    themes = {t.iri: t.label for t in default_scheme().themes}
    recurred: dict[str, set[str]] = defaultdict(set)
    for g in group_links(result, WITHIN, min_count=2):
        recurred[g.issue].add(g.councils[0])
    raised: dict[tuple[str, str], set[str]] = defaultdict(set)  # (issue, council) -> inspections
    for it in result.items:
        for part in linkable_parts(it):
            for m in part.issues:
                raised[(m.issue, it.council)].add(it.inspection)
    once: dict[str, set[str]] = defaultdict(set)
    for (issue, c), insp in raised.items():
        if len(insp) == 1:
            once[issue].add(c)
    out = []
    for iri, cs in recurred.items():
        if len(cs) < min_count:
            continue
        iss = issues.get(iri)
        out.append(IssueRank(iri, iss.label if iss else iri, themes.get(iss.theme, "") if iss else "",
                             tuple(sorted(cs)), tuple(sorted(once.get(iri, ())))))
    out.sort(key=lambda r: (-len(r.recurred_in), -len(r.raised_once_in), r.issue_label))
    return tuple(out)
