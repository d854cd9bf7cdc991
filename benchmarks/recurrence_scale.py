"""Recurrence at scale: one new report added to the 20x store, and the recurrence queries there.

    python benchmarks/recurrence_scale.py              # 20x text copies of the shipped samples
    python benchmarks/recurrence_scale.py --scale 5

Builds the scaled corpus of benchmarks/run.py (text copies of every shipped report, each another
council's) into a fresh store, then adds one new report (a copy of one report with a line added: a new
text, so a new report graph) and times `kg build` of the corpus again. Beside it, in the same run and
on the same store, the BASELINE: the derived graph recomputed in full (kg.recur.refresh_derived, what
every build did before the delta update). Then each named query that reads the derived graph, its
rows and its median time of `--repeat` runs (target: < 100 ms).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

RECURRENCE_QUERIES = ("why-linked", "recurring-within-council", "themes-across-councils")
PARAMS = {"council": "Doncaster", "min_councils": "2", "text": "supervision"}


def kg_build(corpus: Path, store: Path) -> tuple[float, str]:
    kg = shutil.which("kg") or str(Path(sys.executable).with_name("kg"))
    t = time.perf_counter()
    done = subprocess.run([kg, "build", str(corpus), "--store", str(store), "--jobs", "2", "-q"],
                          capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"kg build failed ({done.returncode}): {done.stderr[-2000:]}")
    return time.perf_counter() - t, done.stdout + done.stderr


def main() -> None:
    from run import make_scaled_corpus, shipped_inputs  # benchmarks/run.py

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=20, help="copies of each report (default 20)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per query time; the median is reported")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-recur-"))
    try:
        corpus, store = tmp / "corpus", tmp / "store"
        corpus.mkdir()
        n = make_scaled_corpus(shipped_inputs(), args.scale, corpus)
        fresh, _ = kg_build(corpus, store)
        one = sorted(corpus.iterdir())[0]
        (corpus / f"zz-new_{one.name}").write_text(one.read_text(encoding="utf-8") + "\nA later copy.\n",
                                                  encoding="utf-8")
        added, out = kg_build(corpus, store)

        from kg.namespaces import GRAPH_DERIVED
        from kg.query import load_queries, run_query
        from kg.recur import count_links, refresh_derived
        from kg.store import GraphStore

        gs = GraphStore(store)
        links = count_links(gs)
        derived_quads = sum(1 for _ in gs.quads([str(GRAPH_DERIVED)]))
        # the queries first, on the store as the update left it (the full recomputation below rewrites
        # most of the derived graph, and reads after it are slower until the store compacts)
        qrows = []
        for q in load_queries():
            if q.name not in RECURRENCE_QUERIES:
                continue
            params = {p.name: PARAMS[p.name] for p in q.params}
            nrows = len(run_query(gs, q, params).rows)
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                run_query(gs, q, params)
                times.append(time.perf_counter() - t)
            qrows.append((q.name, nrows, statistics.median(times)))
        t = time.perf_counter()
        refresh_derived(gs)  # the baseline: the whole derived graph recomputed and rewritten
        full = time.perf_counter() - t
        rows = [("fresh build", f"{n} files", "-", f"{fresh:.1f} s", ""),
                ("one new report added (kg build)", f"{links} links, {derived_quads} derived quads",
                 f"{full:.1f} s (derived graph alone)", f"{added:.1f} s",
                 f"{full / added:.1f}x" if added else "")]
        print(f"recurrence at {args.scale}x ({n} text copies of the shipped reports); baseline: the derived graph "
              "recomputed in full on the same store (refresh_derived)")
        w = [max(len(str(r[i])) for r in rows + [("run", "size", "baseline", "ofsted-kg", "speed-up")])
             for i in range(5)]
        for r in [("run", "size", "baseline", "ofsted-kg", "speed-up"), *rows]:
            print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)))
        print()
        print(f"{'query':28} {'rows':>6} {'median':>10}  (target < 100 ms; on the store after the update)")
        for name, nrows, m in qrows:
            print(f"{name:28} {nrows:6d} {1000 * m:8.1f} ms")
        del gs
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
