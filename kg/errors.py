"""One error hierarchy: every stage raises a subclass of KgError; the CLI prints it as one line."""
from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def storable(text: str) -> str:
    """`text` with the bytes of a file name that is not UTF-8 (held by Python as surrogate escapes) shown
    as `\\xNN`: valid Unicode, so it can be stored in the graph and printed."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape" if _only_escapes(text) else "backslashreplace") \
            .decode("utf-8", "backslashreplace")


def _only_escapes(text: str) -> bool:
    return all(not "\ud800" <= c <= "\udfff" or "\udc80" <= c <= "\udcff" for c in text)


def printable(text: str) -> str:
    """`text` safe for one line of a terminal: `storable`, and control characters (a newline or an escape
    in a file name) shown as `\\n`, `\\x1b`..."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], storable(text))


class KgError(Exception):
    """Base error: a message, an optional hint for the user and the source file it concerns."""

    exit_code = 2

    def __init__(self, message: str, *, source: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.hint = hint

    def one_line(self) -> str:
        where = f"{self.source}: " if self.source else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{hint}"


class ReadError(KgError):
    """A file could not be read as a report (not a PDF/text/HTML, encrypted, empty, too big...)."""


class LimitError(ReadError):
    """A file is over a configured limit (size, pages, time): not remembered as failed, so the next build,
    perhaps with a higher limit, tries it again."""


class NotAReportError(ReadError):
    """The file was read but holds no Ofsted children's-services report."""


class ExtractError(KgError):
    """Extraction failed on a readable report."""


class RuleFileError(KgError):
    """A rules/data file (YAML, CSV, Turtle) is broken; the message names the file and line."""


class StoreError(KgError):
    """The graph store could not be opened or written."""


class QueryError(KgError):
    """A SPARQL query or its parameters are wrong."""


class MapError(KgError):
    """A report record could not be mapped to RDF (e.g. it carries no content hash)."""


class ValidationError(KgError):
    """The shapes could not be loaded or the validator failed to run."""


class ServeError(KgError):
    """The SPARQL endpoint could not start (store missing or unreadable, port in use...)."""


class PushError(KgError):
    """Pushing the graph to a remote SPARQL store failed (unreachable, refused, auth...)."""


def optional_module(name: str, missing: KgError):
    """The module `name` of an optional extra (matplotlib, openpyxl), or `missing` raised: its one line says
    how to install the extra."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise missing from exc
