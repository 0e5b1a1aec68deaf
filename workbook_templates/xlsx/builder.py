"""Build the template workbook of an edition from the format schema (openpyxl).

Layout mirrors the official tables: labels, order and merged header cells as printed in the
statutory format; every value cell carries a workbook-scope defined name equal to its
report-data path; inputs are unlocked with data validation; totals are formulas; check cells
show the 一＋二＝三＋四 balance of every column of 第三部分 without any add-in.

Nothing here spells an official label: they all come from ``schema``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from nianbao.workbook_templates.xlsx import look
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format import table_layout as L
from nianbao.workbook_templates.xlsx.cellrefs import absolute, quote_sheet, ranges, sum_formula
from nianbao.workbook_templates.xlsx.hidden_sheet import (
    MARK_NAMES, MARK_SEVERITIES, SHAPE_LABEL_REF, SHAPE_REF, mark_formula, mark_range, markable, previous_chunks,
    previous_refs, shape_of, shape_text, span)
from nianbao.workbook_templates.format.report_data import get_path
from nianbao.workbook_templates.format.schema import (
    AGENCY_KINDS, NAME_EDITION, NAME_FORMAT_VERSION, NAME_PREVIOUS, NAME_PRINTED_SHAPE, NAME_SCHEMA, Edition, Kind)
from nianbao.workbook_templates.format.sanitise import xml_text

# Sheet names of the template (the reader never uses them: it goes by defined names).
COVER = "封面"
TABLE2, TABLE3, TABLE4 = S.TABLE_PARTS  # the three tables' sheets are named after their parts
PROSE = S.Part.PROSE
HIDDEN = "_nianbao"


FORMULA_STYLE = "nianbao 公式"  # grey, locked: formulas, and the meta a distributor filled in

BALANCED = "平衡"
UNBALANCED = "不平衡"
UNFILLED = "未填"

_thin = Side(style="thin", color="808080")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_FONT = "宋体"
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)

_NUMBER_FORMATS = {
    Kind.COUNT: "0",
    Kind.SIGNED: "+0;-0;0",
    Kind.WAN_YUAN: "General",
    Kind.YUAN: '0.00"元"',
    Kind.YEAR: "0",
    Kind.DATE: "yyyy-mm-dd",
}

TABLE_PT = 11  # the tables' text; printed at no less than 9 pt (第三部分 landscape, fit to one page wide)
LINE_PT = 15  # a row's height per line of table text


def _chars_per_line(units: float) -> int:
    """Characters of TABLE_PT a column ``units`` wide holds (Excel: 7 px a unit and 5 px padding)."""
    return max(1, int((units * 7 + 5) * 0.75 // TABLE_PT))


def _styles() -> dict[str, NamedStyle]:
    def named(name: str, fill: str | None, *, locked: bool, bold: bool = False, align=_CENTER, size=TABLE_PT):
        st = NamedStyle(name=name)
        st.font = Font(name=_FONT, size=size, bold=bold)
        st.border = _BORDER
        st.alignment = align
        if fill:
            st.fill = PatternFill("solid", fgColor=fill)
        st.protection = Protection(locked=locked)
        return st

    return {
        "input": named("nianbao 填写", look.INPUT_FILL, locked=False),
        "input_text": named("nianbao 填写文字", look.INPUT_FILL, locked=False, align=Alignment(
            horizontal="left", vertical="top", wrap_text=True)),
        "formula": named(FORMULA_STYLE, look.FORMULA_FILL, locked=True),
        "header": named("nianbao 表头", None, locked=True, bold=True),
        "label": named("nianbao 栏目", None, locked=True, align=_LEFT),
        "check": named("nianbao 校验", "FFFFFF", locked=True, bold=True, size=TABLE_PT),
    }


@dataclass
class Layout:
    """Where every path sits: path -> (sheet title, cell reference)."""

    edition: Edition
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)

    def ref(self, path: str) -> str:
        return self.cells[path][1]


@dataclass
class Template:
    workbook: Workbook
    layout: Layout


# -- small helpers ---------------------------------------------------------------------------


def _merge(ws: Worksheet, r1: int, c1: int, r2: int, c2: int, value: str, style: str) -> None:
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            ws.cell(r, c).style = style
    ws.cell(r1, c1, value)
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _title(ws: Worksheet, text: str, last_col: int, note: str) -> None:
    ws.cell(1, 1, text).font = Font(name="黑体", size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.cell(2, 1, note).font = Font(name=_FONT, size=TABLE_PT, color="595959")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last_col)
    ws.row_dimensions[1].height = 24


def _add_validation(ws: Worksheet, kind: Kind, refs: list[str], edition: Edition) -> None:
    if not refs:
        return
    common = dict(allow_blank=True, showErrorMessage=True, errorStyle="stop")
    if kind is Kind.COUNT:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", **common)
        msg = "请填写不小于 0 的整数；没有的填 0。"
    elif kind is Kind.SIGNED:
        dv = DataValidation(type="whole", operator="between", formula1="-2147483647",
                            formula2="2147483647", **common)
        msg = "请填写整数，减少的填负数（如 -5）；没有变化的填 0。"
    elif kind in (Kind.WAN_YUAN, Kind.YUAN):
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", **common)
        msg = "请填写不小于 0 的数字" + ("（单位：万元）。" if kind is Kind.WAN_YUAN else "（单位：元）。")
    elif kind is Kind.YEAR:
        last = edition.last_year or S.LAST_YEAR
        dv = DataValidation(type="whole", operator="between", formula1=str(edition.first_year),
                            formula2=str(last), **common)
        msg = f"本模板适用于 {edition.first_year}–{last} 年度的报告（{edition.document}）。"
    elif kind is Kind.AGENCY_KIND:
        dv = DataValidation(type="list", formula1='"' + ",".join(AGENCY_KINDS.values()) + '"', **common)
        msg = "请从下拉列表中选择机关类型。"
    else:
        return
    dv.error = msg
    dv.errorTitle = "输入有误"
    dv.prompt = msg
    dv.showInputMessage = False
    for ref in refs:
        dv.add(ref)
    ws.add_data_validation(dv)


class _SheetWriter:
    """Places value cells on one sheet and remembers them for names and validation."""

    def __init__(self, ws: Worksheet, layout: Layout, styles: dict[str, NamedStyle]) -> None:
        self.ws = ws
        self.layout = layout
        self.styles = styles
        self.by_kind: dict[Kind, list[str]] = {}

    def value_cell(self, path: str, row: int, col: int, *, span_to: int | None = None) -> None:
        f = self.layout.edition.fields[path]
        style = "formula" if f.computed else ("input_text" if f.kind is Kind.PROSE else "input")
        ref = f"{get_column_letter(col)}{row}"
        if span_to and span_to > col:
            for c in range(col, span_to + 1):
                self.ws.cell(row, c).style = self.styles[style].name
            self.ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=span_to)
        cell = self.ws.cell(row, col)
        cell.style = self.styles[style].name
        if f.kind in _NUMBER_FORMATS:
            cell.number_format = _NUMBER_FORMATS[f.kind]
        self.layout.cells[path] = (self.ws.title, ref)
        if not f.computed:
            self.by_kind.setdefault(f.kind, []).append(ref)

    def finish(self) -> None:
        for kind, refs in self.by_kind.items():
            _add_validation(self.ws, kind, refs, self.layout.edition)


def _protect(ws: Worksheet) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # people may still widen columns and rows
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _a4(ws: Worksheet, *, landscape: bool, title_rows: str | None = None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    if title_rows:
        ws.print_title_rows = title_rows


# -- the sheets ------------------------------------------------------------------------------


def _cover(ws: Worksheet, w: _SheetWriter, edition: Edition, check_range: str) -> None:
    last_year = f"{edition.last_year}年度" if edition.last_year else "起"
    _title(ws, "政府信息公开工作年度报告 · 填报工作簿", 2,
           f"格式：{edition.document}（{edition.first_year}年度{last_year}）。"
           "黄色单元格填写，其余单元格已锁定；灰色单元格为公式自动计算，或由下发单位填好"
           "（机关名称、统计年度、机关类型、上级机关）。联系方式是对外公开的咨询方式，写进报告。")
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 60
    row = 4
    for path, f in edition.fields.items():
        if f.part != S.Part.META or path == "meta.unit_id":
            continue
        _merge(ws, row, 1, row, 1, f.label, w.styles["label"].name)
        w.value_cell(path, row, 2)
        ws.cell(row, 2).alignment = _LEFT
        row += 1
    row += 1
    _merge(ws, row, 1, row, 1, f"{TABLE3}勾稽校验", w.styles["label"].name)
    sheet = quote_sheet(TABLE3)
    rng = f"{sheet}!{check_range}"
    n = len(edition.application_columns)
    ws.cell(row, 2, f'=IF(COUNTIF({rng},"{UNFILLED}")>0,"{UNFILLED}",'
                    f'IF(COUNTIF({rng},"{BALANCED}")={n},"{BALANCED}","{UNBALANCED}"))')
    ws.cell(row, 2).style = w.styles["check"].name
    _check_colours(ws, f"B{row}")
    ws.cell(row + 1, 1, "机关类型：人民政府（各级人民政府，须报告考核、评议、追究情况）、"
                        "政府部门、其他机关。").font = Font(name=_FONT, size=TABLE_PT, color="595959")
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=2)
    _a4(ws, landscape=False)


_HEADER_ROLES = (L.NOTE, L.CAPTION, L.COLGROUP, L.COL, L.ROWGROUP)


def _place(ws: Worksheet, w: _SheetWriter, grid: L.Grid, top: int) -> None:
    """Place a table grid on the sheet with its top-left corner at (top, A).  A row label longer
    than its columns hold gets a row tall enough for its lines (Excel does not grow a row for
    wrapped text on its own)."""
    hdr, lab = w.styles["header"].name, w.styles["label"].name
    for c in grid.cells:
        r, col = top + c.row, 1 + c.col
        if c.role == L.VALUE:
            assert c.path is not None
            w.value_cell(c.path, r, col, span_to=col + c.colspan - 1)
        else:
            _merge(ws, r, col, r + c.rowspan - 1, col + c.colspan - 1, c.text,
                   hdr if c.role in _HEADER_ROLES else lab)
            if c.role == L.ROW and c.rowspan == 1:
                units = sum(ws.column_dimensions[get_column_letter(col + i)].width or 8.43 for i in range(c.colspan))
                lines = -(-len(c.text) // _chars_per_line(units))
                if lines > 1:
                    ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0, LINE_PT * lines)


def _table2(ws: Worksheet, w: _SheetWriter, edition: Edition) -> None:
    grid = L.part2(edition)
    _title(ws, grid.heading, grid.ncols, "黄色单元格填写（没有的填 0），其余单元格已锁定。")
    ws.column_dimensions["A"].width = 24
    for c in range(2, grid.ncols + 1):
        ws.column_dimensions[get_column_letter(c)].width = 20
    _place(ws, w, grid, 4)
    _a4(ws, landscape=False)


def _table3(ws: Worksheet, w: _SheetWriter, edition: Edition) -> str:
    """Lays out 第三部分; returns the range of its check cells."""
    grid = L.part3(edition)
    first, last = 4, grid.ncols
    _title(ws, grid.heading, last,
           "黄色单元格填写整数（没有的填 0）；灰色单元格为公式；最下一行为每列“一＋二＝三＋四”的勾稽校验。")
    for col, width in zip("ABC", (6, 11, 36)):  # with seven columns of 10: one landscape page wide at ≥ 9 pt
        ws.column_dimensions[col].width = width
    for c in range(first, last + 1):
        ws.column_dimensions[get_column_letter(c)].width = 10
    top = 4
    _place(ws, w, grid, top)
    ws.row_dimensions[top].height = 30
    hdr = w.styles["header"].name
    check_row = top + grid.nrows
    _merge(ws, check_row, 1, check_row, 3, "勾稽校验：一＋二＝三＋四", hdr)
    cols = edition.application_columns
    for rel in edition.relations:
        if rel.rule != "E1":
            continue
        col_key = rel.left[0].rsplit(".", 1)[1]
        ci = first + [c.key for c in cols].index(col_key)
        ws.cell(check_row, ci, _balance_formula(w.layout, rel)).style = w.styles["check"].name
    ws.row_dimensions[check_row].height = 32
    check_range = f"{get_column_letter(first)}{check_row}:{get_column_letter(last)}{check_row}"
    _check_colours(ws, check_range)
    ws.freeze_panes = ws.cell(top + grid.header_rows, first)
    _a4(ws, landscape=True, title_rows=f"{top}:{top + grid.header_rows - 1}")
    return check_range


def _entered_operands(edition: Edition, paths: Iterable[str]) -> list[str]:
    """The entered cells a set of paths depends on (through the total formulas)."""
    out: list[str] = []
    for p in paths:
        if p in edition.formulas:
            out += _entered_operands(edition, edition.formulas[p].right)
        elif p not in out:
            out.append(p)
    return list(dict.fromkeys(out))


def _balance_formula(layout: Layout, rel: S.Relation) -> str:
    """A check cell: 未填 while an input is blank, else 平衡 or 不平衡（差N）."""
    ed = layout.edition
    blanks = "+".join(
        f"COUNTBLANK({r})" for r in ranges(layout.ref(p) for p in _entered_operands(ed, rel.left + rel.right))
    )
    left = "+".join(layout.ref(p) for p in rel.left)
    right = "+".join(layout.ref(p) for p in rel.right)
    return (f'=IF({blanks}>0,"{UNFILLED}",IF({left}={right},"{BALANCED}",'
            f'"{UNBALANCED}（差"&({left}-({right}))&"）"))')


def _check_colours(ws: Worksheet, rng: str) -> None:
    tl = rng.split(":")[0]
    rules = (
        (f'{tl}="{BALANCED}"', look.BALANCED_FILL, look.BALANCED_FONT),
        (f'LEFT({tl},{len(UNBALANCED)})="{UNBALANCED}"', look.UNBALANCED_FILL, look.UNBALANCED_FONT),
        (f'{tl}="{UNFILLED}"', look.UNFILLED_FILL, look.UNFILLED_FONT),
    )
    for formula, fill, font in rules:
        ws.conditional_formatting.add(
            rng, FormulaRule(formula=[formula], fill=PatternFill("solid", bgColor=fill),
                             font=Font(color=font, bold=True), stopIfTrue=True))


def _table4(ws: Worksheet, w: _SheetWriter, edition: Edition) -> None:
    grid = L.part4(edition)
    _title(ws, grid.heading, grid.ncols, "黄色单元格填写整数（没有的填 0）；“总计”为公式。")
    for c in range(1, grid.ncols + 1):
        ws.column_dimensions[get_column_letter(c)].width = 8
    _place(ws, w, grid, 4)
    ws.row_dimensions[4 + grid.nrows - 1].height = 22
    _a4(ws, landscape=True)


def _prose(ws: Worksheet, w: _SheetWriter, edition: Edition) -> None:
    _title(ws, "文字部分（一、五、六）与信息处理费", 2,
           "在黄色单元格中填写各部分正文（可用 Alt+Enter 换行）。表格数字会由生成器自动写进正文。")
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 100
    lab = w.styles["label"].name
    row = 4
    for path, f in edition.fields.items():
        if f.part not in (S.Part.PROSE, S.Part.PART6):
            continue
        _merge(ws, row, 1, row, 1, f.label, lab)
        w.value_cell(path, row, 2)
        ws.row_dimensions[row].height = 120 if f.kind is Kind.PROSE else 20
        row += 1
    _a4(ws, landscape=True)  # 126 columns' worth of text: portrait would print it at 6 pt


def _hidden(ws: Worksheet, layout: Layout, edition: Edition) -> dict[str, str]:
    ws.sheet_state = "veryHidden"
    rows = (
        (NAME_SCHEMA, S.SCHEMA_ID),
        (NAME_EDITION, edition.key),
        (NAME_FORMAT_VERSION, S.FORMAT_VERSION),
        ("meta.unit_id", None),
    )
    names = {}
    for i, (name, value) in enumerate(rows, start=1):
        ws.cell(i, 1, name)
        ws.cell(i, 2, value)
        names[name] = f"B{i}"
    layout.cells["meta.unit_id"] = (ws.title, "B4")
    names[NAME_PREVIOUS] = previous_refs(1)[0]
    return names


# -- the workbook ----------------------------------------------------------------------------


def build(edition: Edition) -> Template:
    """A blank template workbook of ``edition``."""
    wb = Workbook()
    styles = _styles()
    for st in styles.values():
        wb.add_named_style(st)
    layout = Layout(edition)
    cover = wb.active
    cover.title = COVER
    sheets = {t: wb.create_sheet(t) for t in (TABLE2, TABLE3, TABLE4, PROSE, HIDDEN)}
    writers = {t: _SheetWriter(ws, layout, styles) for t, ws in [(COVER, cover), *sheets.items()]}
    _table2(sheets[TABLE2], writers[TABLE2], edition)
    check_range = _table3(sheets[TABLE3], writers[TABLE3], edition)
    _table4(sheets[TABLE4], writers[TABLE4], edition)
    _prose(sheets[PROSE], writers[PROSE], edition)
    _cover(cover, writers[COVER], edition, check_range)
    hidden_names = _hidden(sheets[HIDDEN], layout, edition)
    for path, rel in edition.formulas.items():
        sheet, ref = layout.cells[path]
        wb[sheet][ref] = sum_formula(layout.ref(p) for p in rel.right)
    for t, wr in writers.items():
        wr.finish()
        if t != HIDDEN:
            _protect(wb[t])
    missing = set(edition.fields) - set(layout.cells)
    assert not missing, f"fields without a cell: {missing}"
    for path, (sheet, ref) in layout.cells.items():
        _name(wb, path, sheet, ref)
    for name, ref in hidden_names.items():
        _name(wb, name, HIDDEN, ref)
    _mark_rules(wb, layout)
    wb.properties.creator = "nianbao"
    wb.properties.title = f"政府信息公开工作年度报告（{edition.key} 版格式）"
    return Template(wb, layout)


_MARK_LOOK = {"error": (look.ERROR_FILL, look.ERROR_FONT), "warning": (look.WARNING_FILL, look.WARNING_FONT)}


def _mark_rules(wb: Workbook, layout: Layout) -> None:
    """The marks 校验 puts on input cells, as conditional formats keyed to the hidden sheet's lists
    (template version 2): the add-in then writes values only."""
    for sev in MARK_SEVERITIES:
        _name(wb, MARK_NAMES[sev], HIDDEN, mark_range(sev))
    for sheet, refs in markable(layout.edition.entered_paths, layout.cells).items():
        for sev in MARK_SEVERITIES:
            fill, font = _MARK_LOOK[sev]
            wb[sheet].conditional_formatting.add(" ".join(ranges(refs)), FormulaRule(
                formula=[mark_formula(sheet, sev)], fill=PatternFill("solid", bgColor=fill),
                font=Font(color=font, bold=True), stopIfTrue=True))


def _name(wb: Workbook, name: str, sheet: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheet(sheet)}!{absolute(ref)}")


# -- filling ---------------------------------------------------------------------------------


def _cell_value(kind: Kind, value: Any) -> Any:
    if value is None:
        return None
    if kind is Kind.AGENCY_KIND:
        return AGENCY_KINDS.get(value, value)
    if kind is Kind.DATE and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, str):
        return xml_text(value)
    return value


def fill(template: Template, data: Mapping[str, Any], *, lock_meta: bool = False) -> None:
    """Write the entered values of ``data`` into the template's input cells.

    Totals stay formulas (a caller compares printed totals with report_data.totals_differing).
    Text is always stored as text: a value beginning with ``=`` never becomes a formula.
    ``lock_meta`` locks the cells that identify the unit (copies distributed to units:
    ``schema.UNIT_IDENTITY``), shown grey; the unit still fills 所属地区, 联系方式 and 发布日期.
    """
    wb, layout = template.workbook, template.layout
    for path in layout.edition.entered_paths:
        value = _cell_value(layout.edition.fields[path].kind, get_path(data, path))
        sheet, ref = layout.cells[path]
        cell = wb[sheet][ref]
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"
        if lock_meta and path in S.UNIT_IDENTITY:
            cell.style = FORMULA_STYLE  # grey and locked, like every cell the unit does not fill
            cell.protection = Protection(locked=True)
    previous = data.get("previous")
    if previous is not None:
        write_previous(template, previous)
    shape = shape_of(data.get("source"))
    if shape:
        write_shape(template, shape)


def write_shape(template: Template, shape: Mapping[str, Any]) -> None:
    """Keep in the hidden sheet which cells the published table did not print (hidden_sheet)."""
    ws = template.workbook[HIDDEN]
    ws[SHAPE_LABEL_REF] = NAME_PRINTED_SHAPE
    ws[SHAPE_REF] = shape_text(shape)
    ws[SHAPE_REF].data_type = "s"
    _name(template.workbook, NAME_PRINTED_SHAPE, HIDDEN, SHAPE_REF)


def write_previous(template: Template, previous: Mapping[str, Any]) -> None:
    """Store last year's report data in the hidden sheet, as JSON split over cells."""
    ws = template.workbook[HIDDEN]
    refs = previous_refs(len(chunks := previous_chunks(previous)))
    for ref, chunk in zip(refs, chunks):
        ws[ref] = chunk
        ws[ref].data_type = "s"
    _name(template.workbook, NAME_PREVIOUS, HIDDEN, span(refs))
