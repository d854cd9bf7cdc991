"""What changed between two inspections of one council: grades up or down, and recommendations new,
raised again (with the earlier text) or no longer raised.

Recommendations are matched by the similarity of their texts (TF-IDF cosine over words, English
stop words dropped and common endings cut, the word weights learnt from every recommendation and
finding in the store), one earlier recommendation to each later one at most, best pairs first; a
pair at or above `MIN_SIMILARITY` is "raised again". Grades are matched by judgement area
(the area concept where both have one, else the area as printed); a lower rank is better.
"""
from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import QueryError
from .namespaces import PREFIXES
from .query import plain

MIN_SIMILARITY = 0.2  # TF-IDF cosine; below it two recommendations are taken to be about different things


@dataclass(frozen=True, slots=True)
class InspectionRef:
    """One inspection as a diff shows it: its report (file), framework and dates."""

    iri: str
    council: str
    framework: str
    start: str | None
    end: str | None
    report: str  # the report's file name
    path: str | None  # the file as built, for links


@dataclass(frozen=True, slots=True)
class GradeChange:
    area: str
    before: str | None
    before_rank: int | None
    after: str | None
    after_rank: int | None

    @property
    def change(self) -> str:
        """'better', 'worse', 'same', 'new' (graded only later) or 'gone' (graded only before)."""
        if self.before is None:
            return "new"
        if self.after is None:
            return "gone"
        if self.before_rank is None or self.after_rank is None or self.before_rank == self.after_rank:
            return "same"
        return "better" if self.after_rank < self.before_rank else "worse"


@dataclass(frozen=True, slots=True)
class RecommendationChange:
    status: str  # "new" | "raised again" | "no longer raised"
    text: str  # the later text (the earlier one when no longer raised)
    earlier_text: str | None  # for "raised again": what the earlier inspection said
    similarity: float | None
    page: int | None  # of `text` in its report
    earlier_page: int | None


@dataclass(frozen=True, slots=True)
class InspectionDiff:
    earlier: InspectionRef
    later: InspectionRef
    grades: tuple[GradeChange, ...]
    recommendations: tuple[RecommendationChange, ...]
    # whose grades `grades` compares when that is not (earlier, later): the last two graded inspections,
    # when one of the last two gave no grades (a focused or monitoring visit between)
    graded: tuple[InspectionRef, InspectionRef] | None = None

    def as_dict(self) -> dict:
        out = {
            "council": self.later.council,
            "earlier": asdict(self.earlier), "later": asdict(self.later),
            "grades": [{**asdict(g), "change": g.change} for g in self.grades],
            "recommendations": [asdict(r) for r in self.recommendations],
        }
        if self.graded is not None:
            out["grades_compared"] = [asdict(i) for i in self.graded]
        return out

    def graded_note(self) -> str | None:
        """One sentence saying whose grades are compared, when they are not the two inspections'."""
        if self.graded is None:
            return None
        a, b = self.graded
        return (f"not both of these inspections gave grades: the grades compared are those of the last two graded "
                f"inspections, the {a.framework} of {_when(a)} ({a.report}) and the {b.framework} of {_when(b)} "
                f"({b.report})")

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for g in self.grades:
            out[f"grades {g.change}"] = out.get(f"grades {g.change}", 0) + 1
        for r in self.recommendations:
            out[r.status] = out.get(r.status, 0) + 1
        return out


_PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


def _query(name: str) -> str:
    """The text of `queries/diff/<name>.rq` with the project's prefixes (these are kg diff's own, not named
    queries of `kg query`)."""
    from .paths import queries_dir
    from .query import parse_query_file

    return _PREFIXES + parse_query_file(queries_dir() / "diff" / f"{name}.rq").sparql

_INSPECTIONS = _query("inspections")

_GRADES = _query("grades")

_RECOMMENDATIONS = _query("recommendations")


def _select(gs, sparql: str, **bind) -> list[dict]:
    import pyoxigraph as ox

    subs = {ox.Variable(k): (ox.NamedNode(v) if k in ("council", "inspection") else ox.Literal(v))
            for k, v in bind.items()}
    res = gs.query(sparql, substitutions=subs, use_default_graph_as_union=True)
    cols = [v.value for v in res.variables]
    return [{c: plain(sol[c]) for c in cols} for sol in res]


def inspections_of(gs, council) -> list[InspectionRef]:
    """A council's inspections in the store (`council` a gazetteer entry), oldest first, one per report."""
    from .rdf import council_iri

    rows = _select(gs, _INSPECTIONS, council=council_iri(council.gss_code))
    return [InspectionRef(r["inspection"], council.canonical, r["framework"], r["start"], r["end"], r["report"],
                          r["path"]) for r in rows]


def _pick(found: list[InspectionRef], report: str, council_name: str) -> InspectionRef:
    want = Path(report).name
    for i in found:
        if i.report == want or (i.path and Path(i.path) == Path(report).resolve()):
            return i
    known = ", ".join(i.report for i in found) or "none"
    raise QueryError(f"no report {report!r} of {council_name} in the store", hint=f"its reports: {known}")


def _grade_changes(before: list[dict], after: list[dict]) -> list[GradeChange]:
    def key(r: dict) -> str:
        return _norm(r["area"] or r["area_label"])

    b = {key(r): r for r in before}
    a = {key(r): r for r in after}
    out = []
    for k, r in a.items():
        e = b.get(k)
        out.append(GradeChange(r["area_label"], e and e["grade"], e and e["rank"], r["grade"], r["rank"]))
    for k, e in b.items():
        if k not in a:
            out.append(GradeChange(e["area_label"], e["grade"], e["rank"], None, None))
    return out


def _norm(s: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", s.lower()).split())


_STEMS = ("ments", "ment", "ings", "ing", "ions", "ion", "ies", "es", "s", "ed")


def _tokens(text: str) -> list[str]:
    """Words without English stop words, their common endings cut ('assessments' ~ 'assessed')."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    out = []
    for w in re.findall(r"[a-z]+", text.lower()):
        if len(w) < 3 or w in ENGLISH_STOP_WORDS:
            continue
        for suffix in _STEMS:
            if w.endswith(suffix) and len(w) - len(suffix) >= 4:
                w = w[: -len(suffix)]
                break
        out.append(w)
    return out


def match_texts(earlier: list[str], later: list[str], min_similarity: float = MIN_SIMILARITY,
                corpus: list[str] | None = None) -> dict[int, tuple[int, float]]:
    """later index -> (earlier index, similarity): each text matched to at most one other, best first.

    Word weights (IDF) come from `corpus` (e.g. every recommendation and finding in the store), so
    the words every report uses ('ensure', 'quality') count for little; without it, from the two lists.
    """
    if not earlier or not later:
        return {}
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vec = TfidfVectorizer(tokenizer=_tokens, lowercase=False, token_pattern=None, sublinear_tf=True)
    vec.fit(list(corpus or ()) + earlier + later)
    sim = cosine_similarity(vec.transform(later), vec.transform(earlier))
    pairs = sorted(((sim[i, j], i, j) for i in range(len(later)) for j in range(len(earlier))
                    if sim[i, j] >= min_similarity), reverse=True)
    out: dict[int, tuple[int, float]] = {}
    used: set[int] = set()
    for s, i, j in pairs:
        if i not in out and j not in used:
            out[i] = (j, round(float(s), 3))
            used.add(j)
    return out


_CORPUS = _query("corpus")


def diff_inspections(gs, council: str, from_report: str | None = None, to_report: str | None = None,
                     min_similarity: float = MIN_SIMILARITY) -> InspectionDiff:
    """The diff of two inspections of `council` (any name or GSS code): by default its last two in
    the store; `from_report` / `to_report` (file names or paths as built) choose others."""
    from .resolve import council_named

    entry = council_named(council)
    found = inspections_of(gs, entry)
    if len(found) < 2 and not (from_report and to_report):
        raise QueryError(f"the store holds {len(found)} inspection(s) of {entry.canonical}: a diff needs two",
                         hint="build more of its reports, or give --from-report and --to-report")
    later = _pick(found, to_report, entry.canonical) if to_report else None
    earlier = _pick(found, from_report, entry.canonical) if from_report else None
    if later is None:
        later = next(i for i in reversed(found) if i != earlier)
    if earlier is None:
        before = [i for i in found if i != later and (i.start or "") <= (later.start or "")]
        if not before:
            raise QueryError(f"no inspection of {entry.canonical} before {later.report}",
                             hint="give --from-report")
        earlier = before[-1]
    if earlier == later:
        raise QueryError("--from-report and --to-report name the same report")
    if (earlier.start or "") > (later.start or ""):
        earlier, later = later, earlier

    fetched: dict[InspectionRef, list[dict]] = {}

    def grades_of(ref: InspectionRef) -> list[dict]:
        if ref not in fetched:
            fetched[ref] = _select(gs, _GRADES, inspection=ref.iri, report=ref.report)
        return fetched[ref]

    before_grades, after_grades = grades_of(earlier), grades_of(later)
    graded = None
    if not (from_report or to_report) and not (before_grades and after_grades):
        # the default pair with a visit that gives no grades: compare the last two graded inspections
        last_graded = []  # newest first, up to the later inspection
        for i in reversed([i for i in found if (i.start or "") <= (later.start or "")]):
            if grades_of(i):
                last_graded.append(i)
                if len(last_graded) == 2:
                    break
        if len(last_graded) == 2 and set(last_graded) != {earlier, later}:
            graded = (last_graded[1], last_graded[0])
            before_grades, after_grades = grades_of(graded[0]), grades_of(graded[1])
    grades = _grade_changes(before_grades, after_grades)
    b = _select(gs, _RECOMMENDATIONS, inspection=earlier.iri, report=earlier.report)
    a = _select(gs, _RECOMMENDATIONS, inspection=later.iri, report=later.report)
    corpus = [r["text"] for r in _select(gs, _CORPUS)]
    matched = match_texts([r["text"] for r in b], [r["text"] for r in a], min_similarity, corpus)
    recs = []
    for i, r in enumerate(a):
        if i in matched:
            j, s = matched[i]
            recs.append(RecommendationChange("raised again", r["text"], b[j]["text"], s, r["page"], b[j]["page"]))
        else:
            recs.append(RecommendationChange("new", r["text"], None, None, r["page"], None))
    again = {j for j, _ in matched.values()}
    recs += [RecommendationChange("no longer raised", r["text"], None, None, r["page"], None)
             for j, r in enumerate(b) if j not in again]
    return InspectionDiff(earlier, later, tuple(grades), tuple(recs), graded)


# ----------------------------------------------------------------------------------- HTML page

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 72rem; margin: 2rem auto;
       padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid #ddd; }
th { background: #f3f3f3; }
.better { color: #0a6b2d; font-weight: 600; } .worse { color: #a4000f; font-weight: 600; }
.tag { display: inline-block; padding: 0 .4rem; border-radius: .3rem; font-size: .85em; white-space: nowrap; }
.tag.new { background: #e3f0ff; } .tag.again { background: #fff1d6; } .tag.gone { background: #eaeaea; }
.earlier { color: #555; border-left: 3px solid #ddd; padding-left: .5rem; margin-top: .3rem; }
a { color: #0b57a4; }
"""


def _link(ref: InspectionRef, page: int | None) -> str:
    from .workbook import report_link

    url = report_link(ref.path, page)
    label = html.escape(ref.report + (f", page {page}" if page else ""))
    return f'<a href="{html.escape(url)}">{label}</a>' if url else label


def _when(ref: InspectionRef) -> str:
    return f"{ref.start or '?'} to {ref.end or '?'}"


def to_html(d: InspectionDiff) -> str:
    """A readable static page: no scripts, no external resources."""
    e, a = d.earlier, d.later
    esc = html.escape
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(a.council)}: what changed, {esc(e.start or '')} to {esc(a.start or '')}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{esc(a.council)}: what changed between two inspections</h1>",
        f'<p class="sub">Earlier: {esc(e.framework)}, {esc(_when(e))} ({_link(e, None)}). '
        f"Later: {esc(a.framework)}, {esc(_when(a))} ({_link(a, None)}).</p>",
        "<h2>Grades</h2>",
    ]
    note = d.graded_note()
    if note:
        parts.append(f'<p class="sub">{esc(note[0].upper() + note[1:])}.</p>')
    if d.grades:
        parts.append("<table><thead><tr><th>Area</th><th>Earlier</th><th>Later</th><th>Change</th></tr></thead><tbody>")
        for g in d.grades:
            parts.append(f"<tr><td>{esc(g.area)}</td><td>{esc(g.before or '—')}</td><td>{esc(g.after or '—')}</td>"
                         f'<td class="{g.change}">{esc(g.change)}</td></tr>')
        parts.append("</tbody></table>")
    else:
        parts.append("<p>Neither inspection gave grades.</p>")
    counts = d.counts()
    parts.append(f"<h2>Recommendations</h2><p>{counts.get('new', 0)} new, {counts.get('raised again', 0)} raised "
                 f"again, {counts.get('no longer raised', 0)} no longer raised.</p>")
    if d.recommendations:
        parts.append("<table><thead><tr><th>Status</th><th>Recommendation</th><th>Where</th></tr></thead><tbody>")
        for r in d.recommendations:
            cls = {"new": "new", "raised again": "again", "no longer raised": "gone"}[r.status]
            where_ref = e if r.status == "no longer raised" else a
            text = f"<div>{esc(r.text)}</div>"
            if r.earlier_text:
                text += (f'<div class="earlier">Earlier ({_link(e, r.earlier_page)}, similarity '
                         f"{r.similarity:.2f}): {esc(r.earlier_text)}</div>")
            parts.append(f'<tr><td><span class="tag {cls}">{esc(r.status)}</span></td><td>{text}</td>'
                         f"<td>{_link(where_ref, r.page)}</td></tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


__all__ = ["InspectionRef", "GradeChange", "RecommendationChange", "InspectionDiff", "inspections_of",
           "diff_inspections", "match_texts", "to_html", "MIN_SIMILARITY"]
