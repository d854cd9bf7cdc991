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

from .groups import IssueRank, Occurrence, RecurrenceGroup, group_links, rank_issues_across
from .issues import (Issue, IssueMatch, IssueScheme, Part, default_issues, item_parts, load_issues, match_issues,
                     split_parts)
from .items import (ACROSS, WITHIN, Item, _document_name, _inspection_id, collect_items,
                    item_order, record_date, states_shortfall)
from .links import (DEFAULT_MIN_SCORE, DEFAULT_TOP_K, METHOD_VERSION, Link, LinkParams, RecurrenceResult,
                    domain_stop_words, find_recurrence, link_items, stop_words)
from .rdf import _local, activity_iri, derived_quads, derived_triples, item_iri, link_iri
from .store import (_ITEMS_QUERY, _items_from_store_sparql, _reference_labels, items_from_store,
                    refresh_derived, report_items)
