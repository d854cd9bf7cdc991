"""Draw the item pairs of the judged recurrence set (tests/data/recurrence_pairs.jsonl), on record.

    python benchmarks/sample_pairs.py --out /tmp/pairs.jsonl          # extracts ../shared itself
    python benchmarks/sample_pairs.py --records records.jsonl --out /tmp/pairs.jsonl
    python benchmarks/sample_pairs.py --check tests/data/recurrence_pairs.jsonl

Why this exists: precision and recall of `kg recurring` are measured on pairs a reader labelled
from the two texts alone, so no tool of the project may decide which pairs get read. The sample is
drawn with a plain word overlap only, seeded, so anyone can redraw it and get the same pairs.

Procedure (issue 15, "An evaluation the project owns"):

- Items: from `kg extract --format jsonl` of the corpus PDFs and the seeds, every recommendation
  (all kinds) and every finding of kind `weakness`; an item whose text repeats an earlier one of the
  same document (whitespace and case aside) is dropped. Documents in the order of their names,
  items in the record's order.
- Pairs: two items of different documents (every document here is a different inspection).
  `within`: same canonical council; `across`: different councils. Item `a` is the one of the
  earlier inspection (inspection start, else letter or publication date; ties by document name).
- Words: lower-cased alphabetic tokens of 4+ letters that are not in scikit-learn's English stop
  word list. Stem: a word's first six letters (truncation stemming: no stemmer dependency, and
  crude on purpose: it is only the sampling frame). Score: Jaccard of the two items' word sets.
- Bands, per scope, over the pairs that share at least one stem, ranked by Jaccard (ties by the
  items' order): `top` = the first 1 %, `middle` = from 1 % to 10 %; `random` = uniform over ALL
  pairs of the scope (sharing a stem or not).
- Quotas per scope: top 30, middle 15, random 15 (the half / quarter / quarter design), then
  `top-extra` 30 more from the top band, an oversample so that enough SAME pairs exist to measure
  recall on (documented in tests/data/recurrence_pairs.md). Ids 1-180. Then, in a second draw
  with its own seed (so the first stays as it was), `middle-extra` 30 more per scope from the
  middle band (ids 181-240): the first 180 held few SAME pairs worded differently, and recall needs
  them. An item is used in at most two pairs of the whole sample, so no single generic item dominates.
- Ids: each draw's pairs are shuffled (seeded) and numbered on, so within the first draw an id does
  not tell the labeller which band a pair came from.

The labels are not this script's: it writes the pairs without them, and `--labels` merges a
reader's tab-separated `id<TAB>LABEL<TAB>reason` file into them.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
from itertools import combinations
from pathlib import Path

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_INPUTS = [SHARED / "corpus" / "reports", SHARED / "seeds"]
SEED = 15
TOP_FRACTION = 0.01
MIDDLE_FRACTION = 0.10
QUOTAS = [("top", 30), ("middle", 15), ("random", 15), ("top-extra", 30)]
SECOND_QUOTAS = [("middle-extra", 30)]  # drawn after the first 180 pairs were labelled: ids 181 on
MAX_USES = 2
LABELS = {"SAME", "RELATED", "DIFFERENT"}

_WORD = re.compile(r"[a-z]+")


def words(text: str) -> frozenset[str]:
    """Content words: 4+ letters, not a stop word (the plain overlap the sample is drawn by)."""
    return frozenset(w for w in _WORD.findall(text.lower()) if len(w) >= 4 and w not in ENGLISH_STOP_WORDS)


def stems(ws: frozenset[str]) -> frozenset[str]:
    return frozenset(w[:6] for w in ws)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def load_records(path: Path | None) -> list[dict]:
    """The extracted records: from a jsonl file, or by running `kg extract` on ../shared."""
    if path is not None:
        lines = path.read_text(encoding="utf-8").splitlines()
    else:
        cmd = [sys.executable, "-c", "from kg.cli import main; main()", "extract", "--format", "jsonl", *map(str, DEFAULT_INPUTS)]
        run = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if run.returncode not in (0, 1):
            sys.exit(f"sample_pairs: kg extract failed: {run.stderr.strip().splitlines()[-1:]}")
        lines = run.stdout.splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    if not records:
        sys.exit(f"sample_pairs: no records read from {path or ' '.join(map(str, DEFAULT_INPUTS))}")
    return records


def inspection_date(record: dict) -> str:
    return record.get("inspection_start") or record.get("letter_date") or record.get("published_date") or ""


def load_items(records: list[dict]) -> list[dict]:
    items = []
    for record in sorted(records, key=lambda r: r["document"]):
        council = (record.get("council") or {}).get("canonical")
        if not council:
            continue
        seen = set()
        candidates = list(record.get("recommendations") or [])
        candidates += [f for f in record.get("findings") or [] if f.get("kind") == "weakness"]
        for entry in candidates:
            key = " ".join(entry["text"].split()).lower()
            if key in seen:
                continue
            seen.add(key)
            ws = words(entry["text"])
            items.append({
                "document": record["document"], "kind": entry["kind"], "text": entry["text"],
                "span": list(entry["span"]), "council": council,
                "order": (inspection_date(record), record["document"], entry["span"][0]),
                "words": ws, "stems": stems(ws),
            })
    return items


def bands(items: list[dict]) -> dict[str, dict[str, list[tuple[int, int]]]]:
    """Per scope: the top and middle bands (by Jaccard among stem-sharing pairs) and all pairs."""
    out: dict[str, dict[str, list]] = {"within": {}, "across": {}}
    scored: dict[str, list] = {"within": [], "across": []}
    every: dict[str, list] = {"within": [], "across": []}
    for i, j in combinations(range(len(items)), 2):
        a, b = items[i], items[j]
        if a["document"] == b["document"]:
            continue
        scope = "within" if a["council"] == b["council"] else "across"
        every[scope].append((i, j))
        if a["stems"] & b["stems"]:
            scored[scope].append((-jaccard(a["words"], b["words"]), i, j))
    for scope in out:
        ranked = [(i, j) for _, i, j in sorted(scored[scope])]
        top_n = round(len(ranked) * TOP_FRACTION)
        mid_n = round(len(ranked) * MIDDLE_FRACTION)
        out[scope] = {"top": ranked[:top_n], "middle": ranked[top_n:mid_n], "random": every[scope],
                      "sharing": ranked}
    return out


def item_view(item: dict) -> dict:
    return {"document": item["document"], "kind": item["kind"], "text": item["text"], "span": item["span"]}


def _draw(rng, pools, items, quotas, uses, chosen) -> list[dict]:
    drawn = []
    for scope in ("within", "across"):
        for stratum, quota in quotas:
            pool = pools[scope][stratum.removesuffix("-extra")]
            order = list(range(len(pool)))
            rng.shuffle(order)
            taken = 0
            for k in order:
                if taken == quota:
                    break
                i, j = pool[k]
                if (i, j) in chosen or uses[i] >= MAX_USES or uses[j] >= MAX_USES:
                    continue
                chosen.add((i, j))
                uses[i] += 1
                uses[j] += 1
                a, b = sorted((items[i], items[j]), key=lambda it: it["order"])
                drawn.append({"scope": scope, "stratum": stratum, "a": item_view(a), "b": item_view(b)})
                taken += 1
    rng.shuffle(drawn)
    return drawn


def sample(items: list[dict], seed: int = SEED) -> tuple[list[dict], dict]:
    """The first draw (ids 1-180), then the second (middle-band oversample), which leaves the first as it was."""
    pools = bands(items)
    uses = [0] * len(items)
    chosen: set[tuple[int, int]] = set()
    drawn = _draw(random.Random(seed), pools, items, QUOTAS, uses, chosen)
    drawn += _draw(random.Random(seed + 1), pools, items, SECOND_QUOTAS, uses, chosen)
    pairs = [{"id": n, **p} for n, p in enumerate(drawn, 1)]
    sizes = {scope: {name: len(p) for name, p in pool.items()} for scope, pool in pools.items()}
    return pairs, sizes


def read_labels(path: Path) -> dict[int, tuple[str, str]]:
    labels = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[1] not in LABELS or not parts[0].isdigit():
            sys.exit(f"sample_pairs: {path}:{n}: expected id<TAB>SAME|RELATED|DIFFERENT<TAB>reason")
        labels[int(parts[0])] = (parts[1], parts[2].strip())
    return labels


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=Path, help="kg extract --format jsonl output (default: run it on ../shared)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", type=Path, help="write the pairs here (jsonl)")
    ap.add_argument("--labels", type=Path, help="merge id<TAB>LABEL<TAB>reason lines into the pairs")
    ap.add_argument("--check", type=Path, help="redraw and compare with this judged file's pairs")
    args = ap.parse_args(argv)
    pairs, sizes = sample(load_items(load_records(args.records)), args.seed)
    print(f"population (pairs): {json.dumps(sizes)}", file=sys.stderr)
    if args.check:
        judged = [json.loads(line) for line in args.check.read_text(encoding="utf-8").splitlines() if line.strip()]
        key = lambda p: (p["id"], p["scope"], p["stratum"], json.dumps(p["a"]), json.dumps(p["b"]))  # noqa: E731
        drawn = {key(p) for p in pairs}
        missing = [p["id"] for p in judged if key(p) not in drawn]
        print(f"{len(judged)} judged pairs, {len(judged) - len(missing)} as drawn", file=sys.stderr)
        if missing:
            print(f"not as drawn: ids {missing}", file=sys.stderr)
        return 1 if missing else 0
    if args.labels:
        labels = read_labels(args.labels)
        unlabelled = [p["id"] for p in pairs if p["id"] not in labels]
        if unlabelled:
            sys.exit(f"sample_pairs: {args.labels}: no label for ids {unlabelled}")
        for p in pairs:
            p["label"], p["reason"] = labels[p["id"]]
    text = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
