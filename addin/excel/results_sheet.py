"""Validation results written into the workbook: the 校验结果 sheet and marks on input cells.

- One row per finding, with a hyperlink to each cell involved; running again replaces the sheet.
- A person may confirm a warning by typing a name and a short note in the sheet; the
  confirmation is read back before the sheet is replaced, so it survives later runs, and the
  finding comes back as ``acknowledged``.  Errors cannot be confirmed away.
- Involved *input* cells are marked by conditional formats we own (red for errors, yellow for
  unconfirmed warnings); cell values and styles are never touched.
- Everything else in the workbook is kept: only the parts we change are rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from nianbao.workbook_templates.xlsx import look
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.xlsx.cellrefs import column_letter, quote_sheet
from nianbao.workbook_templates.xlsx.edit import NS, R_NS, PackageEditor, q
from nianbao.workbook_templates.xlsx.package import XlsxPackage

from nianbao.addin.checks.findings import FIX_PREFIX, SEVERITY_ZH, Finding, Report
from nianbao.addin.checks.grouping import Line, for_people

RESULTS_SHEET = "校验结果"
HEADERS = ("序号", "级别", "规则", "部分", "说明", "确认人", "确认说明（只有警告可以确认）", "键", "涉及单元格")
COL_BY, COL_NOTE, COL_KEY = 6, 7, 8  # 1-based columns F, G, H (H hidden)
FIRST_LINK_COL = 9
MAX_LINKS = 24
WIDTHS = {1: 6, 2: 7, 3: 9, 4: 10, 5: 70, 6: 10, 7: 28}
MARK_ERROR, MARK_WARNING = "nianbao-error", "nianbao-warning"


def read_acknowledgements(path: str | Path) -> dict[str, dict[str, str]]:
    """Confirmations typed into an existing 校验结果 sheet: finding key -> {by, note}."""
    out: dict[str, dict[str, str]] = {}
    with XlsxPackage(path) as pkg:
        if RESULTS_SHEET not in pkg.sheets:
            return out
        refs = pkg.sheet(RESULTS_SHEET).elements
        rows = sorted({int("".join(ch for ch in ref if ch.isdigit())) for ref in refs})
        for r in rows:
            if r < 2:
                continue
            key, by, note = (pkg.cell(RESULTS_SHEET, f"{column_letter(c)}{r}") for c in (COL_KEY, COL_BY, COL_NOTE))
            text = [str(c.value).strip() if c is not None and c.value is not None else "" for c in (by, note)]
            if key is not None and key.value and any(text):
                for k in str(key.value).split("\n"):  # a grouped line holds the keys of all its findings
                    out[k] = {"by": text[0], "note": text[1]}
    return out


def _cell(row: etree._Element, col: int, value: str | int, style: int | None = None) -> None:
    ref = f"{column_letter(col)}{row.get('r')}"
    c = etree.SubElement(row, q("c"), r=ref)
    if style:
        c.set("s", str(style))
    if isinstance(value, int):
        etree.SubElement(c, q("v")).text = str(value)
        return
    c.set("t", "inlineStr")
    etree.SubElement(etree.SubElement(c, q("is")), q("t")).text = value


def explained(f: Finding | Line) -> str:
    """A finding's 说明 cell: what is wrong, then 怎么改 on its own line."""
    return f"{f.message}\n{FIX_PREFIX}{f.fix}" if f.fix else f.message


@dataclass
class ResultRows:
    """The 校验结果 sheet's content, shared by the file writer here and the add-in's book writer."""

    rows: list[list[str | int]]  # row 1 = HEADERS
    links: list[tuple[int, int, str, str]]  # (row, column) 1-based -> (sheet, cell)


def result_rows(report: Report, cells: Mapping[str, tuple[str, str]]) -> ResultRows:
    rows: list[list[str | int]] = [list(HEADERS)]
    links: list[tuple[int, int, str, str]] = []
    for n, f in enumerate(for_people(report.findings), start=1):  # one row per cause; the key cell lists every finding
        ack = f.acknowledged or {}
        row: list[str | int] = [n, SEVERITY_ZH[f.severity], f.rules, f.part, explained(f),
                                ack.get("by", ""), ack.get("note", ""), "\n".join(f.keys)]
        located = [cells[p] for p in f.paths if p in cells]
        for k, (sheet, ref) in enumerate(located[:MAX_LINKS]):
            row.append(f"{sheet}!{ref}")
            links.append((n + 1, FIRST_LINK_COL + k, sheet, ref))
        if len(located) > MAX_LINKS:
            row.append(f"等 {len(located)} 处")
        rows.append(row)
    if not report.findings:
        rows.append(["", "", "", "", "未发现问题。"])
    return ResultRows(rows, links)


def results_sheet(report: Report, cells: Mapping[str, tuple[str, str]], bold: int, wrap: int) -> etree._Element:
    """The 校验结果 worksheet XML."""
    content = result_rows(report, cells)
    root = etree.Element(q("worksheet"), nsmap={None: NS, "r": R_NS})
    pr = etree.SubElement(root, q("sheetPr"))
    etree.SubElement(pr, q("tabColor"), rgb="FFC00000" if not report.ok else "FF00B050")
    etree.SubElement(pr, q("pageSetUpPr"), fitToPage="1")
    views = etree.SubElement(etree.SubElement(root, q("sheetViews")), q("sheetView"), workbookViewId="0")
    etree.SubElement(views, q("pane"), ySplit="1", topLeftCell="A2", activePane="bottomLeft", state="frozen")
    etree.SubElement(root, q("sheetFormatPr"), defaultRowHeight="15")
    cols = etree.SubElement(root, q("cols"))
    for i, w in WIDTHS.items():
        etree.SubElement(cols, q("col"), min=str(i), max=str(i), width=str(w), customWidth="1")
    etree.SubElement(cols, q("col"), min=str(COL_KEY), max=str(COL_KEY), width="12", hidden="1", customWidth="1")
    etree.SubElement(cols, q("col"), min=str(FIRST_LINK_COL), max=str(FIRST_LINK_COL + MAX_LINKS),
                     width="14", customWidth="1")
    data = etree.SubElement(root, q("sheetData"))
    for r, values in enumerate(content.rows, start=1):
        row = etree.SubElement(data, q("row"), r=str(r))
        for c, value in enumerate(values, start=1):
            if value == "" and c != 5:
                continue
            style = bold if r == 1 else (wrap if c == 5 else None)
            _cell(row, c, value, style)
    if content.links:
        hl = etree.SubElement(root, q("hyperlinks"))
        for r, c, sheet, ref in content.links:
            etree.SubElement(hl, q("hyperlink"), ref=f"{column_letter(c)}{r}", location=f"{quote_sheet(sheet)}!{ref}",
                             display=f"{sheet}!{ref}")
    etree.SubElement(root, q("pageMargins"), left="0.5", right="0.5", top="0.75", bottom="0.75",
                     header="0.3", footer="0.3")
    etree.SubElement(root, q("pageSetup"), paperSize="9", orientation="landscape", fitToWidth="1", fitToHeight="0")
    return root


def marks(report: Report, cells: Mapping[str, tuple[str, str]], edition: S.Edition) -> dict[str, dict[str, set[str]]]:
    """Input cells to mark, by sheet and severity (an error wins; confirmed warnings are not marked).
    Every sheet with input cells is listed, so old marks are cleared where there are none now."""
    entered = set(edition.entered_paths) - {"meta.unit_id"}
    out: dict[str, dict[str, set[str]]] = {sheet: {"error": set(), "warning": set()}
                                           for p, (sheet, _) in cells.items() if p in entered}
    for f in report.findings:
        if f.severity not in ("error", "warning") or f.acknowledged:
            continue
        for p in f.paths:
            if p in entered and p in cells:
                sheet, ref = cells[p]
                out[sheet][f.severity].add(ref)
    for by_sev in out.values():
        by_sev["warning"] -= by_sev["error"]
    return out


def annotate(path: str | Path, report: Report, cells: Mapping[str, tuple[str, str]],
             edition: S.Edition) -> Path | None:
    """Write the 校验结果 sheet and the marks into the workbook at ``path`` (atomically)."""
    editor = PackageEditor(path)
    sheet = results_sheet(report, cells, editor.ensure_text_xf(bold=True), editor.ensure_text_xf(bold=False))
    editor.put_sheet(RESULTS_SHEET, sheet)
    dxf = {"error": editor.ensure_dxf(look.ERROR_FILL, look.ERROR_FONT),
           "warning": editor.ensure_dxf(look.WARNING_FILL, look.WARNING_FONT)}
    for sheet, by_sev in marks(report, cells, edition).items():
        editor.set_marks(sheet, MARK_ERROR, by_sev["error"], dxf["error"])
        editor.set_marks(sheet, MARK_WARNING, by_sev["warning"], dxf["warning"])
    return editor.save()
