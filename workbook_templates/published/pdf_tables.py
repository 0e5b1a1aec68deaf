"""A PDF's text layer as lines of cells, read by geometry (pdfplumber).

Ruled tables are found from their drawn lines, so a label that wraps over two or three lines stays
one cell and every figure stays in its column (the line-by-line text of a WPS/Word export puts the
numbers of a wrapped row on a line of their own).  Each table row becomes one line of
tab-separated cells — a merged cell once, an empty cell kept as ``empty`` — the shape the .docx
and .html readers give.  Text outside the tables becomes paragraphs: the lines a page wraps are
joined again (a line that reaches the right margin goes on in the next unindented line), page
footers ("— 1 —") are dropped.  A page without a ruled table falls back to its text lines.

Chromium writes some CJK characters as Kangxi radicals (⼈ U+2F08 for 人); they are read as the
ideographs they stand for.  Nothing else of the printed text is changed.
"""

from __future__ import annotations

import logging
import re
import statistics
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def _real_table(table: Any) -> bool:
    """A table of at least two rows and two columns (not a page frame or a boxed paragraph)."""
    rows = table.extract()
    return len(rows) >= 2 and max((len(r) for r in rows), default=0) >= 2


def _table_rows(table: Any, empty: str) -> list[str]:
    out = []
    for row in table.extract():
        cells = [re.sub(r"\s+", "", _clean(c)) or empty for c in row if c is not None]
        if any(c != empty for c in cells):
            out.append("\t".join(cells))
    return out


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def pdf_lines(path: Path, empty: str) -> list[str]:
    """Lines of the PDF's text: paragraphs, and table rows as tab-separated cells."""
    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font warnings of Chromium's PDFs
    items: list[tuple[int, float, str, Any]] = []  # page, top, kind, line or table rows
    with pdfplumber.open(str(path)) as pdf:
        for number, page in enumerate(pdf.pages):
            tables = [t for t in page.find_tables() if _real_table(t)]
            boxes = [t.bbox for t in tables]
            text_page = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, boxes)) if boxes else page
            for ln in text_page.extract_text_lines(x_tolerance_ratio=_X_TOLERANCE_RATIO, return_chars=True):
                text = _clean(ln["text"]).strip()
                if not text or (_FOOTER.match(text) and ln["top"] > page.height * 0.8):
                    continue
                size = statistics.median(c["size"] for c in ln["chars"]) if ln["chars"] else 10.0
                items.append((number, ln["top"], "text", _Line(text, ln["x0"], ln["x1"], size, number, ln["top"])))
            for t in tables:
                items.append((number, t.bbox[1], "table", _table_rows(t, empty)))
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
