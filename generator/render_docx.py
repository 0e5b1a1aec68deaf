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


def _table(doc, grid: L.Grid, edition: S.Edition, data: Mapping[str, Any]) -> None:
    table = doc.add_table(rows=grid.nrows, cols=grid.ncols)
    table.autofit = False
    total = sum(grid.col_widths)
    widths = [Mm(TEXT_WIDTH_MM * w / total) for w in grid.col_widths]
    for gc, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        gc.set(qn("w:w"), str(w.twips))
    for row in table.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = w
    _borders_and_margins(table)
    # python-docx's table.cell() walks the whole table each time: take every cell once, fill the
    # top-left cell of each span, then merge (merging moves a non-empty cell's content along).
    cells = [list(row.cells) for row in table.rows]
    style_id = doc.styles[DS.TABLE_TEXT].style_id
    for c in grid.cells:
        cell = cells[c.row][c.col]
        text = table_value(edition, c.path, data) if c.role == L.VALUE and c.path else c.text
        p = cell.paragraphs[0]
        p._p.style = style_id
        if c.role == L.ROW:
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        run = p.add_run(text)
        if grid.name == "part4":
            run.font.size = Pt(9)  # 小五: fifteen columns in the 156 mm text width
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for c in grid.cells:
        if c.rowspan > 1 or c.colspan > 1:
            cells[c.row][c.col].merge(cells[c.row + c.rowspan - 1][c.col + c.colspan - 1])
    for r in range(grid.header_rows):
        tr_pr = table.rows[r]._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        tr_pr.append(OxmlElement("w:tblHeader"))
    for r in range(grid.header_rows, grid.nrows):
        table.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


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
