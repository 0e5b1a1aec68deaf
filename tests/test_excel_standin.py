"""The stand-in is as strict as Excel: the rules it enforces, each shown on a real template."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import nianbao
from xlwings_book import Excel, ExcelRefused, counting


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("standin") / "空白-2023.xlsx"
    nianbao("new", "--year", "2023", "--agency", "海宁市人民政府", "-o", path)
    return path


def test_locked_cells_of_protected_sheets_refuse_values(template):
    b = Excel().open(template)
    b.sheets["第三部分"]["D8"].value = 5  # an input cell: unlocked
    with pytest.raises(ExcelRefused, match="protected sheet"):
        b.sheets["第三部分"]["C8"].value = "x"  # a label
    with pytest.raises(ExcelRefused, match="protected sheet"):
        b.sheets["第三部分"]["C8:D8"].value = [["x", 1]]  # partly locked


def test_formatting_on_a_protected_sheet_is_refused_even_on_unlocked_cells(template):
    b = Excel().open(template)
    for act in (lambda r: setattr(r, "color", (255, 0, 0)), lambda r: setattr(r.font, "bold", True),
                lambda r: setattr(r, "number_format", "0.00"), lambda r: setattr(r, "wrap_text", True)):
        with pytest.raises(ExcelRefused, match="format cells"):
            act(b.sheets["第三部分"]["D8"])
    hidden = b.sheets["_nianbao"]  # not protected
    hidden["H1"].value = "ok"
    hidden["H1"].color = (255, 0, 0)


def test_unsaved_book_has_no_folder_and_protected_view_is_read_only(template):
    excel = Excel()
    assert excel.blank().fullname == "工作簿1"
    assert not Path(excel.open(template, saved=False).fullname).is_absolute()
    pv = excel.open(template, protected_view=True)
    assert excel.active() is None and excel.app.api.ActiveProtectedViewWindow is not None
    with pytest.raises(ExcelRefused, match="Protected View"):
        pv.sheets["第三部分"]["D8"].value = 1
    with pytest.raises(AttributeError):
        excel.caller()


def test_prompts_answer_from_a_script_and_can_be_cancelled(template):
    excel = Excel()
    excel.open(template)
    excel.answers[:] = [False, "no"]
    assert excel.app.api.InputBox("机关名称", "t") is False
    assert excel.app.alert("覆盖？", buttons="yes_no") == "no"
    with pytest.raises(AssertionError, match="nobody scripted"):
        excel.app.api.InputBox("again", "t")


def test_engine_calls_are_counted(template):
    b = Excel().open(template)
    with counting() as calls:
        b.sheets["第三部分"]["D8"].value
    assert sum(calls.values()) >= 2
