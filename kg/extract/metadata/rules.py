"""The rules of report titles (kg/data/report_types.yaml) and of people's names and roles
(kg/data/people.yaml), loaded once and checked, so a broken rule file is one error before any report is read."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ...errors import RuleFileError
from ...paths import data_dir
from ...rdf.schemes import schemes
from ...rulefiles import LINE, compile_pattern, load_yaml, rule_error

COUNCIL_PLACES = ("group", "before", "after", "none")


@dataclass(frozen=True, slots=True)
class TitleRule:
    report_type: str
    reason: str | None
    pattern: re.Pattern[str]
    council: str  # group | before | after | none
    line: int  # line in the rule file, for messages
    joint_letter: bool = False  # signed jointly by several inspectorates (report_types.yaml)


@dataclass(frozen=True, slots=True)
class TypeRules:
    head_chars: int
    unmatched_reason: str
    titles: tuple[TitleRule, ...]
    expects: dict[str, dict[str, int | bool]]  # report type -> what its reports hold (kg.extract.audit)


@lru_cache(maxsize=None)
def load_type_rules(path: str | None = None) -> TypeRules:
    """The report-type rules of kg/data/report_types.yaml (or `path`), checked."""
    file = Path(path) if path else data_dir() / "report_types.yaml"
    doc = load_yaml(file)
    if not isinstance(doc, dict) or not isinstance(doc.get("families"), list):
        raise RuleFileError("expected a mapping with a 'families' list", source=str(file))
    titles = []
    expects: dict[str, dict[str, int | bool]] = {}
    for fam in doc["families"]:
        report_types = schemes().report_types  # the report-type scheme of ontology/schemes.ttl
        if not isinstance(fam, dict) or fam.get("id") not in report_types:
            raise rule_error(file, fam, f"family id must be one of {', '.join(report_types)}")
        reason = fam.get("reason")
        if fam["id"] == "other" and not reason:
            raise rule_error(file, fam, "a family with id 'other' needs a 'reason'")
        if not fam.get("titles"):
            raise rule_error(file, fam, f"family {fam['id']} has no titles")
        exp = fam.get("expects") or {}
        if not isinstance(exp, dict) or set(exp) - {"findings", "recommendations", "judgements", LINE}:
            raise rule_error(file, fam, "'expects' takes findings, recommendations (true/false) and judgements (a number)")
        expects[fam["id"]] = {k: v for k, v in exp.items() if k != LINE}
        for t in fam["titles"]:
            if not isinstance(t, dict):
                raise rule_error(file, fam, "each title must be a mapping with 'pattern' and 'council'")
            where = t.get("council")
            if where not in COUNCIL_PLACES:
                raise rule_error(file, t, f"'council' must be one of {', '.join(COUNCIL_PLACES)}")
            pattern = compile_pattern(file, {**t, "pattern": "^(?:" + str(t.get("pattern")) + ")"},
                                      flags=re.IGNORECASE)
            if where == "group" and "council" not in pattern.groupindex:
                raise rule_error(file, t, "council: group needs a (?P<council>...) group in the pattern")
            titles.append(TitleRule(fam["id"], reason, pattern, where, t.get("__line__", 0),
                                    bool(fam.get("joint_letter"))))
    return TypeRules(int(doc.get("head_chars", 6000)), str(doc.get("unmatched_reason", "no known title")),
                     tuple(titles), expects)


@dataclass(frozen=True, slots=True)
class TeamLabel:
    pattern: re.Pattern[str]
    lead: bool


@dataclass(frozen=True, slots=True)
class VisitPhrase:
    pattern: re.Pattern[str]
    lead: bool


@dataclass(frozen=True, slots=True)
class PeopleRules:
    titles: re.Pattern[str]  # a title word at the start of a string
    team_labels: tuple[TeamLabel, ...]
    qualifier_tail: re.Pattern[str]  # qualifiers at the end of a name chunk
    qualifier_only: re.Pattern[str]  # a chunk that is only qualifiers
    visit_phrases: tuple[VisitPhrase, ...]
    report_phrases: tuple[re.Pattern[str], ...]
    sign_off: re.Pattern[str]
    copy_heading: re.Pattern[str]
    org_head: re.Pattern[str]
    org_start: re.Pattern[str]
    post_nominals: re.Pattern[str]  # honours and degrees after a name, to the end of the string


@lru_cache(maxsize=None)
def load_people_rules(path: str | None = None) -> PeopleRules:
    """The people rules of kg/data/people.yaml (or `path`), checked."""
    file = Path(path) if path else data_dir() / "people.yaml"
    doc = load_yaml(file)
    if not isinstance(doc, dict):
        raise RuleFileError("expected a mapping", source=str(file))
    for key in ("titles", "team_labels", "name_qualifiers", "visit_phrases", "sign_offs", "copy_heading",
                "organisation_heads", "organisation_starts"):
        if not doc.get(key):
            raise RuleFileError(f"missing or empty '{key}'", source=str(file))

    def pat(key: str, wrap: str = "{}", flags: int = re.IGNORECASE) -> re.Pattern[str]:
        return compile_pattern(file, {"pattern": wrap.format(doc[key]), "__line__": None}, flags=flags)

    titles = compile_pattern(file, {"pattern": r"(?:" + "|".join(map(re.escape, doc["titles"])) + r")\.?(?=\s)"})
    labels = []
    for entry in doc["team_labels"]:
        if not isinstance(entry, dict):
            raise rule_error(file, doc, "team_labels entries must be mappings")
        sep = r"(?::[ \t]*|[ \t]+(?=[A-Z]))" if entry.get("no_colon") else r":[ \t]*"
        labels.append(TeamLabel(compile_pattern(file, {**entry, "pattern": rf"^(?P<label>{entry.get('label')}){sep}"},
                                                flags=re.IGNORECASE), bool(entry.get("lead"))))
    quals = "|".join(f"(?:{q})" for q in doc["name_qualifiers"])
    phrases = []
    for entry in doc["visit_phrases"]:
        p = compile_pattern(file, entry, flags=re.IGNORECASE)
        if "names" not in p.groupindex:
            raise rule_error(file, entry, "a visit phrase needs a (?P<names>...) group")
        phrases.append(VisitPhrase(p, bool(entry.get("lead"))))
    report_phrases = []
    for entry in doc.get("report_phrases") or ():
        p = compile_pattern(file, entry, flags=re.IGNORECASE | re.MULTILINE)
        if "names" not in p.groupindex:
            raise rule_error(file, entry, "a report phrase needs a (?P<names>...) group")
        report_phrases.append(p)
    return PeopleRules(
        titles=titles,
        team_labels=tuple(labels),
        qualifier_tail=compile_pattern(file, {"pattern": rf"(?:[\s,]*\b(?:{quals})\b\.?)+[\s,.]*$"}, flags=re.IGNORECASE),
        qualifier_only=compile_pattern(file, {"pattern": rf"^[\s,]*(?:\b(?:{quals})\b[\s,.]*)+$"}, flags=re.IGNORECASE),
        visit_phrases=tuple(phrases),
        report_phrases=tuple(report_phrases),
        sign_off=pat("sign_offs", r"^{}\b.*$"),
        copy_heading=pat("copy_heading", r"^{}[ \t]*"),
        org_head=pat("organisation_heads", r"\b{}\b"),
        org_start=pat("organisation_starts", r"^{}"),
        post_nominals=re.compile(r"(?:,?[ \t]+(?:" + "|".join(map(re.escape, doc.get("post_nominals") or ()))
                                 + r"|[A-Z]{2,})\b\.?)+[ \t]*$"),
    )
