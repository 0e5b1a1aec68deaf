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


CORPUS = fixture_path("haining-2023").parent / "corpus"


def test_prose_of_a_chromium_pdf_holds_no_control_characters():
    # Chromium's PDFs map the glyph of a space after "(一)" to U+0001; pdfminer read it as printed
    # text, so "(一)\x01主要问题" went into the imported prose (and into JSON, workbook, TXT-01 quotes)
    from nianbao.workbook_templates.sources import load_report

    data, _ = load_report(CORPUS / "shanghai-2020-chromium.pdf")
    assert "(一)主要问题" in data["text"]["problems"]
    assert not any(ord(c) < 0x20 and c not in "\n\t" for v in _strings(data["text"]) for c in v)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_page_stored_turned_reads_as_displayed(tmp_path, rotation):
    # a landscape table is often stored turned, with /Rotate turning it back on display: the reader
    # works in displayed coordinates, so such a page gives the lines of the page as it is seen
    from pypdf import PdfReader, PdfWriter, Transformation
    from pypdf.generic import RectangleObject

    from nianbao.workbook_templates.published.files import EMPTY
    from nianbao.workbook_templates.published.pdf_tables import pdf_lines

    source = CORPUS / "haining-2023-libreoffice.pdf"
    writer = PdfWriter(clone_from=source)
    for page in writer.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        shift = {90: (h, 0), 180: (w, h), 270: (0, w)}[rotation]
        page.add_transformation(Transformation().rotate(rotation).translate(*shift))  # stored turned back …
        page.mediabox = RectangleObject((0, 0, h, w) if rotation != 180 else (0, 0, w, h))
        page.rotation = rotation  # … and turned on display
    turned = tmp_path / f"turned-{rotation}.pdf"
    with turned.open("wb") as f:
        writer.write(f)
    assert pdf_lines(turned, EMPTY) == pdf_lines(source, EMPTY)
