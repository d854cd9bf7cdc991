"""All IRIs in one place: the project's vocabulary, its data IRIs and the reused standards."""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

KG = Namespace("https://w3id.org/ofsted-kg/def#")  # classes and properties (ontology/)
ID = Namespace("https://w3id.org/ofsted-kg/id/")  # data: councils, inspections, reports, items...
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
ONS_GEO = Namespace("http://statistics.data.gov.uk/id/statistical-geography/")
SH = Namespace("http://www.w3.org/ns/shacl#")

# SKOS concept schemes (ontology/schemes.ttl): one namespace per controlled list, codes of gold/SCHEMA.md
_DEF = "https://w3id.org/ofsted-kg/def/"
REPORT_TYPE = Namespace(_DEF + "report-type/")
GRADE = Namespace(_DEF + "grade/")
AREA = Namespace(_DEF + "judgement-area/")
REC_KIND = Namespace(_DEF + "recommendation-kind/")
DEADLINE = Namespace(_DEF + "deadline/")
FINDING_KIND = Namespace(_DEF + "finding-kind/")
BOARD_KIND = Namespace(_DEF + "board-kind/")
PARTNER_KIND = Namespace(_DEF + "partner-kind/")
LA_TYPE = Namespace(_DEF + "la-type/")

GRAPH_REFERENCE = ID["graph/reference"]  # ontology, concept schemes, gazetteer facts
GRAPH_CATALOG = ID["graph/catalog"]  # build runs and file metadata (timestamps live here only)
GRAPH_DERIVED = ID["graph/derived"]  # themes' recurrence links, regenerated per build
GRAPH_ENTITIES = ID["graph/entities"]  # people, boards, services, organisations named by reports: stated once


def report_graph(text_sha256: str):
    """The named graph that holds everything extracted from one report."""
    return ID[f"graph/report/{text_sha256[:16]}"]


PREFIXES = {
    "kg": KG, "id": ID, "org": ORG, "oa": OA, "prov": PROV, "dcterms": DCTERMS, "skos": SKOS,
    "foaf": FOAF, "time": TIME, "xsd": XSD, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "onsgeo": ONS_GEO,
    "reporttype": REPORT_TYPE, "grade": GRADE, "area": AREA, "reckind": REC_KIND, "deadline": DEADLINE,
    "findingkind": FINDING_KIND, "boardkind": BOARD_KIND, "partnerkind": PARTNER_KIND, "latype": LA_TYPE,
    "sh": SH,
}


# Prefixes for writing Turtle/TriG: one per flat family of data IRIs (person:jan-edwards), so no local
# name needs an escaped "/"; deeper IRIs (councils with their boards, reports, items) are written in full.
EXPORT_PREFIXES = {
    **{k: v for k, v in PREFIXES.items() if k != "id"},
    "person": Namespace(str(ID) + "person/"),
    "region": Namespace(str(ID) + "region/"), "role": Namespace(str(ID) + "role/"),
    "text": Namespace(str(ID) + "text/"), "source": Namespace(str(ID) + "source/"),
}

OFSTED = ID["org/ofsted"]  # the inspectorate, publisher of every report
OFSTED_HOMEPAGE = "https://www.gov.uk/government/organisations/ofsted"
