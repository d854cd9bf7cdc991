"""Whatever the caller has (a store folder, a GraphStore, a pyoxigraph Store or Dataset, an rdflib graph) as
one pyoxigraph Store the views can query: a folder is opened read-only, so drawing never waits on a build."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..store import GraphStore


def open_store(source: Any) -> ox.Store:
    """A pyoxigraph Store for a Store, a Dataset, a store directory, an rdflib graph or a wrapper.

    A directory is opened read-only, so drawing never competes with a build for the write lock.
    """
    if isinstance(source, ox.Store):
        return source
    inner = getattr(source, "store", None) or getattr(source, "oxigraph", None)
    if isinstance(inner, ox.Store):
        return inner
    if isinstance(source, ox.Dataset):
        mem = ox.Store()
        mem.extend(iter(source))
        return mem
    if isinstance(source, (str, Path)):  # through the store's door: its checks, its wording of errors
        return GraphStore(Path(source), read_only=True).store
    if hasattr(source, "serialize"):  # rdflib Graph / Dataset
        data = source.serialize(format="nquads" if hasattr(source, "contexts") else "ntriples")
        mem = ox.Store()
        fmt = ox.RdfFormat.N_QUADS if hasattr(source, "contexts") else ox.RdfFormat.N_TRIPLES
        mem.load(data.encode("utf-8") if isinstance(data, str) else data, format=fmt)
        return mem
    raise TypeError(f"cannot read a graph from {type(source).__name__}")

