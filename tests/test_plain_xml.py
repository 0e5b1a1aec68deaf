"""The reader's shortcuts read exactly what the general reader reads.

- Sheets and shared strings in the plain form are scanned (``plain_xml``), everything else is
  parsed with lxml: on every workbook here, and on each variation of the markup a writer may use,
  both ways give the same report data, cells, INT-01 facts and notes — or the same refusal.
- What xl/workbook.xml says is parsed once per distinct part and kept: a return whose names
  differ (moved, missing) from the one read before is read by its own names, never by the cached
  ones; parts that differ only in what the reader never looks at share one parse.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES

from nianbao.workbook_templates.format.errors import NianbaoError
from nianbao.workbook_templates.xlsx import package as P
from nianbao.workbook_templates.xlsx.package import XlsxPackage
from nianbao.workbook_templates.xlsx.reader import FileCells, bind, read_workbook

FILLED = FIXTURES / "city" / "市交回" / "示例市财政局-2023.xlsx"  # written by openpyxl, then filled
WORKBOOKS = sorted(FIXTURES.rglob("*.xlsx"))


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _write(parts: dict[str, bytes], target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return target


def _read(path: Path, plain: bool) -> str:
    """Everything a read gives, as one text (or the refusal)."""
    try:
        with XlsxPackage(path, plain=plain) as pkg:
            r = bind(FileCells(pkg))
    except NianbaoError as e:
        return f"{type(e).__name__}: {e.zh}"
    return json.dumps([r.data, r.cells, r.integrity, r.occupied], ensure_ascii=False, default=str)


SHEET3 = "xl/worksheets/sheet3.xml"  # 第三部分 in every template nianbao writes


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_every_workbook_reads_alike_both_ways(path: Path) -> None:
    assert _read(path, plain=True) == _read(path, plain=False)


def _cell_markup(parts: dict[str, bytes], ref: str, xml: str) -> None:
    part = SHEET3
    text, n = re.subn(rf'<c r="{ref}"([^>]*?)(/>|>.*?</c>)', lambda m: xml.replace("ATTRS", m.group(1)),
                      parts[part].decode(), count=1, flags=re.S)
    assert n == 1
    parts[part] = text.encode()


# each: a variation of the markup of 第三部分 D7 (a figure) or of a whole part
CELL_VARIANTS = {
    "shared formula": '<c r="D7"ATTRS><f t="shared" ref="D7:E7" si="0">SUM(D9:D29)</f><v>12</v></c>',
    "shared formula, follower": '<c r="D7"ATTRS><f t="shared" si="0"/><v>12</v></c>',
    "formula without result": '<c r="D7"ATTRS><f>D9+D10</f></c>',
    "empty value": '<c r="D7"ATTRS><v></v></c>',
    "self-closed value": '<c r="D7"ATTRS><v/></c>',
    "value with spaces": '<c r="D7"ATTRS><v> 12 </v></c>',
    "text typed in": '<c r="D7"ATTRS t="str"><v>18(含新制发4件)</v></c>',
    "inline rich text": '<c r="D7"ATTRS t="inlineStr"><is><r><rPr><b/></rPr><t>1</t></r><r><t xml:space="preserve">2 件</t></r>'
                        '<rPh sb="0" eb="1"><t>ゼロ</t></rPh><phoneticPr fontId="1"/></is></c>',
    "references in text": '<c r="D7"ATTRS t="inlineStr"><is><t>&#49;&#x32;&amp;&lt;件&gt;</t></is></c>',
    "line ends in text": '<c r="D7"ATTRS t="inlineStr"><is><t>1\r\n2\r3</t></is></c>',
    "boolean": '<c r="D7"ATTRS t="b"><v>1</v></c>',
    "error": '<c r="D7"ATTRS t="e"><v>#DIV/0!</v></c>',
    "shared string past the table": '<c r="D7"ATTRS t="s"><v>99999</v></c>',
    "shared string index as text": '<c r="D7"ATTRS t="s"><v>x</v></c>',
    "date type": '<c r="D7"ATTRS t="d"><v>2024-02-08</v></c>',
    "attributes in another order": '<c t="n" r="D7"><v>12</v></c>',
    "single-quoted attributes": "<c r='D7'><v>12</v></c>",
    "type with a reference": '<c r="D7" t="&#115;tr"><v>12</v></c>',
    "extension inside the cell": '<c r="D7"ATTRS><v>12</v><extLst><ext uri="x"/></extLst></c>',
    "a tab before the reference": '<c\tr="D7"><v>12</v></c>',
    "number with exponent": '<c r="D7"ATTRS><v>1.2E1</v></c>',
    "number that is not one": '<c r="D7"ATTRS><v>1.2.3</v></c>',
    "huge number": '<c r="D7"ATTRS><v>1e308</v></c>',
}


@pytest.mark.parametrize("name", sorted(CELL_VARIANTS))
def test_cell_markup_reads_alike_both_ways(name: str, tmp_path: Path) -> None:
    parts = _parts(FILLED)
    _cell_markup(parts, "D7", CELL_VARIANTS[name])
    path = _write(parts, tmp_path / "v.xlsx")
    assert _read(path, plain=True) == _read(path, plain=False)


def _part_variant(parts: dict[str, bytes], name: str) -> None:
    part = SHEET3
    raw = parts[part]
    if name == "comment":
        parts[part] = raw.replace(b"<sheetData>", b"<!-- <c r=\"D7\"><v>99</v></c> --><sheetData>", 1)
    elif name == "protection removed":
        parts[part] = re.sub(rb"<sheetProtection[^>]*/>", b"", raw)
    elif name == "protection off":
        parts[part] = re.sub(rb'(<sheetProtection[^>]*?) sheet="1"', rb'\1 sheet="0"', raw)
    elif name == "protection prefixed":
        parts[part] = re.sub(rb"<sheetProtection([^>]*)/>", rb'<x:sheetProtection xmlns:x="urn:x"\1/>', raw)
    elif name == "two protections":
        parts[part] = re.sub(rb"(<sheetProtection[^>]*/>)", rb'\1<sheetProtection sheet="0"/>', raw)
    elif name == "prefixed cells":
        parts[part] = raw.replace(b"<worksheet ", b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
                                  b'spreadsheetml/2006/main" ', 1).replace(b"</worksheet>", b"</x:worksheet>")
        parts[part] = parts[part].replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>")
    elif name == "row without its number":
        parts[part] = raw.replace(b'<row r="7"', b"<row", 1)
    elif name == "row number out of range":
        parts[part] = raw.replace(b'<row r="7"', b'<row r="9999999"', 1)
    elif name == "not well-formed":
        parts[part] = raw.replace(b"</sheetData>", b"</sheetDat>", 1)
    elif name == "UTF-16":
        text = raw.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
        parts[part] = text.encode("utf-16")
    elif name == "shared strings":  # as Excel and LibreOffice write text: a table of strings
        sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
               'spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>12</t></si><si/><si><r><t>3</t></r>'
               '<rPh sb="0" eb="1"><t>x</t></rPh></si></sst>')
        parts["xl/sharedStrings.xml"] = sst.encode()
        _cell_markup(parts, "D7", '<c r="D7"ATTRS t="s"><v>0</v></c>')
        _cell_markup(parts, "E7", '<c r="E7"ATTRS t="s"><v>2</v></c>')
        _cell_markup(parts, "F7", '<c r="F7"ATTRS t="s"><v>1</v></c>')
    elif name == "shared strings not plain":
        parts["xl/sharedStrings.xml"] = (
            b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            b'2006/main"><si><t>1</t>x</si><si><t>2</t></si></sst>')
        _cell_markup(parts, "D7", '<c r="D7"ATTRS t="s"><v>0</v></c>')
    elif name == "shared strings not well-formed":
        parts["xl/sharedStrings.xml"] = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si>'
        _cell_markup(parts, "D7", '<c r="D7"ATTRS t="s"><v>0</v></c>')
    else:
        raise AssertionError(name)


PART_VARIANTS = ("comment", "protection removed", "protection off", "protection prefixed", "two protections",
                 "prefixed cells", "row without its number", "row number out of range", "not well-formed", "UTF-16",
                 "shared strings", "shared strings not plain", "shared strings not well-formed")


@pytest.mark.parametrize("name", PART_VARIANTS)
def test_part_markup_reads_alike_both_ways(name: str, tmp_path: Path) -> None:
    parts = _parts(FILLED)
    _part_variant(parts, name)
    path = _write(parts, tmp_path / "v.xlsx")
    assert _read(path, plain=True) == _read(path, plain=False)


# -- the workbook part, parsed once -----------------------------------------------------------


def _workbook(parts: dict[str, bytes], old: bytes, new: bytes) -> None:
    wb = parts["xl/workbook.xml"]
    assert old in wb
    parts["xl/workbook.xml"] = wb.replace(old, new, 1)


def test_a_return_with_moved_names_is_read_by_its_own_names(tmp_path: Path) -> None:
    """Read a return, then one whose name points elsewhere, then the first again: each by its own names."""
    parts = _parts(FILLED)
    first = _write(parts, tmp_path / "a.xlsx")
    name = '<definedName name="applications.new.natural_person">\'第三部分\'!$'.encode()
    _workbook(parts, name + b"D$7<", name + b"E$7<")  # 新收 自然人 -> the 商业企业 cell
    moved = _write(parts, tmp_path / "b.xlsx")
    a = read_workbook(first)
    b = read_workbook(moved)
    again = read_workbook(first)
    assert b.cells["applications.new.natural_person"] == ("第三部分", "E7")
    assert b.data["applications"]["new"]["natural_person"] == a.data["applications"]["new"]["commercial"]
    assert [f for f in b.integrity if f["fact"] == "names_moved"] == [
        {"rule": "INT-01", "fact": "names_moved", "count": 1, "example": "applications.new.natural_person",
         "found": "第三部分!E7", "template": "第三部分!D7"}]
    assert not [f for f in a.integrity if f["fact"] == "names_moved"]
    assert again.data == a.data and again.integrity == a.integrity


def test_a_return_missing_a_name_is_refused_after_a_good_one(tmp_path: Path) -> None:
    parts = _parts(FILLED)
    good = _write(parts, tmp_path / "a.xlsx")
    wb = parts["xl/workbook.xml"].decode()
    parts["xl/workbook.xml"] = re.sub(r'<definedName name="applications\.new\.total">[^<]*</definedName>', "",
                                      wb).encode()
    bad = _write(parts, tmp_path / "b.xlsx")
    read_workbook(good)
    with pytest.raises(NianbaoError, match="缺少 1 个定义名称"):
        read_workbook(bad)
    read_workbook(good)


def test_what_the_reader_never_looks_at_shares_one_parse(tmp_path: Path) -> None:
    """Excel's window size and active sheet differ from unit to unit: one parse for them all; a
    different sheet name, name or date system is a part of its own."""
    parts = _parts(FILLED)
    base = parts["xl/workbook.xml"]
    view = re.search(rb"<workbookView[^>]*/>", base)
    assert view
    variants = {}
    for i in range(3):  # three units' Excel windows
        parts["xl/workbook.xml"] = base.replace(view.group(0), f'<workbookView xWindow="{i * 240}" activeTab="{i}"/>'
                                                .encode())
        variants[f"window{i}"] = _write(parts, tmp_path / f"w{i}.xlsx")
    parts["xl/workbook.xml"] = base.replace(b"<workbookPr/>", b'<workbookPr date1904="1"/>') if b"<workbookPr/>" in \
        base else re.sub(rb"<workbookPr([^>]*)/>", rb'<workbookPr date1904="1"\1/>', base)
    variants["1904"] = _write(parts, tmp_path / "d.xlsx")
    P._WORKBOOK_PARTS.clear()
    reads = {k: read_workbook(p) for k, p in variants.items()}
    assert len(P._WORKBOOK_PARTS) == 2  # the three windows share one; the 1904 date system is another
    assert reads["window0"].data == reads["window1"].data == reads["window2"].data
    with XlsxPackage(variants["1904"]) as a, XlsxPackage(variants["window0"]) as b:
        assert a.date1904 and not b.date1904


def test_a_damaged_workbook_part_is_told_even_when_its_names_were_seen(tmp_path: Path) -> None:
    parts = _parts(FILLED)
    good = _write(parts, tmp_path / "a.xlsx")
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"</bookViews>", b"</bookView>", 1)
    bad = _write(parts, tmp_path / "b.xlsx")
    read_workbook(good)
    assert _read(bad, plain=True) == _read(bad, plain=False)
    assert "已损坏" in _read(bad, plain=True)


def test_the_cache_holds_a_handful_of_parts(tmp_path: Path) -> None:
    parts = _parts(FILLED)
    P._WORKBOOK_PARTS.clear()
    for i in range(P.WORKBOOK_PARTS_KEPT + 5):
        _workbook(parts, b"</definedNames>", f'<definedName name="x{i}">Sheet1!$A$1</definedName></definedNames>'
                  .encode())
        read_workbook(_write(parts, tmp_path / f"{i}.xlsx"))
    assert len(P._WORKBOOK_PARTS) == P.WORKBOOK_PARTS_KEPT


def test_the_shared_parse_is_not_changed_by_a_reader(tmp_path: Path) -> None:
    read_workbook(FILLED)
    with XlsxPackage(FILLED) as pkg:
        names = dict(pkg.names)
        sheets = dict.fromkeys(pkg.sheets)
    read_workbook(FILLED)
    with XlsxPackage(FILLED) as pkg:
        assert pkg.names == names and dict.fromkeys(pkg.sheets) == sheets
        assert all(not sh.cells for sh in pkg.sheets.values())  # every package its own cells


def test_a_large_part_is_read_the_general_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nianbao.workbook_templates.xlsx import plain_xml

    monkeypatch.setattr(plain_xml, "FAST_MAX_BYTES", 100)
    assert _read(FILLED, plain=True) == _read(FILLED, plain=False)
