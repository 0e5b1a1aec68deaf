"""The ribbon's core functions on xlwings' JSON book, replayed onto the .xlsx and recalculated by
LibreOffice, give what the command line gives; bad cases queue nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import fixture_path, nianbao
from xlwings_book import book, replay

from nianbao.addin.excel import ribbon
from nianbao.addin.excel import ribbon_core
from nianbao.addin.excel.results_sheet import RESULTS_SHEET
from nianbao.workbook_templates.format.errors import NianbaoError, NotOurWorkbook, UnreadableFile


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory, libreoffice) -> dict[str, Path]:
    """Real filled templates as Excel would hand them over: recalculated, with cached values."""
    tmp = tmp_path_factory.mktemp("addin")
    made = {"hk2020": tmp / "虹口区-2020.xlsx", "hk2019": tmp / "虹口区-2019.xlsx", "blank2020": tmp / "空白-2020.xlsx"}
    nianbao("import", fixture_path("hongkou-2020"), "-o", made["hk2020"])
    nianbao("import", fixture_path("hongkou-2019"), "-o", made["hk2019"])
    nianbao("new", "--year", "2020", "--agency", "上海市虹口区", "--kind", "government", "-o", made["blank2020"])
    out = libreoffice.recalc(list(made.values()), tmp / "lo")
    return dict(zip(made, out))


def copy(src: Path, tmp: Path, name: str) -> Path:
    dst = tmp / name
    shutil.copy(src, dst)
    return dst


def results(path: Path) -> list[list]:
    ws = openpyxl.load_workbook(path, data_only=True)[RESULTS_SHEET]
    rows = []
    for row in ws.iter_rows(min_row=1, max_col=8):
        rows.append([int(c.value) if isinstance(c.value, float) else (c.value or "") for c in row])
    return rows


def test_validate_matches_the_command_line(workbooks, libreoffice, tmp_path):
    cli = copy(workbooks["hk2020"], tmp_path, "cli.xlsx")
    assert nianbao("validate", cli, "--annotate").code == 1
    b = book(workbooks["hk2020"])
    message = ribbon_core.validate_book(b)
    assert message.startswith("校验完成：错误 1 项，警告 1 项")
    replayed = replay(b.json()["actions"], workbooks["hk2020"], tmp_path / "xl.xlsx")
    recalculated = libreoffice.recalc([replayed], tmp_path / "lo")[0]
    assert results(recalculated) == results(cli)
    ws = openpyxl.load_workbook(recalculated)["文字部分"]
    assert ws["B11"].fill.fgColor.rgb.endswith("FF7C80")  # TXT-03 error: the oversight text cell
    wb = openpyxl.load_workbook(recalculated)
    links = {c.hyperlink.location for row in wb[RESULTS_SHEET].iter_rows() for c in row if c.hyperlink}
    assert "'文字部分'!B11" in links
    # typed figures untouched
    assert json.loads(nianbao("export", recalculated).out)["applications"] == \
        json.loads(nianbao("export", workbooks["hk2020"]).out)["applications"]


def test_validate_keeps_a_confirmation_typed_in_the_sheet(workbooks, tmp_path):
    path = copy(workbooks["hk2020"], tmp_path, "ack.xlsx")
    nianbao("validate", path, "--annotate")
    wb = openpyxl.load_workbook(path)
    ws = wb[RESULTS_SHEET]
    for row in ws.iter_rows(min_row=2):
        if row[2].value == "TXT-04":
            row[5].value, row[6].value = "王五", "信息处理费在另一份文件中说明"
    wb.save(path)
    b = book(path)
    ribbon_core.validate_book(b)
    rows = [a for a in b.json()["actions"] if a["func"] == "setValues" and a["sheet_position"] == 6]
    written = rows[-1]["values"]
    acked = [r for r in written if r[2] == "TXT-04"][0]
    assert acked[5:7] == ["王五", "信息处理费在另一份文件中说明"]


def test_carry_forward_matches_the_command_line(workbooks, libreoffice, tmp_path):
    cli = copy(workbooks["blank2020"], tmp_path, "cli.xlsx")
    assert nianbao("carry-forward", "--from", workbooks["hk2019"], "--to", cli).code == 0
    b = book(workbooks["blank2020"])
    message = ribbon_core.carry_forward_book(b, workbooks["hk2019"], confirm=lambda text: pytest.fail(text))
    assert "已从" in message and "第三部分!D8=70" in message
    replayed = replay(b.json()["actions"], workbooks["blank2020"], tmp_path / "xl.xlsx")
    recalculated = libreoffice.recalc([replayed], tmp_path / "lo")[0]
    ours, theirs = (json.loads(nianbao("export", p).out) for p in (recalculated, cli))
    assert ours["applications"]["carried_over"] == theirs["applications"]["carried_over"]
    assert ours["applications"]["carried_over"]["total"] == 70
    assert ours["previous"] == theirs["previous"] and ours["previous"]["meta"]["year"] == 2019


def _with_typed(workbooks, tmp_path, value) -> Path:
    path = copy(workbooks["blank2020"], tmp_path, "typed.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["第三部分"]["D8"] = value
    wb.save(path)
    return path


def test_carry_forward_asks_before_overwriting_a_typed_figure(workbooks, tmp_path):
    path = _with_typed(workbooks, tmp_path, 65)
    asked = []
    b = book(path)
    message = ribbon_core.carry_forward_book(b, workbooks["hk2019"], confirm=lambda t: asked.append(t) or False)
    assert message == "已取消，没有做任何改动。" and "已填 65" in asked[0]
    assert b.json()["actions"] == []
    b = book(path)
    ribbon_core.carry_forward_book(b, workbooks["hk2019"], confirm=lambda t: True)
    d8 = [a for a in b.json()["actions"] if a["func"] == "setValues" and a["sheet_position"] == 2
          and (a["start_row"], a["start_column"]) == (7, 3)]
    assert d8 and d8[0]["values"] == [[70]]


def test_bad_cases_queue_nothing(workbooks, tmp_path):
    foreign = tmp_path / "预算.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "预算"
    wb.save(foreign)
    b = book(foreign)
    with pytest.raises(NotOurWorkbook, match="不是 nianbao 年报模板"):
        ribbon_core.validate_book(b)
    assert b.json()["actions"] == []
    b = book(workbooks["blank2020"])
    with pytest.raises(UnreadableFile, match="找不到上年的文件"):
        ribbon_core.carry_forward_book(b, tmp_path / "missing.xlsx", confirm=lambda t: True)
    other_agency = json.loads(fixture_path("hongkou-2019").read_text(encoding="utf-8"))
    other_agency["meta"]["agency"] = "上海市黄浦区"
    (tmp_path / "hp.json").write_text(json.dumps(other_agency, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(NianbaoError, match="上海市黄浦区"):
        ribbon_core.carry_forward_book(b, tmp_path / "hp.json", confirm=lambda t: True)
    with pytest.raises(NianbaoError, match="2020 年度"):
        ribbon_core.carry_forward_book(b, fixture_path("hongkou-2020"), confirm=lambda t: True)
    assert b.json()["actions"] == []


def test_entry_point_turns_errors_into_a_chinese_alert(tmp_path):
    foreign = tmp_path / "预算.xlsx"
    openpyxl.Workbook().save(foreign)
    b = book(foreign)
    ribbon.validate(b)
    actions = b.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    assert "不是 nianbao 年报模板" in json.dumps(actions[0]["args"], ensure_ascii=False)


def test_find_last_year_and_generate_beside_the_workbook(workbooks, tmp_path):
    for name, src in (("虹口区-2019.xlsx", workbooks["hk2019"]), ("虹口区-2020.xlsx", workbooks["hk2020"])):
        copy(src, tmp_path, name)
    decoy = json.loads(fixture_path("hongkou-2019").read_text(encoding="utf-8"))
    decoy["meta"]["agency"] = "上海市黄浦区"
    (tmp_path / "d.json").write_text(json.dumps(decoy, ensure_ascii=False), encoding="utf-8")
    nianbao("import", tmp_path / "d.json", "-o", tmp_path / "黄浦区-2019.xlsx")
    (tmp_path / "~$虹口区-2019.xlsx").write_bytes(b"lock")
    this = tmp_path / "虹口区-2020.xlsx"
    assert ribbon_core.find_last_year(this, "上海市虹口区", 2020) == tmp_path / "虹口区-2019.xlsx"
    assert ribbon_core.find_last_year(this, "上海市虹口区", 2022) is None
    message = ribbon_core.generate_book(book(this), this)
    assert (tmp_path / "虹口区-2020.docx").exists() and (tmp_path / "虹口区-2020.html").exists()
    assert "已生成" in message


def test_new_workbook_never_overwrites(tmp_path):
    path = ribbon_core.new_workbook(tmp_path, 2024, "海宁市人民政府")
    assert path.name == "海宁市人民政府-2024.xlsx"
    assert json.loads(nianbao("export", path).out)["meta"]["agency_kind"] == "government"
    with pytest.raises(NianbaoError, match="已存在"):
        ribbon_core.new_workbook(tmp_path, 2024, "海宁市人民政府")


def test_the_click_path_imports_nothing_heavy():
    code = ("import sys, nianbao.addin.excel.ribbon; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'xlwings','openpyxl','docx','matplotlib','lxml'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


class _Range:
    """A stand-in for one xlwings range (not our code): holds a value, fails when told to."""

    def __init__(self, store: dict, ref: str, fail_on: set) -> None:
        self.store, self.ref, self.fail_on = store, ref, fail_on

    @property
    def value(self):
        return self.store.get(self.ref)

    @value.setter
    def value(self, v):
        if self.ref in self.fail_on and v is not None:
            raise OSError("Excel refused the write")
        self.store[self.ref] = v


def test_writes_are_undone_when_one_fails():
    from nianbao.addin.excel.book_io import Writes

    store = {"D8": None, "E8": 5, "F8": None}
    w = Writes(book=None)
    with pytest.raises(OSError):
        for ref, v in (("D8", 70), ("E8", 0), ("F8", 1)):
            try:
                w.set(_Range(store, ref, {"F8"}), v)
            except OSError:
                w.undo()
                raise
    assert store == {"D8": None, "E8": 5, "F8": None}
