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


# ---------------------------------------------------------------- every README `kg` command runs as written

SKIPPED = {"serve": "runs until stopped; tests/test_serve.py starts a real server"}
#: commands the README shows failing on purpose, with the exit status it documents
EXPECTED_EXIT = {"kg extract --format jsonl tests/data/bad/rotherham_2012-08-10.pdf": 1}


def _blocks() -> list[tuple[str, str]]:
    """(language, text) of every fenced code block of the README."""
    return re.findall(r"^```(\w*)\n(.*?)^```", README, re.MULTILINE | re.DOTALL)


def readme_setup_commands() -> list[str]:
    """The `kg` commands of the README's one set-up command (the first bash block that builds a store)."""
    setup = next(text for lang, text in _blocks() if lang == "bash" and "kg build" in text)
    return [part.strip() for part in setup.strip().split("&&") if part.strip().startswith("kg ")]


def readme_kg_commands() -> list[str]:
    """Every `kg` command of a code block: lines of bash blocks, and `$ kg ...` lines of console blocks."""
    out = []
    for lang, text in _blocks():
        for line in text.splitlines():
            line = line.strip()
            if lang == "bash" and line.startswith("kg "):
                out.append(line)
            elif lang == "" and line.startswith("$ kg "):
                out.append(line[2:])
    return out


def test_every_readme_kg_command_runs_after_the_readme_set_up(tmp_path, monkeypatch):
    """In a fresh directory holding the repository's samples/ and tests/ (the paths the README uses), run the
    set-up command's `kg` part, then every `kg` command of the README as written, in order. KG_STORE points
    nowhere, so a command that forgets `--store store` fails instead of finding some other store."""
    import shlex

    for name in ("samples", "tests"):
        (tmp_path / name).symlink_to(REPO / name, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"KG_STORE": str(tmp_path / "no-store-here"), "COLUMNS": "100"})
    setup = readme_setup_commands()
    assert setup[0].startswith("kg build samples/reports --store store")
    commands = readme_kg_commands()
    assert len(commands) >= 15
    ran = set()
    setup_result = None
    for command in setup + [c for c in commands if c not in setup]:
        args = shlex.split(command, comments=True)[1:]
        if args[0] in SKIPPED:
            continue
        result = runner.invoke(main, args)
        if command == setup[0]:
            setup_result = result
        expected = EXPECTED_EXIT.get(command, 0)
        assert result.exit_code == expected, f"`{command}` exited {result.exit_code}: {result.stderr[-500:]}"
        ran.add(args[0])
    assert ran >= {"build", "extract", "validate", "query", "recurring", "draw", "graph", "export", "stats"}
    for made in ("doncaster-timeline.png", "yh.html", "everything.gexf", "doncaster.graphml", "graph.ttl"):
        assert (tmp_path / made).stat().st_size > 0, made

    # the output the README shows is what the tool prints today (at the README's 100 columns), in the order
    # the README shows it; a line "..." or "... (N more ...)" stands for lines left out
    first_build = True
    for command, shown in readme_console_examples():
        args = shlex.split(command)[1:]
        if args[0] in SKIPPED:
            continue
        if command == setup[0] and first_build:  # the set-up's build, shown as it printed then
            first_build = False
            result = setup_result
        else:
            result = runner.invoke(main, args)
        _assert_shows(command, shown, _lines(result.stdout), _lines(result.stderr))


def _lines(text: str) -> list[str]:
    return [ln.rstrip() for ln in text.rstrip("\n").split("\n")] if text.strip() else []


def readme_console_examples() -> list[tuple[str, list[str]]]:
    """(command, the output lines shown under it) for every `$ kg ...` line of the README's console blocks."""
    out = []
    for lang, text in _blocks():
        if lang:
            continue
        for part in re.split(r"^\$ ", text, flags=re.MULTILINE)[1:]:
            lines = part.rstrip("\n").split("\n")
            if lines[0].startswith("kg "):
                out.append((lines[0], [ln for ln in lines[1:] if not ln.startswith("$ ")]))
    return out


def _assert_shows(command: str, shown: list[str], out: list[str], err: list[str]) -> None:
    """The README shows a command's standard error and output together, as a terminal does: every line of
    its stderr is shown, in order, and the other lines shown are its stdout, whole or cut by a '...' or
    '... (N more rows)' line that stands for the lines left out."""
    shown = [ln.rstrip() for ln in shown]
    rest, k = [], 0
    for ln in shown:
        if k < len(err) and ln == err[k]:
            k += 1
        else:
            rest.append(ln)
    said = f"README output of `{command}` differs from what it prints:\n" + "\n".join(err + out[:40])
    assert k == len(err), said
    cut = [i for i, ln in enumerate(rest) if ln == "..." or re.match(r"^\.\.\. \(\d+ more", ln)]
    if not cut:
        assert out == rest, said
        return
    head, tail = rest[:cut[0]], rest[cut[0] + 1:]
    assert out[:len(head)] == head and (not tail or out[-len(tail):] == tail), said
