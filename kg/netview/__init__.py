"""The graph as networkx: for notebooks, for Gephi/Cytoscape files and for the pictures of `kg draw`.

RDF is a graph of triples; analysts want a graph of *things*. So every IRI or blank node becomes one
networkx node (id = the IRI, `_:id` for blank nodes) with

- `label`: its skos:prefLabel, rdfs:label, foaf:name or dcterms:title (English first), else the IRI's
  last segment, so a picture or a Gephi table is readable without looking anything up;
- `classes`: the rdf:type IRIs (sorted), and `kind`: one short word for the most telling class
  (`Inspection`, `LocalAuthority`, `Person`, ...), so nodes can be coloured or filtered by type;
- its literal values as attributes keyed by the predicate's compact name (`kg:startDate`), one value
  as a scalar, several as a list: literals are properties of a thing, not things.

Every triple between two resources is one edge of a `MultiDiGraph`, keyed by the predicate's
compact name, with `predicate` (full IRI) and `graphs` (the named graphs that state it). rdf:type is
kept as `classes`, not as edges to class nodes that would tie every inspection to one hub.

`to_networkx` reads the whole store or the result of any SPARQL CONSTRUCT/DESCRIBE or SELECT query;
the helper views (`council_timeline`, `theme_inspection_graph`, `inspector_council_graph`)
are the data behind the `kg draw` pictures. `write_graph` writes GraphML, GEXF or node-link JSON.

One job a module: `source` (whatever the caller has, as a store), `convert` (RDF -> networkx),
`writers` (GraphML, GEXF, JSON), `model` (what a picture shows of an inspection) and `views` (the
store's inspections, themes and inspectors as those models, by the queries of `queries/views/`).
"""
from .convert import (LABEL_PREDICATES, RESERVED_ATTRIBUTES, compact, kind_of, literal_value, local_name, node_id,
                      to_networkx)
from .model import (TYPE_SHORT, Council, Filters, GradedJudgement, InspectionSummary, Timeline, inspection_label,
                    short_date)
from .source import open_store
from .views import (cap_nodes, council_timeline, councils, find_council, inspections, inspector_council_graph,
                    theme_inspection_graph)
from .writers import GRAPH_FORMATS, scalar_copy, write_graph

__all__ = ["to_networkx", "write_graph", "scalar_copy", "GRAPH_FORMATS", "open_store", "compact", "local_name",
           "kind_of", "node_id", "literal_value", "LABEL_PREDICATES", "RESERVED_ATTRIBUTES", "Filters", "Council",
           "GradedJudgement", "InspectionSummary", "Timeline", "TYPE_SHORT", "short_date", "inspection_label",
           "councils", "find_council", "inspections", "council_timeline", "theme_inspection_graph",
           "inspector_council_graph", "cap_nodes"]
