"""Table grids flattened for plain formats (.md, .txt): each value column's header path and
each row's label path, from the same grid the .docx and .html use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format import table_layout as L

from nianbao.generator.figures import table_value

_HEADERS = (L.COLGROUP, L.COL)
_ROW_LABELS = (L.ROWGROUP, L.ROW)


@dataclass
class FlatTable:
    caption: str  # a block caption of 第二部分, else ""
    header: list[str]  # first the label column, then one per value column
    rows: list[list[str]]


def flatten(grid: L.Grid, edition: S.Edition, data: Mapping[str, Any]) -> list[FlatTable]:
    if grid.name == "part2":
        return _flatten_blocks(grid, edition, data)
    values = grid.values()
    value_cols = sorted({v.col for v in values})
    header = ["项目"] + ["·".join(c.text for c in grid.cells if c.role in _HEADERS and c.row < grid.header_rows
                                  and c.col <= col < c.col + c.colspan) for col in value_cols]
    rows = []
    for r in sorted({v.row for v in values}):
        label = "·".join(c.text for c in sorted(grid.cells, key=lambda c: c.col)
                         if c.role in _ROW_LABELS and c.row <= r < c.row + c.rowspan)
        by_col = {v.col: v for v in values if v.row == r}
        rows.append([label] + [table_value(edition, by_col[col].path, data) if col in by_col and by_col[col].path
                               else "" for col in value_cols])
    return [FlatTable("", header, rows)]


def _flatten_blocks(grid: L.Grid, edition: S.Edition, data: Mapping[str, Any]) -> list[FlatTable]:
    tables: list[FlatTable] = []
    for r in range(grid.nrows):
        in_row = sorted((c for c in grid.cells if c.row == r), key=lambda c: c.col)
        if in_row and in_row[0].role == L.CAPTION:
            tables.append(FlatTable(in_row[0].text, [], []))
        elif in_row and in_row[0].role == L.COL:
            tables[-1].header = [c.text for c in in_row]
        else:
            tables[-1].rows.append([c.text if c.role == L.ROW else table_value(edition, c.path or "", data)
                                    for c in in_row])
    return tables
