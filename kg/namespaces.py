"""All IRIs in one place: the project's vocabulary, its data IRIs and the reused standards."""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

KG = Namespace("https://w3id.org/ofsted-kg/def#")  # classes and properties (ontology/)
ID = Namespace("https://w3id.org/ofsted-kg/id/")  # data: councils, inspections, reports, items...
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
ONS_GEO = Namespace("http://statistics.data.gov.uk/id/statistical-geography/")

GRAPH_REFERENCE = ID["graph/reference"]  # ontology, concept schemes, gazetteer facts
GRAPH_CATALOG = ID["graph/catalog"]  # build runs and file metadata (timestamps live here only)
GRAPH_DERIVED = ID["graph/derived"]  # themes' recurrence links, regenerated per build


def report_graph(text_sha256: str):
    """The named graph that holds everything extracted from one report."""
    return ID[f"graph/report/{text_sha256[:16]}"]


PREFIXES = {
    "kg": KG, "id": ID, "org": ORG, "oa": OA, "prov": PROV, "dcterms": DCTERMS, "skos": SKOS,
    "foaf": FOAF, "time": TIME, "xsd": XSD, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "onsgeo": ONS_GEO,
}
