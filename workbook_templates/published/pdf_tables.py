"""A PDF's text layer as lines of cells, read by geometry.

Ruled tables are found from their drawn lines, so a label that wraps over two or three lines stays
one cell and every figure stays in its column (the line-by-line text of a WPS/Word export puts the
numbers of a wrapped row on a line of their own).  Each table row becomes one line of
tab-separated cells — a merged cell once, an empty cell kept as ``empty`` — the shape the .docx
and .html readers give.  Text outside the tables becomes paragraphs: the lines a page wraps are
joined again (a line that reaches the right margin goes on in the next unindented line), page
footers ("— 1 —") are dropped.  A page without a ruled table falls back to its text lines.

The page is parsed once, by PDFium (pypdfium2, C++): its characters (with their boxes) and the
line segments of its drawn paths (ruling lines and the thin filled rectangles Chromium draws as
borders) become the objects pdfplumber's table finder and text-line grouping work on.  Parsing
the pages with pdfminer (pdfplumber's own parser, pure Python) took 0.5–1 s of CPU for a
9-page Chromium print; PDFium takes a tenth of that.  Boxes follow pdfminer's conventions
(x from the advance widths, a character standing on its baseline, as tall as its font size;
top-left origin, the page's /Rotate applied), so pdfplumber's tolerances mean what they meant.

Chromium writes some CJK characters as Kangxi radicals (⼈ U+2F08 for 人); they are read as the
ideographs they stand for.  Nothing else of the printed text is changed.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nianbao.workbook_templates.published.pdf_geometry import PageGeometry, read_pages

# Kangxi radicals and the CJK radicals supplement → the unified ideographs they print as
_RADICALS = {cp: unicodedata.normalize("NFKC", chr(cp)) for cp in (*range(0x2E80, 0x2EF4), *range(0x2F00, 0x2FD6))
             if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)}
# radicals of the supplement that have no NFKC form but print as a simplified character
_RADICALS.update({ord(k): v for k, v in zip("⺠⻓⻔⻅⻆⻋⻝⻢⻜⻛⻚⻥⻰⻬⻮⺁⺌⺮⻄⻩⻉⻘⻨⻈⻊⻙⻤⻧",
                                           "民长门见角车食马飞风页鱼龙齐齿厂小竹西黄贝青麦讠足韦鬼卤")})
_FOOTER = re.compile(r"^\s*(?:[—–\-－]+\s*\d{1,4}\s*[—–\-－]+|第\s*\d{1,4}\s*页(?:\s*[/，,共]\s*\d{1,4}\s*页?)?)\s*$")
_X_TOLERANCE_RATIO = 0.5  # a gap under half of the font size is not a word break (LibreOffice's CJK/Latin autospace)


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    size: float
    page: int
    top: float


def _clean(text: str) -> str:
    return text.translate(_RADICALS)


def _real_table(rows: list[list[str | None]]) -> bool:
    """A table of at least two rows and two columns (not a page frame or a boxed paragraph)."""
    return len(rows) >= 2 and max((len(r) for r in rows), default=0) >= 2


def _table_rows(rows: list[list[str | None]], empty: str) -> list[str]:
    out = []
    for row in rows:
        cells = [re.sub(r"\s+", "", _clean(c)) or empty for c in row if c is not None]
        if any(c != empty for c in cells):
            out.append("\t".join(cells))
    return out


def _tables(page: PageGeometry) -> list[tuple[tuple[float, float, float, float], list[list[str | None]]]]:
    """The page's ruled tables: bounding box and cell texts, each read from the characters within it."""
    from pdfplumber.table import Table, TableFinder

    out = []
    for found in TableFinder(page).tables:  # type: ignore[arg-type]  # the duck type of a pdfplumber page
        bbox = found.bbox  # (a property pdfplumber computes from the cells on every call)
        within = PageGeometry(page.number, page.width, page.height,
                              chars=[c for c in page.chars if _inside(c, [bbox])])  # what a cell may hold
        rows = Table(within, found.cells).extract()  # type: ignore[arg-type]
        if _real_table(rows):
            out.append((bbox, rows))
    return out


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def pdf_lines(path: Path, empty: str) -> list[str]:
    """Lines of the PDF's text: paragraphs, and table rows as tab-separated cells."""
    from pdfplumber.utils import chars_to_textmap

    items: list[tuple[int, float, str, Any]] = []  # page, top, kind, line or table rows
    for page in read_pages(path):
        tables = _tables(page) if page.edges else []
        boxes = [bbox for bbox, _ in tables]
        chars = [c for c in page.chars if not _inside(c, boxes)] if boxes else page.chars
        textmap = chars_to_textmap(chars, layout_bbox=page.bbox, layout_width=page.width, layout_height=page.height,
                                   x_tolerance_ratio=_X_TOLERANCE_RATIO)
        for ln in textmap.extract_text_lines(strip=True, return_chars=True):
            text = _clean(ln["text"]).strip()
            if not text or (_FOOTER.match(text) and ln["top"] > page.height * 0.8):
                continue
            size = statistics.median(c["size"] for c in ln["chars"]) if ln["chars"] else 10.0
            items.append((page.number, ln["top"], "text", _Line(text, ln["x0"], ln["x1"], size, page.number, ln["top"])))
        for bbox, rows in tables:
            items.append((page.number, bbox[1], "table", _table_rows(rows, empty)))
    items.sort(key=lambda it: (it[0], it[1]))
    return _paragraphs(items)


def _paragraphs(items: list[tuple[int, float, str, Any]]) -> list[str]:
    """Text lines joined into paragraphs; table rows as they are."""
    lines = [it[3] for it in items if it[2] == "text"]
    if lines:
        left = min(ln.x0 for ln in lines)
        right = max(ln.x1 for ln in lines)
    out: list[str] = []
    previous: _Line | None = None  # the last text line, while its paragraph may go on
    for _, _, kind, item in items:
        if kind == "table":
            out.extend(item)
            previous = None
            continue
        ln: _Line = item
        full = previous is not None and previous.x1 >= right - 1.5 * previous.size
        unindented = ln.x0 <= left + 0.6 * ln.size
        if previous is not None and full and unindented and abs(ln.size - previous.size) < 0.5:
            glue = " " if re.match(r"[A-Za-z0-9]", ln.text[:1]) and re.search(r"[A-Za-z0-9]$", out[-1]) else ""
            out[-1] += glue + ln.text
        else:
            out.append(ln.text)
        previous = ln
    return out
