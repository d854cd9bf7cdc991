"""The installed package: public API per stage, and the `kg` command working from any directory."""
from __future__ import annotations

import doctest
import shutil
import subprocess

import pytest

import kg

from .conftest import REPO, SAMPLES


def test_one_public_function_per_stage_is_importable_from_kg():
    import kg.build, kg.export, kg.segment  # noqa: F401,E401 - importing the modules must not shadow the API

    for name in kg.__all__[1:]:
        assert callable(getattr(kg, name)) and not isinstance(getattr(kg, name), type(kg)), name
    with pytest.raises(AttributeError):
        kg.no_such_stage  # noqa: B018


def test_package_docstring_example_runs(monkeypatch):
    monkeypatch.chdir(REPO)
    result = doctest.testmod(kg, verbose=False)
    assert result.attempted >= 3 and result.failed == 0


@pytest.mark.skipif(shutil.which("kg") is None, reason="the kg console script is not installed")
def test_console_script_finds_its_bundled_data_from_any_directory(tmp_path):
    """Queries, shapes, ontology and gazetteer ship inside the package, not beside the checkout."""
    listing = subprocess.run(["kg", "query", "--list"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0, listing.stderr
    assert "council-recommendations" in listing.stdout and "recurring-within-council" in listing.stdout
    store = tmp_path / "store"
    built = subprocess.run(["kg", "build", str(SAMPLES / "003_fd8ddec3fbd4e1da.txt"), "--store", str(store)],
                           cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    assert "built: 1" in built.stderr and "violations: 0" in built.stderr
