"""The 校验结果 sheet as it is read back: where its columns are, and the confirmations a person
typed into it (a name and a note against a warning), which ``validate`` gives back as
``acknowledged``.  Kept apart from the writing of the sheet (``results_sheet``), so that
``validate`` reads a workbook without importing what writes one (lxml, the package editor)."""

from __future__ import annotations

from pathlib import Path

from nianbao.workbook_templates.xlsx.cellrefs import column_letter
from nianbao.workbook_templates.xlsx.package import XlsxPackage

RESULTS_SHEET = "校验结果"
HEADERS = ("序号", "级别", "规则", "部分", "说明", "确认人", "确认说明（只有警告可以确认）", "键", "涉及单元格")
COL_BY, COL_NOTE, COL_KEY = 6, 7, 8  # 1-based columns F, G, H (H hidden)
HEADER_ROW = 2  # row 1 is the title (version 1 of the sheet had the headers in row 1)
FIRST_LINK_COL = 9


def acknowledgement_columns(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    """Where the headers are in a 校验结果 sheet's rows (0-based row, 1-based columns of 确认人,
    确认说明 and 键), found by their text: the layout of every version of the sheet."""
    for i, row in enumerate(rows[:10]):
        texts = [str(v).strip() if v is not None else "" for v in row]
        if HEADERS[COL_KEY - 1] in texts and HEADERS[COL_BY - 1] in texts:
            by = texts.index(HEADERS[COL_BY - 1]) + 1
            note = next((j + 1 for j, t in enumerate(texts) if t.startswith("确认说明")), COL_NOTE)
            return i, {"by": by, "note": note, "key": texts.index(HEADERS[COL_KEY - 1]) + 1}
    return None


def acknowledgements_from_rows(rows: list[list]) -> dict[str, dict[str, str]]:
    """Confirmations typed into a 校验结果 sheet's rows (values, row by row): key -> {by, note}."""
    found = acknowledgement_columns(rows)
    start, cols = found if found else (0, {"by": COL_BY, "note": COL_NOTE, "key": COL_KEY})
    out: dict[str, dict[str, str]] = {}
    for row in rows[start + 1:]:
        row = list(row) + [None] * (max(cols.values()) - len(row))
        key = row[cols["key"] - 1]
        by, note = (str(row[cols[k] - 1]).strip() if row[cols[k] - 1] is not None else "" for k in ("by", "note"))
        if key and (by or note):
            for k in str(key).split("\n"):  # a grouped line holds the keys of all its findings
                out[k] = {"by": by, "note": note}
    return out


def read_acknowledgements(path: str | Path) -> dict[str, dict[str, str]]:
    """Confirmations typed into an existing 校验结果 sheet: finding key -> {by, note}."""
    with XlsxPackage(path) as pkg:
        if RESULTS_SHEET not in pkg.sheets:
            return {}
        refs = pkg.sheet(RESULTS_SHEET).elements
        last_row = max((int("".join(ch for ch in ref if ch.isdigit())) for ref in refs), default=0)
        width = max(FIRST_LINK_COL, COL_KEY)
        rows = []
        for r in range(1, last_row + 1):
            cells = [pkg.cell(RESULTS_SHEET, f"{column_letter(c)}{r}") for c in range(1, width + 1)]
            rows.append([c.value if c is not None else None for c in cells])
    return acknowledgements_from_rows(rows)
