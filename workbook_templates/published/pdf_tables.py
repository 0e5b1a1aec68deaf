"""A PDF's text layer as lines of cells, read by geometry.

Ruled tables are found from their drawn lines, so a label that wraps over two or three lines stays
one cell and every figure stays in its column (the line-by-line text of a WPS/Word export puts the
numbers of a wrapped row on a line of their own).  Each table row becomes one line of
tab-separated cells — a merged cell once, an empty cell kept as ``empty`` — the shape the .docx
and .html readers give.  Text outside the tables becomes paragraphs: the lines a page wraps are
joined again (a line goes on in the next one unless the paragraph really ends there, see
``_ends``), page footers ("— 1 —") are dropped.  A page without a ruled table falls back to its
text lines.

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
from itertools import pairwise
from pathlib import Path
from typing import Any

from nianbao.workbook_templates.published.pdf_geometry import PageGeometry, latin, read_pages

# Kangxi radicals and the CJK radicals supplement → the unified ideographs they print as
_RADICALS = {cp: unicodedata.normalize("NFKC", chr(cp)) for cp in (*range(0x2E80, 0x2EF4), *range(0x2F00, 0x2FD6))
             if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)}
# radicals of the supplement that have no NFKC form but print as a simplified character
_RADICALS.update({ord(k): v for k, v in zip("⺠⻓⻔⻅⻆⻋⻝⻢⻜⻛⻚⻥⻰⻬⻮⺁⺌⺮⻄⻩⻉⻘⻨⻈⻊⻙⻤⻧",
                                           "民长门见角车食马飞风页鱼龙齐齿厂小竹西黄贝青麦讠足韦鬼卤")})
_FOOTER = re.compile(r"^\s*(?:[—–\-－]+\s*\d{1,4}\s*[—–\-－]+|第\s*\d{1,4}\s*页(?:\s*[/，,共]\s*\d{1,4}\s*页?)?)\s*$")
_OPENING = "（(《〈「『【〔“‘"
_CLOSING = "）)》〉」』】〕”’，。、；：？！,.;:?!%"
# a heading or list item beginning a line begins a paragraph: （二） (2) 一、 2. 2、 (not "2.5%")
_ITEM = re.compile(r"^\s*(?:[（(]\s*(?:[一二三四五六七八九十]+|\d{1,2})\s*[)）]|[一二三四五六七八九十]+\s*、|\d{1,2}\s*[.．、](?!\d))")
_SENTENCE_END = re.compile(r"[。！？；：.!?;:][”’）)」』》]*$")
_X_TOLERANCE_RATIO = 0.5  # a gap under half of the font size is not a word break (LibreOffice's CJK/Latin autospace)


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    size: float
    page: int
    top: float
    width: float  # of the page
    lead: float  # how wide the line's first unit is, which a wrap cannot split (see ``_lead``)


def _lead(chars: list[dict], size: float) -> float:
    """The width of a line's first unit: its first CJK character, or its first run of Latin letters,
    digits and signs (a word, "2023", "5.17%", "0573-87287231"), with the opening marks before it and
    the closing marks after it, which a line may neither end nor start with (at most eight characters
    wide: a long address may break at its slashes)."""
    shown = [c for c in chars if not c["text"].isspace()]
    if not shown:
        return 0.0
    i = 0
    while i + 1 < len(shown) and shown[i]["text"] in _OPENING:
        i += 1
    if latin(shown[i]["text"]):
        while i + 1 < len(shown) and latin(shown[i + 1]["text"]):
            i += 1
    while i + 1 < len(shown) and shown[i + 1]["text"] in _CLOSING:
        i += 1
    return min(shown[i]["x1"] - shown[0]["x0"], 8 * size)


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
            items.append((page.number, ln["top"], "text", _Line(text, ln["x0"], ln["x1"], size, page.number, ln["top"],
                                                                page.width, _lead(ln["chars"], size))))
        for bbox, rows in tables:
            items.append((page.number, bbox[1], "table", _table_rows(rows, empty)))
    items.sort(key=lambda it: (it[0], it[1]))
    return _paragraphs(items)


def _paragraphs(items: list[tuple[int, float, str, Any]]) -> list[str]:
    """Text lines joined into paragraphs; table rows as they are.  A line goes on in the next one
    unless the paragraph ends there (see ``_ends``)."""
    frames = _frames([it[3] for it in items if it[2] == "text"])
    pitch = _pitch(items)
    out: list[str] = []
    previous: _Line | None = None  # the last text line, while its paragraph may go on
    for _, _, kind, item in items:
        if kind == "table":
            out.extend(item)
            previous = None
            continue
        ln: _Line = item
        if previous is not None and not _ends(previous, ln, frames[round(ln.width)], pitch):
            out[-1] += _glue(out[-1], ln.text) + ln.text
        else:
            out.append(ln.text)
        previous = ln
    return out


def _ends(line: _Line, after: _Line, frame: tuple[float, float], pitch: dict[int, float]) -> bool:
    """The paragraph ends with ``line``: the next line is set in another size, is indented, is a
    heading or list item (“（二）”, “2.”, “一、”) after a sentence's end, or stands lower than the
    lines of a paragraph do; or ``line`` stops short of the text's right edge by more than the next
    line's first unit (a CJK character, or a Latin word or figure, with the punctuation bound to it)
    needs: the wrap did not push that unit down.  A line ragged by its Latin digits (LibreOffice
    sets CJK text ragged and puts an autospace between "2023" and "年") goes on, as it reaches the
    edge as closely as its next unit allows."""
    left, right = frame
    if abs(after.size - line.size) >= 0.5 or after.x0 > left + 0.6 * after.size:
        return True
    if _ITEM.match(after.text) and _SENTENCE_END.search(line.text):  # not "本报告第" + "二、三、四部分"
        return True
    step = pitch.get(round(line.size))
    if step is not None and after.page == line.page and after.top - line.top > step + 0.4 * line.size:
        return True
    return right - line.x1 > after.lead + 0.5 * line.size


def _frames(lines: list[_Line]) -> dict[int, tuple[float, float]]:
    """The text's left and right edges on the pages of each width (a landscape page has its own):
    the leftmost start of a line, and where the most of the lines that reach the right stop (the
    median of the most line ends within half a character of each other, among the ends within two
    characters of the rightmost: the punctuation LibreOffice lets hang past the edge does not move
    it, and neither do the many short lines of a table printed one cell to a line)."""
    by_width: dict[int, list[_Line]] = {}
    for ln in lines:
        by_width.setdefault(round(ln.width), []).append(ln)
    frames = {}
    for width, group in by_width.items():
        size = statistics.median(ln.size for ln in group)
        rightmost = max(ln.x1 for ln in group)
        ends = sorted(ln.x1 for ln in group if ln.x1 >= rightmost - 2 * size)
        best: list[float] = []
        lo = 0
        for hi, x in enumerate(ends):  # the window [x - size/2, x] holding the most line ends
            while ends[lo] < x - size / 2:
                lo += 1
            if hi + 1 - lo > len(best):
                best = ends[lo: hi + 1]
        frames[width] = (min(ln.x0 for ln in group), statistics.median(best))
    return frames


def _pitch(items: list[tuple[int, float, str, Any]]) -> dict[int, float]:
    """The usual distance from one text line to the next on a page (the lines of a paragraph), by
    font size (where at least three steps tell it)."""
    steps: dict[int, list[float]] = {}
    for (_, _, kind_a, a), (_, _, kind_b, b) in pairwise(items):
        if kind_a == kind_b == "text" and a.page == b.page and abs(a.size - b.size) < 0.5:
            steps.setdefault(round(a.size), []).append(b.top - a.top)
    return {size: statistics.median(s) for size, s in steps.items() if len(s) >= 3}


def _glue(before: str, after: str) -> str:
    """What stood at the wrap: a space between two Latin words or figures (the page drops it at the
    line's end), nothing next to a CJK character or after a hyphen or slash that broke a word or an
    address."""
    return " " if latin(before[-1:]) and latin(after[:1]) and before[-1] not in "-/" else ""
