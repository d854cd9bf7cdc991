"""Recurrence on specific issues (issue 15): what can recur, the issue scheme, links, groups and the
measured precision and recall on the judged pairs (tests/data/recurrence_pairs.jsonl)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from kg.errors import RuleFileError
from kg.recur import (ACROSS, WITHIN, Item, default_issues, group_links, item_parts, link_items, load_issues,
                      rank_issues_across, split_parts)
from kg.themes import assign_themes, default_scheme


def _item(doc, council, date, text, kind="recommendation", category="recommendation", pos=1):
    return Item(key=f"{doc}#{category}-{pos}", document=doc, council=council, gss_code=None, date=date,
                inspection=f"{council}/{date}", category=category, position=pos, kind=kind, text=text,
                themes=assign_themes(text))


def test_issue_scheme_is_specific_and_checked(tmp_path):
    scheme = default_issues()
    themes = {t.iri for t in default_scheme().themes}
    assert len(scheme.issues) >= 100
    for issue in scheme.issues:
        assert issue.theme in themes and issue.definition and issue.patterns
    src = (tmp_path / "issues.ttl")
    text = (default_issues().source and open(default_issues().source, encoding="utf-8").read())
    src.write_text(text.replace('kg:pattern "\\\\bpathway plan', 'kg:pattern "(\\\\bpathway plan', 1), encoding="utf-8")
    with pytest.raises(RuleFileError) as exc:
        load_issues(src)
    assert "does not compile" in str(exc.value) and str(src) in exc.value.one_line()


def test_composite_recommendation_is_split_into_parts():
    text = ("Improve the quality of pathway plans; ensure that care leavers live in suitable accommodation "
            "and ensure that return home interviews are offered to every child who goes missing.")
    parts = item_parts(text)
    assert len(parts) == len(split_parts(text)) == 3
    labels = [{m.label for m in p.issues} for p in parts]
    assert "Quality of pathway plans" in labels[0]
    assert "Suitable accommodation for care leavers" in labels[1]
    assert "Return home interviews" in labels[2]
    assert all(text[p.start:p.end] == p.text for p in parts)


def test_parts_link_on_their_own_and_never_on_a_theme_alone():
    """A composite's parts each recur; two items about care leavers with different issues do not link."""
    composite = _item("a_2015.pdf", "Exshire", "2015-01-01",
                      "Improve the quality of pathway plans; ensure that care leavers live in suitable accommodation "
                      "and ensure that return home interviews are offered to every child who goes missing.")
    later = [_item("a_2019.pdf", "Exshire", "2019-01-01", "The quality and timeliness of pathway plans.", pos=1),
             _item("a_2019.pdf", "Exshire", "2019-01-01",
                   "The timeliness and quality of return home interviews for children who go missing.", pos=2),
             _item("a_2019.pdf", "Exshire", "2019-01-01",
                   "The quality of care leavers' access to education, employment and training.", pos=3)]
    result = link_items([composite, *later])
    linked = {(l.source, l.target, l.issue_label, l.source_part) for l in result.links}
    assert (composite.key, later[0].key, "Quality of pathway plans", 0) in linked
    assert (composite.key, later[1].key, "Return home interviews", 2) in linked
    # both are about care leavers (one theme) but raise different issues: no link
    assert not any(l.target == later[2].key for l in result.links)
    for l in result.links:
        assert l.words and 0 <= l.score <= 1 and l.issue and l.scope == WITHIN


def test_broad_issue_needs_wording_beyond_its_trigger_words():
    """'Plans' issues are broad: sharing the issue is not enough, the rest of the wording must agree."""
    a = _item("b_2014.pdf", "Whyshire", "2014-01-01",
              "Ensure that plans for children in need have clear actions and timescales so that families know what must change.")
    b = _item("b_2018.pdf", "Whyshire", "2018-01-01",
              "The quality of plans for disabled children's short breaks and transport to school.")
    c = _item("b_2022.pdf", "Whyshire", "2022-01-01",
              "Plans for children in need do not have clear actions and timescales, so families do not know what must change.")
    links = link_items([a, b, c]).links
    pairs = {(l.source, l.target) for l in links if l.issue_label == "Plans that are specific, measurable and time-bound"}
    assert (a.key, c.key) in pairs
    assert (a.key, b.key) not in pairs and (b.key, c.key) not in pairs


def test_praise_is_never_an_item():
    from kg.recur import collect_items
    from kg.records import record_from_dict

    rec = record_from_dict({
        "document": "c_2020.pdf", "report_type": "ilacs-inspection", "council": {"canonical": "Zedshire"},
        "published_date": "2020-01-01",
        "findings": [
            # praise with a shortfall word in it ('poor'): the old cue list took it for a shortfall
            {"kind": "headline-finding", "text": "Leaders do not tolerate poor practice: managers make effective, "
                                                 "timely and well-recorded decisions, and children receive good, "
                                                 "consistent help."},
            {"kind": "headline-finding", "text": "Too many children wait too long for an initial health assessment."},
            {"kind": "strength", "text": "Supervision is regular and reflective."}],
        "recommendations": []})
    texts = [i.text for i in collect_items([rec])]
    assert texts == ["Too many children wait too long for an initial health assessment."]


def test_groups_one_per_council_and_issue_never_chained_across_issues():
    items = [_item(f"d_{y}.pdf", "Exshire", f"{y}-01-01", t, pos=1) for y, t in (
        (2012, "Not all social workers receive regular supervision."),
        (2016, "Ensure that supervision of social workers is regular and recorded."),
        (2016, "Ensure that the quality of pathway plans improves."),
        (2020, "The regularity of supervision for social workers, and the quality of pathway plans."))]
    items[2] = replace(items[2], key="d_2016.pdf#recommendation-2", position=2)
    result = link_items(items)
    groups = group_links(result, WITHIN)
    assert len({(g.councils, g.issue) for g in groups}) == len(groups)
    for g in groups:
        assert all(l.issue == g.issue for l in g.links)
        dates = [o.date for o in g.occurrences]
        assert dates == sorted(dates) and g.as_dict()["last_raised"] == dates[-1]
    sup = next(g for g in groups if g.issue_label == "Regularity of supervision")
    assert sup.inspections == 3
    # the 2020 composite is in both groups, through a different part each
    assert {o.part for g in groups for o in g.occurrences if o.report == "d_2020.pdf"} >= {
        "The regularity of supervision for social workers", "the quality of pathway plans."}


def test_across_councils_ranks_issues_by_councils_where_they_recurred():
    texts = {"reg": "Not all social workers receive regular supervision.",
             "iha": "Initial health assessments for children entering care are not completed within timescales."}
    items = []
    for c, plan in (("Ashire", ["reg", "reg", "iha"]), ("Bshire", ["reg", "reg"]), ("Cshire", ["iha", "iha"]),
                    ("Dshire", ["reg"])):
        for n, k in enumerate(plan):
            items.append(_item(f"{c}_{2010 + 4 * n}.pdf", c, f"{2010 + 4 * n}-01-01", texts[k]))
    ranks = rank_issues_across(link_items(items))
    top = ranks[0]
    assert top.issue_label == "Regularity of supervision"
    assert top.recurred_in == ("Ashire", "Bshire") and top.raised_once_in == ("Dshire",)
    iha = next(r for r in ranks if r.issue_label == "Initial health assessments within timescales")
    assert iha.recurred_in == ("Cshire",) and iha.raised_once_in == ("Ashire",)
    assert all(l.scope in (WITHIN, ACROSS) for l in link_items(items).links)


@pytest.fixture(scope="module")
def evaluation():
    from benchmarks.recurrence_eval import evaluate

    return evaluate()


def test_judged_pairs_precision_and_recall_hold(evaluation):
    """The issue's floors (precision >= 0.80 within a council, >= 0.70 across, recall >= 0.80), a little
    under the figures measured when this was written (benchmarks/recurrence_eval.py): within 0.86 / 0.81,
    across 0.80 / 0.88, Doncaster gold recall 0.83; each ahead of plain TF-IDF with as many links, in
    precision and in F1 (the baseline's recall is higher at that many links, its precision far lower)."""
    assert evaluation["missing"] == 0 and evaluation["judged"] >= 150
    tool, base = evaluation["tool"], evaluation["baseline"]
    assert tool[WITHIN].precision >= 0.83 and tool[WITHIN].recall >= 0.80
    assert tool[ACROSS].precision >= 0.75 and tool[ACROSS].recall >= 0.80
    for scope in (WITHIN, ACROSS):  # ahead of plain TF-IDF with as many links
        assert tool[scope].precision > base[scope].precision
        assert tool[scope].f1 > base[scope].f1
    assert evaluation["doncaster"].recall >= 0.75


def test_issue_prefilter_gives_a_full_scan_s_answer():
    """`IssueScheme.candidates` (one pass for every issue's literals) never drops an issue a full scan finds."""
    import json

    from benchmarks.recurrence_eval import ITEMS
    from kg.recur import match_issues

    scheme = default_issues()

    def full(text):
        out = []
        for issue in scheme.issues:
            spans = [m.span() for p in issue.patterns for m in p.finditer(text) if m.end() > m.start()]
            if spans and all(p.search(text) for p in issue.requires) and not any(p.search(text) for p in issue.excludes):
                out.append(issue.iri)
        return out

    texts = [json.loads(line)["text"] for line in ITEMS.read_text(encoding="utf-8").splitlines()[::3]]
    texts += ["The \u212aent placement \u017fufficiency of local placements.", "Supervision IS NOT REGULAR."]
    for text in texts:
        assert [m.issue for m in match_issues(text, scheme)] == full(text), text


def test_across_councils_takes_region_and_years(sample_store):
    """--region, --from and --to narrow the across-councils ranking as they narrow the within form."""
    import json

    from click.testing import CliRunner

    from kg.cli import main

    store = str(sample_store[0])

    def ranks(*args):
        r = CliRunner().invoke(main, ["recurring", "--across-councils", "--min", "1", "--format", "json",
                                      "--store", store, *args])
        assert r.exit_code == 0, r.stderr
        return json.loads(r.stdout)

    everything = ranks()
    assert everything and {c for r in everything for c in r["councils_recurred"]} >= {"Doncaster"}
    yh = ranks("--region", "Yorkshire and the Humber")
    assert yh and {c for r in yh for c in r["councils_recurred"] + r["councils_raised_once"]} <= {"Doncaster",
                                                                                                  "Barnsley"}
    # Doncaster's reports of 2016-2019 are one inspection (2018): nothing can recur within those years
    assert ranks("--region", "Yorkshire and the Humber", "--from", "2016", "--to", "2019") == []
    within = CliRunner().invoke(main, ["recurring", "--council", "Doncaster", "--from", "2013", "--to", "2019",
                                       "--format", "json", "--store", store])
    issues = {g["issue"] for g in json.loads(within.stdout)}
    assert issues == {r["issue"] for r in ranks("--from", "2013", "--to", "2019") if "Doncaster" in r["councils_recurred"]}
