"""Report data from an open workbook through the plain xlwings API (names, ranges, values),
and writes that can be undone: what the ribbon's core functions stand on.

Works the same on a real Excel book (COM) and on xlwings' JSON book used in the tests.  Cells are
found only through the defined names, as in the file reader.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from nianbao.workbook_templates.xlsx.reader import WorkbookRead, bind
from nianbao.workbook_templates.xlsx.package import Cell


def _raw(value: Any) -> Cell:
    """An xlwings value as the file reader's Cell."""
    if isinstance(value, (datetime, date)):
        return Cell(value.date().isoformat() if isinstance(value, datetime) else value.isoformat())
    if isinstance(value, int) and not isinstance(value, bool):
        return Cell(float(value))
    if isinstance(value, str) and value.startswith("#") and value.endswith(("!", "?", "A")):
        return Cell(None, error=value)
    return Cell(value)


class BookNames:
    """Workbook-scope names of a book: name -> (sheet, address, value)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._names = {n.name: n for n in book.names if "!" not in n.name}

    def __contains__(self, name: str) -> bool:
        return name in self._names

    def range(self, name: str) -> Any:
        return self._names[name].refers_to_range

    def locate(self, name: str) -> tuple[str, str]:
        rng = self.range(name)
        return rng.sheet.name, rng.address.replace("$", "")


class BookCells:
    """An open book as the reader's ``NamedCells`` (values as Excel shows them)."""

    label = "当前工作簿"
    hint = "请先点“新建年报”，或打开填好的年报模板。"
    date1904 = False
    knows_formulas = False  # read through values: totals are as Excel computed them

    def __init__(self, book: Any) -> None:
        self.book = book
        self.names = BookNames(book)
        self._sheets = {sh.name: sh for sh in book.sheets}

    def target(self, name: str) -> tuple[str, str] | None:
        return self.names.locate(name) if name in self.names else None

    def has_sheet(self, sheet: str) -> bool:
        return sheet in self._sheets

    def cell(self, sheet: str, ref: str) -> Cell:
        return _raw(self._sheets[sheet].range(ref).value)

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
