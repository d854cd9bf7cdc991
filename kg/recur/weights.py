"""Fixed word weights for recurrence links: the IDF of each word over the parts of the corpus's items.

A link's score is the cosine of two parts' words weighed by these fixed IDF values, so it depends on the
two parts alone: reports that arrive later never shift the scores of links they do not touch (a
corpus-wide IDF recomputed per build did), and an update recomputes only the issues a new report
carries (kg.recur.store.update_derived). The weights are data: kg/data/recurrence_idf.tsv, one
`word<TAB>idf` a line (words stemmed as kg.recur.links tokenises them), written by

    python -m kg.recur.weights tests/data/recurrence_items.jsonl > kg/data/recurrence_idf.tsv

from the linkable items of the 102 corpus PDFs and the five seeds. A word the table lacks weighs as a
word seen in no part (the table's `# unseen` line), and the table is checked when loaded.
"""
from __future__ import annotations

import math
import sys
from functools import lru_cache
from pathlib import Path

from ..errors import RuleFileError
from ..paths import data_dir

IDF_FILE = "recurrence_idf.tsv"


@lru_cache(maxsize=1)
def idf_table() -> tuple[dict[str, float], float]:
    """(word -> IDF, the IDF of an unseen word) from kg/data/recurrence_idf.tsv, checked: every line a
    word and a positive number, and an `# unseen N` line."""
    path = data_dir() / IDF_FILE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"cannot read the recurrence word weights: {exc}", source=str(path)) from exc
    out: dict[str, float] = {}
    unseen = None
    for n, line in enumerate(lines, 1):
        if line.startswith("# unseen"):
            try:
                unseen = float(line.split()[2])
            except (IndexError, ValueError) as exc:
                raise RuleFileError(f"line {n}: '# unseen' needs a number", source=str(path)) from exc
            continue
        if not line.strip() or line.startswith("#"):
            continue
        word, _, value = line.partition("\t")
        try:
            idf = float(value)
        except ValueError as exc:
            raise RuleFileError(f"line {n}: expected 'word<TAB>idf', not {line!r}", source=str(path)) from exc
        if not word or idf <= 0 or not math.isfinite(idf):
            raise RuleFileError(f"line {n}: the IDF of {word!r} must be a positive number", source=str(path))
        out[word] = idf
    if unseen is None or not out:
        raise RuleFileError("no '# unseen N' line or no words", source=str(path))
    return out, unseen


def compute_idf(texts) -> tuple[dict[str, float], float, int]:
    """Smoothed IDF (scikit-learn's: ln((1 + n) / (1 + df)) + 1) of the content words of the linkable
    parts of the given item texts; (table, unseen IDF, number of parts)."""
    from .issues import item_parts
    from .links import _tokens, council_words, stop_words

    drop = stop_words() | council_words()
    df: dict[str, int] = {}
    n = 0
    for text in texts:
        for part in item_parts(text):
            n += 1
            for w in set(_tokens(part.text, drop)):
                df[w] = df.get(w, 0) + 1
    table = {w: math.log((1 + n) / (1 + d)) + 1 for w, d in df.items()}
    return table, math.log(1 + n) + 1, n


def main(argv=None) -> int:
    import json

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m kg.recur.weights ITEMS.jsonl > kg/data/recurrence_idf.tsv", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in Path(args[0]).read_text(encoding="utf-8").splitlines() if line.strip()]
    table, unseen, n = compute_idf(r["text"] for r in rows)
    print(f"# IDF of the content words of {n} parts of {len(rows)} items ({Path(args[0]).name}); "
          "python -m kg.recur.weights (kg/recur/weights.py)")
    print(f"# unseen {unseen:.6f}")
    for w in sorted(table):
        print(f"{w}\t{table[w]:.6f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
