"""Every rule lives in one file: editing the data file changes the behaviour, because no copy of it is
left in code. Each check greps the repository for the rule's literal; the rename check shows that the
extractors read declared flags, not rule ids (renaming an id in the YAML changes nothing)."""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.paths import data_dir

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def files_with(regex: str, *globs: str, flags: int = 0) -> set[str]:
    """Repository files (relative paths) matching any glob whose text matches `regex`."""
    pattern = re.compile(regex, flags)
    out = set()
    for g in globs:
        for path in ROOT.glob(g):
            if path.is_file() and pattern.search(path.read_text(encoding="utf-8", errors="replace")):
                out.add(path.relative_to(ROOT).as_posix())
    return out


def code_strings(glob: str) -> list[tuple[str, str]]:
    """(file, text) of every string literal of the Python files of `glob`, docstrings left out."""
    out = []
    for path in sorted(ROOT.glob(glob)):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and n.body
                and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        out += [(path.relative_to(ROOT).as_posix(), n.value) for n in ast.walk(tree)
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]
    return out


CODE = "kg/**/*.py"
DATA = ("kg/data/*.yaml", "ontology/*.ttl", "shapes/*.ttl")


def test_due_date_months_are_only_in_the_schemes():
    assert files_with(r"monthsAfterInspectionEnd\s+\d", CODE, *DATA) == {"ontology/schemes.ttl"}
    assert files_with(r"due-(?:immediately|end-plus)", CODE) == set()


def test_the_letter_lag_threshold_is_only_in_the_shape():
    assert files_with(r"\b183\b", CODE, *DATA) == {"shapes/report.ttl"}


def test_title_words_are_only_in_people_yaml():
    assert files_with(r"\bcllr\b", CODE, "kg/data/*.yaml", flags=re.IGNORECASE) == {"kg/data/people.yaml"}


def test_board_names_are_only_in_the_schemes():
    assert files_with(r"Corporate Parenting Board", CODE, *DATA) <= {"ontology/schemes.ttl", "ontology/ofsted-kg.ttl"}
    assert files_with(r"kg:councilBoardName\s+\"", CODE, *DATA) == {"ontology/schemes.ttl"}


def test_report_type_codes_are_not_listed_in_the_mapper_or_the_extractor():
    # kg/netview/model.py keeps short display labels for a picture (another module's job, not a rule)
    assert files_with(r"safeguarding-and-looked-after-children-inspection", CODE) <= {"kg/netview/model.py"}
    assert files_with(r"kg:gradeScale\s+grade:", CODE, *DATA) == {"ontology/schemes.ttl"}
    # the shapes check a report's type against the scheme (sh:node), not a copy of its list
    assert files_with(r"reporttype:single-inspection\b", *DATA) == {"ontology/schemes.ttl"}


def test_grade_names_are_not_spelled_in_the_mapper():
    assert files_with(r"[\"'](?:adequate|satisfactory|requires improvement)", "kg/rdf/*.py",
                      flags=re.IGNORECASE) == set()


def test_grade_names_are_only_in_the_schemes():
    """The extractor reads the grade names and their numbers from ontology/schemes.ttl: grades.yaml keeps only
    how a word of a name may be printed, and no extractor spells a name."""
    from kg.extract.judgements import grade_of
    from kg.rdf.schemes import schemes

    names = [n for n in schemes().grade_names if n.replace(" ", "").isalpha()]
    assert {"Outstanding", "Requires improvement to be good", "Satisfactory"} <= set(names)
    alternation = "|".join(re.escape(n) for n in names)
    assert files_with(rf"\b(?:{alternation})\b", "kg/data/grades.yaml", flags=re.IGNORECASE) == set()
    spelled = re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)
    assert {path for path, s in code_strings("kg/extract/**/*.py") if spelled.search(s)} == set()
    assert all(grade_of(n.upper()) == (n, schemes().grade_names[n]) for n in names)


def test_framework_dates_of_the_grade_scales_are_only_in_the_schemes():
    assert files_with(r"\b(?:2013|2018)\b", "kg/rdf/*.py") == set()
    assert files_with(r"kg:gradedFrom\s+\"", CODE, *DATA) == {"ontology/schemes.ttl"}


def test_no_code_branches_on_a_rule_id():
    ids = r"[\"'](?:named-scb|local-scb|lscb-acronym|lscb-needs-to-improve|record-of-main-findings)[\"']"
    assert files_with(ids, CODE) == set()


def _extract(paths: list[Path], rules: Path | None) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if k != "KG_RULES_DIR"}
    if rules is not None:
        env["KG_RULES_DIR"] = str(rules)
    done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "extract", "--format", "jsonl",
                           *map(str, paths)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return [{k: r[k] for k in ("boards", "recommendations", "judgements")} for r in records]


def test_renaming_rule_ids_changes_no_extraction(tmp_path):
    """The ids the code once branched on are renamed in a copy of the rule files: the boards, the
    recommendations (their addressees included) and the judgements come out the same."""
    rules = tmp_path / "rules"
    shutil.copytree(data_dir(), rules)
    for name, ids in (("organisations.yaml", ("named-scb", "local-scb", "lscb-acronym", "childrens-trust-board")),
                      ("sections.yaml", ("lscb-needs-to-improve", "judgement-table", "record-of-main-findings",
                                         "contents"))):
        text = (rules / name).read_text(encoding="utf-8")
        for rid in ids:
            text, n = re.subn(rf"\{{id: {re.escape(rid)},", f"{{id: renamed-{len(rid)}-x,", text)
            assert n == 1, rid
        (rules / name).write_text(text, encoding="utf-8")
    reports = [SAMPLES / "reports" / "darlington_2015-09-01.pdf", SAMPLES / "reports" / "doncaster_2015-11-27.pdf",
               SAMPLES / "reports" / "002_f1ebdee6c896ebcd.txt", SAMPLES / "reports" / "darlington_2022-12-02.pdf"]
    bundled = _extract(reports, None)
    assert any(b["kind"] == "childrens-trust-board" for r in bundled for b in r["boards"])
    assert any("Safeguarding Children Board" in (x.get("addressed_to") or "") for r in bundled
               for x in r["recommendations"])
    assert all(r["judgements"] for r in bundled)  # an ILACS table, a SIF front page, a record of main findings
    assert _extract(reports, rules) == bundled


@pytest.mark.parametrize("entry, message", [
    ("  - {id: typo, kind: other-board, lscbb: named, pattern: \"\\\\bTypo Board\\\\b\"}", "unknown key 'lscbb'"),
    ("  - {id: typo, kind: other-board, lscb: nmaed, pattern: \"\\\\bTypo Board\\\\b\"}", "'lscb: nmaed'"),
])
def test_an_undeclared_or_misspelt_flag_is_a_broken_rule_file(tmp_path, entry, message):
    rules = tmp_path / "rules"
    shutil.copytree(data_dir(), rules)
    path = rules / "organisations.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index("boards:") + 1
    lines.insert(at, entry)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, "KG_RULES_DIR": str(rules)}
    done = subprocess.run([sys.executable, "-m", "kg.rules", "--check"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 2
    assert f"organisations.yaml: line {at + 1}: " in done.stderr and message in done.stderr


def test_the_cli_handles_kg_errors_in_one_place():
    """Commands raise; the click group (kg/cli/__init__.py) prints the one line and exits with the code."""
    assert files_with(r"except\s+\(?[^)\n]*KgError", "kg/cli/*.py") == {"kg/cli/__init__.py"}


def test_graph_store_is_the_only_door_to_the_store():
    """Outside kg/store.py no module reaches through a GraphStore to pyoxigraph (`gs.store.query(...)`)."""
    reach = r"\.store\.(?:query|quads_for_pattern|named_graphs|load|extend|dump|update|bulk_load|flush)\("
    assert files_with(reach, CODE) <= {"kg/store.py"}
    handed_on = r"\bgs\.store\b"  # the raw pyoxigraph store handed to another function
    assert files_with(handed_on, CODE) == set()


def test_vocabulary_iris_are_spelled_only_in_kg_namespaces():
    """Vocabulary IRIs are written only in kg/namespaces.py."""
    spelled = r"[\"']https?://(?:www\.w3\.org|w3id\.org|purl\.org|xmlns\.com|statistics\.data\.gov\.uk)/"
    assert files_with(spelled, CODE) <= {"kg/namespaces.py"}


def test_every_module_says_what_it_does_and_none_grows_past_400_lines_unsplit():
    """A new engineer can tell each module's job from its docstring; the modules over 400 lines are the known
    ones (each with its reason), so a module that grows past it is noticed and split."""
    waiting = {
        "kg/rdf/mapping.py",  # being reworked by another engineer (entities)
        "kg/store.py",  # one job, the store's only door: one long class
    }
    long, undocumented = set(), set()
    for path in sorted((ROOT / "kg").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT).as_posix()
        if len(text.splitlines()) > 400:
            long.add(name)
        if not ast.get_docstring(ast.parse(text)):
            undocumented.add(name)
    assert undocumented == set()
    assert long <= waiting, sorted(long - waiting)
