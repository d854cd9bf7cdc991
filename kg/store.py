"""Stage 7, store: the graph on disk (pyoxigraph), one named graph per report, replaced atomically.

Graph layout:

- `id:graph/reference`  ontology, concept schemes, councils (rebuilt when any of them changes);
- `id:graph/report/<text hash 16>`  one per report, written together with its catalog entry: either all
  of it lands or nothing does (a report replacing another is one SPARQL update; new reports are bulk-loaded
  a batch at a time behind an intent record, and a store stopped mid-batch is repaired when next opened
  for writing);
- `id:graph/catalog`  which file was built into which graph, from which bytes (sha256), by which
  pipeline version, and the build runs with their timestamps. Timestamps live only here, so report
  graphs are byte-identical across rebuilds;
- `id:graph/entities`  what the people, boards, services, organisations, roles and posts the reports name
  are and are called, stated once (computed from the report graphs by kg.entities);
- `id:graph/derived`  recurrence links (written by another stage).

A file is skipped when the catalog already has its path with the same byte hash and pipeline version.
Catalog status: `built`, `failed` (with its reason; a file that built before keeps its last good graph)
or `duplicate` (same report text as another file, whose path is the reason; it shares that graph).
The catalog also records what the derived graph was computed from (`derived_digest`), so a build
killed before recomputing it is finished by the next one.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox

from .errors import StoreError, storable
from .fingerprint import pipeline_version  # noqa: F401 - build.py and the tests take it from here
from .namespaces import DCTERMS, GRAPH_CATALOG, GRAPH_DERIVED, GRAPH_ENTITIES, GRAPH_REFERENCE, ID, KG
from .namespaces import PROV as _PROV
from .namespaces import RDF as _RDF
from .namespaces import XSD as _XSD

DCT, PROV, XSD, RDF_TYPE = str(DCTERMS), str(_PROV), str(_XSD), str(_RDF.type)
SPECIAL_GRAPHS = {str(GRAPH_REFERENCE), str(GRAPH_CATALOG), str(GRAPH_DERIVED), str(GRAPH_ENTITIES)}
REPORT_GRAPH_PREFIX = str(ID["graph/report/"])
_PENDING = str(ID["catalog/pending-write"])  # the intent record of a bulk write in progress (`_load_reports`)


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes; a FIFO or a device is refused (ReadError), not read."""
    from .read import file_sha256 as regular_file_sha256

    return regular_file_sha256(path)


def source_iri(path: str | Path) -> str:
    """Catalog IRI of a source file, from its absolute path (as bytes: a name need not be UTF-8)."""
    key = os.fsencode(Path(path).resolve())
    return str(ID[f"source/{hashlib.sha256(key).hexdigest()[:16]}"])


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """What the catalog remembers about one source file."""

    path: str
    sha256: str
    pipeline_version: str
    status: str  # built | failed
    graph: str | None = None
    reason: str | None = None


def _lit(value: str, datatype: str | None = None) -> str:
    return str(ox.Literal(value, datatype=ox.NamedNode(datatype))) if datatype else str(ox.Literal(value))


def _open_read_only(path: Path) -> ox.Store:
    """A read-only view. RocksDB may fail to open one while another process is compacting the store (a file
    the view was about to read is deleted under it): tried again a few times before giving up."""
    import time

    for attempt in range(1, 5):
        try:
            return ox.Store.read_only(str(path))
        except (RuntimeError, OSError):
            time.sleep(0.05 * attempt)
    try:
        return ox.Store.read_only(str(path))
    except (RuntimeError, OSError) as exc:
        raise StoreError(f"cannot open the graph store at {path}: {' '.join(str(exc).split())}",
                         hint="if a build is writing to it, try again when it has finished; if not, the store "
                              "is damaged: build it again into a new folder") from exc


def _check_is_store(path: Path) -> None:
    """Refuse a folder that holds files but is not a store (no RocksDB `CURRENT` file) before RocksDB opens
    it: RocksDB would refuse it anyway, after renaming a `LOG` file of the user's to `LOG.old.*`."""
    try:
        if path.is_dir() and not (path / "CURRENT").is_file() and any(path.iterdir()):
            raise StoreError(f"{path} is not a graph store: the folder holds other files",
                             hint="give --store an empty or new folder, or one made by `kg build`")
    except OSError as exc:
        raise StoreError(f"cannot open the graph store at {path}: {exc.strerror or exc}") from exc


def _disk_state(path: Path) -> tuple:
    """Names, sizes and times of the files RocksDB changes on every write (CURRENT, MANIFEST-*, *.log)."""
    try:
        with os.scandir(path) as entries:
            return tuple(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in entries
                                if e.name == "CURRENT" or e.name.startswith("MANIFEST") or e.name.endswith(".log")))
    except OSError:
        return ()


class GraphStore:
    """A pyoxigraph store with the project's graph layout. `path=None` gives an in-memory store."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False, create: bool = True):
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self.store = ox.Store()
            elif read_only:
                if not self.path.is_dir():
                    raise StoreError(f"no graph store at {self.path}", hint="run `kg build PATH... --store DIR` first")
                _check_is_store(self.path)
                self._opened_at = _disk_state(self.path)  # before opening: a write in between only reopens
                self.store = _open_read_only(self.path)
            else:
                if not create and not self.path.is_dir():
                    raise StoreError(f"no graph store at {self.path}", hint="run `kg build PATH... --store DIR` first")
                _check_is_store(self.path)
                self.path.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(f"cannot open the graph store at {self.path}: {exc}",
                             hint="is another kg process using it?") from exc
        except RuntimeError as exc:  # RocksDB: a damaged store (empty CURRENT, a lost .sst, a bad MANIFEST...)
            raise StoreError(f"cannot open the graph store at {self.path}: {' '.join(str(exc).split())}",
                             hint="the store is damaged: build it again into a new folder") from exc
        if self._pending():
            if read_only:
                raise StoreError(f"the graph store at {self.path} has reports half-written: a build is writing "
                                 "to it, or was stopped while writing",
                                 hint="wait for the build to finish, or run `kg build` again (it repairs the store)")
            self.undo_interrupted_write()

    def is_stale(self) -> bool:
        """True if another process has written to the store since this read-only view (a snapshot) was
        opened: open a new GraphStore to see the change. Always False for a writable store."""
        opened = getattr(self, "_opened_at", None)
        return opened is not None and _disk_state(self.path) != opened

    def query(self, sparql: str, **options):
        """Run a SPARQL query (the options of pyoxigraph's `Store.query`). Raises SyntaxError if it is not
        valid and OSError if the store cannot be read."""
        return self.store.query(sparql, **options)

    # ---------------------------------------------------------------- reading
    def graph_names(self) -> list[str]:
        """IRIs of every named graph of the store, sorted."""
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def report_graphs(self) -> list[str]:
        """IRIs of the report graphs, sorted."""
        return sorted(g.value for g in self.store.named_graphs()
                      if isinstance(g, ox.NamedNode) and g.value.startswith(REPORT_GRAPH_PREFIX))

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]

    def graph_ntriples(self, graph: str) -> str:
        return "".join(sorted(f"{t} .\n" for t in self.graph_triples(graph)))

    def file_name_of(self, graph: str) -> str | None:
        q = f"SELECT ?n WHERE {{ GRAPH <{graph}> {{ ?r <{KG}fileName> ?n }} }} ORDER BY ?n LIMIT 1"
        rows = list(self.store.query(q))
        return rows[0]["n"].value if rows else None

    def catalog_entry(self, path: str | Path) -> CatalogEntry | None:
        s = source_iri(path)
        q = f"""SELECT ?p ?o WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ <{s}> ?p ?o }} }}"""
        props = {row["p"].value: row["o"].value for row in self.store.query(q)}
        if not props:
            return None
        sha = props.get(DCT + "identifier", "").removeprefix("sha256:")
        return CatalogEntry(props.get(str(KG.filePath), str(path)), sha, props.get(str(KG.pipelineVersion), ""),
                            props.get(str(KG.status), ""), props.get(str(KG.reportGraph)),
                            props.get(str(KG.failureReason)))

    def graph_files(self, graph: str) -> dict[str, str]:
        """Catalog IRI -> file path of the source files whose report graph is `graph`."""
        q = (f"SELECT ?s ?f WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ ?s <{KG.reportGraph}> <{graph}> ; "
             f"<{KG.filePath}> ?f }} }}")
        return {row["s"].value: row["f"].value for row in self.store.query(q)}

    def catalog_files(self) -> dict[str, tuple[str, str | None]]:
        """Catalog IRI -> (file path as stored, report graph or None) of every file in the catalog."""
        q = (f"SELECT ?s ?f ?g WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ ?s a <{KG.SourceFile}> ; <{KG.filePath}> ?f "
             f"OPTIONAL {{ ?s <{KG.reportGraph}> ?g }} }} }}")
        return {row["s"].value: (row["f"].value, row["g"].value if row["g"] is not None else None)
                for row in self.store.query(q)}

    def derived_digest(self) -> str:
        """What the derived graph is computed from: the reference graph and the set of report graphs (whose
        IRIs are content hashes). Equal to the recorded digest when the derived graph is up to date."""
        h = hashlib.sha256((self.meta("identifier") or "").encode())
        for g in self.report_graphs():
            h.update(g.encode() + b"\n")
        return "sha256:" + h.hexdigest()

    def recorded_derived_digest(self) -> str | None:
        return self.recorded_digest(str(GRAPH_DERIVED))

    def record_derived_digest(self, digest: str) -> None:
        self.record_digest(str(GRAPH_DERIVED), digest)

    def recorded_digest(self, graph: str) -> str | None:
        """What a computed graph (derived, entities) was last computed from, as recorded in the catalog."""
        q = f"SELECT ?v WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ <{graph}> <{DCT}identifier> ?v }} }}"
        rows = list(self.store.query(q))
        return rows[0]["v"].value if rows else None

    def record_digest(self, graph: str, digest: str) -> None:
        g = f"<{graph}>"
        self._update(f"""DELETE WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ {g} <{DCT}identifier> ?x }} }} ;
            INSERT DATA {{ GRAPH <{GRAPH_CATALOG}> {{ {g} <{DCT}identifier> {_lit(digest)} }} }}""")

    def graph_users(self, graph: str) -> set[str]:
        """Source files (catalog IRIs) whose report graph is `graph`."""
        q = f"SELECT ?s WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ ?s <{KG.reportGraph}> <{graph}> }} }}"
        return {row["s"].value for row in self.store.query(q)}

    def meta(self, key: str) -> str | None:
        q = f"SELECT ?v WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ <{GRAPH_REFERENCE}> <{DCT}{key}> ?v }} }}"
        rows = list(self.store.query(q))
        return rows[0]["v"].value if rows else None

    def __len__(self) -> int:
        return len(self.store)

    # ---------------------------------------------------------------- writing
    def ensure_reference(self, triples: Iterable[ox.Triple]) -> bool:
        """Replace the reference graph if its content changed; True if it was written."""
        triples = list(triples)
        digest = hashlib.sha256("".join(sorted(f"{t} .\n" for t in triples)).encode()).hexdigest()
        if self.meta("identifier") == f"sha256:{digest}":
            return False
        g = f"<{GRAPH_REFERENCE}>"
        body = "\n".join(f"{t} ." for t in triples)
        self._update(f"""DROP SILENT GRAPH {g} ;
            DELETE WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ {g} <{DCT}identifier> ?x }} }} ;
            INSERT DATA {{ GRAPH {g} {{ {body} }}
                           GRAPH <{GRAPH_CATALOG}> {{ {g} <{DCT}identifier> {_lit('sha256:' + digest)} }} }}""")
        return True

    def replace_report(self, graph: str, triples: Iterable[ox.Triple], entry: CatalogEntry,
                       build: str, drop: Iterable[str] = ()) -> None:
        """Atomically: drop `drop` graphs and `graph`, write `graph`, and record the file in the catalog."""
        body = triples if isinstance(triples, str) else "\n".join(f"{t} ." for t in triples)
        drops = "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in sorted(set(drop) | {graph}))
        self._update(drops + self._catalog_update(entry, build, f"GRAPH <{graph}> {{ {body} }}"))

    def is_new_report(self, graph: str, path: str | Path) -> bool:
        """True if neither `graph` nor a catalog entry of `path` is in the store: the report can then be
        written by `add_reports` (no old graph or entry to remove first)."""
        if self.store.contains_named_graph(ox.NamedNode(graph)):
            return False
        s = ox.NamedNode(source_iri(path))
        return next(iter(self.store.quads_for_pattern(s, None, None, ox.NamedNode(str(GRAPH_CATALOG)))), None) is None

    def add_reports(self, reports: Iterable[tuple[str | None, Iterable[ox.Triple] | str, CatalogEntry]],
                    build: str, drop: Iterable[str] = ()) -> None:
        """Write new reports (graph IRI, triples as terms or as N-Triples text, catalog entry), each one with
        its catalog entry: all of them land or none does (`_load_reports`). A new file with no graph of its
        own (failed, or a duplicate of another file) comes as (None, "", entry): only its entry is written.
        For files and graphs for which `is_new_report` holds; a report that replaces another (a rebuild,
        `--force`, a new pipeline version) comes with `drop`: the graphs to remove first (its own graph and
        the previous graph of its file, if no other file uses it), removed together with the files' old
        catalog entries in the transaction that writes the intent record, so the whole batch still lands
        or is undone (the reports then absent, and built again by the next build)."""
        self._load_reports([(graph, triples if isinstance(triples, str) else "".join(f"{t} .\n" for t in triples),
                             entry) for graph, triples, entry in reports], build, drop)

    def _load_reports(self, reports: list[tuple[str | None, str, CatalogEntry]], build: str,
                      drop: Iterable[str] = ()) -> None:
        """`add_reports` for reports given as N-Triples text (one triple a line, as `ReportGraph.ntriples`
        writes it; sent back from the workers as text, which is much cheaper than pickled terms).

        Written with the bulk loader (`Store.bulk_load`: sorted files ingested into RocksDB, about four
        times faster than a transaction, which reads before every write), which is not a transaction.
        So all-or-nothing is kept by an intent record: the report graphs and catalog entries about to be
        written are recorded in the catalog first (one transaction), and the record is removed after the
        load (another). A store opened with the record still there was stopped mid-write: opening it for
        writing removes those graphs and entries (`undo_interrupted_write`), and the next build makes them
        again; a read-only open refuses it."""
        if not reports:
            return
        try:
            parts: list[str] = []
            for graph, ntriples, entry in reports:
                if graph is not None:
                    # each line ends with " .\n" (N-Triples escapes newlines in literals): add the graph name
                    parts.append(ntriples.replace(" .\n", f" <{graph}> .\n"))
                parts.extend(f"{q} .\n" for q in self._catalog_quads(entry, build))
        except (AttributeError, TypeError, ValueError) as exc:
            raise StoreError(f"cannot write to the graph store: {exc}") from exc
        marks = " ".join((f"<{_PENDING}> <{KG.pendingGraph}> <{graph}> . " if graph is not None else "") +
                         f"<{_PENDING}> <{KG.pendingSource}> <{source_iri(e.path)}> ." for graph, _, e in reports)
        drop = sorted(set(drop))
        # with a rebuild: the old graphs and catalog entries go in the same transaction as the intent record
        steps = [f"DROP SILENT GRAPH <{g}>" for g in drop]
        if drop:
            steps += [f"DELETE WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ <{source_iri(e.path)}> ?p ?o }} }}"
                      for _, _, e in reports]
        steps.append(f"INSERT DATA {{ GRAPH <{GRAPH_CATALOG}> {{ {marks} }} }}")
        self._update(" ;\n".join(steps))
        try:
            self.store.bulk_load("".join(parts), format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError, ValueError) as exc:
            self.undo_interrupted_write()
            raise StoreError(f"cannot write to the graph store: {exc}") from exc
        self._update(f"DELETE WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ <{_PENDING}> ?p ?o }} }}")

    def _pending(self) -> bool:
        marker = ox.NamedNode(_PENDING)
        return next(iter(self.store.quads_for_pattern(marker, None, None, ox.NamedNode(str(GRAPH_CATALOG)))),
                    None) is not None

    def undo_interrupted_write(self) -> None:
        """Remove what an interrupted `add_reports` may have written in part: the report graphs and catalog
        entries named by the intent record, and the record itself, in one transaction."""
        catalog = ox.NamedNode(str(GRAPH_CATALOG))
        graphs, sources = set(), set()
        for q in self.store.quads_for_pattern(ox.NamedNode(_PENDING), None, None, catalog):
            (graphs if q.predicate.value == str(KG.pendingGraph) else sources).add(q.object.value)
        steps = [f"DROP SILENT GRAPH <{g}>" for g in sorted(graphs)]
        steps += [f"DELETE WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ <{s}> ?p ?o }} }}" for s in sorted(sources)]
        steps.append(f"DELETE WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ <{_PENDING}> ?p ?o }} }}")
        self._update(" ;\n".join(steps))

    def _catalog_quads(self, entry: CatalogEntry, build: str) -> list[ox.Quad]:
        """The catalog entry of `_catalog_update`, as quads."""
        s, c, n, lit = ox.NamedNode(source_iri(entry.path)), ox.NamedNode(str(GRAPH_CATALOG)), ox.NamedNode, ox.Literal
        facts = [(RDF_TYPE, n(str(KG.SourceFile))), (str(KG.filePath), lit(storable(entry.path))),
                 (DCT + "identifier", lit("sha256:" + entry.sha256)),
                 (str(KG.pipelineVersion), lit(entry.pipeline_version)), (str(KG.status), lit(entry.status)),
                 (PROV + "wasGeneratedBy", n(build))]
        if entry.graph:
            facts.append((str(KG.reportGraph), n(entry.graph)))
        if entry.reason:
            facts.append((str(KG.failureReason), lit(entry.reason)))
        return [ox.Quad(s, n(p), o, c) for p, o in facts]

    def remove_sources(self, sources: Iterable[str]) -> list[str]:
        """Atomically (one update): remove the catalog entries of these files (catalog IRIs) and the report
        graphs that no other file uses. Returns the graphs dropped. The derived graph is then out of date
        (its digest no longer matches), and the next `kg.build` recomputes it."""
        sources = set(sources)
        files = self.catalog_files()
        gone = {files[s][1] for s in sources if s in files and files[s][1]}
        drop = sorted(g for g in gone if not self.graph_users(g) - sources)
        steps = [f"DROP SILENT GRAPH <{g}>" for g in drop]
        steps += [f"DELETE WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ <{s}> ?p ?o }} }}" for s in sorted(sources)]
        if steps:
            self._update(" ;\n".join(steps))
        return drop

    def record_failure(self, entry: CatalogEntry, build: str) -> None:
        self._update(self._catalog_update(entry, build, ""))

    def record_entry(self, entry: CatalogEntry, build: str, drop: Iterable[str] = ()) -> None:
        """Atomically: drop `drop` graphs and record the file in the catalog (no report graph is written;
        used for a file whose report graph is another file's, a duplicate)."""
        drops = "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in sorted(set(drop)))
        self._update(drops + self._catalog_update(entry, build, ""))

    def _catalog_update(self, entry: CatalogEntry, build: str, extra_data: str) -> str:
        s = f"<{source_iri(entry.path)}>"
        facts = [f"{s} <{RDF_TYPE}> <{KG.SourceFile}>", f"{s} <{KG.filePath}> {_lit(storable(entry.path))}",
                 f"{s} <{DCT}identifier> {_lit('sha256:' + entry.sha256)}",
                 f"{s} <{KG.pipelineVersion}> {_lit(entry.pipeline_version)}",
                 f"{s} <{KG.status}> {_lit(entry.status)}",
                 f"{s} <{PROV}wasGeneratedBy> <{build}>"]
        if entry.graph:
            facts.append(f"{s} <{KG.reportGraph}> <{entry.graph}>")
        if entry.reason:
            facts.append(f"{s} <{KG.failureReason}> {_lit(entry.reason)}")
        return (f"DELETE WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ {s} ?p ?o }} }} ;\n"
                f"INSERT DATA {{ {extra_data} GRAPH <{GRAPH_CATALOG}> {{ {' . '.join(facts)} . }} }}")

    def record_build(self, build: str, started: datetime, ended: datetime, version: str) -> None:
        b = f"<{build}>"
        agent = f"<{ID['software/ofsted-kg/' + version]}>"
        dt = XSD + "dateTime"
        self._update(f"""INSERT DATA {{ GRAPH <{GRAPH_CATALOG}> {{
            {b} <{RDF_TYPE}> <{KG.Build}> , <{PROV}Activity> ;
                <{PROV}startedAtTime> {_lit(started.isoformat(), dt)} ;
                <{PROV}endedAtTime> {_lit(ended.isoformat(), dt)} ;
                <{PROV}wasAssociatedWith> {agent} ;
                <{KG.pipelineVersion}> {_lit(version)} .
            {agent} <{RDF_TYPE}> <{PROV}SoftwareAgent> ; <http://www.w3.org/2000/01/rdf-schema#label> {_lit('ofsted-kg ' + version)} .
        }} }}""")

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Atomically replace any named graph (one SPARQL update: for small graphs)."""
        body = "\n".join(f"{t} ." for t in triples)
        self._update(f"DROP SILENT GRAPH <{graph}> ; INSERT DATA {{ GRAPH <{graph}> {{ {body} }} }}")

    def match(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[ox.Quad]:
        """The quads matching a pattern of pyoxigraph terms (None: any), read through the store's indexes."""
        return iter(self.store.quads_for_pattern(subject, predicate, object, graph))

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction (small additions; the build's bulk writes go through add_reports)."""
        try:
            self.store.extend(quads)
        except OSError as exc:
            raise StoreError(f"cannot write to the graph store: {exc}") from exc

    def load_ntriples(self, ntriples: str, graph: str) -> None:
        """Load N-Triples text into the named graph `graph`."""
        try:
            self.store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot write to the graph store: {exc}") from exc

    def replace_derived(self, quads: Iterable[ox.Quad]) -> None:
        """Replace the derived graph with `quads` (already in that graph): `replace_computed`."""
        self.replace_computed(str(GRAPH_DERIVED), quads)

    def update_derived(self, remove: Iterable[ox.Quad], add: Iterable[ox.Quad]) -> None:
        """Write a delta of the derived graph: `remove` quads taken out, `add` quads put in (a change that
        touches a few issues, kg.recur.store.update_derived)."""
        self._computed_write(str(GRAPH_DERIVED), remove, add)

    def replace_entities(self, triples: Iterable[ox.Triple]) -> None:
        """Replace the entities graph with `triples`: `replace_computed`."""
        g = ox.NamedNode(str(GRAPH_ENTITIES))
        self.replace_computed(str(GRAPH_ENTITIES), (ox.Quad(t.subject, t.predicate, t.object, g) for t in triples))

    def replace_computed(self, graph_iri: str, quads: Iterable[ox.Quad]) -> None:
        """Replace a graph computed from the others (derived, entities) with `quads` (already in that graph)
        through the bulk APIs: into an empty graph, `Store.bulk_extend`; otherwise only the difference is
        written (the quads no longer there removed one by one, the new ones added with `bulk_extend`), since
        removing a whole graph of hundreds of thousands of quads is slow."""
        graph = ox.NamedNode(graph_iri)
        if next(iter(self.store.quads_for_pattern(None, None, None, graph)), None) is None:
            # an empty graph: stream the quads into the bulk loader, which builds its files in threads of
            # its own while the quads are still being made
            self._computed_write(graph_iri, (), quads)
            return
        new = set(quads)
        gone = []
        for q in self.store.quads_for_pattern(None, None, None, graph):
            if q in new:
                new.discard(q)
            else:
                gone.append(q)
        self._computed_write(graph_iri, gone, new)

    def _computed_write(self, graph_iri: str, remove: Iterable[ox.Quad], add: Iterable[ox.Quad]) -> None:
        """These steps are not one transaction, so the graph's recorded digest is removed first and put
        back only after them all: a write interrupted in between leaves no digest, and the next build
        recomputes the graph."""
        recorded = self.recorded_digest(graph_iri)
        try:
            self._update(f"DELETE WHERE {{ GRAPH <{GRAPH_CATALOG}> {{ <{graph_iri}> <{DCT}identifier> ?x }} }}")
            for q in remove:
                self.store.remove(q)
            self.store.bulk_extend(add)
        except OSError as exc:
            raise StoreError(f"cannot write to the graph store: {exc}") from exc
        if recorded is not None:
            self.record_digest(graph_iri, recorded)

    def _update(self, sparql: str) -> None:
        try:
            self.store.update(sparql)
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot write to the graph store: {exc}") from exc

    def flush(self) -> None:
        if self.path is not None:
            try:
                self.store.flush()
            except OSError:
                pass

    # ---------------------------------------------------------------- dumping
    def quads(self, graphs: Iterable[str] | None = None) -> Iterator[ox.Quad]:
        if graphs is None:
            return iter(self.store.quads_for_pattern(None, None, None, None))
        return (q for g in graphs for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(g)))


def stored_file_exists(path: str) -> bool:
    """Whether the file a catalog path names is still there. A name that is not UTF-8 is stored with its
    bytes as `\\xNN` (`kg.errors.storable`): tried as written and with those bytes put back."""
    if os.path.lexists(path):
        return True
    if "\\x" not in path:
        return False
    import re

    raw = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]), path.encode("utf-8"))
    return os.path.lexists(raw)


def new_build_iri(started: datetime) -> str:
    return str(ID[f"build/{started.strftime('%Y%m%dT%H%M%S%fZ')}"])


def now() -> datetime:
    return datetime.now(timezone.utc)


__all__ = ["GraphStore", "CatalogEntry", "pipeline_version", "file_sha256", "source_iri", "new_build_iri", "now"]
