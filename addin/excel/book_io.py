"""Report data from an open workbook through the plain xlwings API, read in bulk, and writes that
can be undone: what the ribbon's core functions stand on.

Every xlwings call on a real Excel book is a cross-process COM call, so reading goes in bulk:

- the defined names (some 230) are read from the saved file's ``xl/workbook.xml`` when the book
  has been saved, and checked against the open book (one name per sheet — the last cell, which
  moves when rows or columns were inserted above or before it — and ``previous``); otherwise, or if
  the check fails, they are enumerated through the API (two calls a name);
- the values of a sheet are read in one call, one rectangle from A1 to the farthest named cell.

Works the same on a real Excel book (COM) and on the strict JSON-book stand-in of the tests.
Cells are found only through the defined names, as in the file reader.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from nianbao.workbook_templates.xlsx.cellrefs import column_index, expand, parse_target, split
from nianbao.workbook_templates.xlsx.package import Cell
from nianbao.workbook_templates.xlsx.reader import WORKBOOK_SUFFIXES, WorkbookRead, bind


def saved_path(book: Any) -> Path | None:
    """Where the book is saved, or None for a book never saved (``FullName`` is just 工作簿1) or
    one that lives only online (an https:// address)."""
    text = str(book.fullname or "")
    if "://" in text:
        return None
    path = Path(text)
    return path if path.is_absolute() else None


def _raw(value: Any) -> Cell:
    """An xlwings value as the file reader's Cell."""
    if isinstance(value, (datetime, date)):
        return Cell(value.date().isoformat() if isinstance(value, datetime) else value.isoformat())
    if isinstance(value, int) and not isinstance(value, bool):
        return Cell(float(value))
    if isinstance(value, str) and value.startswith("#") and value.endswith(("!", "?", "A")):
        return Cell(None, error=value)
    if value == "":
        return Cell(None)
    return Cell(value)


def _from_file(book: Any) -> dict[str, tuple[str, str]] | None:
    path = saved_path(book)
    if path is None or path.suffix.lower() not in WORKBOOK_SUFFIXES or not path.is_file():
        return None
    from nianbao.workbook_templates.xlsx.package import XlsxPackage

    try:
        with XlsxPackage(path) as pkg:
            found = {n: t for n in pkg.names if "!" not in n and (t := pkg.target(n))}
    except Exception:  # a file we cannot read: ask the book itself
        return None
    return found


def _from_book(book: Any) -> dict[str, tuple[str, str]]:
    out = {}
    for n in book.names:
        name = n.name
        if "!" in name:
            continue
        target = parse_target(str(n.refers_to).lstrip("="))
        if target:
            out[name] = target
    return out


def _far_corners(names: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Per sheet, the name of its bottom-right-most single cell."""
    best: dict[str, tuple[tuple[int, int], str]] = {}
    for name, (sheet, ref) in names.items():
        if ":" in ref:
            continue
        letters, row = split(ref)
        key = (row, column_index(letters))
        if sheet not in best or key > best[sheet][0]:
            best[sheet] = (key, name)
    return {sheet: name for sheet, (_, name) in best.items()}


class BookNames:
    """Workbook-scope names of a book: name -> (sheet, address)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        found = _from_file(book)
        if found is None or not self._agrees(found):
            found = _from_book(book)
        self._where = found

    def _agrees(self, found: dict[str, tuple[str, str]]) -> bool:
        names = self.book.names  # (its count would cost two calls a name over COM: not asked)
        checked = list(_far_corners(found).values()) + [n for n in ("previous",) if n in found]
        for name in checked:
            got = parse_target(str(names[name].refers_to).lstrip("="))
            if got != found[name]:
                return False
        return True

    def __contains__(self, name: str) -> bool:
        return name in self._where

    def locate(self, name: str) -> tuple[str, str]:
        return self._where[name]

    def items(self) -> Any:
        return self._where.items()


class BookCells:
    """An open book as the reader's ``NamedCells`` (values as Excel shows them), read one
    rectangle per sheet."""

    label = "当前工作簿"
    hint = "请先点“新建年报”，或打开填好的年报模板。"
    date1904 = False
    knows_formulas = False  # read through values: totals are as Excel computed them

    def __init__(self, book: Any) -> None:
        self.book = book
        self.names = BookNames(book)
        self._sheets = {sh.name: sh for sh in book.sheets}
        self._extent: dict[str, tuple[int, int]] = {}
        for sheet, ref in self.names._where.values():
            for part in ref.split(":"):
                letters, row = split(part)
                r, c = self._extent.get(sheet, (1, 1))
                self._extent[sheet] = (max(r, row), max(c, column_index(letters)))
        self._values: dict[str, list[list[Any]]] = {}

    def target(self, name: str) -> tuple[str, str] | None:
        return self.names.locate(name) if name in self.names else None

    def has_sheet(self, sheet: str) -> bool:
        return sheet in self._sheets

    def sheet(self, name: str) -> Any:
        return self._sheets[name]

    @property
    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def _matrix(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._values:
            rows, cols = self._extent.get(sheet, (1, 1))
            values = self._sheets[sheet].range((1, 1), (rows, cols)).options(ndim=2).value
            self._values[sheet] = values
        return self._values[sheet]

    def cell(self, sheet: str, ref: str) -> Cell:
        letters, row = split(ref)
        col = column_index(letters)
        values = self._matrix(sheet)
        if row <= len(values) and col <= len(values[row - 1]):
            return _raw(values[row - 1][col - 1])
        return _raw(self._sheets[sheet].range(ref).value)

    def cells(self, sheet: str, ref: str) -> list[Cell]:
        return [self.cell(sheet, r) for r in expand(ref)]

    def protected(self, sheet: str) -> bool | None:
        return None


def read_book(book: Any) -> WorkbookRead:
    """The report data of an open nianbao workbook, by the same reader as a file's."""
    return bind(BookCells(book))


class Writes:
    """Range writes that are undone if a later one fails (COM writes are not transactional).

    Everything is computed before the first write; ``set`` remembers the old value of each range
    it touches; ``undo`` puts them back in reverse order.
    """

    def __init__(self, book: Any) -> None:
        self.book = book
        self._done: list[tuple[Any, Any]] = []

    def set(self, rng: Any, value: Any) -> None:
        self._done.append((rng, rng.value))
        rng.value = value

    def undo(self) -> None:
        for rng, old in reversed(self._done):
            try:
                rng.value = old
            except Exception:  # keep undoing the rest
                pass
        self._done.clear()
