"""Report metadata: type, council, dates, inspectors, addressee and copy list.

Contract: `extract_metadata(src) -> ReportRecord` with the metadata fields filled and no items.

Works by report family, not by file: the title (matched by the rules of
`kg/data/report_types.yaml`) gives the type and says where the council's name is printed; letters
(focused and monitoring visits, annual unannounced inspections) are read as letters (date line,
address block, 'Dear ...', signature, 'Copy:' list), full reports through their cover lines
('Inspection dates:', 'Report published:') and inspection-team lines (`kg/data/people.yaml`).
Every person carries a Span into `src.text` covering the name as printed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..errors import RuleFileError
from ..paths import data_dir
from ..read import SourceText
from ..rdf.schemes import letter_lag_days, schemes
from ..records import Addressee, CopyRecipient, Council, Inspector, ReportRecord, Span
from ..resolve import CouncilEntry, resolve_council
from ..rulefiles import LINE, compile_pattern, load_yaml, rule_error
from ..segment import collapse
from .dates import DateExpression, find_dates

COUNCIL_PLACES = ("group", "before", "after", "none")


# ---------------------------------------------------------------- rules, loaded once and checked


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


# ---------------------------------------------------------------- small text helpers


_NAME = re.compile(
    r"(?:[A-Z][\w'\u2019.-]*|O'[A-Z][\w-]*)"
    r"(?:\s+(?:[A-Z][\w'\u2019.-]*|d'[A-Z]?[\w-]+|de|van|von|der|den|le|la|du|da|di|del|bin|al)){1,4}")
_NOT_NAME = re.compile(r"\b(?:Inspection|Inspectors?|Judgement|Grade|Council|Services?|Board|Ofsted|Information"
                       r"|Children|Report|Department|Majesty's|Local|Authority|Effectiveness|Overall|Director"
                       r"|Chief|Deputy|National|Social|Care|Commission|Constabulary|Probation|Police|Executive"
                       r"|Officer|Head|Trust|Partnership|Yours|Dear)\b")


def _is_name(s: str) -> bool:
    return bool(_NAME.fullmatch(s)) and not _NOT_NAME.search(s)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without surrounding whitespace and stray punctuation."""
    while start < end and (text[start].isspace() or text[start] in ",;:-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:."):
        end -= 1
    return start, end


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line in text[start:end], whitespace-trimmed."""
    out = []
    for m in re.finditer(r"[^\n]+", text[start:end]):
        s, e = _trimmed(text, start + m.start(), start + m.end())
        if s < e:
            out.append((s, e))
    return out


def _singular(role: str) -> str:
    """'Team inspectors' -> 'Team inspector', "Her Majesty's Inspectors" -> "Her Majesty's Inspector"."""
    return re.sub(r"\b(inspector|analyst|manager)s\b", r"\1", role, flags=re.IGNORECASE)


_NAME_SEPARATORS = re.compile(r"[,;()]|\s+and\s+|\s+&\s+")


def _gaps(text: str, start: int, end: int, separators: re.Pattern[str]) -> list[tuple[int, int]]:
    """The (start, end) pieces of text[start:end] between separators."""
    out, pos = [], start
    for m in separators.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return out


def _split_names(text: str, start: int, end: int, rules: PeopleRules) -> list[tuple[str, Span]]:
    """Names listed in text[start:end] ('A HMI, B (OI) and C'), each with its span."""
    out = []
    for s, e in _gaps(text, start, end, _NAME_SEPARATORS):
        s, e = _trimmed(text, s, e)
        raw = text[s:e]
        if not raw or rules.qualifier_only.match(raw):
            continue
        tail = rules.qualifier_tail.search(raw)
        if tail:
            s, e = _trimmed(text, s, s + tail.start())
        title = rules.titles.match(text, s, e)
        if title:
            s, e = _trimmed(text, title.end(), e)
        name = collapse(text[s:e])
        if _is_name(name):
            out.append((name, Span(s, e)))
    return out


def _name_key(name: str) -> str:
    return collapse(name.replace("\u2019", "'")).lower()


# ---------------------------------------------------------------- title and report type


@dataclass(frozen=True, slots=True)
class Title:
    rule: TitleRule
    start: int
    end: int
    council_text: str | None


def find_title(text: str, rules: TypeRules | None = None) -> Title | None:
    """The first report title printed in the head of the text (earliest wins, then rule order)."""
    rules = rules or load_type_rules()
    head_end = min(len(text), rules.head_chars)
    best: Title | None = None
    for rule in rules.titles:
        for m in rule.pattern.finditer(text, 0, head_end):
            if not m.group(0)[:1].isupper():
                continue
            if best is None or m.start() < best.start:
                council = m.group("council") if "council" in rule.pattern.groupindex else None
                if council:  # 'within the Royal Borough of ...': the article is not part of the name
                    council = re.sub(r"^the\s+", "", collapse(council))
                best = Title(rule, m.start(), m.end(), council or None)
            break
    return best


# ---------------------------------------------------------------- council


def _longest_resolving(candidates: list[str]) -> tuple[str, CouncilEntry] | None:
    """Of several readings of a printed name (1, 2, 3 lines), the longest that names a council."""
    for cand in sorted(set(candidates), key=len, reverse=True):
        entry = resolve_council(cand)
        if entry is not None:
            return cand, entry
    return None


def _council_near_title(text: str, title: Title) -> tuple[str, CouncilEntry] | None:
    where = title.rule.council
    if where == "group" and title.council_text:
        found = resolve_council(title.council_text)
        return (title.council_text, found) if found else None
    if where == "before":
        lines = text[:title.start].rstrip().split("\n")[-3:]
        block: list[str] = []
        for ln in reversed(lines):
            if not ln.strip():
                break
            block.insert(0, ln.strip())
        return _longest_resolving([" ".join(block[i:]) for i in range(len(block))])
    if where == "after":
        block = []
        for ln in text[title.end:title.end + 400].split("\n")[1:]:
            ln = ln.strip()
            if not ln:
                if block:
                    break
                continue
            if ":" in ln or re.match(r"(?i)inspection\b|age group|published", ln):
                break
            block.append(ln)
            if len(block) == 2:
                break
        return _longest_resolving([" ".join(block[:i]) for i in range(1, len(block) + 1)])
    return None


_COUNCIL_MENTIONS = re.compile(
    r"children's services in (?P<a>[A-Z][\w' -]+?) (?:are|is|require)\b"
    r"|\b(?P<b>(?:(?:London |Royal |Metropolitan )?Borough of |City of )?(?:[A-Z][\w'-]+ ){1,4}"
    r"(?:Metropolitan Borough |Borough |County |City |District )?Council)\b"
    # 2009-12 joint reports: '... services for children in the London Borough of Haringey'
    r"|\b(?P<c>(?:London|Royal|Metropolitan) Borough of (?:[A-Z][\w'-]+)(?: (?:upon )?[A-Z][\w'-]+){0,3})")


def _council_from_text(text: str, head_chars: int) -> tuple[str, CouncilEntry] | None:
    """Fallback: the first resolvable council named in the head of the text."""
    for m in _COUNCIL_MENTIONS.finditer(text[:head_chars]):
        name = collapse(m.group("a") or m.group("b") or m.group("c"))
        name = re.sub(r"^(?:The|In|Of|To|Within|For|And|By|At)\s+", "", name)
        entry = resolve_council(name)
        if entry is not None:
            return name, entry
    return None


# ---------------------------------------------------------------- letters


@dataclass(frozen=True, slots=True)
class Letter:
    """The parts of a letter around its body."""

    date: DateExpression | None
    addressee: Addressee | None
    signatories: tuple[tuple[str, str | None, Span], ...]  # name, role as printed, span
    copied_to: tuple[CopyRecipient, ...]


_DEAR = re.compile(r"^Dear[ \t]+(?P<who>[^\n]+?)[ \t]*,?[ \t]*$", re.MULTILINE)
_HEADER_LINE = re.compile(r"@|www\.|gov\.uk|\b0300\b|Aviation House|Piccadilly Gate|Kingsway|Store Street", re.I)
_ADDRESS_LINE = re.compile(r"\d|\b(?:House|Floor|Civic|Centre|Center|Hall|Street|Road|Lane|Square|PO Box|Offices?"
                           r"|Building|Place|Way|Avenue)\b", re.I)
_ROLE_WORDS = re.compile(r"\b(?:Director|Executive|Chief|Head|Officer|Manager|Lead|Member|Leader|Chair|Commissioner"
                         r"|Strategic|Corporate|Secretary|Councillor|Portfolio|Cabinet|President)\b")
_ORG_LINE_END = re.compile(r"\b(?:Council|Trust|Corporation|Borough|Partnership|Board)\s*$")
# a council printed by its kind before its name ('Royal Borough of Kingston upon Thames')
_ORG_LINE_START = re.compile(r"^(?:The\s+)?(?:(?:London|Royal|Metropolitan)\s+)?(?:Borough|City|County|Council)\s+of\s+[A-Z]")


def _is_org_line(line: str) -> bool:
    """An address-block line that names the organisation ('Doncaster Metropolitan Borough Council')."""
    if _ADDRESS_LINE.search(line):
        return False
    return bool(_ORG_LINE_END.search(line)) or bool(_ORG_LINE_START.match(line) and resolve_council(line))


def _letter_date(text: str, before: int) -> DateExpression | None:
    """The date line of a letter: the first line before 'Dear ...' that is only a date."""
    found = None
    for s, e in _lines(text, 0, before):
        for expr in find_dates(text, s, e):
            if expr.start == s and expr.end == e and len(expr.dates) == 1:
                found = expr
        if found is not None and s > found.end:
            break  # the address block starts after the date line
    return found


def _addressee(text: str, start: int, dear: re.Match[str], rules: PeopleRules,
               stop: int | None = None) -> Addressee | None:
    """The address block between the date line and 'Dear ...' (or `stop`)."""
    lines = [(s, e) for s, e in _lines(text, start, dear.start() if stop is None else stop)
             if not _HEADER_LINE.search(text[s:e])]
    if not lines:
        return None
    salutation = collapse(dear.group("who"))
    sal_title = rules.titles.match(salutation + " ")
    sal_rest = salutation[sal_title.end():].strip() if sal_title else salutation
    surname = sal_rest.split()[-1] if sal_title and sal_rest else None

    s, e = lines[0]
    title_m = rules.titles.match(text, s, e)
    title = text[s:title_m.end()].rstrip(".") if title_m else None
    ns = _trimmed(text, title_m.end(), e)[0] if title_m else s
    role = organisation = None
    comma = text.find(",", ns, e)
    if comma >= 0 and _is_name(collapse(text[ns:comma])):
        # 'Mr Damian Allen, Director of People, Doncaster Council' (joint inspection letters)
        ne = _trimmed(text, ns, comma)[1]
        role, organisation = _role_and_org(collapse(text[comma + 1:e]), rules)
    elif len(lines) == 1:
        # everything on one line: 'Ms Suzanne Joyner Darlington Borough Council Town Hall, ...'
        words = list(re.finditer(r"\S+", text[ns:e]))
        cut = None
        if surname:
            cut = next((i for i, w in enumerate(words) if w.group(0).strip(",") == surname), None)
        cut = cut if cut is not None else min(1, len(words) - 1)
        ne = ns + words[cut].end()
        rest = text[ne:e]
        org = re.match(r"\s*(.*?\b(?:Council|Trust|Corporation))\b", rest)
        organisation = collapse(org.group(1)) if org else None
        if organisation and _ROLE_WORDS.search(organisation):
            # 'Strategic Director, Children's Services Bristol City Council': the role runs into the
            # council's name; the council is the longest tail that names one
            tail_words = organisation.split(" ")
            for i in range(1, len(tail_words)):
                tail = " ".join(tail_words[i:])
                if not _ROLE_WORDS.search(tail) and resolve_council(tail):
                    role, organisation = " ".join(tail_words[:i]).rstrip(","), tail
                    break
    else:
        ne = e
        rest_lines = lines[1:]
        org_i = next((i for i, (a, b) in enumerate(rest_lines)
                      if _is_org_line(text[a:b])), None)
        if org_i is not None:
            organisation = collapse(text[rest_lines[org_i][0]:rest_lines[org_i][1]])
            role_lines = rest_lines[:org_i]
        else:
            role_lines = rest_lines[:1]
        role_text = collapse(" ".join(text[a:b] for a, b in role_lines))
        if role_text and _ROLE_WORDS.search(role_text) and not re.search(r"\d", role_text):
            role = role_text
    name = collapse(text[ns:ne])
    if not _is_name(name):
        return None
    if title is None and sal_title and surname and name.split()[-1] == surname:
        title = sal_title.group(0).strip().rstrip(".")
    return Addressee(title, name, role, organisation, Span(ns, ne))


_SIGNING_BODY = re.compile(r"(?:Ofsted|Care Quality Commission|HMI(?:CFRS)?|HMIC|HMIP|(?:Her|His) Majesty's Inspectorate"
                           r"|HM Inspectorate)\b[^,.]*$")


def _signatories(text: str, rules: PeopleRules, start: int) -> list[tuple[str, str | None, Span]]:
    """Names (and roles) under 'Yours sincerely': 'Name' then 'Role' lines, or 'Name Role' on one line.

    Titles and post-nominals are not part of a name ('Dr Sean O'Kelly BSc MB ChB', 'Wendy Williams,
    CBE'); a role that wraps onto a second line ('HMI Constabulary and Fire & Rescue' / 'Services')
    is joined when the next line is a name or the end of the block."""
    m = rules.sign_off.search(text, start)
    if not m:
        return []
    out: list[list] = []
    role_line_before = False  # the line before set the role of the last signatory
    lines = _lines(text, m.end(), min(len(text), m.end() + 800))[:16]
    for k, (s, e) in enumerate(lines):
        line = text[s:e]
        if rules.copy_heading.match(line) or len(line) > 90 or line.endswith("."):
            break
        q = re.search(r"(?:Senior )?(?:Her|His) Majesty's Inspector\b|\bS?HMI\b|\bInspector\b", line)
        ns, ne = _trimmed(text, s, s + q.start() if q else e)
        title = rules.titles.match(text, ns, ne)
        if title:
            ns = _trimmed(text, title.end(), ne)[0]
        honours = rules.post_nominals.search(text, ns, ne)
        if honours and honours.start() > ns:
            ne = _trimmed(text, ns, honours.start())[1]
        name = collapse(text[ns:ne])
        was_role = role_line_before
        role_line_before = False
        if name and _is_name(name):
            out.append([name, collapse(text[s + q.start():e]) if q else None, Span(ns, ne)])
        elif _SIGNING_BODY.match(line) and (not out or out[-1][1] is not None):
            continue  # the inspectorate a signatory signs for (joint letters: 'Ofsted', 'HMI Probation')
        elif out and out[-1][1] is None:
            out[-1][1] = collapse(line)  # the role line under a name
            role_line_before = True
        elif out and was_role and (k + 1 == len(lines) or _is_name(collapse(text[slice(*lines[k + 1])]))):
            out[-1][1] = f"{out[-1][1]} {collapse(line)}"  # the role wraps onto this line
        elif not out:
            break
    return [tuple(x) for x in out]


def _copy_list(text: str, rules: PeopleRules, start: int) -> tuple[CopyRecipient, ...]:
    """The 'Copy:' list: one entry per person; an organisation split over lines is joined."""
    head = None
    for s, e in _lines(text, start, len(text)):
        m = rules.copy_heading.match(text, s, e)
        if m:
            head = (m.end(), e)
            break
    if head is None:
        return ()
    entries: list[list] = []  # [start, end, text] of each entry; an entry may run over lines
    pos = head[0]
    first = True
    for s, e in _lines(text, pos, len(text)):
        if not first and text[pos:s].count("\n") > 1:
            break  # a blank line ends the list
        first = False
        line = text[s:e]
        if len(line) > 150:
            break
        lead = line.split(",", 1)[0]
        lead_name = rules.titles.sub("", lead, count=1).strip() if rules.titles.match(lead) else lead
        if _is_name(collapse(lead_name)) and not rules.org_head.search(lead_name) or not entries:
            entries.append([s, e, line])
        else:
            # a line that is an organisation by itself is a new part ('..., Lead Member' / 'X Council');
            # otherwise the previous line broke inside a name ('..., Doncaster' / 'Metropolitan Borough Council')
            whole = resolve_council(line) is not None or rules.org_start.match(line)
            entries[-1][1] = e
            entries[-1][2] += (", " if whole and not entries[-1][2].endswith(",") else " ") + line
        pos = e
    out = []
    for s, e, joined in entries:
        comma = text.find(",", s, e)
        ns, ne = _trimmed(text, s, comma if comma >= 0 else e)
        t = rules.titles.match(text, ns, ne)
        if t:
            ns = _trimmed(text, t.end(), ne)[0]
        name = collapse(text[ns:ne])
        if not _is_name(name):
            continue
        rest = collapse(joined.split(",", 1)[1]) if comma >= 0 else ""
        role, org = _role_and_org(rest, rules)
        out.append(CopyRecipient(name, role, org, Span(ns, ne)))
    return tuple(out)


def _role_and_org(rest: str, rules: PeopleRules) -> tuple[str | None, str | None]:
    """'Chief Executive, X Council' -> (role, org); 'Department for Education' -> (None, org)."""
    if not rest:
        return None, None
    if rules.org_start.match(rest):
        return None, rest
    parts = [p.strip() for p in rest.split(",")]
    org_i = next((i for i in range(1, len(parts)) if rules.org_head.search(parts[i])), None)
    if org_i is not None:
        return ", ".join(parts[:org_i]) or None, ", ".join(parts[org_i:])
    of = re.match(r"(?P<role>.+?) (?:of|for|to) (?:the )?(?P<org>[A-Z].*)$", rest)
    if of and rules.org_head.search(of.group("org").split()[-1]):
        return of.group("role"), of.group("org")
    return rest, None


def _named_recipients(text: str, start: int, end: int, rules: PeopleRules) -> tuple[CopyRecipient, ...]:
    """The people a jointly signed letter lists above its salutation, one per entry
    ('Paul Greenhaigh, Director of Children's Services, London Borough of Croydon'); an entry may
    wrap onto further lines."""
    entries: list[list[int]] = []
    for s, e in _lines(text, start, end):
        if _HEADER_LINE.search(text[s:e]):
            continue
        comma = text.find(",", s, e)
        head = collapse(text[s:comma if comma >= 0 else e])
        title = rules.titles.match(head + " ")
        head = head[title.end():].strip() if title else head
        honours = rules.post_nominals.search(head)
        head = head[:honours.start()].strip() if honours and honours.start() > 0 else head
        if comma >= 0 and _is_name(head):
            entries.append([s, e])
        elif entries:
            entries[-1][1] = e
    out = []
    for s, e in entries:
        title = rules.titles.match(text, s, e)
        ns = _trimmed(text, title.end(), e)[0] if title else s
        comma = text.find(",", ns, e)
        ne = _trimmed(text, ns, comma)[1]
        honours = rules.post_nominals.search(text, ns, ne)
        if honours and honours.start() > ns:
            ne = _trimmed(text, ns, honours.start())[1]
        role, org = _role_and_org(collapse(text[comma + 1:e]), rules)
        out.append(CopyRecipient(collapse(text[ns:ne]), role, org, Span(ns, ne)))
    return tuple(out)


def _written_statement_due(text: str, start: int) -> DateExpression | None:
    """The date a written statement of action is due by ('... should send the written statement of
    action to ... by 6 October 2016')."""
    for m in _STATEMENT.finditer(text, start):
        by = re.search(r"\bby\s+", text[m.end():m.end() + 120])
        if by:
            at = m.end() + by.end()
            expr = next(find_dates(text, at, min(len(text), at + 40)), None)
            if expr is not None and expr.start == at:
                return expr
    return None


_STATEMENT = re.compile(r"written\s+statement\s+of\s+(?:proposed\s+)?action", re.IGNORECASE)


def read_letter(text: str, dear: re.Match[str], rules: PeopleRules) -> Letter:
    """Date line, address block, signatures and copy list of a letter whose salutation is `dear`."""
    date_expr = _letter_date(text, dear.start())
    addressee = _addressee(text, date_expr.end if date_expr else 0, dear, rules)
    if addressee is None and date_expr is not None:  # the address printed above the date
        addressee = _addressee(text, 0, dear, rules, stop=date_expr.start)
    return Letter(
        date=date_expr,
        addressee=addressee,
        signatories=tuple(_signatories(text, rules, dear.end())),
        copied_to=_copy_list(text, rules, dear.end()),
    )


# ---------------------------------------------------------------- inspectors


def team_inspectors(text: str, rules: PeopleRules) -> list[Inspector]:
    """Inspectors of 'Lead inspector: ...' / 'Team inspectors: ...' lines, anywhere in the text."""
    out: list[Inspector] = []
    seen: set[str] = set()
    for m in re.finditer(r"^[^\n]*$", text, re.MULTILINE):
        for label in rules.team_labels:
            lm = label.pattern.match(text, m.start(), m.end())
            if lm:
                break
        else:
            continue
        role = _singular(collapse(lm.group("label")))
        start, end = lm.end(), m.end()
        if not collapse(text[start:end]):
            continue
        plural = role != collapse(lm.group("label"))
        # continuation lines: the list wraps ('..., Ralph' / 'Trevelyan-Butler, Sue Williams.')
        pos = end
        while pos < len(text):
            nxt = re.compile(r"\n([^\n]*)").match(text, pos)
            if not nxt:
                break
            line = nxt.group(1).strip()
            prev = text[start:end].rstrip()
            if not line or any(lb.pattern.match(line) for lb in rules.team_labels):
                break
            if rules.qualifier_only.match(line):
                end = nxt.end()
                break
            mid_name = not prev.endswith((",", ";", ".", ")")) and not prev.endswith(" and")
            probe = (prev.split()[-1] + " " + line) if mid_name else line  # 'Ralph' / 'Trevelyan-Butler, ...'
            names_like = all(_is_name(collapse(rules.qualifier_tail.sub("", p))) or rules.qualifier_only.match(p)
                             for p in _NAME_SEPARATORS.split(probe.rstrip(".,")) if p.strip())
            open_list = not mid_name and not prev.endswith(".") or (plural and mid_name)
            if names_like and open_list:
                end = nxt.end()
                pos = end
                continue
            break
        for i, (name, span) in enumerate(_split_names(text, start, end, rules)):
            key = _name_key(name)
            if key in seen:
                continue
            seen.add(key)
            out.append(Inspector(name, role, label.lead and i == 0, False, span))
    return out


_LEAD_MARK = re.compile(r"[\s,]*(?:\(\s*)?(?:the\s+)?lead\s+inspector\b", re.IGNORECASE)


def prose_team_inspectors(text: str, rules: PeopleRules, known: list[Inspector]) -> list[Inspector]:
    """Further inspectors a full report names in prose (people.yaml `report_phrases`), role as the
    qualifier printed after each name ('Carolyn Adcock Senior HMI' -> 'Senior HMI')."""
    seen = {_name_key(i.name) for i in known}
    out: list[Inspector] = []
    for pattern in rules.report_phrases:
        for m in pattern.finditer(text):
            for s, e in _gaps(text, m.start("names"), m.end("names"), _NAME_SEPARATORS):
                s, e = _trimmed(text, s, e)
                if s >= e:
                    continue
                tail = rules.qualifier_tail.search(text, s, e)
                role = collapse(text[tail.start():e]).strip(" ,.") if tail else ""
                ns, ne = _trimmed(text, s, tail.start()) if tail else (s, e)
                name = collapse(text[ns:ne])
                if not _is_name(name):
                    break  # the list has ended ('... HMI and National Lead for Fostering')
                if _name_key(name) not in seen:
                    seen.add(_name_key(name))
                    out.append(Inspector(name, role or None, False, False, Span(ns, ne)))
    return out


def letter_inspectors(text: str, rules: PeopleRules, letter: Letter, body_start: int) -> list[Inspector]:
    """Inspectors of a letter: named in the prose of the visit and/or signing it.

    When no one is called lead inspector, the first to sign is taken as the lead (the schema's
    convention for letters), or failing a signature the first named.
    """
    named: list[tuple[str, str | None, bool, Span]] = []
    for phrase in rules.visit_phrases:
        for m in phrase.pattern.finditer(text, body_start, min(len(text), body_start + 6000)):
            role = _singular(collapse(m.group("role"))) if "role" in m.groupdict() and m.group("role") else None
            for name, span in _split_names(text, m.start("names"), m.end("names"), rules):
                # 'A (lead inspector), B and C': the lead marked after a name in the list
                marked = _LEAD_MARK.match(text, span.end, m.end("names") + 1) is not None
                named.append((name, role, phrase.lead or marked, span))
            break
    signed = {_name_key(n): (r, sp) for n, r, sp in letter.signatories}
    explicit_lead = {_name_key(n) for n, _, lead, _ in named if lead}
    # a signature that says so: 'Jane Smith' / 'Lead inspector'
    explicit_lead |= {_name_key(n) for n, r, _ in letter.signatories if r and _LEAD_MARK.search(r)}
    first_signed = _name_key(letter.signatories[0][0]) if letter.signatories else None
    order: list[str] = []
    people: dict[str, dict] = {}
    named_then_signed = [(n, r, sp) for n, r, _, sp in named] + list(letter.signatories)
    for name, role, span in named_then_signed:
        k = _name_key(name)
        if k not in people:
            order.append(k)
            people[k] = {"name": name, "role": role, "span": span}
        elif people[k]["role"] is None:
            people[k]["role"] = role
    lead_key = (next(iter(explicit_lead)) if explicit_lead
                else first_signed if first_signed else (order[0] if order else None))
    return [Inspector(people[k]["name"], people[k]["role"] or (signed.get(k, (None,))[0]), k == lead_key,
                      k in signed, people[k]["span"]) for k in order]


# ---------------------------------------------------------------- dates


_INSPECTION_DATES = re.compile(r"^Inspection dates?:?[ \t]*", re.MULTILINE | re.IGNORECASE)
_PUBLISHED = re.compile(r"^(?:Report )?(?:published|publication date):?[ \t]*", re.MULTILINE | re.IGNORECASE)


def _date_after(text: str, label: re.Pattern[str], head: int) -> DateExpression | None:
    """The date expression printed right after a cover label ('Inspection dates: ...')."""
    for m in label.finditer(text, 0, head):
        expr = next(find_dates(text, m.end(), min(len(text), m.end() + 120)), None)
        if expr and expr.start - m.end() <= 3:
            return expr
    return None


def _visit_dates(text: str, start: int, letter_year: int | None = None) -> DateExpression | None:
    """A letter's visit dates: the first date printed after its title ('... on 26 and 27 June 2024');
    days and months printed without a year ('Between 16 May and 20 May') take the letter's year."""
    return next(find_dates(text, start, min(len(text), start + 1500), default_year=letter_year), None)


def _date_notes(is_letter: bool, letter_date: date | None, published: date | None,
                visit: DateExpression | None) -> str | None:
    """Factual remarks where the dates do not fit together, or are missing."""
    notes = []
    if visit is None:
        notes.append("No inspection dates found in the text.")
    else:
        start, end = visit.first, visit.last
        printed = f"printed '{collapse(visit.text)}'"
        if visit.year_assumed:
            notes.append(f"Inspection dates {printed}, without a year: the year of the letter is taken.")
        if end < start:
            notes.append(f"Inspection dates {printed} end before they start.")
        if len(visit.dates) > 2 and re.search(r"\band\b|,", visit.text) \
                and any((b - a).days > 7 for a, b in zip(visit.dates, visit.dates[1:])):
            notes.append(f"The inspection ran in more than one period ({printed}): inspection_start is the "
                         "first day of the first period and inspection_end the last day of the last.")
        if not is_letter and start == end:
            notes.append(f"Only one inspection date is printed ('{collapse(visit.text)}'), for an inspection that usually "
                         "runs over several weeks: start and end are both that date, as printed.")
        if letter_date and (letter_date - end).days > letter_lag_days():
            notes.append(f"Letter dated {letter_date:%-d %B %Y} is more than six months after the visit "
                         f"({printed}); the year of the visit may be a misprint. Dates are recorded as printed.")
        if letter_date and letter_date < end:
            notes.append(f"Letter dated {letter_date:%-d %B %Y} is before the end of the visit ({printed}).")
        if published and published < end:
            notes.append(f"Published {published:%-d %B %Y}, before the end of the inspection ({printed}).")
        if published and (published - end).days > 365:
            notes.append(f"Published {published:%-d %B %Y}, more than a year after the inspection ({printed}).")
    if not is_letter and published is None:
        notes.append("No publication date is printed.")
    return " ".join(notes) or None


# ---------------------------------------------------------------- the record


def extract_metadata(src: SourceText) -> ReportRecord:
    """The report record of `src` with its metadata filled in and no items."""
    text = src.text
    type_rules, people = load_type_rules(), load_people_rules()
    title = find_title(text, type_rules)
    if title is None:
        report_type, reason = "other", type_rules.unmatched_reason
    else:
        report_type, reason = title.rule.report_type, title.rule.reason

    dear = _DEAR.search(text, 0, min(len(text), type_rules.head_chars))
    is_letter = dear is not None and (title is None or dear.start() < title.start + 3000)
    letter = read_letter(text, dear, people) if is_letter else None

    council_found = _council_near_title(text, title) if title else None
    if letter and letter.addressee and letter.addressee.organisation:
        org = resolve_council(letter.addressee.organisation)
        if org and (council_found is None or org.gss_code == council_found[1].gss_code):
            council_found = (letter.addressee.organisation, org)  # the fuller name of the address block
    if council_found is None:
        council_found = _council_from_text(text, type_rules.head_chars)
    council = (Council(council_found[0], council_found[1].canonical, council_found[1].gss_code)
               if council_found else Council(title.council_text if title else None, None, None))

    body_start = title.end if title else (dear.end() if dear else 0)
    joint = bool(title and title.rule.joint_letter)
    addressee = letter.addressee if letter else None
    addressees: tuple[CopyRecipient, ...] = ()
    statement_due = None
    if is_letter:
        letter_date = letter.date.first if letter.date else None
        visit = _visit_dates(text, body_start, letter_date.year if letter_date else None)
        published = _date_after(text, _PUBLISHED, len(text))
        if joint:
            # signed by the leaders of the inspectorates: all sign, none leads; addressed to the
            # partnership of the salutation, the people named above it listed apart
            inspectors = [Inspector(n, r, False, True, sp) for n, r, sp in letter.signatories]
            who = dear.group("who").rstrip(" ,")
            addressee = Addressee(None, collapse(who), None, None, Span(dear.start("who"), dear.start("who") + len(who)))
            addressees = _named_recipients(text, letter.date.end if letter.date else 0, dear.start(), people)
            due = _written_statement_due(text, body_start)
            statement_due = due.first.isoformat() if due else None
        else:
            inspectors = letter_inspectors(text, people, letter, body_start)
        if not inspectors:
            inspectors = team_inspectors(text, people)
    else:
        visit = _date_after(text, _INSPECTION_DATES, type_rules.head_chars)
        published = _date_after(text, _PUBLISHED, type_rules.head_chars)
        letter_date = None
        inspectors = team_inspectors(text, people)
        inspectors += prose_team_inspectors(text, people, inspectors)
    published_date = published.first if published else None

    return ReportRecord(
        document=src.name,
        report_type=report_type,
        council=council,
        letter_date=letter_date.isoformat() if letter_date else None,
        published_date=published_date.isoformat() if published_date else None,
        inspection_start=visit.first.isoformat() if visit else None,
        inspection_end=visit.last.isoformat() if visit else None,
        date_notes=_date_notes(is_letter, letter_date, published_date, visit),
        inspectors=tuple(inspectors),
        addressee=addressee,
        copied_to=letter.copied_to if letter else (),
        addressees=addressees,
        written_statement_due=statement_due,
        report_type_reason=reason if report_type == "other" else None,
        source_sha256=src.sha256,
        text_sha256=src.text_sha256,
        source_format=src.format,
    )
