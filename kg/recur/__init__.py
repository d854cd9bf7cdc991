"""Recurrence: items of different inspections that raise the same specific issue, and why they were linked.

Input: report records (each knows its council and dates), or a built store. Output: frozen dataclasses.

- `items`: the recommendations of every kind, weaknesses, and headline findings that state a shortfall
  (the tone rule, kg/data/tone.yaml); strengths never. Each item is split into parts (`issues`), and
  a part of a finding that praises is left out.
- `issues`: the scheme of specific practice issues (ontology/issues.ttl, SKOS, under the themes of
  ontology/themes.ttl), loaded and checked once; which issues each part carries, with its trigger words.
- `links`: two parts of different inspections are linked when they carry the same issue and, for a
  broad issue, their words beyond the issue's trigger words agree (TF-IDF cosine, scikit-learn);
  each link names the issue, its theme, the words that matched and the score.
- `groups`: one group per council and issue, occurrences in date order; the issues ranked across
  councils by the number of councils in which they recurred.
- `rdf`, `store`: the derived graph (`kg:RecurrenceLink` n-ary nodes, theme assignments, the issues
  each item carries), items read back from a store, and the derived graph updated by a delta of the
  issues that added or removed reports touch.
"""
from __future__ import annotations

from .groups import IssueRank, Occurrence, RecurrenceGroup, group_links, rank_issues_across
from .issues import (Issue, IssueMatch, IssueScheme, Part, default_issues, item_parts, load_issues, match_issues,
                     split_parts)
from .items import (ACROSS, WITHIN, Item, _document_name, _inspection_id, collect_items,
                    item_order, record_date, states_shortfall)
from .links import (DEFAULT_MIN_SCORE, DEFAULT_TOP_K, METHOD_VERSION, Link, LinkParams, RecurrenceResult,
                    domain_stop_words, find_recurrence, link_items, stop_words)
from .rdf import _local, activity_iri, derived_quads, derived_triples, item_iri, item_issues, link_iri
from .store import (_ITEMS_QUERY, DerivedUpdate, _items_from_store_sparql, _reference_labels, count_links,
                    items_from_store, refresh_derived, report_items, update_derived)
