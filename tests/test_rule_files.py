"""Rule files are checked once, at start-up: a broken one stops `kg build` and `kg extract` with one line
naming the file (and line) and exit status 2 before any report is read, not one error per report with
exit 1. `python -m kg.rules --check` checks them all. The broken files are copies of the bundled ones in
a directory named by $KG_RULES_DIR; the commands run as subprocesses, as a user runs them.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.paths import data_dir

from .conftest import SAMPLES

REPORTS = [str(SAMPLES / "000_8c596ea8a2081205.txt"), str(SAMPLES / "003_fd8ddec3fbd4e1da.txt")]
KG = [sys.executable, "-c", "from kg.cli import main; main()"]
CHECK = [sys.executable, "-m", "kg.rules", "--check"]


def _run(cmd: list[str], rules: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "KG_RULES_DIR"}
    if rules is not None:
        env["KG_RULES_DIR"] = str(rules)
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def _bad_regex(text: str) -> tuple[str, int]:
    """The first pattern of a list entry made uncompilable, and its line."""
    lines = text.splitlines()
    n = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("- {") and 'pattern: "' in ln)
    lines[n] = lines[n].replace('pattern: "', 'pattern: "(unclosed ', 1)
    return "\n".join(lines) + "\n", n + 1


def _bad_yaml(text: str) -> tuple[str, int]:
    """A flow mapping left open in the middle of the file (the parser notices on the next line)."""
    lines = text.splitlines()
    # before a list entry past the middle, so the parser notices on that entry's line
    n = next(i for i in range(len(lines) // 2, len(lines)) if lines[i].startswith("  - {"))
    lines.insert(n, "  - {id: broken, pattern: [")
    return "\n".join(lines) + "\n", n + 2


def _not_a_mapping(text: str) -> tuple[str, int | None]:
    return "- just\n- a list\n", None


BREAKAGES = {
    "organisations.yaml": _bad_regex,
    "sections.yaml": _bad_yaml,
    "normalise.yaml": _not_a_mapping,
}


@pytest.fixture(params=sorted(BREAKAGES))
def broken(request, tmp_path):
    """(rules dir, broken file, its broken line or None): a copy of kg/data with one file broken."""
    rules = tmp_path / "rules"
    shutil.copytree(data_dir(), rules)
    name = request.param
    text, line = BREAKAGES[name]((rules / name).read_text(encoding="utf-8"))
    (rules / name).write_text(text, encoding="utf-8")
    return rules, rules / name, line


def _one_error_line(stderr: str, file: Path, line: int | None) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"error: {file}: "), stderr
    if line is not None:
        assert f": line {line}: " in lines[0], stderr
    return lines[0]


def test_the_bundled_rule_files_pass_the_check_and_every_one_is_checked():
    result = _run(CHECK)
    assert result.returncode == 0, result.stderr
    checked = {Path(ln.removeprefix("ok: ")).name for ln in result.stdout.splitlines()}
    bundled = {p.name for p in data_dir().iterdir() if p.is_file()}
    assert bundled <= checked, f"not checked: {bundled - checked}"
    assert {"themes.ttl", "schemes.ttl"} <= checked


def test_a_broken_rule_file_stops_the_build_before_any_report_is_read(broken, tmp_path):
    rules, file, line = broken
    store = tmp_path / "store"
    result = _run([*KG, "build", "-q", "-j", "1", "--store", str(store), *REPORTS], rules)
    assert result.returncode == 2, result.stderr
    message = _one_error_line(result.stderr, file, line)
    assert not any(Path(r).name in message for r in REPORTS)
    assert not store.exists()  # nothing was read, nothing written


def test_the_check_names_the_broken_file_and_exits_2(broken):
    rules, file, line = broken
    result = _run(CHECK, rules)
    assert result.returncode == 2
    _one_error_line(result.stderr, file, line)
    assert f"ok: {rules / 'grades.yaml'}" in result.stdout  # the other files were still checked


def test_a_broken_rule_file_stops_extract_with_one_line(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(data_dir(), rules)
    text, line = _bad_regex((rules / "organisations.yaml").read_text(encoding="utf-8"))
    (rules / "organisations.yaml").write_text(text, encoding="utf-8")
    result = _run([*KG, "extract", "--format", "jsonl", *REPORTS], rules)
    assert result.returncode == 2 and result.stdout == ""
    _one_error_line(result.stderr, rules / "organisations.yaml", line)


def test_a_missing_rules_directory_is_one_line_and_exit_2(tmp_path):
    result = _run([*KG, "build", "-q", "--store", str(tmp_path / "store"), *REPORTS], tmp_path / "nowhere")
    assert result.returncode == 2
    _one_error_line(result.stderr, tmp_path / "nowhere", None)


def test_rules_read_from_kg_rules_dir_are_in_the_rebuild_fingerprint(tmp_path, monkeypatch):
    """Edited rules in $KG_RULES_DIR make the next build rebuild every report, as edited bundled ones do;
    an unedited copy changes nothing."""
    from kg.store import pipeline_version

    rules = tmp_path / "rules"
    shutil.copytree(data_dir(), rules)
    try:
        pipeline_version.cache_clear()
        bundled = pipeline_version()
        monkeypatch.setenv("KG_RULES_DIR", str(rules))
        pipeline_version.cache_clear()
        assert pipeline_version() == bundled
        with open(rules / "grades.yaml", "a", encoding="utf-8") as fh:
            fh.write("# edited\n")
        pipeline_version.cache_clear()
        assert pipeline_version() != bundled
    finally:
        monkeypatch.delenv("KG_RULES_DIR")
        pipeline_version.cache_clear()
