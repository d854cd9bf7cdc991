"""The README is the manual: it documents every command, and CI runs exactly its set-up commands."""
from __future__ import annotations

import re

from click.testing import CliRunner

from kg.cli import main

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme():
    assert main.commands, "no commands registered"
    for name in main.commands:
        assert re.search(rf"\bkg {name}\b", README), f"`kg {name}` is not documented in README.md"


def test_every_command_help_has_examples():
    runner = CliRunner()
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Examples" in result.output and f"kg {name}" in result.output, name


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install '.[test]'" in README and "pip install -q '.[test]'" in ci
    assert "python -m pytest" in README and ci.rstrip().endswith("python -m pytest")


def test_readme_placeholders_are_filled():
    assert not re.search(r"^[A-Z_]{6,}$", README, re.MULTILINE)
