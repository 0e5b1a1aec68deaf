"""PDF tables read by geometry: the project's own reports, printed to PDF by LibreOffice
(`nianbao generate -o x.pdf`) and by Chromium (the .html printed headless), come back exactly —
agency, year, every figure — and validate finds nothing blank in them."""

from __future__ import annotations

import json

import pytest
from conftest import chromium_pdf, fixture_path, load_fixture, nianbao

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import get_path


def _figures(data: dict) -> dict:
    return {p: get_path(data, p) for p in S.get_edition(data["edition"]).figure_paths}


def _round_trip(tmp_path, pdf, name: str) -> None:
    out = tmp_path / f"{pdf.stem}.json"
    run = nianbao("import", pdf, "-o", out)
    assert run.code == 0, run.err
    data, fixture = json.loads(out.read_text(encoding="utf-8")), load_fixture(name)
    assert (data["edition"], data["meta"]["agency"], data["meta"]["year"]) == (
        fixture["edition"], fixture["meta"]["agency"], fixture["meta"]["year"])
    got, want = _figures(data), _figures(fixture)
    assert {p: (got[p], want[p]) for p in want if got[p] != want[p]} == {}
    found = json.loads(nianbao("validate", pdf, "--format", "json").out)["findings"]
    assert not [f["message"] for f in found if f["rule"] in ("NUM-01", "CHK-01")]


@pytest.mark.parametrize("name", ["haining-2023", "shanghai-2020"])
def test_generated_pdf_round_trips(tmp_path, name):
    pdf = tmp_path / f"{name}.pdf"
    assert nianbao("generate", fixture_path(name), "-o", pdf).code == 0
    _round_trip(tmp_path, pdf, name)


def test_html_printed_by_chromium_round_trips(tmp_path):
    html = tmp_path / "haining.html"
    assert nianbao("generate", fixture_path("haining-2023"), "-o", html, "--keep-punctuation").code == 0  # printed as typed
    pdf = chromium_pdf(html, tmp_path / "haining-chromium.pdf")
    _round_trip(tmp_path, pdf, "haining-2023")
    out = tmp_path / "t.json"
    assert nianbao("import", pdf, "-o", out).code == 0
    text = json.loads(out.read_text(encoding="utf-8"))["text"]
    assert text == load_fixture("haining-2023")["text"]  # wrapped lines joined, Kangxi radicals read as 人/民
