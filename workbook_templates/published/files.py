"""The text of a published report from its file: .txt (UTF-8 or GBK), .md, .html/.htm, .docx, .pdf.

Every format becomes lines of cells: one line per paragraph, one cell per table cell (merged cells
once, empty cells kept as empty so positions hold), tab-separated — the shape the label-anchored
parser in published_text reads.  XML and HTML are parsed without entity expansion.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from nianbao.workbook_templates.format.errors import NianbaoError, NotXlsx, UnreadableFile
from nianbao.workbook_templates.format.input_files import MAX_PDF_PAGES, ZIP_ERRORS, check_zip, read_input

EMPTY = "\x1f"  # an empty table cell (kept so the cells after it keep their places)
TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")


_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))  # UTF-32 first: FF FE 00 00 starts like UTF-16


def _decode(raw: bytes, name: str) -> str:
    for bom, encoding in _BOMS:  # Windows Notepad's "Unicode": the BOM says how to read it
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise UnreadableFile(f"{name} 以 {encoding.upper()} 标记开头，但内容不是有效的 {encoding.upper()} 文本。",
                                     f"{name} starts with a {encoding} byte-order mark but is not valid {encoding}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(f"{name} 不是 UTF-8 或 GBK 编码的文本。", f"{name} is neither UTF-8 nor GBK text")


def _markdown(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        s = line.strip()
        if s.startswith("|"):
            cells = [c.strip() for c in s.strip("|").split("|")]
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
                continue
            cells = [c.replace("\\", "") for c in cells]
            cells[0] = cells[0].rsplit("·", 1)[-1]  # a flattened row label: 三、本年度办理结果·（一）予以公开
            lines.append("\t".join(c or EMPTY for c in cells))
        else:
            lines.append(re.sub(r"^#+\s*|\*\*|\\", "", s))
    return "\n".join(lines)


class _Html(HTMLParser):
    BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "caption", "section", "article",
              "table", "title", "figcaption"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.cells: list[str] | None = None
        self.cell: list[str] | None = None
        self.skip = 0

    def flush(self) -> None:
        text = "".join(self.current).strip()
        if text:
            self.lines.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript"):
            self.skip += 1
        elif tag == "tr":
            self.flush()
            self.cells = []
        elif tag in ("td", "th") and self.cells is not None:
            self.cell = []
        elif tag in self.BLOCKS:
            self.flush()

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("td", "th") and self.cell is not None and self.cells is not None:
            self.cells.append(re.sub(r"\s+", "", "".join(self.cell)) or EMPTY)
            self.cell = None
        elif tag == "tr" and self.cells is not None:
            if any(c != EMPTY for c in self.cells):
                self.lines.append("\t".join(self.cells))
            self.cells = None
        elif tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data):
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        else:
            self.current.append(data)


def _html(text: str) -> str:
    p = _Html()
    p.feed(text)
    p.close()
    p.flush()
    return "\n".join(p.lines)


def _docx(path: Path, raw: bytes) -> str:
    from docx import Document
    from docx.oxml.ns import qn

    damaged = (f"{path.name} 已损坏或不是 Word 文档（.docx）。", f"{path.name} is not a readable .docx")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            check_zip(z, path.name)  # parts that would unpack to too much are refused before python-docx
    except ZIP_ERRORS as e:
        raise UnreadableFile(*damaged) from e
    try:
        doc = Document(io.BytesIO(raw))
    except Exception as e:  # python-docx raises its own PackageNotFoundError, zipfile errors, KeyError …
        raise UnreadableFile(*damaged) from e
    lines = []
    for block in doc.element.body.iterchildren():
        if block.tag == qn("w:p"):
            lines.append("".join((t.text or "") if t.tag == qn("w:t") else "\t"
                                 for t in block.iter(qn("w:t"), qn("w:tab"))))
        elif block.tag == qn("w:tbl"):
            for tr in block.iter(qn("w:tr")):
                cells = []
                for tc in tr.iterchildren(qn("w:tc")):
                    vmerge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
                    if vmerge is not None and vmerge.get(qn("w:val")) in (None, "continue"):
                        continue  # the continuation of a vertically merged cell
                    paragraphs = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))]
                    cells.append(re.sub(r"\s+", "", "".join(paragraphs)) or EMPTY)
                lines.append("\t".join(cells))
    return "\n".join(lines)


def _pdf(path: Path, raw: bytes) -> str:
    """A PDF's text layer: ruled tables read by geometry (pdf_tables), the rest as paragraphs."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PyPdfError

    from nianbao.workbook_templates.published.pdf_tables import pdf_lines

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise UnreadableFile(f"{path.name} 设置了密码，无法读取。", f"{path.name} is encrypted")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise UnreadableFile(f"{path.name} 有 {len(reader.pages)} 页（超过 {MAX_PDF_PAGES} 页），不像是一份年报，拒绝读取。",
                                 f"{path.name} has more than {MAX_PDF_PAGES} pages")
        for page in reader.pages:  # every stream inflated once under pypdf's limit, before pdfminer sees it
            page.get_contents()
    except LimitReachedError as e:  # a stream that would inflate past pypdf's limit (a PDF bomb)
        raise UnreadableFile(f"{path.name} 中的内容解压后过大，拒绝读取。", f"{path.name} inflates too much: {e}") from e
    except (PyPdfError, ValueError, OSError, KeyError, TypeError, AttributeError, RecursionError) as e:
        raise UnreadableFile(f"{path.name} 已损坏，不是可读的 PDF。", f"{path.name} is not a readable PDF: {e}") from e
    try:
        lines = pdf_lines(path, EMPTY)
    except NianbaoError:
        raise
    except Exception as e:  # pdfminer raises its own syntax errors, struct errors, KeyError …
        raise UnreadableFile(f"{path.name} 已损坏，不是可读的 PDF。", f"{path.name} is not a readable PDF: {e}") from e
    text = "\n".join(lines)
    if len(re.sub(r"\s", "", text.replace(EMPTY, ""))) < 20:
        raise UnreadableFile(f"{path.name} 没有文字层（可能是扫描件或图片），无法读取数字。请先用 OCR 转成文字，再导入。",
                             f"{path.name} has no text layer (a scan?)")
    return text


def read_text(path: Path) -> str:
    """The report's text as lines of tab-separated cells."""
    suffix = path.suffix.lower()
    raw = read_input(path)  # a regular file, within the byte limit of its kind
    if suffix == ".docx":
        return _docx(path, raw)
    if suffix == ".pdf":
        if not raw.startswith(b"%PDF"):
            raise NotXlsx(f"{path.name} 不是 PDF 文件。", f"{path.name} is not a PDF")
        return _pdf(path, raw)
    if raw[:4] == b"PK\x03\x04" or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise NotXlsx(f"{path.name} 是二进制文件，不是 {suffix} 文本。", f"{path.name} is binary, not {suffix} text")
    text = _decode(raw, path.name)
    if suffix in (".html", ".htm"):
        return _html(text)
    if suffix == ".md":
        return _markdown(text)
    return html.unescape(text) if "&#" in text else text


__all__ = ["read_text", "EMPTY", "TEXT_SUFFIXES", "NianbaoError"]
