"""The 汇总情况 sheet of SUMMARY.xlsx, written row by row however many units there are.

openpyxl lays the sheet out once — title, count line, header, print setup, one styled sample row
for each look a row can have — and the saved package is then copied with the sample rows replaced
by one row per unit, streamed into the zip: the cost and the memory of a row do not grow with the
number of units, and every row carries exactly the styles openpyxl gave its sample."""

from __future__ import annotations

import io
import re
import sys
import zipfile
from collections.abc import Iterable
from datetime import date
from html import escape
from typing import Any, BinaryIO

from nianbao.batch.dashboard import (
    FILLS, HEADERS, KEY_FIGURES, STATUS_COLUMN, TONES, WIDTHS, Counts, DashboardRow, Totals, total_label)
from nianbao.batch.returns import DASHBOARD
from nianbao.workbook_templates.xlsx.cellrefs import column_letter
from nianbao.workbook_templates.format.sanitise import xml_text

FIRST_ROW = 4  # rows 1–3: title, count line, header
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_SAMPLES = (*TONES, "total")  # the sample rows, in order: one per tone, then the 合计 row


def add_layout(wb: Any, title: str, counts: Counts, day: date) -> None:
    """The dashboard as the workbook's first sheet, ready to print, with one sample row per look."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(DASHBOARD, 0)
    last = get_column_letter(len(HEADERS))
    ws.append([title])
    ws.append([f"{counts.line()}。汇总日期：{day.isoformat()}"])
    ws.merge_cells(f"A1:{last}1")
    ws.merge_cells(f"A2:{last}2")
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(list(HEADERS))
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.border = border
    for r, sample in enumerate(_SAMPLES, start=FIRST_ROW):
        for col in range(1, len(HEADERS) + 1):
            cell = ws.cell(r, col)
            cell.border = border
            if sample == "total":
                cell.font = Font(bold=True)
                continue
            cell.alignment = wrap
            if col == STATUS_COLUMN and sample:
                cell.fill = PatternFill("solid", fgColor=FILLS[sample])
    ws.auto_filter.ref = f"A3:{last}{FIRST_ROW + len(_SAMPLES) - 1}"  # set again when the rows are written
    ws.freeze_panes = "B4"
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    wb.active = 0


def _letters(n: int) -> list[str]:
    return [column_letter(i) for i in range(1, n + 1)]


def _cell(ref: str, style: str, value: Any) -> str:
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, (int, float)):
        return f'<c r="{ref}" s="{style}" t="n"><v>{value!r}</v></c>'
    text = escape(xml_text(str(value)), quote=False)
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _row(r: int, styles: list[str], letters: list[str], values: list[Any]) -> str:
    """A row of cells, as ``_cell`` writes each: its usual values (text, whole numbers, blanks)
    written here directly, a thousand rows being written at a time."""
    at = str(r)
    cells = []
    for col, style, v in zip(letters, styles, values):
        t = type(v)
        if v is None or (t is str and not v):
            cells.append(f'<c r="{col}{at}" s="{style}"/>')
        elif t is str:
            cells.append(f'<c r="{col}{at}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
                         f'{escape(xml_text(v), quote=False)}</t></is></c>')
        elif t is int:
            cells.append(f'<c r="{col}{at}" s="{style}" t="n"><v>{v!r}</v></c>')
        else:
            cells.append(_cell(col + at, style, v))
    return f'<row r="{at}">{"".join(cells)}</row>'


# Blank templates built ahead (edition key -> Template), in the process that will lay SUMMARY.xlsx
# out: importing openpyxl and building the template are most of the layout's cost and need
# nothing but the edition, so they are done while the returns are still being read.
_PREPARED: dict[str, Any] = {}


# What openpyxl imports only if it is there, to write numpy numbers and images: SUMMARY.xlsx holds
# neither, and importing them doubles openpyxl's start-up (0.25 s → 0.12 s of CPU without them).
_NOT_NEEDED = ("numpy", "PIL")


def prepare(edition_key: str) -> None:
    """Import openpyxl and build the blank template of ``edition_key`` for a ``layout`` to come
    (in the process that lays SUMMARY.xlsx out and does nothing else: see ``Workers.warm``)."""
    if "openpyxl" not in sys.modules:
        for name in _NOT_NEEDED:  # None: “import numpy” fails, and openpyxl does without
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    from nianbao.workbook_templates.xlsx.builder import build
    from nianbao.workbook_templates.format import schema as S

    if edition_key not in _PREPARED:
        _PREPARED[edition_key] = build(S.get_edition(edition_key))


def layout(city: dict[str, Any], title: str, counts: Counts, day: date) -> bytes:
    """SUMMARY.xlsx without its rows: the filled template of the sum with the dashboard laid out
    (openpyxl; run in a worker while the parent writes the ledger and the feedback)."""
    from nianbao.workbook_templates.xlsx.builder import build, fill
    from nianbao.workbook_templates.xlsx.utf8_save import save
    from nianbao.workbook_templates.format import schema as S

    template = _PREPARED.pop(city["edition"], None)  # a template is filled once: never handed out twice
    if template is None:
        template = build(S.get_edition(city["edition"]))
    else:
        from openpyxl.packaging.core import DocumentProperties

        # created now, as a template built here and now would say (openpyxl's own default)
        template.workbook.properties.created = DocumentProperties().created
    fill(template, city)
    add_layout(template.workbook, title, counts, day)
    buf = io.BytesIO()
    save(template.workbook, buf)
    return buf.getvalue()


def write_with_rows(package: bytes, fh: BinaryIO, rows: Iterable[DashboardRow], count: int, totals: Totals) -> None:
    """Write the ``layout`` package to ``fh`` with the dashboard's sample rows replaced by the
    ``count`` ``rows`` and the 合计 row."""
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as out:
        part = _dashboard_part(src)
        for info in src.infolist():
            if info.filename != part:
                out.writestr(info, src.read(info))
        xml = src.read(part).decode("utf-8")
        start, end = xml.index(f'<row r="{FIRST_ROW}"'), xml.index("</sheetData>")
        styles = _sample_styles(xml[start:end])
        head, tail = xml[:start], xml[end:]
        letters = _letters(len(HEADERS))
        total_row, last = FIRST_ROW + count, letters[-1]
        head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}{total_row}"/>', head, count=1)
        tail = re.sub(r'<autoFilter ref="[^"]*"', f'<autoFilter ref="A3:{last}{max(total_row - 1, 3)}"', tail, count=1)
        info = zipfile.ZipInfo(part, date_time=src.getinfo(part).date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        with out.open(info, "w") as sheet:
            sheet.write(head.encode("utf-8"))
            parts: list[str] = []
            r = FIRST_ROW - 1
            for r, row in enumerate(rows, start=FIRST_ROW):
                parts.append(_row(r, styles[row.tone], letters, row.cells()))
                if len(parts) >= 256:
                    sheet.write("".join(parts).encode("utf-8"))
                    parts.clear()
            first_figure = HEADERS.index(KEY_FIGURES[0])
            total: list[Any] = [None] * len(HEADERS)
            total[0] = total_label(totals)
            total[first_figure: first_figure + len(totals.figures)] = list(totals.figures)
            assert r == total_row - 1, "as many rows as counted"
            parts.append(_row(total_row, styles["total"], letters, total))
            sheet.write("".join(parts).encode("utf-8"))
            sheet.write(tail.encode("utf-8"))


def _dashboard_part(z: zipfile.ZipFile) -> str:
    from lxml import etree  # here, not at start-up: only the writing of SUMMARY.xlsx needs it

    wb = etree.fromstring(z.read("xl/workbook.xml"))
    rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    rid = next(s.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
               for s in wb.iter(f"{_NS}sheet") if s.get("name") == DASHBOARD)
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _sample_styles(rows_xml: str) -> dict[str, list[str]]:
    from lxml import etree

    root = etree.fromstring(f'<sheetData xmlns="{_NS[1:-1]}">{rows_xml}</sheetData>')
    found = [[c.get("s", "0") for c in row.iter(f"{_NS}c")] for row in root.iter(f"{_NS}row")]
    assert len(found) == len(_SAMPLES) and all(len(s) == len(HEADERS) for s in found), "the sample rows as laid out"
    return dict(zip(_SAMPLES, found))
