"""xlwings' own JSON book for tests on Linux: a payload built from a real (LibreOffice-recalculated)
workbook, and a replayer that applies the actions a core function queued onto the .xlsx.

The remote engine is xlwings PRO (PolyForm Noncommercial; government use is a permitted
purpose): the key ``noncommercial`` is set for tests only.  The shipped add-in uses only the
BSD part of xlwings (RunPython over COM)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.hyperlink import Hyperlink

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


def payload(path: Path, name: str | None = None) -> dict[str, Any]:
    import xlwings as xw

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
    import xlwings as xw

    return xw.Book(json=payload(path))


def replay(actions: list[dict[str, Any]], src: Path, dst: Path) -> Path:
    """Apply queued actions to the .xlsx (the few our core functions use; others raise)."""
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
        if func == "setValues":
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    cell = ws.cell(r0 + i, c0 + j)
                    cell.value = None if v == "" else v
                    if isinstance(v, str) and v.startswith("="):
                        cell.data_type = "s"
        elif func == "addHyperlink":
            cell = ws.cell(r0, c0)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=args[0].lstrip("#"), display=args[1])
        elif func == "setRangeColor":
            for i in range(a["row_count"]):
                for j in range(a["column_count"]):
                    ws.cell(r0 + i, c0 + j).fill = PatternFill("solid", fgColor=args[0].lstrip("#").upper())
        else:
            raise NotImplementedError(f"replay does not know the action {func!r}")
    wb.save(dst)
    return dst
