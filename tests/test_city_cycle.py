"""The city office's cycle end to end: two levels (districts collect their units, the city
collects the districts' SUMMARY.xlsx and its own departments), returns resaved by LibreOffice, a
city report whose every total and every figure in its prose is the sum over the leaf units, rounds
of returns in the ledger, feedback that never collides, and a dashboard that prints."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from city_samples import CITY, DISTRICTS, YEAR, city_roster, district_roster, fill_copy, unit_data
from conftest import chromium_pdf, named_cell, nianbao, run_tool
from test_batch import dashboard

from nianbao.workbook_templates.format import figures as NF
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import get_path
from nianbao.workbook_templates.xlsx.reader import read_workbook

EDITION = S.EDITION_2021
JIA, YI = DISTRICTS


def _distribute_and_fill(tmp: Path, level: str, roster_text: str, units: dict[str, dict]) -> tuple[Path, Path]:
    roster = tmp / f"{level}名单.csv"
    roster.write_text(roster_text, encoding="gb18030")  # a roster saved from Excel on a Chinese PC
    sent, back = tmp / f"{level}下发", tmp / f"{level}填好"
    run = nianbao("distribute", "--roster", roster, "--year", YEAR, "--out", sent)
    assert run.code == 0, run.err
    back.mkdir()
    for name, data in units.items():
        fill_copy(sent / f"{name}-{YEAR}.xlsx", back / f"{name}-{YEAR}.xlsx", data)
    return roster, back


def _expected(leaves: list[dict]) -> dict:
    """The sum over the leaf units, cell by cell, totals included (each unit's own totals)."""
    out = {"edition": EDITION.key, "meta": {"year": YEAR}}
    for path in EDITION.figure_paths:
        if EDITION.fields[path].part in (S.Part.PART2, S.Part.PART3, S.Part.PART4):
            node = out
            *parents, last = path.split(".")
            for p in parents:
                node = node.setdefault(p, {})
            node[last] = sum(get_path(d, path) for d in leaves)
    return out


def _markdown_tables(md: str) -> dict[str, list[str]]:
    """Row label -> cells, for every table row of the generated Markdown."""
    rows = {}
    for line in md.splitlines():
        if line.startswith("| ") and not line.startswith("| 项目") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


def _assert_report_is_the_sum(md: str, expected: dict) -> None:
    assert "未填写完整" not in md
    rows = _markdown_tables(md)
    cols = [c.key for c in EDITION.application_columns]
    for r in EDITION.application_rows:
        label = next(k for k in rows if k.endswith(r.label))
        assert rows[label] == [str(expected["applications"][r.key][c]) for c in cols], r.label
    group_cells = [str(expected["review_litigation"][g.key][x.key]) for g in S.REVIEW_GROUPS for x in S.REVIEW_RESULTS]
    assert rows["\\"] == group_cells
    # every figure the statistics sentences state is the named figure of the sum
    f = {name: NF.value(expected, name) for name in NF.catalogue(EDITION)}
    assert f"本年度新收政府信息公开申请{f[NF.NEW]}件；上年结转{f[NF.CARRIED_OVER]}件；办理答复{f[NF.HANDLED]}件；" \
           f"结转下年度继续办理{f[NF.CARRIED_FORWARD]}件。" in md
    for o in NF.outcomes(expected):
        assert f"{o.name}{o.count}件，占{o.share:.2f}%" in md, o.name
    review = (f"行政复议{f[NF.REVIEW]}件，其中结果维持{f['行政复议结果维持']}件、结果纠正{f['行政复议结果纠正']}件、"
              f"其他结果{f['行政复议其他结果']}件、尚未审结{f['行政复议尚未审结']}件，纠错率{f['行政复议纠错率']:.2f}%")
    assert review in md
    assert f"被提起行政诉讼{f[NF.LITIGATION]}件（未经复议直接起诉{f['直接起诉']}件、复议后起诉{f['复议后起诉']}件）" in md
    stated = {int(n) for n in re.findall(r"(\d+)件", md.split("## 三、")[1].split("## 五、")[0]) if "|" not in n}
    named = {v for v in f.values() if isinstance(v, int)}
    assert stated <= named, stated - named  # no figure in the sentences that is not a figure of the sum


def test_two_levels_end_to_end_with_libreoffice_resaved_returns(tmp_path, libreoffice):
    leaves, rosters, filled = {}, {}, {}
    for level, roster_text, names in [(d, district_roster(d), (d, *DISTRICTS[d])) for d in DISTRICTS] + [
            ("市", city_roster(), (CITY, "示例市财政局"))]:
        units = {n: unit_data(n) for n in names}
        leaves.update(units)
        rosters[level], filled[level] = _distribute_and_fill(tmp_path, level, roster_text, units)
    # the units saved their returns in LibreOffice (one run for all of them)
    resaved = libreoffice.recalc(sorted(p for f in filled.values() for p in f.glob("*.xlsx")), tmp_path / "resaved")
    backs = {}
    for level, folder in filled.items():
        backs[level] = tmp_path / f"{level}交回"
        backs[level].mkdir()
        for p in folder.glob("*.xlsx"):
            shutil.move(next(r for r in resaved if r.name == p.name), backs[level] / p.name)
    summaries = {}
    for district in DISTRICTS:
        out = tmp_path / district / "汇总" / "SUMMARY.xlsx"  # a folder that does not exist yet
        run = nianbao("collect", backs[district], "--roster", rosters[district], "-o", out)
        assert run.code == 0, run.err
        summaries[district] = out
    roster, back = rosters["市"], backs["市"]
    # 甲区财政局 also sent its return straight to the city; 乙区财政局 sent a corrected, larger one
    shutil.copy(tmp_path / f"{JIA}交回" / f"示例市甲区财政局-{YEAR}.xlsx", back)
    bigger = unit_data("示例市乙区财政局")
    bigger["active"]["licensing"]["decisions"] += 100_000_000  # more than the whole district
    sent_yi = tmp_path / f"{YI}下发" / f"示例市乙区财政局-{YEAR}.xlsx"
    fill_copy(sent_yi, back / "乙区财政局-更正.xlsx", bigger)
    summary, report = tmp_path / "市" / "SUMMARY.xlsx", tmp_path / "市" / "city.md"
    run = nianbao("collect", back, *summaries.values(), "--roster", roster, "-o", summary, "--report", report)
    assert run.code == 0, run.err
    assert "AGG-01" in run.err and "示例市乙区人民政府" in run.err
    rows = {r["单位"]: r for r in dashboard(summary)}
    assert rows[JIA]["状态"] == rows[YI]["状态"] == "已收到" and rows[JIA]["文件"].endswith("SUMMARY.xlsx")
    for bureau, district in (("示例市甲区财政局", JIA), ("示例市乙区财政局", YI)):
        assert rows[bureau]["状态"] == "已含在汇总中" and f"已含在{district}汇总中" in rows[bureau]["说明"]
    assert "AGG-01" in rows[YI]["说明"]
    expected = _expected(list(leaves.values()))  # every leaf unit once
    data = read_workbook(summary).data
    for path in EDITION.figure_paths:
        if EDITION.fields[path].part in (S.Part.PART2, S.Part.PART3, S.Part.PART4):
            assert get_path(data, path) == get_path(expected, path), path
    assert data["meta"]["agency"] == CITY and data["meta"]["agency_kind"] == "government"
    md = report.read_text(encoding="utf-8")
    assert md.startswith(f"# {CITY}{YEAR}年度政府信息公开工作年度报告")
    _assert_report_is_the_sum(md, expected)
    # one path: the report generated from SUMMARY.xlsx says the same
    again = tmp_path / "again.md"
    assert nianbao("generate", summary, "-o", again).code == 0
    assert again.read_text(encoding="utf-8") == md
    ws = openpyxl.load_workbook(summary)["汇总情况"]
    last = [c.value for c in list(ws.iter_rows())[-1]]
    assert last[0].startswith("合计") and last[9:14] == [NF.value(expected, n) for n in
                                                        (NF.NEW, NF.HANDLED, NF.CARRIED_FORWARD, NF.REVIEW, NF.LITIGATION)]


def test_the_agency_of_the_report_or_a_refusal_that_says_what_to_pass(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text("名称,类型,上级\n甲区,政府,\n乙区,政府,\n", encoding="utf-8")
    sent = tmp_path / "sent"
    assert nianbao("distribute", "--roster", roster, "--year", YEAR, "--out", sent).code == 0
    back = tmp_path / "back"
    back.mkdir()
    data = unit_data("示例市甲区人民政府")
    fill_copy(sent / f"甲区-{YEAR}.xlsx", back / "甲区.xlsx", data)
    run = nianbao("collect", back, "--roster", roster, "-o", tmp_path / "S.xlsx")
    assert run.code == 2 and "--agency" in run.err and "甲区、乙区" in run.err
    assert not (tmp_path / "S.xlsx").exists()
    run = nianbao("collect", back, "--roster", roster, "--agency", "示例市人民政府", "--kind", "government",
                  "-o", tmp_path / "S.xlsx", "--report", tmp_path / "r.md")
    assert run.code == 0, run.err
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# 示例市人民政府2023年度")
    assert read_workbook(tmp_path / "S.xlsx").data["meta"]["agency"] == "示例市人民政府"


def test_roster_template_help_and_row_errors(tmp_path):
    out = tmp_path / "新建" / "名单.xlsx"
    assert nianbao("roster-template", "-o", out).code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["名单", "说明"]
    header = [c.value for c in wb["名单"][1]]
    assert header[:4] == ["名称", "类型", "上级", "汇总"] and "公开联系方式" in header
    explained = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "汇总＝是" in explained and "已含在" in explained
    sent = tmp_path / "sent"
    assert nianbao("distribute", "--roster", out, "--year", YEAR, "--out", sent).code == 0  # the example works
    helptext = nianbao("distribute", "--help").out
    for column in header:
        assert column in helptext, column
    bad = tmp_path / "bad.csv"
    bad.write_text("名称,类型,上级,汇总\n甲区,政府,,是\n乙区,政府,,也许\n甲区,政府,,\n", encoding="utf-8")
    run = nianbao("distribute", "--roster", bad, "--year", YEAR, "--out", tmp_path / "o")
    assert run.code == 2 and "第 3 行“乙区”的“汇总”" in run.err and "第 4 行“甲区”" in run.err


def _roster_of_namesakes(tmp_path: Path) -> Path:
    roster = tmp_path / "名单.csv"
    roster.write_text("名称,类型,上级,联系人,联系电话\n示例市人民政府,政府,,,\n甲区,政府,示例市人民政府,,\n"
                      "乙区,政府,示例市人民政府,,\n财政局,部门,甲区,张某,111\n财政局,部门,乙区,李某,222\n"
                      "A/B局,部门,示例市人民政府,,\nA_B局,部门,示例市人民政府,,\nA:B局,部门,示例市人民政府,,\n"
                      "教育局,部门,示例市人民政府,,\n", encoding="utf-8")
    return roster


def test_rounds_feedback_and_namesakes(tmp_path):
    roster = _roster_of_namesakes(tmp_path)
    sent, back = tmp_path / "sent", tmp_path / "back"
    assert nianbao("distribute", "--roster", roster, "--year", YEAR, "--out", sent).code == 0
    back.mkdir()
    files = {(u["上级"], u["名称"]): u["文件"] for u in _manifest(sent)}
    good = unit_data("示例市财政局")
    broken = unit_data("示例市财政局")
    broken["applications"]["carried_forward"]["natural_person"] = 3  # 一＋二 ≠ 三＋四
    warned = unit_data("示例市财政局")
    warned["active"]["regulations"].update(issued=5, repealed=0, in_force=2)  # XYR-03, a warning only
    for key, data in ((("甲区", "财政局"), broken), (("乙区", "财政局"), broken), (("示例市人民政府", "A/B局"), good),
                      (("示例市人民政府", "A_B局"), broken), (("示例市人民政府", "A:B局"), warned),
                      (("示例市人民政府", "教育局"), warned)):
        fill_copy(sent / files[key], back / files[key], data)
    shutil.copy(sent / files[("", "示例市人民政府")], back)  # came back untouched
    summary = tmp_path / "out" / "SUMMARY.xlsx"
    run = nianbao("collect", back, "--roster", roster, "-o", summary)
    assert run.code == 1, run.err
    rows = {(r["上级"] or "", r["单位"]): r for r in dashboard(summary)}
    assert rows[("", "示例市人民政府")]["状态"] == "未填写"
    assert rows[("甲区", "财政局")]["说明"].startswith("【错误 ARI-01】")  # the first error, in 说明
    assert rows[("示例市人民政府", "教育局")]["说明"].startswith("【警告 XYR-03】")
    assert rows[("甲区", "财政局")]["联系人"] == "张某" and rows[("乙区", "财政局")]["联系电话"] == "222"
    folder = summary.parent / "退回修改"
    texts = {p.name: p.read_text(encoding="utf-8-sig") for p in folder.iterdir()}
    assert len(texts) == 6, sorted(texts)  # one per unit with something to say: none overwrote another
    jia = next(t for n, t in texts.items() if "甲区" in n and "财政局" in n)
    yi = next(t for n, t in texts.items() if "乙区" in n and "财政局" in n)
    assert jia != yi or "张某" not in jia
    warn_only = [t for t in texts.values() if "XYR-03" in t and "ARI-01" not in t]
    assert len(warn_only) == 2 and all("请核实" in t and "请修改后重新报送" not in t for t in warn_only)
    assert all("请修改后重新报送" in t for t in texts.values() if "ARI-01" in t)
    html = summary.with_suffix(".html").read_text(encoding="utf-8")
    for name in texts:
        assert f'href="退回修改/{name}"' in html
    # round 2: 甲区财政局 corrects its figure, 乙区财政局 sends the very same file again
    fixed = unit_data("示例市财政局")
    fill_copy(sent / files[("甲区", "财政局")], back / files[("甲区", "财政局")], fixed)
    resent = back / files[("乙区", "财政局")]
    resent.write_bytes(resent.read_bytes())  # saved again from the unit's e-mail: the same bytes, a new file
    os.utime(resent, (resent.stat().st_atime, resent.stat().st_mtime + 60))
    assert nianbao("collect", back, "--roster", roster, "-o", summary).code == 1
    rows = {(r["上级"] or "", r["单位"]): r for r in dashboard(summary)}
    jia, yi = rows[("甲区", "财政局")], rows[("乙区", "财政局")]
    assert (jia["第几次报送"], jia["退回次数"], jia["错误"]) == (2, 1, 0)
    assert "四、结转下年度继续办理" in jia["与上次相比"] and "3→0" in jia["与上次相比"]
    assert (yi["第几次报送"], yi["退回次数"]) == (1, 0) and "完全相同" in yi["说明"]
    db = sqlite3.connect(summary.with_name("SUMMARY-报送记录.sqlite"))
    assert db.execute("SELECT COUNT(*) FROM runs").fetchone() == (2,)
    hashes = db.execute("SELECT COUNT(DISTINCT sha256) FROM receipts WHERE unit_name = '财政局'").fetchone()
    assert hashes == (3,)  # 甲区's two files and 乙区's one


def _manifest(sent: Path) -> list[dict]:
    ws = openpyxl.load_workbook(sent / "下发清单.xlsx").active
    rows = [[c.value or "" for c in r] for r in ws.iter_rows()]
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_a_unit_fills_its_template_and_old_format_returns_still_read(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text("名称,类型,上级,联系人,联系电话,公开联系方式\n示例市财政局,部门,示例市人民政府,钱某,139,"
                      "示例市财政局办公室（电话：0000-1000003）\n示例市教育局,部门,示例市人民政府,孙某,138,\n",
                      encoding="utf-8")
    sent = tmp_path / "sent"
    assert nianbao("distribute", "--roster", roster, "--year", YEAR, "--out", sent).code == 0
    for name, contact in (("示例市财政局", "示例市财政局办公室（电话：0000-1000003）"), ("示例市教育局", None)):
        path = sent / f"{name}-{YEAR}.xlsx"
        wb = openpyxl.load_workbook(path)
        for locked in S.UNIT_IDENTITY[:-1]:
            assert named_cell(wb, locked).protection.locked, locked
        for free in ("meta.published", "meta.contact", "meta.region"):
            assert not named_cell(wb, free).protection.locked, free
        data = read_workbook(path).data
        assert data["meta"]["contact"] == contact  # never the roster's contact person
        assert "钱某" not in str(data) and "孙某" not in str(data)
        assert get_path(data, "meta.parent") == "示例市人民政府"
        assert read_workbook(path).integrity == []
    # a return made from the format-1 template (last month's) is read without INT-01
    old = tmp_path / "旧模板.xlsx"
    fill_copy(Path(__file__).parent / "fixtures" / "workbooks" / "template-2021-v1.xlsx", old, unit_data("示例市教育局"))
    read = read_workbook(old)
    assert read.integrity == [] and get_path(read.data, "applications.new.total") == 523 * 9
    run = nianbao("validate", old)
    assert "INT-01" not in run.out + run.err


def test_distributed_copies_equal_what_openpyxl_would_write(tmp_path):
    from nianbao.batch.clone import write_copy
    from nianbao.workbook_templates.format.report_data import empty_report, set_path
    from nianbao.workbook_templates.xlsx.writer import write_workbook

    data = empty_report(EDITION)
    for k, v in (("agency", "示例市财政局"), ("year", YEAR), ("agency_kind", "department"), ("unit_id", "Uabc"),
                 ("parent", "示例市人民政府"), ("contact", "办公室（电话：1）"), ("region", "示例市")):
        set_path(data, f"meta.{k}", v)
    last = unit_data("示例市财政局")
    last["meta"]["year"] = YEAR - 1
    for c in EDITION.application_columns:
        set_path(data, f"applications.carried_over.{c.key}", 7)
    data["previous"] = {k: v for k, v in last.items() if k != "previous"}
    write_copy(data, tmp_path / "clone.xlsx")
    write_workbook(data, tmp_path / "openpyxl.xlsx", lock_meta=True)
    a, b = read_workbook(tmp_path / "clone.xlsx"), read_workbook(tmp_path / "openpyxl.xlsx")
    assert a.data == b.data and a.integrity == b.integrity == []
    assert a.data["applications"]["carried_over"]["total"] == 42


@pytest.mark.parametrize("units", [90])
def test_the_dashboard_prints_one_page_wide_with_its_header_on_every_page(tmp_path, libreoffice, units):
    roster = tmp_path / "名单.csv"
    roster.write_text("名称,类型,上级,联系人,联系电话\n示例市人民政府,政府,,王某,0000-1000001\n" + "".join(
        f"示例市第{i:02d}局,部门,示例市人民政府,某某,0000-{i:07d}\n" for i in range(1, units)), encoding="utf-8")
    sent, back = tmp_path / "sent", tmp_path / "back"
    assert nianbao("distribute", "--roster", roster, "--year", YEAR, "--out", sent).code == 0
    back.mkdir()
    broken = unit_data("示例市财政局")
    broken["applications"]["carried_forward"]["natural_person"] = 3
    for i, data in ((1, unit_data("示例市财政局")), (2, broken), (3, unit_data("示例市教育局"))):
        fill_copy(sent / f"示例市第{i:02d}局-{YEAR}.xlsx", back / f"{i}.xlsx", data)
    shutil.copy(sent / f"示例市第04局-{YEAR}.xlsx", back)
    summary = tmp_path / "SUMMARY.xlsx"
    assert nianbao("collect", back, "--roster", roster, "-o", summary).code == 1
    # LibreOffice prints the dashboard (the first sheet) as the workbook's first pages
    pdf = libreoffice.convert([summary], "pdf", tmp_path / "pdf")[0]
    pages = int(re.search(r"Pages:\s+(\d+)", run_tool("pdfinfo", pdf)).group(1))
    texts = [run_tool("pdftotext", "-f", str(p), "-l", str(p), "-layout", pdf, "-") for p in range(1, pages + 1)]
    board = [t for t in texts if "第几次" in t]
    assert 2 <= len(board) <= 4, len(board)  # 90 units: landscape, one page wide, a few pages long
    for t in board:
        assert "单位" in t and "联系电话" in t and "说明" in t  # header repeated, and the last column on it
    assert "合计" in board[-1] and "示例市第44局" in "".join(board)
    joined = re.sub(r"\s", "", "".join(board))
    assert "未填写" in joined and "【错误ARI-01】" in joined
    # SUMMARY.html in Chromium: the count line, the date, the totals, whole headers
    html_pdf = chromium_pdf(summary.with_suffix(".html"), tmp_path / "html.pdf")
    text = run_tool("pdftotext", "-layout", html_pdf, "-")
    assert f"收到 4/{units}，有错误 1，未收到 {units - 4}" in text
    assert "汇总日期：" in text and "合计" in text
    for header in ("最后收到时间", "第几次报送", "联系电话", "与上次相比"):
        assert header in text, header  # not broken mid-word
