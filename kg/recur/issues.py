"""Specific practice issues (ontology/issues.ttl), item parts, and which issues each part carries.

A theme ('Care leavers') names a topic; an issue ('Quality of pathway plans') names one shortfall a
reader would call the same when two inspections raise it. Each issue is a `skos:Concept` of
`kg:issues` under a theme of `kg:themes` (`skos:broader`) with its evidence as data: `kg:pattern`
(one must match), `kg:requiresPattern` (each must match too) and `kg:excludePattern` (the words that
must not trigger it). The scheme is loaded and checked once.

A composite recommendation ('Improve X; ensure Y and ensure Z') is split into parts, each carrying
its own issues, so that each part can recur on its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import RuleFileError
from ..paths import ontology_dir
from ..scan import may_match

ISSUES_FILE = "issues.ttl"


@dataclass(frozen=True, slots=True)
class Issue:
    iri: str
    label: str
    definition: str
    theme: str  # IRI of the broader theme (kg:themes)
    patterns: tuple[re.Pattern, ...]  # kg:pattern: one must match
    requires: tuple[re.Pattern, ...] = ()  # kg:requiresPattern: each must match
    excludes: tuple[re.Pattern, ...] = ()  # kg:excludePattern: none may match
    min_agreement: float = 0.0  # kg:minAgreement of the issue, else of the scheme
    gate: re.Pattern | None = None  # the kg:patterns as one alternation: a text it cannot match is skipped


@dataclass(frozen=True, slots=True)
class IssueScheme:
    source: str
    issues: tuple[Issue, ...]
    min_agreement: float  # kg:minAgreement: least cosine of the words beyond the trigger words

    def by_iri(self) -> dict[str, Issue]:
        return {i.iri: i for i in self.issues}

    def candidates(self, text: str) -> tuple[Issue, ...]:
        """The issues whose patterns `text` may match: every literal any issue needs (kg.scan) is looked
        for in one pass, instead of asking each issue in turn (the same answer, faster)."""
        gates = _gates(self)
        if gates is None or _TWINS.search(text):
            return tuple(i for i in self.issues if i.gate is None or may_match(i.gate, text))
        finder, contained, need = gates
        found = set()
        for m in finder.finditer(text.lower()):
            found |= contained[m.group(1)]
        return tuple(i for i, lits in zip(self.issues, need) if lits is None or lits & found)


@dataclass(frozen=True, slots=True)
class IssueMatch:
    """One issue of one part, with its trigger words' spans (offsets within the part's text)."""

    issue: str  # IRI
    label: str
    theme: str  # IRI of the broader theme
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Part:
    """A part of an item's text that can be raised on its own (offsets within the item's text)."""

    index: int  # 0-based among the item's parts
    start: int
    end: int
    text: str
    issues: tuple[IssueMatch, ...] = ()


# non-ASCII letters that re.IGNORECASE matches to an ASCII letter (kg.scan folds them): such a text is
# checked the slower way
_TWINS = re.compile("[\u017f\u212a\u0130\u0131]")


@lru_cache(maxsize=4)
def _gates(scheme: IssueScheme):
    """(finder, literal -> literals it contains, per issue its literals or None) for `candidates`."""
    from ..scan import _literals

    need = []
    for issue in scheme.issues:
        lit = _literals(issue.gate) if issue.gate is not None else None
        need.append(frozenset(lit[0]) if lit is not None and lit[1] else None)
    every = sorted({w for n in need if n for w in n}, key=lambda w: (-len(w), w))
    if not every:
        return None
    # at each position the longest literal is reported; the shorter ones inside it count as found too
    finder = re.compile("(?=(" + "|".join(map(re.escape, every)) + "))")
    contained = {w: frozenset(v for v in every if v in w) for w in every}
    return finder, contained, need


def load_issues(path: str | Path | None = None, themes=None) -> IssueScheme:
    """Read the issue scheme; every pattern must compile and every issue's broader theme must be a theme
    of the theme scheme (else RuleFileError naming the file)."""
    from rdflib.namespace import SKOS

    from ..namespaces import KG
    from ..schemefiles import read_scheme_file
    from ..themes import default_scheme

    path = Path(path) if path is not None else ontology_dir() / ISSUES_FILE
    sf = read_scheme_file(path, "issue")
    g = sf.graph
    theme_iris = {t.iri for t in (themes or default_scheme()).themes}
    scheme = KG["issues"]
    agreement = g.value(scheme, KG.minAgreement)
    try:
        min_agreement = float(agreement)
    except (TypeError, ValueError) as exc:
        raise RuleFileError("kg:issues needs a numeric kg:minAgreement", source=str(path)) from exc
    issues = []
    for concept, label, definition in sf.concepts(scheme):
        broader = g.value(concept, SKOS.broader)
        if broader is None or str(broader) not in theme_iris:
            raise RuleFileError(f"issue {concept}: skos:broader must be a theme of kg:themes, not {broader}",
                                source=str(path))
        patterns = sf.patterns(concept, KG.pattern)
        if not patterns:
            raise RuleFileError(f"issue {concept} has no kg:pattern", source=str(path))
        own = g.value(concept, KG.minAgreement)
        try:
            agree = float(own) if own is not None else min_agreement
        except ValueError as exc:
            raise RuleFileError(f"issue {concept}: kg:minAgreement must be a number", source=str(path)) from exc
        issues.append(Issue(str(concept), label, definition, str(broader), patterns,
                            sf.patterns(concept, KG.requiresPattern), sf.patterns(concept, KG.excludePattern), agree,
                            re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)))
    if not issues:
        raise RuleFileError("no skos:Concept in kg:issues", source=str(path))
    return IssueScheme(str(path), tuple(issues), min_agreement)


@lru_cache(maxsize=1)
def default_issues() -> IssueScheme:
    """The bundled issue scheme, loaded once per process."""
    return load_issues()


# A part ends at '; ', at a bullet or line break, before ' and ensure' / ', and ensure' (and the
# like: a second ask, or ', and the quality of ...'), and at a sentence end followed by a capital. Parts under 3 words join the one before.
_SPLIT = re.compile(r";\s+|\s*[\n\u2022\u25cf\u25aa\uf0b7]\s*|(?<=[a-z)])\.\s+(?=[A-Z])"
                    r"|,?\s+(?=and (?:ensure|make sure|improve|strengthen|develop|increase|review|establish|take)\b)"
                    r"|,\s+and (?=the (?:quality|timeliness|consistency|effectiveness|range|use|impact|frequency|regularity)\b)")


def split_parts(text: str) -> list[tuple[int, int]]:
    """(start, end) of each part of `text`; one part when it has no seams."""
    bounds, pos = [], 0
    for m in _SPLIT.finditer(text):
        if m.start() > pos:
            bounds.append([pos, m.start()])
        pos = m.end()
    if pos < len(text):
        bounds.append([pos, len(text)])
    out: list[list[int]] = []
    for b in bounds:
        seg = text[b[0]:b[1]].strip(" ,.:")
        if out and len(seg.split()) < 3:
            out[-1][1] = b[1]
        else:
            out.append(b)
    if len(out) > 1 and len(text[out[0][0]:out[0][1]].split()) < 3:
        out[1][0] = out[0][0]
        out.pop(0)
    return [(a, b) for a, b in out] or [(0, len(text))]


def match_issues(text: str, scheme: IssueScheme | None = None) -> tuple[IssueMatch, ...]:
    """The issues `text` (one part) carries, each with the spans of its trigger words."""
    scheme = scheme or default_issues()
    out = []
    # a pattern is run only on text holding one of the literals it needs (kg.scan: the same answer),
    # asked first of all the issue's patterns at once
    for issue in scheme.candidates(text):
        spans = [m.span() for p in issue.patterns if may_match(p, text) for m in p.finditer(text)
                 if m.end() > m.start()]
        if not spans:
            continue
        req = []
        for p in issue.requires:
            found = [m.span() for m in p.finditer(text) if m.end() > m.start()] if may_match(p, text) else []
            if not found:
                break
            req += found
        else:
            if any(may_match(p, text) and p.search(text) for p in issue.excludes):
                continue
            out.append(IssueMatch(issue.iri, issue.label, issue.theme, tuple(sorted(set(spans + req)))))
    return tuple(out)


@lru_cache(maxsize=65536)
def item_parts(text: str, scheme: IssueScheme | None = None) -> tuple[Part, ...]:
    """The parts of an item's text with their issues (cached by text: items repeat across stores)."""
    scheme = scheme or default_issues()
    parts = []
    for n, (a, b) in enumerate(split_parts(text)):
        seg = text[a:b]
        parts.append(Part(n, a, b, seg, match_issues(seg, scheme)))
    return tuple(parts)
