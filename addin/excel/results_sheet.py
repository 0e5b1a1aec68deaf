"""Validation results written into the workbook: the 校验结果 sheet and marks on input cells.

- A title row (the counts by level), the header row, then one row per finding, with a hyperlink
  to each cell involved; running again replaces the sheet.  Printed landscape, one page wide,
  with borders, the level cell coloured by its level.
- A person may confirm a warning by typing a name and a short note in the sheet; the
  confirmation is read back before the sheet is replaced, so it survives later runs, and the
  finding comes back as ``acknowledged``.  Errors cannot be confirmed away.
- Involved *input* cells are marked by listing them on the hidden sheet (columns H:I): conditional
  formats in the template (version 2; added to older workbooks here) colour a listed cell red
  (error) or orange (unconfirmed warning); cell values and styles are never touched.
- Everything else in the workbook is kept: only the parts we change are rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from nianbao.workbook_templates.xlsx import look
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.xlsx import hidden_sheet as H
from nianbao.workbook_templates.xlsx.cellrefs import column_letter, quote_sheet, ranges, split
from nianbao.workbook_templates.xlsx.edit import NS, R_NS, PackageEditor, q
from nianbao.workbook_templates.xlsx.safe_write import Written

from nianbao.addin.checks.findings import FIX_PREFIX, SEVERITY_ZH, Finding, Report
from nianbao.addin.checks.grouping import Line, for_people
from nianbao.addin.excel.acknowledgements import (  # noqa: F401  (the sheet's layout, read back)
    COL_BY, COL_KEY, COL_NOTE, FIRST_LINK_COL, HEADER_ROW, HEADERS, RESULTS_SHEET, acknowledgement_columns,
    acknowledgements_from_rows, read_acknowledgements)

MAX_LINKS = 24
WIDTHS = {1: 6, 2: 8, 3: 9, 4: 12, 5: 70, 6: 10, 7: 28}
MARK_ERROR, MARK_WARNING = "nianbao-error", "nianbao-warning"
LEVEL_COLOURS = {"error": (look.ERROR_FILL, look.ERROR_FONT), "warning": (look.WARNING_FILL, look.WARNING_FONT),
                 "info": (look.INFO_FILL, look.INFO_FONT), "acknowledged": (look.BALANCED_FILL, look.BALANCED_FONT)}
_LINE_PT = 15  # row height per line of 11 pt text
_CHARS_PER_LINE = {5: 31, 7: 12}  # Chinese characters of 11 pt a line of the 说明 and 确认说明 columns holds


def _cell(row: etree._Element, col: int, value: str | int, style: int | None = None) -> None:
    ref = f"{column_letter(col)}{row.get('r')}"
    c = etree.SubElement(row, q("c"), r=ref)
    if style:
        c.set("s", str(style))
    if value == "":  # a bordered empty cell (确认人 to type into)
        return
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


def title(report: Report) -> str:
    acked = sum(1 for f in report.findings if f.acknowledged)
    counts = "，".join(f"{SEVERITY_ZH[s]} {report.count(s)} 条" for s in ("error", "warning", "info"))
    return f"{RESULTS_SHEET}：{counts}" + (f"（已确认 {acked} 条）" if acked else "")


def result_rows(report: Report, cells: Mapping[str, tuple[str, str]]) -> ResultRows:
    """Row 1 the title, row HEADER_ROW the headers, then one row per finding."""
    rows: list[list[str | int]] = [[title(report)], list(HEADERS)]
    links: list[tuple[int, int, str, str]] = []
    for n, f in enumerate(for_people(report.findings), start=1):  # one row per cause; the key cell lists every finding
        ack = f.acknowledged or {}
        row: list[str | int] = [n, SEVERITY_ZH[f.severity], f.rules, f.part, explained(f),
                                ack.get("by", ""), ack.get("note", ""), "\n".join(f.keys)]
        located = [cells[p] for p in f.paths if p in cells]
        for k, (sheet, ref) in enumerate(located[:MAX_LINKS]):
            row.append(f"{sheet}!{ref}")
            links.append((HEADER_ROW + n, FIRST_LINK_COL + k, sheet, ref))
        if len(located) > MAX_LINKS:
            row.append(f"等 {len(located)} 处")
        rows.append(row)
    if not report.findings:
        rows.append(["", "", "", "", "未发现问题。"])
    return ResultRows(rows, links)


def _shape(el: etree._Element) -> tuple:
    """An element as what it means: local names, attributes, text and children, not namespace syntax."""
    return (etree.QName(el).localname, tuple(sorted(el.attrib.items())), (el.text or "").strip(),
            tuple(_shape(c) for c in el if isinstance(c.tag, str)))


class _Formats:
    """Cell formats of the sheet, added to the workbook's styles.xml (each once)."""

    def __init__(self, editor: PackageEditor) -> None:
        self.styles = editor.xml("xl/styles.xml")

    def _index(self, parent_tag: str, xml: str) -> int:
        parent = self.styles.find(q(parent_tag))
        el = etree.fromstring(xml)
        canon = _shape(el)
        for i, child in enumerate(parent):
            if _shape(child) == canon:  # the same format, however its namespaces were written: reuse it
                return i
        parent.append(el)
        parent.set("count", str(len(parent)))
        return len(parent) - 1

    def xf(self, *, size: int = 11, bold: bool = False, colour: str = "000000", fill: str | None = None,
           border: bool = True, horizontal: str = "left", vertical: str = "top") -> int:
        if any(self.styles.find(q(t)) is None for t in ("fonts", "fills", "borders", "cellXfs")):
            return 0  # a styles part without the usual lists: plain cells, never a broken file
        font = self._index("fonts", f'<font xmlns="{NS}">{"<b/>" if bold else ""}<sz val="{size}"/>'
                                    f'<color rgb="FF{colour}"/><name val="宋体"/><charset val="134"/></font>')
        fill_id = 0 if fill is None else self._index(
            "fills", f'<fill xmlns="{NS}"><patternFill patternType="solid"><fgColor rgb="FF{fill}"/>'
                     f'<bgColor indexed="64"/></patternFill></fill>')
        side = f'style="thin"><color rgb="FF{look.BORDER}"/>'
        border_id = 0 if not border else self._index(
            "borders", f'<border xmlns="{NS}"><left {side}</left><right {side}</right><top {side}</top>'
                       f'<bottom {side}</bottom><diagonal/></border>')
        return self._index(
            "cellXfs", f'<xf xmlns="{NS}" numFmtId="0" fontId="{font}" fillId="{fill_id}" borderId="{border_id}" '
                       f'xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">'
                       f'<alignment horizontal="{horizontal}" vertical="{vertical}" wrapText="1"/></xf>')


def _lines(value: str | int, col: int) -> int:
    per = _CHARS_PER_LINE.get(col)
    if per is None or not isinstance(value, str):
        return 1
    def width(text: str) -> float:  # a digit or Latin letter is about half a Chinese character
        return sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in text)

    return sum(max(1, -int(-width(part) // per)) for part in value.split("\n"))


def results_sheet(report: Report, cells: Mapping[str, tuple[str, str]], formats: _Formats) -> etree._Element:
    """The 校验结果 worksheet XML."""
    content = result_rows(report, cells)
    last_col = len(WIDTHS)
    fmt_title = formats.xf(size=14, bold=True, border=False, vertical="center")
    fmt_header = formats.xf(bold=True, fill=look.HEADER_FILL, horizontal="center", vertical="center")
    fmt_text = formats.xf()
    fmt_centre = formats.xf(horizontal="center")
    fmt_level = {k: formats.xf(bold=True, colour=font, fill=fill, horizontal="center")
                 for k, (fill, font) in LEVEL_COLOURS.items()}
    levels = {SEVERITY_ZH[s]: s for s in SEVERITY_ZH}
    root = etree.Element(q("worksheet"), nsmap={None: NS, "r": R_NS})
    pr = etree.SubElement(root, q("sheetPr"))
    etree.SubElement(pr, q("tabColor"), rgb="FFC00000" if not report.ok else "FF00B050")
    etree.SubElement(pr, q("pageSetUpPr"), fitToPage="1")
    views = etree.SubElement(etree.SubElement(root, q("sheetViews")), q("sheetView"), workbookViewId="0")
    etree.SubElement(views, q("pane"), ySplit=str(HEADER_ROW), topLeftCell=f"A{HEADER_ROW + 1}",
                     activePane="bottomLeft", state="frozen")
    etree.SubElement(root, q("sheetFormatPr"), defaultRowHeight=str(_LINE_PT))
    cols = etree.SubElement(root, q("cols"))
    for i, w in WIDTHS.items():
        etree.SubElement(cols, q("col"), min=str(i), max=str(i), width=str(w), customWidth="1")
    etree.SubElement(cols, q("col"), min=str(COL_KEY), max=str(COL_KEY), width="12", hidden="1", customWidth="1")
    etree.SubElement(cols, q("col"), min=str(FIRST_LINK_COL), max=str(FIRST_LINK_COL + MAX_LINKS),
                     width="14", customWidth="1")
    data = etree.SubElement(root, q("sheetData"))
    for r, values in enumerate(content.rows, start=1):
        row = etree.SubElement(data, q("row"), r=str(r))
        if r == 1:
            row.set("ht", "24")
            row.set("customHeight", "1")
            _cell(row, 1, values[0], fmt_title)
            continue
        padded = list(values) + [""] * (last_col - len(values))
        acked = r > HEADER_ROW and bool(padded[COL_BY - 1] or padded[COL_NOTE - 1])
        lines = max(_lines(v, c) for c, v in enumerate(padded, start=1))
        if lines > 1:
            row.set("ht", str(_LINE_PT * lines))
            row.set("customHeight", "1")
        for c, value in enumerate(padded, start=1):
            if r == HEADER_ROW:
                style = fmt_header if c <= last_col or c == FIRST_LINK_COL else None
            elif c == 2 and value in levels:
                style = fmt_level["acknowledged" if acked and levels[value] == "warning" else levels[value]]
            elif c in (1, 2, 3, 4):
                style = fmt_centre
            elif c <= last_col or (c >= FIRST_LINK_COL and value != ""):
                style = fmt_text
            else:
                style = None
            if value == "" and style is None:
                continue
            _cell(row, c, value, style)
    merges = etree.SubElement(root, q("mergeCells"), count="1")
    etree.SubElement(merges, q("mergeCell"), ref=f"A1:{column_letter(last_col)}1")
    if content.links:
        hl = etree.SubElement(root, q("hyperlinks"))
        for r, c, sheet, ref in content.links:
            etree.SubElement(hl, q("hyperlink"), ref=f"{column_letter(c)}{r}", location=f"{quote_sheet(sheet)}!{ref}",
                             display=f"{sheet}!{ref}")
    etree.SubElement(root, q("pageMargins"), left="0.5", right="0.5", top="0.75", bottom="0.75",
                     header="0.3", footer="0.3")
    etree.SubElement(root, q("pageSetup"), paperSize="9", orientation="landscape", fitToWidth="1", fitToHeight="0")
    return root


def marks(report: Report, cells: Mapping[str, tuple[str, str]], edition: S.Edition) -> dict[str, list[str]]:
    """The keys ("第三部分!D8") of the input cells to mark, by severity (an error wins; confirmed
    warnings are not marked), as the hidden sheet lists them."""
    markable = {(sheet, ref) for sheet, refs in H.markable(edition.entered_paths, cells).items() for ref in refs}
    out: dict[str, set[tuple[str, str]]] = {sev: set() for sev in H.MARK_SEVERITIES}
    for f in report.findings:
        if f.severity not in out or f.acknowledged:
            continue
        out[f.severity].update(cells[p] for p in f.paths if p in cells and cells[p] in markable)
    out["warning"] -= out["error"]
    order = {sheet: i for i, sheet in enumerate(dict.fromkeys(s for s, _ in cells.values()))}
    return {sev: [H.mark_key(*c) for c in sorted(keys, key=lambda c: (order[c[0]], split(c[1])[1], split(c[1])[0]))]
            for sev, keys in out.items()}


LEGACY_MARKS = {"error": f'"{MARK_ERROR}"<>""', "warning": f'"{MARK_WARNING}"<>""'}  # per-cell marks, before 2


def ensure_mark_rules(editor: PackageEditor, cells: Mapping[str, tuple[str, str]], edition: S.Edition) -> str:
    """Give a workbook of an earlier template version the mark rules of version 2 (and drop the
    per-cell marks older runs wrote); returns the hidden sheet's name."""
    hidden = editor.name_target(S.NAME_EDITION)[0]
    dxf = {"error": editor.ensure_dxf(look.ERROR_FILL, look.ERROR_FONT),
           "warning": editor.ensure_dxf(look.WARNING_FILL, look.WARNING_FONT)}
    for sev in H.MARK_SEVERITIES:
        if editor.name_target(H.MARK_NAMES[sev]) is None:
            editor.set_name(H.MARK_NAMES[sev], hidden, H.mark_range(sev))
    for sheet, refs in H.markable(edition.entered_paths, cells).items():
        for sev in H.MARK_SEVERITIES:
            formula = H.mark_formula(sheet, sev)
            legacy = LEGACY_MARKS[sev]
            if not editor.has_rule(sheet, formula) or editor.has_rule(sheet, legacy):
                editor.set_rule(sheet, formula, ranges(refs), dxf[sev], remove=[legacy])
    return hidden


def annotate(path: str | Path, report: Report, cells: Mapping[str, tuple[str, str]],
             edition: S.Edition) -> Written:
    """Write the 校验结果 sheet and the marks into the workbook at ``path`` (atomically; an
    unchanged result leaves the file as it is)."""
    editor = PackageEditor(path)
    sheet = results_sheet(report, cells, _Formats(editor))
    editor.put_sheet(RESULTS_SHEET, sheet)
    hidden = ensure_mark_rules(editor, cells, edition)
    for r, row in enumerate(H.mark_values(marks(report, cells, edition)), start=1):
        for col, value in zip((H.MARK_COLUMNS[sev] for sev in H.MARK_SEVERITIES), row):
            if value or editor.has_cell(hidden, f"{col}{r}"):
                editor.set_value(hidden, f"{col}{r}", value or None)
    return editor.save()
