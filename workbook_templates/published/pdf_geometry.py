"""The geometry of a PDF's pages, parsed once by PDFium (pypdfium2): characters with their boxes
and the horizontal and vertical segments of the drawn paths, as the dicts pdfplumber's table
finder and text-line grouping read (``chars``, ``edges``, ``bbox`` — the duck type of a
pdfplumber page for ``TableFinder`` and ``Table.extract``).

Coordinates follow pdfplumber's (pdfminer's) conventions: origin at the top left of the page as
displayed (its /Rotate applied, relative to the MediaBox), in points.  Along the text a character
spans PDFium's loose box (its advance width, as pdfminer has it); across the text it stands on its
baseline and is as tall as its font size — pdfminer's box for the fonts Chromium and LibreOffice
embed (where a font descriptor gives a descent pdfminer lowers the box by it; the baseline keeps a
line of mixed fonts on one line), whichever way the text or the page is turned.

PDFium may not be entered from two threads at once (not even for two documents): a lock keeps
the workbench's concurrent imports apart.
"""

from __future__ import annotations

import ctypes
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()
_EPSILON = 1e-3  # a segment whose ends differ by less than this along an axis is parallel to the other

Matrix = tuple[float, float, float, float, float, float]


@dataclass
class PageGeometry:
    """One page: what pdfplumber's ``TableFinder(page)`` and ``Table.extract`` read of a page."""

    number: int
    width: float
    height: float
    chars: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.width, self.height)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF's row-vector convention: [x y 1]·m·n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


def _display(mediabox: tuple[float, float, float, float], rotation: int) -> tuple[Matrix, float, float]:
    """User space → displayed page (pdfminer's initial CTM), and the displayed width and height."""
    x0, y0, x1, y1 = min(mediabox[0], mediabox[2]), min(mediabox[1], mediabox[3]), \
        max(mediabox[0], mediabox[2]), max(mediabox[1], mediabox[3])
    w, h = x1 - x0, y1 - y0
    if rotation == 90:
        return (0, -1, 1, 0, -y0, x1), h, w
    if rotation == 180:
        return (-1, 0, 0, -1, x1, y1), w, h
    if rotation == 270:
        return (0, 1, -1, 0, y1, -x0), h, w
    return (1, 0, 0, 1, -x0, -y0), w, h


def _matrix(raw: Any, obj: Any) -> Matrix:
    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, m):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _edge(p0: tuple[float, float], p1: tuple[float, float], height: float, number: int) -> dict[str, Any] | None:
    """A segment in displayed coordinates (y up) as a pdfplumber edge, if it is horizontal or vertical."""
    (xa, ya), (xb, yb) = p0, p1
    if abs(ya - yb) < _EPSILON:
        orientation = "h"
    elif abs(xa - xb) < _EPSILON:
        orientation = "v"
    else:
        return None
    x0, x1 = min(xa, xb), max(xa, xb)
    top, bottom = height - max(ya, yb), height - min(ya, yb)
    if orientation == "h":
        bottom = top
    else:
        x1 = x0
    return {"object_type": "path_edge", "orientation": orientation, "x0": x0, "x1": x1, "top": top,
            "bottom": bottom, "doctop": top, "width": x1 - x0, "height": bottom - top, "page_number": number}


def _path_edges(raw: Any, obj: Any, to_display: Matrix, height: float, number: int) -> list[dict[str, Any]]:
    """The straight horizontal and vertical segments of one path object (every subpath closed as drawn)."""
    out: list[dict[str, Any]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    start: tuple[float, float] | None = None
    last: tuple[float, float] | None = None
    for i in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, i)
        if not seg or not raw.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        point = _apply(to_display, x.value, y.value)
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_MOVETO or last is None:
            start = point
        elif kind == raw.FPDF_SEGMENT_LINETO:
            e = _edge(last, point, height, number)
            if e:
                out.append(e)
        last = point  # a Bézier segment only moves the pen: a curve is no ruling line
        if raw.FPDFPathSegment_GetClose(seg) and start is not None and start != point:
            e = _edge(point, start, height, number)
            if e:
                out.append(e)
            last = start
    return out


def _objects_edges(raw: Any, count: int, get: Any, outer: Matrix, height: float, number: int,
                   depth: int = 0) -> list[dict[str, Any]]:
    """Edges of the path objects among ``count`` objects, descending into form XObjects."""
    out: list[dict[str, Any]] = []
    for i in range(count):
        obj = get(i)
        if not obj:
            continue
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_PATH:
            out += _path_edges(raw, obj, _multiply(_matrix(raw, obj), outer), height, number)
        elif kind == raw.FPDF_PAGEOBJ_FORM and depth < 8:
            inner = _multiply(_matrix(raw, obj), outer)
            out += _objects_edges(raw, raw.FPDFFormObj_CountObjects(obj),
                                  lambda j, form=obj: raw.FPDFFormObj_GetObject(form, j), inner, height, number,
                                  depth + 1)
    return out


def _chars(raw: Any, textpage: Any, to_display: Matrix, height: float, number: int) -> list[dict[str, Any]]:
    """The page's characters (PDFium's line breaks dropped: pdfplumber finds the lines from the boxes)."""
    out: list[dict[str, Any]] = []
    n = raw.FPDFText_CountChars(textpage)
    ox, oy = ctypes.c_double(), ctypes.c_double()
    box = raw.FS_RECTF()
    m = raw.FS_MATRIX()
    skip = False
    gap = False  # PDFium generated a space since the last character kept, after a Latin one
    for i in range(n):
        if skip:
            skip = False
            continue
        code = raw.FPDFText_GetUnicode(textpage, i)
        if code < 0x20 and code != 0x09 or code in (0xFFFE, 0xFFFF):
            if not raw.FPDFText_IsHyphen(textpage, i):  # line breaks, unmapped glyphs
                continue
            code = 0x2D  # a hyphen ending a line, which PDFium gives as U+0002: as printed
        if 0xD800 <= code < 0xDC00 and i + 1 < n:  # a character beyond the BMP, as two UTF-16 units
            low = raw.FPDFText_GetUnicode(textpage, i + 1)
            if 0xDC00 <= low < 0xE000:
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                skip = True
        text = chr(code)
        if text.isspace():
            if raw.FPDFText_IsGenerated(textpage, i):
                # a space PDFium generates for a gap: between two Latin characters it is the word
                # space of a PDF that draws no space glyphs (Chromium's), kept; next to a CJK character
                # it is dropped, and pdfplumber's gap rule (half the font size) decides, so
                # LibreOffice's CJK/Latin autospace is no word break
                gap = bool(out) and latin(out[-1]["text"])
                continue
            text = " "  # a space glyph of the content ends a word (a tab is no cell separator here)
        if not raw.FPDFText_GetLooseCharBox(textpage, i, box) or not raw.FPDFText_GetMatrix(textpage, i, m):
            continue
        raw.FPDFText_GetCharOrigin(textpage, i, ox, oy)
        size_text = raw.FPDFText_GetFontSize(textpage, i)
        a, b, c, d = m.a, m.b, m.c, m.d
        across, up = math.hypot(a, b), math.hypot(c, d)
        if not size_text or not across or not up:
            continue
        ux, uy, vx, vy = a / across, b / across, c / up, d / up  # the text's x and y directions on the page
        size = up * size_text
        ex, ey = ox.value, oy.value
        # along the text: the extent of PDFium's loose box (its advance); across it: from the baseline up
        # by the font size (pdfminer's box), whatever way the text is turned
        along = [(px - ex) * ux + (py - ey) * uy for px in (box.left, box.right) for py in (box.bottom, box.top)]
        lo, hi = min(along), max(along)
        corners = [(ex + t * ux + h * vx, ey + t * uy + h * vy) for t in (lo, hi) for h in (0.0, size)]
        points = [_apply(to_display, px, py) for px, py in corners]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        x0, x1, top, bottom = min(xs), max(xs), height - max(ys), height - min(ys)
        ta, tb, tc, td = _multiply((a, b, c, d, 0.0, 0.0), to_display)[:4]
        upright = ta * td > 0 and tb * tc <= 0
        char = {"object_type": "char", "text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
                "doctop": top, "width": x1 - x0, "height": bottom - top,
                "size": bottom - top, "upright": upright, "page_number": number}
        if gap and latin(text):
            space = _space_between(out[-1], char)
            if space:
                out.append(space)
        gap = False
        out.append(char)
    return out


def latin(text: str) -> bool:
    """A printable ASCII character: a Latin letter, a digit, a Latin sign (no CJK character, no space)."""
    return "!" <= text <= "~"


def _space_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any] | None:
    """The word space between two characters of one upright line, as a character pdfplumber reads."""
    if not (before["upright"] and after["upright"]) or abs(before["top"] - after["top"]) > before["size"] / 2 \
            or after["x0"] < before["x1"] - before["size"] / 4:
        return None
    x0 = before["x1"]
    x1 = max(x0, after["x0"])
    return {**before, "text": " ", "x0": x0, "x1": x1, "width": x1 - x0}


def read_pages(path: Path) -> list[PageGeometry]:
    """Every page's characters and ruling edges (PDFium raises ``pypdfium2.PdfiumError`` on a PDF it
    cannot open)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pages: list[PageGeometry] = []
    with _LOCK:
        doc = pdfium.PdfDocument(str(path))
        try:
            for number in range(len(doc)):
                page = doc[number]
                try:
                    to_display, width, height = _display(page.get_mediabox(), page.get_rotation() % 360)
                    geometry = PageGeometry(number, width, height)
                    geometry.edges = _objects_edges(raw, raw.FPDFPage_CountObjects(page.raw),
                                                    lambda j, p=page.raw: raw.FPDFPage_GetObject(p, j),
                                                    to_display, height, number)
                    textpage = page.get_textpage()
                    try:
                        geometry.chars = _chars(raw, textpage.raw, to_display, height, number)
                    finally:
                        textpage.close()
                    pages.append(geometry)
                finally:
                    page.close()
        finally:
            doc.close()
    return pages
