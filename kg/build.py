"""The build, end to end: files -> read & extract (kg.pipeline) -> map (kg.rdf) -> validate -> store.

`build(paths, store)` returns a frozen `BuildSummary`; it never prints. One bad file never stops the
batch: it is listed in `failed` with its reason (and remembered in the catalog, so an unchanged bad
file is not read again but is still reported). A file that changed and now fails keeps its last good
report graph. A file that vanishes during the build, or is over a limit (size, pages, time), fails and
the catalog is left as it was, so the next build tries it again.

Two files with the same report text (the same report saved twice) share one report graph: the first
(in path order) builds it; the other is listed in `duplicates` and recorded in the catalog as a
duplicate, and is not built again.

Every write carries each report graph with its catalog entry, all or nothing (new reports are bulk-loaded
a batch at a time behind an intent record, see kg.store; a report that replaces an older graph or entry
is one SPARQL update), so a build killed at any moment leaves each report fully present or absent; the
next build finishes the job, including the entities and derived graphs (recomputed whenever the set of report graphs
differs from the one they were computed from).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .entities import refresh_entities
from .errors import KgError, LimitError, printable
from .pipeline import TimeLimitExceeded, process_paths, start_pool, time_limit
from .namespaces import report_graph
from .rdf import reference_triples
from .read import ReadLimits, iter_report_files
from .read import file_sha256 as regular_file_sha256
from .recur import refresh_derived, update_derived
from .rules import require_rule_files
from .store import (CatalogEntry, GraphStore, file_sha256, new_build_iri, now, pipeline_version, source_iri,
                    stored_file_exists)
from .prepare import Prepared, prepare
from .prepare import reason as _reason
from .prepare import warm_worker as _warm_worker
from .validate import ValidationResult


@dataclass(frozen=True, slots=True)
class Failure:
    path: str
    reason: str
    cached: bool = False  # failed in an earlier build and unchanged since, so not read again


@dataclass(frozen=True, slots=True)
class Duplicate:
    path: str
    of: str  # the file whose report graph holds the same report
    cached: bool = False  # found in an earlier build and unchanged since


@dataclass(frozen=True, slots=True)
class BuildSummary:
    files: int  # report files found under the paths
    read: int  # files read and extracted in this run
    built: int  # report graphs written in this run
    skipped: tuple[str, ...]  # unchanged since the last build (same bytes, same pipeline version)
    failed: tuple[Failure, ...]
    triples: int  # triples written in this run (report graphs)
    store_triples: int  # quads in the whole store afterwards
    warnings: int  # SHACL warnings of the reports built in this run
    violations: int  # SHACL violations of the reports built in this run
    results: tuple[ValidationResult, ...] = ()
    notes: tuple[str, ...] = ()  # read warnings, e.g. 'named .pdf but is not a PDF'
    reference_updated: bool = False
    recurrence_links: int | None = None  # links in the derived graph, when it was recomputed
    duplicates: tuple[Duplicate, ...] = ()  # files holding the same report text as another file
    gone: tuple[str, ...] = ()  # files in the store's catalog that are no longer on disk (kept: no --prune)
    pruned: tuple[str, ...] = ()  # files no longer on disk whose reports and entries were removed (--prune)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.violations


Progress = Callable[..., None]


def build(paths: Iterable[str | Path], store: GraphStore | str | Path | None, *, jobs: int = 1,
          limits: ReadLimits = ReadLimits(), force: bool = False, prune: bool = False,
          progress: Progress | None = None) -> BuildSummary:
    """Build (or update) the graph store from the report files under `paths`.

    Files of earlier builds that are no longer on disk are listed in `gone`; with `prune`, their catalog
    entries and the report graphs no other file uses are removed instead (one atomic update, `pruned`),
    and the derived graph is recomputed like after any change of the reports.

    `progress(total=n)` is called once with the number of files, then `progress(path=p, status=s)` per file
    (status: skipped | built | failed | duplicate).
    """
    require_rule_files()  # a broken rule file stops the build here (RuleFileError), before any report is read
    gs = store if isinstance(store, GraphStore) else GraphStore(store)
    version = pipeline_version()
    started = now()
    build_iri = new_build_iri(started)

    # the store's own files are never read as reports, even when the store lies inside a folder built
    stores: list[Path] = []  # other stores inside the folders built: said, not read
    files = [str(Path(p).resolve()) for p in iter_report_files(paths, exclude=[gs.path] if gs.path else [],
                                                                stores=stores)]
    files = list(dict.fromkeys(files))
    report = progress or (lambda **kw: None)
    report(total=len(files))

    listed = set(files)
    gone = {iri: path for iri, (path, _) in gs.catalog_files().items()
            if path not in listed and not stored_file_exists(path)}
    pruned: list[str] = []
    if prune and gone:
        gs.remove_sources(gone)
        pruned = sorted(gone.values())
    skipped: list[str] = []
    failed: list[Failure] = []
    duplicates: list[Duplicate] = []
    built_by: dict[str, str] = {}  # report graph -> the file that built it in this run
    todo: dict[str, tuple[str, CatalogEntry | None]] = {}  # file -> (sha256, its catalog entry before this build)
    for f in files:
        try:
            # a FIFO or device is refused and a file over --max-mb is not hashed, and hashing is under
            # --timeout too: every limit holds from the first byte read
            with time_limit(limits.timeout):
                sha = regular_file_sha256(f, limits.max_bytes)
        except TimeLimitExceeded:
            failed.append(Failure(f, f"timed out after {limits.timeout:g} s while hashing (the per-report limit) "
                                     "(raise --timeout if this is really one report)"))
            report(path=f, status="failed")
            continue
        except KgError as exc:
            failed.append(Failure(f, _reason(exc)))
            report(path=f, status="failed")
            continue
        except OSError as exc:
            failed.append(Failure(f, f"cannot read: {exc.strerror or exc}"))
            report(path=f, status="failed")
            continue
        entry = gs.catalog_entry(f)
        # unchanged files are skipped, but a copy of a file that is gone is read again (to hold the report
        # under its own name)
        if not force and entry and entry.sha256 == sha and entry.pipeline_version == version \
                and not (entry.status == "duplicate" and entry.reason and not stored_file_exists(entry.reason)):
            skipped.append(f)
            if entry.status == "failed":
                failed.append(Failure(f, entry.reason or "failed in an earlier build", cached=True))
            elif entry.status == "duplicate":
                duplicates.append(Duplicate(f, entry.reason or "", cached=True))
            report(path=f, status="skipped")
            continue
        todo[f] = (sha, entry)

    # the workers start now and warm up (rules, shapes, caches) while this process writes the reference
    # graph; forked after the rule files were checked and loaded here, they inherit those
    pool = start_pool(jobs, limits, warm=_warm_worker) if (jobs > 1 or limits.max_memory) and len(todo) > 1 else None
    try:
        reference_updated = gs.ensure_reference(reference_triples())
    except BaseException:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    read = built = triples = 0
    results: list[ValidationResult] = []
    notes: list[str] = [f"{printable(str(s))}: a graph store, not reports: its files were not read" for s in stores]
    changed = bool(pruned)
    # New reports (no old graph or catalog entry to replace) are written in batches (kg.store.add_reports),
    # each with its catalog entry, and so are the entries of new files that failed or are duplicates; any
    # other write first writes the batch (so writes land in file order). Few, large batches: each one is a
    # bulk load, and many small ones cost RocksDB more compaction than the loads themselves.
    pending: list[tuple[str | None, str, CatalogEntry]] = []
    pending_drop: list[str] = []  # graphs the reports of the batch replace (a rebuild), dropped before it
    pending_triples = 0
    known_items: dict = {}  # report graph -> its linkable items, from the workers (for refresh_derived)

    writer = _Writer(gs, build_iri)

    def write_pending(wait: bool = True) -> None:
        """Hand the batch to the writer thread (the bulk load releases the GIL, so the next results are
        taken meanwhile); `wait`: and wait until every batch is written (before any other write)."""
        nonlocal pending_triples
        if pending:
            writer.write(list(pending), list(pending_drop))
            pending.clear()
            pending_drop.clear()
            pending_triples = 0
        if wait:
            writer.wait()

    for n, outcome in enumerate(process_paths(list(todo), limits=limits, jobs=jobs, then=prepare, pool=pool)):
        if n == 0:
            _preload_recurrence()  # once the workers are running (not while they are being forked)
        path = str(Path(outcome.path).resolve())
        sha, previous = todo[path] if path in todo else (file_sha256(path), gs.catalog_entry(path))
        notes.extend(f"{Path(path).name}: {w}" for w in outcome.warnings)
        if outcome.source is not None:
            read += 1
        if outcome.error is not None:
            reason = _reason(outcome.error)
            failed.append(Failure(path, reason))
            # a file that vanished mid-build, or is over a limit (to be tried again, perhaps with a higher
            # limit), leaves its catalog entry as it was; a failed file keeps its last good report graph
            if Path(path).exists() and not isinstance(outcome.error, LimitError):
                entry = CatalogEntry(path, sha, version, "failed", previous.graph if previous else None, reason)
                if previous is None:  # a new file: its entry goes with the batch of new reports
                    pending.append((None, "", entry))
                else:
                    write_pending()
                    gs.record_failure(entry, build_iri)
                changed = True
            report(path=path, status="failed")
            continue
        graph = str(report_graph(outcome.source.text_sha256))
        original = _original_of(gs, graph, path, built_by, listed, todo, limits.max_bytes)
        if original is not None:
            duplicates.append(Duplicate(path, original))
            entry = CatalogEntry(path, sha, version, "duplicate", graph, original)
            if previous is None:  # a new file: its entry goes with the batch (the original's graph may be in it)
                pending.append((None, "", entry))
            else:
                write_pending()
                gs.record_entry(entry, build_iri, drop=_unused_previous(gs, previous, path, graph))
            changed = True
            report(path=path, status="duplicate")
            continue
        prepared = outcome.prepared if isinstance(outcome.prepared, Prepared) else prepare(outcome).prepared
        if prepared.error is not None:
            failed.append(Failure(path, prepared.error))
            report(path=path, status="failed")
            continue
        rg, found = prepared.graph, list(prepared.results)
        known_items[rg.iri] = prepared.items
        results.extend(found)
        entry = CatalogEntry(path, sha, version, "built", rg.iri)
        if previous is None and gs.is_new_report(rg.iri, path):
            pending.append((rg.iri, rg.ntriples, entry))
        else:  # a rebuild (changed file, --force, new pipeline version): in the batch too, its old graphs
            # dropped first (kg.store.add_reports), instead of one SPARQL update per report
            pending.append((rg.iri, rg.ntriples, entry))
            pending_drop.extend([rg.iri, *_unused_previous(gs, previous, path, rg.iri)])
        pending_triples += len(rg)
        if pending_triples >= _batch_size(triples) and writer.idle():
            write_pending(wait=False)
        built_by[rg.iri] = path
        built += 1
        triples += len(rg)
        changed = True
        report(path=path, status="built")

    write_pending()
    links = None
    if changed or reference_updated:
        gs.record_build(build_iri, started, now(), version)
    refresh_entities(gs, force=changed or reference_updated)  # the shared entities, stated once (kg.entities)
    digest = gs.derived_digest()
    recorded = gs.recorded_derived_digest()
    if changed or reference_updated or recorded != digest:
        # themes and recurrence links follow the reports (also after a build killed before this point): as a
        # delta of the issues the added and removed reports carry, unless the derived graph may be out of
        # step with its record (no recorded digest: never built, or a write interrupted) or the reference
        # graph (councils' names) changed
        if recorded is None or reference_updated:
            links = len(refresh_derived(gs, known_items=known_items).links)
        else:
            links = update_derived(gs, known_items=known_items).links
        gs.record_derived_digest(digest)
    gs.flush()
    return BuildSummary(
        files=len(files), read=read, built=built, skipped=tuple(skipped), failed=tuple(failed), triples=triples,
        store_triples=len(gs), warnings=sum(r.severity == "Warning" for r in results),
        violations=sum(r.severity == "Violation" for r in results), results=tuple(results), notes=tuple(notes),
        reference_updated=reference_updated, recurrence_links=links, duplicates=tuple(duplicates),
        gone=tuple(sorted(gone.values())) if not prune else (), pruned=tuple(pruned))


class _Writer:
    """Writes batches of new reports (`GraphStore.add_reports`) in one thread, one batch after another in
    the order given, while the build goes on taking the workers' results: pyoxigraph's bulk load releases
    the GIL. `wait` returns once all are written, and raises the error of a batch that failed (the next
    batches are then not written)."""

    def __init__(self, gs: GraphStore, build_iri: str):
        self.gs, self.build_iri = gs, build_iri
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def idle(self) -> bool:
        return self._thread is None or not self._thread.is_alive()

    def write(self, batch: list, drop: list[str]) -> None:
        self.wait()  # one batch at a time, in order

        def run() -> None:
            try:
                self.gs.add_reports(batch, self.build_iri, drop=drop)
            except BaseException as exc:  # raised in the build's own thread by `wait`
                self._error = exc

        self._thread = threading.Thread(target=run, name="kg-build-writer", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error


_BATCH_TRIPLES = 250_000  # new reports are written at most about this many triples to a batch


def _batch_size(written: int) -> int:
    """How many triples of new reports to gather before a bulk write, when `written` have been written
    in this build: small at first, so a small build's writes overlap its workers instead of following
    them, then growing with the build up to _BATCH_TRIPLES, so a large build makes few bulk loads (each
    costs RocksDB compaction work, and many small ones cost more than the loads themselves)."""
    return max(20_000, min(_BATCH_TRIPLES, written))


def _preload_recurrence() -> None:
    """Import scikit-learn (for the recurrence links at the end, ~1.5 s) in a background thread, while the
    main process mostly waits for the workers."""
    import importlib
    import threading

    threading.Thread(target=importlib.import_module, args=("sklearn.feature_extraction.text",), daemon=True).start()


def _original_of(gs: GraphStore, graph: str, path: str, built_by: dict[str, str], listed: set[str],
                 todo: dict, max_bytes: int | None = None) -> str | None:
    """The file that already holds this report graph, if `path` is a copy of it: built earlier in this run,
    or built before and unchanged since (listed and not to be rebuilt, or unlisted but still on disk with
    the same bytes). None if `path` is (or becomes) the graph's own file."""
    if graph in built_by:
        return built_by[graph]
    me = source_iri(path)
    for iri, other in sorted(gs.graph_files(graph).items(), key=lambda kv: kv[1]):
        if iri == me or other == path:
            continue
        entry = gs.catalog_entry(other)
        if not entry or entry.status != "built":
            continue
        if other in listed:
            if other not in todo:
                return other
        else:
            try:
                if regular_file_sha256(other, max_bytes) == entry.sha256:
                    return other
            except (OSError, KgError):
                pass
    return None


def _unused_previous(gs: GraphStore, previous: CatalogEntry | None, path: str, graph: str) -> list[str]:
    """The file's previous report graph, if it is not `graph` and no other file uses it (to be dropped)."""
    if previous and previous.graph and previous.graph != graph:
        if gs.graph_users(previous.graph) <= {source_iri(path)}:
            return [previous.graph]
    return []


__all__ = ["build", "BuildSummary", "Duplicate", "Failure"]
