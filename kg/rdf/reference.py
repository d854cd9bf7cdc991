"""The reference graph: every ontology/*.ttl file plus the council gazetteer as RDF."""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Iterator

import pyoxigraph as ox

from ..errors import RuleFileError
from ..namespaces import GRAPH_REFERENCE, LA_TYPE, OFSTED, OFSTED_HOMEPAGE, ONS_GEO
from ..paths import ontology_dir
from ..resolve import CouncilEntry, load_councils
from ..resolve import regions as region_names
from .terms import ALT, LABEL, NOTATION, PREF, TYPE, XSD_BOOL, N, council_iri, dct, en, foaf, k, org, region_iri, slug, text


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
    yield ox.Triple(ofsted, foaf("homepage"), N(OFSTED_HOMEPAGE))


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
