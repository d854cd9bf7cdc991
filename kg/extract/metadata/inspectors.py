"""Who inspected: the team lines of full reports ('Lead inspector: ...'), the names their prose gives,
and the inspectors a letter names or is signed by, with who led."""
from __future__ import annotations

import re

from ...records import Inspector, Span
from ...segment import collapse
from .letters import Letter
from .names import NAME_SEPARATORS, gaps, is_name, name_key, singular, split_names, trimmed
from .rules import PeopleRules


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
        role = singular(collapse(lm.group("label")))
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
            names_like = all(is_name(collapse(rules.qualifier_tail.sub("", p))) or rules.qualifier_only.match(p)
                             for p in NAME_SEPARATORS.split(probe.rstrip(".,")) if p.strip())
            open_list = not mid_name and not prev.endswith(".") or (plural and mid_name)
            if names_like and open_list:
                end = nxt.end()
                pos = end
                continue
            break
        for i, (name, span) in enumerate(split_names(text, start, end, rules)):
            key = name_key(name)
            if key in seen:
                continue
            seen.add(key)
            out.append(Inspector(name, role, label.lead and i == 0, False, span))
    return out


_LEAD_MARK = re.compile(r"[\s,]*(?:\(\s*)?(?:the\s+)?lead\s+inspector\b", re.IGNORECASE)


def prose_team_inspectors(text: str, rules: PeopleRules, known: list[Inspector]) -> list[Inspector]:
    """Further inspectors a full report names in prose (people.yaml `report_phrases`), role as the
    qualifier printed after each name ('Carolyn Adcock Senior HMI' -> 'Senior HMI')."""
    seen = {name_key(i.name) for i in known}
    out: list[Inspector] = []
    for pattern in rules.report_phrases:
        for m in pattern.finditer(text):
            for s, e in gaps(text, m.start("names"), m.end("names"), NAME_SEPARATORS):
                s, e = trimmed(text, s, e)
                if s >= e:
                    continue
                tail = rules.qualifier_tail.search(text, s, e)
                role = collapse(text[tail.start():e]).strip(" ,.") if tail else ""
                ns, ne = trimmed(text, s, tail.start()) if tail else (s, e)
                name = collapse(text[ns:ne])
                if not is_name(name):
                    break  # the list has ended ('... HMI and National Lead for Fostering')
                if name_key(name) not in seen:
                    seen.add(name_key(name))
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
            role = singular(collapse(m.group("role"))) if "role" in m.groupdict() and m.group("role") else None
            for name, span in split_names(text, m.start("names"), m.end("names"), rules):
                # 'A (lead inspector), B and C': the lead marked after a name in the list
                marked = _LEAD_MARK.match(text, span.end, m.end("names") + 1) is not None
                named.append((name, role, phrase.lead or marked, span))
            break
    signed = {name_key(n): (r, sp) for n, r, sp in letter.signatories}
    explicit_lead = {name_key(n) for n, _, lead, _ in named if lead}
    # a signature that says so: 'Jane Smith' / 'Lead inspector'
    explicit_lead |= {name_key(n) for n, r, _ in letter.signatories if r and _LEAD_MARK.search(r)}
    first_signed = name_key(letter.signatories[0][0]) if letter.signatories else None
    order: list[str] = []
    people: dict[str, dict] = {}
    named_then_signed = [(n, r, sp) for n, r, _, sp in named] + list(letter.signatories)
    for name, role, span in named_then_signed:
        k = name_key(name)
        if k not in people:
            order.append(k)
            people[k] = {"name": name, "role": role, "span": span}
        elif people[k]["role"] is None:
            people[k]["role"] = role
    lead_key = (next(iter(explicit_lead)) if explicit_lead
                else first_signed if first_signed else (order[0] if order else None))
    return [Inspector(people[k]["name"], people[k]["role"] or (signed.get(k, (None,))[0]), k == lead_key,
                      k in signed, people[k]["span"]) for k in order]
