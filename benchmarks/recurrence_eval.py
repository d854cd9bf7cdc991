"""Recurrence links against the judged pairs, beside a plain TF-IDF baseline, in the same run.

    python benchmarks/recurrence_eval.py                    # the corpus items kept in tests/data
    python benchmarks/recurrence_eval.py --records items.jsonl   # records of `kg extract --format jsonl`

Judged pairs: tests/data/recurrence_pairs.jsonl (SAME / RELATED / DIFFERENT, labelled blind from the
two texts; tests/data/recurrence_pairs.md says how they were drawn). Items: the linkable items of the
102 corpus PDFs and the five seeds (tests/data/recurrence_items.jsonl: `kg extract` output of
2 Dec 2026, kept so that the figures do not move with the extractor).

Per scope (within a council, across councils):
- precision: of the judged pairs the method links, the share labelled SAME;
- recall: of the judged pairs labelled SAME, the share the method links.
A pair is linked when any link joins the two items (a composite item's part counts for the item).
The baseline is plain TF-IDF cosine over the whole item texts (scikit-learn, English stop words),
linking the highest-scoring pairs of different inspections, as many per scope as the tool made.
F1 is printed beside them: at as many links as the tool made, the baseline reaches more of the judged
SAME pairs (its top pairs are where many judged pairs were drawn) but links far more that are not the
same issue; F1 weighs both. Last, the recall of the hand-made Doncaster groups (tests/data/gold/recurrence.json).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DATA = REPO / "tests" / "data"
PAIRS = DATA / "recurrence_pairs.jsonl"
ITEMS = DATA / "recurrence_items.jsonl"
SCOPES = {"within": "within-council", "across": "across-councils"}


@dataclass
class Figures:
    links: int  # links the method made in this scope (all items)
    judged_linked: int
    judged_linked_same: int
    same: int

    @property
    def precision(self) -> float:
        return self.judged_linked_same / self.judged_linked if self.judged_linked else 0.0

    @property
    def recall(self) -> float:
        return self.judged_linked_same / self.same if self.same else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_items(path: Path = ITEMS):
    """Items from a snapshot (one JSON object per item) or from `kg extract --format jsonl` records."""
    from kg.records import record_from_dict
    from kg.recur import Item, collect_items, states_shortfall
    from kg.themes import assign_themes

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if rows and "recommendations" in rows[0]:
        return collect_items(record_from_dict(r) for r in rows)
    out = []
    for r in rows:
        if r["kind"] == "headline-finding" and not states_shortfall(r["text"]):
            continue
        out.append(Item(key=f"{r['document']}#{r['category']}-{r['position']}", document=r["document"],
                        council=r["council"], gss_code=r["gss_code"], date=r["date"], inspection=r["inspection"],
                        category=r["category"], position=r["position"], kind=r["kind"], text=r["text"],
                        themes=assign_themes(r["text"])))
    return tuple(out)


def _norm(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split()).casefold()


def resolve_pairs(items, pairs):
    """Each judged pair as (key of a, key of b, label, scope); a pair whose item is not found is skipped."""
    by_doc: dict[str, list] = {}
    for it in items:
        by_doc.setdefault(it.document, []).append(it)

    def find(side):
        t = _norm(side["text"])
        cands = by_doc.get(side["document"], [])
        exact = [i for i in cands if _norm(i.text) == t]
        if exact:
            return exact[0].key
        inside = [i for i in cands if t in _norm(i.text) or _norm(i.text) in t]
        return inside[0].key if inside else None

    out, missing = [], 0
    for p in pairs:
        a, b = find(p["a"]), find(p["b"])
        if a is None or b is None:
            missing += 1
            continue
        out.append((a, b, p["label"], SCOPES[p["scope"]]))
    return out, missing


def baseline_links(items, counts: dict[str, int]) -> set[frozenset[str]]:
    """Plain TF-IDF cosine over the item texts: the top `counts[scope]` pairs of different inspections."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    X = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform([i.text for i in items])
    S = (X @ X.T).toarray()
    insp = np.asarray([i.inspection for i in items])
    council = np.asarray([i.council for i in items])
    iu, ju = np.triu_indices(len(items), 1)
    ok = insp[iu] != insp[ju]
    iu, ju = iu[ok], ju[ok]
    same = council[iu] == council[ju]
    out: set[frozenset[str]] = set()
    for scope, mask in (("within-council", same), ("across-councils", ~same)):
        a, b = iu[mask], ju[mask]
        v = S[a, b]
        top = np.argsort(-v, kind="stable")[:counts.get(scope, 0)]
        out |= {frozenset((items[a[k]].key, items[b[k]].key)) for k in top}
    return out


def figures(linked: set[frozenset[str]], judged, counts) -> dict[str, Figures]:
    out = {}
    for scope in SCOPES.values():
        js = [(a, b, lab) for a, b, lab, s in judged if s == scope]
        hit = [lab for a, b, lab in js if frozenset((a, b)) in linked]
        out[scope] = Figures(counts.get(scope, 0), len(hit), hit.count("SAME"), sum(lab == "SAME" for *_, lab in js))
    return out


def doncaster_recall():
    """Recall of the hand-made groups of the seeds and Doncaster's records (tests/recurrence_eval.py)."""
    from kg.records import record_from_dict
    from kg.recur import find_recurrence, group_links
    from tests.recurrence_eval import GOLD_DIR, score

    recs = [record_from_dict(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(GOLD_DIR.glob("*.json"))
            if p.name != "recurrence.json" and (p.name[:4] in {"000_", "001_", "002_", "003_", "004_"}
                                                or p.name.startswith("doncaster_"))]
    result = find_recurrence(recs)
    return score(group_links(result, "all"), {r.document for r in recs})


def evaluate(items_path: Path = ITEMS, pairs_path: Path = PAIRS):
    from kg.recur import link_items

    items = load_items(items_path)
    result = link_items(items)
    pairs = [json.loads(line) for line in pairs_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    judged, missing = resolve_pairs(items, pairs)
    counts: dict[str, int] = {}
    tool: set[frozenset[str]] = set()
    for l in result.links:
        pair = frozenset((l.source, l.target))
        if pair not in tool:
            tool.add(pair)
            counts[l.scope] = counts.get(l.scope, 0) + 1
    return {"tool": figures(tool, judged, counts), "baseline": figures(baseline_links(items, counts), judged, counts),
            "items": len(items), "judged": len(judged), "missing": missing, "doncaster": doncaster_recall()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=Path, default=ITEMS, help="items snapshot or `kg extract --format jsonl` output")
    ap.add_argument("--pairs", type=Path, default=PAIRS)
    args = ap.parse_args(argv)
    r = evaluate(args.records, args.pairs)
    print(f"items {r['items']}; judged pairs resolved {r['judged']} (not found {r['missing']})")
    print(f"{'scope':16} {'method':9} {'links':>6} {'judged linked':>13} {'SAME':>5} {'precision':>9} {'recall':>7}"
          f"{'':8} {'F1':>5}")
    for scope in SCOPES.values():
        for name in ("tool", "baseline"):
            f = r[name][scope]
            print(f"{scope:16} {name:9} {f.links:6d} {f.judged_linked:13d} {f.judged_linked_same:5d} "
                  f"{f.precision:9.2f} {f.recall:5.2f} {f'({f.judged_linked_same}/{f.same})':9} {f.f1:5.2f}")
    d = r["doncaster"]
    print(f"Doncaster gold groups (recurrence.json, seeds + Doncaster): recall {d.recall:.2f} "
          f"({len(d.found)}/{len(d.evaluable)}; missed {d.missed}), group precision {d.precision:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
