"""The per-report work of a build's worker processes after extraction: map the record, validate its graph and
collect its linkable items, packed small for the trip back to the main process; and a worker's warm-up."""
from __future__ import annotations

from dataclasses import dataclass, replace

from .errors import KgError
from .pipeline import Outcome, error_line
from .rdf import ReportGraph, map_record
from .recur import report_items
from .validate import ValidationResult, validate_report_graph


def reason(exc: KgError) -> str:
    """A KgError's message and hint, as a build's failure line gives them."""
    return exc.message + (f" ({exc.hint})" if exc.hint else "")


@dataclass(frozen=True, slots=True)
class PackedGraph:
    """A mapped report graph as it crosses back from a worker: its IRI and its triples as N-Triples text
    (pickling pyoxigraph terms, and building them again in the main process, cost far more)."""

    iri: str
    ntriples: str  # one triple a line, `ReportGraph.ntriples()`
    count: int

    @classmethod
    def of(cls, rg: ReportGraph) -> "PackedGraph":
        return cls(rg.graph.value, rg.ntriples(), len(rg))

    def __len__(self) -> int:
        return self.count


@dataclass(frozen=True, slots=True)
class Prepared:
    """A report mapped and validated (in a worker process): all the main process has left to do is write."""

    graph: PackedGraph | None
    results: tuple[ValidationResult, ...] = ()
    error: str | None = None  # why mapping or validation failed
    items: tuple = ()  # the report's linkable items, themed (kg.recur.report_items)


def prepare(outcome: Outcome) -> Outcome:
    """Map and validate a read report (run in the worker by `process_paths(then=...)`). The outcome comes
    back with `prepared` set and without what the main process no longer needs (the record, the raw
    text and its offset map), so less crosses between processes."""
    stage = "mapping"
    try:
        packed = PackedGraph.of(map_record(outcome.record, outcome.source))
        stage = "validation"
        results = validate_report_graph(packed.ntriples, report=outcome.source.name, graph=packed.iri)
        stage = "collecting its items"
        prepared = Prepared(packed, tuple(results), items=report_items(packed.iri, packed.ntriples))
    except KgError as exc:
        prepared = Prepared(None, (), reason(exc))
    except Exception as exc:  # a bug on one report's odd record must not sink the batch (as in kg.pipeline)
        prepared = Prepared(None, (), f"{stage} failed: {error_line(exc)}")
    slim = replace(outcome.source, raw="", offsets=(), page_starts=()) if outcome.source is not None else None
    return replace(outcome, source=slim, record=None, prepared=prepared)


_WARM_TEXT = """Local authority children's services inspection of Doncaster
Inspection dates: 3 to 7 March 2025
Lead inspector: Jane Smith, His Majesty's Inspector
Judgement Grade
The impact of leaders on social work practice with children and families Good
Overall effectiveness Good
Headline findings
Children are seen promptly, but the quality of supervision is not consistent.
What needs to improve?
- The quality and impact of supervision for social workers.
- Timeliness of assessments for children in need of help and protection.
Recommendations
- Improve the quality of plans for care leavers.
"""


def warm_worker() -> None:
    """Run in each worker as it starts (kg.pipeline.start_pool): a small made-up report through the whole
    per-report path, so rule patterns, shapes, scan literals and imports are loaded before the first real
    report, while the main process is still writing the reference graph. Speed only: its result is dropped."""
    import pypdfium2 as pdfium

    from .extract import extract_record
    from .read import read_bytes

    doc = pdfium.PdfDocument.new()  # pdfium's bindings and text pages, as the first PDF would load them
    try:
        page = doc.new_page(100, 100)
        textpage = page.get_textpage()
        textpage.get_text_range()
        textpage.close()
        page.close()
    finally:
        doc.close()

    src = read_bytes(_WARM_TEXT.encode("utf-8"), name="warm-up.txt")
    prepare(Outcome("warm-up.txt", src, extract_record(src), None))
