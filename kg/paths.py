"""Where the bundled data lives: inside the installed wheel, or beside the package in a source checkout."""
from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent
_REPO = _PKG.parent


def _dir(name: str) -> Path:
    inside = _PKG / name
    return inside if inside.is_dir() else _REPO / name


def data_dir() -> Path:
    return _PKG / "data"


def ontology_dir() -> Path:
    return _dir("ontology")


def shapes_dir() -> Path:
    return _dir("shapes")


def queries_dir() -> Path:
    return _dir("queries")


def samples_dir() -> Path:
    return _dir("samples")
