"""The build, end to end: files -> read & extract (kg.pipeline) -> map (kg.rdf) -> validate -> store.

`build(paths, store)` returns a frozen `BuildSummary`; it never prints. One bad file never stops the
batch: it is listed in `failed` with its reason (and remembered in the catalog, so an unchanged bad
file is not read again but is still reported).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .errors import KgError
from .pipeline import process_paths
from .rdf import map_record, reference_triples
from .read import ReadLimits, iter_report_files
from .recur import refresh_derived
from .store import CatalogEntry, GraphStore, file_sha256, new_build_iri, now, pipeline_version, source_iri
from .validate import ValidationResult, validate_mapped


@dataclass(frozen=True, slots=True)
class Failure:
    path: str
    reason: str
    cached: bool = False  # failed in an earlier build and unchanged since, so not read again


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

    @property
    def ok(self) -> bool:
        return not self.failed and not self.violations


Progress = Callable[..., None]


def build(paths: Iterable[str | Path], store: GraphStore | str | Path | None, *, jobs: int = 1,
          limits: ReadLimits = ReadLimits(), force: bool = False, progress: Progress | None = None) -> BuildSummary:
    """Build (or update) the graph store from the report files under `paths`.

    `progress(total=n)` is called once with the number of files, then `progress(path=p, status=s)` per file
    (status: skipped | built | failed).
    """
    gs = store if isinstance(store, GraphStore) else GraphStore(store)
    version = pipeline_version()
    started = now()
    build_iri = new_build_iri(started)
    reference_updated = gs.ensure_reference(reference_triples())

    files = [str(Path(p).resolve()) for p in iter_report_files(paths)]
    files = list(dict.fromkeys(files))
    report = progress or (lambda **kw: None)
    report(total=len(files))

    skipped: list[str] = []
    failed: list[Failure] = []
    todo: dict[str, str] = {}
    for f in files:
        try:
            sha = file_sha256(f)
        except OSError as exc:
            failed.append(Failure(f, f"cannot read: {exc.strerror or exc}"))
            report(path=f, status="failed")
            continue
        entry = gs.catalog_entry(f)
        if not force and entry and entry.sha256 == sha and entry.pipeline_version == version:
            skipped.append(f)
            if entry.status == "failed":
                failed.append(Failure(f, entry.reason or "failed in an earlier build", cached=True))
            report(path=f, status="skipped")
            continue
        todo[f] = sha

    read = built = triples = 0
    results: list[ValidationResult] = []
    notes: list[str] = []
    changed = False
    for outcome in process_paths(list(todo), limits=limits, jobs=jobs):
        path = str(Path(outcome.path).resolve())
        sha = todo.get(path) or file_sha256(path)
        previous = gs.catalog_entry(path)
        notes.extend(f"{Path(path).name}: {w}" for w in outcome.warnings)
        if outcome.source is not None:
            read += 1
        if outcome.error is not None:
            reason = _reason(outcome.error)
            failed.append(Failure(path, reason))
            gs.record_failure(CatalogEntry(path, sha, version, "failed", None, reason), build_iri)
            changed = True
            report(path=path, status="failed")
            continue
        try:
            rg = map_record(outcome.record, outcome.source)
            found = validate_mapped(rg, report=outcome.source.name)
        except KgError as exc:
            failed.append(Failure(path, _reason(exc)))
            report(path=path, status="failed")
            continue
        results.extend(found)
        drop = []
        if previous and previous.graph and previous.graph != rg.graph.value:
            if gs.graph_users(previous.graph) <= {source_iri(path)}:
                drop.append(previous.graph)
        gs.replace_report(rg.graph.value, rg.triples, CatalogEntry(path, sha, version, "built", rg.graph.value),
                          build_iri, drop=drop)
        built += 1
        triples += len(rg)
        changed = True
        report(path=path, status="built")

    links = None
    if changed or reference_updated:
        gs.record_build(build_iri, started, now(), version)
        links = len(refresh_derived(gs).links)  # themes and recurrence links follow the reports
    gs.flush()
    return BuildSummary(
        files=len(files), read=read, built=built, skipped=tuple(skipped), failed=tuple(failed), triples=triples,
        store_triples=len(gs), warnings=sum(r.severity == "Warning" for r in results),
        violations=sum(r.severity == "Violation" for r in results), results=tuple(results), notes=tuple(notes),
        reference_updated=reference_updated, recurrence_links=links)


def _reason(exc: KgError) -> str:
    return exc.message + (f" ({exc.hint})" if exc.hint else "")


__all__ = ["build", "BuildSummary", "Failure"]
