"""Shared fixtures: real sample reports from samples/reports, read once per test session."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.read import read_source

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "reports"
GOLD = REPO / "tests" / "data" / "gold"
BAD = REPO / "tests" / "data" / "bad"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def read_sample():
    """Read a sample report by file name (cached for the session)."""
    cache = {}

    def _read(name: str):
        if name not in cache:
            cache[name] = read_source(SAMPLES / name)
        return cache[name]

    return _read


@pytest.fixture(scope="session")
def gold():
    """Gold record (dict) by report stem."""
    def _gold(stem: str) -> dict:
        return json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    return _gold


@pytest.fixture(scope="session")
def items_of(read_sample):
    """(source, Items) of a sample report by stem, extracted once per session."""
    from kg.extract.items import extract_items
    from tests._items_helpers import SAMPLE_FILES

    cache = {}

    def _items(stem: str):
        if stem not in cache:
            src = read_sample(SAMPLE_FILES[stem])
            cache[stem] = (src, extract_items(src, "other"))
        return cache[stem]

    return _items


@pytest.fixture(scope="session")
def segmented(read_sample):
    """(source, Segmented) of a sample report by file name, once per session."""
    from kg.segment import segment

    cache = {}

    def _seg(name: str):
        if name not in cache:
            src = read_sample(name)
            cache[name] = (src, segment(src))
        return cache[name]

    return _seg


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """The graph store built once per session from samples/reports (with its derived graph of themes
    and recurrence links): (store directory, BuildSummary). The writable store is closed on return."""
    import gc

    from kg.build import build

    path = tmp_path_factory.mktemp("kg-store") / "store"
    summary = build([SAMPLES], path, jobs=1)
    gc.collect()
    return path, summary
