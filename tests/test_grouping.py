"""One finding per cause in what a person reads: the text output of validate and the 校验结果
sheet group the findings (a blank row is one line; the same difference in several columns is one
line; run-together rows split by the same relations are one line; errors first), the JSON keeps
one finding per relation, and acknowledgements keyed by rule and relation still match."""

from __future__ import annotations

import copy
import json

import openpyxl
from conftest import load_fixture, nianbao

from nianbao.addin.checks.findings import Report
from nianbao.addin.checks.grouping import for_people
from nianbao.addin.checks.validate import check
from nianbao.addin.excel.results_sheet import COL_BY, COL_KEY, COL_NOTE, RESULTS_SHEET, read_acknowledgements, \
    result_rows

COLUMNS = "自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他、总计"


def _published(**rows) -> dict:
    d = copy.deepcopy(load_fixture("haining-2023"))
    d["source"] = {"format": "txt"}
    for key, values in rows.items():
        d["applications"][key].update(values)
    return d


def test_a_blank_row_is_one_line(tmp_path):
    data = _published(new={c: None for c in load_fixture("haining-2023")["applications"]["new"]})
    src = tmp_path / "blank-row.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    found = json.loads(nianbao("validate", src, "--format", "json").out)["findings"]
    assert len([f for f in found if f["rule"] == "CHK-01"]) == 8  # E3 of the row + E1 of seven columns
    text = nianbao("validate", src).out
    assert text.count("NUM-01") == 1 and "CHK-01" not in text.replace("NUM-01、CHK-01", "")
    assert [ln.message for ln in for_people(check(data)) if ln.rule == "NUM-01"] == [
        f"第三部分“一、本年新收政府信息公开申请数量”：{COLUMNS} 未填（原文空白）；因此 8 条勾稽关系无法校验"]
    assert "按原因合并为" in text


def test_the_same_difference_in_several_columns_is_one_line():
    hn = load_fixture("haining-2023")["applications"]["partially_granted"]
    data = _published(partially_granted={"natural_person": hn["natural_person"] + 1, "commercial": hn["commercial"] + 1,
                                         "total": hn["total"] + 2})
    lines = [ln for ln in for_people(check(data)) if ln.rule == "ARI-02"]
    assert [ln.message for ln in lines] == [
        "第三部分“自然人”“商业企业”列：（七）总计都比各项办理结果之和少1件",
        "第三部分“总计”列：（七）总计＝523，各项办理结果之和＝525，前者少2件"]
    assert len(lines[0].members) == 2  # every finding is kept behind the line


def test_errors_come_first_and_every_finding_is_behind_a_line():
    data = _published(new={c: None for c in load_fixture("haining-2023")["applications"]["new"]})
    findings = check(data)
    lines = for_people(findings)
    severities = [ln.severity for ln in lines]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    assert sorted(id(f) for ln in lines for f in ln.members) == sorted(id(f) for f in findings)


def test_a_confirmation_on_a_grouped_row_reaches_every_finding(tmp_path):
    data = _published(new={c: None for c in load_fixture("haining-2023")["applications"]["new"]})
    report = Report("x", check(data))
    rows = result_rows(report, {}).rows
    grouped = next(r for r in rows[1:] if "NUM-01" in str(r[2]) and "\n" in str(r[COL_KEY - 1]))
    keys = grouped[COL_KEY - 1].split("\n")
    book = tmp_path / "acks.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = RESULTS_SHEET
    ws.append(list(rows[0]))
    line = list(grouped)
    line[COL_BY - 1], line[COL_NOTE - 1] = "张三", "原文确实空白"
    ws.append(line)
    wb.save(book)
    acks = read_acknowledgements(book)
    assert set(acks) == set(keys) and len(keys) == 9  # NUM-01 and the eight CHK-01 it stands for
    assert all(a == {"by": "张三", "note": "原文确实空白"} for a in acks.values())


def test_validate_of_typical_imported_reports_fits_a_screenful():
    """Rows with the same blank columns are one line; a report's whole text output stays within
    50 lines of 140 columns (it was 78 for the OCR seed and 69 for the blank-cells page)."""
    from conftest import FIXTURES

    for src in (FIXTURES / "published" / "shanghai-2023-ocr.txt", FIXTURES / "published" / "shanghai-2020.txt",
                FIXTURES / "corpus" / "haining-2023-blank-cells.html"):
        run = nianbao("validate", src)
        assert run.code in (0, 1), run.err
        assert len(run.out.splitlines()) <= 50, (src.name, len(run.out.splitlines()))


def test_the_same_difference_in_rows_whose_labels_hold_quotes_is_one_line():
    # 3.危及“三安全一稳定” carries quotes of its own: the message could not be parsed back into its
    # rows, so the two rows off by the same 1 stayed two lines
    data = _published(withheld_state_secret={"total": 1}, withheld_security_stability={"total": 1})
    lines = [ln for ln in for_people(check(data)) if ln.rule == "ARI-03"]
    assert [ln.message for ln in lines] == [
        "第三部分“1.属于国家秘密”“3.危及“三安全一稳定””行：总计都比六类申请人之和多1件"]
    assert len(lines[0].members) == 2


def test_findings_carry_what_they_say_as_facts(tmp_path):
    """Each sum finding states its relation and both sides as data (JSON key ``facts``, added to
    the contract); what a person reads is grouped on those, not on the wording of the message."""
    hn = load_fixture("haining-2023")["applications"]["partially_granted"]
    data = _published(partially_granted={"natural_person": hn["natural_person"] + 1, "commercial": hn["commercial"] + 1,
                                         "total": hn["total"] + 2})
    src = tmp_path / "x.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    found = json.loads(nianbao("validate", src, "--format", "json").out)["findings"]
    ari02 = [f["facts"] for f in found if f["rule"] == "ARI-02"]
    assert ari02[0] == {"relation": "E2", "part": "第三部分", "name": "自然人", "axis": "列",
                        "sides": ["（七）总计", "各项办理结果之和"], "left": 505, "right": 506, "difference": -1}
    assert [f["difference"] for f in ari02] == [-1, -1, -2]
    findings = check(data)
    for f in findings:
        f.message = f"reworded: {f.message[::-1]}"  # the wording is for people, never parsed
    assert [len(ln.members) for ln in for_people(findings) if ln.rule == "ARI-02"] == [2, 1]
