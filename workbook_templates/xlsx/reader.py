"""Named cells → report data: the one reader, for a workbook file and for a live Excel book.

``bind`` finds every value through the workbook-scope defined names (never by cell address) of
anything that implements ``NamedCells`` — an .xlsx file (``FileCells``, here) or an open book
(``addin.excel.book_io.BookCells``) — reads a total as its cached result when there is one and
otherwise computes it from the schema, and records *facts* about what a person changed that the
template did not allow (a total replaced by a constant or a changed formula, protection removed,
names moved, an unknown template version) in ``source.integrity``.  It writes no message about
them: rule INT-01 (``addin.checks.structure``) says what they mean.  Text in a number cell and
negative counts are read and kept for the validator, not refused.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Protocol
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.xlsx.cellrefs import expand, same_formula, sum_formula
from nianbao.workbook_templates.format.errors import DataError, NotOurWorkbook
from nianbao.workbook_templates.format.numbers import MAX_FIGURE, unusable
from nianbao.workbook_templates.format.report_data import (
    Report, computed_values, get_path, normalise, number, report_of)
from nianbao.workbook_templates.format.schema import AGENCY_KINDS, NAME_EDITION, NAME_FORMAT_VERSION, NAME_PREVIOUS, NAME_SCHEMA, Edition, Kind
from nianbao.workbook_templates.xlsx.hidden_sheet import stored_shape
from nianbao.workbook_templates.xlsx.package import Cell, XlsxPackage

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_BLANK_MARKS = {"", "/", "-", "—", "－", "–", "无", "——"}
_LEADING_NUMBER = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)")
_NUMERIC_KINDS = frozenset(k for k in Kind if k.numeric or k is Kind.YEAR)


@dataclass
class WorkbookRead:
    """What reading a workbook gives: the data, where each value sits, what was altered."""

    data: Report
    cells: dict[str, tuple[str, str]]  # path -> (sheet, cell)
    integrity: list[dict[str, str]] = field(default_factory=list)  # INT-01 material
    occupied: dict[str, str] = field(default_factory=dict)  # path -> what a valueless, non-blank cell holds

    def is_blank(self, path: str) -> bool:
        """Empty, or a blank mark (/, -, 无): a formula, an error value or text is never blank."""
        return get_path(self.data, path) is None and path not in self.occupied

    @property
    def edition(self) -> Edition:
        return S.get_edition(self.data["edition"])


# -- cell values ----------------------------------------------------------------------------


def _parse_number(text: str) -> tuple[int | float | None, str | None]:
    """A number typed as text: ('18(含新制发4件)' -> 18, note); ('/' -> None, None)."""
    norm = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    if norm in _BLANK_MARKS:
        return None, None
    m = _LEADING_NUMBER.match(norm)
    if not m:
        return None, "单元格里是文字，不是数字"
    raw = float(m.group(1))
    why = unusable(raw)
    if why:
        return None, why
    value = number(raw)
    if m.group(0).strip() == norm:
        return value, "数字以文本形式保存"
    return value, "单元格里除数字外还有文字，取了开头的数字"


_LAST_SERIAL = 2958465  # 9999-12-31, the last day Excel can show


def _excel_date(serial: float, date1904: bool) -> str | None:
    """The ISO date of an Excel serial, or None for a serial no calendar day has (NaN, 99999999)."""
    if not (math.isfinite(serial) and 1 <= serial <= _LAST_SERIAL):
        return None
    base = date(1904, 1, 1) if date1904 else date(1899, 12, 30)
    return (base + timedelta(days=int(serial))).isoformat()


def _usual_figure(v: float) -> int | float | None:
    """The usual cell's figure — a number within the figures' range, as ``number`` gives it — or
    None for a number the general path must look at (``cell_value`` and ``_entered`` both)."""
    return (int(v) if v.is_integer() else v) if -MAX_FIGURE < v < MAX_FIGURE else None


@lru_cache(maxsize=4096)
def _expected_formula(refs: tuple[str, ...]) -> str:
    return sum_formula(refs)


def cell_value(kind: Kind, cell: Cell, date1904: bool = False) -> tuple[Any, tuple[str, str] | None]:
    """A cell's value as report data for a field of ``kind``, and (printed, note) when the cell
    held something other than what the field wants (text in a number cell, an error …)."""
    v = cell.value
    if type(v) is float and kind in _NUMERIC_KINDS and not cell.error and (figure := _usual_figure(v)) is not None:
        return figure, None
    if cell.error:
        return None, (cell.error, "单元格为错误值")
    if v is None and cell.formula:  # never "blank": a formula whose result was never computed
        return None, (f"={cell.formula}", "单元格里是公式，没有计算结果（在 Excel/WPS 中打开并保存后可读出）")
    if isinstance(v, bool):
        return None, ("TRUE" if v else "FALSE", "单元格里是逻辑值")
    if kind.numeric or kind is Kind.YEAR:
        if isinstance(v, float):
            why = unusable(v)
            return (None, (format(v, "g"), why)) if why else (number(v), None)
        if v is None:
            return None, None
        value, note = _parse_number(v)
        return value, (v, note) if note else None
    if kind is Kind.AGENCY_KIND:
        if v is None or v == "":
            return None, None
        text = str(v).strip()
        for key, label in AGENCY_KINDS.items():
            if text in (key, label):
                return key, None
        return text, (text, "机关类型应为：" + "、".join(AGENCY_KINDS.values()))
    if kind is Kind.DATE:
        if isinstance(v, float):
            day = _excel_date(v, date1904)
            return (day, None) if day else (None, (format(v, "g"), "不是有效的日期（日期序号超出范围）"))
        if v is None or v == "":
            return None, None
        text = str(v).strip()
        try:
            return date.fromisoformat(text[:10]).isoformat(), None
        except ValueError:
            return text, (text, "日期格式应为 2024-02-08")
    if v is None or v == "":
        return None, None
    return (str(number(v)) if isinstance(v, float) else v), None


class NamedCells(Protocol):
    """What the reader needs of a workbook: its defined names, its cells, its sheets' protection."""

    label: str  # how messages name it: the file's name, or 当前工作簿
    hint: str  # what to do when it is not one of ours
    date1904: bool
    knows_formulas: bool  # a file does; a book read through values only does not

    def target(self, name: str) -> tuple[str, str] | None: ...

    def has_sheet(self, sheet: str) -> bool: ...

    def cell(self, sheet: str, ref: str) -> Cell: ...

    def protected(self, sheet: str) -> bool | None: ...  # None: cannot tell


class FileCells:
    """An .xlsx file as ``NamedCells``."""

    hint = "请用 nianbao new 生成模板后填写。"
    knows_formulas = True

    def __init__(self, pkg: XlsxPackage) -> None:
        self.pkg = pkg
        self.label = pkg.path.name
        self.date1904 = pkg.date1904
        self.memo = pkg.part.memo  # shared by every file with the same workbook part
        self.target = pkg.target  # type: ignore[method-assign]  # bound once: called for every value
        self.cell = pkg.cell  # type: ignore[method-assign]
        self.values = pkg.values  # the entered values in one pass (``_entered``)

    def target(self, name: str) -> tuple[str, str] | None:
        return self.pkg.target(name)

    def has_sheet(self, sheet: str) -> bool:
        return sheet in self.pkg.sheets

    def cell(self, sheet: str, ref: str) -> Cell:
        return self.pkg.cell(sheet, ref)

    def protected(self, sheet: str) -> bool | None:
        return self.pkg.sheet(sheet).protected


def _fact(kind: str, **values: Any) -> dict[str, Any]:
    return {"rule": "INT-01", "fact": kind, **values}


@dataclass
class _Layout:
    """What a workbook's defined names say for one edition: where every value sits, what is
    missing, what moved, each total's formula, which sheets must be protected.  The same for every
    return of one template, so found once per distinct workbook part (``FileCells.memo``)."""

    cells: dict[str, tuple[str, str]]
    missing: list[str]
    no_sheet: set[str]
    moved: dict[str, Any] | None  # the names_moved fact
    expected: dict[str, str]  # total path -> the formula its cell holds in the template
    protected_sheets: list[str]
    versions: list[tuple[str, tuple[str, str] | None]]  # (name, its cell when the sheet exists)
    previous: tuple[str, list[str]] | None  # the hidden sheet and the cells of last year's report
    # the entered values' cells in the schema's order, as runs of one sheet (sheet, refs), and
    # whether each value is a figure (made on first use)
    entered: tuple[list[tuple[str, list[str]]], list[bool]] | None = None
    totals: list[tuple[str, list[str]]] | None = None  # the totals' cells, the same way (made on first use)


def _layout(src: NamedCells, edition: Edition) -> _Layout:
    memo: dict[str, Any] | None = getattr(src, "memo", None)
    key = f"reader.layout.{edition.key}"
    if memo is not None and key in memo:
        return memo[key]
    cells: dict[str, tuple[str, str]] = {}
    missing, no_sheet = [], set()
    for p in edition.fields:
        target = src.target(p)
        if target is None or ":" in target[1]:
            missing.append(p)
        elif not src.has_sheet(target[0]):
            no_sheet.add(target[0])
        else:
            cells[p] = target
    expected = {} if missing or no_sheet else {
        p: _expected_formula(tuple(cells[q][1] for q in edition.formulas[p].right)) for p in edition.computed_paths}
    template = template_cells(edition.key)
    moved = [p for p, where in cells.items() if p in template and where != template[p]]
    versions = []
    for name in (NAME_SCHEMA, NAME_FORMAT_VERSION):
        target = src.target(name)
        versions.append((name, target if target and src.has_sheet(target[0]) else None))
    target = src.target(NAME_PREVIOUS)
    lay = _Layout(
        cells, missing, no_sheet,
        _fact("names_moved", count=len(moved), example=moved[0], found="!".join(cells[moved[0]]),
              template="!".join(template[moved[0]])) if moved else None,
        expected, sorted({sheet for p, (sheet, _) in cells.items() if p != "meta.unit_id"}), versions,
        (target[0], expand(target[1])) if target is not None and src.has_sheet(target[0]) else None)
    if memo is not None:
        memo[key] = lay
    return lay


class _Binder:
    def __init__(self, src: NamedCells, edition: Edition, lay: _Layout) -> None:
        self.src = src
        self.edition = edition
        self.lay = lay
        self.cells = lay.cells
        self.source_cells: dict[str, dict[str, Any]] = {}
        self.integrity: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.occupied: dict[str, str] = {}
        self._computed: dict[str, int | float] | None = None

    def raw(self, path: str) -> Cell:
        return self.src.cell(*self.cells[path])

    def note_cell(self, path: str, printed: str, note: str) -> None:
        self.source_cells[path] = {"printed": printed, "note": note}

    def value(self, path: str, cell: Cell) -> Any:
        value, note = cell_value(self.edition.fields[path].kind, cell, self.src.date1904)
        if note:
            self.note_cell(path, *note)
            if value is None:
                self.occupied[path] = note[0]
        return value

    def total(self, path: str, resolved: dict[str, Any], cell: Cell | None = None) -> Any:
        """A total: cached result, else computed from its parts as the formula would (``cell``:
        the total's cell, when it was read already)."""
        cell = self.raw(path) if cell is None else cell
        sheet, ref = self.cells[path]
        if self.src.knows_formulas:
            if cell.formula is None:
                # the constant as a figure of the fact — never a value JSON cannot hold (inf, NaN …)
                value = number(cell.value) if isinstance(cell.value, float) and not unusable(cell.value) else None
                self.integrity.append(_fact("formula_replaced", path=path, sheet=sheet, cell=ref, value=value))
                return self.value(path, cell)
            expected = self.lay.expected[path]
            if cell.formula and not same_formula(cell.formula, expected):
                self.integrity.append(_fact("formula_changed", path=path, sheet=sheet, cell=ref,
                                            formula=cell.formula, expected=expected))
        if isinstance(cell.value, float):
            return number(cell.value)
        if cell.error:
            self.note_cell(path, cell.error, "公式结果为错误值")
            return None
        # no cached result (a file written by openpyxl): what the formula computes from the entries
        if self._computed is None:
            self._computed = computed_values(self.edition, resolved)
        return self._computed[path]


def _find_edition(src: NamedCells) -> Edition:
    target = src.target(NAME_EDITION)
    if target is None:
        raise NotOurWorkbook(
            f"{src.label} 不是 nianbao 年报模板（找不到定义名称 {NAME_EDITION}），或模板已损坏。{src.hint}",
            f"{src.label} is not a nianbao template (no defined name {NAME_EDITION!r}), or it is damaged",
        )
    sheet, ref = target
    if not src.has_sheet(sheet):
        raise NotOurWorkbook(f"{src.label} 的隐藏工作表“{sheet}”被删除了，模板已损坏。",
                             f"the hidden sheet {sheet!r} of {src.label} was removed")
    raw = src.cell(sheet, ref).value
    key = str(number(raw)) if isinstance(raw, float) else str(raw or "")
    try:
        return S.get_edition(key)
    except S.UnknownEdition:
        raise NotOurWorkbook(f"{src.label} 的格式版本“{key}”无法识别（应为 2021 或 2019）。",
                             f"unknown edition {key!r} in {src.label}") from None


def bind(src: NamedCells) -> WorkbookRead:
    """The report data of a workbook (a file or an open book), found through its defined names."""
    edition = _find_edition(src)
    lay = _layout(src, edition)
    if lay.no_sheet:
        raise NotOurWorkbook(
            f"{src.label} 缺少工作表：{'、'.join(sorted(lay.no_sheet))}。模板已损坏，请用原模板重新填写。",
            f"{src.label} lacks the sheet(s) {', '.join(sorted(lay.no_sheet))}",
        )
    if lay.missing:
        raise NotOurWorkbook(
            f"{src.label} 缺少 {len(lay.missing)} 个定义名称（模板被改动或不是 nianbao 模板）",
            f"{src.label} lacks {len(lay.missing)} defined names (altered, or not a nianbao template)",
            details=list(lay.missing),
        )
    r = _Binder(src, edition, lay)
    _check_versions(src, r)
    resolved = _entered(src, edition, lay, r)
    entered = dict(resolved)
    for p, cell in zip(edition.computed_paths, _total_cells(src, edition, lay)):
        if p not in resolved:
            resolved[p] = r.total(p, entered, cell)
    _check_protection(src, r)
    if lay.moved is not None:
        r.integrity.append(dict(lay.moved))
    data = report_of(edition, resolved)
    data["previous"] = _read_previous(src, r)
    shape, note = stored_shape(src, edition, lambda p: get_path(data, p) is None and p not in r.occupied)
    r.notes += [note] if note else []
    if r.source_cells or r.integrity or r.notes or shape:
        data["source"] = {"format": "xlsx", "cells": r.source_cells, "notes": r.notes, "integrity": r.integrity, **shape}
    return WorkbookRead(data, dict(lay.cells), r.integrity, r.occupied)


def _entered(src: NamedCells, edition: Edition, lay: _Layout, r: _Binder) -> dict[str, Any]:
    """The entered values, in the schema's order.  From a file, the cells of figures come in one
    pass (``XlsxPackage.values``): a plain number in a number field is its figure at once — what
    ``cell_value`` gives for it — and every other cell goes through ``value`` as from any source."""
    resolved: dict[str, Any] = {}
    cells, value = lay.cells, r.value
    values = getattr(src, "values", None)
    if values is None:
        cell = src.cell
        for p in edition.entered_paths:
            resolved[p] = value(p, cell(*cells[p]))
        return resolved
    if lay.entered is None:
        lay.entered = (_runs(cells, edition.entered_paths),
                       [edition.fields[p].kind in _NUMERIC_KINDS for p in edition.entered_paths])
    runs, numeric = lay.entered
    for p, got, figure in zip(edition.entered_paths, values(runs), numeric):
        if type(got) is float:
            if figure and (usual := _usual_figure(got)) is not None:
                resolved[p] = usual
                continue
            got = Cell(got)
        resolved[p] = value(p, got)
    return resolved


def _runs(cells: dict[str, tuple[str, str]], paths: Sequence[str]) -> list[tuple[str, list[str]]]:
    """The cells of ``paths`` in that order, as runs of one sheet: (sheet, refs)."""
    runs: list[tuple[str, list[str]]] = []
    for p in paths:
        sheet, ref = cells[p]
        if not runs or runs[-1][0] != sheet:
            runs.append((sheet, []))
        runs[-1][1].append(ref)
    return runs


def _total_cells(src: NamedCells, edition: Edition, lay: _Layout) -> Sequence[Cell | None]:
    """The totals' cells, in the schema's order: from a file in one pass (``XlsxPackage.values``);
    None for each (read one by one) from any other source."""
    values = getattr(src, "values", None)
    if values is None:
        return [None] * len(edition.computed_paths)
    if lay.totals is None:
        lay.totals = _runs(lay.cells, edition.computed_paths)
    return values(lay.totals, formulas=True)


def read_workbook(path: str | Path) -> WorkbookRead:
    """Read a filled (or blank) template file into report data."""
    with XlsxPackage(path) as pkg:
        return bind(FileCells(pkg))


@lru_cache(maxsize=4)
def template_cells(edition_key: str) -> dict[str, tuple[str, str]]:
    """Where the bundled template of an edition puts each value (path -> (sheet, cell))."""
    from nianbao.workbook_templates.xlsx.templates import bundled

    with XlsxPackage(bundled(S.get_edition(edition_key))) as pkg:
        return {p: t for p in S.get_edition(edition_key).fields if (t := pkg.target(p))}


def _check_versions(src: NamedCells, r: _Binder) -> None:
    for (name, target), known in zip(r.lay.versions, ((S.SCHEMA_ID,), S.FORMAT_VERSIONS)):
        raw = src.cell(*target).value if target else None
        got = str(number(raw)) if isinstance(raw, float) else raw
        if got not in known:
            r.integrity.append(_fact("version", path=name, found=got, known=list(known)))


def _check_protection(src: NamedCells, r: _Binder) -> None:
    for name in r.lay.protected_sheets:
        if src.protected(name) is False:
            r.integrity.append(_fact("protection_removed", sheet=name))


def _read_previous(src: NamedCells, r: _Binder) -> Any:
    if r.lay.previous is None:
        return None
    sheet, refs = r.lay.previous
    text = "".join(str(src.cell(sheet, ref).value or "") for ref in refs)
    if not text.strip():
        return None
    try:
        return normalise(json.loads(text), nested=True)
    except (json.JSONDecodeError, DataError) as e:
        r.notes.append(f"隐藏工作表中的上年数据无法读取，已忽略：{e}")
        return None
