"""One graph store built from samples/reports, shared by the netview and draw tests (built once per session).

Only repository files are used, so CI on a fresh clone builds the same store. After the build the
derived graph (themes, recurrence links) is written as `kg recurring --save` writes it.
"""
from __future__ import annotations

import gc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "reports"
_CACHE: dict[str, Path] = {}


def built_store(tmp_path_factory) -> Path:
    if "path" in _CACHE:
        return _CACHE["path"]
    from kg.build import build
    from kg.recur import refresh_derived
    from kg.store import GraphStore

    path = tmp_path_factory.mktemp("draw-store") / "store"
    gs = GraphStore(path)
    build([SAMPLES], gs)
    refresh_derived(gs)
    del gs
    gc.collect()  # close the writable store before the tests open it read-only
    _CACHE["path"] = path
    return path
