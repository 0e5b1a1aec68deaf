"""The prose of the project's own report, printed to PDF, comes back paragraph for paragraph.

The reports are rendered as ``nianbao generate`` renders them (the generator's .docx converted by
LibreOffice with the generator's own converter, all in one ``soffice`` call; the generator's .html
printed by headless Chromium) and imported back.  The imported report, rendered again with its text
as imported (no punctuation normalised), must print the same paragraphs as the original — the
paragraphs the generator wrote, after its own punctuation normalisation — and ``meta.contact``
must come back exactly.  A line the page wrapped is no paragraph break: LibreOffice sets CJK text
ragged, a line holding Latin digits or words ends short of the margin ("2023 年" with its
autospace), and a wrapped paragraph went on being split there ("海宁市人民\\n政府办公室")."""

from __future__ import annotations

import copy

import pytest
from conftest import REAL_REPORTS, chromium_pdf, load_fixture

from nianbao.generator import render
from nianbao.generator.pdf import convert_to_pdf
from nianbao.generator.text import render_blocks
from nianbao.workbook_templates.sources import load_report

ENGINES = ("libreoffice", "chromium")

# prose with Latin words, which wraps at the spaces between them: a real space between two Latin
# words stays (at a wrap as within a line), a CJK–Latin join gets none (a line of Latin text alone is
# dropped as a web page's pinyin banner, see published/clean.py: the English here follows a Chinese lead)
LATIN = "latin-words"
_ENGLISH = ("英文摘要：We publish the annual report on government information disclosure as required by the regulations, "
            "and the figures are checked against the tables before release to the public website every year.")
_MIXED = ("本报告使用WPS Office编制，数据来自open data平台version 2版本，全文发布在www.haining.gov.cn网站的政府信息"
          "公开专栏，共12345条记录和678个文件，另附PDF格式的全文和HTML格式的网页版本供下载查阅和核对使用。")


def _report(name: str) -> dict:
    if name != LATIN:
        return load_fixture(name)
    data = copy.deepcopy(load_fixture("haining-2023"))
    data["text"]["overview"]["active"] = f"{_ENGLISH}\n{_MIXED}"
    return data


NAMES = (*REAL_REPORTS, LATIN)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[tuple[str, str], object]:
    """(report, engine) -> the report imported back from its PDF."""
    tmp = tmp_path_factory.mktemp("printed")
    docx = []
    for name in NAMES:
        (tmp / f"{name}.docx").write_bytes(render(_report(name), ".docx"))
        docx.append(tmp / f"{name}.docx")
        (tmp / f"{name}.html").write_bytes(render(_report(name), ".html"))
    pdfs = {(d.stem, "libreoffice"): pdf for d, pdf in zip(docx, convert_to_pdf(docx, tmp / "lo"))}
    for name in NAMES:
        pdfs[(name, "chromium")] = chromium_pdf(tmp / f"{name}.html", tmp / f"{name}-chromium.pdf")
    return {key: load_report(pdf)[0] for key, pdf in pdfs.items()}


def _paragraphs(data: dict, *, as_typed: bool) -> list[str]:
    return [b.text for b in render_blocks(data, normalise_punctuation=not as_typed) if b.kind == "p"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", NAMES)
def test_prose_of_the_generated_pdf_round_trips(printed, name, engine):
    data, original = printed[(name, engine)], _report(name)
    assert data["meta"]["contact"] == original["meta"]["contact"]
    got, want = _paragraphs(data, as_typed=True), _paragraphs(original, as_typed=False)
    assert [p for p in got if p not in want] == [] and [p for p in want if p not in got] == []  # the difference first
    assert got == want
