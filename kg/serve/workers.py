"""The query workers: processes that each hold a read-only GraphStore and answer QueryJobs.

Screening runs there too, under the same timeout as the query: one hostile request holds one worker,
never the server. A query that overruns its timeout is stopped by killing its worker (pyoxigraph
queries cannot be cancelled from Python, and a thread cannot be killed); a worker's memory is capped,
and on Linux it has no network at all. Workers reopen the store when it changes, so answers follow
finished builds, and keep the last whole snapshot while a build is half-way through writing a batch.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import sys
import threading
from pathlib import Path

from ..errors import ServeError, StoreError
from .base import (DEFAULT_MAX_BYTES, DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_RESULTS, DEFAULT_TIMEOUT, DEFAULT_WORKERS,
                   STACK_BYTES, QueryJob, Response, error)
from .results import evaluate
from .screening import screen

log = logging.getLogger("kg.serve")

class _StoreHandle:
    """A read-only GraphStore, reopened when another process has written to it (e.g. a build finished).

    A view that finds reports half-written (a build is loading a batch) is not used: the last good
    snapshot goes on answering until a later reopen finds the store whole again."""

    def __init__(self, path: str):
        self.path = path
        self._store = None

    def get(self, *, force: bool = False):
        from ..store import GraphStore

        if force or self._store is None or self._store.is_stale():
            try:
                fresh = GraphStore(self.path, read_only=True)
            except StoreError:
                if self._store is None or force:
                    raise
            else:
                self._store = fresh
        return self._store


def _cut_network() -> bool:
    """Put this process in network and user namespaces of its own (Linux, where unprivileged user
    namespaces are allowed): it then has no route anywhere, so even a SERVICE that screening missed
    cannot connect. A second fence only; `screen` is what refuses such queries. Must run before any
    thread starts (unshare of a user namespace needs a single-threaded process)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(0x10000000 | 0x40000000) == 0  # CLONE_NEWUSER | CLONE_NEWNET
    except (OSError, AttributeError):
        return False


def _limit_memory(extra_mb: int) -> None:
    """Cap this process's address space at what it holds now plus `extra_mb`, so one query that
    grows without end fails alone (Rust aborts the worker, which is replaced) instead of the machine
    swapping."""
    import resource

    try:
        with open("/proc/self/statm") as fh:
            now = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        now = 0
    limit = now + STACK_BYTES + (extra_mb << 20)
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _worker_main(conn, store_path: str, max_results: int, max_bytes: int, max_memory_mb: int) -> None:
    """Worker process: fence off the network, open the store, cap memory, then answer jobs on a
    thread with a large stack (Oxigraph recurses on long chains of MINUS or `+`, and a query that
    overflows the default 8 MB stack kills the process) until the pipe closes."""
    _cut_network()
    handle = _StoreHandle(store_path)
    try:
        handle.get()
        screen("ASK {}")  # load the parser now, not during the first query's timeout
    except StoreError as e:
        conn.send(("error", e.one_line()))
        return
    except Exception as e:  # noqa: BLE001 - reported to the parent as one line
        conn.send(("error", f"{store_path}: cannot open the store read-only: {e}"))
        return
    sys.setrecursionlimit(4000)  # rdflib's parser recurses per nesting level; deeper is refused
    _limit_memory(max_memory_mb)
    threading.stack_size(STACK_BYTES)
    thread = threading.Thread(target=_answer_jobs, args=(conn, handle, max_results, max_bytes),
                              name="kg-serve-query")
    conn.send(("ready", None))
    thread.start()
    thread.join()


def _answer_jobs(conn, handle: _StoreHandle, max_results: int, max_bytes: int) -> None:
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            try:
                response = _answer(handle.get(), job, max_results, max_bytes)
            except OSError:
                response = _answer(handle.get(force=True), job, max_results, max_bytes)
        except StoreError as e:
            response = error(503, e.one_line(), ("Retry-After", "5"))
        except MemoryError:
            response = error(503, "query needed more memory than a query may use; narrow it down")
        except Exception as e:  # noqa: BLE001 - one failing query must not end the worker
            response = error(500, f"query failed: {type(e).__name__}: {' '.join(str(e).split())}")
        conn.send(response)


def _answer(store, job, max_results: int, max_bytes: int) -> Response:
    """A SPARQL query (screened by `evaluate`), or a page of the web view (kg.web)."""
    if isinstance(job, QueryJob):
        return evaluate(store, job, max_results, max_bytes)
    from .. import web

    return web.render(store, job, max_results, max_bytes)


class _Worker:
    def __init__(self, ctx, store_path: str, limits: tuple[int, int, int], startup_timeout: float):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, store_path, *limits),
                                daemon=True, name="kg-serve-worker")
        self.proc.start()
        child.close()
        if not self.conn.poll(startup_timeout):
            self.kill()
            raise ServeError(f"{store_path}: query worker did not start within {startup_timeout:g} s")
        try:
            kind, message = self.conn.recv()
        except EOFError:
            self.kill()
            raise ServeError(f"{store_path}: query worker exited while opening the store") from None
        if kind != "ready":
            self.kill()
            raise ServeError(message)

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class QueryRunner:
    """Answers QueryJobs in up to `workers` processes, each with a hard `timeout` in seconds.

    A query still running at its deadline gets a 503 and its worker is killed and replaced
    on demand. When every worker is busy for a whole timeout, the request gets a 503 as well.
    """

    def __init__(self, store: Path, *, timeout: float = DEFAULT_TIMEOUT,
                 max_results: int = DEFAULT_MAX_RESULTS, workers: int = DEFAULT_WORKERS,
                 max_bytes: int = DEFAULT_MAX_BYTES, max_memory_mb: int = DEFAULT_MAX_MEMORY_MB,
                 startup_timeout: float = 60.0):
        if timeout <= 0 or max_results < 1 or workers < 1 or max_bytes < 1 or max_memory_mb < 1:
            raise ServeError("timeout, max results, max bytes, memory and workers must be positive")
        self.store = Path(store)
        self.timeout = timeout
        self.max_results = max_results
        self.max_bytes = max_bytes
        self.max_memory_mb = max_memory_mb
        self._startup_timeout = startup_timeout
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._slots = threading.BoundedSemaphore(workers)
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._idle.put(self._spawn())  # fail now, not at the first query, if the store is unusable
        others = [self._replace_later() for _ in range(workers - 1)]  # side by side: ready for a burst
        for thread in others:
            thread.join(startup_timeout)

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, str(self.store), (self.max_results, self.max_bytes, self.max_memory_mb),
                         self._startup_timeout)
        with self._lock:
            self._all.add(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        """Stop a worker and start its replacement in the background (starting one takes about a
        second, which the next request should not wait for)."""
        worker.kill()
        with self._lock:
            self._all.discard(worker)
        self._replace_later()

    def _replace_later(self) -> threading.Thread:
        def replace() -> None:
            try:
                worker = self._spawn()
            except ServeError as e:
                log.warning("%s", e.one_line())
                return
            if self._closed:
                self._discard_quietly(worker)
            else:
                self._idle.put(worker)

        thread = threading.Thread(target=replace, name="kg-serve-spawn", daemon=True)
        thread.start()
        return thread

    def _discard_quietly(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def run(self, job: QueryJob) -> Response:
        if not self._slots.acquire(timeout=self.timeout):
            return error(503, f"server busy: every query worker was in use for {self.timeout:g} s; "
                              "try again", ("Retry-After", "5"))
        try:
            try:  # a worker is idle, or one being started will be
                worker = self._idle.get(timeout=max(self.timeout, 10.0))
            except queue.Empty:
                try:
                    worker = self._spawn()
                except ServeError as e:
                    return error(500, e.one_line())
            try:
                worker.conn.send(job)
                timeout = max(self.timeout, getattr(job, "min_timeout", 0.0))  # pages: kg.web.PAGE_TIMEOUT
                if not worker.conn.poll(timeout):
                    self._discard(worker)
                    return error(503, f"query timed out after {timeout:g} s and was stopped; "
                                      "narrow it down or add a LIMIT", ("X-Query-Timeout", f"{timeout:g}"))
                response = worker.conn.recv()
            except (EOFError, OSError):
                self._discard(worker)
                return error(500, "query worker died while answering, most likely out of memory (a query may "
                                  f"use {self.max_memory_mb} MB); the query was not completed")
            self._idle.put(worker)
            return response
        finally:
            self._slots.release()

    def close(self) -> None:
        """Stop every worker process."""
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), set()
        for w in workers:
            w.kill()

