"""Blocks → .docx in the official layout.  Only style names are used here; the look comes from
the reference document (docx_style.py, or the user's ``--reference-docx``)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format import table_layout as L
from nianbao.workbook_templates.format.errors import NianbaoError
from nianbao.workbook_templates.format.input_files import read_input
from nianbao.workbook_templates.format.sanitise import core_property

from nianbao.generator import docx_style as DS
from nianbao.generator.figures import table_value
from nianbao.generator.label_lines import label_lines, longest_token
from nianbao.generator.text import Block

TEXT_WIDTH_MM = 156
_TBL_PR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                 "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook")


def _open_reference(path: str | Path | None):
    ref = Path(path) if path else DS.REFERENCE
    raw = read_input(ref)  # the one input guard: a regular file, within its byte limit
    try:
        doc = Document(io.BytesIO(raw))
    except Exception as e:  # a broken or foreign file
        raise NianbaoError(f"无法读取参考文档 {ref.name}（应为 Word .docx 文件）。",
                           f"cannot read the reference document {ref}: {e}") from e
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", DS.TABLE_TEXT, DS.PICTURE, DS.CAPTION):
        try:
            doc.styles[name]
        except KeyError:  # a user's reference without our styles: take ours
            raise NianbaoError(f"参考文档 {ref.name} 缺少样式“{name}”。可在 nianbao reference-docx 生成的文档基础上修改。",
                               f"the reference document lacks the style {name!r}") from None
    return doc


def _insert_tbl_pr(tbl_pr, el) -> None:
    """Insert into w:tblPr in schema order (Word rejects out-of-order children)."""
    rank = _TBL_PR_ORDER.index(el.tag.split("}")[-1])
    for child in tbl_pr:
        name = child.tag.split("}")[-1]
        if name in _TBL_PR_ORDER and _TBL_PR_ORDER.index(name) > rank:
            child.addprevious(el)
            return
    tbl_pr.append(el)


def _borders_and_margins(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        for k, v in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
            el.set(qn(k), v)
        borders.append(el)
    _insert_tbl_pr(table._tbl.tblPr, borders)
    margins = OxmlElement("w:tblCellMar")  # 0.5 mm left and right: five- and six-digit figures fit
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), "28")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    _insert_tbl_pr(table._tbl.tblPr, margins)


MM_PER_PT = 25.4 / 72
CELL_MARGIN_MM = 28 / 20 * MM_PER_PT  # w:tblCellMar left and right, 28 twips each
SLACK_MM = 0.5  # what an engine may take beyond the glyphs' advance widths
VALUE_CHARS = 3  # a value column holds six-digit figures: three Chinese characters wide
_HEADERS = (L.COLGROUP, L.COL, L.ROWGROUP, L.CAPTION)


def _chars(width_mm: float, size_pt: float) -> float:
    """How many Chinese characters of ``size_pt`` fit on a line of a cell ``width_mm`` wide."""
    return (width_mm - 2 * CELL_MARGIN_MM - SLACK_MM) // (size_pt * MM_PER_PT)


def column_widths(grid: L.Grid, size_pt: float) -> list[float]:
    """Column widths in mm over the 156 mm text width: the grid's proportions, each column made
    wide enough for the longest word of its one-column header and group labels (and value
    columns for six-digit figures), the difference given to or taken from the widest
    row-label column."""
    total = sum(grid.col_widths)
    widths = [TEXT_WIDTH_MM * w / total for w in grid.col_widths]
    char_mm = size_pt * MM_PER_PT

    def need(chars: float) -> float:
        return chars * char_mm + 2 * CELL_MARGIN_MM + SLACK_MM

    minimum = [0.0] * grid.ncols
    for c in grid.cells:
        if c.colspan == 1 and c.role in _HEADERS:
            minimum[c.col] = max(minimum[c.col], need(longest_token(c.text)))
        elif c.colspan == 1 and c.role == L.VALUE:
            minimum[c.col] = max(minimum[c.col], need(VALUE_CHARS))
    row_cols = {c.col for c in grid.cells if c.role == L.ROW and c.colspan == 1}
    if not row_cols:
        return widths
    flex = max(row_cols, key=lambda i: widths[i])
    value_cols = {c.col for c in grid.cells if c.role == L.VALUE}
    for i in range(grid.ncols):
        # a column of group labels only is as narrow as its longest word (the group spans
        # several rows, so its lines cost no height); a value column at least as wide as it needs
        narrow = i not in value_cols and i not in row_cols and minimum[i] > 0
        if i != flex and (narrow or widths[i] < minimum[i]):
            widths[flex] += widths[i] - minimum[i]
            widths[i] = minimum[i]
    return widths


def keep_rows(grid: L.Grid) -> set[int]:
    """Rows that must stay on the page of the row after them: the header rows and the first
    row under them (a table never starts at a page foot with one row), a 第二部分 block's caption
    and header rows (kept with the block's first row), every row of a 第三部分 group but its last
    (a group label is printed once, on its first row), and the row before a table's last (no
    single row carried over)."""
    keep = set(range(grid.header_rows + 1 if grid.header_rows else 0)) | {grid.nrows - 2}
    for c in grid.cells:
        if c.role in (L.CAPTION, L.COL) and grid.header_rows == 0:
            keep.add(c.row)
        if c.role == L.ROWGROUP and c.col > 0:
            keep.update(range(c.row, c.row + c.rowspan - 1))
    return {r for r in keep if 0 <= r < grid.nrows - 1}


def _table(doc, grid: L.Grid, edition: S.Edition, data: Mapping[str, Any]) -> None:
    table = doc.add_table(rows=grid.nrows, cols=grid.ncols)
    table.autofit = False
    style = doc.styles[DS.TABLE_TEXT]
    size = 9.0 if grid.name == "part4" else (style.font.size.pt if style.font.size else 10.5)
    mm = column_widths(grid, size)
    widths = [Mm(w) for w in mm]
    for gc, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        gc.set(qn("w:w"), str(w.twips))
    for row in table.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = w
    _borders_and_margins(table)
    # python-docx's table.cell() walks the whole table each time: take every cell once, fill the
    # top-left cell of each span, then merge (merging moves a non-empty cell's content along).
    cells = [list(row.cells) for row in table.rows]
    style_id = style.style_id
    keep = keep_rows(grid)
    for c in grid.cells:
        cell = cells[c.row][c.col]
        text = table_value(edition, c.path, data) if c.role == L.VALUE and c.path else c.text
        p = cell.paragraphs[0]
        p._p.style = style_id
        if c.role == L.ROW:
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        labelled = c.role in _HEADERS or c.role == L.ROW  # the 勾稽 note and the figures wrap as they come
        lines = label_lines(text, _chars(sum(mm[c.col:c.col + c.colspan]), size)) if labelled else [text]
        for i, line in enumerate(lines):
            run = p.add_run(line)
            if grid.name == "part4":
                run.font.size = Pt(size)  # 小五: fifteen columns in the 156 mm text width
            if i < len(lines) - 1:
                run.add_break()
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for c in grid.cells:
        if c.rowspan > 1 or c.colspan > 1:
            cells[c.row][c.col].merge(cells[c.row + c.rowspan - 1][c.col + c.colspan - 1])
    for r, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if r < grid.header_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))
        if r in keep:  # Word and LibreOffice keep a row with the next when its paragraphs say so
            for tc in row._tr.tc_lst:
                for p in tc.iter(qn("w:p")):
                    p.get_or_add_pPr().get_or_add_keepNext()


def render(blocks: list[Block], data: Mapping[str, Any], *, chart: bytes | None, chart_alt: str,
           reference: str | Path | None = None) -> bytes:
    doc = _open_reference(reference)
    edition = S.get_edition(data["edition"])
    grids = {g.name: g for g in L.grids(edition)}
    figure_no = 0
    for b in blocks:
        if b.kind == "title":
            p = doc.add_paragraph(style="Title")
            for i, line in enumerate(b.text.split("\n")):
                run = p.add_run(line)
                if i < len(b.text.split("\n")) - 1:
                    run.add_break()
        elif b.kind == "h1":
            doc.add_paragraph(b.text, style="Heading 1")
        elif b.kind == "h2":
            doc.add_paragraph(b.text, style="Heading 2")
        elif b.kind == "table" and b.text in grids:
            _table(doc, grids[b.text], edition, data)
        elif b.kind == "figure":
            if chart is None:
                continue
            figure_no += 1
            doc.add_paragraph(style=DS.PICTURE).add_run().add_picture(io.BytesIO(chart), width=Mm(150))
            doc.add_paragraph(f"图{figure_no}　{chart_alt}", style=DS.CAPTION)
        elif b.kind == "p":
            doc.add_paragraph(b.text, style="Normal")
    doc.core_properties.title = core_property("".join(b.text for b in blocks if b.kind == "title").replace("\n", ""))
    doc.core_properties.author = core_property(str(data["meta"].get("agency") or ""))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
