"""The ribbon's entry points: thin shells the .xlam calls (tag="nianbao.addin.excel.ribbon.validate").

Each takes the workbook whose button was clicked (``xw.Book.caller()``: the VBA passes
``ActiveWorkbook``), gathers answers from the person (a file dialog, a yes/no, an input box —
each can be cancelled, and Cancel writes nothing), calls a core function in ribbon_core, and shows
one Chinese line.  Nothing heavy is imported until a button needs it (matplotlib and python-docx
only for 生成报告); a Python error reaches the person as a short Chinese message, never a
traceback.  With no workbook or in Protected View the VBA stops before Python starts (RunTag);
the same cases are caught here too, for a persistent Python called some other way.
"""

from __future__ import annotations

import datetime as _dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

TITLE = "政务公开年报"
NO_WORKBOOK = "请先打开年报工作簿，再点按钮。"
PROTECTED_VIEW = "请先点击“启用编辑”，再点按钮（从网上或邮件打开的工作簿处于受保护的视图，不能改动）。"
CANCELLED = "已取消，没有做任何改动。"


class _NoBook(Exception):
    pass


def _caller() -> Any:
    import xlwings as xw

    try:
        return xw.Book.caller()
    except Exception as e:  # no active workbook (or a Protected View window)
        raise _NoBook(str(e)) from None


def _say(book: Any, message: str) -> None:
    book.app.alert(message, title=TITLE)


def _say_without_book(message: str) -> None:
    """No workbook to hang an alert on: xlwings shows what Python prints before failing."""
    sys.stderr.write(message + "\n")
    raise SystemExit(message)


def _run(book: Any, action: Callable[[Any], str | None]) -> None:
    if book is None:
        try:
            book = _caller()
        except _NoBook:
            _say_without_book(NO_WORKBOOK)
    try:
        message = action(book)
    except Exception as e:  # every error becomes a short message; the core has undone its writes
        from nianbao.workbook_templates.format.errors import NianbaoError

        message = e.zh if isinstance(e, NianbaoError) else f"出错了：{type(e).__name__}：{e}（请把这句话报告给技术支持）"
    if message:
        _say(book, message)


def _confirm(book: Any) -> Callable[[str], bool]:
    return lambda text: book.app.alert(text, title=TITLE, buttons="yes_no") == "yes"


def _open_file_dialog(book: Any, prompt: str) -> Path | None:
    """Excel's own file dialog (COM); None on Cancel (Excel returns False)."""
    try:
        chosen = book.app.api.GetOpenFilename("Excel 工作簿 (*.xlsx),*.xlsx,报告数据 (*.json),*.json", 1, prompt)
    except AttributeError:  # no COM application (another engine)
        return None
    return Path(chosen) if isinstance(chosen, str) and chosen else None


def documents_folder() -> Path:
    """The person's 文档 (Documents) folder: where a new workbook goes when the clicked one was
    never saved — never the folder Python happens to run in (the interpreter's)."""
    for candidate in (os.environ.get("USERPROFILE"), str(Path.home())):
        if candidate and (Path(candidate) / "Documents").is_dir():
            return Path(candidate) / "Documents"
    return Path.home()


def validate(book: Any = None) -> None:
    """校验"""
    from nianbao.addin.excel.ribbon_core import validate_book

    _run(book, validate_book)


def pull_prior_year(book: Any = None) -> None:
    """导入上年数据"""

    def action(b: Any) -> str | None:
        from nianbao.addin.excel.book_io import read_book, saved_path
        from nianbao.addin.excel.ribbon_core import carry_forward_book, find_last_year

        meta = read_book(b).data["meta"]
        last_year = int(meta.get("year") or 1) - 1
        here = saved_path(b)
        last = find_last_year(here, meta.get("agency") or "", meta.get("year") or 0) if here else None
        if last is None:
            last = _open_file_dialog(b, f"请选择 {meta.get('agency')} {last_year} 年度的年报工作簿")
            if last is None:
                return CANCELLED + f"（可以把 {last_year} 年度的年报工作簿放在同一文件夹，或在命令行运行 nianbao carry-forward。）"
        return carry_forward_book(b, last, _confirm(b))

    _run(book, action)


def generate_report(book: Any = None) -> None:
    """生成报告 (the only button that imports the generator, matplotlib and python-docx)"""
    from nianbao.addin.excel.book_io import saved_path
    from nianbao.addin.excel.ribbon_core import generate_book

    _run(book, lambda b: generate_book(b, saved_path(b)))


def new_report(book: Any = None) -> None:
    """新建年报: the next year's template for the clicked workbook's agency, or asks for one."""

    def action(b: Any) -> str | None:
        from nianbao.addin.excel.book_io import read_book, saved_path
        from nianbao.addin.excel.ribbon_core import new_workbook, new_workbook_message
        from nianbao.workbook_templates.format.errors import NotOurWorkbook

        try:
            meta = read_book(b).data["meta"]
            agency, year, kind = meta["agency"], int(meta["year"]) + 1, meta.get("agency_kind")
        except (NotOurWorkbook, KeyError, TypeError, ValueError):
            answer = b.app.api.InputBox("机关名称（与年报标题一致）：", TITLE)
            if answer is False or not str(answer).strip():  # Cancel gives False
                return CANCELLED
            agency, year, kind = str(answer), _dt.date.today().year - 1, None
        here = saved_path(b)
        folder = here.parent if here else documents_folder()
        path, kept = new_workbook(folder, year, str(agency), kind)
        b.app.api.Workbooks.Open(str(path))  # in the Excel the button was clicked in
        return new_workbook_message(path, year, kept)

    _run(book, action)
