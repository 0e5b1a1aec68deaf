"""Report data → `nianbao import` → LibreOffice (forced recalculation) → `nianbao export`.

LibreOffice is the independent formula engine: every total it computes must equal the sum
Python computes, every entered figure and every meta/prose value must come back, and the
template's protection, unlocked inputs, data validation and defined names must survive.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from conftest import REAL_REPORTS, fixture_path, load_fixture, nianbao
from openpyxl.worksheet.cell_range import CellRange

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.xlsx.cellrefs import parse_target
from nianbao.workbook_templates.format.report_data import get_path


@pytest.fixture(scope="module")
def roundtrip(tmp_path_factory, libreoffice):
    """Every real report imported, plus two blank templates, all recalculated by LibreOffice."""
    tmp = tmp_path_factory.mktemp("roundtrip")
    written: dict[str, Path] = {}
    for name in REAL_REPORTS:
        out = tmp / f"{name}.xlsx"
        run = nianbao("import", fixture_path(name), "-o", out)
        assert run.code == 0, run.err
        written[name] = out
    for year in (2023, 2020):
        out = tmp / f"blank-{year}.xlsx"
        assert nianbao("new", "--year", year, "--agency", "某某区人民政府", "-o", out).code == 0
        written[f"blank-{year}"] = out
    recalculated = dict(zip(written, libreoffice.recalc(list(written.values()), tmp / "lo")))
    exported = {}
    for name, path in recalculated.items():
        run = nianbao("export", path)
        assert run.code == 0, run.err
        exported[name] = json.loads(run.out)
    return written, recalculated, exported


@pytest.mark.parametrize("name", REAL_REPORTS)
def test_entered_figures_meta_and_prose_come_back(roundtrip, name):
    _, _, exported = roundtrip
    original = load_fixture(name)
    edition = S.get_edition(original["edition"])
    got = exported[name]
    assert got["edition"] == original["edition"]
    for path in edition.entered_paths:
        assert get_path(got, path) == get_path(original, path), path
    assert sum(1 for p in edition.entered_paths if get_path(original, p) is not None) > 150


def computed_totals(data) -> dict[str, int | float]:
    """The oracle: every total as the relations of the schema sum the entered values (blank = 0)."""
    edition = S.get_edition(data["edition"])

    def total(path: str) -> int | float:
        return sum(total(p) if p in edition.formulas else (get_path(data, p) or 0)
                   for p in edition.formulas[path].right)

    return {p: total(p) for p in edition.computed_paths}


@pytest.mark.parametrize("name", REAL_REPORTS)
def test_libreoffice_totals_equal_python_sums(roundtrip, name):
    _, _, exported = roundtrip
    expected = computed_totals(load_fixture(name))
    got = {p: get_path(exported[name], p) for p in expected}
    assert got == expected
    # the data was read from LibreOffice's cached results, not recomputed: nothing was altered
    assert exported[name]["source"] is None


def test_haining_2023_reproduces_exactly(roundtrip, tmp_path):
    written, _, exported = roundtrip
    fixture = load_fixture("haining-2023")
    assert exported["haining-2023"] == fixture  # through LibreOffice
    run = nianbao("export", written["haining-2023"])  # straight from our own file (no cached values)
    assert run.code == 0 and json.loads(run.out) == fixture


def _check_row(wb, edition):
    ws = wb["第三部分"]
    for row in ws.iter_rows():
        if row[0].value == "勾稽校验：一＋二＝三＋四":
            return [c.value for c in row[3:3 + len(edition.application_columns)]]
    raise AssertionError("no check row")


def _cover_check(wb):
    for a, b in wb["封面"].iter_rows(min_col=1, max_col=2):
        if a.value == "第三部分勾稽校验":
            return b.value
    raise AssertionError("no check cell on the cover")


def test_check_cells_show_the_balance_in_libreoffice(roundtrip):
    _, recalculated, _ = roundtrip
    wb = openpyxl.load_workbook(recalculated["haining-2023"], data_only=True)
    assert _check_row(wb, S.EDITION_2021) == ["平衡"] * 7
    assert _cover_check(wb) == "平衡"
    wb = openpyxl.load_workbook(recalculated["shanghai-2020"], data_only=True)
    # the five columns that do not balance in the published report; the 总计 column now holds
    # the row sums (29126, not the printed 29130), so it is 4 short as well
    assert _check_row(wb, S.EDITION_2019) == [
        "不平衡（差67）", "不平衡（差-72）", "不平衡（差1）", "不平衡（差2）", "不平衡（差-2）", "平衡", "不平衡（差-4）"]
    assert _cover_check(wb) == "不平衡"
    for blank, edition in (("blank-2023", S.EDITION_2021), ("blank-2020", S.EDITION_2019)):
        wb = openpyxl.load_workbook(recalculated[blank], data_only=True)
        assert _check_row(wb, edition) == ["未填"] * 7
        assert _cover_check(wb) == "未填"


def _validated_cells(ws) -> dict[str, str]:
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in CellRange(rng.coord).cells:
                out[f"{openpyxl.utils.get_column_letter(row[1])}{row[0]}"] = dv.type
    return out


@pytest.mark.parametrize("name", ["haining-2023", "hongkou-2020"])
def test_protection_inputs_validation_and_names_survive(roundtrip, name):
    written, recalculated, _ = roundtrip
    edition = S.get_edition(load_fixture(name)["edition"])
    ours, theirs = openpyxl.load_workbook(written[name]), openpyxl.load_workbook(recalculated[name])
    for wb in (ours, theirs):
        names = {n: wb.defined_names[n].attr_text.replace("$", "") for n in wb.defined_names}
        assert set(edition.fields) <= set(names)
        for sheet in ("封面", "第二部分", "第三部分", "第四部分", "文字部分"):
            assert wb[sheet].protection.sheet, sheet
        validated = {s: _validated_cells(wb[s]) for s in wb.sheetnames}
        for path, f in edition.fields.items():
            sheet, ref = names[path].split("!")
            sheet = sheet.strip("'")
            cell = wb[sheet][ref]
            if path == "meta.unit_id":
                continue  # on the hidden sheet, which the add-in writes to
            assert cell.protection.locked is f.computed, path
            if f.computed:
                assert str(cell.value).upper().startswith("=SUM("), path
            elif f.kind.numeric or f.kind in (S.Kind.YEAR, S.Kind.AGENCY_KIND):
                expected = {"count": "whole", "signed": "whole", "year": "whole",
                            "wan_yuan": "decimal", "yuan": "decimal", "agency_kind": "list"}[f.kind.value]
                assert validated[sheet].get(ref) == expected, path
    # names point at the same cells after LibreOffice
    a = {n: parse_target(ours.defined_names[n].attr_text) for n in edition.fields}
    b = {n: parse_target(theirs.defined_names[n].attr_text) for n in edition.fields}
    assert a == b
