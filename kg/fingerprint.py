"""The pipeline's fingerprint: a hash of everything that shapes a report graph (reading, extraction and mapping
code, rule files, ontology), so that a build knows when an unchanged file must be built again."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from . import __version__
from .paths import data_dir, ontology_dir

# Modules that do not shape a report graph: changing them must not force a full rebuild.
_NOT_IN_FINGERPRINT = {"cli", "__pycache__", "build.py", "store.py", "fingerprint.py", "validate.py", "entities.py", "query.py", "export.py",
                       "stats.py", "serve.py", "serve", "web", "prepare.py", "push.py", "diff.py", "workbook.py", "draw", "netview", "recur", "themes.py"}


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """Fingerprint of everything that shapes a report graph: reading, extraction and mapping code, their
    rules and data, and the ontology. A change to any of them makes the next build rebuild every file
    instead of skipping it.
    """
    pkg = Path(__file__).resolve().parent
    kinds = {".py", ".yaml", ".csv", ".ttl", ".json", ".txt"}
    rules = data_dir()  # kg/data, or the rule files of $KG_RULES_DIR in its place
    files = [p for p in sorted(pkg.rglob("*")) if p.is_file() and p.suffix in kinds
             and not _NOT_IN_FINGERPRINT & set(p.relative_to(pkg).parts) and p.parent != pkg / "data"]
    files += [p for p in sorted(rules.glob("*")) if p.is_file() and p.suffix in kinds]
    files += sorted(ontology_dir().glob("*.ttl"))
    h = hashlib.sha256(__version__.encode())
    for p in dict.fromkeys(files):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"
