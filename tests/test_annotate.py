"""`nianbao validate --annotate`: the 校验结果 sheet, marks on input cells, confirmations that
survive later runs, typed figures never changed, a person's additions kept."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from conftest import add_foreign_content, fixture_path, named_cell, nianbao, zip_parts

from nianbao.addin.excel.results_sheet import MARK_ERROR, MARK_WARNING, RESULTS_SHEET
from nianbao.workbook_templates.xlsx import hidden_sheet as H


@pytest.fixture
def hongkou_2020(tmp_path) -> Path:
    """Hongkou 2020, carried forward from 2019: one error (TXT-03), XYR-05 and TXT-04 warnings."""
    path = tmp_path / "虹口区2020.xlsx"
    assert nianbao("import", fixture_path("hongkou-2020"), "-o", path).code == 0
    assert nianbao("carry-forward", "--from", fixture_path("hongkou-2019"), "--to", path).code == 0
    return path


def results_rows(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path)[RESULTS_SHEET]
    return [tuple(c.value for c in row[:8]) for row in ws.iter_rows(min_row=3)]  # row 1 title, row 2 headers


def marks(path: Path, sheet: str) -> dict[str, set[str]]:
    """The input cells of ``sheet`` listed as marked on the hidden sheet, where a rule of the
    sheet colours them (template version 2; added by --annotate to older workbooks)."""
    wb = openpyxl.load_workbook(path)
    formulas = {r.formula[0] for cf in wb[sheet].conditional_formatting for r in cf.rules if r.formula}
    out: dict[str, set[str]] = {}
    for marker, sev in ((MARK_ERROR, "error"), (MARK_WARNING, "warning")):
        assert H.mark_formula(sheet, sev) in formulas
        column = wb["_nianbao"][H.MARK_COLUMNS[sev]]
        refs = {str(c.value).split("!")[1] for c in column if str(c.value or "").startswith(f"{sheet}!")}
        if refs:
            out[marker] = refs
    return out


def test_results_sheet_hyperlinks_and_marks(hongkou_2020):
    before = json.loads(nianbao("export", hongkou_2020).out)
    run = nianbao("validate", hongkou_2020, "--annotate")
    assert run.code == 1 and "校验结果" in run.err
    rows = results_rows(hongkou_2020)
    report = json.loads(nianbao("validate", hongkou_2020, "--format", "json").out)
    assert len(rows) == len(report["findings"]) == 5
    assert [r[2] for r in rows] == [f["rule"] for f in report["findings"]]
    assert rows[0][1] == "错误" and rows[0][4].startswith("人民政府的报告没有写到")
    ws = openpyxl.load_workbook(hongkou_2020)[RESULTS_SHEET]
    links = {c.hyperlink.location for row in ws.iter_rows(min_row=2) for c in row if c.hyperlink}
    assert "'第二部分'!B11" in links and "'文字部分'!B11" in links
    assert marks(hongkou_2020, "第二部分") == {MARK_WARNING: {"B11", "B14", "B15"}}
    assert marks(hongkou_2020, "文字部分")[MARK_ERROR] == {"B11"}
    after = json.loads(nianbao("export", hongkou_2020).out)
    assert after == before  # figures and text a person typed are never changed


def test_running_again_replaces_and_keeps_confirmations(hongkou_2020):
    nianbao("validate", hongkou_2020, "--annotate")
    wb = openpyxl.load_workbook(hongkou_2020)
    ws = wb[RESULTS_SHEET]
    for row in ws.iter_rows(min_row=3):
        if row[2].value == "XYR-05" and "行政处罚" in row[4].value:
            row[5].value, row[6].value = "李四", "口径调整，已与市政务公开办确认"
        if row[2].value == "TXT-03":  # an error cannot be confirmed away
            row[5].value, row[6].value = "李四", "不想改"
    wb.save(hongkou_2020)
    run = nianbao("validate", hongkou_2020, "--annotate", "--format", "json")
    assert run.code == 1
    findings = json.loads(run.out)["findings"]
    acked = [f for f in findings if f["acknowledged"]]
    assert len(acked) == 1 and acked[0]["rule"] == "XYR-05"
    assert acked[0]["acknowledged"] == {"by": "李四", "note": "口径调整，已与市政务公开办确认"}
    assert [f["acknowledged"] for f in findings if f["rule"] == "TXT-03"] == [None]
    rows = results_rows(hongkou_2020)
    assert len(rows) == 5  # replaced, not appended
    assert sum(1 for r in rows if r[5] == "李四") == 1
    assert openpyxl.load_workbook(hongkou_2020).sheetnames.count(RESULTS_SHEET) == 1
    assert marks(hongkou_2020, "第二部分") == {MARK_WARNING: {"B11", "B15"}}  # the confirmed one is unmarked
    # a third run still carries the confirmation
    findings = json.loads(nianbao("validate", hongkou_2020, "--annotate", "--format", "json").out)["findings"]
    assert sum(1 for f in findings if f["acknowledged"]) == 1
    # and the plain text output shows it
    assert "已确认" in nianbao("validate", hongkou_2020).out


def test_fixing_the_figures_clears_the_marks(tmp_path):
    path = tmp_path / "海宁.xlsx"
    nianbao("import", fixture_path("haining-2023"), "-o", path)
    wb = openpyxl.load_workbook(path)
    named_cell(wb, "applications.carried_forward.natural_person").value = 3  # breaks 一＋二＝三＋四
    wb.save(path)
    assert nianbao("validate", path, "--annotate").code == 1
    assert "D31" in marks(path, "第三部分")[MARK_ERROR]
    wb = openpyxl.load_workbook(path)
    named_cell(wb, "applications.carried_forward.natural_person").value = 0
    wb.save(path)
    assert nianbao("validate", path, "--annotate").code == 0
    assert marks(path, "第三部分") == {}
    assert results_rows(path)[0][2] == "XYR-01"  # only the info that no previous year was given


def test_annotate_keeps_a_persons_additions_and_opens_in_libreoffice(hongkou_2020, libreoffice, tmp_path):
    add_foreign_content(hongkou_2020)
    before = zip_parts(hongkou_2020)
    nianbao("validate", hongkou_2020, "--annotate")
    after = zip_parts(hongkou_2020)
    for name, data in before.items():
        if name.startswith(("xl/media/", "xl/comments", "xl/drawings/")) or "vmlDrawing" in name:
            assert after[name] == data, name
    wb = openpyxl.load_workbook(hongkou_2020)
    assert wb["内部备注"]["A1"].value == "这张表是我们自己加的"
    converted = libreoffice.recalc([hongkou_2020], tmp_path / "lo")[0]
    assert openpyxl.load_workbook(converted, data_only=True)[RESULTS_SHEET]["C3"].value == "TXT-03"
    assert json.loads(nianbao("export", converted).out)["applications"]["carried_over"]["total"] == 70


def test_annotate_needs_a_workbook():
    run = nianbao("validate", fixture_path("haining-2023"), "--annotate")
    assert run.code == 2 and "只能用于 .xlsx" in run.err
