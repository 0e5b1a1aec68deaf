"""The accuracy report (bench/accuracy.py) on the committed corpus (tests/fixtures/corpus/, built
once from the seeds' fixtures by `python3 bench/accuracy.py --build`; not re-rendered here): every
figure read exactly, every printed arithmetic error and every planted prose contradiction found,
none invented.  How long each import takes is printed by the script, not asserted here."""

from __future__ import annotations

import sys

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))

import accuracy  # noqa: E402


def test_the_corpus_is_read_exactly_and_its_errors_found():
    result = accuracy.measure()
    kinds = {r["file"].rsplit("-", 1)[-1] if r["file"].endswith(".pdf") else r["file"].rsplit(".", 1)[-1]
             for r in result["rows"]}
    assert {"chromium.pdf", "libreoffice.pdf", "docx", "html", "txt"} <= kinds
    assert result["files"] == 17
    assert (result["exact"], result["figures"]) == (3444, 3444), [r for r in result["rows"] if r["wrong"]]
    assert (result["arithmetic_found"], result["arithmetic_present"]) == (24, 24)
    assert result["invented"] == 0
    assert (result["txt_found"], result["txt_present"]) == (22, 22)
    in_2019_table = next(r for r in result["rows"] if r["file"] == "hongkou-2020-in-2021-libreoffice.pdf")
    assert in_2019_table["exact"] == in_2019_table["figures"]  # a 2021 report in the 2019 table, read as printed
