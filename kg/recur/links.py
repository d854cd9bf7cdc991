"""Recurrence links: TF-IDF similarity of items within theme blocks."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

from ..errors import RuleFileError
from ..paths import data_dir
from ..records import ReportRecord
from ..themes import ThemeScheme, default_scheme
from .items import ACROSS, WITHIN, Item, collect_items

METHOD_VERSION = "1"
DEFAULT_MIN_SCORE = 0.15
DEFAULT_TOP_K = 10


@dataclass(frozen=True, slots=True)
class Link:
    """Two items of different inspections that raise the same issue; `source` is the earlier one."""

    source: str  # item key
    target: str  # item key
    score: float  # TF-IDF cosine similarity of the two texts, 0..1
    theme: str  # IRI of the shared theme the link was made on (the most specific one shared)
    theme_label: str
    shared_themes: tuple[str, ...]  # every theme the two items share (IRIs)
    scope: str  # within-council | across-councils
    method: str



@dataclass(frozen=True, slots=True)
class LinkParams:
    min_score: float = DEFAULT_MIN_SCORE
    top_k: int = DEFAULT_TOP_K
    scope: str = "all"  # all | within-council | across-councils
    theme_weight: float = 1.5  # weight of the theme features against the words

    def method(self) -> str:
        return (f"TF-IDF cosine over stemmed content words and themes (kg:pattern evidence, weight {self.theme_weight}); "
                f"candidates blocked by shared theme, top {self.top_k} neighbours; "
                f"min score {self.min_score}; v{METHOD_VERSION}")


@dataclass(frozen=True, slots=True)
class RecurrenceResult:
    items: tuple[Item, ...]
    links: tuple[Link, ...]
    params: LinkParams = field(default_factory=LinkParams)
    compared: int = 0  # item pairs whose similarity was computed (within theme blocks)

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


def _vectorise(items: Sequence[Item], extra_stop: Iterable[str] = (), theme_weight: float = 1.0):
    """TF-IDF vectors, rows L2-normalised (so a dot product is a cosine similarity).

    Features: the stemmed content words of the text (stop words and council names removed) and one
    feature per theme of the item (`theme:<IRI>`), whose IDF makes a rare theme count more than a
    common one; theme columns are scaled by `theme_weight` before normalising.
    """
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    drop = stop_words() | frozenset(w.casefold() for w in extra_stop)
    docs = [(it.text, tuple(m.theme for m in it.themes)) for it in items]
    vec = TfidfVectorizer(analyzer=lambda d: _tokens(d[0], drop) + [f"theme:{t}" for t in d[1]],
                          sublinear_tf=True, norm=None)
    X = vec.fit_transform(docs).tocsr()
    if theme_weight != 1.0:
        names = vec.get_feature_names_out()
        scale = np.where(np.char.startswith(names.astype(str), "theme:"), theme_weight, 1.0)
        X = X @ sparse.diags(scale)
    return normalize(X.tocsr())


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


def link_items(items: Sequence[Item], params: LinkParams = LinkParams(),
               scheme: ThemeScheme | None = None) -> RecurrenceResult:
    """Recurrence links between items of different inspections (see the module docstring)."""
    import numpy as np

    scheme = scheme or default_scheme()
    items = tuple(items)
    if not items:
        return RecurrenceResult(items, (), params)
    council_words = {w for it in items for w in _WORD.findall(it.council.casefold())}
    X = _vectorise(items, council_words, params.theme_weight).tocsr()
    labels = {t.iri: t.label for t in scheme.themes}

    blocks: dict[str, list[int]] = defaultdict(list)
    for n, it in enumerate(items):
        for m in it.themes:
            blocks[m.theme].append(n)
    block_size = {t: len(ix) for t, ix in blocks.items()}
    theme_sets = [frozenset(m.theme for m in it.themes) for it in items]
    _, inspection = np.unique([it.inspection for it in items], return_inverse=True)
    _, council = np.unique([it.council for it in items], return_inverse=True)

    best: dict[tuple[int, int], float] = {}
    compared = 0
    chunk = 1024
    for theme in sorted(blocks):
        ix = np.asarray(blocks[theme])
        if len(ix) < 2:
            continue
        B = X[ix]
        for lo in range(0, len(ix), chunk):
            S = (B[lo:lo + chunk] @ B.T).tocoo()
            compared += S.shape[0] * S.shape[1]
            a, b, v = ix[S.row + lo], ix[S.col], S.data
            keep = (v >= params.min_score) & (inspection[a] != inspection[b])
            same = council[a] == council[b]
            # top_k is applied separately to neighbours in the same council and in other councils,
            # so that many similar items elsewhere never crowd out a council's own history
            for part in (keep & same, keep & ~same):
                if params.scope == WITHIN and not same[part].all():
                    continue
                if params.scope == ACROSS and same[part].any():
                    continue
                for x, y, val in _top_k(a[part], b[part], v[part], params.top_k):
                    best[(min(x, y), max(x, y))] = val

    method = params.method()
    links = []
    for (a, b), v in best.items():
        shared = theme_sets[a] & theme_sets[b]
        theme = min(shared, key=lambda t: (block_size[t], t))
        x, y = items[a], items[b]
        if (y.date or "", y.key) < (x.date or "", x.key):
            x, y = y, x
        links.append(Link(x.key, y.key, round(min(v, 1.0), 4), theme, labels.get(theme, theme),
                          tuple(sorted(shared, key=lambda t: (block_size[t], t))),
                          WITHIN if x.council == y.council else ACROSS, method))
    links.sort(key=lambda l: (l.source, l.target))
    return RecurrenceResult(items, tuple(links), params, compared)


def find_recurrence(records: Iterable[ReportRecord], params: LinkParams = LinkParams(),
                    scheme: ThemeScheme | None = None) -> RecurrenceResult:
    """Items of the records, themed, and linked."""
    scheme = scheme or default_scheme()
    return link_items(collect_items(records, scheme), params, scheme)
