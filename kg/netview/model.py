"""What a picture shows of the graph: the filters of a view, councils, inspections with their judgements,
a council's timeline, and the short words a picture labels an inspection with."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Filters:
    """What part of the graph a view covers. Empty fields mean 'all'."""

    council: str | None = None  # a council's name (any of its labels) or IRI
    region: str | None = None  # an English region's name or IRI
    year_from: int | None = None  # inspections that started in or after this year
    year_to: int | None = None  # ... and in or before this year
    theme: str | None = None  # a theme's label (or part of it) or IRI

    def describe(self) -> str:
        parts = []
        if self.theme:
            parts.append(f"theme {self.theme!r}")
        return ", ".join(parts)

    def summary(self) -> str:
        """Every filter in words ('region London, 2013-2019'), for messages about an empty view."""
        years = (f"{self.year_from or ''}-{self.year_to or ''}" if self.year_from or self.year_to else "")
        parts = [f"council {self.council}" if self.council else "", f"region {self.region}" if self.region else "",
                 f"years {years}" if years else "", f"theme {self.theme!r}" if self.theme else ""]
        return ", ".join(p for p in parts if p) or "the whole store"


@dataclass(frozen=True, slots=True)
class Council:
    iri: str
    label: str
    region: str | None = None


@dataclass(frozen=True, slots=True)
class GradedJudgement:
    area: str  # area concept label (the printed wording if the area has no concept)
    area_iri: str | None
    grade: str  # the grade as the framework words it
    rank: int | None  # 1 outstanding ... 4 inadequate (kg:rank); None when unknown


@dataclass(frozen=True, slots=True)
class InspectionSummary:
    """One inspection with what the timeline shows of it."""

    iri: str
    council: str  # council IRI
    council_label: str
    start: str | None  # xsd:date lexical form
    end: str | None
    type_label: str  # "ILACS inspection", "Monitoring visit" ...
    type_code: str | None  # the report-type concept's notation
    judgements: tuple[GradedJudgement, ...] = ()
    recommendations: int = 0
    reports: tuple[str, ...] = ()  # report IRIs
    region: str | None = None  # the council's region

    @property
    def year(self) -> int | None:
        return int(self.start[:4]) if self.start and self.start[:4].isdigit() else None

    @property
    def overall(self) -> GradedJudgement | None:
        """The 'overall effectiveness' judgement if there is one, else the worst grade given."""
        graded = [j for j in self.judgements if j.rank is not None]
        for j in graded:
            if "overall" in j.area.lower():
                return j
        return max(graded, key=lambda j: j.rank) if graded else None


@dataclass(frozen=True, slots=True)
class Timeline:
    """A council's inspections in date order: the data of `kg draw timeline`."""

    council: Council
    inspections: tuple[InspectionSummary, ...]
    reports: int  # distinct reports the inspections come from
    dropped: int = 0  # inspections left out by the cap (the oldest)

    @property
    def years(self) -> tuple[int | None, int | None]:
        ys = [i.year for i in self.inspections if i.year]
        return (min(ys), max(ys)) if ys else (None, None)


TYPE_SHORT = {
    "annual-unannounced-inspection": "Unannounced",
    "safeguarding-and-looked-after-children-inspection": "Safeguarding & LAC",
    "single-inspection": "SIF inspection",
    "ilacs-inspection": "ILACS inspection",
    "focused-visit": "Focused visit",
    "monitoring-visit": "Monitoring visit",
    "joint-targeted-area-inspection": "JTAI",
    "other": "Other",
}

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def short_date(date: str | None) -> str:
    """'2015-11-27' -> 'Nov 2015': what people call an inspection."""
    if not date or len(date) < 7 or not date[:4].isdigit():
        return "undated"
    try:
        return f"{_MONTHS[int(date[5:7]) - 1]} {date[:4]}"
    except (ValueError, IndexError):
        return date[:4]


def inspection_label(i: InspectionSummary, *, with_council: bool = False) -> str:
    """'Nov 2015 SIF inspection' (prefixed with the council when several councils are shown)."""
    label = f"{short_date(i.start)} {TYPE_SHORT.get(i.type_code or '', i.type_label)}"
    return f"{i.council_label}: {label}" if with_council else label


