"""Blocks → .docx in the official layout.  Only style names are used here; the look comes from
the reference document (docx_style.py, or the user's ``--reference-docx``)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import parse_xml
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
CELL_MARGIN_TWIPS = 28  # w:tblCellMar left and right: 0.5 mm, five- and six-digit figures fit


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


MM_PER_PT = 25.4 / 72
CELL_MARGIN_MM = CELL_MARGIN_TWIPS / 20 * MM_PER_PT  # w:tblCellMar left and right
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


_BORDER = '<w:{} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
_TBL_PR = ('<w:tblPr><w:tblW w:type="auto" w:w="0"/><w:tblBorders>'
           + "".join(_BORDER.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
           + '</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar>'
           + "".join(f'<w:{side} w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/>' for side in ("left", "right"))
           + '</w:tblCellMar><w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0"'
           ' w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr>')


def _run_content(text: str) -> str:
    """What python-docx's ``run.text = text`` writes: w:t for the characters, w:tab for a tab,
    w:br for a line end, xml:space="preserve" on a w:t with whitespace at either end."""
    out: list[str] = []
    for i, part in enumerate(text.replace("\r", "\n").split("\n")):
        if i:
            out.append("<w:br/>")
        for j, chars in enumerate(part.split("\t")):
            if j:
                out.append("<w:tab/>")
            if chars:
                space = ' xml:space="preserve"' if len(chars.strip()) < len(chars) else ""
                out.append(f"<w:t{space}>{escape(chars, quote=False)}</w:t>")
    return "".join(out)


def _table(doc, grid: L.Grid, edition: S.Edition, data: Mapping[str, Any], style: Any) -> None:
    """The grid as a w:tbl, written in one pass and put where ``doc.add_table`` puts a table.

    It is the XML that python-docx's ``add_table``, ``cell.width`` and ``cell.merge`` made
    (tests/test_docx_tables.py reads it back): a fixed layout over the grid's column widths,
    single borders; the top-left cell of a span with w:gridSpan over its columns and
    w:vMerge="restart" over its rows, each row below it a w:vMerge continuation cell of the
    same width holding one empty paragraph; every row cantSplit, header rows tblHeader, the
    kept rows' paragraphs keepNext.  python-docx walked the whole table for every cell it
    touched (0.5 s for the three tables); here each cell is written once.  ``style``: the
    document's 表格文字 paragraph style."""
    size = 9.0 if grid.name == "part4" else (style.font.size.pt if style.font.size else 10.5)
    mm = column_widths(grid, size)
    twips = [Mm(w).twips for w in mm]
    keep = keep_rows(grid)
    # 小五 in 第四部分: fifteen columns in the 156 mm text width (w:sz in half-points)
    r_pr = f'<w:rPr><w:sz w:val="{int(Pt(size).pt * 2)}"/></w:rPr>' if grid.name == "part4" else ""
    p_style = f'<w:pStyle w:val="{escape(style.style_id)}"/>'
    starts = {(c.row, c.col): c for c in grid.cells}
    below: dict[tuple[int, int], L.GridCell] = {}  # the continuation cells of a vertical span
    covered: set[tuple[int, int]] = set()  # grid columns inside a span, right of its first
    for c in grid.cells:
        for r in range(c.row, c.row + c.rowspan):
            if r > c.row:
                below[r, c.col] = c
            covered.update((r, k) for k in range(c.col + 1, c.col + c.colspan))
    xml = [f"<w:tbl {nsdecls('w')}>", _TBL_PR, "<w:tblGrid>"]
    xml += [f'<w:gridCol w:w="{w}"/>' for w in twips]
    xml.append("</w:tblGrid>")
    for r in range(grid.nrows):
        keep_next = "<w:keepNext/>" if r in keep else ""  # Word and LibreOffice keep a row with the next
        xml.append("<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if r < grid.header_rows else "")
                   + "</w:trPr>")
        for col in range(grid.ncols):
            if (r, col) in covered:
                continue
            c = starts.get((r, col)) or below.get((r, col))
            span = c.colspan if c else 1
            tc_pr = f'<w:tcW w:type="dxa" w:w="{sum(twips[col:col + span])}"/>'
            if span > 1:
                tc_pr += f'<w:gridSpan w:val="{span}"/>'
            empty_p = f"<w:p><w:pPr>{keep_next}</w:pPr></w:p>" if keep_next else "<w:p/>"
            if c is None:  # a grid position no cell of the grid fills
                xml.append(f"<w:tc><w:tcPr>{tc_pr}</w:tcPr>{empty_p}</w:tc>")
                continue
            if c.row < r:
                xml.append(f"<w:tc><w:tcPr>{tc_pr}<w:vMerge/></w:tcPr>{empty_p}</w:tc>")
                continue
            if c.rowspan > 1:
                tc_pr += '<w:vMerge w:val="restart"/>'
            text = table_value(edition, c.path, data) if c.role == L.VALUE and c.path else c.text
            labelled = c.role in _HEADERS or c.role == L.ROW  # the 勾稽 note and the figures wrap as they come
            lines = label_lines(text, _chars(sum(mm[c.col:c.col + c.colspan]), size)) if labelled else [text]
            p_pr = p_style + keep_next + ('<w:jc w:val="left"/>' if c.role == L.ROW else "")
            runs = "".join(f"<w:r>{r_pr}{_run_content(line)}{'<w:br/>' if i < len(lines) - 1 else ''}</w:r>"
                           for i, line in enumerate(lines))
            xml.append(f'<w:tc><w:tcPr>{tc_pr}<w:vAlign w:val="center"/></w:tcPr>'
                       f"<w:p><w:pPr>{p_pr}</w:pPr>{runs}</w:p></w:tc>")
        xml.append("</w:tr>")
    xml.append("</w:tbl>")
    doc.element.body._insert_tbl(parse_xml("".join(xml)))  # as Document.add_table does: before w:sectPr


def render(blocks: list[Block], data: Mapping[str, Any], *, chart: bytes | None, chart_alt: str,
           reference: str | Path | None = None) -> bytes:
    doc = _open_reference(reference)
    edition = S.get_edition(data["edition"])
    grids = {g.name: g for g in L.grids(edition)}
    found: dict[str, Any] = {}

    def style(name: str) -> Any:
        """A paragraph style, looked up by name once (python-docx looks through every style each time)."""
        if name not in found:
            found[name] = doc.styles[name]
        return found[name]

    figure_no = 0
    for b in blocks:
        if b.kind == "title":
            p = doc.add_paragraph(style=style("Title"))
            for i, line in enumerate(b.text.split("\n")):
                run = p.add_run(line)
                if i < len(b.text.split("\n")) - 1:
                    run.add_break()
        elif b.kind == "h1":
            doc.add_paragraph(b.text, style=style("Heading 1"))
        elif b.kind == "h2":
            doc.add_paragraph(b.text, style=style("Heading 2"))
        elif b.kind == "table" and b.text in grids:
            _table(doc, grids[b.text], edition, data, style(DS.TABLE_TEXT))
        elif b.kind == "figure":
            if chart is None:
                continue
            figure_no += 1
            doc.add_paragraph(style=style(DS.PICTURE)).add_run().add_picture(io.BytesIO(chart), width=Mm(150))
            doc.add_paragraph(f"图{figure_no}　{chart_alt}", style=style(DS.CAPTION))
        elif b.kind == "p":
            doc.add_paragraph(b.text, style=style("Normal"))
    doc.core_properties.title = core_property("".join(b.text for b in blocks if b.kind == "title").replace("\n", ""))
    doc.core_properties.author = core_property(str(data["meta"].get("agency") or ""))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
