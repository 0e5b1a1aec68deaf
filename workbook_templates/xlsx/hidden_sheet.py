"""Layout of the template's hidden sheet that is shared by every writer of it.

Last year's report data (``previous``) is stored as compact JSON split over the cells of one
column (a cell holds at most 32767 characters), and the defined name ``previous`` spans them.
The shape of the published table a workbook was imported from (``printed_shape``: the cells it did
not print) is one cell of JSON, named where it is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

PREVIOUS_COLUMN = "D"
PREVIOUS_CHUNK = 30000  # characters per cell (Excel allows 32767)


def previous_chunks(previous: Mapping[str, Any]) -> list[str]:
    text = json.dumps(previous, ensure_ascii=False, separators=(",", ":"))
    return [text[i: i + PREVIOUS_CHUNK] for i in range(0, len(text), PREVIOUS_CHUNK)] or [""]


def previous_refs(count: int) -> list[str]:
    return [f"{PREVIOUS_COLUMN}{i}" for i in range(1, count + 1)]


def span(refs: list[str]) -> str:
    return refs[0] if len(refs) == 1 else f"{refs[0]}:{refs[-1]}"


def previous_writes(previous: Mapping[str, Any], old_range: str | None) -> tuple[dict[str, str | None], str]:
    """The cells to write for ``previous`` (chunks, and None for chunks of an older, longer value
    in ``old_range``) and the range the name ``previous`` then spans."""
    from nianbao.workbook_templates.xlsx.cellrefs import expand

    chunks = previous_chunks(previous)
    refs = previous_refs(len(chunks))
    writes: dict[str, str | None] = dict(zip(refs, chunks))
    for ref in expand(old_range) if old_range else []:
        writes.setdefault(ref, None)
    return writes, span(refs)


# -- marks: which input cells the last 校验 flagged ----------------------------------------------
#
# From template version 2 on, every input cell carries two conditional formats that colour it when
# its key ("第三部分!D8") is listed in a column of the hidden sheet.  Marking cells is then a
# matter of writing values into the (unprotected) hidden sheet: no formatting at click time,
# which Excel refuses on a protected sheet, and the same marks show in Excel, WPS and LibreOffice.

MARK_SEVERITIES = ("error", "warning")  # an error wins (its rule comes first and stops)
MARK_COLUMNS = {"error": "H", "warning": "I"}
MARK_NAMES = {"error": "nianbao_marks_error", "warning": "nianbao_marks_warning"}
MARK_ROWS = 1000  # room for every input cell of either edition
MARK_BLOCK = f"{MARK_COLUMNS['error']}1:{MARK_COLUMNS['warning']}{MARK_ROWS}"  # both lists, one write


def mark_range(severity: str) -> str:
    col = MARK_COLUMNS[severity]
    return f"{col}1:{col}{MARK_ROWS}"


def mark_key(sheet: str, ref: str) -> str:
    return f"{sheet}!{ref}"


def mark_formula(sheet: str, severity: str) -> str:
    """The rule's formula on ``sheet``: true when the cell being formatted is listed."""
    literal = sheet.replace('"', '""')
    return f'COUNTIF({MARK_NAMES[severity]},"{literal}!"&ADDRESS(ROW(),COLUMN(),4))>0'


def mark_values(marks: Mapping[str, list[str]]) -> list[list[str]]:
    """The hidden sheet's mark columns (H:I, rows 1..MARK_ROWS) for ``marks`` (severity -> keys)."""
    cols = [list(marks.get(sev, []))[:MARK_ROWS] for sev in MARK_SEVERITIES]
    return [[c[i] if i < len(c) else "" for c in cols] for i in range(MARK_ROWS)]


def markable(entered_paths: Iterable[str], cells: Mapping[str, tuple[str, str]]) -> dict[str, list[str]]:
    """The input cells that carry the mark rules, by sheet (every entered value a person types;
    the hidden unit id is not one)."""
    out: dict[str, list[str]] = {}
    for p in entered_paths:
        if p != "meta.unit_id" and p in cells:
            sheet, ref = cells[p]
            out.setdefault(sheet, []).append(ref)
    return out


# -- the printed shape: the cells of the template a published table did not print ----------------
#
# A 2021 report printing （六）其他处理 as one row (the 2019 way) is imported whole into 3.其他; the
# other two rows are not printed, so nothing is blank there (NUM-01) and STR-03 says the row shape.
# ``import -o X.xlsx`` keeps that in the hidden sheet (row 5, name ``printed_shape``), and every
# reader of the workbook restores it into ``source`` while those cells are still empty: once a
# person fills any of them, the workbook is in the template's shape and is checked as such.

SHAPE_LABEL_REF, SHAPE_REF = "A5", "B5"
SHAPE_KEYS = ("single_other_row", "not_printed")  # the keys of ``source`` the workbook keeps


def shape_of(source: Mapping[str, Any] | None) -> dict[str, Any]:
    """What of ``source`` describes the printed table's shape (nothing for a table as the template)."""
    source = source or {}
    return {k: source[k] for k in SHAPE_KEYS if source.get(k)} if source.get("not_printed") else {}


def shape_text(shape: Mapping[str, Any]) -> str:
    return json.dumps(dict(shape), ensure_ascii=False, separators=(",", ":"))


def stored_shape(src: Any, edition: Any, blank: Callable[[str], bool]) -> tuple[dict[str, Any], str | None]:
    """The printed shape a workbook (``reader.NamedCells`` of ``edition``) keeps, while its input cells
    are still ``blank`` ({} when there is none or a person filled any of them; a note when it cannot
    be read).  Its totals are formulas: they say nothing of what a person typed."""
    from nianbao.workbook_templates.format.schema import NAME_PRINTED_SHAPE

    target = src.target(NAME_PRINTED_SHAPE)
    if target is None or not src.has_sheet(target[0]):
        return {}, None
    text = src.cell(*target).value
    if not isinstance(text, str) or not text.strip():
        return {}, None
    try:
        shape = json.loads(text)
    except json.JSONDecodeError:
        shape = None
    cells = shape.get("not_printed") if isinstance(shape, dict) else None
    if not isinstance(cells, list) or not cells or not all(isinstance(p, str) and p in edition.fields for p in cells):
        return {}, "隐藏工作表中记录的原文表格形状（未印出的单元格）无法读取，已忽略"
    entered = set(edition.entered_paths)
    if not all(blank(p) for p in cells if p in entered):
        return {}, None
    out: dict[str, Any] = {"not_printed": list(cells)}
    if shape.get("single_other_row") is True:
        out["single_other_row"] = True
    return out, None
