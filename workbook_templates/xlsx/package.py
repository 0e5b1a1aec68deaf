"""Fast, safe reading of an .xlsx package: defined names, cell values, formulas, protection.

Reading a filled workbook is the hot path of batch work, so this goes straight to the XML
inside the zip (DESIGN.md "Performance"): one pass over the sheets our names point to, nothing
else.  It gives what python-calamine cannot: formulas next to their cached values, defined
names, sheet protection.  XML is parsed with defusedxml (no entity expansion, no DTDs).

Every return of one template has the same xl/workbook.xml names, so what that part says (sheets,
defined names, date system) is parsed once per distinct part and kept (``WorkbookPart``, keyed by
the part's own bytes — the exact content, not a digest that could collide); sheets and shared
strings in the plain form every writer produces are scanned, not built into trees
(``plain_xml``), and anything else is read the general way, with the same result.

It also tells bad input apart, each with its own error class: not a file, an old or foreign
format, a workbook with an open password, a broken zip, a zip that is not a workbook.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, NamedTuple

from defusedxml import ElementTree as SafeET

from nianbao.workbook_templates.xlsx import plain_xml
from nianbao.workbook_templates.xlsx.cellrefs import column_index, column_letter, parse_target, split
from nianbao.workbook_templates.format.errors import CorruptWorkbook, Encrypted, NotXlsx, OldFormat
from nianbao.workbook_templates.format.input_files import MAX_PART_BYTES, ZIP_ERRORS, check_zip, read_input


@lru_cache(maxsize=1)
def _sheet_parser() -> Any:
    """lxml's parser for a sheet not in the plain form (imported when one comes: 6 ms at start-up)."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True, remove_pis=True)


_CELL_REF = re.compile(r"\$?[A-Z]{1,3}\$?[0-9]{1,7}")
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384  # the last cell of a worksheet: XFD1048576
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SAVE_AS = "请用 Excel 或 WPS 打开后“另存为”→“Excel 工作簿（*.xlsx）”，再重试。"
_SAVE_AS_EN = "open it in Excel or WPS and save it as an Excel workbook (.xlsx), then try again"


class Cell(NamedTuple):  # a tuple: made for every value of every return, so made cheaply
    value: str | float | bool | None  # shared/inline strings resolved; numbers as float
    formula: str | None = None  # formula text without '=' (None: a constant or blank)
    error: str | None = None  # '#REF!' and the like


@dataclass
class Sheet:
    name: str
    part: str
    state: str = "visible"
    protected: bool = False
    cells: dict[str, Cell] = field(default_factory=dict)  # converted on first use
    elements: dict[str, object] = field(default_factory=dict)  # ref -> the <c> element (or its plain bytes)
    plain: bool = False  # every element is its plain bytes (``plain_xml.scan_sheet``)


@dataclass
class WorkbookPart:
    """What xl/workbook.xml and its relationships say, parsed once per distinct part: the sheets
    (name, part, state), the workbook-scope names, the date system.  Shared by every package with
    the same part: never changed after it is made (``sound`` is set as it is made), except for
    the two memos below."""

    sheets: tuple[tuple[str, str, str], ...]
    names: dict[str, str]
    date1904: bool
    targets: dict[str, tuple[str, str] | None] = field(default_factory=dict)  # name -> parsed target
    memo: dict[str, Any] = field(default_factory=dict)  # what a reader derives from the names alone
    sound: bool = False  # its slices checked well-formed on their own (``_read_workbook``)


_WORKBOOK_PARTS: OrderedDict[tuple[bytes, bytes | None], WorkbookPart] = OrderedDict()
WORKBOOK_PARTS_KEPT = 64  # distinct templates (and writers) in one batch: a handful


def _skeleton_sound(raw: bytes, spans: list[tuple[int, int]]) -> bool:
    """The part is well-formed, known from its skeleton alone: its slices are those of a part
    read before, each well-formed on its own (``plain_xml.skeleton`` says why that suffices)."""
    bones = plain_xml.skeleton(raw, spans)
    return bones is not None and plain_xml.well_formed(bones) is None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sniff(path: Path, raw: bytes) -> None:
    """Raise the specific error for a file that is not an .xlsx/.xlsm zip."""
    suffix = path.suffix.lower()
    head = raw[:8]
    if not head:
        raise NotXlsx(f"文件是空的：{path.name}", f"the file is empty: {path.name}")
    if head.startswith(_OLE_MAGIC):
        blob = raw[: 4 * 1024 * 1024]
        if "EncryptionInfo".encode("utf-16-le") in blob or "EncryptedPackage".encode("utf-16-le") in blob:
            raise Encrypted(
                f"{path.name} 设置了打开密码，无法读取。请在 Excel/WPS 中取消密码（文件→信息→保护工作簿）后另存，再重试。",
                f"{path.name} is password-protected; remove the open password and save it again",
            )
        kind = "WPS 表格（.et）" if suffix in (".et", ".ett") else "旧版 Excel（.xls）"
        raise OldFormat(f"{path.name} 是{kind}文件，本工具只读 .xlsx。{_SAVE_AS}",
                        f"{path.name} is an old binary workbook; {_SAVE_AS_EN}")
    if head.startswith(b"%PDF"):
        raise NotXlsx(f"{path.name} 是 PDF 文件，不是 Excel 工作簿。",
                      f"{path.name} is a PDF, not an Excel workbook")
    raise NotXlsx(f"{path.name} 不是 Excel 工作簿（.xlsx）。", f"{path.name} is not an Excel workbook (.xlsx)")


class XlsxPackage:
    """An opened .xlsx/.xlsm: workbook-scope defined names and lazily parsed sheets.

    ``plain=False`` reads every part the general way and keeps nothing (for tests that hold the
    two ways equal)."""

    def __init__(self, path: str | Path, *, plain: bool = True) -> None:
        self.path = Path(path)
        self.plain = plain
        self.raw = read_input(self.path)  # a regular file, within its byte limit
        head = self.raw[:8]
        if not head.startswith(b"PK"):
            _sniff(self.path, self.raw)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(self.raw))
        except ZIP_ERRORS as e:
            raise CorruptWorkbook(
                f"{self.path.name} 已损坏（不是完整的 zip 压缩包），无法读取。请找回原文件或重新保存。",
                f"{self.path.name} is damaged (not a complete zip archive): {e}",
            ) from e
        check_zip(self._zip, self.path.name)  # too many parts, or too large unpacked
        members = set(self._zip.namelist())
        if "xl/workbook.xml" not in members:
            if "xl/workbook.bin" in members:
                raise OldFormat(f"{self.path.name} 是二进制工作簿（.xlsb）。{_SAVE_AS}",
                                f"{self.path.name} is a binary workbook (.xlsb); {_SAVE_AS_EN}")
            if "content.xml" in members and "mimetype" in members:
                raise OldFormat(f"{self.path.name} 是 OpenDocument 表格（.ods）。{_SAVE_AS}",
                                f"{self.path.name} is an OpenDocument spreadsheet (.ods); {_SAVE_AS_EN}")
            if "word/document.xml" in members:
                raise NotXlsx(f"{self.path.name} 是 Word 文档，不是 Excel 工作簿。",
                              f"{self.path.name} is a Word document, not a workbook")
            raise CorruptWorkbook(f"{self.path.name} 不是完整的 Excel 工作簿（缺少 xl/workbook.xml）。",
                                  f"{self.path.name} lacks xl/workbook.xml")
        self._members = members
        self._shared: list[str] | plain_xml.SharedStrings | None = None
        self._parsed: set[str] = set()
        self.part = self._read_workbook()
        self.names = self.part.names  # workbook-scope name -> target text (shared: read only)
        self.date1904 = self.part.date1904
        self.sheets: dict[str, Sheet] = {name: Sheet(name, part, state) for name, part, state in self.part.sheets}

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> XlsxPackage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- parts ----------------------------------------------------------------------------

    def _info(self, part: str) -> zipfile.ZipInfo:
        try:
            info = self._zip.getinfo(part)
        except KeyError:
            raise CorruptWorkbook(f"{self.path.name} 缺少部件 {part}，文件已损坏。",
                                  f"{self.path.name} lacks the part {part}") from None
        if info.file_size > MAX_PART_BYTES:
            raise CorruptWorkbook(
                f"{self.path.name} 中的 {part} 解压后过大（{info.file_size // 2**20} MB），拒绝读取。",
                f"{part} in {self.path.name} is too large when unpacked ({info.file_size} bytes)",
            )
        return info

    def _open(self, part: str) -> IO[bytes]:
        return self._zip.open(self._info(part))

    def _read(self, part: str) -> bytes:
        info = self._info(part)
        found = _inflated(self.raw, info)
        if found is not None:
            return found
        try:
            with self._zip.open(info) as fh:
                return fh.read()
        except ZIP_ERRORS as e:
            raise self._damaged(part, e) from e

    def _damaged(self, part: str, why: object) -> CorruptWorkbook:
        return CorruptWorkbook(f"{self.path.name} 的 {part} 已损坏，无法读取。", f"{part} in {self.path.name} is damaged: {why}")

    def _parse(self, part: str, raw: bytes | None = None):
        try:
            if raw is not None:
                return SafeET.fromstring(raw)
            with self._open(part) as fh:
                return SafeET.parse(fh).getroot()
        except (SafeET.ParseError, *ZIP_ERRORS) as e:
            raise self._damaged(part, e) from e
        except Exception as e:  # defusedxml's DTD/entity refusals
            if type(e).__module__.startswith("defusedxml"):
                raise CorruptWorkbook(f"{self.path.name} 的 {part} 含有不安全的 XML（实体/DTD），拒绝读取。",
                                      f"{part} in {self.path.name} holds unsafe XML: {e}") from e
            raise

    def _read_workbook(self) -> WorkbookPart:
        """The workbook part: from the cache when a part with the same sheets, names and date
        system (and the same relationships) was read before — its well-formedness is checked all
        the same — else parsed."""
        raw = self._read("xl/workbook.xml")
        rels = self._read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in self._members else None
        sliced = plain_xml.workbook_slices(raw) if self.plain else None
        if sliced is None:
            return self._parse_workbook(raw, rels)
        key, spans = sliced
        found = _WORKBOOK_PARTS.get((key, rels))
        if found is not None and found.sound and _skeleton_sound(raw, spans):
            _WORKBOOK_PARTS.move_to_end((key, rels))
            return found
        why = plain_xml.well_formed(raw)
        if why is not None:
            raise self._damaged("xl/workbook.xml", why)
        if found is not None:
            _WORKBOOK_PARTS.move_to_end((key, rels))
            return found
        found = _WORKBOOK_PARTS[(key, rels)] = self._parse_workbook(raw, rels)
        # each slice on its own a well-formed element (then it holds no NUL either, so that no
        # other three slices join into the same key): later parts with the same slices need only
        # their skeleton checked (``plain_xml.skeleton``)
        found.sound = all(plain_xml.well_formed(raw[a:b]) is None for a, b in spans)
        if len(_WORKBOOK_PARTS) > WORKBOOK_PARTS_KEPT:
            _WORKBOOK_PARTS.popitem(last=False)
        return found

    def _parse_workbook(self, raw: bytes, rels_raw: bytes | None) -> WorkbookPart:
        root = self._parse("xl/workbook.xml", raw)
        rels: dict[str, str] = {}
        if rels_raw is not None:
            for rel in self._parse("xl/_rels/workbook.xml.rels", rels_raw):
                target = rel.get("Target", "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join("xl", target))
                rels[rel.get("Id", "")] = part
        sheets: dict[str, tuple[str, str, str]] = {}
        names: dict[str, str] = {}
        date1904 = False
        for el in root.iter():
            tag = _local(el.tag)
            if tag == "workbookPr":
                date1904 = el.get("date1904") in ("1", "true")
            elif tag == "sheet":
                name = el.get("name", "")
                rid = el.get(f"{{{_REL_NS}}}id") or el.get("{http://purl.oclc.org/ooxml/officeDocument/relationships}id")
                sheets[name] = (name, rels.get(rid or "", ""), el.get("state", "visible"))
            elif tag == "definedName" and el.get("localSheetId") is None:
                names[el.get("name", "")] = (el.text or "").strip()
        return WorkbookPart(tuple(sheets.values()), names, date1904)

    def _shared_strings(self, plain: bool = True) -> list[str] | plain_xml.SharedStrings:
        plain = plain and self.plain
        if self._shared is None or (not plain and not isinstance(self._shared, list)):
            self._shared = []
            if "xl/sharedStrings.xml" in self._members:
                raw = self._read("xl/sharedStrings.xml")
                scan = plain_xml.scan_shared_strings(raw) if plain else None
                if isinstance(scan, str):
                    raise self._damaged("xl/sharedStrings.xml", scan)
                if scan is not None:
                    self._shared = scan
                else:
                    self._shared = [_text_of(si) for si in self._parse("xl/sharedStrings.xml", raw)]
        return self._shared

    # -- public ---------------------------------------------------------------------------

    def target(self, name: str) -> tuple[str, str] | None:
        """A workbook-scope name's (sheet, range), or None when absent or not a cell range."""
        targets = self.part.targets
        if name in targets:
            return targets[name]
        text = self.names.get(name)
        found = targets[name] = parse_target(text) if text else None
        return found

    def sheet(self, name: str) -> Sheet:
        """The sheet, its cells parsed on first use (KeyError if there is no such sheet)."""
        sh = self.sheets[name]
        if name not in self._parsed:
            self._parse_sheet(sh)
            self._parsed.add(name)
        return sh

    def cell(self, sheet: str, ref: str) -> Cell:
        sh = self.sheet(sheet)
        cell = sh.cells.get(ref)
        if cell is None:
            el = sh.elements.get(ref)
            if el is None:
                cell = Cell(None)
            else:
                try:
                    cell = _plain_cell(el, self._shared_strings()) if type(el) is bytes else _cell(
                        el, self._shared_strings())
                except plain_xml.NotPlain:  # a shared string that is not plain: all of them the general way
                    self._shared_strings(plain=False)
                    return self.cell(sheet, ref)
                if cell is None:  # a cell that is not plain: the whole sheet the general way
                    self._parse_sheet(sh, plain=False)
                    return self.cell(sheet, ref)
            sh.cells[ref] = cell
        return cell

    def values(self, runs: Sequence[tuple[str, Sequence[str]]], formulas: bool = False) -> list[float | Cell]:
        """``cell(sheet, ref)`` for each ref of each (sheet, refs) run, in that order — except
        that a cell in the plain form of a number (the bulk of a return) is given as its float
        alone, which is then what ``cell`` would give as its value (no error; a formula beside a
        number is never looked at by ``reader.cell_value``); with ``formulas``, every cell as its
        ``Cell`` (a total's formula is looked at).  Everything else happens as ``cell`` does it, in
        the same order: sheets parsed when first named, any other cell converted (or its sheet
        read the general way) when reached.  The usual cells of a run are read in one go
        (``plain_xml.usual_values``): that reads the chunks and changes nothing."""
        out: list[float | Cell] = []
        for sheet, refs in runs:
            sh = self.sheet(sheet)
            if not sh.plain:
                out += [self.cell(sheet, ref) for ref in refs]
                continue
            if formulas:
                for ref, usual in zip(refs, plain_xml.usual_values(sh.elements, refs)):  # type: ignore[arg-type]
                    # (a cell before may have had the sheet read again)
                    out.append(Cell(*usual) if usual is not None and sh.plain else self.cell(sheet, ref))
                continue
            numbers = plain_xml.usual_numbers(sh.elements, refs)  # type: ignore[arg-type]
            if None not in numbers:  # the usual run: every cell a number, nothing else to happen between
                out += numbers
                continue
            for ref, number in zip(refs, numbers):
                out.append(number if number is not None and sh.plain else self.cell(sheet, ref))
        return out

    def _sheet_damaged(self, sh: Sheet, why: object) -> CorruptWorkbook:
        return CorruptWorkbook(f"{self.path.name} 的工作表“{sh.name}”已损坏，无法读取。",
                               f"sheet {sh.name!r} of {self.path.name} is damaged: {why}")

    def _parse_sheet(self, sh: Sheet, plain: bool = True) -> None:
        """One sheet's cells: scanned when the part is in the plain form (``plain_xml``), else
        lxml (C, about four times faster than ElementTree here) with entities unresolved, no
        network, no DTD allowed: sheets are the bulk of a batch's work."""
        if not sh.part or sh.part not in self._members:
            raise CorruptWorkbook(f"{self.path.name} 的工作表“{sh.name}”缺少内容部件，文件已损坏。",
                                  f"sheet {sh.name!r} of {self.path.name} has no part")
        self._shared_strings()  # a damaged string table is told before the sheet, as always
        info = self._info(sh.part)
        raw = _inflated(self.raw, info)
        if raw is None:
            try:
                with self._zip.open(info) as fh:
                    raw = fh.read()
            except ZIP_ERRORS as e:
                raise self._sheet_damaged(sh, e) from e
        sh.elements, sh.protected, sh.plain = {}, False, False
        scan = plain_xml.scan_sheet(raw) if plain and self.plain else None
        if isinstance(scan, str):
            raise self._sheet_damaged(sh, scan)
        if scan is not None:
            sh.elements, sh.protected, sh.plain = scan.chunks, scan.protected, True  # type: ignore[assignment]
            return
        from lxml import etree

        try:
            root = etree.fromstring(raw, _sheet_parser())
        except etree.XMLSyntaxError as e:
            raise self._sheet_damaged(sh, e) from e
        if root.getroottree().docinfo.internalDTD is not None:
            raise CorruptWorkbook(f"{self.path.name} 的工作表“{sh.name}”含有不安全的 XML（DTD），拒绝读取。",
                                  f"sheet {sh.name!r} of {self.path.name} holds a DTD")
        try:
            self._index_cells(sh, root)
        except ValueError as e:  # a row number that is not one, a cell past XFD or row 1048576
            raise CorruptWorkbook(f"{self.path.name} 的工作表“{sh.name}”已损坏（{e}），无法读取。",
                                  f"sheet {sh.name!r} of {self.path.name} is damaged: {e}") from None

    @staticmethod
    def _index_cells(sh: Sheet, root) -> None:
        row_no, col, last_ref = 0, 0, None
        elements = sh.elements
        for el in root.iter("{*}row", "{*}c", "{*}sheetProtection"):
            tag = _local(el.tag)
            if tag == "row":
                r = el.get("r")
                if r and not (r.isascii() and r.isdigit()):
                    raise ValueError(f"行号 {r[:20]!r} 不是数字")
                row_no = int(r) if r else row_no + 1
                if not 1 <= row_no <= MAX_ROW:
                    raise ValueError(f"行号 {row_no} 超出范围")
                col, last_ref = 0, None
            elif tag == "c":
                ref = el.get("r")
                if ref:  # the usual case: stored as found, parsed only when looked up
                    elements[ref] = el
                    last_ref = ref
                    continue
                # rare: a writer that leaves out r counts columns from the previous cell
                if last_ref and not _CELL_REF.fullmatch(last_ref):
                    raise ValueError(f"单元格地址 {last_ref[:20]!r} 无效")
                col = (column_index(split(last_ref)[0]) if last_ref else col) + 1
                last_ref = None
                if col > MAX_COLUMN:
                    raise ValueError(f"第 {row_no} 行的单元格超出最后一列 XFD")
                elements[f"{column_letter(col)}{row_no}"] = el
            else:
                sh.protected = el.get("sheet") in ("1", "true")



_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader
_ODD_FLAGS = 0x1 | 0x20 | 0x40  # encrypted, compressed patched data, strong encryption


def _inflated(raw: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A part's bytes, taken from the archive's bytes at the offset its directory entry gives —
    what ``ZipFile.open(info).read()`` returns, without the file object around it (half the cost
    of reading a small part).  Only for a part with nothing unusual about it: a local header that
    is there and names the part, stored or deflated, not encrypted, the whole deflate stream
    inside its compressed size, exactly ``file_size`` bytes whose CRC-32 is the directory's.
    Anything else answers None, and ``zipfile`` reads the part (or refuses it) as it always did.
    The output is never let grow past ``file_size`` (checked against the limit before)."""
    if info.flag_bits & _ODD_FLAGS or info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        return None
    at = info.header_offset
    head = raw[at: at + 30]
    if len(head) != 30:
        return None
    fields = _LOCAL_HEADER.unpack(head)
    if fields[0] != b"PK\x03\x04":
        return None
    name_len, extra_len = fields[10], fields[11]
    name = raw[at + 30: at + 30 + name_len]
    try:
        if name.decode("utf-8" if fields[3] & 0x800 else "cp437") != info.orig_filename:
            return None
    except UnicodeDecodeError:
        return None
    start = at + 30 + name_len + extra_len
    data = raw[start: start + info.compress_size]
    if len(data) != info.compress_size:
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        out = data
    else:
        inflate = zlib.decompressobj(-15)
        try:
            out = inflate.decompress(data, info.file_size + 1)
        except zlib.error:
            return None
        if not inflate.eof:
            return None
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        return None
    return out


def _text_of(el) -> str:
    """Text of a <si> or <is>: its <t> runs, without phonetic <rPh> runs."""
    parts: list[str] = []
    for child in el:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _cell(el, shared: list[str] | plain_xml.SharedStrings) -> Cell:
    t = el.get("t", "n")
    v = f = None
    inline = None
    for child in el:
        tag = _local(child.tag)
        if tag == "v":
            v = child.text
        elif tag == "f":
            f = child.text or ""
        elif tag == "is":
            inline = _text_of(child)
    return _cell_of(t, v, f, inline, shared)


_BLANK = Cell(None)


def _plain_cell(chunk: bytes, shared: list[str] | plain_xml.SharedStrings) -> Cell | None:
    usual = plain_xml.usual_cell(chunk)  # the usual cell: a number or no value, perhaps with its formula
    if usual is not None:
        return _BLANK if usual == (None, None) else Cell(*usual)
    parts = plain_xml.cell_parts(chunk)
    return None if parts is None else _cell_of(*parts, shared)


def _cell_of(t: str, v: str | None, f: str | None, inline: str | None,
             shared: list[str] | plain_xml.SharedStrings) -> Cell:
    """A cell from its type, value text, formula text and inline string (both ways of reading)."""
    if t == "s":
        try:
            return Cell(shared[int(v or "")], f)
        except (ValueError, IndexError):
            return Cell(None, f, error="#SST!")
    if t == "inlineStr":
        return Cell(inline, f)
    if t == "str":
        return Cell(v if v is not None else None, f)
    if t == "b":
        return Cell(v in ("1", "true"), f)
    if t == "e":
        return Cell(None, f, error=v or "#ERROR!")
    if t == "d":
        return Cell(v, f)
    if v is None or v == "":
        return Cell(None, f)
    try:
        return Cell(float(v), f)
    except ValueError:
        return Cell(v, f)
