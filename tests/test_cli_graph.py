"""The graph commands through click's CliRunner: build, validate, query, export, stats."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from kg.cli import main

from .conftest import BAD, SAMPLES


@pytest.fixture()
def runner():
    return CliRunner()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli")
    src = base / "reports"
    src.mkdir()
    for name in ("000_8c596ea8a2081205.txt", "002_f1ebdee6c896ebcd.txt"):
        shutil.copy(SAMPLES / name, src / name)
    store = base / "store"
    result = CliRunner().invoke(main, ["build", str(src), "--store", str(store), "--jobs", "1"])
    return src, store, result


def test_build_prints_a_summary_and_succeeds(built):
    _src, _store, result = built
    assert result.exit_code == 0, result.output
    assert "files: 2  read: 2  built: 2" in result.output


def test_rebuild_skips(runner, built):
    src, store, _ = built
    result = runner.invoke(main, ["build", str(src), "--store", str(store)])
    assert result.exit_code == 0 and "skipped (unchanged): 2" in result.output


def test_build_of_a_bad_file_exits_1(runner, tmp_path):
    result = runner.invoke(main, ["build", str(BAD / "rotherham_2012-08-10.pdf"), "--store", str(tmp_path / "s")])
    assert result.exit_code == 1 and "failed:" in result.output and "HTML" in result.output


def test_validate(runner, built):
    result = runner.invoke(main, ["validate", "--store", str(built[1]), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["conforms"] and report["violations"] == 0
    assert any("six months" in r["message"] for r in report["results"])


def test_validate_missing_store_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["validate", "--store", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and result.output.startswith("error: ")


def test_query_list_and_named_query(runner, built):
    listed = runner.invoke(main, ["query", "--list"])
    assert listed.exit_code == 0 and "council-recommendations" in listed.output
    result = runner.invoke(main, ["query", "council-recommendations", "--param", "council=Doncaster",
                                  "--store", str(built[1]), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert any(r["due_date"] for r in rows)


def test_query_errors_exit_2(runner, built):
    result = runner.invoke(main, ["query", "council-timeline", "--store", str(built[1])])
    assert result.exit_code == 2 and "error: " in result.output
    result = runner.invoke(main, ["query", "council-timeline", "--param", "council", "--store", str(built[1])])
    assert result.exit_code == 2


def test_export_and_stats(runner, built, tmp_path):
    out = tmp_path / "g.ttl"
    result = runner.invoke(main, ["export", "--store", str(built[1]), "--format", "turtle", "-o", str(out)])
    assert result.exit_code == 0 and out.stat().st_size > 1000
    result = runner.invoke(main, ["stats", "--store", str(built[1])])
    assert result.exit_code == 0 and "By council" in result.output and "Doncaster" in result.output


@pytest.mark.parametrize("command", ["build", "validate", "query", "export", "stats"])
def test_every_command_help_has_examples(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Examples:" in result.output
