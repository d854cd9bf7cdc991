"""Helpers shared by the extractor tests: sample names and text normalisation for gold comparison."""
from __future__ import annotations

import re

SAMPLE_FILES = {
    "000_8c596ea8a2081205": "000_8c596ea8a2081205.txt",
    "001_08ab79b8e78a2bf8": "001_08ab79b8e78a2bf8.txt",
    "002_f1ebdee6c896ebcd": "002_f1ebdee6c896ebcd.txt",
    "003_fd8ddec3fbd4e1da": "003_fd8ddec3fbd4e1da.txt",
    "004_b5ee7b23e5af23f4": "004_b5ee7b23e5af23f4.txt",
    "barnsley_2018-11-19": "barnsley_2018-11-19.pdf",
    "darlington_2015-09-01": "darlington_2015-09-01.pdf",
    "darlington_2022-12-02": "darlington_2022-12-02.pdf",
    "doncaster_2015-11-27": "doncaster_2015-11-27.pdf",
    "doncaster_2018-01-19": "doncaster_2018-01-19.pdf",
    "doncaster_2022-04-08": "doncaster_2022-04-08.pdf",
    "doncaster_2025-03-18": "doncaster_2025-03-18.pdf",
    "kent_2013-08-23": "kent_2013-08-23.pdf",
}


def plain(text: str) -> str:
    """Gold text as our normalised text prints it: straight quotes and hyphens, spaces collapsed."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    return re.sub(r"\s+", " ", text).strip()
