"""The report through independent engines: the .docx rendered by LibreOffice, the .html printed
by headless Chromium; then poppler reads the PDFs back (page size, fonts, every table figure)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import chromium_pdf, fixture_path, load_fixture, nianbao, run_tool

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format import table_layout as L
from nianbao.generator.figures import table_value

ALLOWED_FONTS = re.compile(r"^(Fandol(Fang|Kai|Song|Hei)|NotoSerifCJK|NotoSansCJK|LiberationSerif)")


def table_figures(data: dict) -> list[tuple[str, list[str]]]:
    edition = S.get_edition(data["edition"])
    out = []
    for grid in L.grids(edition):
        cells = sorted(grid.values(), key=lambda c: (c.row, c.col))
        values = [table_value(edition, c.path or "", data) for c in cells]
        out.append((grid.heading, [v for v in values if v]))
    return out


def assert_figures_in_order(text: str, data: dict) -> None:
    """Every figure of each table appears, in table order, after that table's heading."""
    for heading, figures in table_figures(data):
        m = re.search(r"\s*".join(map(re.escape, heading)), text)
        assert m, heading
        numbers = re.findall(r"[+-]?\d+(?:\.\d+)?", text[m.start():])
        it = iter(numbers)
        missing = [f for f in figures if not any(n == f for n in it)]
        assert not missing, f"{heading}: not found in order: {missing[:5]}"


@pytest.fixture(scope="module")
def haining_pdfs(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("render")
    out = {"docx": tmp / "海宁.pdf"}
    run = nianbao("generate", fixture_path("haining-2023"), "-o", out["docx"])
    assert run.code == 0, run.err
    html = tmp / "海宁.html"
    assert nianbao("generate", fixture_path("haining-2023"), "-o", html).code == 0
    out["html"] = chromium_pdf(html, tmp / "海宁-html.pdf")
    return out


@pytest.mark.parametrize("kind", ["docx", "html"])
def test_a4_and_every_table_figure_in_order(haining_pdfs, kind):
    pdf = haining_pdfs[kind]
    info = run_tool("pdfinfo", pdf)
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info), info
    text = run_tool("pdftotext", "-layout", pdf, "-")  # -layout keeps table rows on their lines
    flat = re.sub(r"\s+", "", text)
    assert "海宁市人民政府2023年度政府信息公开工作年度报告" in flat
    assert_figures_in_order(text, load_fixture("haining-2023"))
    assert "予以公开及部分公开395件，占75.53%" in flat


def test_docx_pdf_uses_the_mapped_fonts(haining_pdfs):
    fonts = run_tool("pdffonts", haining_pdfs["docx"]).splitlines()[2:]
    names = {line.split()[0].split("+", 1)[-1] for line in fonts if line.strip()}
    assert any(n.startswith("FandolFang") for n in names), names  # 仿宋_GB2312 body
    assert any(n.startswith("FandolKai") for n in names), names  # 楷体_GB2312 headings
    assert all(ALLOWED_FONTS.match(n) for n in names), names  # no fallback (DejaVu & co.)


def test_shanghai_2020_docx_tables_through_libreoffice(tmp_path):
    """The 2019 edition (23 rows, 五 blocks in 第二部分, signed 本年增/减) renders as well."""
    pdf = tmp_path / "sh.pdf"
    assert nianbao("generate", fixture_path("shanghai-2020"), "-o", pdf).code == 0
    assert_figures_in_order(run_tool("pdftotext", "-layout", pdf, "-"), load_fixture("shanghai-2020"))
