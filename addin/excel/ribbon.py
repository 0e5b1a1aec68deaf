"""The ribbon's entry points: thin shells the .xlam calls (tag="nianbao.addin.excel.ribbon.validate").

Each takes the active workbook (``xw.Book.caller()``), gathers answers from the person (a file
dialog, a yes/no), calls a core function in ribbon_core, and shows one Chinese line.  Nothing
heavy is imported until a button is clicked; a Python error reaches the person as a short
Chinese message, never a traceback.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

TITLE = "政务公开年报"


def _caller(book: Any) -> Any:
    if book is not None:
        return book
    import xlwings as xw

    return xw.Book.caller()


def _say(book: Any, message: str) -> None:
    book.app.alert(message, title=TITLE)


def _run(book: Any, action: Callable[[Any], str | None]) -> None:
    book = _caller(book)
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
    try:  # Excel on Windows (COM)
        chosen = book.app.api.GetOpenFilename("Excel 工作簿 (*.xlsx),*.xlsx,报告数据 (*.json),*.json", 1, prompt)
    except Exception:
        return None
    return Path(chosen) if chosen and chosen is not False else None


def validate(book: Any = None) -> None:
    """校验"""
    from nianbao.addin.excel.ribbon_core import validate_book

    _run(book, validate_book)


def pull_prior_year(book: Any = None) -> None:
    """导入上年数据"""

    def action(b: Any) -> str | None:
        from nianbao.addin.excel.book_io import read_book
        from nianbao.addin.excel.ribbon_core import carry_forward_book, find_last_year

        meta = read_book(b).data["meta"]
        here = Path(b.fullname)
        last = find_last_year(here, meta.get("agency") or "", meta.get("year") or 0) if here.parent.is_dir() else None
        if last is None:
            last = _open_file_dialog(b, f"请选择 {meta.get('agency')} {int(meta.get('year') or 1) - 1} 年度的年报工作簿")
        if last is None:
            return (f"没有找到上年的工作簿。请把 {int(meta.get('year') or 1) - 1} 年度的年报工作簿放在同一文件夹，"
                    "或在命令行运行 nianbao carry-forward。")
        return carry_forward_book(b, last, _confirm(b))

    _run(book, action)


def generate_report(book: Any = None) -> None:
    """生成报告"""
    from nianbao.addin.excel.ribbon_core import generate_book

    _run(book, lambda b: generate_book(b, b.fullname))


def new_report(book: Any = None) -> None:
    """新建年报: the next year's template for the active workbook's agency, or asks."""

    def action(b: Any) -> str | None:
        from nianbao.addin.excel.book_io import read_book
        from nianbao.addin.excel.ribbon_core import new_workbook

        try:
            meta = read_book(b).data["meta"]
            agency, year, kind = meta["agency"], int(meta["year"]) + 1, meta.get("agency_kind")
        except Exception:
            agency = b.app.api.InputBox("机关名称（与年报标题一致）：", TITLE)
            year, kind = _dt.date.today().year - 1, None
        folder = Path(b.fullname).parent
        path = new_workbook(folder if folder.is_dir() else Path.home(), year, str(agency), kind)
        import xlwings as xw

        xw.Book(str(path))
        return f"已新建 {path.name}（{year} 年度）。"

    _run(book, action)
