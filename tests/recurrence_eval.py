"""Scoring predicted recurrence groups against the hand-made gold groups (tests/data/gold/recurrence.json).

Definitions (used by tests/test_recur.py and benchmarks; see also gold/RECURRENCE.md):

* A gold member is *findable* when it is an item of a gold record (its kind is not `prose`): a
  record holds only listed items, so prose sentences cannot be linked by anything that reads records.
  A member matches an item when the document stems are equal and the texts are equal after
  whitespace, quote and case normalisation.
* A gold group is *evaluable* when all its members' documents are in the document set under test
  and it has findable members from at least two different documents (inspections). Groups whose
  recurrence rests on prose are reported as not evaluable, not counted as found or missed.
* Recall: an evaluable gold group is *found* when one predicted group contains at least two of its
  findable members from different documents.
* Precision: a predicted group is *correct* when, for some gold group of the whole file (members
  plus context), it contains at least two items of that gold group from different documents, at
  least one of them a member. Context items are statements the annotator tied to the same issue
  (the issue resolved, or a related statement), so a group that joins a member to its context
  raises the same issue.
* Pair precision (stricter, reported): the share of predicted cross-document links whose two items
  are both members or context of one gold group.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parent / "data" / "gold"


def norm(text: str) -> str:
    t = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(t.split()).casefold().rstrip(".")


def stem(document: str) -> str:
    return re.sub(r"\.(txt|pdf|html?)$", "", document.rsplit("/", 1)[-1])


def load_gold_groups() -> list[dict]:
    return json.loads((GOLD_DIR / "recurrence.json").read_text(encoding="utf-8"))


@dataclass
class Score:
    evaluable: list[int]
    not_evaluable: list[int]
    found: list[int]
    missed: list[int]
    predicted: int
    correct: int
    wrong: list  # predicted groups judged incorrect
    pairs: int
    pairs_correct: int

    @property
    def recall(self) -> float:
        return len(self.found) / len(self.evaluable) if self.evaluable else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def pair_precision(self) -> float:
        return self.pairs_correct / self.pairs if self.pairs else 1.0


def score(groups, documents: set[str], gold: list[dict] | None = None, links=None, items=None) -> Score:
    """groups: RecurrenceGroup-like objects with .occurrences (report, text)."""
    gold = gold if gold is not None else load_gold_groups()
    documents = {stem(d) for d in documents}

    def keyset(entries):
        return {(stem(e["document"]), norm(e["text"])) for e in entries if e["kind"] != "prose"}

    pred = [{(stem(o.report), norm(o.text)) for o in g.occurrences} for g in groups]
    evaluable, not_eval, found, missed = [], [], [], []
    seen_sets = []
    for g in gold:
        docs = {stem(m["document"]) for m in g["members"]}
        if not docs <= documents:
            continue
        members = keyset(g["members"])
        if len({d for d, _ in members}) < 2:
            not_eval.append(g["id"])
            continue
        if members in seen_sets:  # a restatement (e.g. group 32 restates 14): counted once
            continue
        seen_sets.append(members)
        evaluable.append(g["id"])
        hit = any(len({d for d, _ in (p & members)}) >= 2 for p in pred)
        (found if hit else missed).append(g["id"])

    correct, wrong = 0, []
    for g, p in zip(groups, pred):
        ok = False
        for gg in gold:
            members = keyset(gg["members"])
            related = members | keyset(gg.get("context", []))
            inter = p & related
            if len({d for d, _ in inter}) >= 2 and inter & members:
                ok = True
                break
        correct += ok
        if not ok:
            wrong.append(g)

    pairs = pairs_ok = 0
    if links is not None and items is not None:
        related_sets = [keyset(gg["members"]) | keyset(gg.get("context", [])) for gg in gold]
        for l in links:
            a, b = items[l.source], items[l.target]
            ka, kb = (stem(a.document), norm(a.text)), (stem(b.document), norm(b.text))
            pairs += 1
            pairs_ok += any(ka in s and kb in s for s in related_sets)
    return Score(evaluable, not_eval, found, missed, len(groups), correct, wrong, pairs, pairs_ok)
