"""Benchmarks: ofsted-kg's pipeline against the straightforward one, measured in the same run.

    python benchmarks/run.py --quick            # seeds + corpus (under a minute)
    python benchmarks/run.py                    # ... plus the scaled corpus (20x, generated at run time)
    python benchmarks/run.py --repeat 5 --jobs 2

Per stage (read PDF, extract, map, validate, write) and end to end, each figure beside the BASELINE:

- read PDF: pypdf page text (the same normalisation after it)       vs pypdfium2
- extract:  the extractor without its speed-ups (full regex scans, no line caches) vs as shipped
- map:      map_record, then every triple turned into rdflib terms  vs map_record (pyoxigraph terms)
- validate: pySHACL over the whole graph at once (shapes/report.ttl) vs pyshacl-turbo per report graph
- write:    rdflib in-memory Dataset, Graph.add per triple          vs pyoxigraph on disk, as `kg build`
            writes new reports: bulk loads of batches, each report with its catalog entry
- end to end: the baseline stages one after the other in one process vs `kg build --jobs N` (which
  also recomputes themes and recurrence links: the baseline does not, so the ratio is conservative)
- queries: every named query (queries/*.rq) with rdflib SPARQL on an in-memory Dataset holding the same
  quads vs pyoxigraph (kg.query.run_query) on the built store.

Figures are medians of `--repeat` runs. Peak memory is the peak resident set size (ru_maxrss) of the
process that ran the stage (end to end: of any process of the build, workers included).
"""
from __future__ import annotations

import argparse
import csv
import logging
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
QUERY_PARAMS = {"council": "E08000017", "date": "2030-01-01", "min_councils": "2", "text": "supervision"}
STRING_COUNCIL = {"council": "Doncaster"}  # queries whose council parameter is a plain name
SAMPLE_EVERY = 8  # --quick: the pypdf baseline reads every 8th PDF, scaled by page count


# ------------------------------------------------------------------------------------------ helpers

def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fmt_s(x: float | None, est: bool = False) -> str:
    if x is None:
        return "-"
    s = f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"
    return s + (" (est.)" if est else "")


def ratio(base: float | None, fast: float | None) -> str:
    if not base or not fast:
        return "-"
    return f"{base / fast:.1f}x"


def table(title: str, header: tuple[str, ...], rows: list[tuple]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    out = [f"\n{title}\n", line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)


@contextmanager
def unoptimised_extraction():
    """The extractor as it was before the speed-ups: every regex of kg.scan's users (gazetteer, lead-ins)
    scans the whole text, the segmenter re-matches the section patterns for every line it looks at."""
    from kg import scan, segment

    saved = (scan.ENABLED, segment.known_heading, segment.deadline_label)
    scan.ENABLED = False
    segment.known_heading, segment.deadline_label = saved[1].__wrapped__, saved[2].__wrapped__
    try:
        yield
    finally:
        scan.ENABLED, segment.known_heading, segment.deadline_label = saved


@contextmanager
def pypdf_reader():
    """kg.read with pypdf in place of pypdfium2 (everything after the page texts unchanged)."""
    from kg import read

    logging.getLogger("pypdf").setLevel(logging.ERROR)

    def pdf_pages(path, data, limits):
        import io

        from pypdf import PdfReader

        return [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]

    saved = read.pdf_pages
    read.pdf_pages = pdf_pages
    try:
        yield
    finally:
        read.pdf_pages = saved


def report_files(paths: list[str]) -> list[str]:
    from kg.read import iter_report_files

    return [str(p) for p in iter_report_files(paths)]


def pdf_page_count(path: str) -> int:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(path)
        n = len(doc)
        doc.close()
        return n
    except Exception:
        return 0


# ------------------------------------------------------------------------------------------ stages

def stage_benchmark(paths: list[str], repeat: int, sample_baseline_read: bool) -> dict:
    """Per-stage timings of both pipelines, in this process, one report after another."""
    from rdflib import Dataset, URIRef

    from kg.extract import extract_record
    from kg.rdf import map_record
    from kg.read import read_source
    from kg.store import CatalogEntry, GraphStore
    from kg.validate import load_shapes, parse_results, reference_skeleton, validate_mapped

    files = report_files(paths)
    sources = []
    first_read = 0.0  # the readable PDFs' reading time in this first pass (the figure when repeat is 1)
    for f in files:
        t = time.perf_counter()
        try:
            sources.append(read_source(f))
        except Exception:  # unreadable files fail the same way in both pipelines
            continue
        if f.lower().endswith(".pdf"):
            first_read += time.perf_counter() - t
    readable = [s.path for s in sources]
    pdfs = [f for f in readable if f.lower().endswith(".pdf")]
    out: dict = {"reports": len(sources), "pdfs": len(pdfs)}

    # read PDF
    out["read"] = first_read if repeat == 1 else median_time(lambda: [read_source(f) for f in pdfs], repeat)
    base_pdfs = pdfs[::SAMPLE_EVERY] if sample_baseline_read else pdfs
    with pypdf_reader():
        t = median_time(lambda: [read_source(f) for f in base_pdfs], 1 if sample_baseline_read else repeat)
    if sample_baseline_read and base_pdfs:
        pages = {f: pdf_page_count(f) for f in pdfs}
        t *= sum(pages.values()) / max(1, sum(pages[f] for f in base_pdfs))
    out["read_base"], out["read_base_est"] = t, sample_baseline_read

    # extract
    records = []
    out["extract"] = median_time(lambda: records.__setitem__(slice(None), [extract_record(s) for s in sources]), repeat)
    with unoptimised_extraction():
        out["extract_base"] = median_time(lambda: [extract_record(s) for s in sources], repeat)

    # map
    graphs = []
    out["map"] = median_time(lambda: graphs.__setitem__(slice(None), [map_record(r, s) for r, s in zip(records, sources)]),
                             repeat)

    from kg.validate import to_rdflib

    rdflib_graphs = []

    def base_map():
        rdflib_graphs.clear()
        for r, s in zip(records, sources):
            rg = map_record(r, s)
            rdflib_graphs.append((URIRef(rg.graph.value), [(to_rdflib(t.subject), to_rdflib(t.predicate),
                                                            to_rdflib(t.object)) for t in rg.triples]))
    out["map_base"] = median_time(base_map, repeat)

    # write
    ds_holder = []

    def base_write():
        ds = Dataset()
        for g, triples in rdflib_graphs:
            graph = ds.graph(g)
            for t in triples:
                graph.add(t)
        ds_holder[:] = [ds]
    out["write_base"] = median_time(base_write, repeat)

    # as `kg build` writes new reports: N-Triples text from the workers, bulk-loaded a batch at a time
    from kg.build import _BATCH_TRIPLES

    packed = [(rg.graph.value, rg.ntriples(), len(rg), CatalogEntry(s.path, s.sha256, "bench", "built", rg.graph.value))
              for s, rg in zip(sources, graphs)]

    def fast_write():
        tmp = tempfile.mkdtemp(prefix="kg-bench-store-")
        try:
            gs = GraphStore(tmp)
            batch, size = [], 0
            for iri, nt, n, entry in packed:
                batch.append((iri, nt, entry))
                size += n
                if size >= _BATCH_TRIPLES:
                    gs.add_reports(batch, "urn:bench:build")
                    batch, size = [], 0
            if batch:
                gs.add_reports(batch, "urn:bench:build")
            gs.flush()
            del gs
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    out["write"] = median_time(fast_write, repeat)

    # validate
    results = []
    out["validate"] = median_time(lambda: results.__setitem__(slice(None), [
        r for s, rg in zip(sources, graphs) for r in validate_mapped(rg, report=s.name)]), repeat)

    def base_validate():
        from pyshacl import validate
        from rdflib import Graph

        data = Graph()
        for _g, triples in rdflib_graphs:
            for t in triples:
                data.add(t)
        skeleton = reference_skeleton()
        for o in set(data.objects()):
            for t in skeleton.get(o, ()):
                data.add(t)
        _c, report, _t = validate(data, shacl_graph=load_shapes("report"), inference="none",
                                  allow_warnings=True, advanced=False, inplace=True)
        base_results.append(parse_results(report))
    base_results: list = []
    out["validate_base"] = median_time(base_validate, repeat)
    fast_keys = sorted((r.severity, r.focus, r.path or "", r.message) for r in results)
    base_keys = sorted((r.severity, r.focus, r.path or "", r.message) for r in base_results[-1])
    out["same_results"] = fast_keys == base_keys
    out["triples"] = sum(len(g) for g in graphs)
    out["peak_mb"] = maxrss_mb()
    return out


# ------------------------------------------------------------------------------------------ end to end

# A small wrapper process forks the command and reports the command's own peak RSS (workers included):
# a child forked straight from this (big) benchmark process would inherit its high-water mark.
_PEAK_WRAPPER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write(f"\\n__maxrss_kb={usage.ru_maxrss}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(args: list[str]) -> tuple[float, float, str]:
    """Run a command; (wall seconds, peak RSS MB of it and of its reaped workers, stderr)."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _PEAK_WRAPPER, *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    m = re.search(r"__maxrss_kb=(\d+)", proc.stderr)
    if proc.returncode not in (0, 1) or not m:
        raise SystemExit(f"benchmark child failed ({proc.returncode}): {' '.join(args)}\n{proc.stderr[-2000:]}")
    return wall, int(m.group(1)) / 1024, proc.stderr


def fast_end_to_end(paths: list[str], jobs: int, repeat: int, keep: str | None = None) -> dict:
    """`kg build --jobs N` into a fresh store, `repeat` times; the last store is kept in `keep` if given."""
    kg = shutil.which("kg") or str(Path(sys.executable).with_name("kg"))
    walls, peaks, last = [], [], ""
    for i in range(repeat):
        store = keep if keep and i == repeat - 1 else tempfile.mkdtemp(prefix="kg-bench-build-")
        try:
            wall, peak, err = run_child([kg, "build", *paths, "--store", store, "--jobs", str(jobs), "-q"])
            walls.append(wall)
            peaks.append(peak)
            last = err
        finally:
            if store != keep:
                shutil.rmtree(store, ignore_errors=True)
    built = re.search(r"built: (\d+)", last)
    return {"wall": statistics.median(walls), "peak_mb": max(peaks), "built": int(built.group(1)) if built else None}


def baseline_end_to_end_child(paths: list[str]) -> None:
    """The baseline pipeline end to end (run in its own process by --_baseline)."""
    from pyshacl import validate
    from rdflib import Dataset, Graph, URIRef

    from kg.extract import extract_record
    from kg.rdf import map_record
    from kg.read import read_source
    from kg.validate import load_shapes, reference_skeleton

    from kg.validate import to_rdflib

    ds = Dataset()
    with pypdf_reader(), unoptimised_extraction():
        for f in report_files(paths):
            try:
                src = read_source(f)
            except Exception:
                continue
            rg = map_record(extract_record(src), src)
            g = ds.graph(URIRef(rg.graph.value))
            for t in rg.triples:
                g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    data = Graph()
    for q in ds.quads((None, None, None, None)):
        data.add(q[:3])
    skeleton = reference_skeleton()
    for o in set(data.objects()):
        for t in skeleton.get(o, ()):
            data.add(t)
    validate(data, shacl_graph=load_shapes("report"), inference="none", allow_warnings=True, advanced=False,
             inplace=True)


def baseline_end_to_end(paths: list[str]) -> dict:
    wall, peak, _ = run_child([sys.executable, __file__, "--_baseline", *paths])
    return {"wall": wall, "peak_mb": peak}


# ------------------------------------------------------------------------------------------ queries

def _rdflib_query(ds, text, bindings, out) -> None:
    t = time.perf_counter()
    n = len(list(ds.query(text, initBindings=bindings)))
    out.put((n, time.perf_counter() - t))


def query_benchmark(store: str, repeat: int, cap: float) -> list[tuple]:
    """Every named query on the built store (pyoxigraph) and on the same quads in an rdflib Dataset.
    An rdflib query still running after `cap` seconds is stopped and reported as '> cap'."""
    import multiprocessing as mp

    import pyoxigraph as ox
    from rdflib import Dataset

    from kg.namespaces import PREFIXES
    from kg.query import bind, load_queries, run_query
    from kg.store import GraphStore

    rows = []
    gs = GraphStore(store, read_only=True)
    ds = Dataset(default_union=True)
    ds.parse(data=gs.store.dump(format=ox.RdfFormat.N_QUADS).decode(), format="nquads")
    header = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    ctx = mp.get_context("fork")  # the child shares the loaded Dataset

    from kg.validate import to_rdflib as conv

    def rdflib_once(text, bindings):
        q = ctx.Queue()
        proc = ctx.Process(target=_rdflib_query, args=(ds, text, bindings, q))
        proc.start()
        proc.join(cap)
        if proc.is_alive():
            proc.kill()
            proc.join()
            return None, None
        return q.get()

    for q in load_queries():
        params = {p.name: (STRING_COUNCIL[p.name] if p.type == "string" and p.name in STRING_COUNCIL
                           else QUERY_PARAMS[p.name]) for p in q.params}
        n = len(run_query(gs.store, q, params).rows)
        fast = median_time(lambda: run_query(gs.store, q, params), repeat)
        bindings = {v.value: conv(t) for v, t in bind(q, params).items()}
        results = []
        for _ in range(repeat):
            results.append(rdflib_once(header + q.sparql, bindings))
            if results[-1][1] is None:
                break  # stopped at the cap: once is enough to say so
        if any(r[1] is None for r in results):
            rows.append((q.name, n, "?", None, fast))
        else:
            rows.append((q.name, n, results[0][0], statistics.median(r[1] for r in results), fast))
    del gs
    return rows


# ------------------------------------------------------------------------------------------ scaled corpus

def councils() -> list[str]:
    from kg.paths import data_dir

    with open(data_dir() / "la_lookup.csv", encoding="utf-8-sig", newline="") as fh:
        return sorted({row["local_authority_ons_name"] for row in csv.DictReader(fh) if row["local_authority_ons_name"]})


def make_scaled_corpus(paths: list[str], copies: int, out: Path) -> int:
    """`copies` text copies of every readable report, each another council's (its name swapped for the
    name of a council of kg/data/la_lookup.csv) and dated 0, 4 or 8 years earlier (leap days stay valid),
    so each copy has its own content hash, council IRI and inspection IRIs. Returns the number of files."""
    from kg.extract import extract_record
    from kg.read import read_source

    names = councils()
    rnd = random.Random(8)
    n = 0
    for f in report_files(paths):
        try:
            src = read_source(f)
        except Exception:
            continue
        own = extract_record(src).council.canonical
        for k in range(copies):
            other = rnd.choice([c for c in names if c != own])
            shift = 4 * (k % 3)
            text = src.text
            if own:
                text = re.sub(rf"\b{re.escape(own)}\b", other, text)
                text = re.sub(rf"\b{re.escape(own.upper())}\b", other.upper(), text)
            text = re.sub(r"\b(20[0-3]\d)\b", lambda m: str(int(m.group(1)) - shift), text)
            slug = re.sub(r"[^a-z0-9]+", "-", other.lower()).strip("-")
            (out / f"{slug}_{k:02d}_{Path(f).stem}.txt").write_text(text, encoding="utf-8")
            n += 1
    return n


# ------------------------------------------------------------------------------------------ main

def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"machine: {os.cpu_count()} cores (nproc), {cpu}, {mem:.0f} GiB RAM, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="seeds + corpus only (under a minute)")
    ap.add_argument("--repeat", type=int, default=None,
                    help="runs per figure; the median is reported (default 1 with --quick, else 3)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="kg build --jobs (default: all cores)")
    ap.add_argument("--scale", type=int, default=20, help="copies of each report in the scaled corpus")
    ap.add_argument("--seeds", default=str(SHARED / "seeds"))
    ap.add_argument("--corpus", default=str(SHARED / "corpus" / "reports"))
    ap.add_argument("--query-cap", type=float, default=None,
                    help="stop an rdflib query after this many seconds (default 1 with --quick, else 60)")
    ap.add_argument("--_baseline", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._baseline:
        baseline_end_to_end_child(args._baseline)
        return
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    paths = [p for p in (args.seeds, args.corpus) if Path(p).exists()]
    if not paths:
        raise SystemExit("no seeds or corpus found: give --seeds and --corpus")
    from kg.validate import engine

    print(machine())
    print(f"inputs: {', '.join(paths)}; repeat {args.repeat}; kg build --jobs {args.jobs}; SHACL engine: {engine()}")
    started = time.perf_counter()

    st = stage_benchmark(paths, args.repeat, sample_baseline_read=args.quick)
    built_store = tempfile.mkdtemp(prefix="kg-bench-store-")
    fast = fast_end_to_end(paths, args.jobs, args.repeat, keep=built_store)
    if args.quick:  # the baseline end to end is the sum of its measured stages (pypdf estimated from a sample)
        base_wall = sum(st[k] for k in ("read_base", "extract_base", "map_base", "validate_base", "write_base"))
        base = {"wall": base_wall, "peak_mb": st["peak_mb"], "est": True}
    else:
        base = {**baseline_end_to_end(paths), "est": False}
    rows = [
        ("read PDF", f"{st['pdfs']} PDFs", fmt_s(st["read_base"], st["read_base_est"]), fmt_s(st["read"]),
         ratio(st["read_base"], st["read"])),
        ("extract", f"{st['reports']} reports", fmt_s(st["extract_base"]), fmt_s(st["extract"]),
         ratio(st["extract_base"], st["extract"])),
        ("map", f"{st['triples']} triples", fmt_s(st["map_base"]), fmt_s(st["map"]), ratio(st["map_base"], st["map"])),
        ("validate", "same results" if st["same_results"] else "RESULTS DIFFER", fmt_s(st["validate_base"]),
         fmt_s(st["validate"]), ratio(st["validate_base"], st["validate"])),
        ("write", "", fmt_s(st["write_base"]), fmt_s(st["write"]), ratio(st["write_base"], st["write"])),
        ("end to end", f"{fast['built']} built", fmt_s(base["wall"], base["est"]), fmt_s(fast["wall"]),
         ratio(base["wall"], fast["wall"])),
        ("peak memory (RSS)", "stage process" if base["est"] else "", f"{base['peak_mb']:.0f} MB",
         f"{fast['peak_mb']:.0f} MB", ""),
    ]
    print(table(f"seeds + corpus ({st['reports']} reports); stages single-process, end to end with --jobs {args.jobs}",
                ("stage", "size", "baseline", "ofsted-kg", "speed-up"), rows))

    cap = args.query_cap or (1.0 if args.quick else 60.0)
    try:
        qrows = query_benchmark(built_store, args.repeat, cap)
    finally:
        shutil.rmtree(built_store, ignore_errors=True)
    print(table(f"named queries (same graph, {st['reports']} reports; rows: ofsted-kg / rdflib; "
                f"rdflib stopped after {cap:g} s)",
                ("query", "rows", "baseline (rdflib)", "ofsted-kg (pyoxigraph)", "speed-up"),
                [(n, f"{a} / {b}", fmt_s(base_t) if base_t is not None else f"> {cap:g} s", fmt_s(fast_t),
                  ratio(base_t, fast_t) if base_t is not None else f"> {cap / fast_t:.0f}x")
                 for n, a, b, base_t, fast_t in qrows]))

    speedup = base["wall"] / fast["wall"]
    if not args.quick:
        tmp = Path(tempfile.mkdtemp(prefix="kg-bench-scaled-"))
        try:
            n = make_scaled_corpus(paths, args.scale, tmp)
            big = fast_end_to_end([str(tmp)], args.jobs, 1)
            # text copies: no PDF to read, so the baseline's per-report cost without its PDF reading
            per_report = sum(st[k] for k in ("extract_base", "map_base", "validate_base", "write_base")) / max(
                1, st["reports"])
            base_big = per_report * n
            print(table(f"scaled corpus: {n} text copies ({args.scale}x; text, not PDF), kg build --jobs {args.jobs}",
                        ("stage", "size", "baseline", "ofsted-kg", "speed-up"),
                        [("end to end", f"{big['built']} built", fmt_s(base_big, True), fmt_s(big["wall"]),
                          ratio(base_big, big["wall"])),
                         ("peak memory", "", "-", f"{big['peak_mb']:.0f} MB", "")]))
            print("(scaled baseline: the measured per-report cost of the baseline's extract, map, validate and write "
                  "stages on seeds + corpus, times the number of copies; pySHACL over a 20x graph was not run)")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nbenchmark time: {time.perf_counter() - started:.0f} s")
    print(f"end-to-end speed-up vs baseline: {speedup:.1f}x")


if __name__ == "__main__":
    main()
