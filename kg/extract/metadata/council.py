"""Which council a report is about: the name printed by its title (where the title rule says), else the
first council named in the head of the text, each resolved against the gazetteer."""
from __future__ import annotations

import re

from ...resolve import CouncilEntry, resolve_council
from ...segment import collapse
from .title import Title


def _longest_resolving(candidates: list[str]) -> tuple[str, CouncilEntry] | None:
    """Of several readings of a printed name (1, 2, 3 lines), the longest that names a council."""
    for cand in sorted(set(candidates), key=len, reverse=True):
        entry = resolve_council(cand)
        if entry is not None:
            return cand, entry
    return None


def council_near_title(text: str, title: Title) -> tuple[str, CouncilEntry] | None:
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


def council_from_text(text: str, head_chars: int) -> tuple[str, CouncilEntry] | None:
    """Fallback: the first resolvable council named in the head of the text."""
    for m in _COUNCIL_MENTIONS.finditer(text[:head_chars]):
        name = collapse(m.group("a") or m.group("b") or m.group("c"))
        name = re.sub(r"^(?:The|In|Of|To|Within|For|And|By|At)\s+", "", name)
        entry = resolve_council(name)
        if entry is not None:
            return name, entry
    return None
