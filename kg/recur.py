"""Recurrence: items of different inspections that raise the same issue, and why they were linked.

Input: report records (each knows its council and dates). Output: frozen dataclasses.

1. `collect_items`: the recommendations of every record, plus findings that state a shortfall
   (kind `weakness`, and `headline-finding`s that contain a shortfall cue), each with its themes
   (`kg.themes.assign_themes`, with evidence).
2. `link_items`: candidate pairs are only items that share a theme (blocking on the theme index);
   within each theme block the TF-IDF vectors (scikit-learn, fitted on all items) are multiplied
   as sparse matrices in row chunks and only each item's `top_k` nearest neighbours above
   `min_score` are kept, so the cost grows with the blocks, not with all pairs of the corpus.
   A pair is linked when its texts' cosine similarity reaches `min_score`; the link carries the
   score, the shared theme (the rarest theme the two share, i.e. the most specific) and the method.
3. `group_links`: per theme, the connected items (through links on that theme) form a recurrence
   group; its occurrences carry council, report file name, date, kind and verbatim text.

`derived_triples` turns a result into RDF for the `derived` named graph: `kg:RecurrenceLink` n-ary
nodes and the items' `kg:theme` assignments with their evidence, all with deterministic IRIs.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from .errors import RuleFileError
from .paths import data_dir
from .records import ReportRecord
from .themes import ThemeMatch, ThemeScheme, assign_themes, default_scheme

METHOD_VERSION = "1"
DEFAULT_MIN_SCORE = 0.15
DEFAULT_TOP_K = 10

# A headline finding is a paragraph of a children's summary; only those that state a shortfall are
# linked (positive headlines such as "The adoption service is good." are not issues).
SHORTFALL_CUE = re.compile(
    r"\b(?:not (?:enough|always|yet|been|consistently|sufficiently|routinely)|(?:is|are|was|were|has|have|do|does|did) not|"
    r"too (?:many|few|long)|lack\w*|more work is needed|needs? to (?:do|make|improve|be)|poor\w*|inadequate|weak\w*|"
    r"insufficient|not happened|not supported)\b", re.IGNORECASE)

WITHIN = "within-council"
ACROSS = "across-councils"


@dataclass(frozen=True, slots=True)
class Item:
    """One recommendation or finding of one report, with its themes."""

    key: str  # "<document>#recommendation-<position>" or "#finding-<position>"
    document: str  # the report's source file name
    council: str  # canonical council name
    gss_code: str | None
    date: str | None  # the report's date: published, else letter, else inspection end/start
    inspection: str  # identity of the inspection (council + type + start date, else the document)
    category: str  # "recommendation" | "finding"
    position: int  # 1-based among the record's items of this category
    kind: str  # the item's kind (area-for-development, what-needs-to-improve, headline-finding ...)
    text: str  # verbatim
    themes: tuple[ThemeMatch, ...] = ()
    text_sha256: str | None = None  # of the report's text, for the graph mapper's IRIs


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


# ------------------------------------------------------------------------------------------ items

def record_date(record: ReportRecord) -> str | None:
    return record.published_date or record.letter_date or record.inspection_end or record.inspection_start


def _inspection_id(record: ReportRecord) -> str:
    council = record.council.gss_code or record.council.canonical or ""
    if record.inspection_start and council:
        return f"{council}/{record.report_type}/{record.inspection_start}"
    return record.document


def _document_name(document: str) -> str:
    """The file name of a record's document (its last path segment), as written: items are keyed by it."""
    return document.rsplit("/", 1)[-1]


def collect_items(records: Iterable[ReportRecord], scheme: ThemeScheme | None = None,
                  finding_kinds: Sequence[str] = ("weakness", "headline-finding")) -> tuple[Item, ...]:
    """The linkable items of the records, each with its themes (items without a theme are kept)."""
    scheme = scheme or default_scheme()
    out: list[Item] = []
    for rec in records:
        council = rec.council.canonical or rec.council.name_as_printed or "(unknown council)"
        base = dict(document=_document_name(rec.document), council=council, gss_code=rec.council.gss_code,
                    date=record_date(rec), inspection=_inspection_id(rec), text_sha256=rec.text_sha256)
        for pos, r in enumerate(rec.recommendations, 1):
            out.append(Item(key=f"{base['document']}#recommendation-{pos}", category="recommendation",
                            position=pos, kind=r.kind, text=r.text, themes=assign_themes(r.text, scheme),
                            **base))
        for pos, f in enumerate(rec.findings, 1):
            if f.kind not in finding_kinds:
                continue
            if f.kind == "headline-finding" and not SHORTFALL_CUE.search(f.text):
                continue
            out.append(Item(key=f"{base['document']}#finding-{pos}", category="finding", position=pos,
                            kind=f.kind, text=f.text, themes=assign_themes(f.text, scheme), **base))
    return tuple(out)


# ------------------------------------------------------------------------------------------ links

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


# ------------------------------------------------------------------------------------------ groups

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


# ------------------------------------------------------------------------------------------ RDF

def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def item_iri(item: Item):
    """The item's IRI as the graph mapper mints it (`kg.rdf.item_iri`), as an rdflib URIRef.

    Records without a text hash (gold records) get id:report/<document stem>/<category>/<position>,
    the mapper's layout with the file stem in place of the text hash.
    """
    from rdflib import URIRef

    from .namespaces import ID

    if item.text_sha256:
        from .rdf import item_iri as mapper_item_iri

        return URIRef(mapper_item_iri(item.text_sha256, item.category, item.position).value)
    report = re.sub(r"[^A-Za-z0-9_.-]", "-", item.document.rsplit(".", 1)[0])
    return ID[f"report/{report}/{item.category}/{item.position}"]


def link_iri(link: Link):
    from .namespaces import ID

    h = hashlib.sha256(f"{link.source}\n{link.target}\n{link.theme}".encode()).hexdigest()[:16]
    return ID[f"recurrence-link/{h}"]


def activity_iri(params: LinkParams):
    from .namespaces import ID

    h = hashlib.sha256(params.method().encode()).hexdigest()[:12]
    return ID[f"activity/recurrence-linking/{h}"]


def derived_triples(result: RecurrenceResult) -> list[tuple]:
    """rdflib triples for the `derived` graph: theme assignments with evidence, and recurrence links."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import PROV, RDF, RDFS, XSD

    from . import __version__
    from .namespaces import KG

    out: list[tuple] = []
    act = activity_iri(result.params)
    out += [(act, RDF.type, KG.RecurrenceLinking), (act, RDF.type, PROV.Activity),
            (act, RDFS.label, Literal("recurrence linking")),
            (act, KG.method, Literal(result.params.method())),
            (act, KG.softwareVersion, Literal(__version__))]
    iris = {}
    for it in result.items:
        node = item_iri(it)
        iris[it.key] = node
        for m in it.themes:
            theme = URIRef(m.theme)
            a = URIRef(f"{node}/theme/{_local(m.theme)}")
            out += [(node, KG.theme, theme), (node, KG.themeAssignment, a),
                    (a, RDF.type, KG.ThemeAssignment), (a, KG.assignedTheme, theme),
                    (a, KG.evidenceText, Literal(m.evidence)),
                    (a, KG.evidenceStart, Literal(m.start, datatype=XSD.integer)),
                    (a, KG.evidenceEnd, Literal(m.end, datatype=XSD.integer)),
                    (a, PROV.wasGeneratedBy, act)]
    for l in result.links:
        n = link_iri(l)
        out += [(n, RDF.type, KG.RecurrenceLink), (n, KG["from"], iris[l.source]), (n, KG.to, iris[l.target]),
                (n, KG.score, Literal(f"{l.score:.4f}", datatype=XSD.decimal)),
                (n, KG.sharedTheme, URIRef(l.theme)), (n, KG.scope, Literal(l.scope)),
                (n, PROV.wasGeneratedBy, act)]
    return out


def derived_quads(result: RecurrenceResult):
    """The same triples as `derived_triples`, as pyoxigraph quads in the `derived` named graph
    (kg.namespaces.GRAPH_DERIVED), made directly (no rdflib terms on the way: this is the build's path).
    A generator, so that the store's bulk loader can write while the rest are made."""
    import pyoxigraph as ox
    from rdflib.namespace import PROV, RDF, RDFS, XSD

    from . import __version__
    from .namespaces import GRAPH_DERIVED, KG

    g = ox.NamedNode(str(GRAPH_DERIVED))
    N, L, Q = ox.NamedNode, ox.Literal, ox.Quad
    rdf_type, prov_gen = N(str(RDF.type)), N(str(PROV.wasGeneratedBy))
    theme_p, assignment_p, assigned_p = N(str(KG.theme)), N(str(KG.themeAssignment)), N(str(KG.assignedTheme))
    assignment_c, text_p = N(str(KG.ThemeAssignment)), N(str(KG.evidenceText))
    start_p, end_p, integer = N(str(KG.evidenceStart)), N(str(KG.evidenceEnd)), N(str(XSD.integer))
    link_c, from_p, to_p, score_p = N(str(KG.RecurrenceLink)), N(str(KG["from"])), N(str(KG.to)), N(str(KG.score))
    shared_p, scope_p, decimal = N(str(KG.sharedTheme)), N(str(KG.scope)), N(str(XSD.decimal))

    act = N(str(activity_iri(result.params)))
    yield from (Q(act, rdf_type, N(str(KG.RecurrenceLinking)), g), Q(act, rdf_type, N(str(PROV.Activity)), g),
                Q(act, N(str(RDFS.label)), L("recurrence linking"), g),
                Q(act, N(str(KG.method)), L(result.params.method()), g),
                Q(act, N(str(KG.softwareVersion)), L(__version__), g))
    iris: dict[str, ox.NamedNode] = {}
    themes: dict[str, ox.NamedNode] = {}
    for it in result.items:
        iri = str(item_iri(it))
        node = iris[it.key] = N(iri)
        for m in it.themes:
            theme = themes.get(m.theme) or themes.setdefault(m.theme, N(m.theme))
            a = N(f"{iri}/theme/{_local(m.theme)}")
            yield from (Q(node, theme_p, theme, g), Q(node, assignment_p, a, g), Q(a, rdf_type, assignment_c, g),
                        Q(a, assigned_p, theme, g), Q(a, text_p, L(m.evidence), g),
                        Q(a, start_p, L(str(m.start), datatype=integer), g),
                        Q(a, end_p, L(str(m.end), datatype=integer), g), Q(a, prov_gen, act, g))
    for l in result.links:
        n = N(str(link_iri(l)))
        theme = themes.get(l.theme) or themes.setdefault(l.theme, N(l.theme))
        yield from (Q(n, rdf_type, link_c, g), Q(n, from_p, iris[l.source], g), Q(n, to_p, iris[l.target], g),
                    Q(n, score_p, L(f"{l.score:.4f}", datatype=decimal), g), Q(n, shared_p, theme, g),
                    Q(n, scope_p, L(l.scope), g), Q(n, prov_gen, act, g))


# ------------------------------------------------------------------------------------------ store

_ITEMS_QUERY = """
PREFIX kg: <https://w3id.org/ofsted-kg/def#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?item ?cls ?pos ?kind ?text ?file ?rep ?insp ?c ?council ?letter ?issued ?start ?end WHERE {
  GRAPH ?g {
    VALUES ?cls { kg:Recommendation kg:Finding }
    ?item a ?cls ; kg:position ?pos ; rdf:value ?text ; kg:kind ?kind ; prov:wasDerivedFrom ?rep .
    ?rep a kg:Report ; kg:fileName ?file .
    OPTIONAL { ?item kg:inspection ?insp .
               OPTIONAL { ?insp kg:startDate ?start } OPTIONAL { ?insp kg:endDate ?end }
               OPTIONAL { ?insp kg:inspected ?c } }
    OPTIONAL { ?rep dcterms:date ?letter }
    OPTIONAL { ?rep dcterms:issued ?issued }
  }
  OPTIONAL { GRAPH ?ref { ?c skos:prefLabel ?council } }
}
"""


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_KG = "https://w3id.org/ofsted-kg/def#"
_DCT = "http://purl.org/dc/terms/"


def item_order(item: Item) -> tuple:
    """The order items are listed in: by council, date, report, category and position."""
    return item.council, item.date or "", item.document, item.category, item.position


def items_from_store(store, scheme: ThemeScheme | None = None,
                     finding_kinds: Sequence[str] = ("weakness", "headline-finding"),
                     skip_graphs: frozenset[str] | set[str] = frozenset()) -> tuple[Item, ...]:
    """The linkable items of every report graph of a built store (`kg.store.GraphStore`), themed.

    The same selection as `collect_items`, read back from the graph the build wrote: recommendations,
    and findings of `finding_kinds` (headline findings only when they state a shortfall).

    The same answers as the SPARQL query `_ITEMS_QUERY` (`_items_from_store_sparql`, kept as the
    reference; tests/test_speed_parity.py), read with quad patterns: per item, its own quads in its
    report graph, and per report and inspection theirs, looked up once. A SPARQL query joining across
    every graph of a 20x store took most of a minute; this takes about a second. Report graphs in
    `skip_graphs` are passed over (their items are known already: `report_items`).
    """
    import pyoxigraph as ox

    from .namespaces import GRAPH_REFERENCE

    scheme = scheme or default_scheme()
    st = store.store
    N = ox.NamedNode
    rdf_type, rdf_value = N(_RDF + "type"), _RDF + "value"
    position, kind_p, derived = _KG + "position", _KG + "kind", "http://www.w3.org/ns/prov#wasDerivedFrom"
    report_c, file_p, insp_p = N(_KG + "Report"), _KG + "fileName", _KG + "inspection"
    start_p, end_p, inspected_p = _KG + "startDate", _KG + "endDate", _KG + "inspected"
    letter_p, issued_p = _DCT + "date", _DCT + "issued"
    pref_label = N("http://www.w3.org/2004/02/skos/core#prefLabel")
    reference = str(GRAPH_REFERENCE)

    def props(node, graph) -> dict[str, object]:
        """predicate IRI -> the least object (by its N-Triples form, for determinism) of node in graph."""
        out: dict[str, object] = {}
        for q in st.quads_for_pattern(node, None, None, graph):
            p = q.predicate.value
            if p not in out or str(q.object) < str(out[p]):
                out[p] = q.object
        return out

    reports: dict[tuple, tuple | None] = {}
    inspections: dict[tuple, dict] = {}
    labels: dict[str, str | None] = {}

    def report_of(rep, graph):
        key = (rep, graph)
        if key not in reports:
            p = props(rep, graph)
            is_report = any(True for _ in st.quads_for_pattern(rep, rdf_type, report_c, graph))
            reports[key] = (p, p[file_p].value) if is_report and file_p in p else None
        return reports[key]

    def label_of(council) -> str | None:
        if council.value not in labels:
            found = sorted((q.graph_name.value != reference, str(q.object), q.object.value)
                           for q in st.quads_for_pattern(council, pref_label, None, None))
            labels[council.value] = found[0][2] if found else None
        return labels[council.value]

    seen: dict[str, Item] = {}
    for cls, category in ((N(_KG + "Recommendation"), "recommendation"), (N(_KG + "Finding"), "finding")):
        for tq in st.quads_for_pattern(None, rdf_type, cls, None):
            node, graph = tq.subject, tq.graph_name
            if node.value in seen or graph.value in skip_graphs:
                continue
            p = props(node, graph)
            if not all(k in p for k in (position, rdf_value, kind_p, derived)):
                continue
            rep = report_of(p[derived], graph)
            if rep is None:
                continue
            kind = _local(p[kind_p].value)
            text = p[rdf_value].value
            if category == "finding" and (kind not in finding_kinds or
                                          kind == "headline-finding" and not SHORTFALL_CUE.search(text)):
                continue
            rep_props, file_name = rep
            insp = p.get(insp_p)
            ip = {}
            if insp is not None:
                key = (insp, graph)
                ip = inspections[key] if key in inspections else inspections.setdefault(key, props(insp, graph))
            c = ip.get(inspected_p)
            council = (label_of(c) if c is not None else None) or "(unknown council)"
            val = lambda d, k: d[k].value if k in d else None  # noqa: E731
            date = val(rep_props, issued_p) or val(rep_props, letter_p) or val(ip, end_p) or val(ip, start_p)
            document = _document_name(file_name or _local(p[derived].value))
            pos = int(p[position].value)
            seen[node.value] = Item(key=f"{document}#{category}-{pos}", document=document, council=council,
                                    gss_code=_local(c.value) if c is not None else None, date=date,
                                    inspection=insp.value if insp is not None else document, category=category,
                                    position=pos, kind=kind, text=text,
                                    themes=assign_themes(text, scheme),
                                    text_sha256=_local(p[derived].value))
    return tuple(sorted(seen.values(), key=item_order))


def _items_from_store_sparql(store, scheme: ThemeScheme | None = None,
                             finding_kinds: Sequence[str] = ("weakness", "headline-finding")) -> tuple[Item, ...]:
    """`items_from_store` as one SPARQL query (`_ITEMS_QUERY`): the reference for the parity test."""
    scheme = scheme or default_scheme()
    seen: dict[str, Item] = {}
    for row in store.store.query(_ITEMS_QUERY):
        iri = row["item"].value
        if iri in seen:
            continue
        category = "recommendation" if row["cls"].value.endswith("Recommendation") else "finding"
        kind = _local(row["kind"].value)
        text = row["text"].value
        if category == "finding" and (kind not in finding_kinds or
                                      kind == "headline-finding" and not SHORTFALL_CUE.search(text)):
            continue
        val = lambda k: row[k].value if row[k] is not None else None  # noqa: E731
        report_hash = _local(val("rep") or "")
        council = val("council") or "(unknown council)"
        date = val("issued") or val("letter") or val("end") or val("start")
        document = _document_name(val("file") or report_hash)
        position = int(val("pos"))
        seen[iri] = Item(key=f"{document}#{category}-{position}", document=document, council=council,
                         gss_code=_local(val("c")) if val("c") else None, date=date,
                         inspection=val("insp") or document, category=category, position=position, kind=kind,
                         text=text, themes=assign_themes(text, scheme), text_sha256=report_hash)
    return tuple(sorted(seen.values(), key=item_order))


def report_items(graph: str, ntriples: str) -> tuple[Item, ...]:
    """The linkable items of one report graph (N-Triples text), themed with the default scheme: exactly
    what `items_from_store` reads back for that graph once it is stored (the same function runs on a
    small in-memory store holding the graph and the reference labels of the nodes it names). The build's
    workers call it, so that the main process need not read every report back."""
    import pyoxigraph as ox

    from .namespaces import GRAPH_REFERENCE
    from .store import GraphStore

    tiny = GraphStore(None)
    g = ox.NamedNode(graph)
    tiny.store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=g)
    labels = _reference_labels()
    councils = {q.object for q in tiny.store.quads_for_pattern(None, ox.NamedNode(_KG + "inspected"), None, g)}
    ref = ox.NamedNode(str(GRAPH_REFERENCE))  # the labels items_from_store looks up (councils' names)
    tiny.store.extend(ox.Quad(n, p, o, ref) for n in councils for p, o in labels.get(n, ()))
    return items_from_store(tiny)


@lru_cache(maxsize=1)
def _reference_labels() -> dict:
    """Node -> its (skos:prefLabel, label) pairs in the reference graph (kg.rdf.reference_triples)."""
    from .rdf import reference_triples

    pref = "http://www.w3.org/2004/02/skos/core#prefLabel"
    out: dict = {}
    for t in reference_triples():
        if t.predicate.value == pref:
            out.setdefault(t.subject, []).append((t.predicate, t.object))
    return out


def refresh_derived(store, params: LinkParams = LinkParams(), scheme: ThemeScheme | None = None,
                    known_items: Mapping[str, Sequence[Item]] | None = None) -> RecurrenceResult:
    """Recompute themes and links from a store's report graphs and replace its `derived` graph
    (`known_items`: report graph IRI -> `report_items` of it, for graphs of the store whose items were
    worked out already, by the build's workers; used with the default scheme only)."""
    known_items = known_items if known_items and (scheme is None or scheme is default_scheme()) else {}
    items = items_from_store(store, scheme, skip_graphs=frozenset(known_items))
    if known_items:
        present = set(store.report_graphs())
        items = tuple(sorted((*items, *(it for g, its in known_items.items() if g in present for it in its)),
                             key=item_order))
    scheme = scheme or default_scheme()
    result = link_items(items, params, scheme)
    store.replace_derived(derived_quads(result))
    store.flush()
    return result
