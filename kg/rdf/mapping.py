"""Stage 5, map: a report record -> the quads of its report's named graph.

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
- mention          `report/<text hash 16>/<board|service|partner>/<position>`,
                   `report/<text hash 16>/membership/<key>/organisation`

Shared entities (people, boards, services, organisations, roles, posts) are only linked to from a report
graph: the report's own nodes say who or what, with the name as printed (inspection-team entries and
memberships for people, mentions for organisations). Their types, names and labels are stated once, in
the entities graph, computed from those nodes by `ontology/entities.rq` (kg.entities).

Due dates: a recommendation with a deadline group gets `kg:dueDate` = the inspection's last day plus
the months of its deadline's `kg:dueDateRule` (`ontology/schemes.ttl`), the day clamped to the end of a
shorter month, and `kg:dueDateRule` naming that rule. Without a
last day no due date is given (and a shape warns).
"""
from __future__ import annotations

import bisect

from dataclasses import dataclass
from typing import Iterator

import pyoxigraph as ox

from ..errors import MapError
from ..namespaces import BOARD_KIND, DEADLINE, FINDING_KIND, ID, ONS_GEO, OFSTED, PARTNER_KIND, REC_KIND, \
    REPORT_TYPE, report_graph
from ..records import ReportRecord, Span
from ..resolve import CouncilEntry, council_by_gss
from .schemes import grade_scale, schemes
from .terms import (TYPE, VALUE, N, _norm, _parse_date, add_months, council_iri, dct, en, foaf,
                    inspection_iri, integer, item_iri, k, oa, org, person_iri, prov, report_iri, slug, text,
                    text_iri, time_, xsd_date)

QUOTE_CONTEXT = 32  # characters of prefix / suffix in a TextQuoteSelector
MEDIA_TYPES = {"pdf": "application/pdf", "text": "text/plain", "html": "text/html"}


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
            m = self.mention(N(iri), k("Board"), f"board/{i}", board.name_as_printed)
            b.add(m, k("kind"), N(BOARD_KIND[kind]))
            for alias in board.also_printed_as:
                b.add(m, k("alsoPrintedAs"), text(alias))
            # the name the board goes by, only to match the report's other mentions of it (addressees,
            # "addressed to"); the label stated in the graph is the entities rule's (ontology/entities.rq)
            label = (f"{r.council.canonical} {schemes().board_names.get(kind, board.name_as_printed)}"
                     if generic and r.council.canonical else board.name_as_printed)
            for name in (board.name_as_printed, *board.also_printed_as, label):
                self._index(name, iri)
            if board.span is not None:
                self.evidence(N(iri), board.span, node=f"{m.value}/evidence")
        for i, service in enumerate(r.services, 1):
            iri = f"{self.scope}/service/{slug(service.name)}"
            m = self.mention(N(iri), k("Service"), f"service/{i}", service.name)
            self._index(service.name, iri)
            if service.span is not None:
                self.evidence(N(iri), service.span, node=f"{m.value}/evidence")
        for i, partner in enumerate(r.partner_organisations, 1):
            name = partner.name_as_printed
            generic = not any(ch.isupper() for ch in name)
            iri = f"{self.scope}/partner/{slug(name)}" if generic else str(ID[f"org/{slug(name)}"])
            m = self.mention(N(iri), k("PartnerOrganisation"), f"partner/{i}", name)
            b.add(m, k("kind"), N(PARTNER_KIND[slug(partner.kind)]))
            self._index(name, iri)
            if partner.span is not None:
                self.evidence(N(iri), partner.span, node=f"{m.value}/evidence")

    def mention(self, entity: ox.NamedNode, cls: ox.NamedNode, key: str, name: str) -> ox.NamedNode:
        """The report's own node for a board, service or organisation it names: which entity, as what, and
        the name it prints. The entity's type, labels and links are stated once, in the entities graph,
        computed from these mentions (ontology/entities.rq, kg.entities)."""
        b = self.b
        m = N(f"{report_iri(self.h)}/{key}")
        b.add(m, k("mentions"), entity)
        b.add(m, k("mentionedAs"), cls)
        b.add(m, k("nameAsPrinted"), text(name))
        b.add(m, prov("wasDerivedFrom"), self.report)
        return m

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
            b.add(assoc, k("nameAsPrinted"), text(" ".join(insp.name.split())))
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
            person = self.person(a.name)
            b.add(self.report, k("addressee"), person)
            m = self.membership("addressee", person, a.name, a.role, a.organisation, stated, a.span)
            if a.title:
                b.add(m, k("titleAsPrinted"), text(a.title))
        for n, c in enumerate(r.copied_to, 1):
            person = self.person(c.name)
            b.add(self.report, k("copiedTo"), person)
            self.membership(f"copy-{n}", person, c.name, c.role, c.organisation, stated, c.span)

    def person(self, name: str) -> ox.NamedNode:
        """A person's IRI (from the normalised name); what the person is and is called is stated once, in
        the entities graph, from the names printed on the report's associations and memberships."""
        return N(person_iri(name))

    def membership(self, key: str, person: ox.NamedNode, name: str, role: str | None, organisation: str | None,
                   stated: str | None, span: Span | None) -> ox.NamedNode:
        b = self.b
        m = N(f"{report_iri(self.h)}/membership/{key}")
        b.add(m, TYPE, org("Membership"))
        b.add(m, org("member"), person)
        b.add(m, k("nameAsPrinted"), text(" ".join(name.split())))
        org_iri = self.resolve_org(organisation)
        if org_iri is None and organisation:
            org_iri = str(ID[f"org/{slug(organisation)}"])
            self.mention(N(org_iri), org("Organization"), f"membership/{key}/organisation", organisation)
            self._index(organisation, org_iri)
        if org_iri is not None:
            b.add(m, org("organization"), N(org_iri))
        if role:  # the role and the post are described in the entities graph, from kg:roleAsPrinted
            b.add(m, org("role"), N(str(ID[f"role/{slug(role)}"])))
            b.add(m, k("roleAsPrinted"), text(role))
            if org_iri is not None:
                b.add(m, k("post"), N(f"{org_iri}/post/{slug(role)}"))
        if stated:
            b.add(m, k("statedOn"), xsd_date(stated))
        b.add(m, prov("wasDerivedFrom"), self.report)
        if span is not None:
            self.evidence(m, span)
        return m

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

    def stated_item(self, category: str, position: int, cls: str, kinds, it) -> ox.NamedNode:
        """The node of a recommendation or finding with its kind (a concept of `kinds`), its text and section."""
        node = self.item(category, position, cls)
        self.b.add(node, k("kind"), N(kinds[slug(it.kind)]))
        self.b.add(node, VALUE, text(it.text))
        if it.section:
            self.b.add(node, k("section"), text(it.section))
        return node

    def recommendations(self) -> None:
        b = self.b
        for n, rec in enumerate(self.r.recommendations, 1):
            node = self.stated_item("recommendation", n, "Recommendation", REC_KIND, rec)
            if rec.deadline:
                b.add(node, k("deadlineGroup"), N(DEADLINE[slug(rec.deadline)]))
                rule = schemes().due_rules.get(rec.deadline)
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
        for n, fnd in enumerate(self.r.findings, 1):
            self.evidence(self.stated_item("finding", n, "Finding", FINDING_KIND, fnd), fnd.span)
