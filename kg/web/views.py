"""What the web pages show, as plain data read from a GraphStore: the councils by region with their
latest grades, and one council's timeline, grades, recommendations, recurring issues and the changes
between its last two inspections, each item with its quote and the page of the report it came from.

Everything is read with the named queries of `queries/` (kg.query) and the recurrence library
(kg.recur, as `kg recurring` uses it); no HTML here.
"""
from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..query import get_query, rows_as_plain, run_query

OVERALL = "overall effectiveness"


# ---------------------------------------------------------------- report files and pages

@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file of the catalog: the id in its URL (the hex of its catalog IRI), where it is, its graph."""

    id: str
    path: str
    graph: str | None

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    @property
    def url(self) -> str:
        from urllib.parse import quote

        return f"/report/{self.id}/{quote(self.name)}"


def catalog(gs) -> dict[str, SourceFile]:
    """Id -> SourceFile of every file the catalog lists (built or failed)."""
    out = {}
    for iri, (path, graph) in gs.catalog_files().items():
        sid = iri.rsplit("/", 1)[-1]
        out[sid] = SourceFile(sid, path, graph)
    return out


_PAGES: dict[tuple, tuple[int, ...] | None] = {}  # (path, size, mtime) -> page starts, or None if the text differs


def _page_starts(path: str, text_hash16: str) -> tuple[int, ...] | None:
    """Where each page of a report begins in its text, read again from the file (the graph keeps
    character offsets only). None when the file now reads to a different text than the graph was
    built from (its offsets would point at the wrong pages) or cannot be read."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in _PAGES:
        from ..errors import KgError
        from ..read import read_source

        try:
            src = read_source(Path(path))
        except (KgError, OSError, ValueError):
            _PAGES[key] = None
        else:
            _PAGES[key] = src.page_starts if src.text_sha256.startswith(text_hash16) else None
    return _PAGES[key]


@dataclass(frozen=True, slots=True)
class Source:
    """Where an item was read: the report file's URL (None when the file is gone) and the page."""

    document: str
    url: str | None
    page: int | None

    @property
    def href(self) -> str | None:
        if self.url is None:
            return None
        return f"{self.url}#page={self.page}" if self.page else self.url


class Sources:
    """Resolves (report graph, character offset) to a link to the page of the file it was read from."""

    def __init__(self, gs):
        self.files: dict[str, list[SourceFile]] = {}
        for f in sorted(catalog(gs).values(), key=lambda f: f.path):
            if f.graph:
                self.files.setdefault(f.graph, []).append(f)

    def document(self, name: str) -> Source:
        """A report by its file name (kg:fileName), linked to its first page."""
        f = next((f for fs in self.files.values() for f in fs if f.name == name and os.path.isfile(f.path)), None)
        return Source(name, f.url if f else None, None)

    def file_of(self, graph: str) -> SourceFile | None:
        return next((f for f in self.files.get(graph, ()) if os.path.isfile(f.path)), None)

    def source(self, graph: str, document: str, offset: int | None) -> Source:
        f = self.file_of(graph)
        if f is None:
            return Source(document, None, None)
        page = None
        starts = _page_starts(f.path, graph.rsplit("/", 1)[-1])
        if starts and len(starts) > 1 and offset is not None:
            page = bisect.bisect_right(starts, offset) or 1
        elif starts and f.path.lower().endswith(".pdf"):
            page = 1
        return Source(document, f.url, page)


# ---------------------------------------------------------------- grades

_GRADE_WORDS = (("outstanding", 1), ("good", 2), ("requires improvement", 3), ("adequate", 3), ("inadequate", 4))


def grade_rank(label: str | None, rank: int | None) -> int:
    """1 (best) .. 4 (worst), 0 when unknown: the colour of a grade."""
    if isinstance(rank, int) and 1 <= rank <= 4:
        return rank
    low = (label or "").casefold()
    if low.startswith("inadequate"):
        return 4
    return next((r for word, r in _GRADE_WORDS if low.startswith(word)), 0)


@dataclass(frozen=True, slots=True)
class Grade:
    area: str
    grade: str
    rank: int
    quote: str | None = None
    source: Source | None = None


@dataclass
class Inspection:
    iri: str
    start: str | None
    end: str | None
    report_type: str
    framework: str = ""
    published: str | None = None
    documents: list[str] = field(default_factory=list)
    grades: list[Grade] = field(default_factory=list)

    @property
    def date(self) -> str:
        return self.start or self.published or ""

    @property
    def overall(self) -> Grade | None:
        return next((g for g in self.grades if g.area.casefold() == OVERALL), self.grades[0] if self.grades else None)


def framework_labels(gs) -> dict[str, str]:
    """Report type notation (ilacs-inspection) -> its label (ILACS inspection), from the reference graph."""
    from ..namespaces import REPORT_TYPE

    q = ("SELECT ?n ?l WHERE { ?t <http://www.w3.org/2004/02/skos/core#notation> ?n ; "
         "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l . "
         f'FILTER(STRSTARTS(STR(?t), "{REPORT_TYPE}")) }}')
    return {row["n"].value: row["l"].value for row in gs.query(q, use_default_graph_as_union=True)}


# ---------------------------------------------------------------- the home page

@dataclass(frozen=True, slots=True)
class CouncilSummary:
    name: str
    gss: str
    la_type: str | None
    reports: int
    latest: Inspection | None  # the latest inspection with grades
    last: Inspection | None  # the latest inspection of any kind


@dataclass(frozen=True, slots=True)
class Region:
    name: str
    councils: tuple[CouncilSummary, ...]  # with reports in the store
    without: tuple[str, ...]  # councils of the region with none


def home(gs) -> tuple[Region, ...]:
    """Every region of the gazetteer with its councils, their latest grades from the store."""
    skeleton = rows_as_plain(run_query(gs, get_query("councils-by-region")))
    rows = rows_as_plain(run_query(gs, get_query("inspections-of-every-council")))
    by_council: dict[str, dict[str, Inspection]] = {}
    for r in rows:
        insp = by_council.setdefault(r["gss"], {}).setdefault(r["inspection"], Inspection(
            r["inspection"], r["start"], r["end"], r["report_type"], r["framework"] or r["report_type"],
            r["published"]))
        if r["document"] not in insp.documents:
            insp.documents.append(r["document"])
        if r["area"] and not any(g.area == r["area"] for g in insp.grades):
            insp.grades.append(Grade(r["area"], r["grade"], grade_rank(r["grade"], r["rank"])))
    regions: dict[str, tuple[list, list]] = {}
    for s in skeleton:
        region = regions.setdefault(s["region"] or "(no region)", ([], []))
        inspections = sorted(by_council.get(s["gss"], {}).values(), key=lambda i: i.date)
        if not s["reports"] and not inspections:
            region[1].append(s["council"])
            continue
        graded = [i for i in inspections if i.grades]
        region[0].append(CouncilSummary(s["council"], s["gss"], s["type"], int(s["reports"] or 0),
                                        graded[-1] if graded else None, inspections[-1] if inspections else None))
    return tuple(Region(name, tuple(c), tuple(w)) for name, (c, w) in sorted(regions.items()))


# ---------------------------------------------------------------- one council

@dataclass(frozen=True, slots=True)
class Entry:
    """A recommendation or finding of one report, with its quote and source."""

    key: str  # as kg.recur keys items: "<document>#<category>-<position>"
    inspection: str
    category: str
    position: int
    kind: str
    text: str
    quote: str | None
    source: Source
    deadline: str | None = None
    due_date: str | None = None


@dataclass(frozen=True, slots=True)
class Occurrence:
    date: str | None
    kind: str
    entry: Entry | None
    text: str
    report: str


@dataclass(frozen=True, slots=True)
class Issue:
    theme: str
    inspections: int
    first: str | None
    last: str | None
    occurrences: tuple[Occurrence, ...]


@dataclass(frozen=True, slots=True)
class GradeChange:
    area: str
    before: Grade | None
    after: Grade | None
    change: str  # kg.diff.GradeChange.change: better, worse, same, new (graded only later), gone


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed between two inspections of a council (the earlier, the later)."""

    earlier: Inspection
    later: Inspection
    grades: tuple[GradeChange, ...]
    new: tuple[Entry, ...]
    raised_again: tuple[tuple[Entry, tuple[Entry, ...]], ...]  # later recommendation, earlier items it repeats
    no_longer_raised: tuple[Entry, ...]
    graded: tuple[Inspection, Inspection]  # whose grades `grades` compares: the two, or the last two graded


@dataclass(frozen=True, slots=True)
class CouncilPage:
    name: str
    gss: str
    region: str | None
    la_type: str | None
    inspections: tuple[Inspection, ...]  # in date order
    recommendations: dict  # inspection IRI -> tuple[Entry, ...]
    reports: dict  # document name -> Source (the whole file)
    issues: tuple[Issue, ...]
    changes: Changes | None


_RECURRENCE: dict = {}  # the last store snapshot's recurrence result: {"store": GraphStore, "result": ...}


def recurrence(gs):
    """The recurrence links of every item of the store, as `kg recurring` computes them; kept for the
    snapshot (a worker reopens the store, and so recomputes, after a build)."""
    if _RECURRENCE.get("store") is not gs:
        from ..recur import items_from_store, link_items

        _RECURRENCE.clear()
        _RECURRENCE.update(store=gs, result=link_items(items_from_store(gs)))
    return _RECURRENCE["result"]


def council(gs, name_or_code: str) -> CouncilPage:
    """One council's page; an unknown name is a QueryError."""
    from ..filters import recurrence_in_scope, scope_of
    from ..recur import WITHIN, group_links
    from ..resolve import council_named

    entry = council_named(name_or_code)
    sources = Sources(gs)
    params = {"council": entry.gss_code}
    timeline = rows_as_plain(run_query(gs, get_query("council-timeline"), params))
    items = rows_as_plain(run_query(gs, get_query("council-items"), params))

    labels = framework_labels(gs)
    inspections: dict[str, Inspection] = {}
    for r in timeline:
        insp = inspections.setdefault(r["inspection"], Inspection(
            r["inspection"], r["start"], r["end"], r["report_type"], labels.get(r["report_type"], r["report_type"]),
            r["published"] or r["letter"]))
        if r["document"] not in insp.documents:
            insp.documents.append(r["document"])
    entries: dict[str, Entry] = {}
    recs: dict[str, list[Entry]] = {}
    for r in items:
        src = sources.source(r["graph"], r["document"], r["offset"])
        insp = inspections.get(r["inspection"])
        if r["category"] == "judgement":
            if insp is not None and not any(g.area == r["area"] for g in insp.grades):
                insp.grades.append(Grade(r["area"], r["grade"], grade_rank(r["grade"], r["rank"]), r["quote"], src))
            continue
        e = Entry(f"{r['document']}#{r['category']}-{r['n']}", r["inspection"], r["category"], int(r["n"]),
                  r["kind"] or "", r["text"] or "", r["quote"], src, r["deadline"], r["due_date"])
        entries[e.key] = e
        if e.category == "recommendation":
            recs.setdefault(e.inspection, []).append(e)
    ordered = tuple(sorted(inspections.values(), key=lambda i: i.date))

    result = recurrence_in_scope(recurrence(gs), scope_of(entry.gss_code))
    issues = tuple(
        Issue(g.theme_label, g.inspections, g.occurrences[0].date, g.occurrences[-1].date,
              tuple(Occurrence(o.date, o.kind, entries.get(o.item), o.text, o.report) for o in g.occurrences))
        for g in group_links(result, WITHIN))
    changes = last_two_changes(gs, entry.gss_code, ordered, entries)
    reports = {d: sources.document(d) for i in ordered for d in i.documents}
    return CouncilPage(entry.canonical, entry.gss_code, entry.region_name, entry.la_type, ordered,
                       {k: tuple(v) for k, v in recs.items()}, reports, issues, changes)


def last_two_changes(gs, gss: str, inspections, entries: dict) -> Changes | None:
    """The changes between a council's last two inspections, as `kg diff` finds them (kg.diff: grades by
    area, recommendations paired by their texts), with each recommendation as this page shows it (its
    quote and source link). When one of the two gave no grades, kg.diff compares the last two graded."""
    from ..diff import diff_inspections

    if len(inspections) < 2:
        return None
    d = diff_inspections(gs, gss)
    by_iri = {i.iri: i for i in inspections}
    earlier, later = by_iri.get(d.earlier.iri), by_iri.get(d.later.iri)
    if earlier is None or later is None:
        return None
    graded = (earlier, later) if d.graded is None else (by_iri[d.graded[0].iri], by_iri[d.graded[1].iri])
    kept = {(e.inspection, e.text): e for e in entries.values() if e.category == "recommendation"}

    def entry(insp: Inspection, text: str) -> Entry:
        return kept[(insp.iri, text)]

    grades = tuple(GradeChange(g.area, g.before and Grade(g.area, g.before, grade_rank(g.before, g.before_rank)),
                               g.after and Grade(g.area, g.after, grade_rank(g.after, g.after_rank)), g.change)
                   for g in d.grades)
    new = tuple(entry(later, r.text) for r in d.recommendations if r.status == "new")
    again = tuple((entry(later, r.text), (entry(earlier, r.earlier_text),))
                  for r in d.recommendations if r.status == "raised again")
    gone = tuple(entry(earlier, r.text) for r in d.recommendations if r.status == "no longer raised")
    return Changes(earlier, later, grades, new, again, gone, graded)
