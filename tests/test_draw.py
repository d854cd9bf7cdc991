"""Every picture of `kg draw`, for a store built from samples/reports: files exist, are valid, say what they show."""
from __future__ import annotations

import re
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.draw import DrawError, draw, render, timeline_scene
from kg.netview import Filters, council_timeline


PICTURES = [("timeline", ["--council", "Doncaster"]), ("recurrence", ["--council", "Doncaster"]),
            ("inspectors", ["--council", "Doncaster"]), ("recurrence", ["--region", "Yorkshire and the Humber"]),
            ("inspectors", [])]
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""", re.I)


@pytest.fixture(scope="module")
def store_dir(sample_store):
    return sample_store[0]


def png_text(path) -> dict[str, str]:
    """The tEXt chunks of a PNG (matplotlib writes the title there)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out, pos = {}, 8
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            out[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            flag, rest = rest[0], rest[2:]
            _, _, rest = rest.partition(b"\0")
            _, _, text = rest.partition(b"\0")
            out[key.decode("latin-1")] = (zlib.decompress(text) if flag else text).decode("utf-8")
        pos += 12 + length
    return out


def run(*args):
    return CliRunner().invoke(main, ["draw", *args])


@pytest.mark.parametrize("picture,filters", PICTURES, ids=lambda x: x if isinstance(x, str) else "-".join(x) or "all")
@pytest.mark.parametrize("fmt", ["png", "svg", "html"])
def test_every_picture(store_dir, tmp_path, picture, filters, fmt):
    out = tmp_path / f"{picture}.{fmt}"
    r = run(picture, *filters, "--store", str(store_dir), "-o", str(out))
    assert r.exit_code == 0, r.output + r.stderr
    assert f"wrote {out}" in r.stderr
    title = r.stderr.strip().splitlines()[-1].split(": ", 1)[1]
    place = filters[1] if filters else "inspected whom"
    assert place in title and "report" in title
    if fmt == "png":
        assert png_text(out)["Title"] == title
        assert out.stat().st_size > 10_000
    elif fmt == "svg":
        root = ET.parse(out).getroot()
        assert root.tag.endswith("svg")
        assert title.split(",")[0] in "".join(root.itertext())
    else:
        page = out.read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "</html>" in page
        assert not EXTERNAL.search(page), EXTERNAL.search(page).group(0)
        assert "<script src" not in page and "<link" not in page
        assert f"<title>{title.replace('&', '&amp;')}</title>" in page.replace("&#x27;", "'")


def test_timeline_shows_grades_and_recommendations(store_dir, tmp_path):
    tl = council_timeline(store_dir, "Doncaster")
    scene = timeline_scene(tl)
    texts = [m.text for m in scene.marks if hasattr(m, "text")]
    assert "Overall effectiveness" in texts
    for i in tl.inspections:
        assert str(i.recommendations) in texts
    assert {"Outstanding", "Good", "Inadequate"} <= set(texts)  # the legend
    assert scene.title.startswith(f"Doncaster: {len(tl.inspections)} inspections ")


def test_cap_is_noted_in_picture_and_on_stderr(store_dir, tmp_path):
    out = tmp_path / "few.html"
    r = run("inspectors", "--max-nodes", "6", "--store", str(store_dir), "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert "note: cut to 6 nodes" in r.stderr
    assert "cut to 6 nodes" in out.read_text(encoding="utf-8")
    r = run("timeline", "--council", "Doncaster", "--max-nodes", "2", "--store", str(store_dir), "-o", str(out))
    assert "most recent" in r.stderr and "most recent" in out.read_text(encoding="utf-8")


def test_filters(store_dir, tmp_path):
    out = tmp_path / "r.svg"
    d = draw(store_dir, "recurrence", out, filters=Filters(council="Doncaster", year_from=2018, year_to=2025))
    assert "2022" in d.title and "2015" not in d.title
    d = draw(store_dir, "recurrence", tmp_path / "t.html", filters=Filters(council="Doncaster", theme="care leavers"))
    assert "theme: care leavers" in d.title


def test_usage_errors(store_dir, tmp_path):
    r = run("timeline", "--store", str(store_dir), "-o", str(tmp_path / "x.png"))
    assert r.exit_code == 2 and "--council" in r.stderr
    r = run("timeline", "--council", "Atlantis", "--store", str(store_dir), "-o", str(tmp_path / "x.png"))
    assert r.exit_code == 2 and r.stderr.startswith("Error: no council called 'Atlantis'")
    assert len(r.stderr.strip().splitlines()) == 1
    r = run("inspectors", "--store", str(tmp_path / "nowhere"), "-o", str(tmp_path / "x.png"))
    assert r.exit_code == 2 and "no graph store" in r.stderr


def test_without_matplotlib(store_dir, tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    r = run("timeline", "--council", "Doncaster", "--store", str(store_dir), "-o", str(tmp_path / "x.png"))
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [
        "Error: PNG and SVG pictures need matplotlib (pip install 'ofsted-kg[draw]', or draw --format html)"]
    r = run("timeline", "--council", "Doncaster", "--store", str(store_dir), "-o", str(tmp_path / "x.html"))
    assert r.exit_code == 0, r.stderr
    with pytest.raises(DrawError):
        render(timeline_scene(council_timeline(store_dir, "Doncaster")), tmp_path / "y.svg", "svg")
