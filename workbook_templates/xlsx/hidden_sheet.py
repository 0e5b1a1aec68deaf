"""Layout of the template's hidden sheet that is shared by every writer of it.

Last year's report data (``previous``) is stored as compact JSON split over the cells of one
column (a cell holds at most 32767 characters), and the defined name ``previous`` spans them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
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
