"""Marks on input cells as conditional formats keyed to the hidden sheet (template version 2):
written as values, shown by the spreadsheet engine itself; workbooks of version 1 still read
without INT-01 and get the rules from `validate --annotate`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
from conftest import REPO, named_cell, nianbao

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.xlsx import hidden_sheet as H
from nianbao.workbook_templates.xlsx import look

V1 = REPO / "tests" / "fixtures" / "workbooks" / "template-2021-v1.xlsx"  # kept by test_format_versions


def filled(path: Path, template: Path, broken: bool) -> Path:
    """A 2023 return with every input filled (0), made from ``template``; ``broken``: 新收 +3."""
    shutil.copy(template, path)
    wb = openpyxl.load_workbook(path)
    edition = S.get_edition("2021")
    for p in edition.entered_paths:
        if edition.fields[p].kind.numeric and p != "meta.unit_id":
            named_cell(wb, p).value = 0
    named_cell(wb, "meta.agency").value = "海宁市人民政府"
    named_cell(wb, "meta.year").value = 2023
    named_cell(wb, "meta.agency_kind").value = S.AGENCY_KINDS["government"]
    if broken:
        named_cell(wb, "applications.new.natural_person").value = 3  # 一＋二≠三＋四 in that column
    wb.save(path)
    return path


def version_facts(path: Path) -> list:
    data = json.loads(nianbao("export", path).out)
    return [f for f in (data.get("source") or {}).get("integrity", []) if f.get("fact") == "version"]


def rules(path: Path, sheet: str) -> list[str]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [r.formula[0] for cf in ws.conditional_formatting for r in cf.rules if r.formula]


def listed(path: Path, severity: str) -> list[str]:
    ws = openpyxl.load_workbook(path)["_nianbao"]
    return [c.value for c in ws[H.MARK_COLUMNS[severity]] if c.value]


def test_the_template_ships_the_rules_and_both_versions_read_clean(tmp_path):
    assert S.FORMAT_VERSIONS == ("1", "2") and S.FORMAT_VERSION == "2"
    new = tmp_path / "new.xlsx"
    nianbao("new", "--year", "2023", "--agency", "海宁市人民政府", "-o", new)
    assert rules(new, "第三部分").count(H.mark_formula("第三部分", "error")) == 1
    assert H.mark_formula("第三部分", "warning") in rules(new, "第三部分")
    for path in (new, filled(tmp_path / "v1.xlsx", V1, broken=False)):
        assert version_facts(path) == []
    assert json.loads(nianbao("export", tmp_path / "v1.xlsx").out)["meta"]["agency"] == "海宁市人民政府"


def test_annotate_gives_a_version_1_workbook_the_rules_once(tmp_path):
    v1 = filled(tmp_path / "v1.xlsx", V1, broken=True)
    assert H.mark_formula("第三部分", "error") not in rules(v1, "第三部分")
    assert nianbao("validate", v1, "--annotate").code == 1
    assert any(k.startswith("第三部分!D") for k in listed(v1, "error"))
    nianbao("validate", v1, "--annotate")
    assert rules(v1, "第三部分").count(H.mark_formula("第三部分", "error")) == 1
    wb = openpyxl.load_workbook(v1)
    assert wb.defined_names[H.MARK_NAMES["error"]].attr_text == "'_nianbao'!$H$1:$H$1000"
    assert version_facts(v1) == []


def pixels(png: Path, rgb: tuple[int, int, int]) -> int:
    from PIL import Image

    img = Image.open(png).convert("RGB")
    return sum(1 for p in img.get_flattened_data() if all(abs(a - b) <= 6 for a, b in zip(p, rgb)))


def page_pixels(libreoffice, xlsx: Path, out: Path, rgb: tuple[int, int, int]) -> int:
    pdf = libreoffice.convert([xlsx], "pdf", out)[0]
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(out / "page")], check=True, timeout=120)
    return sum(pixels(p, rgb) for p in sorted(out.glob("page*.png")))


def test_libreoffice_colours_exactly_the_listed_cells(tmp_path, libreoffice):
    """What a person sees: the engine paints the input cell red once it is listed, and only then;
    the workbook from version 1 after --annotate as well as one from version 2."""
    red = look.rgb(look.ERROR_FILL)
    blank = tmp_path / "blank.xlsx"
    nianbao("new", "--year", "2023", "--agency", "海宁市人民政府", "-o", blank)
    v2 = filled(tmp_path / "v2.xlsx", blank, broken=True)
    v1 = filled(tmp_path / "v1.xlsx", V1, broken=True)
    before = page_pixels(libreoffice, v2, tmp_path / "before", red)
    for p in (v1, v2):
        assert nianbao("validate", p, "--annotate").code == 1
    after = [page_pixels(libreoffice, p, tmp_path / p.stem, red) for p in (v1, v2)]
    assert before == 0
    # the same cells are listed and painted, whichever version it came from (version 2 prints 第三部分
    # landscape at another scale, so the pixel counts of the two are not compared with each other)
    assert after[0] > 0 and after[1] > 0
    assert listed(v1, "error") == listed(v2, "error") and listed(v1, "warning") == listed(v2, "warning")
