"""The per-report pipeline as one call: read -> (segment) -> extract, with a per-file error policy.

One bad file never stops a batch: its error is returned in its Outcome and the others go on. A report
that takes longer than `limits.timeout` seconds is failed the same way ("timed out after N s").
"""
from __future__ import annotations

import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import ExtractError, KgError, LimitError, ReadError
from .extract import extract_record
from .read import ReadLimits, SourceText, iter_report_files, read_source
from .records import ReportRecord
from .rules import require_rule_files


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one file: a record, or an error with a one-line reason."""

    path: str
    source: SourceText | None
    record: ReportRecord | None
    error: KgError | None
    warnings: tuple[str, ...] = ()
    prepared: object | None = None  # what a `then` step made of the record in the worker (kg.build: mapped
    # and validated graph), so that the main process only writes

    @property
    def ok(self) -> bool:
        return self.error is None


class TimeLimitExceeded(BaseException):
    """Raised inside a report's work when its time is up. A BaseException, so that no `except Exception`
    on the way (a PDF fallback, a rule's guard) can swallow it."""


_timer_armed = False  # a time_limit is running (only ever in a main thread): inner ones share its deadline


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise TimeLimitExceeded in the block after `seconds` (a SIGALRM timer; works in a worker process and
    in the main thread of the main process). Elsewhere (no SIGALRM, not the main thread, no limit) the
    block runs unbounded. Nested inside another time_limit, the outer deadline holds. Python code is
    interrupted between bytecodes, so one long C call ends first."""
    global _timer_armed
    if _timer_armed or not seconds or seconds <= 0 or not hasattr(signal, "setitimer") \
            or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        raise TimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    _timer_armed = True
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            _timer_armed = False
            signal.signal(signal.SIGALRM, previous)


def process_file(path: str | Path, limits: ReadLimits = ReadLimits()) -> Outcome:
    """Read and extract one file; errors of the project's own kind are captured, not raised."""
    src = None
    try:
        with time_limit(limits.timeout):
            try:
                src = read_source(path, limits)
            except KgError as exc:
                return Outcome(str(path), None, None, exc)
            except Exception as exc:  # a reader bug on odd bytes must not sink the batch either
                return Outcome(str(path), None, None,
                               ReadError(f"reading failed: {error_line(exc)}", source=str(path)))
            try:
                record = extract_record(src)
            except KgError as exc:
                return Outcome(str(path), src, None, exc, src.warnings)
            except Exception as exc:  # a bug in a rule must not sink the batch; report it against the file
                return Outcome(str(path), src, None,
                               ExtractError(f"extraction failed: {error_line(exc)}", source=str(path)),
                               src.warnings)
    except TimeLimitExceeded:
        stage = "extracting" if src is not None else "reading"
        error = LimitError(f"timed out after {limits.timeout:g} s while {stage} (the per-report limit)",
                           source=str(path), hint="raise --timeout if this is really one report")
        return Outcome(str(path), src, None, error, src.warnings if src is not None else ())
    return Outcome(str(path), src, record, None, src.warnings)


Then = Callable[[Outcome], Outcome]


def _process_and_then(path: str, limits: ReadLimits, then: Then | None) -> Outcome:
    outcome = None
    try:
        with time_limit(limits.timeout):  # one deadline for reading, extracting and the `then` step
            outcome = process_file(path, limits)
            return then(outcome) if then is not None and outcome.error is None else outcome
    except TimeLimitExceeded:
        if outcome is None:  # the deadline struck between process_file's return and ours: no result yet
            outcome = Outcome(str(path), None, None, None)
        error = LimitError(f"timed out after {limits.timeout:g} s while mapping and validating (the per-report "
                           "limit)", source=str(path), hint="raise --timeout if this is really one report")
        return replace(outcome, record=None, error=error, prepared=None)


def error_line(exc: Exception) -> str:
    """An unexpected exception as one line (its type and message): the reason a file failed."""
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def _process_for_pool(args: tuple[str, ReadLimits, Then | None]) -> Outcome:
    return _process_and_then(*args)


def process_paths(paths: Iterable[str | Path], limits: ReadLimits = ReadLimits(), jobs: int = 1,
                  keep_source: bool = True, then: Then | None = None) -> Iterator[Outcome]:
    """Outcomes for every report file under `paths`, in a stable (sorted) order.

    `then` (a picklable top-level function) runs on each successful outcome in the worker process that
    made it, so per-report work after extraction (mapping, validation) runs in parallel too.
    A broken rule file raises RuleFileError before any file is read (`kg.rules.require_rule_files`).
    """
    require_rule_files()
    files = [str(p) for p in iter_report_files(paths)]
    if jobs <= 1 or len(files) < 2:
        for f in files:
            yield _process_and_then(f, limits, then)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        # one file a task: reports differ in size, and bigger chunks left one worker idle at the end
        for outcome in pool.map(_process_for_pool, [(f, limits, then) for f in files], chunksize=1):
            yield outcome
