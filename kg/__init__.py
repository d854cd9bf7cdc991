"""ofsted-kg: Ofsted children's-services inspection reports -> a validated, queryable knowledge graph.

The pipeline, one module per stage: read -> segment -> extract -> resolve -> map (rdf) -> validate
-> store -> query / export / draw.
"""
__version__ = "0.1.0"
