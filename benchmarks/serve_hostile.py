"""Benchmark: how fast `kg serve` answers a plain ASK {} while hostile clients keep it busy (issue 19).

    python benchmarks/serve_hostile.py               # store built from samples/reports, 20 ASKs each way
    python benchmarks/serve_hostile.py --asks 50

One real `kg serve --workers 2` on 127.0.0.1 over a store built from the shipped samples. BASELINE: ASK {}
latency on the quiet server. Then the same ASKs while hostile clients send, over and over, the worst
screening inputs (999 kB of '-' and of '.', and 20 kB of '-' that reaches a worker's parser) and one
client holds a worker with the slowest query screening lets in (a 20 kB chain of 1+1+..., about 11 s of
parsing). The table gives median and worst latency, and the ratio of each to the baseline measured in
the same run. The issue's target: under a second while the worst input is being refused.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def post(url: str, query: str, timeout: float = 120) -> int:
    req = urllib.request.Request(url, data=query.encode("utf-8"), method="POST",
                                 headers={"Content-Type": "application/sparql-query"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        e.read()
        return e.code


def asks(url: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        assert post(url, "ASK {}") == 200
        out.append(time.perf_counter() - started)
        time.sleep(0.05)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--asks", type=int, default=20, help="ASK {} requests per condition")
    args = ap.parse_args()
    from kg.build import build
    from kg.serve import MAX_QUERY_CHARS

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        build([REPO / "samples" / "reports"], store, jobs=2)
        log = Path(tmp) / "serve.log"
        with open(log, "wb") as err:
            proc = subprocess.Popen([sys.executable, "-c", "from kg.cli import main; main()", "serve", "--store",
                                     str(store), "--port", "0", "--timeout", "60", "--workers", "2", "-q"],
                                    stdout=subprocess.DEVNULL, stderr=err, cwd=REPO)
        try:
            while not (m := re.search(r"at (http://\S+/sparql)", log.read_text())):
                if proc.poll() is not None:
                    sys.exit(f"kg serve did not start: {log.read_text()}")
                time.sleep(0.05)
            url = m.group(1)
            quiet = asks(url, args.asks)

            worst = ["ASK { " + "-" * 999_000 + " }", "ASK { ?s ?p ?o " + "." * 999_000 + " }",
                     "ASK { " + "-" * (MAX_QUERY_CHARS - 20) + " }"]
            slow = "ASK { FILTER(" + "+".join(["1"] * (MAX_QUERY_CHARS // 2 - 20)) + ") }"
            stop = threading.Event()
            refused: list[int] = []

            def keep_sending(query: str) -> None:
                while not stop.is_set():
                    refused.append(post(url, query))

            threads = [threading.Thread(target=post, args=(url, slow))]
            threads += [threading.Thread(target=keep_sending, args=(q,)) for q in worst]
            for t in threads:
                t.start()
            while len(refused) < 6:
                time.sleep(0.05)
            loaded = asks(url, args.asks)
            slow_running = threads[0].is_alive()
            stop.set()
            for t in threads:
                t.join(120)
        finally:
            proc.terminate()
            proc.wait(10)

    base_med, base_max = statistics.median(quiet), max(quiet)
    print(f"kg serve, ASK {{}} latency ({args.asks} requests each; {len(refused)} hostile requests refused meanwhile;"
          f" slow query still parsing at the end: {'yes' if slow_running else 'no'})\n")
    print(f"{'condition':<44} {'median ms':>10} {'worst ms':>10} {'median x':>9} {'worst x':>8}")
    print(f"{'BASELINE: quiet server':<44} {base_med * 1e3:>10.1f} {base_max * 1e3:>10.1f} {1:>9.1f} {1:>8.1f}")
    med, worst_t = statistics.median(loaded), max(loaded)
    print(f"{'while the worst screening inputs are refused':<44} {med * 1e3:>10.1f} {worst_t * 1e3:>10.1f} "
          f"{med / base_med:>9.1f} {worst_t / base_max:>8.1f}")


if __name__ == "__main__":
    main()
