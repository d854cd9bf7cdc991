"""Where the bundled data lives: inside the installed wheel, or beside the package in a source checkout."""
from __future__ import annotations

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent
_REPO = _PKG.parent


def _dir(name: str) -> Path:
    inside = _PKG / name
    return inside if inside.is_dir() else _REPO / name


RULES_DIR_ENV = "KG_RULES_DIR"  # a directory of rule files to read in place of the bundled kg/data


def data_dir() -> Path:
    """The rule and data files of the pipeline (kg/data), or $KG_RULES_DIR when set: a copy of kg/data to
    try edited rules on (`python -m kg.rules --check` validates it) without changing the installed ones."""
    override = os.environ.get(RULES_DIR_ENV)
    return Path(override).expanduser().resolve() if override else _PKG / "data"


def ontology_dir() -> Path:
    return _dir("ontology")


def shapes_dir() -> Path:
    return _dir("shapes")


def queries_dir() -> Path:
    return _dir("queries")


def samples_dir() -> Path:
    return _dir("samples")


def is_store_folder(folder: Path) -> bool:
    """Whether a folder is a graph store (RocksDB's `CURRENT` beside a `MANIFEST-*` or `OPTIONS-*`): its
    files (CURRENT, IDENTITY, LOG, OPTIONS-*, *.sst) are never read as reports."""
    try:
        return (folder / "CURRENT").is_file() and any(
            e.name.startswith(("MANIFEST-", "OPTIONS-")) for e in os.scandir(folder))
    except OSError:
        return False
