"""Benchmarks: ofsted-kg's pipeline against the straightforward one, measured in the same run.

    python benchmarks/run.py                      # the shipped samples (real PDFs and texts), medians of 3,
                                                  # plus a scaled corpus (20x text copies, made at run time)
    python benchmarks/run.py --corpus ../shared/corpus/reports   # ... plus more reports (repeatable)
    python benchmarks/run.py --quick              # one run per figure, no scaled corpus
    python benchmarks/run.py --repeat 5 --jobs 2

First, real PDFs: `kg build` of every PDF among the inputs into a fresh store with --jobs 1 and --jobs N,
in reports/s, beside the text-layer floor measured in the same run (pypdfium2 page texts and nothing else,
on 1 and on N processes), with CPU seconds of all processes and utilisation (CPU / (wall x processes)).

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
sys.stderr.write(f"\\n__maxrss_kb={usage.ru_maxrss} __cpu_s={usage.ru_utime + usage.ru_stime}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(args: list[str]) -> tuple[float, float, str, float]:
    """Run a command; (wall seconds, peak RSS MB of it and of its reaped workers, stderr, CPU seconds (user +
    system) of it and of its reaped workers)."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _PEAK_WRAPPER, *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    m = re.search(r"__maxrss_kb=(\d+) __cpu_s=([0-9.]+)", proc.stderr)
    if proc.returncode not in (0, 1) or not m:
        raise SystemExit(f"benchmark child failed ({proc.returncode}): {' '.join(args)}\n{proc.stderr[-2000:]}")
    return wall, int(m.group(1)) / 1024, proc.stderr, float(m.group(2))


def fast_end_to_end(paths: list[str], jobs: int, repeat: int, keep: str | None = None,
                    extra: tuple[str, ...] = ()) -> dict:
    """`kg build --jobs N` into a fresh store, `repeat` times (the median run's figures); the last store is
    kept in `keep` if given (an existing `keep` store is built into, not replaced, with `extra` options)."""
    kg = shutil.which("kg") or str(Path(sys.executable).with_name("kg"))
    runs, last = [], ""
    for i in range(repeat):
        store = keep if keep and i == repeat - 1 else tempfile.mkdtemp(prefix="kg-bench-build-")
        try:
            wall, peak, err, cpu = run_child([kg, "build", *paths, "--store", store, "--jobs", str(jobs), "-q",
                                              *extra])
            runs.append((wall, cpu, peak))
            last = err
        finally:
            if store != keep:
                shutil.rmtree(store, ignore_errors=True)
    wall, cpu, _ = sorted(runs)[len(runs) // 2]
    built = re.search(r"built: (\d+)", last)
    return {"wall": wall, "cpu": cpu, "jobs": jobs, "peak_mb": max(r[2] for r in runs),
            "built": int(built.group(1)) if built else None}


def floor_child(jobs: int, files: list[str]) -> None:
    """The text-layer floor (run in its own process by --_floor): every PDF's page texts with pypdfium2 and
    nothing else, on `jobs` processes, one file a task (as `kg build` hands them out)."""
    from concurrent.futures import ProcessPoolExecutor

    if jobs <= 1:
        for f in files:
            _pdf_text(f)
        return
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_pdf_text, files))


def _pdf_text(path: str) -> int:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(path)
    except Exception:  # not a PDF after all: kg build fails it too
        return 0
    n = 0
    for page in doc:
        tp = page.get_textpage()
        n += len(tp.get_text_range())
        tp.close()
        page.close()
    doc.close()
    return n


def floor(pdfs: list[str], jobs: int, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        wall, _peak, _err, cpu = run_child([sys.executable, __file__, "--_floor", str(jobs), *pdfs])
        runs.append((wall, cpu))
    wall, cpu = sorted(runs)[len(runs) // 2]
    return {"wall": wall, "cpu": cpu, "jobs": jobs}


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
    wall, peak, _, cpu = run_child([sys.executable, __file__, "--_baseline", *paths])
    return {"wall": wall, "peak_mb": peak, "cpu": cpu}


# ------------------------------------------------------------------------------------------ queries

def _rdflib_query(ds, text, bindings, out) -> None:
    t = time.perf_counter()
    try:
        n = len(list(ds.query(text, initBindings=bindings)))
    except Exception:  # rdflib cannot parse SEP-0006 LATERAL (pyoxigraph's per-row joins)
        out.put(("n/a", "n/a"))
        return
    out.put((n, time.perf_counter() - t))


def query_params(q) -> dict[str, str]:
    """The benchmark's values for a query's required parameters; optional ones (council, region) are left
    out, so those queries run over every council, their heaviest form."""
    return {p.name: (STRING_COUNCIL[p.name] if p.type == "string" and p.name in STRING_COUNCIL
                     else QUERY_PARAMS[p.name]) for p in q.params if not p.optional}


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
        params = query_params(q)
        n = len(run_query(gs.store, q, params).rows)
        fast = median_time(lambda: run_query(gs.store, q, params), repeat)
        bindings = {v.value: conv(t) for v, t in bind(q, params).items()}
        results = []
        for _ in range(repeat):
            results.append(rdflib_once(header + q.sparql, bindings))
            if results[-1][1] in (None, "n/a"):
                break  # stopped at the cap, or rdflib cannot run it: once is enough to say so
        if results[-1][1] == "n/a":
            rows.append((q.name, n, "n/a", None, fast))
        elif any(r[1] is None for r in results):
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


def query_times(store: str, repeat: int) -> dict[str, tuple[int, float]]:
    """Each named query on a built store (pyoxigraph only): name -> (rows, median seconds)."""
    from kg.query import load_queries, run_query
    from kg.store import GraphStore

    gs = GraphStore(store, read_only=True)
    out = {}
    for q in load_queries():
        params = query_params(q)
        n = len(run_query(gs.store, q, params).rows)
        out[q.name] = (n, median_time(lambda: run_query(gs.store, q, params), repeat))
    del gs
    return out


# ------------------------------------------------------------------------------------------ main

def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"machine: {os.cpu_count()} cores (nproc), {cpu}, {mem:.0f} GiB RAM, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average at start {load}")


def shipped_inputs() -> list[str]:
    """What the repository ships: real reports (PDFs and texts), family reports and letters."""
    return [str(ROOT / "samples" / d) for d in ("reports", "families", "letters") if (ROOT / "samples" / d).is_dir()]


def utilisation(run: dict) -> str:
    """CPU seconds of the run (all its processes) over wall seconds times the processes it may use."""
    return f"{100 * run['cpu'] / (run['wall'] * run['jobs']):.0f}%" if run["wall"] else "-"


def real_pdf_stage(pdfs: list[str], jobs: int, repeat: int) -> tuple[list[tuple], dict]:
    """`kg build` of the real PDFs alone (fresh store, --jobs 1 and --jobs N) beside the text-layer floor
    (pypdfium2 page texts only) on the same PDFs and the same number of processes."""
    runs = {"build1": fast_end_to_end(pdfs, 1, repeat), "floor1": floor(pdfs, 1, repeat)}
    if jobs > 1:
        runs["buildN"], runs["floorN"] = fast_end_to_end(pdfs, jobs, repeat), floor(pdfs, jobs, repeat)
    n = len(pdfs)
    rows = []
    for key, what in (("floor1", "text-layer floor, 1 process"), ("build1", "kg build --jobs 1"),
                      ("floorN", f"text-layer floor, {jobs} processes"), ("buildN", f"kg build --jobs {jobs}")):
        if key not in runs:
            continue
        r = runs[key]
        vs_floor = (f"{r['wall'] / runs['floor' + key[-1]]['wall']:.2f}x the floor" if key.startswith("build")
                    else "")
        rows.append((what, fmt_s(r["wall"]), f"{n / r['wall']:.1f}", f"{r['cpu']:.2f} s", utilisation(r), vs_floor))
    return rows, runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", action="append", default=[], metavar="DIR",
                    help="more report files to add to the shipped samples (repeatable), e.g. ../shared/corpus/reports")
    ap.add_argument("--no-samples", action="store_true", help="leave out the shipped samples (only --corpus)")
    ap.add_argument("--quick", action="store_true",
                    help="one run per figure, pypdf baseline estimated from a sample, no scaled corpus")
    ap.add_argument("--repeat", type=int, default=None,
                    help="runs per figure; the median is reported (default 1 with --quick, else 3)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="kg build --jobs (default: all cores)")
    ap.add_argument("--scale", type=int, default=None,
                    help="copies of each report in the scaled corpus (default 20; 0 = none; --quick: 0)")
    ap.add_argument("--query-cap", type=float, default=None,
                    help="stop an rdflib query after this many seconds (default 1 with --quick, else 60)")
    ap.add_argument("--_baseline", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--_floor", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._baseline:
        baseline_end_to_end_child(args._baseline)
        return
    if args._floor:
        floor_child(int(args._floor[0]), args._floor[1:])
        return
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.scale is None:
        args.scale = 0 if args.quick else 20
    paths = ([] if args.no_samples else shipped_inputs()) + args.corpus
    missing = [p for p in paths if not Path(p).exists()]
    if missing or not paths:
        raise SystemExit(f"no such input: {', '.join(missing)}" if missing else "no inputs: give --corpus DIR")
    from kg.validate import engine

    print(machine())
    print(f"inputs: {', '.join(paths)}; repeat {args.repeat} (medians); kg build --jobs {args.jobs}; "
          f"SHACL engine: {engine()}")
    started = time.perf_counter()

    # real PDFs: the build against the text-layer floor, and --jobs 1 against --jobs N
    pdfs = [f for f in report_files(paths) if f.lower().endswith(".pdf")]
    pdf_rows, pdf_runs = real_pdf_stage(pdfs, args.jobs, args.repeat)
    print(table(f"real PDFs: {len(pdfs)} PDF files, kg build into a fresh store (medians of {args.repeat}); "
                "CPU = all processes; utilisation = CPU / (wall x processes)",
                ("run", "wall", "reports/s", "CPU", "utilisation", "vs floor"), pdf_rows))
    if "buildN" in pdf_runs:
        print(f"--jobs 1 / --jobs {args.jobs}: {pdf_runs['build1']['wall'] / pdf_runs['buildN']['wall']:.2f}x; "
              f"floor 1 / {args.jobs} processes: {pdf_runs['floor1']['wall'] / pdf_runs['floorN']['wall']:.2f}x")

    st = stage_benchmark(paths, args.repeat, sample_baseline_read=args.quick)
    built_store = tempfile.mkdtemp(prefix="kg-bench-store-")
    fast = fast_end_to_end(paths, args.jobs, args.repeat, keep=built_store)
    if args.quick:  # the baseline end to end is the sum of its measured stages (pypdf estimated from a sample)
        base_wall = sum(st[k] for k in ("read_base", "extract_base", "map_base", "validate_base", "write_base"))
        base = {"wall": base_wall, "peak_mb": st["peak_mb"], "est": True, "cpu": None}
    else:
        base = {**baseline_end_to_end(paths), "est": False}
    rows = [
        ("read PDF", f"{st['pdfs']} PDFs", fmt_s(st["read_base"], st["read_base_est"]), fmt_s(st["read"]),
         ratio(st["read_base"], st["read"]), ""),
        ("extract", f"{st['reports']} reports", fmt_s(st["extract_base"]), fmt_s(st["extract"]),
         ratio(st["extract_base"], st["extract"]), ""),
        ("map", f"{st['triples']} triples", fmt_s(st["map_base"]), fmt_s(st["map"]), ratio(st["map_base"], st["map"]),
         ""),
        ("validate", "same results" if st["same_results"] else "RESULTS DIFFER", fmt_s(st["validate_base"]),
         fmt_s(st["validate"]), ratio(st["validate_base"], st["validate"]), ""),
        ("write", "", fmt_s(st["write_base"]), fmt_s(st["write"]), ratio(st["write_base"], st["write"]), ""),
        ("end to end", f"{fast['built']} built", fmt_s(base["wall"], base["est"]), fmt_s(fast["wall"]),
         ratio(base["wall"], fast["wall"]),
         (f"{utilisation({**base, 'jobs': 1})} / " if base["cpu"] else "- / ") + utilisation(fast)),
        ("peak memory (RSS)", "stage process" if base["est"] else "", f"{base['peak_mb']:.0f} MB",
         f"{fast['peak_mb']:.0f} MB", "", ""),
    ]
    print(table(f"shipped + given reports ({st['reports']} reports); stages single-process (one core), end to end "
                f"with --jobs {args.jobs}", ("stage", "size", "baseline", "ofsted-kg", "speed-up",
                                            "utilisation (baseline / ofsted-kg)"), rows))

    cap = args.query_cap or (1.0 if args.quick else 60.0)
    try:
        qrows = query_benchmark(built_store, args.repeat, cap)
    finally:
        shutil.rmtree(built_store, ignore_errors=True)

    big_q: dict = {}
    if args.scale:
        tmp = Path(tempfile.mkdtemp(prefix="kg-bench-scaled-"))
        big_store = tempfile.mkdtemp(prefix="kg-bench-scaled-store-")
        try:
            corpus = tmp / "corpus"
            corpus.mkdir()
            n = make_scaled_corpus(paths, args.scale, corpus)
            big = fast_end_to_end([str(corpus)], args.jobs, 1, keep=big_store)
            unchanged = fast_end_to_end([str(corpus)], args.jobs, 1, keep=big_store)
            forced = fast_end_to_end([str(corpus)], args.jobs, 1, keep=big_store, extra=("--force",))
            one = next(iter(sorted(corpus.iterdir())))
            (corpus / f"zz-new_{one.name}").write_text(one.read_text(encoding="utf-8") + "\nA later copy.\n",
                                                      encoding="utf-8")
            added = fast_end_to_end([str(corpus)], args.jobs, 1, keep=big_store)
            big_q = query_times(big_store, args.repeat)
            per_report = sum(st[k] for k in ("extract_base", "map_base", "validate_base", "write_base")) / max(
                1, st["reports"])
            base_big = per_report * n
            print(table(f"scaled corpus: {n} text copies ({args.scale}x; text, not PDF), kg build --jobs {args.jobs}",
                        ("run", "size", "baseline", "ofsted-kg", "speed-up", "utilisation"),
                        [("fresh build", f"{big['built']} built", fmt_s(base_big, True), fmt_s(big["wall"]),
                          ratio(base_big, big["wall"]), utilisation(big)),
                         ("rebuild, nothing changed", "", "-", fmt_s(unchanged["wall"]), "", utilisation(unchanged)),
                         ("rebuild --force", f"{forced['built']} built", "-", fmt_s(forced["wall"]),
                          f"{forced['wall'] / big['wall']:.2f}x the fresh build", utilisation(forced)),
                         ("one new report added", f"{added['built']} built", "-", fmt_s(added["wall"]), "",
                          utilisation(added)),
                         ("peak memory", "", "-", f"{max(big['peak_mb'], forced['peak_mb']):.0f} MB", "", "")]))
            print("(scaled baseline: the measured per-report cost of the baseline's extract, map, validate and write "
                  "stages on the reports above, times the number of copies; pySHACL over a scaled graph was not run)")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(big_store, ignore_errors=True)

    head = ("query", "rows", "baseline (rdflib)", "ofsted-kg (pyoxigraph)", "speed-up")
    if big_q:
        head += (f"rows at {args.scale}x", f"ofsted-kg at {args.scale}x")
    print(table(f"named queries (1x: {st['reports']} reports; rows: ofsted-kg / rdflib; rdflib stopped after "
                f"{cap:g} s; medians of {args.repeat})", head,
                [(n, f"{a} / {b}", fmt_s(base_t) if base_t is not None else
                  ("cannot run (LATERAL)" if b == "n/a" else f"> {cap:g} s"), fmt_s(fast_t),
                  ratio(base_t, fast_t) if base_t is not None else
                  ("-" if b == "n/a" else f"> {cap / fast_t:.0f}x" if fast_t < cap else "?"))
                 + ((big_q[n][0], fmt_s(big_q[n][1])) if big_q else ())
                 for n, a, b, base_t, fast_t in qrows]))

    speedup = base["wall"] / fast["wall"]
    print(f"\nbenchmark time: {time.perf_counter() - started:.0f} s")
    print(f"end-to-end speed-up vs baseline: {speedup:.1f}x")


if __name__ == "__main__":
    main()
