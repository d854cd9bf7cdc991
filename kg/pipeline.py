"""The per-report pipeline as one call: read -> (segment) -> extract, with a per-file error policy.

One bad file never stops a batch: its error is returned in its Outcome and the others go on.
"""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .errors import KgError
from .extract import extract_record
from .read import ReadLimits, SourceText, iter_report_files, read_source
from .records import ReportRecord


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one file: a record, or an error with a one-line reason."""

    path: str
    source: SourceText | None
    record: ReportRecord | None
    error: KgError | None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def process_file(path: str | Path, limits: ReadLimits = ReadLimits()) -> Outcome:
    """Read and extract one file; errors of the project's own kind are captured, not raised."""
    try:
        src = read_source(path, limits)
    except KgError as exc:
        return Outcome(str(path), None, None, exc)
    try:
        record = extract_record(src)
    except KgError as exc:
        return Outcome(str(path), src, None, exc, src.warnings)
    except Exception as exc:  # a bug in a rule must not sink the batch; report it against the file
        from .errors import ExtractError

        return Outcome(str(path), src, None,
                       ExtractError(f"extraction failed: {type(exc).__name__}: {exc}", source=str(path)),
                       src.warnings)
    return Outcome(str(path), src, record, None, src.warnings)


def _process_for_pool(args: tuple[str, ReadLimits]) -> Outcome:
    return process_file(*args)


def process_paths(paths: Iterable[str | Path], limits: ReadLimits = ReadLimits(), jobs: int = 1,
                  keep_source: bool = True) -> Iterator[Outcome]:
    """Outcomes for every report file under `paths`, in a stable (sorted) order."""
    files = [str(p) for p in iter_report_files(paths)]
    if jobs <= 1 or len(files) < 2:
        for f in files:
            yield process_file(f, limits)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for outcome in pool.map(_process_for_pool, [(f, limits) for f in files], chunksize=1):
            yield outcome
