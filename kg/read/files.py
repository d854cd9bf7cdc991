"""Which files are reports to read, and opening one safely: only regular files (a FIFO or a device is refused
with one line, never read), within the size limit, checked on the opened file."""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import LimitError, ReadError

READABLE_SUFFIXES = {".pdf", ".txt", ".text", ".html", ".htm", ".md"}


def iter_report_files(paths: Iterable[str | Path], exclude: Iterable[str | Path] = (),
                      stores: list[Path] | None = None) -> Iterator[Path]:
    """Files under the given paths, recursively, in a stable order.

    In directories, only files with a report-like suffix (or none) are taken; a file named
    explicitly is always taken, whatever its name. Special files (a FIFO, a device) are listed like
    files, so that reading them fails with one line (`open_regular`) instead of hanging. Nothing under
    the `exclude` folders is listed (the graph store, when it lies inside a folder being built), nor in
    any other folder that is a graph store (`kg.paths.is_store_folder`): those are added to `stores`,
    for the caller to say so.
    """
    from ..paths import is_store_folder

    skip = [Path(os.path.abspath(e)) for e in exclude]

    def excluded(f: Path) -> bool:
        a = Path(os.path.abspath(f))
        return any(a == e or e in a.parents for e in skip)

    def store(folder: Path) -> bool:
        if excluded(folder):
            return True
        if is_store_folder(folder):
            if stores is not None:
                stores.append(folder)
            return True
        return False

    for p in paths:
        path = Path(p)
        if path.is_dir():
            if store(path):
                continue
            found = []
            for top, dirs, names in os.walk(path):  # as Path.rglob, but store folders are not entered
                here = Path(top)
                dirs[:] = [d for d in dirs if not store(here / d)]
                found.extend(here / n for n in names)
            for f in sorted(found):
                if not f.name.startswith(".") and (f.suffix.lower() in READABLE_SUFFIXES or f.suffix == "") \
                        and _listable(f):
                    yield f
        elif not excluded(path):
            yield path


def _listable(f: Path) -> bool:
    """A regular file or a special one (not a folder, not a broken link)."""
    try:
        return not stat.S_ISDIR(f.stat().st_mode)
    except OSError:
        return False


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def open_regular(path: str | Path, max_bytes: int | None = None):
    """Open a file for reading its bytes, if it is a regular file (else ReadError: a FIFO or /dev/zero
    would block or never end) and no larger than `max_bytes` (else LimitError), both checked before the
    first byte is read. The open does not block on a FIFO (O_NONBLOCK), and the checks are made on the
    opened file, so a file swapped for another after listing is caught too. Returns a binary file object."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError as exc:
        raise ReadError("file not found: it was moved or deleted", source=str(path)) from exc
    except OSError as exc:
        raise ReadError(f"cannot open: {exc.strerror or exc}", source=str(path)) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
            raise ReadError(f"{kind}, not a regular file: not read", source=str(path))
        if max_bytes is not None and st.st_size > max_bytes:
            raise LimitError(f"file is {st.st_size / 1e6:.1f} MB, more than the limit of {max_bytes / 1e6:g} MB",
                             source=str(path), hint="raise --max-mb if this is really one report")
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


_STEP = 1 << 20  # bytes read at a time: a time limit strikes between steps, and no read is bigger


def read_chunks(fh, path, max_bytes: int | None) -> Iterator[bytes]:
    """A file's bytes a step at a time; LimitError once more than `max_bytes` have come (a file that grows
    while it is read, or one whose size the file system does not tell, like those of /proc)."""
    total = 0
    for chunk in iter(lambda: fh.read(_STEP), b""):
        total += len(chunk)
        if max_bytes is not None and total > max_bytes:
            raise LimitError(f"file is more than the limit of {max_bytes / 1e6:g} MB", source=str(path),
                             hint="raise --max-mb if this is really one report")
        yield chunk


def file_sha256(path: str | Path, max_bytes: int | None = None) -> str:
    """sha256 of a regular file's bytes (`open_regular`: a FIFO or device is refused, not read), read a
    step at a time (under a caller's time limit) and no more than `max_bytes` of them."""
    h = hashlib.sha256()
    with open_regular(path, max_bytes) as fh:
        for chunk in read_chunks(fh, path, max_bytes):
            h.update(chunk)
    return h.hexdigest()
