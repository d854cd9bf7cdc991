"""RDF terms for the mapper: pyoxigraph nodes and literals of the vocabularies, and the IRIs minted for data.

The namespaces themselves are spelled in `kg.namespaces`; this module only builds nodes from them.
"""
from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from functools import lru_cache

import pyoxigraph as ox

from ..namespaces import DCTERMS, FOAF, ID, KG, OA, ORG, PROV, RDF, RDFS, SKOS, TIME, XSD

RDF_NS, RDFS_NS, XSD_NS, SKOS_NS = str(RDF), str(RDFS), str(XSD), str(SKOS)
DCT_NS, PROV_NS, FOAF_NS, TIME_NS = str(DCTERMS), str(PROV), str(FOAF), str(TIME)


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


@lru_cache(maxsize=1)
def _leading_title() -> re.Pattern[str]:
    """A title word (kg/data/people.yaml `titles`, any case) and the space after it, at the start."""
    from ..extract.metadata import load_people_rules  # the one loader of people.yaml

    return re.compile(r"^" + load_people_rules().titles.pattern + r"\s+", re.IGNORECASE)


def person_key(name: str) -> str:
    """Normalised name of a person: titles dropped, accents folded, case and punctuation ignored."""
    return slug(_leading_title().sub("", " ".join(name.split())))


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
