"""Recurrence links: two parts of items of different inspections that carry the same issue and whose
wording agrees beyond that issue's own trigger words.

Each item is split into parts (kg.recur.issues.item_parts), each part carries its issues. Per issue,
the parts carrying it form a block; within a block the parts' remaining words (the part's content
words less the issue's trigger words, stop words and council names) are compared as TF-IDF vectors
(fixed IDF values, kg/data/recurrence_idf.tsv: a score depends on its two parts alone) and a pair of
parts is linked when the cosine reaches the issue's (else the scheme's)
kg:minAgreement. A shared theme alone never links. Each link names the issue, the words that matched
and the score. Only each part's `top_k` best neighbours (in its own council, and elsewhere) are kept,
so the cost grows with the issue blocks, not with all pairs of the corpus.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

from ..errors import RuleFileError
from ..paths import data_dir
from ..records import ReportRecord
from ..themes import ThemeScheme
from .issues import IssueScheme, default_issues, item_parts
from .items import ACROSS, WITHIN, Item, collect_items, linkable_parts

METHOD_VERSION = "3"
DEFAULT_MIN_SCORE = None  # the issue scheme's kg:minAgreement
DEFAULT_TOP_K = 30


@dataclass(frozen=True, slots=True)
class Link:
    """Two items of different inspections that raise the same issue; `source` is the earlier one."""

    source: str  # item key
    target: str  # item key
    score: float  # TF-IDF cosine of the two parts' words beyond the issue's trigger words, 0..1
    theme: str  # IRI of the issue's broader theme
    theme_label: str
    shared_themes: tuple[str, ...]  # the issue's theme (kept for the groups and queries that read themes)
    scope: str  # within-council | across-councils
    method: str
    issue: str = ""  # IRI of the issue the link was made on
    issue_label: str = ""
    words: tuple[str, ...] = ()  # the (stemmed) words beyond the trigger words that both parts use
    source_part: int = 0  # 0-based part of the source item
    target_part: int = 0


@dataclass(frozen=True, slots=True)
class LinkParams:
    min_score: float | None = None  # None: the issue scheme's kg:minAgreement
    top_k: int = DEFAULT_TOP_K
    scope: str = "all"  # all | within-council | across-councils

    def threshold(self, issues: IssueScheme | None = None) -> float:
        return self.min_score if self.min_score is not None else (issues or default_issues()).min_agreement

    def method(self) -> str:
        return ("issues of each part (ontology/issues.ttl: kg:pattern, kg:requiresPattern, kg:excludePattern); "
                "parts linked on a shared issue when the TF-IDF cosine (fixed IDF, kg/data/recurrence_idf.tsv) of "
                f"their words beyond the issue's trigger words reaches {self.threshold()}; top {self.top_k} neighbours; v{METHOD_VERSION}")


@dataclass(frozen=True, slots=True)
class RecurrenceResult:
    items: tuple[Item, ...]
    links: tuple[Link, ...]
    params: LinkParams = field(default_factory=LinkParams)
    compared: int = 0  # part pairs whose similarity was computed (within issue blocks)

    def item(self, key: str) -> Item:
        return self._index()[key]

    def _index(self) -> dict[str, Item]:
        # not cached on the frozen instance; cheap enough for CLI sizes
        return {i.key: i for i in self.items}


_WORD = re.compile(r"[a-z]+")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ness", "ments", "ment", "ies", "es", "ed", "s", "ly")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """scikit-learn's English stop words plus the domain words of kg/data/recurrence_stopwords.txt."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | domain_stop_words()


@lru_cache(maxsize=1)
def domain_stop_words() -> frozenset[str]:
    """The words of kg/data/recurrence_stopwords.txt (a '#' starts a comment), case-folded."""
    path = data_dir() / "recurrence_stopwords.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"cannot read stop words: {exc}", source=str(path)) from exc
    return frozenset(w.casefold() for line in lines for w in line.split("#", 1)[0].split())


def _stem_word(word: str) -> str:
    """A light suffix stripper: 'assessments' and 'assessment', 'placements' and 'placement' meet."""
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 4:
            return word[: -len(suf)]
    return word


def _tokens(text: str, drop: frozenset[str]) -> list[str]:
    text = text.casefold().replace("\u2019", "'")
    return [_stem_word(w) for w in _WORD.findall(text) if len(w) > 2 and w not in drop]


def _residual(text: str, spans, drop: frozenset[str]) -> list[str]:
    """The part's content words outside the issue's trigger words (each span blanked out)."""
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return _tokens("".join(chars), drop)


def _sublinear(X):
    """1 + ln(tf) for each non-zero term frequency (scikit-learn's sublinear_tf)."""
    import numpy as np

    X = X.astype(float)
    X.data = 1 + np.log(X.data)
    return X


def _row(M, r: int) -> dict[int, float]:
    """Row r of a CSR matrix as {column: value} (slicing a scipy row per link is slow)."""
    lo, hi = M.indptr[r], M.indptr[r + 1]
    return dict(zip(M.indices[lo:hi].tolist(), M.data[lo:hi].tolist()))


def _top_k(a, b, v, k: int):
    """(a, b, score) keeping each a's k best b (ties broken by b)."""
    import numpy as np

    if not len(a):
        return []
    order = np.lexsort((b, -v, a))
    a, b, v = a[order], b[order], v[order]
    starts = np.r_[0, np.flatnonzero(a[1:] != a[:-1]) + 1]
    rank = np.arange(len(a)) - np.repeat(starts, np.diff(np.r_[starts, len(a)]))
    sel = rank < k
    return zip(a[sel].tolist(), b[sel].tolist(), v[sel].tolist())


@lru_cache(maxsize=1)
def council_words() -> frozenset[str]:
    """The words of every council's name in the gazetteer (kg/data/la_lookup.csv), and of the name
    items of no known council get: never a word two parts agree on. Taken from the gazetteer, not from
    the items at hand, so that a part's words do not change when reports of another council arrive."""
    from ..resolve import load_councils

    names = [n for c in load_councils() for n in (c.canonical, *c.also_known_as)] + ["(unknown council)"]
    return frozenset(w for n in names for w in _WORD.findall(n.casefold()))


def issue_rows(items: Sequence[Item], issues: IssueScheme | None = None,
               only: frozenset[str] | None = None) -> list[tuple[int, object, object]]:
    """(item index, part, issue match) for every issue each item's linkable parts carry (`only`: these
    issues only)."""
    issues = issues or default_issues()
    out = []
    for n, it in enumerate(items):
        for part in (linkable_parts(it) if issues is default_issues() else item_parts(it.text, issues)):
            for m in part.issues:
                if only is None or m.issue in only:
                    out.append((n, part, m))
    return out


def link_items(items: Sequence[Item], params: LinkParams = LinkParams(),
               scheme: ThemeScheme | None = None, issues: IssueScheme | None = None,
               only_issues: Iterable[str] | None = None, describe=None) -> RecurrenceResult:
    """Recurrence links between items of different inspections (see the module docstring).

    `describe(source key, target key, issue)`: whether to work out a link's matched words (an update
    needs them only for the links it writes; the others keep words=()).

    A part that says nothing beyond its issue's trigger words ('The quality of supervision.') states
    the issue bare: its agreement with another part of that issue is the cosine of the two parts'
    whole wording. Each issue's least agreement is its kg:minAgreement (else the scheme's).

    A pair's score depends on its two parts alone: the words are weighed by fixed IDF values
    (kg/data/recurrence_idf.tsv, kg.recur.weights) and the words left out (stop words, the gazetteer's
    council names) are fixed. An issue's links depend on the parts that carry it and nothing else (each
    part keeps its `top_k` best neighbours of that issue), so a report that carries none of an issue
    changes none of its links, and `only_issues` (issue IRIs) computes the links of those issues alone,
    exactly as a full run would: the derived graph is updated issue by issue (kg.recur.store).
    """
    import numpy as np
    from scipy.sparse import diags
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    from ..themes import default_scheme
    from .weights import idf_table

    idf, unseen = idf_table()
    issues = issues or default_issues()
    items = tuple(items)
    if not items:
        return RecurrenceResult(items, (), params)
    theme_labels = {t.iri: t.label for t in (scheme or default_scheme()).themes}
    drop = stop_words() | council_words()
    only = frozenset(only_issues) if only_issues is not None else None

    found = issue_rows(items, issues, only)
    if not found:
        return RecurrenceResult(items, (), params)
    rows = [(n, part.index, m.issue) for n, part, m in found]  # (item, part, issue IRI)
    evidence = [tuple(part.text[a:b].casefold() for a, b in m.spans) for _, part, m in found]  # trigger words
    full_of: dict[tuple[int, int], list[str]] = {}
    rest_docs: list[list[str]] = []  # the words beyond the issue's trigger words
    full_docs: list[list[str]] = []  # every content word of the part
    for n, part, m in found:
        key = (n, part.index)
        if key not in full_of:
            full_of[key] = _tokens(part.text, drop)
        full_docs.append(full_of[key])
        rest_docs.append(_residual(part.text, m.spans, drop))
    bare = np.asarray([not d for d in rest_docs], dtype=float)  # parts that state their issue and nothing else

    row_item = np.asarray([r[0] for r in rows])
    _, inspection = np.unique([it.inspection for it in items], return_inverse=True)
    _, council = np.unique([it.council for it in items], return_inverse=True)
    blocks: dict[str, list[int]] = defaultdict(list)
    for k, (_, _, issue) in enumerate(rows):
        blocks[issue].append(k)

    by_iri = issues.by_iri()
    best: dict[tuple[int, int, str], tuple[float, int, int]] = {}
    block_of: dict[str, tuple] = {}  # issue -> (row -> block position, R, F, vocabulary), for the words
    compared = 0
    chunk = 1024
    for issue in sorted(blocks):
        ix = np.asarray(blocks[issue])
        if len(ix) < 2:
            continue
        threshold = params.min_score if params.min_score is not None else by_iri[issue].min_agreement
        # words weighed by the fixed IDF of kg/data/recurrence_idf.tsv (sublinear TF): a pair's score
        # depends on its two parts alone
        vec = CountVectorizer(analyzer=lambda d: d)
        vec.fit([full_docs[k] for k in ix])
        vocab = vec.get_feature_names_out()
        weight = diags(np.asarray([idf.get(w, unseen) for w in vocab]))
        RB, FB = (normalize(_sublinear(vec.transform([docs[k] for k in ix])) @ weight).tocsr()
                  for docs in (rest_docs, full_docs))
        block_of[issue] = ({int(k): j for j, k in enumerate(ix)}, RB, FB, vocab)
        bb = bare[ix]
        for lo in range(0, len(ix), chunk):
            hi = min(lo + chunk, len(ix))
            # a bare part agrees by its whole wording; two parts that say more, by what they say beyond it
            compared += (hi - lo) * len(ix)
            if threshold <= 0:  # an issue specific enough that carrying it is the agreement: every pair,
                D = (FB[lo:hi] @ FB.T).toarray()  # scored (and ranked) by the parts' whole wording
                r, c = np.indices(D.shape)
                a, b, v = ix[r.ravel() + lo], ix[c.ravel()], D.ravel()
            else:
                Sf = (FB[lo:hi] @ FB.T).tocoo()
                either = np.maximum(bb[lo:hi][Sf.row], bb[Sf.col]) > 0
                S = (RB[lo:hi] @ RB.T).tocoo()
                a = np.r_[ix[S.row + lo], ix[Sf.row[either] + lo]]
                b = np.r_[ix[S.col], ix[Sf.col[either]]]
                v = np.r_[S.data, Sf.data[either]]
            ia, ib = row_item[a], row_item[b]
            keep = (v >= threshold - 1e-9) & (inspection[ia] != inspection[ib])
            same = council[ia] == council[ib]
            # top_k is applied separately to neighbours in the same council and in other councils,
            # so that many similar parts elsewhere never crowd out a council's own history
            for part, is_same in ((keep & same, True), (keep & ~same, False)):
                if params.scope == WITHIN and not is_same or params.scope == ACROSS and is_same:
                    continue
                for x, y, val in _top_k(a[part], b[part], v[part], params.top_k):
                    key = (min(row_item[x], row_item[y]), max(row_item[x], row_item[y]), issue)
                    if key not in best or val > best[key][0]:
                        best[key] = (val, x, y) if row_item[x] < row_item[y] else (val, y, x)

    method = params.method()
    links = []
    for (a, b, issue), (v, ra, rb) in best.items():
        x, y = items[a], items[b]
        if (y.date or "", y.key) < (x.date or "", x.key):
            x, y, ra, rb = y, x, rb, ra
        words: tuple[str, ...] = ()
        if describe is None or describe(x.key, y.key, issue):
            whole = bare[ra] or bare[rb] or by_iri[issue].min_agreement <= 0 and params.min_score is None
            pos, RB, FB, vocab = block_of[issue]
            M = FB if whole else RB
            wa, wb = _row(M, pos[ra]), _row(M, pos[rb])
            # ties by column: the block's vocabulary is sorted, so by the word
            words = tuple(vocab[c] for _, c in sorted((-wa[c] * wb[c], c) for c in wa.keys() & wb.keys())[:8])
            if not words:  # a specific issue's link whose parts share no content word: the issue's own words
                words = tuple(dict.fromkeys(evidence[ra] + evidence[rb]))[:8]
        iss = by_iri[issue]
        links.append(Link(x.key, y.key, round(min(v, 1.0), 4), iss.theme, theme_labels.get(iss.theme, iss.theme),
                          (iss.theme,), WITHIN if x.council == y.council else ACROSS, method,
                          issue, iss.label, words, rows[ra][1], rows[rb][1]))
    links.sort(key=lambda l: (l.source, l.target, l.issue))
    return RecurrenceResult(items, tuple(links), params, compared)


def find_recurrence(records: Iterable[ReportRecord], params: LinkParams = LinkParams(),
                    scheme: ThemeScheme | None = None) -> RecurrenceResult:
    """Items of the records, themed, and linked."""
    return link_items(collect_items(records, scheme), params, scheme)
