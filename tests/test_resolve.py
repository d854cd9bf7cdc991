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
