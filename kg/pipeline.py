"""The per-report pipeline as one call: read -> (segment) -> extract, with a per-file error policy.

One bad file never stops a batch: its error is returned in its Outcome and the others go on. A report
that takes longer than `limits.timeout` seconds is failed the same way ("timed out after N s"), and so is
one whose worker process dies (over `limits.max_memory`, which a worker sets on itself, or killed by a
signal): the pool is started again and the other files go on.
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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

    live = [True]  # False once the block is left: a signal handled after that neither strikes nor re-arms

    def on_alarm(signum, frame):
        if not live[0]:
            return
        if _must_not_be_interrupted(frame):
            signal.setitimer(signal.ITIMER_REAL, 0.002)  # strike as soon as it has left that code
            return
        live[0] = False  # strikes once
        raise TimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    _timer_armed = True
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    finally:  # never struck in here (`_must_not_be_interrupted`), so all of it runs
        live[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        _timer_armed = False
        signal.signal(signal.SIGALRM, previous)


_FRAGILE = ("<frozen importlib.", f"{os.sep}pypdfium2{os.sep}")


def _must_not_be_interrupted(frame) -> bool:
    """Whether the timer struck inside code that an exception must not break into: the import machinery
    (a lock left held deadlocks the next import in another thread, e.g. the build's background import),
    pypdfium2's object bookkeeping (left half-done, it prints 'Weakref ... was not cleaned up from
    ObjectTracker?' on stderr at exit, or swallows the exception in a finalizer), or `time_limit` itself
    and contextlib around it (struck between arming and `try`, or in the `finally`, it left the timer
    marked armed, which turned every later limit off, and its handler installed: 4,105 of 30,000 tiny
    limits did, and a build times each file's hash)."""
    if frame is None:
        return False
    code = frame.f_code
    name = code.co_filename
    return name.startswith(_FRAGILE[0]) or _FRAGILE[1] in name or code is _OWN_CODE or name == contextlib.__file__


_OWN_CODE = time_limit.__wrapped__.__code__


def process_file(path: str | Path, limits: ReadLimits = ReadLimits()) -> Outcome:
    """Read and extract one file; errors of the project's own kind are captured, not raised."""
    src = None
    try:
        with time_limit(limits.timeout):
            try:
                src = read_source(path, limits)
            except KgError as exc:
                return Outcome(str(path), None, None, exc)
            except MemoryError:
                return Outcome(str(path), None, None, _out_of_memory(path, limits))
            except Exception as exc:  # a reader bug on odd bytes must not sink the batch either
                return Outcome(str(path), None, None,
                               ReadError(f"reading failed: {error_line(exc)}", source=str(path)))
            try:
                record = extract_record(src)
            except KgError as exc:
                return Outcome(str(path), src, None, exc, src.warnings)
            except MemoryError:
                return Outcome(str(path), src, None, _out_of_memory(path, limits), src.warnings)
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


def _out_of_memory(path, limits: ReadLimits) -> LimitError:
    limit = f" (the limit is {limits.max_memory / 1e6:g} MB)" if limits.max_memory else ""
    return LimitError(f"ran out of memory while reading it{limit}", source=str(path),
                      hint="raise --max-memory if this is really one report")


def error_line(exc: Exception) -> str:
    """An unexpected exception as one line (its type and message): the reason a file failed."""
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def process_paths(paths: Iterable[str | Path], limits: ReadLimits = ReadLimits(), jobs: int = 1,
                  keep_source: bool = True, then: Then | None = None,
                  stores: list[Path] | None = None, pool: ProcessPoolExecutor | None = None) -> Iterator[Outcome]:
    """Outcomes for every report file under `paths`, in a stable (sorted) order.

    `then` (a picklable top-level function) runs on each successful outcome in the worker process that
    made it, so per-report work after extraction (mapping, validation) runs in parallel too. With
    `limits.max_memory`, files are read in worker processes even when `jobs` is 1 (a report that needs
    more memory ends its worker, not this process). A broken rule file raises RuleFileError before any
    file is read (`kg.rules.require_rule_files`). Folders that are graph stores are not read; they are
    added to `stores` (`kg.read.iter_report_files`), before the first outcome. `pool`: one made by
    `start_pool` (its workers already started, warming up while the caller did other work), used for the
    first files and shut down after.
    """
    require_rule_files()
    files = [str(p) for p in iter_report_files(paths, stores=stores)]
    if not limits.max_memory and (jobs <= 1 or len(files) < 2):
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        for f in files:
            yield _process_and_then(f, limits, then)
        return
    yield from _pooled(files, limits, max(1, jobs), then, pool)


def start_pool(jobs: int, limits: ReadLimits = ReadLimits(), warm: Callable[[], None] | None = None
               ) -> ProcessPoolExecutor:
    """A pool for `process_paths(pool=...)`, its `jobs` workers started now: each one caps its memory and
    runs `warm` (a picklable top-level function that loads rules, shapes and caches), so that start-up
    overlaps what the caller does before it has the files to hand out."""
    pool = _new_pool(jobs, limits, warm)
    for _ in range(jobs):  # workers are forked on demand: ask for all of them now
        pool.submit(_nothing)
    return pool


def _nothing() -> None:
    return None


def _pooled(files: list[str], limits: ReadLimits, jobs: int, then: Then | None,
            first: ProcessPoolExecutor | None = None) -> Iterator[Outcome]:
    """`process_paths` in a process pool that survives the death of a worker. When the pool breaks, the
    first file without an outcome is read again alone: if its worker dies too, that file gets the error
    (and only it); the pool is started again for the files after it."""
    done = 0
    while done < len(files):
        pool, first = (first, None) if first is not None else (_new_pool(min(jobs, len(files) - done), limits), None)
        broken = False
        try:
            # one file a task: reports differ in size, and bigger chunks left one worker idle at the end
            futures = [pool.submit(_process_and_then, f, limits, then) for f in files[done:]]
            for future in futures:
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken = True
                    break
                done += 1
                yield outcome
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if broken:
            yield _alone(files[done], limits, then)
            done += 1


def _alone(path: str, limits: ReadLimits, then: Then | None) -> Outcome:
    """One file read in a pool of its own, to tell whether it is the one that kills its worker."""
    with _new_pool(1, limits) as pool:
        try:
            return pool.submit(_process_and_then, path, limits, then).result()
        except BrokenProcessPool:
            limit = f", over the limit of {limits.max_memory / 1e6:g} MB," if limits.max_memory else ""
            error = LimitError(f"the worker process reading it died (out of memory{limit} or killed by a signal)",
                               source=str(path), hint="raise --max-memory if this is really one report")
            return Outcome(str(path), None, None, error)


def _new_pool(jobs: int, limits: ReadLimits, warm: Callable[[], None] | None = None) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(limits.max_memory, warm))


def _start_worker(max_memory: int | None, warm: Callable[[], None] | None) -> None:
    _limit_memory(max_memory)
    if warm is not None:
        try:
            warm()
        except Exception:  # speed only: whatever failed here fails again, and is reported, on a real file
            pass


def _limit_memory(max_memory: int | None) -> None:
    """In a worker: cap its address space at what it has now plus `max_memory` bytes (RLIMIT_AS), so an
    allocation past it fails (MemoryError, or pdfium aborts the worker) instead of swapping the machine."""
    if not max_memory:
        return
    try:
        import resource

        with open("/proc/self/statm") as fh:
            now = int(fh.read().split()[0]) * resource.getpagesize()
    except (ImportError, OSError, ValueError, IndexError):
        return  # no rlimits or no /proc here: the workers run unbounded
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = now + max_memory
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft == resource.RLIM_INFINITY or cap < soft:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
