"""Stage 5, map: records to RDF. `mapping` turns a report record into its named graph, `reference` builds the
reference graph (ontology, schemes, gazetteer), `schemes` reads the concept schemes, `terms` makes the nodes
and the IRIs minted for data."""
from __future__ import annotations

from .mapping import ReportGraph, SourceFacts, map_record
from .reference import council_triples, ontology_files, reference_quads, reference_triples
from .schemes import Schemes, grade_scale, schemes
from .terms import add_months, council_iri, inspection_iri, item_iri, person_iri, person_key, region_iri, \
    report_iri, slug, text_iri

__all__ = ["map_record", "ReportGraph", "SourceFacts", "item_iri", "report_iri", "text_iri", "council_iri",
           "person_iri", "inspection_iri", "reference_triples", "reference_quads", "add_months", "slug",
           "council_triples", "ontology_files", "schemes", "Schemes", "grade_scale", "person_key", "region_iri"]
