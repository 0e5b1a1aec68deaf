"""The three tables of the .docx (第二、三、四部分) as a reader of the document finds them: opened with
python-docx, every grid position holds the label or the report's own figure the official layout
puts there, a merged cell spans exactly its rows and columns (w:gridSpan, w:vMerge restart and
continuation cells holding one empty paragraph, the spanned columns' width), header rows repeat,
no row splits across pages, kept rows keep with the next.  The renderer writes the tables' XML
itself (render_docx._table); these checks hold whatever builds it."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from conftest import fixture_path, load_fixture, nianbao

from nianbao.generator import docx_style as DS
from nianbao.generator.render_docx import CELL_MARGIN_TWIPS, column_widths, keep_rows
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format import table_layout as L
from nianbao.workbook_templates.format.report_data import get_path

# the 2021 edition, the 2019 edition, and a report whose 第四部分 is blank
REPORTS = ("haining-2023", "shanghai-2020", "shanghai-2023")
_LABELS = (L.CAPTION, L.COLGROUP, L.COL, L.ROWGROUP, L.ROW)


def _grid_of_tcs(table, ncols: int) -> dict[tuple[int, int], object]:
    """(row, grid column) → the w:tc that starts there, from the XML itself; every row's
    w:gridSpan values add up to the table's grid columns."""
    at = {}
    for r, tr in enumerate(table._tbl.tr_lst):
        col = 0
        for tc in tr.tc_lst:
            at[r, col] = tc
            col += tc.grid_span
        assert col == ncols, f"row {r} spans {col} grid columns, not {ncols}"
    return at


def check_table(table, grid: L.Grid, edition: S.Edition, data: dict) -> None:
    assert len(table.rows) == grid.nrows and len(table.columns) == grid.ncols
    tcs = _grid_of_tcs(table, grid.ncols)
    size = 9.0 if grid.name == "part4" else 10.5
    mm = column_widths(grid, size)
    twips = [Mm(w).twips for w in mm]
    assert [int(gc.get(qn("w:w"))) for gc in table._tbl.tblGrid.gridCol_lst] == twips
    pr = table._tbl.tblPr
    assert pr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    # the lines of a printed table: a single black line on every side and between every cell
    borders = pr.find(qn("w:tblBorders"))
    assert borders is not None and {b.tag.rsplit("}", 1)[1]: (b.get(qn("w:val")), b.get(qn("w:sz"))) for b in borders} \
        == dict.fromkeys(("top", "left", "bottom", "right", "insideH", "insideV"), ("single", "4"))
    margins = pr.find(qn("w:tblCellMar"))
    assert margins is not None and {m.tag.rsplit("}", 1)[1]: int(m.get(qn("w:w"))) for m in margins} \
        == {"left": CELL_MARGIN_TWIPS, "right": CELL_MARGIN_TWIPS}
    owner: dict[tuple[int, int], L.GridCell] = {}
    for c in grid.cells:
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                assert (r, k) not in owner
                owner[r, k] = c
    assert len(owner) == grid.nrows * grid.ncols  # the layout fills its grid
    columns = [table.column_cells(k) for k in range(grid.ncols)]  # table.cell() reads the whole table each time

    def cell(r: int, k: int):
        return columns[k][r]

    for c in grid.cells:
        top = cell(c.row, c.col)
        if c.role == L.VALUE:
            value = get_path(data, c.path)
            text = top.text
            assert "\n" not in text
            if value is None:
                assert text == "", (grid.name, c.path)
            else:  # the report's figure, signed ones with their sign
                signed = edition.fields[c.path].kind is S.Kind.SIGNED
                assert re.fullmatch(r"[+-]?\d+(\.\d+)?", text), (grid.name, c.path, text, value)
                assert text.startswith("+") == (signed and value > 0), (c.path, text)
                assert Decimal(text.lstrip("+")) == Decimal(str(value)), (grid.name, c.path, text, value)
        elif c.role in _LABELS:  # a label, broken into lines only by w:br
            assert top.text.replace("\n", "") == c.text and not top.text.startswith("\n")
        else:
            assert top.text == c.text
        # python-docx reports a merged cell as one cell over its whole span
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                assert cell(r, k)._tc is top._tc, (grid.name, c, r, k)
                assert cell(r, k).text == top.text
        # the XML of the span: first row gridSpan (+ restart), each row below a continuation
        for r in range(c.row, c.row + c.rowspan):
            tc = tcs.get((r, c.col))
            assert tc is not None, (grid.name, c, r)
            assert tc.grid_span == c.colspan, (grid.name, c, r)
            assert tc.width.twips == sum(twips[c.col:c.col + c.colspan]), (grid.name, c, r)
            assert all((r, k) not in tcs for k in range(c.col + 1, c.col + c.colspan))
            v_merge = tc.tcPr.find(qn("w:vMerge"))
            if c.rowspan == 1:
                assert v_merge is None, (grid.name, c)
            elif r == c.row:
                assert v_merge is not None and v_merge.get(qn("w:val")) == "restart", (grid.name, c)
            else:
                assert v_merge is not None and v_merge.get(qn("w:val")) in (None, "continue"), (grid.name, c, r)
                assert len(tc.p_lst) == 1 and not tc.p_lst[0].r_lst, (grid.name, c, r)  # one empty paragraph
        assert top.vertical_alignment == WD_CELL_VERTICAL_ALIGNMENT.CENTER
        assert len(top.paragraphs) == 1
        p = top.paragraphs[0]
        assert p.style.name == DS.TABLE_TEXT
        assert p.alignment == (WD_ALIGN_PARAGRAPH.LEFT if c.role == L.ROW else None)
        if grid.name == "part4":
            assert p.runs and all(run.font.size == Pt(9) for run in p.runs)  # 小五
        else:
            assert all(run.font.size is None for run in p.runs)  # the style's size
    keep = keep_rows(grid)
    for r, row in enumerate(table.rows):
        tr_pr = row._tr.trPr
        assert tr_pr is not None and tr_pr.find(qn("w:cantSplit")) is not None, (grid.name, r)
        assert (tr_pr.find(qn("w:tblHeader")) is not None) == (r < grid.header_rows), (grid.name, r)
        for tc in row._tr.tc_lst:
            for p in tc.p_lst:
                kept = p.pPr is not None and p.pPr.keepNext is not None
                assert kept == (r in keep), (grid.name, r)


def _tables(docx: bytes):
    return Document(io.BytesIO(docx)).tables


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, bytes]:
    """Each report generated as a person does it: nianbao generate REPORT -o REPORT.docx."""
    tmp = tmp_path_factory.mktemp("docx-tables")
    out = {}
    for name in REPORTS:
        path = tmp / f"{name}.docx"
        run = nianbao("generate", fixture_path(name), "-o", path)
        assert run.code == 0, run.err
        out[name] = path.read_bytes()
    return out


@pytest.mark.parametrize("name", REPORTS)
def test_tables_read_back_as_the_layout_and_the_figures(generated, name):
    data = load_fixture(name)
    edition = S.get_edition(data["edition"])
    tables = _tables(generated[name])
    grids = L.grids(edition)
    assert len(tables) == len(grids) == 3
    for table, grid in zip(tables, grids):
        check_table(table, grid, edition, data)


def test_part3_reads_as_printed(generated):
    """A few cells of 海宁 2023 read as a person reads the printed table."""
    part2, part3, part4 = _tables(generated["haining-2023"])
    assert part2.cell(0, 3).text == "第二十条第（一）项" and part2.cell(3, 3).text == "350"
    row = next(i for i, r in enumerate(part3.rows) if r.cells[0].text.startswith("一、本年新收"))
    assert [c.text for c in part3.rows[row].cells[3:]] == ["505", "16", "0", "0", "1", "1", "523"]
    assert part3.cell(0, 0)._tc is part3.cell(2, 2)._tc  # the 勾稽 note over three rows and columns
    assert part4.cell(0, 0)._tc is part4.cell(0, 4)._tc and part4.cell(1, 0)._tc is part4.cell(2, 0)._tc


def _drop(docx: bytes, pattern: str, table: int) -> bytes:
    """The .docx with the first match of ``pattern`` removed from its ``table``-th w:tbl."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as z, zipfile.ZipFile(buf, "w") as w:
        for item in z.infolist():
            raw = z.read(item.filename)
            if item.filename == "word/document.xml":
                xml = raw.decode("utf-8")
                starts = [m.start() for m in re.finditer("<w:tbl>", xml)]
                at = starts[table]
                end = xml.index("</w:tbl>", at)
                m = re.compile(pattern).search(xml, at, end)
                assert m, pattern
                raw = (xml[:m.start()] + xml[m.end():]).encode("utf-8")
            w.writestr(item, raw)
    return buf.getvalue()


@pytest.mark.parametrize("pattern,table", [
    (r'<w:gridSpan w:val="\d+"/>', 0),  # a 第二部分 caption no longer across the table
    (r'<w:vMerge w:val="restart"/>', 1),  # the 勾稽 note's span not started
    (r"<w:vMerge/>", 1),  # a continuation cell become a cell of its own
    (r"<w:vMerge/>", 2),
    (r"<w:tblHeader/>", 1),
    (r"<w:cantSplit/>", 2),
    (r"<w:keepNext/>", 0),
    (r'<w:jc w:val="left"/>', 1),
    (r'<w:rPr><w:sz w:val="18"/></w:rPr>', 2),
    (r"<w:t>523</w:t>", 1),
    (r'<w:insideH w:val="single"[^>]*/>', 1),  # a table printed without the lines between its rows
    (r'<w:left w:w="\d+" w:type="dxa"/>', 2),  # the cells' left margin gone
])
def test_the_check_sees_a_broken_table(generated, pattern, table):
    data = load_fixture("haining-2023")
    edition = S.get_edition(data["edition"])
    broken = _tables(_drop(generated["haining-2023"], pattern, table))
    with pytest.raises(AssertionError):
        for t, grid in zip(broken, L.grids(edition)):
            check_table(t, grid, edition, data)
