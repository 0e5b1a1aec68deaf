"""The official layout of the three tables as a grid: which cell holds which label or value,
and which cells are merged.  Built from the format schema; every renderer places this same grid
(the template workbook, the .docx, the .html, the .md), so a merge is decided once.

Coordinates are 0-based inside the table.  Header ids and ``headers`` give the accessible
structure (W3C "tables with irregular headers"): every value cell names all its headers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.schema import Edition

# roles
NOTE = "note"  # the 勾稽 note in the corner of 第三部分: text, not a header
CAPTION = "caption"  # a block caption of 第二部分 (第二十条第（一）项)
COLGROUP = "colgroup"  # a header over several columns
COL = "col"  # a column header
ROWGROUP = "rowgroup"  # a header over several rows
ROW = "row"  # a row header
VALUE = "value"  # a value cell: has a path


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    role: str
    text: str = ""
    path: str | None = None
    rowspan: int = 1
    colspan: int = 1
    id: str = ""
    headers: tuple[str, ...] = ()


@dataclass
class Grid:
    name: str  # part2 | part3 | part4
    heading: str  # the part heading above the table
    ncols: int
    header_rows: int  # rows to repeat on every page (0 for 第二部分, whose blocks carry headers)
    cells: list[GridCell] = field(default_factory=list)
    col_widths: tuple[float, ...] = ()  # relative widths

    @property
    def nrows(self) -> int:
        return max(c.row + c.rowspan for c in self.cells)

    def add(self, cell: GridCell) -> None:
        self.cells.append(cell)

    def values(self) -> list[GridCell]:
        return [c for c in self.cells if c.role == VALUE]


def part2(edition: Edition) -> Grid:
    width = 1 + max(len(b.columns) for b in edition.active_blocks)
    g = Grid("part2", edition.headings[1], width, 0, col_widths=(1.3,) + (1.0,) * (width - 1))
    row = 0
    for bi, block in enumerate(edition.active_blocks):
        cap = f"b{bi}"
        g.add(GridCell(row, 0, CAPTION, block.caption, colspan=width, id=cap))
        row += 1
        g.add(GridCell(row, 0, COL, S.ACTIVE_ITEM, id=f"{cap}-item", headers=(cap,)))
        spans = []
        for i, col in enumerate(block.columns):
            last = width - 1 if i == len(block.columns) - 1 else 1 + i
            spans.append((1 + i, last - i))
            g.add(GridCell(row, 1 + i, COL, col.label, colspan=last - i, id=f"{cap}-c{i}", headers=(cap,)))
        row += 1
        for ri, r in enumerate(block.rows):
            rid = f"{cap}-r{ri}"
            g.add(GridCell(row, 0, ROW, r.label, id=rid, headers=(cap, f"{cap}-item")))
            for i, col in enumerate(block.columns):
                c, span = spans[i]
                g.add(GridCell(row, c, VALUE, path=f"active.{r.key}.{col.key}", colspan=span,
                               headers=(cap, rid, f"{cap}-c{i}")))
            row += 1
    return g


def part3(edition: Edition) -> Grid:
    cols = edition.application_columns
    n = len(cols)
    g = Grid("part3", edition.headings[2], 3 + n, 3, col_widths=(1.1, 1.35, 3.1) + (1.0,) * n)
    g.add(GridCell(0, 0, NOTE, S.TABLE3_NOTE, rowspan=3, colspan=3))
    g.add(GridCell(0, 3, COLGROUP, S.TABLE3_APPLICANT, colspan=n, id="h-ap"))
    g.add(GridCell(1, 3, COL, cols[0].label, rowspan=2, id="h-c0", headers=("h-ap",)))
    g.add(GridCell(1, 4, COLGROUP, S.TABLE3_LEGAL_PERSON, colspan=n - 2, id="h-lp", headers=("h-ap",)))
    g.add(GridCell(1, 3 + n - 1, COL, cols[-1].label, rowspan=2, id=f"h-c{n - 1}", headers=("h-ap",)))
    col_headers = {0: ("h-ap", "h-c0"), n - 1: ("h-ap", f"h-c{n - 1}")}
    for i, c in enumerate(cols[1:-1], start=1):
        g.add(GridCell(2, 3 + i, COL, c.label, id=f"h-c{i}", headers=("h-ap", "h-lp")))
        col_headers[i] = ("h-ap", "h-lp", f"h-c{i}")
    rows = edition.application_rows
    top = 3
    i = 0
    while i < len(rows):
        r = rows[i]
        if r.section is None:
            rid = f"r-{r.key}"
            g.add(GridCell(top + i, 0, ROW, r.label, colspan=3, id=rid))
            _values(g, edition, top + i, r.key, (rid,), col_headers)
            i += 1
            continue
        j = i
        while j < len(rows) and rows[j].section == r.section:
            j += 1
        sid = f"s-{i}"
        g.add(GridCell(top + i, 0, ROWGROUP, r.section, rowspan=j - i, id=sid))
        k = i
        while k < j:
            grp = rows[k].group
            if grp is None:
                rid = f"r-{rows[k].key}"
                g.add(GridCell(top + k, 1, ROW, rows[k].label, colspan=2, id=rid, headers=(sid,)))
                _values(g, edition, top + k, rows[k].key, (sid, rid), col_headers)
                k += 1
                continue
            m = k
            while m < j and rows[m].group == grp:
                m += 1
            gid = f"g-{k}"
            g.add(GridCell(top + k, 1, ROWGROUP, grp, rowspan=m - k, id=gid, headers=(sid,)))
            for x in range(k, m):
                rid = f"r-{rows[x].key}"
                g.add(GridCell(top + x, 2, ROW, rows[x].label, id=rid, headers=(sid, gid)))
                _values(g, edition, top + x, rows[x].key, (sid, gid, rid), col_headers)
            k = m
        i = j
    return g


def _values(g: Grid, edition: Edition, row: int, key: str, row_headers: tuple[str, ...],
            col_headers: dict[int, tuple[str, ...]]) -> None:
    for ci, c in enumerate(edition.application_columns):
        g.add(GridCell(row, 3 + ci, VALUE, path=f"applications.{key}.{c.key}", headers=row_headers + col_headers[ci]))


def part4(edition: Edition) -> Grid:
    groups, results = edition.review_groups, edition.review_results
    n = len(results)
    g = Grid("part4", edition.headings[3], len(groups) * n, 3, col_widths=(1.0,) * (len(groups) * n))
    # The first group stands alone; the others share the 行政诉讼 caption.
    g.add(GridCell(0, 0, COLGROUP, groups[0].label, colspan=n, id="g0"))
    for i, res in enumerate(results):
        g.add(GridCell(1, i, COL, res.label, rowspan=2, id=f"g0-{i}", headers=("g0",)))
    g.add(GridCell(0, n, COLGROUP, S.REVIEW_LITIGATION, colspan=(len(groups) - 1) * n, id="lit"))
    for gi, grp in enumerate(groups[1:], start=1):
        g.add(GridCell(1, gi * n, COLGROUP, grp.label, colspan=n, id=f"g{gi}", headers=("lit",)))
        for i, res in enumerate(results):
            g.add(GridCell(2, gi * n + i, COL, res.label, id=f"g{gi}-{i}", headers=("lit", f"g{gi}")))
    for gi, grp in enumerate(groups):
        parents = ("g0",) if gi == 0 else ("lit", f"g{gi}")
        for i, res in enumerate(results):
            g.add(GridCell(3, gi * n + i, VALUE, path=f"review_litigation.{grp.key}.{res.key}",
                           headers=parents + (f"g{gi}-{i}",)))
    return g


def grids(edition: Edition) -> list[Grid]:
    return [part2(edition), part3(edition), part4(edition)]
