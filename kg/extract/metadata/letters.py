"""The parts of a letter around its body: date line, address block, salutation, signatures, copy list,
the people a joint letter is addressed to, and the date its written statement of action is due."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...records import Addressee, CopyRecipient, Span
from ...resolve import resolve_council
from ...segment import collapse
from ..dates import DateExpression, find_dates
from .names import bare_name, is_name, nonblank_lines, trimmed
from .rules import PeopleRules


@dataclass(frozen=True, slots=True)
class Letter:
    """The parts of a letter around its body."""

    date: DateExpression | None
    addressee: Addressee | None
    signatories: tuple[tuple[str, str | None, Span], ...]  # name, role as printed, span
    copied_to: tuple[CopyRecipient, ...]


DEAR = re.compile(r"^Dear[ \t]+(?P<who>[^\n]+?)[ \t]*,?[ \t]*$", re.MULTILINE)
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
    for s, e in nonblank_lines(text, 0, before):
        for expr in find_dates(text, s, e):
            if expr.start == s and expr.end == e and len(expr.dates) == 1:
                found = expr
        if found is not None and s > found.end:
            break  # the address block starts after the date line
    return found


def _addressee(text: str, start: int, dear: re.Match[str], rules: PeopleRules,
               stop: int | None = None) -> Addressee | None:
    """The address block between the date line and 'Dear ...' (or `stop`)."""
    lines = [(s, e) for s, e in nonblank_lines(text, start, dear.start() if stop is None else stop)
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
    ns = trimmed(text, title_m.end(), e)[0] if title_m else s
    role = organisation = None
    comma = text.find(",", ns, e)
    if comma >= 0 and is_name(collapse(text[ns:comma])):
        # 'Mr Damian Allen, Director of People, Doncaster Council' (joint inspection letters)
        ne = trimmed(text, ns, comma)[1]
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
    if not is_name(name):
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
    lines = nonblank_lines(text, m.end(), min(len(text), m.end() + 800))[:16]
    for k, (s, e) in enumerate(lines):
        line = text[s:e]
        if rules.copy_heading.match(line) or len(line) > 90 or line.endswith("."):
            break
        q = re.search(r"(?:Senior )?(?:Her|His) Majesty's Inspector\b|\bS?HMI\b|\bInspector\b", line)
        ns, ne = bare_name(text, s, s + q.start() if q else e, rules)
        name = collapse(text[ns:ne])
        was_role = role_line_before
        role_line_before = False
        if name and is_name(name):
            out.append([name, collapse(text[s + q.start():e]) if q else None, Span(ns, ne)])
        elif _SIGNING_BODY.match(line) and (not out or out[-1][1] is not None):
            continue  # the inspectorate a signatory signs for (joint letters: 'Ofsted', 'HMI Probation')
        elif out and out[-1][1] is None:
            out[-1][1] = collapse(line)  # the role line under a name
            role_line_before = True
        elif out and was_role and (k + 1 == len(lines) or is_name(collapse(text[slice(*lines[k + 1])]))):
            out[-1][1] = f"{out[-1][1]} {collapse(line)}"  # the role wraps onto this line
        elif not out:
            break
    return [tuple(x) for x in out]


def _copy_list(text: str, rules: PeopleRules, start: int) -> tuple[CopyRecipient, ...]:
    """The 'Copy:' list: one entry per person; an organisation split over lines is joined."""
    head = None
    for s, e in nonblank_lines(text, start, len(text)):
        m = rules.copy_heading.match(text, s, e)
        if m:
            head = (m.end(), e)
            break
    if head is None:
        return ()
    entries: list[list] = []  # [start, end, text] of each entry; an entry may run over lines
    pos = head[0]
    first = True
    for s, e in nonblank_lines(text, pos, len(text)):
        if not first and text[pos:s].count("\n") > 1:
            break  # a blank line ends the list
        first = False
        line = text[s:e]
        if len(line) > 150:
            break
        lead = line.split(",", 1)[0]
        lead_name = rules.titles.sub("", lead, count=1).strip() if rules.titles.match(lead) else lead
        if is_name(collapse(lead_name)) and not rules.org_head.search(lead_name) or not entries:
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
        ns, ne = bare_name(text, s, comma if comma >= 0 else e, rules, honours=False)
        name = collapse(text[ns:ne])
        if not is_name(name):
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


def named_recipients(text: str, start: int, end: int, rules: PeopleRules) -> tuple[CopyRecipient, ...]:
    """The people a jointly signed letter lists above its salutation, one per entry
    ('Paul Greenhaigh, Director of Children's Services, London Borough of Croydon'); an entry may
    wrap onto further lines."""
    entries: list[list[int]] = []  # [start, end, name start, name end] of each entry
    for s, e in nonblank_lines(text, start, end):
        if _HEADER_LINE.search(text[s:e]):
            continue
        comma = text.find(",", s, e)
        ns, ne = bare_name(text, s, comma, rules) if comma >= 0 else (s, s)
        if comma >= 0 and is_name(collapse(text[ns:ne])):
            entries.append([s, e, ns, ne])
        elif entries:
            entries[-1][1] = e
    out = []
    for s, e, ns, ne in entries:
        comma = text.find(",", ns, e)
        role, org = _role_and_org(collapse(text[comma + 1:e]), rules)
        out.append(CopyRecipient(collapse(text[ns:ne]), role, org, Span(ns, ne)))
    return tuple(out)


def written_statement_due(text: str, start: int) -> DateExpression | None:
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
