"""The reference .docx: page, styles and page numbers of GB/T 9704-2012, in one place.

The .docx renderer only names styles; everything about the look comes from the reference
document, which users may replace (``--reference-docx``).  The bundled ``reference.docx`` is
built by ``build_reference()`` (``nianbao reference-docx``) and a test keeps it equal to a fresh
build.

Style names: Normal (正文, 3号仿宋, fixed 28.95 pt lines, first line indented two characters),
Title (2号小标宋), Heading 1 (黑体), Heading 2 (楷体), 表格文字, 图片, 题注.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

if TYPE_CHECKING:
    from nianbao.workbook_templates.xlsx.safe_write import Written

REFERENCE = Path(__file__).resolve().parent / "reference.docx"

FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
XIAOBIAOSONG = "方正小标宋简体"
LATIN = "Times New Roman"

TABLE_TEXT = "表格文字"
PICTURE = "图片"
CAPTION = "题注"
LINE = Twips(579)  # 28.95 pt: 22 lines in the 225 mm 版心


def set_fonts(element_owner, east_asia: str, latin: str = LATIN) -> None:
    """Fonts through w:rFonts, with the Chinese name in w:eastAsia (python-docx's font.name
    writes only ascii/hAnsi)."""
    rpr = element_owner._element.get_or_add_rPr()
    rf = rpr.get_or_add_rFonts()
    for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rf.attrib.pop(qn(a), None)
    for a in ("w:ascii", "w:hAnsi", "w:cs"):
        rf.set(qn(a), latin)
    rf.set(qn("w:eastAsia"), east_asia)
    rf.set(qn("w:hint"), "eastAsia")


def _doc_defaults(doc: DocumentType) -> None:
    """Replace python-docx's default theme fonts and ja-JP language (issue #1601)."""
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rf = rpr_default.find(qn("w:rFonts"))
    if rf is None:
        rf = OxmlElement("w:rFonts")
        rpr_default.insert(0, rf)
    for a in list(rf.attrib):
        del rf.attrib[a]
    for a, v in (("w:ascii", LATIN), ("w:hAnsi", LATIN), ("w:cs", LATIN), ("w:eastAsia", FANGSONG)):
        rf.set(qn(a), v)
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    settings = doc.settings.element
    tfl = settings.find(qn("w:themeFontLang"))
    if tfl is not None:
        tfl.set(qn("w:eastAsia"), "zh-CN")


def _paragraph(style, *, size: float, east_asia: str, latin: str = LATIN, align=None, first_line_chars: int = 0,
               line=LINE, bold: bool = False, spacing: int | None = None) -> None:
    set_fonts(style, east_asia, latin)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    pf = style.paragraph_format
    if line is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = line
    pf.space_before = pf.space_after = Pt(0)
    pf.widow_control = False
    if align is not None:
        pf.alignment = align
    ind = style.element.get_or_add_pPr().get_or_add_ind()
    for a in ("w:firstLineChars", "w:firstLine", "w:left", "w:leftChars"):
        ind.attrib.pop(qn(a), None)
    ind.set(qn("w:firstLineChars"), str(first_line_chars * 100))  # explicit 0: not Normal's two characters
    ind.set(qn("w:firstLine"), str(int(first_line_chars * size * 20)))
    if spacing is not None:  # character spacing in twentieths of a point, before w:sz
        rpr = style.element.get_or_add_rPr()
        sp = rpr.find(qn("w:spacing"))
        if sp is None:
            sp = OxmlElement("w:spacing")
            sz = rpr.find(qn("w:sz"))
            if sz is not None:
                sz.addprevious(sp)
            else:
                rpr.append(sp)
        sp.set(qn("w:val"), str(spacing))


def _style(doc: DocumentType, name: str):
    try:
        return doc.styles[name]
    except KeyError:
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = doc.styles["Normal"]
        st.quick_style = True
        return st


def _page_number(paragraph, right: bool) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    pf = paragraph.paragraph_format
    pf.first_line_indent = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if right:
        pf.right_indent = Pt(14)  # 右空一字
    else:
        pf.left_indent = Pt(14)  # 左空一字
    for text in ("— ", None, " —"):
        run = paragraph.add_run(text or "")
        set_fonts(run, SONGTI, SONGTI)
        run.font.size = Pt(14)
        if text is None:
            for kind, instr in (("begin", None), (None, " PAGE "), ("separate", None), (None, None), ("end", None)):
                if kind:
                    fc = OxmlElement("w:fldChar")
                    fc.set(qn("w:fldCharType"), kind)
                    run._r.append(fc)
                elif instr:
                    it = OxmlElement("w:instrText")
                    it.set(qn("xml:space"), "preserve")
                    it.text = instr
                    run._r.append(it)
                else:
                    t = OxmlElement("w:t")
                    t.text = "1"
                    run._r.append(t)


def build_reference() -> DocumentType:
    doc = Document()
    _doc_defaults(doc)
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    s.header_distance, s.footer_distance = Mm(15), Mm(23)
    styles = doc.styles
    # Left-aligned, not justified: with −0.25 pt a line holds exactly 28 characters, so a line of
    # Chinese fills the 版心 either way; a line that ends before a figure that cannot break
    # ("占15.68%；") stays short instead of stretching every gap between its characters.
    _paragraph(styles["Normal"], size=16, east_asia=FANGSONG, align=WD_ALIGN_PARAGRAPH.LEFT, first_line_chars=2,
               spacing=-5)
    _paragraph(styles["Title"], size=22, east_asia=XIAOBIAOSONG, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(35),
               spacing=0)
    styles["Title"].paragraph_format.space_after = Pt(29)
    pbdr = styles["Title"].element.get_or_add_pPr().find(qn("w:pBdr"))
    if pbdr is not None:  # python-docx's Title has a rule under it; an official title has none
        pbdr.getparent().remove(pbdr)
    for name, font in (("Heading 1", HEITI), ("Heading 2", KAITI)):
        _paragraph(styles[name], size=16, east_asia=font, first_line_chars=2, align=WD_ALIGN_PARAGRAPH.LEFT)
        styles[name].paragraph_format.keep_with_next = True
    _paragraph(_style(doc, TABLE_TEXT), size=10.5, east_asia=FANGSONG, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(14),
               spacing=0)
    _paragraph(_style(doc, PICTURE), size=16, east_asia=FANGSONG, align=WD_ALIGN_PARAGRAPH.CENTER, line=None,
               spacing=0)
    _style(doc, PICTURE).paragraph_format.keep_with_next = True
    _paragraph(_style(doc, CAPTION), size=12, east_asia=FANGSONG, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(20),
               spacing=0)
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, right in ((s.footer, True), (s.even_page_footer, False)):
        footer.is_linked_to_previous = False
        _page_number(footer.paragraphs[0], right)
    doc.core_properties.author = "nianbao"
    doc.core_properties.title = "政府信息公开工作年度报告"
    return doc


def write_reference(path: Path) -> Written:
    """The reference .docx at ``path`` (a person's edited copy there is kept as a backup)."""
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic

    return write_atomic(path, build_reference().save)
