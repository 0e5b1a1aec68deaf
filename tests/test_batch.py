"""Distribution to units and collection of their returns: rosters, safe file names, carried-forward
templates, matching, the dashboard, feedback files, and the consolidated sum."""

from __future__ import annotations

import copy
import json
import os
import time
from pathlib import Path

import openpyxl
from conftest import fixture_path, load_fixture, named_cell, nianbao

from nianbao.batch.roster import read_roster, safe_file_stem
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import get_path
from nianbao.workbook_templates.xlsx.reader import read_workbook
from nianbao.workbook_templates.xlsx.writer import write_workbook


def dashboard(path: Path) -> list[dict]:
    """The 汇总情况 sheet's unit rows by header (title, count line and header above, 合计 below)."""
    ws = openpyxl.load_workbook(path)["汇总情况"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = rows[2]
    assert str(rows[-1][0]).startswith("合计")
    return [dict(zip(header, r)) for r in rows[3:-1]]


def write_roster(path: Path, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("名称,类型,上级,联系人,联系电话,汇总\n" + "\n".join(rows) + "\n").encode(encoding))
    return path


def test_gbk_roster_safe_names_and_the_hongkou_carry_forward(tmp_path):
    roster = write_roster(tmp_path / "名单.csv", [
        "上海市虹口区,政府,,张三,021-25000000,否",
        "上海市虹口区/../教育局,部门,上海市虹口区,,,",
        'CON,其他,上海市虹口区,,,',
        "上海市虹口区:发展*改革?委,部门,上海市虹口区,李四,,",
    ], encoding="gb18030")
    last = tmp_path / "last"
    last.mkdir()
    nianbao("import", fixture_path("hongkou-2019"), "-o", last / "虹口区2019.xlsx")
    run = nianbao("distribute", "--roster", roster, "--year", "2020", "--previous-dir", last, "--out", tmp_path / "out")
    assert run.code == 0, run.err
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert files == {"CON-2020.xlsx", "上海市虹口区-2020.xlsx", "上海市虹口区_发展_改革_委-2020.xlsx",
                     "上海市虹口区___教育局-2020.xlsx", "下发清单.csv", "下发清单.xlsx"}
    hk = tmp_path / "out" / "上海市虹口区-2020.xlsx"
    data = read_workbook(hk).data
    assert data["applications"]["carried_over"]["natural_person"] == 70
    assert data["applications"]["carried_over"]["total"] == 70
    assert data["previous"]["meta"]["year"] == 2019
    assert data["meta"]["contact"] is None  # the roster's contact person is not the report's public contact
    assert data["meta"]["unit_id"] and data["meta"]["unit_id"].startswith("U")
    wb = openpyxl.load_workbook(hk)
    for path in ("meta.agency", "meta.year", "meta.agency_kind", "meta.parent"):  # what identifies the unit
        assert named_cell(wb, path).protection.locked, path
    for path in ("meta.contact", "meta.published", "meta.region", "applications.new.natural_person"):
        assert not named_cell(wb, path).protection.locked, path
    manifest = (tmp_path / "out" / "下发清单.csv").read_text(encoding="utf-8-sig")
    assert "已结转（虹口区2019.xlsx）" in manifest and manifest.count("无上年数据") == 3


def test_roster_problems_are_named(tmp_path):
    bad = write_roster(tmp_path / "bad.csv", ["上海市虹口区,城市,,,,", ",部门,上海市虹口区,,,"])
    run = nianbao("distribute", "--roster", bad, "--year", "2023", "--out", tmp_path / "o")
    assert run.code == 2 and "“类型”应为" in run.err and "没有“名称”" in run.err
    stem = safe_file_stem("../../etc/passwd")
    assert "/" not in stem and ".." not in stem
    assert safe_file_stem("CON") == "_CON" and safe_file_stem("a:b*c?") == "a_b_c_"
    xlsx = tmp_path / "名单.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["名称", "类型", "上级"])
    wb.active.append(["海宁市人民政府", "政府", ""])
    wb.save(xlsx)
    assert [u.name for u in read_roster(xlsx)] == ["海宁市人民政府"]


def _returns(tmp_path: Path) -> tuple[Path, Path, dict]:
    """A city (汇总 of its two bureaus), two bureaus, a street office; returns for 2023."""
    roster = write_roster(tmp_path / "名单.csv", [
        "海宁市人民政府,政府,,王五,0573-1,是",
        "海宁市教育局,部门,海宁市人民政府,,,",
        "海宁市民政局,部门,海宁市人民政府,,,",
        "海宁市硖石街道办事处,其他,,,,",
        "海宁市财政局,部门,,,,",
    ])
    out = tmp_path / "sent"
    assert nianbao("distribute", "--roster", roster, "--year", "2023", "--out", out).code == 0
    back = tmp_path / "back"
    back.mkdir()
    haining = load_fixture("haining-2023")
    figures = {}
    for name, tweak in (("海宁市教育局", None), ("海宁市民政局", "unbalanced"), ("海宁市硖石街道办事处", None),
                        ("海宁市人民政府", "small")):
        sent = read_workbook(out / f"{name}-2023.xlsx").data
        data = copy.deepcopy(haining)
        data["meta"] = sent["meta"]
        if tweak == "unbalanced":
            data["applications"]["carried_forward"]["natural_person"] = 3  # 一＋二 ≠ 三＋四 in 自然人
        if tweak == "small":
            data["active"]["licensing"]["decisions"] = 600  # less than its bureaus' 574669 + 574669
        target = back / ("改了名字的文件.xlsx" if name == "海宁市硖石街道办事处" else f"{name}-2023.xlsx")
        write_workbook(data, target)
        figures[name] = data
    # an older second file of the education bureau, and a broken file of the finance bureau
    older = back / "海宁市教育局-2023-旧.xlsx"
    stale = copy.deepcopy(figures["海宁市教育局"])
    stale["applications"]["new"]["commercial"] = 999
    write_workbook(stale, older)
    os.utime(older, (time.time() - 3600, time.time() - 3600))
    (back / "海宁市财政局-2023.xlsx").write_text("这不是工作簿")
    (back / "~$海宁市教育局-2023.xlsx").write_bytes(b"lock")
    return roster, back, figures


def test_collect_dashboard_feedback_and_the_sum(tmp_path):
    roster, back, figures = _returns(tmp_path)
    summary = tmp_path / "SUMMARY.xlsx"
    run = nianbao("collect", back, "--roster", roster, "-o", summary, "--report", tmp_path / "city.md")
    assert run.code == 1, run.err  # a unit with an error, and a broken file
    wb = openpyxl.load_workbook(summary)
    assert wb.sheetnames[0] == "汇总情况" and wb["汇总情况"].auto_filter.ref
    rows = dashboard(summary)
    status = {r["单位"]: r["状态"] for r in rows}
    assert status == {"海宁市人民政府": "已收到", "海宁市教育局": "已含在汇总中", "海宁市民政局": "已含在汇总中",
                      "海宁市硖石街道办事处": "已收到", "海宁市财政局": "文件有误"}
    assert {rows[0]["单位"], rows[1]["单位"]} == {"海宁市民政局", "海宁市财政局"}  # errors first
    edu = next(r for r in rows if r["单位"] == "海宁市教育局")
    assert edu["文件"] == "海宁市教育局-2023.xlsx" and "海宁市教育局-2023-旧.xlsx" in edu["说明"]  # newest wins
    assert "已含在海宁市人民政府汇总中" in edu["说明"]
    # the sum: the city's own report (it includes its bureaus) + the street office, counted once
    data = json.loads(nianbao("export", summary).out)
    city, street = figures["海宁市人民政府"], figures["海宁市硖石街道办事处"]
    edition = S.EDITION_2021
    for path in edition.entered_paths:
        if edition.fields[path].part in ("第三部分", "第四部分"):
            assert get_path(data, path) == get_path(city, path) + get_path(street, path), path
    assert data["meta"]["agency"] == "海宁市人民政府" and data["meta"]["year"] == 2023
    assert "AGG-01" in run.err and "600" in run.err
    street_row = next(r for r in rows if r["单位"] == "海宁市硖石街道办事处")
    assert street_row["文件"] == "改了名字的文件.xlsx"  # matched by its hidden unit id
    city_row = next(r for r in rows if r["单位"] == "海宁市人民政府")
    assert "AGG-01" in city_row["说明"]
    feedback = {p.name for p in (tmp_path / "退回修改").iterdir()}
    assert "海宁市民政局-退回修改.txt" in feedback and "海宁市财政局-退回修改.txt" in feedback
    text = (tmp_path / "退回修改" / "海宁市民政局-退回修改.txt").read_text(encoding="utf-8-sig")
    assert "ARI-01" in text and "自然人" in text
    html = summary.with_suffix(".html").read_text(encoding="utf-8")
    assert "海宁市财政局" in html and "文件有误" in html
    city_md = (tmp_path / "city.md").read_text(encoding="utf-8")
    assert "（此部分未填写。）" in city_md and "未填写完整" not in city_md


def test_missing_units_and_a_clean_run(tmp_path):
    roster = write_roster(tmp_path / "名单.csv", ["海宁市人民政府,政府,,,,", "海宁市教育局,部门,海宁市人民政府,,,"])
    out = tmp_path / "sent"
    nianbao("distribute", "--roster", roster, "--year", "2023", "--out", out)
    data = load_fixture("haining-2023")
    data["meta"] = read_workbook(out / "海宁市人民政府-2023.xlsx").data["meta"]
    back = tmp_path / "back"
    back.mkdir()
    write_workbook(data, back / "a.xlsx")
    run = nianbao("collect", back, "--roster", roster, "-o", tmp_path / "S.xlsx")
    assert run.code == 0, run.err
    assert "未收到（1）：海宁市教育局" in run.err


def test_no_valid_return(tmp_path):
    back = tmp_path / "back"
    back.mkdir()
    (back / "x.xlsx").write_text("not a workbook")
    run = nianbao("collect", back, "--agency", "海宁市人民政府", "-o", tmp_path / "S.xlsx")
    assert run.code == 2 and "无法汇总" in run.err
    assert not (tmp_path / "S.xlsx").exists()


def test_names_are_escaped_in_the_dashboard(tmp_path):
    roster = write_roster(tmp_path / "名单.csv", ['"<script>alert(1)</script>局",部门,,,,', "=1+1局,部门,,,,"])
    out = tmp_path / "sent"
    assert nianbao("distribute", "--roster", roster, "--year", "2023", "--out", out).code == 0
    back = tmp_path / "back"
    back.mkdir()
    for f in out.glob("*.xlsx"):
        if f.name.startswith("下发"):
            continue
        data = load_fixture("haining-2023")
        data["meta"] = read_workbook(f).data["meta"]
        write_workbook(data, back / f.name)
    nianbao("collect", back, "--roster", roster, "--agency", "某市人民政府", "-o", tmp_path / "S.xlsx")
    html = (tmp_path / "S.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    ws = openpyxl.load_workbook(tmp_path / "S.xlsx")["汇总情况"]
    assert all(c.data_type == "s" for c in ws["A"][3:-1])  # =1+1局 stays text
    assert "'=1+1局" in (out / "下发清单.csv").read_text(encoding="utf-8-sig")


def test_dashboard_key_figures(tmp_path):
    roster, back, figures = _returns(tmp_path)
    nianbao("collect", back, "--roster", roster, "-o", tmp_path / "S.xlsx")
    edu = next(r for r in dashboard(tmp_path / "S.xlsx") if r["单位"] == "海宁市教育局")
    assert [edu[k] for k in ("新收申请", "办理答复", "结转下年度", "行政复议", "行政诉讼")] == [523, 523, 0, 9, 6]


def test_a_roster_without_units_or_without_the_name_column_is_refused(tmp_path):
    only_header = tmp_path / "空名单.csv"
    only_header.write_text("名称,类型,上级\n", encoding="utf-8")
    run = nianbao("distribute", "--roster", only_header, "--year", "2023", "--out", tmp_path / "o")
    assert run.code == 2 and "没有任何单位" in run.err and not (tmp_path / "o").exists()
    no_name = tmp_path / "无名称列.csv"
    no_name.write_text("单位,类型\n海宁市人民政府,政府\n", encoding="utf-8")
    run = nianbao("distribute", "--roster", no_name, "--year", "2023", "--out", tmp_path / "o")
    assert run.code == 2 and "缺少“名称”列" in run.err
    padded = tmp_path / "列名有空格.csv"
    padded.write_text(" 名称 ,类型\n海宁市人民政府,政府\n", encoding="utf-8")
    assert [u.name for u in read_roster(padded)] == ["海宁市人民政府"]


def test_namesakes_in_two_districts_are_each_counted_under_their_own(tmp_path):
    """Two districts each have a 教育局; only 甲区 sends a report that includes its units (汇总).
    乙区's 教育局 is counted by itself, not taken as included in 甲区's summary because its name is
    that of one of 甲区's units (before: it was, and the city's figures lacked it)."""
    roster = write_roster(tmp_path / "名单.csv", [
        "某市人民政府,政府,,,,",
        "甲区人民政府,政府,某市人民政府,,,是",
        "教育局,部门,甲区人民政府,,,",
        "乙区人民政府,政府,某市人民政府,,,",
        "教育局,部门,乙区人民政府,,,",
    ])
    units = read_roster(roster)
    back = tmp_path / "back"
    back.mkdir()
    haining = load_fixture("haining-2023")
    for u in units[1:]:
        data = copy.deepcopy(haining)
        data["meta"].update(agency=u.name, unit_id=u.unit_id, year=2023, parent=u.parent, agency_kind=u.kind)
        write_workbook(data, back / f"{u.parent}-{u.name}.xlsx")
    summary = tmp_path / "SUMMARY.xlsx"
    run = nianbao("collect", back, "--roster", roster, "-o", summary)
    assert run.code == 0, run.err
    status = {(r["上级"], r["单位"]): r["状态"] for r in dashboard(summary)}
    assert status[("甲区人民政府", "教育局")] == "已含在汇总中"
    assert status[("乙区人民政府", "教育局")] == "已收到" and status[("某市人民政府", "乙区人民政府")] == "已收到"
    data = json.loads(nianbao("export", summary).out)  # 甲区 (with its 教育局), 乙区, 乙区's 教育局
    for path in ("applications.new.natural_person", "active.licensing.decisions"):
        assert get_path(data, path) == 3 * get_path(haining, path), path


def test_a_parent_named_by_two_units_is_refused(tmp_path):
    """Two 城关镇 in two counties, and a unit whose 上级 is “城关镇人民政府”: which one is meant cannot
    be known, so the roster is refused, saying which rows (a 汇总 of the wrong one would swallow it)."""
    roster = write_roster(tmp_path / "名单.csv", [
        "某市人民政府,政府,,,,",
        "甲县人民政府,政府,某市人民政府,,,",
        "乙县人民政府,政府,某市人民政府,,,",
        "城关镇人民政府,政府,甲县人民政府,,,是",
        "城关镇人民政府,政府,乙县人民政府,,,",
        "城关镇中心小学,其他,城关镇人民政府,,,",
    ])
    run = nianbao("distribute", "--roster", roster, "--year", "2023", "--out", tmp_path / "sent")
    assert run.code != 0 and not (tmp_path / "sent").exists()
    assert "第 7 行“城关镇中心小学”的上级“城关镇人民政府”在名单中有 2 个同名单位（第 5、6 行）" in run.err, run.err
