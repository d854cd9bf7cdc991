"""Stage 5, map: a report record -> the quads of its report's named graph; plus the reference graph.

Everything here is deterministic: the same record and text give the same quads, in the same order,
with no blank nodes, so report graphs are byte-identical across rebuilds.

IRIs (all under `kg.namespaces.ID`):

- council          `council/<GSS code>`                         (reference graph, from the gazetteer)
- region           `region/<E12 code>`
- inspection       `inspection/<GSS>/<report type>/<start date>` (`unknown` council / `report-<hash>` start
                   when the report does not say)
- report           `report/<text hash 16>`  -- the content hash of the normalised text that every span
                   indexes into; the file's byte hash is its `dcterms:identifier`
- text rendition   `text/<text hash 16>`
- items            `report/<text hash 16>/<judgement|recommendation|finding>/<position>` (1-based)
- evidence         `<item>/evidence` (+ `/position`, `/quote` selectors)
- person           `person/<normalised name>`; boards `council/<GSS>/board/<kind or name>`; services
                   `council/<GSS>/service/<name>`; partners `org/<name>` (generic names such as 'police'
                   are scoped to the council: `council/<GSS>/partner/police`)

Due dates: a recommendation with a deadline group gets `kg:dueDate` = the inspection's last day plus
0 (Immediately), 3 (Within three months) or 6 (Within six months) calendar months, the day clamped to
the end of a shorter month, and `kg:dueDateRule` naming that rule (`ontology/schemes.ttl`). Without a
last day no due date is given (and a shape warns).
"""
from __future__ import annotations

import bisect
import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Iterable, Iterator

import pyoxigraph as ox

from .errors import MapError, RuleFileError
from .namespaces import (AREA, BOARD_KIND, DEADLINE, FINDING_KIND, GRADE, GRAPH_REFERENCE, ID, KG, LA_TYPE,
                         OA, ONS_GEO, ORG, PARTNER_KIND, REC_KIND, REPORT_TYPE, report_graph)
from .paths import ontology_dir
from .records import ReportRecord, Span
from .resolve import CouncilEntry, council_by_gss, load_councils
from .resolve import regions as region_names

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
DCT_NS = "http://purl.org/dc/terms/"
PROV_NS = "http://www.w3.org/ns/prov#"
FOAF_NS = "http://xmlns.com/foaf/0.1/"
TIME_NS = "http://www.w3.org/2006/time#"

QUOTE_CONTEXT = 32  # characters of prefix / suffix in a TextQuoteSelector
OFSTED = ID["org/ofsted"]
DUE_RULES = {"immediately": (0, KG["due-immediately"]), "within-three-months": (3, KG["due-end-plus-3-months"]),
             "within-six-months": (6, KG["due-end-plus-6-months"])}
BOARD_NAMES = {"safeguarding-children-board": "Safeguarding Children Board",
               "childrens-trust-board": "Children's Trust Board", "corporate-parenting-board": "Corporate Parenting Board",
               "safeguarding-partnership": "Safeguarding Partnership"}
MEDIA_TYPES = {"pdf": "application/pdf", "text": "text/plain", "html": "text/html"}


# ------------------------------------------------------------------------------------ term helpers

@lru_cache(maxsize=4096)
def N(iri: str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _p(ns: str, local: str) -> ox.NamedNode:
    return N(ns + local)


TYPE = _p(RDF_NS, "type")
VALUE = _p(RDF_NS, "value")
LABEL = _p(RDFS_NS, "label")
PREF = _p(SKOS_NS, "prefLabel")
ALT = _p(SKOS_NS, "altLabel")
NOTATION = _p(SKOS_NS, "notation")
XSD_DATE = _p(XSD_NS, "date")
XSD_INT = _p(XSD_NS, "integer")
XSD_BOOL = _p(XSD_NS, "boolean")


def k(local: str) -> ox.NamedNode:
    return N(KG[local])


def dct(local: str) -> ox.NamedNode:
    return _p(DCT_NS, local)


def prov(local: str) -> ox.NamedNode:
    return _p(PROV_NS, local)


def org(local: str) -> ox.NamedNode:
    return N(ORG[local])


def oa(local: str) -> ox.NamedNode:
    return N(OA[local])


def foaf(local: str) -> ox.NamedNode:
    return _p(FOAF_NS, local)


def time_(local: str) -> ox.NamedNode:
    return _p(TIME_NS, local)


def text(value: str) -> ox.Literal:
    return ox.Literal(value)


def en(value: str) -> ox.Literal:
    return ox.Literal(value, language="en")


def integer(value: int) -> ox.Literal:
    """An xsd:integer. (Oxigraph stores every integer-derived type as xsd:integer, so the graph uses
    xsd:integer throughout and the shapes bound the values with sh:minInclusive.)"""
    return ox.Literal(str(int(value)), datatype=XSD_INT)


def xsd_date(value: str) -> ox.Literal:
    """An xsd:date literal. A value that is not a real date is kept as a plain string, so the shapes
    report it (sh:datatype) instead of tools choking on an ill-typed date."""
    if _parse_date(value) is None:
        return ox.Literal(value)
    return ox.Literal(value, datatype=XSD_DATE)


def slug(value: str) -> str:
    """Lower-case ASCII words joined by '-': "Children’s Trust Board" -> "childrens-trust-board"."""
    s = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"['`]", "", s.lower().replace("&", " and "))
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-") or "unnamed"


_TITLES = re.compile(r"^(mr|mrs|ms|miss|dr|prof|professor|sir|dame|cllr|councillor)\.?\s+", re.IGNORECASE)


def person_key(name: str) -> str:
    """Normalised name of a person: titles dropped, accents folded, case and punctuation ignored."""
    return slug(_TITLES.sub("", " ".join(name.split())))


def _norm(value: str) -> str:
    """Normalisation for matching labels: case, quotes, a leading 'the', parentheses and punctuation."""
    s = value.lower().replace("\u2019", "'")
    s = re.sub(r"\([^)]*\)", " ", s)
    s = re.sub(r"^the\s+", "", s.strip())
    return " ".join(re.sub(r"[^a-z0-9]+", " ", s).split())


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def add_months(day: date, months: int) -> date:
    """Calendar months later, the day clamped to the end of a shorter month (31 Aug + 6 = 28/29 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ------------------------------------------------------------------------------------------ IRIs

def council_iri(gss_code: str) -> str:
    return str(ID[f"council/{gss_code}"])


def region_iri(code: str) -> str:
    return str(ID[f"region/{code}"])


def report_iri(text_sha256: str) -> str:
    return str(ID[f"report/{text_sha256[:16]}"])


def text_iri(text_sha256: str) -> str:
    return str(ID[f"text/{text_sha256[:16]}"])


def item_iri(text_sha256: str, category: str, position: int) -> ox.NamedNode:
    """IRI of the `position`-th (1-based) judgement / recommendation / finding of a report."""
    return N(f"{report_iri(text_sha256)}/{category}/{position}")


def person_iri(name: str) -> str:
    return str(ID[f"person/{person_key(name)}"])


def inspection_iri(gss_code: str | None, report_type: str, start: str | None, text_sha256: str) -> str:
    when = start if _parse_date(start) else f"report-{text_sha256[:16]}"
    return str(ID[f"inspection/{gss_code or 'unknown'}/{slug(report_type)}/{when}"])


# ------------------------------------------------------------------------------------ scheme lookups

@dataclass(frozen=True, slots=True)
class Schemes:
    areas: dict  # normalised label -> concept IRI
    grades: dict  # (scale, rank) -> concept IRI
    report_type_labels: dict  # code -> label
    board_kind_labels: dict  # code -> label
    max_duration_days: dict = field(default_factory=dict)  # report-type code -> kg:maxDurationDays


@lru_cache(maxsize=1)
def schemes() -> Schemes:
    """Look-up tables read from ontology/schemes.ttl (loaded once)."""
    path = ontology_dir() / "schemes.ttl"
    store = ox.Store()
    try:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    except (OSError, SyntaxError) as exc:
        raise RuleFileError(f"cannot load the concept schemes: {exc}", source=str(path)) from exc
    areas: dict[str, str] = {}
    for row in store.query(f"""SELECT ?c ?l WHERE {{ ?c <{SKOS_NS}inScheme> <{AREA}scheme> .
                               {{ ?c <{SKOS_NS}prefLabel> ?l }} UNION {{ ?c <{SKOS_NS}hiddenLabel> ?l }} }}"""):
        areas[_norm(row["l"].value)] = row["c"].value
    grades = {}
    for row in store.query(f"SELECT ?c ?r WHERE {{ ?c <{KG}rank> ?r }}"):
        iri = row["c"].value
        scale = iri[len(str(GRADE)):].split("-", 1)[0]
        grades[(scale, int(row["r"].value))] = iri

    def labels(ns) -> dict:
        return {r["n"].value: r["l"].value for r in store.query(
            f"SELECT ?n ?l WHERE {{ ?c <{SKOS_NS}inScheme> <{ns}scheme> ; <{SKOS_NS}notation> ?n ;"
            f" <{SKOS_NS}prefLabel> ?l }}")}
    max_days = {r["n"].value: int(r["d"].value) for r in store.query(
        f"SELECT ?n ?d WHERE {{ ?c <{SKOS_NS}inScheme> <{REPORT_TYPE}scheme> ; <{SKOS_NS}notation> ?n ;"
        f" <{KG}maxDurationDays> ?d }}")}
    return Schemes(areas, grades, labels(REPORT_TYPE), labels(BOARD_KIND), max_days)


def grade_scale(report_type: str, label: str, start: date | None) -> str:
    """Which framework's grade scale a judgement is on: from the report type, else the wording/date."""
    by_type = {"annual-unannounced-inspection": "2009", "safeguarding-and-looked-after-children-inspection": "2009",
               "single-inspection": "sif", "ilacs-inspection": "ilacs"}
    if report_type in by_type:
        return by_type[report_type]
    lab = label.lower()
    if "adequate" in lab or "satisfactory" in lab:
        return "2009"
    if "requires improvement to be good" in lab:
        return "ilacs"
    if "requires improvement" in lab:
        return "sif"
    if start is None:
        return "ilacs"
    return "2009" if start.year < 2013 else ("sif" if start < date(2018, 1, 1) else "ilacs")


# ------------------------------------------------------------------------------------ the mapper

@dataclass(frozen=True, slots=True)
class SourceFacts:
    """What the mapper needs from the read stage: names, hashes and the text the spans index into."""

    name: str
    sha256: str  # of the file's bytes
    text_sha256: str  # of the normalised text
    format: str | None = None
    text: str | None = None  # needed for quote selectors; without it only positions are written
    page_starts: tuple[int, ...] = ()  # where each page of a paginated source begins in `text`

    @classmethod
    def from_source(cls, src) -> "SourceFacts":
        return cls(src.name, src.sha256, src.text_sha256, src.format, src.text, tuple(getattr(src, "page_starts", ())))

    def page_of(self, pos: int) -> int | None:
        """The 1-based page a text position is on, for paginated sources (PDFs); None for others."""
        if len(self.page_starts) < 2:
            return None
        return max(1, bisect.bisect_right(self.page_starts, pos))

    @classmethod
    def from_record(cls, record: ReportRecord) -> "SourceFacts":
        if not record.text_sha256:
            raise MapError("the record has no text hash: map it together with its source text",
                           source=record.document)
        return cls(record.document, record.source_sha256 or record.text_sha256, record.text_sha256,
                   record.source_format, None)


@dataclass(frozen=True, slots=True)
class ReportGraph:
    """The mapped report: its named graph and its triples (in a deterministic order)."""

    graph: ox.NamedNode
    report: ox.NamedNode
    triples: tuple[ox.Triple, ...]

    def quads(self) -> Iterator[ox.Quad]:
        g = self.graph
        return (ox.Quad(t.subject, t.predicate, t.object, g) for t in self.triples)

    def ntriples(self) -> str:
        return "".join(f"{t} .\n" for t in self.triples)

    def __len__(self) -> int:
        return len(self.triples)


class _Builder:
    def __init__(self) -> None:
        self.out: list[ox.Triple] = []
        self.seen: set[ox.Triple] = set()

    def add(self, s, p, o) -> None:
        if o is None:
            return
        s = N(s) if isinstance(s, str) else s
        t = ox.Triple(s, p, o)
        if t not in self.seen:
            self.seen.add(t)
            self.out.append(t)

    def node(self, s, p, iri: str | None) -> None:
        if iri is not None:
            self.add(s, p, N(iri))


def map_record(record: ReportRecord, source=None) -> ReportGraph:
    """The named graph of one report: its record mapped to RDF with provenance for every item.

    `source` is the report's SourceText (or SourceFacts); without it the record's own hashes are used
    and evidence carries positions but no quotes.
    """
    if source is None:
        facts = SourceFacts.from_record(record)
    elif isinstance(source, SourceFacts):
        facts = source
    else:
        facts = SourceFacts.from_source(source)
    return _Mapper(record, facts).run()


class _Mapper:
    def __init__(self, record: ReportRecord, facts: SourceFacts):
        self.r = record
        self.f = facts
        self.b = _Builder()
        self.h = facts.text_sha256
        self.report = N(report_iri(self.h))
        self.text = N(text_iri(self.h))
        self.gss = record.council.gss_code or None
        self.council = N(council_iri(self.gss)) if self.gss else None
        self.entry: CouncilEntry | None = council_by_gss(self.gss) if self.gss else None
        self.scope = council_iri(self.gss) if self.gss else report_iri(self.h)
        self.start = _parse_date(record.inspection_start)
        self.end = _parse_date(record.inspection_end)
        self.inspection = N(inspection_iri(self.gss, record.report_type, record.inspection_start, self.h))
        self.org_index: dict[str, str] = {}

    # -------------------------------------------------------------- top level
    def run(self) -> ReportGraph:
        self.report_node()
        self.inspection_node()
        self.organisations()
        self.people()
        self.judgements()
        self.recommendations()
        self.findings()
        return ReportGraph(N(report_graph(self.h)), self.report, tuple(self.b.out))

    # -------------------------------------------------------------- report and its text
    def report_node(self) -> None:
        b, r, f, rep = self.b, self.r, self.f, self.report
        for cls in (k("Report"), prov("Entity"), foaf("Document")):
            b.add(rep, TYPE, cls)
        b.add(rep, dct("title"), en(self.title()))
        b.add(rep, dct("identifier"), text(f"sha256:{f.sha256}"))
        b.add(rep, dct("type"), N(REPORT_TYPE[slug(r.report_type)]))
        b.add(rep, dct("publisher"), N(OFSTED))
        if f.format in MEDIA_TYPES:
            b.add(rep, dct("format"), text(MEDIA_TYPES[f.format]))
        b.add(rep, k("fileName"), text(f.name))
        b.add(rep, prov("wasGeneratedBy"), self.inspection)
        if r.letter_date:
            b.add(rep, dct("date"), xsd_date(r.letter_date))
        if r.published_date:
            b.add(rep, dct("issued"), xsd_date(r.published_date))
        letter, published = _parse_date(r.letter_date), _parse_date(r.published_date)
        if self.end and letter:
            b.add(rep, k("letterLagDays"), integer((letter - self.end).days))
        if self.end and published:
            b.add(rep, k("publicationLagDays"), integer((published - self.end).days))
        if self.gss:
            b.add(rep, dct("spatial"), N(ONS_GEO[self.gss]))
            b.add(rep, dct("subject"), self.council)
        if r.date_notes:
            b.add(rep, k("dateNotes"), text(r.date_notes))
        if r.report_type_reason:
            b.add(rep, k("reportTypeReason"), text(r.report_type_reason))
        for w in r.warnings:
            b.add(rep, k("extractionWarning"), text(w))
        b.add(rep, dct("hasFormat"), self.text)
        t = self.text
        for cls in (k("TextRendition"), prov("Entity")):
            b.add(t, TYPE, cls)
        b.add(t, dct("isFormatOf"), rep)
        b.add(t, dct("format"), text("text/plain"))
        b.add(t, dct("identifier"), text(f"sha256:{self.h}"))
        if f.text is not None:
            b.add(t, k("characterCount"), integer(len(f.text)))

    def title(self) -> str:
        r = self.r
        kind = schemes().report_type_labels.get(r.report_type, r.report_type)
        who = r.council.canonical or r.council.name_as_printed or "an unidentified council"
        when = r.published_date or r.letter_date or r.inspection_end or r.inspection_start
        return f"{kind}: {who}" + (f" ({when})" if when else "")

    # -------------------------------------------------------------- inspection
    def inspection_node(self) -> None:
        b, r, i = self.b, self.r, self.inspection
        for cls in (k("Inspection"), prov("Activity")):
            b.add(i, TYPE, cls)
        b.add(i, dct("type"), N(REPORT_TYPE[slug(r.report_type)]))
        if self.council is not None:
            b.add(i, k("inspected"), self.council)
        b.add(i, prov("wasAssociatedWith"), N(OFSTED))
        if r.inspection_start or r.inspection_end:
            interval = N(f"{i.value}/interval")
            b.add(i, time_("hasTime"), interval)
            b.add(interval, TYPE, time_("ProperInterval"))
            for prop, key, value in (("hasBeginning", "startDate", r.inspection_start),
                                     ("hasEnd", "endDate", r.inspection_end)):
                if value:
                    instant = N(f"{interval.value}/{'start' if key == 'startDate' else 'end'}")
                    b.add(i, k(key), xsd_date(value))
                    b.add(interval, time_(prop), instant)
                    b.add(instant, TYPE, time_("Instant"))
                    b.add(instant, time_("inXSDDate"), xsd_date(value))
        if self.start and self.end:  # for the shape that warns of an inspection too long for its framework
            b.add(i, k("durationDays"), integer((self.end - self.start).days + 1))
            longest = schemes().max_duration_days.get(r.report_type)
            if longest:
                b.add(i, k("maxDurationDays"), integer(longest))

    # -------------------------------------------------------------- evidence (Web Annotation)
    def evidence(self, subject: ox.NamedNode, span: Span | None, prop: str = "evidence",
                 node: str | None = None) -> None:
        b = self.b
        ev = N(node or f"{subject.value}/evidence")
        b.add(subject, k(prop), ev)
        b.add(ev, TYPE, oa("SpecificResource"))
        b.add(ev, oa("hasSource"), self.text)
        if span is None:
            return
        page = self.f.page_of(span.start)
        if page is not None:  # so a reader can open the PDF at the page (file.pdf#page=N)
            b.add(ev, k("page"), integer(page))
        pos = N(f"{ev.value}/position")
        b.add(ev, oa("hasSelector"), pos)
        b.add(pos, TYPE, oa("TextPositionSelector"))
        b.add(pos, oa("start"), integer(span.start))
        b.add(pos, oa("end"), integer(span.end))
        txt = self.f.text
        if txt is None or not (0 <= span.start <= span.end <= len(txt)):
            return
        quote = N(f"{ev.value}/quote")
        b.add(ev, oa("hasSelector"), quote)
        b.add(quote, TYPE, oa("TextQuoteSelector"))
        b.add(quote, oa("exact"), text(txt[span.start:span.end]))
        b.add(quote, oa("prefix"), text(txt[max(0, span.start - QUOTE_CONTEXT):span.start]))
        b.add(quote, oa("suffix"), text(txt[span.end:span.end + QUOTE_CONTEXT]))

    # -------------------------------------------------------------- organisations
    def _index(self, name: str | None, iri: str) -> None:
        if name:
            self.org_index.setdefault(_norm(name), iri)

    def organisations(self) -> None:
        b, r = self.b, self.r
        if self.council is not None:
            for name in (r.council.name_as_printed, r.council.canonical,
                         *(self.entry.also_known_as if self.entry else ())):
                self._index(name, self.council.value)
            if r.council.name_as_printed:
                b.add(self.council, k("nameAsPrinted"), text(r.council.name_as_printed))
        for i, board in enumerate(r.boards, 1):
            kind = slug(board.kind)
            generic = kind != "other-board"
            iri = f"{self.scope}/board/{kind if generic else 'other/' + slug(board.name_as_printed)}"
            node = N(iri)
            for cls in (k("Board"), org("OrganizationalCollaboration"), org("Organization")):
                b.add(node, TYPE, cls)
            b.add(node, org("classification"), N(BOARD_KIND[kind]))
            if self.council is not None:
                b.add(node, k("boardOf"), self.council)
            label = (f"{r.council.canonical} {BOARD_NAMES.get(kind, board.name_as_printed)}"
                     if generic and r.council.canonical else board.name_as_printed)
            b.add(node, PREF, en(label))
            b.add(node, k("nameAsPrinted"), text(board.name_as_printed))
            for alias in board.also_printed_as:
                b.add(node, ALT, en(alias))
            for name in (board.name_as_printed, *board.also_printed_as, label):
                self._index(name, iri)
            if board.span is not None:
                self.evidence(node, board.span, node=f"{report_iri(self.h)}/board/{i}/evidence")
        for i, service in enumerate(r.services, 1):
            iri = f"{self.scope}/service/{slug(service.name)}"
            node = N(iri)
            for cls in (k("Service"), org("OrganizationalUnit"), org("Organization")):
                b.add(node, TYPE, cls)
            if self.council is not None:
                b.add(node, org("unitOf"), self.council)
            b.add(node, PREF, en(service.name))
            self._index(service.name, iri)
            if service.span is not None:
                self.evidence(node, service.span, node=f"{report_iri(self.h)}/service/{i}/evidence")
        for i, partner in enumerate(r.partner_organisations, 1):
            name = partner.name_as_printed
            generic = not any(ch.isupper() for ch in name)
            iri = f"{self.scope}/partner/{slug(name)}" if generic else str(ID[f"org/{slug(name)}"])
            node = N(iri)
            for cls in (k("PartnerOrganisation"), org("Organization")):
                b.add(node, TYPE, cls)
            b.add(node, org("classification"), N(PARTNER_KIND[slug(partner.kind)]))
            b.add(node, PREF, en(name))
            b.add(node, k("nameAsPrinted"), text(name))
            self._index(name, iri)
            if partner.span is not None:
                self.evidence(node, partner.span, node=f"{report_iri(self.h)}/partner/{i}/evidence")

    def resolve_org(self, name: str | None) -> str | None:
        """An organisation named in the report -> its IRI, if the report names it elsewhere."""
        if not name:
            return None
        key = _norm(name)
        if key in self.org_index:
            return self.org_index[key]
        if "safeguarding children" in key or key in {"lscb", "local safeguarding children board"}:
            return next((iri for iri in self.org_index.values() if iri.endswith("/board/safeguarding-children-board")),
                        None)
        return None

    # -------------------------------------------------------------- people
    def people(self) -> None:
        b, r, i = self.b, self.r, self.inspection
        for n, insp in enumerate(r.inspectors, 1):
            person = self.person(insp.name)
            assoc = N(f"{report_iri(self.h)}/association/{n}")
            b.add(i, prov("wasAssociatedWith"), person)
            b.add(i, prov("qualifiedAssociation"), assoc)
            b.add(assoc, TYPE, prov("Association"))
            b.add(assoc, prov("agent"), person)
            b.add(assoc, prov("hadRole"), k("LeadInspector") if insp.lead else k("TeamInspector"))
            if insp.role:
                b.add(assoc, k("roleAsPrinted"), text(insp.role))
            if insp.signatory:
                b.add(self.report, dct("creator"), person)
            if insp.span is not None:
                self.evidence(assoc, insp.span)
        stated = r.letter_date or r.published_date
        if r.addressee is not None:
            a = r.addressee
            person = self.person(a.name, a.title)
            b.add(self.report, k("addressee"), person)
            self.membership("addressee", person, a.role, a.organisation, stated, a.span)
        for n, c in enumerate(r.copied_to, 1):
            person = self.person(c.name)
            b.add(self.report, k("copiedTo"), person)
            self.membership(f"copy-{n}", person, c.role, c.organisation, stated, c.span)

    def person(self, name: str, title: str | None = None) -> ox.NamedNode:
        b = self.b
        node = N(person_iri(name))
        for cls in (foaf("Person"), prov("Agent")):
            b.add(node, TYPE, cls)
        b.add(node, foaf("name"), text(" ".join(name.split())))
        if title:
            b.add(node, foaf("title"), text(title))
        return node

    def membership(self, key: str, person: ox.NamedNode, role: str | None, organisation: str | None,
                   stated: str | None, span: Span | None) -> None:
        b = self.b
        m = N(f"{report_iri(self.h)}/membership/{key}")
        b.add(m, TYPE, org("Membership"))
        b.add(m, org("member"), person)
        org_iri = self.resolve_org(organisation)
        if org_iri is None and organisation:
            org_iri = str(ID[f"org/{slug(organisation)}"])
            b.add(N(org_iri), TYPE, org("Organization"))
            b.add(N(org_iri), PREF, en(organisation))
            b.add(N(org_iri), k("nameAsPrinted"), text(organisation))
            self._index(organisation, org_iri)
        if org_iri is not None:
            b.add(m, org("organization"), N(org_iri))
        if role:
            role_node = N(str(ID[f"role/{slug(role)}"]))
            b.add(role_node, TYPE, org("Role"))
            b.add(role_node, LABEL, en(" ".join(role.split())))
            b.add(m, org("role"), role_node)
            b.add(m, k("roleAsPrinted"), text(role))
            if org_iri is not None:
                post = N(f"{org_iri}/post/{slug(role)}")
                b.add(post, TYPE, org("Post"))
                b.add(post, org("postIn"), N(org_iri))
                b.add(post, org("role"), role_node)
                b.add(post, PREF, en(" ".join(role.split())))
                b.add(m, k("post"), post)
        if stated:
            b.add(m, k("statedOn"), xsd_date(stated))
        b.add(m, prov("wasDerivedFrom"), self.report)
        if span is not None:
            self.evidence(m, span)

    # -------------------------------------------------------------- items
    def item(self, category: str, position: int, cls: str) -> ox.NamedNode:
        node = item_iri(self.h, category, position)
        b = self.b
        for c in (k(cls), prov("Entity")):
            b.add(node, TYPE, c)
        b.add(node, k("inspection"), self.inspection)
        b.add(node, k("position"), integer(position))
        b.add(node, prov("wasDerivedFrom"), self.report)
        return node

    def judgements(self) -> None:
        b, sch = self.b, schemes()
        for n, j in enumerate(self.r.judgements, 1):
            node = self.item("judgement", n, "Judgement")
            b.add(node, k("areaLabel"), text(j.area))
            area = sch.areas.get(_norm(j.area))
            if area:
                b.add(node, k("area"), N(area))
            b.add(node, k("gradeLabel"), text(j.grade_label))
            scale = grade_scale(self.r.report_type, j.grade_label, self.start)
            grade = sch.grades.get((scale, j.grade_number))
            b.node(node, k("grade"), grade)
            if j.section:
                b.add(node, k("section"), text(j.section))
            self.evidence(node, j.span)

    def recommendations(self) -> None:
        b = self.b
        for n, rec in enumerate(self.r.recommendations, 1):
            node = self.item("recommendation", n, "Recommendation")
            b.add(node, k("kind"), N(REC_KIND[slug(rec.kind)]))
            b.add(node, VALUE, text(rec.text))
            if rec.section:
                b.add(node, k("section"), text(rec.section))
            if rec.deadline:
                b.add(node, k("deadlineGroup"), N(DEADLINE[slug(rec.deadline)]))
                rule = DUE_RULES.get(rec.deadline)
                if rule and self.end:
                    b.add(node, k("dueDate"), xsd_date(add_months(self.end, rule[0]).isoformat()))
                    b.add(node, k("dueDateRule"), N(rule[1]))
            if rec.addressed_to:
                b.add(node, k("addressedToAsPrinted"), text(rec.addressed_to))
                b.node(node, k("addressedTo"), self.resolve_org(rec.addressed_to))
            self.evidence(node, rec.span)
            for m, para in enumerate(rec.supporting_paragraphs, 1):
                self.evidence(node, para, prop="supportedBy", node=f"{node.value}/support/{m}")

    def findings(self) -> None:
        b = self.b
        for n, fnd in enumerate(self.r.findings, 1):
            node = self.item("finding", n, "Finding")
            b.add(node, k("kind"), N(FINDING_KIND[slug(fnd.kind)]))
            b.add(node, VALUE, text(fnd.text))
            if fnd.section:
                b.add(node, k("section"), text(fnd.section))
            self.evidence(node, fnd.span)


# ------------------------------------------------------------------------------------ reference graph

def ontology_files() -> list:
    """Every Turtle file of ontology/ (the ontology, the schemes, the themes...), sorted by name."""
    return sorted(ontology_dir().glob("*.ttl"))


def council_triples(entries: Iterable[CouncilEntry] | None = None) -> Iterator[ox.Triple]:
    """The gazetteer as RDF: councils with typed identifiers, regions and their ONS geographies."""
    gss_t, dfe_t, urn_t = k("GSSCode"), k("DfELACode"), k("OfstedURN")
    entries = tuple(entries if entries is not None else load_councils())
    for c in entries:
        s = N(council_iri(c.gss_code))
        yield ox.Triple(s, TYPE, k("LocalAuthority"))
        yield ox.Triple(s, TYPE, org("FormalOrganization"))
        yield ox.Triple(s, TYPE, org("Organization"))
        # a place's name is the same in any language: a plain string, so `skos:prefLabel "Kent"` finds it
        yield ox.Triple(s, PREF, text(c.canonical))
        yield ox.Triple(s, LABEL, text(c.canonical))
        for alias in c.also_known_as:
            yield ox.Triple(s, ALT, text(alias))
        yield ox.Triple(s, NOTATION, ox.Literal(c.gss_code, datatype=gss_t))
        yield ox.Triple(s, org("identifier"), ox.Literal(c.gss_code, datatype=gss_t))
        if c.dfe_code:
            yield ox.Triple(s, org("identifier"), ox.Literal(c.dfe_code, datatype=dfe_t))
        if c.urn:
            yield ox.Triple(s, org("identifier"), ox.Literal(c.urn, datatype=urn_t))
        yield ox.Triple(s, dct("spatial"), N(ONS_GEO[c.gss_code]))
        if c.la_type:
            yield ox.Triple(s, org("classification"), N(LA_TYPE[slug(c.la_type)]))
        yield ox.Triple(s, k("current"), ox.Literal("true" if c.current else "false", datatype=XSD_BOOL))
        if c.region_code:
            yield ox.Triple(s, k("region"), N(region_iri(c.region_code)))
    for code, name in sorted(region_names(entries).items()):
        s = N(region_iri(code))
        yield ox.Triple(s, TYPE, k("Region"))
        yield ox.Triple(s, PREF, text(name or code))
        yield ox.Triple(s, LABEL, text(name or code))
        yield ox.Triple(s, NOTATION, ox.Literal(code, datatype=gss_t))
        yield ox.Triple(s, dct("spatial"), N(ONS_GEO[code]))
    ofsted = N(OFSTED)
    yield ox.Triple(ofsted, TYPE, org("FormalOrganization"))
    yield ox.Triple(ofsted, TYPE, org("Organization"))
    yield ox.Triple(ofsted, PREF, en("Ofsted"))
    yield ox.Triple(ofsted, LABEL, en("Ofsted"))
    yield ox.Triple(ofsted, ALT, en("Office for Standards in Education, Children's Services and Skills"))
    yield ox.Triple(ofsted, foaf("homepage"), N("https://www.gov.uk/government/organisations/ofsted"))


@lru_cache(maxsize=1)
def reference_triples() -> tuple[ox.Triple, ...]:
    """The reference graph: every ontology/*.ttl file plus the council gazetteer, sorted."""
    triples: set[ox.Triple] = set()
    for path in ontology_files():
        try:
            with open(path, "rb") as fh:
                triples.update(ox.Triple(q.subject, q.predicate, q.object)
                               for q in ox.parse(fh, format=ox.RdfFormat.TURTLE))
        except (OSError, SyntaxError) as exc:
            raise RuleFileError(f"cannot load ontology file: {exc}", source=str(path)) from exc
    triples.update(council_triples())
    return tuple(sorted(triples, key=str))


def reference_quads() -> Iterator[ox.Quad]:
    g = N(GRAPH_REFERENCE)
    return (ox.Quad(t.subject, t.predicate, t.object, g) for t in reference_triples())


__all__ = ["map_record", "ReportGraph", "SourceFacts", "item_iri", "report_iri", "text_iri", "council_iri",
           "person_iri", "inspection_iri", "reference_triples", "reference_quads", "add_months", "slug"]
