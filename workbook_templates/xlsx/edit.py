"""Surgical edits of an .xlsx package: change only the XML we own, keep everything else.

A workbook that comes back from a person may hold images, comments, charts, extra sheets and
Excel/WPS extensions that openpyxl would drop on save.  ``PackageEditor`` therefore never
round-trips the workbook through a spreadsheet library: it rewrites only the parts it changes
(a sheet's cells, a defined name, one conditional format, a sheet it owns), with lxml, which
keeps namespace prefixes and unknown markup as they were; every other part is copied as it was.
The result is written atomically (safe_write).
"""

from __future__ import annotations

import copy
import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lxml import etree

from nianbao.workbook_templates.xlsx.cellrefs import absolute, column_index, parse_target, quote_sheet, split
from nianbao.workbook_templates.format.errors import CorruptWorkbook
from nianbao.workbook_templates.format.input_files import ZIP_ERRORS
from nianbao.workbook_templates.format.sanitise import xml_text
from nianbao.workbook_templates.xlsx.safe_write import Written, write_atomic
from nianbao.workbook_templates.xlsx.package import XlsxPackage

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# Strict Open XML (Excel's "Strict Open XML Spreadsheet" save option) names the same markup with
# other namespaces: the parts we edit are read as Transitional and written back as Strict.
_STRICT = ((NS.encode(), b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
           (R_NS.encode(), b"http://purl.oclc.org/ooxml/officeDocument/relationships"))
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)

# Child order of <worksheet> (ECMA-376 Part 1, CT_Worksheet): new elements go in their place.
_WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
    "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
    "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
    "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
    "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
    "extLst",
)


def _write_deflated(z: zipfile.ZipFile, info: zipfile.ZipInfo, deflated: bytes, crc: int, size: int) -> None:
    """Write a member already deflated: the bytes ``ZipFile.writestr(info, data)`` writes for a
    seekable file, without compressing the data again."""
    zinfo = copy.copy(info)
    zinfo.compress_type = zipfile.ZIP_DEFLATED
    zinfo.file_size, zinfo.compress_size, zinfo.CRC, zinfo.flag_bits = size, len(deflated), crc, 0
    z.fp.seek(z.start_dir)  # type: ignore[union-attr]
    zinfo.header_offset = z.fp.tell()  # type: ignore[union-attr]
    z._writecheck(zinfo)  # type: ignore[attr-defined]
    z._didModify = True  # type: ignore[attr-defined]
    z.fp.write(zinfo.FileHeader(False))  # type: ignore[union-attr]
    z.fp.write(deflated)  # type: ignore[union-attr]
    z.filelist.append(zinfo)
    z.NameToInfo[zinfo.filename] = zinfo
    z.start_dir = z.fp.tell()  # type: ignore[union-attr]


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def insert_in_order(parent: etree._Element, child: etree._Element, order: tuple[str, ...]) -> None:
    """Insert ``child`` after the last sibling that must precede it."""
    rank = order.index(_local(child.tag))
    pos = 0
    for i, el in enumerate(parent):
        name = _local(el.tag)
        if name in order and order.index(name) <= rank:
            pos = i + 1
    parent.insert(pos, child)


class PackageEditor:
    """Load a package, edit a few parts, save atomically; untouched parts stay as they were."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with XlsxPackage(self.path) as pkg:  # classifies bad input with the reader's messages
            self.sheet_parts = {name: sh.part for name, sh in pkg.sheets.items()}
            raw = pkg.raw
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as z:
                self._infos = z.infolist()
                self._data = {i.filename: z.read(i) for i in self._infos}
        except ZIP_ERRORS as e:
            raise CorruptWorkbook(f"{self.path.name} 已损坏，无法改写。", f"{self.path.name} is damaged: {e}") from e
        self._trees: dict[str, etree._Element] = {}
        self._compressed: dict[str, tuple[bytes, int, int]] = {}  # unchanged parts deflated: shared by copies
        self.strict = _STRICT[0][1] in self._data.get("xl/workbook.xml", b"")

    # -- parts ---------------------------------------------------------------------------

    def xml(self, part: str) -> etree._Element:
        if part not in self._trees:
            try:
                raw = self._data[part]
                if self.strict:
                    for transitional, strict in _STRICT:
                        raw = raw.replace(strict, transitional)
                self._trees[part] = etree.fromstring(raw, _PARSER)
            except (KeyError, etree.XMLSyntaxError) as e:
                raise CorruptWorkbook(f"{self.path.name} 的 {part} 缺失或已损坏。", f"{part} is missing or damaged: {e}") from e
        return self._trees[part]

    def sheet(self, name: str) -> etree._Element:
        return self.xml(self.sheet_parts[name])

    @property
    def workbook(self) -> etree._Element:
        return self.xml("xl/workbook.xml")

    # -- cells ---------------------------------------------------------------------------

    def _cell(self, sheet: str, ref: str, create: bool = True) -> etree._Element | None:
        root = self.sheet(sheet)
        data = root.find(q("sheetData"))
        if data is None:
            data = etree.Element(q("sheetData"))
            insert_in_order(root, data, _WORKSHEET_ORDER)
        letters, row_no = split(ref)
        row = None
        for r in data.findall(q("row")):
            rn = int(r.get("r", "0"))
            if rn == row_no:
                row = r
                break
            if rn > row_no:
                if not create:
                    return None
                row = etree.Element(q("row"), r=str(row_no))
                r.addprevious(row)
                break
        if row is None:
            if not create:
                return None
            row = etree.SubElement(data, q("row"), r=str(row_no))
        col = column_index(letters)
        for c in row.findall(q("c")):
            r = c.get("r")
            if r == ref:
                return c
            if r and column_index(split(r)[0]) > col:
                if not create:
                    return None
                new = etree.Element(q("c"), r=ref)
                c.addprevious(new)
                return new
        if not create:
            return None
        return etree.SubElement(row, q("c"), r=ref)

    def has_cell(self, sheet: str, ref: str) -> bool:
        return self._cell(sheet, ref, create=False) is not None

    def set_value(self, sheet: str, ref: str, value: str | int | float | None) -> None:
        """Set a cell's value, keeping its style; strings are inline (never formulas)."""
        c = self._cell(sheet, ref)
        assert c is not None
        for child in list(c):
            if _local(child.tag) in ("v", "f", "is"):
                c.remove(child)
        c.attrib.pop("t", None)
        if value is None:
            return
        if isinstance(value, str):
            value = xml_text(value)
            c.set("t", "inlineStr")
            t = etree.SubElement(etree.SubElement(c, q("is")), q("t"))
            t.text = value
            if value != value.strip() or "\n" in value:
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        else:
            etree.SubElement(c, q("v")).text = repr(value) if isinstance(value, float) else str(value)

    def strip_cached_values(self, sheet: str) -> None:
        """Drop the cached results of every formula of a sheet (they are recomputed on open)."""
        for c in self.sheet(sheet).iter(q("c")):
            if c.find(q("f")) is not None:
                for v in c.findall(q("v")):
                    c.remove(v)
                c.attrib.pop("t", None)
        self.recalculate_on_open()

    def recalculate_on_open(self) -> None:
        wb = self.workbook
        calc = wb.find(q("calcPr"))
        if calc is None:
            calc = etree.Element(q("calcPr"), calcId="191029")
            order = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
                     "functionGroups", "externalReferences", "definedNames", "calcPr")
            insert_in_order(wb, calc, order)
        calc.set("fullCalcOnLoad", "1")

    # -- names ---------------------------------------------------------------------------

    def name_target(self, name: str) -> tuple[str, str] | None:
        for dn in self.workbook.iter(q("definedName")):
            if dn.get("name") == name and dn.get("localSheetId") is None:
                return parse_target(dn.text or "")
        return None

    def set_name(self, name: str, sheet: str, ref: str) -> None:
        text = f"{quote_sheet(sheet)}!{absolute(ref)}"
        names = self.workbook.find(q("definedNames"))
        if names is None:
            names = etree.Element(q("definedNames"))
            insert_in_order(self.workbook, names, ("fileVersion", "fileSharing", "workbookPr", "workbookProtection",
                                                   "bookViews", "sheets", "functionGroups", "externalReferences",
                                                   "definedNames"))
        for dn in names.findall(q("definedName")):
            if dn.get("name") == name and dn.get("localSheetId") is None:
                dn.text = text
                return
        etree.SubElement(names, q("definedName"), name=name).text = text

    def rename_sheet(self, old: str, new: str) -> None:
        for el in self.workbook.find(q("sheets")):
            if el.get("name") == old:
                el.set("name", new)
                self.sheet_parts[new] = self.sheet_parts.pop(old)
                return
        raise KeyError(old)

    # -- sheets we own -------------------------------------------------------------------

    def put_sheet(self, name: str, root: etree._Element) -> None:
        """Replace the sheet ``name`` with ``root``, or add it as the last sheet."""
        if name in self.sheet_parts:
            self._trees[self.sheet_parts[name]] = root
            return
        rels_part = "xl/_rels/workbook.xml.rels"
        rels = self.xml(rels_part)
        used = {posixpath.basename(p) for p in self._data} | {posixpath.basename(p) for p in self._trees}
        n = 1
        while f"sheet{n}.xml" in used:
            n += 1
        part = f"xl/worksheets/sheet{n}.xml"
        ids = {r.get("Id") for r in rels}
        k = 1
        while f"rId{k}" in ids:
            k += 1
        etree.SubElement(rels, f"{{{PKG_REL_NS}}}Relationship", Id=f"rId{k}", Type=WORKSHEET_TYPE,
                         Target=f"worksheets/sheet{n}.xml")
        sheets = self.workbook.find(q("sheets"))
        sheet_id = max((int(s.get("sheetId", "0")) for s in sheets), default=0) + 1
        el = etree.SubElement(sheets, q("sheet"), name=name, sheetId=str(sheet_id))
        el.set(f"{{{R_NS}}}id", f"rId{k}")
        ct = self.xml("[Content_Types].xml")
        etree.SubElement(ct, f"{{{CT_NS}}}Override", PartName=f"/{part}", ContentType=WORKSHEET_CT)
        self._trees[part] = root
        self.sheet_parts[name] = part

    # -- styles --------------------------------------------------------------------------

    def ensure_dxf(self, fill_rgb: str, font_rgb: str) -> int:
        """The index of a differential format with this fill and font colour (added if new)."""
        styles = self.xml("xl/styles.xml")
        dxfs = styles.find(q("dxfs"))
        if dxfs is None:
            dxfs = etree.Element(q("dxfs"), count="0")
            order = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs")
            insert_in_order(styles, dxfs, order)
        want = (f'<dxf xmlns="{NS}"><font><b val="1"/><color rgb="FF{font_rgb}"/></font>'
                f'<fill><patternFill patternType="solid"><bgColor rgb="FF{fill_rgb}"/></patternFill></fill></dxf>')
        canon = etree.tostring(etree.fromstring(want), method="c14n", exclusive=True)
        for i, dxf in enumerate(dxfs.findall(q("dxf"))):
            if etree.tostring(dxf, method="c14n", exclusive=True) == canon:
                return i
        dxfs.append(etree.fromstring(want))
        dxfs.set("count", str(len(dxfs.findall(q("dxf")))))
        return len(dxfs.findall(q("dxf"))) - 1

    def ensure_text_xf(self, *, bold: bool) -> int:
        """The index of a cell format with wrapped, top-aligned text, bold or not (added if new)."""
        styles = self.xml("xl/styles.xml")
        fonts = styles.find(q("fonts"))
        xfs = styles.find(q("cellXfs"))
        if fonts is None or xfs is None:
            return 0
        b = '<b val="1"/>' if bold else ""
        font = etree.fromstring(f'<font xmlns="{NS}">{b}<sz val="11"/></font>')
        canon = etree.tostring(font, method="c14n", exclusive=True)
        font_id = next((i for i, f in enumerate(fonts.findall(q("font")))
                        if etree.tostring(f, method="c14n", exclusive=True) == canon), None)
        if font_id is None:
            fonts.append(font)
            font_id = len(fonts.findall(q("font"))) - 1
            fonts.set("count", str(font_id + 1))
        for i, xf in enumerate(xfs.findall(q("xf"))):
            al = xf.find(q("alignment"))
            if (xf.get("fontId") == str(font_id) and xf.get("applyAlignment") == "1" and al is not None
                    and al.get("wrapText") == "1" and al.get("vertical") == "top"):
                return i
        xf = etree.SubElement(xfs, q("xf"), numFmtId="0", fontId=str(font_id), fillId="0", borderId="0",
                              xfId="0", applyFont="1", applyAlignment="1")
        etree.SubElement(xf, q("alignment"), wrapText="1", vertical="top")
        xfs.set("count", str(len(xfs.findall(q("xf")))))
        return len(xfs.findall(q("xf"))) - 1

    # -- marks (conditional formats we own, found again by their formula) -----------------

    def has_rule(self, sheet: str, formula: str) -> bool:
        return any((f.text or "") == formula for f in self.sheet(sheet).iter(q("formula")))

    def set_rule(self, sheet: str, formula: str, refs: Iterable[str], dxf_id: int, *,
                 remove: Iterable[str] = ()) -> None:
        """Put one conditional format (``formula``, style ``dxf_id``) over ``refs``, replacing any
        of ours with the same formula or one of ``remove`` (an older form of the mark)."""
        root = self.sheet(sheet)
        drop = {formula, *remove}
        for cf in root.findall(q("conditionalFormatting")):
            if any((f.text or "") in drop for f in cf.iter(q("formula"))):
                root.remove(cf)
        refs = sorted(set(refs), key=lambda r: (split(r.split(":")[0])[1], column_index(split(r.split(":")[0])[0])))
        if not refs:
            return
        priorities = [int(r.get("priority", "0")) for r in root.iter(q("cfRule"))]
        cf = etree.Element(q("conditionalFormatting"), sqref=" ".join(refs))
        rule = etree.SubElement(cf, q("cfRule"), type="expression", dxfId=str(dxf_id),
                                priority=str(max(priorities, default=0) + 1), stopIfTrue="1")
        etree.SubElement(rule, q("formula")).text = formula
        insert_in_order(root, cf, _WORKSHEET_ORDER)

    # -- saving --------------------------------------------------------------------------

    def _bytes(self, part: str) -> bytes:
        if part not in self._trees:
            return self._data[part]
        raw = etree.tostring(self._trees[part], xml_declaration=True, encoding="UTF-8", standalone=True)
        if self.strict:
            for transitional, strict in _STRICT:
                raw = raw.replace(transitional, strict)
        return raw

    def save(self, target: str | Path | None = None, *, backup: bool = True) -> Written:
        """Write the package atomically (to the same file by default), by the overwrite policy."""
        parts = [i.filename for i in self._infos]
        parts += [p for p in self._trees if p not in self._data]

        def write(fh: Any) -> None:
            with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as z:
                for info in self._infos:
                    if info.filename in self._trees or info.compress_type != zipfile.ZIP_DEFLATED:
                        z.writestr(info, self._bytes(info.filename), compress_type=info.compress_type)
                    else:
                        _write_deflated(z, info, *self._deflated(info.filename))
                for part in parts[len(self._infos):]:
                    z.writestr(part, self._bytes(part))

        return write_atomic(target or self.path, write, backup=backup)

    def _deflated(self, part: str) -> tuple[bytes, int, int]:
        """An unchanged part as zipfile would deflate it (compressed once, then kept: a copy of the
        editor — distribute's clones — writes it as it is), its CRC and its size."""
        got = self._compressed.get(part)
        if got is None:
            data = self._data[part]
            deflate = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)  # zipfile's own settings
            got = self._compressed[part] = (deflate.compress(data) + deflate.flush(), zlib.crc32(data), len(data))
        return got

