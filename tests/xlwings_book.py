"""A stand-in for Excel that is as strict as Excel, built on xlwings' own JSON book.

xlwings' remote engine (``xw.Book(json=…)``) holds a workbook's values and queues every write as an
action; a replayer applies the actions to the .xlsx so that LibreOffice can recalculate it.  On
its own the JSON book accepts anything.  Excel does not, so the stand-in adds Excel's rules, read
from the workbook file itself (openpyxl), and enforces them *at the moment of the call*, as COM
raises in the middle of a button's work:

- a value written into a locked cell of a protected sheet raises;
- any formatting (fill, font, borders, number format, alignment, conditional formatting) on a
  sheet protected without "format cells" raises, even on unlocked cells;
  column widths / row heights follow "format columns/rows", hyperlinks "insert hyperlinks";
- an unsaved book has no folder: ``fullname`` is just its name (``工作簿1``);
- ``InputBox`` / ``GetOpenFilename`` / yes-no alerts answer from a script and can return Cancel
  (``False`` / ``"no"``); a prompt nobody scripted fails the test;
- there can be no active workbook; a book in Protected View is not in ``Workbooks`` and
  ``ActiveProtectedViewWindow`` is set, and every write to it raises;
- every call into the engine (what would be one cross-process COM call in Excel) is counted.

The remote engine is xlwings PRO (PolyForm Noncommercial; government use is a permitted
purpose): the key ``noncommercial`` is set for tests only.  The shipped add-in uses only the
BSD part of xlwings (RunPython over COM)."""

from __future__ import annotations

import contextlib
import datetime
import functools
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw  # noqa: E402
from xlwings.pro import _xlremote as R  # noqa: E402


class ExcelRefused(Exception):
    """What COM raises when Excel refuses an operation (pywintypes.com_error in real Excel)."""


VALUE_ACTIONS = {"setValues", "setFormula", "setFormulaArray", "rangeClear", "rangeClearContents",
                 "rangeDelete", "rangeInsert", "sheetClear", "sheetClearContents", "rangeReplaceAll",
                 "rangeSort", "rangeRemoveDuplicates", "moveRange", "copyRange", "rangeAutofill"}
FORMAT_ACTIONS = {"setRangeColor", "setRangeColors", "setFontProperty", "setBorderProperty", "setNumberFormat",
                  "setHorizontalAlignment", "setVerticalAlignment", "setWrapText", "rangeAdjustIndent",
                  "rangeClearFormats", "sheetClearFormats", "addConditionalFormat", "setConditionalFormat",
                  "clearConditionalFormats", "deleteConditionalFormat", "rangeMerge", "rangeUnmerge"}
COLUMN_ACTIONS = {"setColumnWidth", "setColumnHidden", "setSheetAutofit", "setAutofit"}
ROW_ACTIONS = {"setRowHeight", "setRowHidden"}


@dataclass
class SheetRules:
    """A sheet's protection as Excel enforces it (from the file's <sheetProtection>)."""

    protected: bool = False
    format_cells: bool = True  # allowed?
    format_columns: bool = True
    format_rows: bool = True
    insert_hyperlinks: bool = True
    unlocked: set[tuple[int, int]] = field(default_factory=set)  # 1-based (row, column)


def sheet_rules(path: Path) -> dict[str, SheetRules]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        p = ws.protection
        unlocked = {(c.row, c.column) for row in ws.iter_rows() for c in row
                    if c.protection is not None and c.protection.locked is False}
        # openpyxl: True means the action is *locked* (OOXML semantics)
        out[ws.title] = SheetRules(bool(p.sheet), not p.formatCells, not p.formatColumns, not p.formatRows,
                                   not p.insertHyperlinks, unlocked)
    return out


# -- counting engine calls ------------------------------------------------------------------

CALLS: Counter[str] = Counter()
_depth = [0]


def _counted(name: str, fn: Any) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _depth[0] == 0:
            CALLS[name] += 1
        _depth[0] += 1
        try:
            return fn(*args, **kwargs)
        finally:
            _depth[0] -= 1
    return wrapper


def _instrument() -> None:
    for cls in (R.App, R.Books, R.Book, R.Sheets, R.Sheet, R.Range, R.Names, R.Name):
        for attr, member in list(vars(cls).items()):
            if attr.startswith("_") and attr not in ("__call__", "__iter__", "__len__", "__getitem__"):
                continue
            label = f"{cls.__name__}.{attr}"
            if isinstance(member, property):
                setattr(cls, attr, property(_counted(label, member.fget) if member.fget else None,
                                            _counted(label + "=", member.fset) if member.fset else None))
            elif callable(member) and not isinstance(member, (staticmethod, classmethod, type)):
                setattr(cls, attr, _counted(label, member))


if not getattr(R, "_nianbao_counted", False):
    _instrument()
    R._nianbao_counted = True


@contextlib.contextmanager
def counting() -> Iterator[Counter[str]]:
    """Counts the engine calls made inside the block (each is one COM round trip in Excel)."""
    before = CALLS.copy()
    seen: Counter[str] = Counter()
    try:
        yield seen
    finally:
        seen.update(CALLS - before)


# -- the strict book and application --------------------------------------------------------


class StrictBook(R.Book):
    def __init__(self, api: dict, books: Any, *, path: Path | None, rules: dict[str, SheetRules],
                 protected_view: bool = False) -> None:
        super().__init__(api, books)
        self._path = path
        self._rules = rules
        self._protected_view = protected_view

    @property
    def fullname(self) -> str:  # an unsaved book has no folder: just "工作簿1"
        return str(self._path) if self._path else self.name

    def _refuse(self, action: dict) -> str | None:
        if self._protected_view:
            return "Protected View: this workbook is read-only until editing is enabled"
        func = action["func"]
        if func in ("alert", "namesAdd", "addSheet", "setNameRefersTo", "nameDelete", "activateSheet", "runMacro"):
            return None
        sheet = self.api["sheets"][action["sheet_position"]]["name"]
        rules = self._rules.get(sheet)
        if rules is None or not rules.protected:
            return None
        r0, c0 = action["start_row"] + 1, action["start_column"] + 1
        cells = [(r0 + i, c0 + j) for i in range(action["row_count"]) for j in range(action["column_count"])]
        if func in VALUE_ACTIONS:
            locked = [(r, c) for r, c in cells if (r, c) not in rules.unlocked]
            if locked:
                r, c = locked[0]
                return (f"{sheet}!{get_column_letter(c)}{r}: The cell or chart you're trying to change is on a "
                        "protected sheet (locked cell)")
            return None
        if func in FORMAT_ACTIONS:
            return None if rules.format_cells else f"Unable to format cells of the protected sheet {sheet} ({func})"
        if func in COLUMN_ACTIONS:
            return None if rules.format_columns else f"Unable to format columns of the protected sheet {sheet}"
        if func in ROW_ACTIONS:
            return None if rules.format_rows else f"Unable to format rows of the protected sheet {sheet}"
        if func == "addHyperlink":
            return None if rules.insert_hyperlinks else f"Unable to add a hyperlink on the protected sheet {sheet}"
        return f"the stand-in does not know whether Excel allows {func} on a protected sheet"

    def append_json_action(self, **kwargs: Any) -> None:
        probe = {"sheet_position": kwargs.get("sheet_position"), "start_row": kwargs.get("start_row"),
                 "start_column": kwargs.get("start_column"), "row_count": kwargs.get("row_count"),
                 "column_count": kwargs.get("column_count"), "func": kwargs.get("func")}
        why = self._refuse(probe)
        if why:
            raise ExcelRefused(why)
        super().append_json_action(**kwargs)


class Answers:
    """Scripted answers to prompts; a prompt with no answer left fails the test."""

    def __init__(self) -> None:
        self.queue: list[Any] = []
        self.asked: list[str] = []

    def take(self, prompt: str) -> Any:
        self.asked.append(prompt)
        assert self.queue, f"a prompt nobody scripted: {prompt!r}"
        return self.queue.pop(0)


class ExcelApplicationApi:
    """The few members of Excel's Application object (COM) the ribbon uses."""

    def __init__(self, app: "StrictApp") -> None:
        self._app = app
        self.Workbooks = _Workbooks(app)

    def InputBox(self, prompt: str, title: str = "", *args: Any) -> Any:  # noqa: N802 (COM names)
        return self._app.answers.take(prompt)  # False on Cancel, as Excel's Application.InputBox

    def GetOpenFilename(self, file_filter: str = "", filter_index: int = 1, title: str = "", *a: Any) -> Any:  # noqa: N802
        return self._app.answers.take(title)  # False on Cancel

    @property
    def ActiveWorkbook(self) -> Any:  # noqa: N802
        return self._app.books.active

    @property
    def ActiveProtectedViewWindow(self) -> Any:  # noqa: N802
        return self._app.protected_view


class _Workbooks:
    def __init__(self, app: "StrictApp") -> None:
        self._app = app

    def Open(self, filename: str) -> Any:  # noqa: N802
        self._app.opened.append(Path(filename))
        return Path(filename)


class StrictApp(R.App):
    def __init__(self) -> None:
        super().__init__(R.engine.apps, add_book=False)
        self._books = StrictBooks(self)
        self.answers = Answers()
        self.alerts: list[tuple[str, str]] = []
        self.opened: list[Path] = []
        self.protected_view: Any = None

    @property
    def api(self) -> ExcelApplicationApi:
        return ExcelApplicationApi(self)

    def alert(self, prompt: str, title: str, buttons: str, mode: str, callback: str) -> str:
        self.alerts.append((prompt, buttons or "ok"))
        if buttons in (None, "", "ok"):
            return "ok"
        return self.answers.take(prompt)  # "yes" / "no" / "cancel"


class StrictBooks(R.Books):
    def add_book(self, book: StrictBook) -> StrictBook:
        self.books.append(book)
        self._active = book
        return book

    def close(self, book: StrictBook) -> None:
        self.books.remove(book)
        self._active = self.books[-1] if self.books else None


class Excel:
    """One Excel application of the stand-in, with the books a test opens in it."""

    def __init__(self) -> None:
        self.app_impl = StrictApp()
        self.app = xw.App(impl=self.app_impl)

    @property
    def answers(self) -> list[Any]:
        return self.app_impl.answers.queue

    @property
    def asked(self) -> list[str]:
        return self.app_impl.answers.asked

    @property
    def alerts(self) -> list[str]:
        return [text for text, _ in self.app_impl.alerts]

    @property
    def opened(self) -> list[Path]:
        return self.app_impl.opened

    def open(self, path: Path, *, saved: bool = True, protected_view: bool = False) -> Any:
        """Open a workbook file; ``saved=False``: as an unsaved book (工作簿1) with the file's content."""
        name = path.name if saved else "工作簿1"
        impl = StrictBook(payload(path, name), self.app_impl.books, path=path.resolve() if saved else None,
                          rules=sheet_rules(path), protected_view=protected_view)
        if protected_view:  # not in Workbooks; ActiveWorkbook is Nothing
            self.app_impl.protected_view = impl
            self.app_impl.books._active = None
        else:
            self.app_impl.protected_view = None
            self.app_impl.books.add_book(impl)
        return xw.Book(impl=impl)

    def blank(self) -> Any:
        """A new, unsaved, empty workbook (what Excel shows on start)."""
        api = {"client": "VBA", "version": xw.__version__, "book": {"name": "工作簿1", "active_sheet_index": 0,
                                                                      "selection": "A1"},
               "names": [], "sheets": [{"name": "Sheet1", "values": [[""]], "pictures": [], "tables": []}]}
        impl = StrictBook(api, self.app_impl.books, path=None, rules={})
        self.app_impl.books.add_book(impl)
        return xw.Book(impl=impl)

    def close_all(self) -> None:
        for b in list(self.app_impl.books):
            self.app_impl.books.close(b)

    def active(self) -> Any:
        b = self.app_impl.books.active
        return xw.Book(impl=b) if b is not None else None

    def caller(self) -> Any:
        """What ``xw.Book.caller()`` gives: the active workbook (the VBA passes ActiveWorkbook)."""
        b = self.app_impl.books.active
        if b is None:  # RunPython never gets here (error 91 in the VBA); xlwings would fail on None
            raise AttributeError("'NoneType' object has no attribute 'Name'")
        return xw.Book(impl=b)


def payload(path: Path, name: str | None = None) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows(min_row=1, max_row=max(ws.max_row, 1), min_col=1, max_col=max(ws.max_column, 1)):
            out: list[Any] = []
            for c in row:
                v = c.value
                if v is None:
                    v = ""
                elif isinstance(v, bool):
                    pass
                elif isinstance(v, (int, float)):
                    v = float(v)  # as COM gives them
                elif isinstance(v, datetime.datetime):
                    v = v.strftime("%Y-%m-%dT%H:%M:%S.000Z")
                out.append(v)
            rows.append(out)
        sheets.append({"name": ws.title, "values": rows, "pictures": [], "tables": []})
    index = {ws.title: i for i, ws in enumerate(wb.worksheets)}
    names = []
    for n, dn in wb.defined_names.items():
        for sheet, ref in dn.destinations:
            names.append({"name": n, "sheet_index": index[sheet], "address": ref.replace("$", ""), "book_scope": True,
                          "scope_sheet_name": None, "scope_sheet_index": None})
            break
    return {"client": "VBA", "version": xw.__version__,
            "book": {"name": name or path.name, "active_sheet_index": 0, "selection": "A1"},
            "names": names, "sheets": sheets}


def book(path: Path) -> Any:
    """A saved workbook open in a fresh strict Excel."""
    return Excel().open(path)


def replay(actions: list[dict[str, Any]], src: Path, dst: Path) -> Path:
    """Apply queued actions to the .xlsx as Excel would (the few our core functions use; others raise)."""
    wb = openpyxl.load_workbook(src)
    for a in actions:
        func, args = a["func"], a["args"]
        if func == "addSheet":
            wb.create_sheet(args[1], args[0])
            continue
        if func == "namesAdd":
            wb.defined_names[args[0]] = DefinedName(args[0], attr_text=args[1].lstrip("="))
            continue
        if func == "alert":
            continue
        ws = wb.worksheets[a["sheet_position"]]
        r0, c0 = a["start_row"] + 1, a["start_column"] + 1
        cells = [(r0 + i, c0 + j) for i in range(a["row_count"]) for j in range(a["column_count"])]
        if func == "setValues":
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    # Range.Value = "=…" enters a formula in Excel, as typing it would
                    ws.cell(r0 + i, c0 + j).value = None if v == "" else v
        elif func == "addHyperlink":
            from openpyxl.worksheet.hyperlink import Hyperlink

            cell = ws.cell(r0, c0)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=args[0].lstrip("#"), display=args[1])
        elif func == "setFontProperty":
            from copy import copy

            prop, value = args[0], args[1]
            for r, c in cells:
                font = copy(ws.cell(r, c).font)
                setattr(font, {"bold": "b", "italic": "i"}.get(prop, prop), value)
                ws.cell(r, c).font = font
        elif func == "setWrapText":
            from openpyxl.styles import Alignment

            for r, c in cells:
                ws.cell(r, c).alignment = Alignment(wrap_text=bool(args[0]), vertical="top")
        elif func == "setColumnWidth":
            for c in {c for _, c in cells}:
                ws.column_dimensions[get_column_letter(c)].width = args[0]
        elif func == "setColumnHidden":
            for c in {c for _, c in cells}:
                ws.column_dimensions[get_column_letter(c)].hidden = bool(args[0])
        else:
            raise NotImplementedError(f"replay does not know the action {func!r}")
    wb.save(dst)
    return dst
