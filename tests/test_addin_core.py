"""The ribbon's core functions on xlwings' JSON book, replayed onto the .xlsx and recalculated by
LibreOffice, give what the command line gives; bad cases queue nothing."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import fixture_path, nianbao
from xlwings_book import Excel, book, counting, replay

from nianbao.addin.excel import ribbon
from nianbao.addin.excel import ribbon_core
from nianbao.addin.excel.results_sheet import RESULTS_SHEET
from nianbao.workbook_templates.xlsx import hidden_sheet as H
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


def hidden_marks(path: Path) -> dict[str, list[str]]:
    ws = openpyxl.load_workbook(path)["_nianbao"]
    return {sev: [c.value for c in ws[H.MARK_COLUMNS[sev]] if c.value] for sev in H.MARK_SEVERITIES}


def touched_sheets(b) -> set[str]:
    names = [s.name for s in b.sheets]
    return {names[a["sheet_position"]] for a in b.json()["actions"] if a["sheet_position"] is not None}


def test_validate_matches_the_command_line(workbooks, libreoffice, tmp_path):
    """On the strict stand-in (today's colouring failed here: "Unable to format cells of the
    protected sheet 文字部分"), 校验 writes values only, to the hidden sheet and 校验结果; after
    LibreOffice recalculates, the sheet, the links and the marks equal the command line's."""
    cli = copy(workbooks["hk2020"], tmp_path, "cli.xlsx")
    assert nianbao("validate", cli, "--annotate").code == 1
    b = book(workbooks["hk2020"])
    with counting() as calls:
        message = ribbon_core.validate_book(b)
    assert message.startswith("校验完成：错误 1 项，警告 1 项") and "旧版模板" not in message
    assert sum(calls.values()) < 300, calls
    assert touched_sheets(b) == {RESULTS_SHEET, "_nianbao"}
    replayed = replay(b.json()["actions"], workbooks["hk2020"], tmp_path / "xl.xlsx")
    recalculated = libreoffice.recalc([replayed], tmp_path / "lo")[0]
    assert results(recalculated) == results(cli)
    assert hidden_marks(recalculated) == hidden_marks(cli)
    assert "文字部分!B11" in hidden_marks(recalculated)["error"]  # TXT-03: the oversight text cell
    formulas = openpyxl.load_workbook(replayed)[RESULTS_SHEET]
    shown = openpyxl.load_workbook(recalculated, data_only=True)[RESULTS_SHEET]
    links = {(c.value, shown[c.coordinate].value) for row in formulas.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=HYPERLINK(")}
    assert ('=HYPERLINK("#\'文字部分\'!B11","文字部分!B11")', "文字部分!B11") in links
    # typed figures untouched
    assert json.loads(nianbao("export", recalculated).out)["applications"] == \
        json.loads(nianbao("export", workbooks["hk2020"]).out)["applications"]


def test_validate_a_book_from_template_version_1(tmp_path, libreoffice):
    """A return made from last year's template (no mark rules): 校验 still works, lists the marks,
    and says how to get the colours."""
    from test_marks import V1, filled

    path = libreoffice.recalc([filled(tmp_path / "v1.xlsx", V1, broken=True)], tmp_path / "lo")[0]
    b = book(path)
    message = ribbon_core.validate_book(b)
    assert "错误" in message and "--annotate" in message
    assert touched_sheets(b) == {RESULTS_SHEET, "_nianbao"}


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
    excel = Excel()
    b = excel.open(foreign)
    ribbon.validate(b)
    assert b.json()["actions"] == []
    assert len(excel.alerts) == 1 and "不是 nianbao 年报模板" in excel.alerts[0]


# -- day-one edges, each on the strict stand-in: a clear alert, nothing written --------------------


@pytest.fixture
def clicked(monkeypatch):
    """An Excel whose ribbon click reaches Python as RunPython does: ``xw.Book.caller()`` is the
    workbook the VBA passed (ActiveWorkbook); Python runs in the interpreter's folder."""
    import xlwings as xw

    excel = Excel()
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: excel.caller()))
    return excel


@pytest.fixture
def scripts_dir(tmp_path, monkeypatch):
    """The working directory RunPython gives Python (venv\\Scripts) and the person's 文档."""
    scripts = tmp_path / "venv" / "Scripts"
    scripts.mkdir(parents=True)
    monkeypatch.chdir(scripts)
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("USERPROFILE", str(home))
    return scripts


def nothing_written(*folders: Path) -> bool:
    return all(not any(f.iterdir()) for f in folders)


def test_no_workbook_and_protected_view(clicked, workbooks, scripts_dir):
    for press in (ribbon.validate, ribbon.pull_prior_year, ribbon.generate_report, ribbon.new_report):
        with pytest.raises(SystemExit, match="请先打开年报工作簿"):
            press()
    pv = clicked.open(workbooks["hk2020"], protected_view=True)  # from e-mail: ActiveWorkbook is Nothing
    with pytest.raises(SystemExit, match="请先打开年报工作簿"):
        ribbon.validate()
    assert pv.json()["actions"] == [] and nothing_written(scripts_dir)


def test_new_report_from_a_blank_unsaved_book(clicked, scripts_dir):
    clicked.blank()
    clicked.answers[:] = [False]  # Cancel at the agency prompt
    ribbon.new_report()
    assert clicked.alerts == [ribbon.CANCELLED] and nothing_written(scripts_dir, scripts_dir.parent.parent / "home" / "Documents")
    clicked.answers[:] = ["海宁市人民政府"]
    ribbon.new_report()
    documents = Path(os.environ["USERPROFILE"]) / "Documents"
    made = documents / f"海宁市人民政府-{datetime.date.today().year - 1}.xlsx"
    assert made.exists() and nothing_written(scripts_dir)
    assert clicked.opened == [made] and str(made) in clicked.alerts[-1]


def test_unsaved_template_book_asks_to_save_or_cancels(clicked, workbooks, scripts_dir):
    b = clicked.open(workbooks["hk2020"], saved=False)  # a template, never saved (工作簿1)
    ribbon.generate_report()
    assert "请先保存工作簿" in clicked.alerts[-1]
    clicked.answers[:] = [False]  # Cancel in the file dialog
    ribbon.pull_prior_year()
    assert clicked.alerts[-1].startswith(ribbon.CANCELLED)
    assert b.json()["actions"] == [] and nothing_written(scripts_dir)


def test_cancel_at_the_overwrite_question_writes_nothing(clicked, workbooks, tmp_path):
    path = _with_typed(workbooks, tmp_path, 65)
    b = clicked.open(path)
    clicked.answers[:] = [str(workbooks["hk2019"]), "no"]  # the dialog (no 2019 file beside it), then No
    ribbon.pull_prior_year()
    assert clicked.alerts[-1] == ribbon.CANCELLED and "已填 65" in clicked.alerts[0]
    assert b.json()["actions"] == []


def test_two_workbooks_open_acts_on_the_clicked_one(clicked, workbooks):
    other = clicked.open(workbooks["hk2019"])
    clicked_one = clicked.open(workbooks["hk2020"])  # active: its button was clicked
    ribbon.validate()
    assert other.json()["actions"] == []
    assert touched_sheets(clicked_one) == {RESULTS_SHEET, "_nianbao"}
    assert clicked.alerts[-1].startswith("校验完成")


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
    message = ribbon_core.generate_book(book(this), this.resolve())
    assert (tmp_path / "虹口区-2020.docx").exists() and (tmp_path / "虹口区-2020.html").exists()
    assert "已生成" in message


def test_new_workbook_never_overwrites(tmp_path):
    path, kept = ribbon_core.new_workbook(tmp_path, 2024, "海宁市人民政府")
    assert path.name == "海宁市人民政府-2024.xlsx" and not kept
    assert json.loads(nianbao("export", path).out)["meta"]["agency_kind"] == "government"
    before = path.read_bytes()
    # the same agency's workbook of the year: kept (and opened) as it is, like `nianbao new`
    assert ribbon_core.new_workbook(tmp_path, 2024, "海宁市人民政府") == (path, True)
    assert path.read_bytes() == before
    assert "已打开已有的" in ribbon_core.new_workbook_message(path, 2024, True)
    other = tmp_path / "海宁市人民政府-2025.xlsx"
    other.write_bytes(before)  # a file of next year's name that holds another year's workbook
    with pytest.raises(NianbaoError, match="已存在"):
        ribbon_core.new_workbook(tmp_path, 2025, "海宁市人民政府")
    assert other.read_bytes() == before


def test_the_click_path_imports_nothing_heavy():
    """What a click of 校验 / 导入上年数据 / 新建年报 imports, from the first line RunPython runs
    (`import xlwings.utils`, with the add-in Python's .pth) to the core and the rules: no
    matplotlib, no python-docx (only 生成报告 needs them)."""
    code = ("import sys, nianbao.addin.excel.fast_import as f; f.install(); import xlwings.utils, xlwings; "
            "import nianbao.addin.excel.ribbon, nianbao.addin.excel.ribbon_core, nianbao.addin.checks.validate, "
            "nianbao.addin.carry_forward, nianbao.workbook_templates.sources; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'docx','matplotlib','plotly'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    bare = "import sys, nianbao.addin.excel.ribbon; print(sorted({m.split('.')[0] for m in sys.modules} & {'xlwings','openpyxl','docx','matplotlib','lxml'}))"
    assert subprocess.run([sys.executable, "-c", bare], capture_output=True, text=True, check=True).stdout.strip() == "[]"


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
