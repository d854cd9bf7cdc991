"""Council names as reports print them -> gazetteer entries (GSS codes)."""
from __future__ import annotations

import pytest

from kg.errors import RuleFileError
from kg.resolve import CouncilEntry, council_by_gss, load_council_names, load_councils, resolve_council


@pytest.mark.parametrize("printed, gss", [
    ("Doncaster Metropolitan Borough Council", "E08000017"),
    ("City of Doncaster Council", "E08000017"),
    ("The City of Doncaster Council", "E08000017"),
    ("Doncaster Council", "E08000017"),
    ("Doncaster", "E08000017"),
    ("Metropolitan Borough of Rotherham", "E08000018"),
    ("Rotherham Metropolitan Borough Council local authority", "E08000018"),
    ("Metropolitan Borough of Barnsley Council", "E08000016"),
    ("London Borough of Camden", "E09000007"),
    ("City of London", "E09000001"),  # 'City of' is part of this name, not a prefix to strip
    ("East Riding", "E06000011"),
    ("East Riding of Yorkshire Council", "E06000011"),
    ("Kent County Council", "E10000016"),
    ("Darlington Borough Council", "E06000005"),
    ("Sheffield City Council", "E08000019"),
    ("Bristol City Council", "E06000023"),
    ("Kingston upon Hull City Council", "E06000010"),
    ("Royal Borough of Kensington and Chelsea", "E09000020"),
    ("Telford & Wrekin Council", "E06000020"),
    ("St. Helens Council", "E08000013"),
    ("Council of the Isles of Scilly", "E06000053"),
    ("Cumbria County Council", "E10000006"),  # abolished 2023: its own row, not a successor's
])
def test_printed_names_resolve(printed, gss):
    entry = resolve_council(printed)
    assert entry is not None and entry.gss_code == gss


def test_misspelling_resolves_only_when_close_and_unambiguous():
    assert resolve_council("Darlingtn Borough Council").gss_code == "E06000005"
    assert resolve_council("London") is None
    assert resolve_council("Oxford") is None
    assert resolve_council("") is None and resolve_council(None) is None


def test_gazetteer_api_is_stable():
    councils = load_councils()
    assert all(isinstance(c, CouncilEntry) for c in councils)
    assert council_by_gss("E08000017").canonical == "Doncaster"
    assert len({c.gss_code for c in councils}) == len(councils)


def test_broken_alias_file_names_file_and_line(tmp_path):
    bad = tmp_path / "council_names.yaml"
    bad.write_text("prefixes: [city of]\nsuffixes: [council]\naliases:\n"
                   "  - {name: East Riding, gss_code: E06000011}\n"
                   "  - {name: Atlantis, gss_code: E99999999}\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        load_council_names(str(bad))
    assert err.value.source == str(bad) and "line 5" in err.value.message and "E99999999" in err.value.message


# the ways councils' names are printed in letters and reports, tried for every council of the gazetteer
PRINTED_FORMS = ("{n}", "{n} Council", "{n} City Council", "{n} County Council", "{n} Borough Council",
                 "London Borough of {n}", "{n} Metropolitan Borough Council", "Metropolitan Borough of {n}",
                 "Royal Borough of {n}", "City of {n} Council")


def _bare(canonical: str) -> str:
    """'Bristol, City of' -> 'Bristol' (the gazetteer's inverted names)."""
    return canonical.split(", City of")[0].split(", County of")[0]


@pytest.mark.parametrize("form", PRINTED_FORMS)
def test_every_council_resolves_in_every_common_printed_form(form):
    wrong = []
    for c in load_councils():
        printed = form.format(n=_bare(c.canonical))
        entry = resolve_council(printed)
        if entry is None or entry.gss_code != c.gss_code:
            wrong.append((printed, c.gss_code, entry.gss_code if entry else None))
    assert wrong == []


@pytest.mark.parametrize("printed, gss", [
    ("Royal Borough of Kingston upon Thames", "E09000021"),
    ("Bristol City Council", "E06000023"),
    ("Council of the Isles of Scilly", "E06000053"),
    ("Durham County Council", "E06000047"),
    ("Herefordshire Council", "E06000019"),
    ("St Helens Council", "E08000013"),
    ("Bournemouth, Christchurch and Poole Council", "E06000058"),
    ("Bournemouth, Christchurch and Poole", "E06000058"),
    ("Kingston upon Hull City Council", "E06000010"),
    ("Hull City Council", "E06000010"),
    ("Telford and Wrekin Council", "E06000020"),
    ("North Yorkshire Council", "E06000065"),
    ("North Yorkshire County Council", "E06000065"),
    ("Cumberland Council", "E06000063"),
    ("Westmorland and Furness Council", "E06000064"),
    ("The Royal Borough of Kensington and Chelsea", "E09000020"),
    ("Westminster City Council", "E09000033"),
    ("City of Bradford Metropolitan District Council", "E08000032"),
    ("Southend-on-Sea City Council", "E06000033"),
    ("Newcastle upon Tyne City Council", "E08000021"),
    ("Brighton & Hove City Council", "E06000043"),
])
def test_council_names_printed_in_letters_resolve(printed, gss):
    entry = resolve_council(printed)
    assert entry is not None and entry.gss_code == gss, printed


# ONS region codes (ONS Register of Geographic Codes): the nine English regions
ONS_REGIONS = {"E12000001": "North East", "E12000002": "North West", "E12000003": "Yorkshire and the Humber",
               "E12000004": "East Midlands", "E12000005": "West Midlands", "E12000006": "East of England",
               "E12000007": "London", "E12000008": "South East", "E12000009": "South West"}


def test_every_english_region_has_its_own_name_and_councils():
    from kg.rdf import council_triples

    labels = {t.subject.value.rsplit("/", 1)[1]: t.object.value for t in council_triples()
              if t.subject.value.rsplit("/", 1)[1].startswith("E12") and t.predicate.value.endswith("#prefLabel")}
    assert labels == ONS_REGIONS
    by_region = {}
    for c in load_councils():
        by_region.setdefault(c.region_name, set()).add(c.canonical)
    assert {"Derby", "Leicester", "Nottinghamshire", "Rutland"} <= by_region["East Midlands"]
    assert council_by_gss("E06000060").region_code == "E12000008"  # Buckinghamshire: South East
    assert council_by_gss("E10000013").region_code == "E12000009"  # Gloucestershire: South West


def test_a_region_code_with_two_names_is_refused_with_its_line(tmp_path):
    from kg.paths import data_dir
    from kg.resolve import read_gazetteer

    lines = (data_dir() / "la_lookup.csv").read_text(encoding="utf-8-sig").splitlines()
    n = next(i for i, line in enumerate(lines) if ",Buckinghamshire," in line)
    lines[n] = lines[n].replace(",E12000008,South East,", ",E12000004,South East,")
    bad = tmp_path / "la_lookup.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        read_gazetteer(bad)
    assert err.value.source == str(bad) and "E12000004" in err.value.message
    assert "'South East'" in err.value.message and "'East Midlands'" in err.value.message
