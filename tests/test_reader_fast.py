"""The reader's short cuts of issue #18 change nothing that a read gives or refuses.

- A part is taken from the archive's bytes directly only when zipfile would read exactly those
  bytes; anything odd about it is read (or refused) by zipfile, as before.
- xl/workbook.xml whose slices (sheets, names, date system) were read before is checked by its
  skeleton; a damage anywhere — inside the slices or outside them — is told with the same words
  as when nothing was cached.
- The entered figures come in one pass (``XlsxPackage.values``): the same values as ``cell``.
"""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES

from nianbao.workbook_templates.format.errors import NianbaoError
from nianbao.workbook_templates.xlsx import package as P
from nianbao.workbook_templates.xlsx import plain_xml
from nianbao.workbook_templates.xlsx.package import XlsxPackage, _inflated
from nianbao.workbook_templates.xlsx.reader import FileCells, _find_edition, _layout, bind, read_workbook

FILLED = FIXTURES / "city" / "市交回" / "示例市财政局-2023.xlsx"
WORKBOOKS = sorted(FIXTURES.rglob("*.xlsx"))


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _write(parts: dict[str, bytes], target: Path, method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(target, "w", method) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return target


def _refusal(path: Path) -> tuple[str, str, str] | None:
    try:
        read_workbook(path)
    except NianbaoError as e:
        return type(e).__name__, e.zh, str(e)
    return None


# -- parts straight from the archive ------------------------------------------------------------


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_every_part_is_what_zipfile_reads(path: Path) -> None:
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            got = _inflated(raw, info)
            assert got is None or got == z.read(info), info.filename


def test_stored_parts_are_read_alike(tmp_path: Path) -> None:
    stored = _write(_parts(FILLED), tmp_path / "stored.xlsx", zipfile.ZIP_STORED)
    raw = stored.read_bytes()
    with zipfile.ZipFile(stored) as z:
        assert all(_inflated(raw, i) == z.read(i) for i in z.infolist())
    assert read_workbook(stored).data == read_workbook(FILLED).data


def _damaged_copy(tmp_path: Path, part: str, how: str) -> Path:
    """FILLED with one part's bytes in the archive damaged (``how``)."""
    src = _write(_parts(FILLED), tmp_path / "src.xlsx")
    raw = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as z:
        info = z.getinfo(part)
    at = info.header_offset
    name_len, extra_len = struct.unpack("<2H", raw[at + 26: at + 30])
    start = at + 30 + name_len + extra_len
    if how == "data":  # a flipped byte inside the deflate stream
        raw[start + info.compress_size // 2] ^= 0xFF
    elif how == "crc":  # the directory's CRC-32 of the part, which the data no longer matches
        crc = bytes(raw).rfind(struct.pack("<L", info.CRC))  # the directory comes after every part
        assert crc > start
        raw[crc] ^= 0x01
    elif how == "name":
        raw[at + 30] = ord("X")
    elif how == "magic":
        raw[at: at + 4] = b"PK\x09\x09"
    out = tmp_path / f"{how}.xlsx"
    out.write_bytes(bytes(raw))
    return out


@pytest.mark.parametrize("how", ["data", "crc", "name", "magic"])
@pytest.mark.parametrize("part", ["xl/worksheets/sheet3.xml", "xl/workbook.xml"])
def test_a_damaged_part_is_refused_by_zipfile_as_before(tmp_path: Path, part: str, how: str) -> None:
    path = _damaged_copy(tmp_path, part, how)
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
        assert _inflated(raw, info) is None
        try:
            with z.open(info) as fh:
                fh.read()
        except Exception as e:  # what zipfile says is what the refusal quotes
            said = str(e)
        else:
            said = None
    refusal = _refusal(path)
    if said is None:  # a damage zipfile does not see (a deflate stream that still inflates)
        return
    assert refusal is not None and refusal[0] == "CorruptWorkbook" and said in refusal[2]


# -- the workbook part, by its skeleton ---------------------------------------------------------

OUTSIDE = [(b"</bookViews>", b"</bookView>"), (b"<calcPr ", b"<calcPr a='1' a='2' "), (b"</workbook>", b"</workbook><x/>"),
           (b"<calcPr ", b"<calcPr a='&bogus;' ")]
INSIDE = [(b"</definedNames>", b"<definedName name='x'>&bogus;</definedName></definedNames>"),
          (b"</sheets>", b"<sheet name='a' name='b'/></sheets>"),
          (b"</definedNames>", b"<definedName name='x'></definedNames>")]


@pytest.mark.parametrize("old,new", OUTSIDE + INSIDE)
def test_a_damaged_workbook_part_says_the_same_with_its_names_cached(tmp_path: Path, old: bytes, new: bytes) -> None:
    parts = _parts(FILLED)
    good = _write(parts, tmp_path / "good.xlsx")
    assert old in parts["xl/workbook.xml"]
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(old, new, 1)
    bad = _write(parts, tmp_path / "bad.xlsx")
    P._WORKBOOK_PARTS.clear()
    cold = _refusal(bad)
    assert cold is not None and cold[0] == "CorruptWorkbook"
    read_workbook(good)  # its slices cached
    assert _refusal(bad) == cold


def test_a_sound_workbook_part_with_cached_names_is_read_by_them(tmp_path: Path) -> None:
    parts = _parts(FILLED)
    good = _write(parts, tmp_path / "good.xlsx")
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"</workbook>", b"<extLst/></workbook>", 1)
    other = _write(parts, tmp_path / "other.xlsx")
    P._WORKBOOK_PARTS.clear()
    a = read_workbook(good)
    assert len(P._WORKBOOK_PARTS) == 1 and next(iter(P._WORKBOOK_PARTS.values())).sound
    b = read_workbook(other)
    assert len(P._WORKBOOK_PARTS) == 1 and a.data == b.data and a.cells == b.cells


def test_the_skeleton_cuts_each_slice() -> None:
    raw = b"<w><a>1</a><b/><c>2</c></w>"
    spans = [(3, 11), (15, 23)]
    assert plain_xml.skeleton(raw, spans) == b"<w><x/><b/><x/></w>"
    assert plain_xml.skeleton(raw, [(3, 11), (5, 12)]) is None  # overlapping: nothing is cut
    wb = _parts(FILLED)["xl/workbook.xml"]
    key, found = plain_xml.workbook_slices(wb)
    assert key == plain_xml.workbook_key(wb) and b"<definedNames>" not in plain_xml.skeleton(wb, found)


# -- the entered figures in one pass ------------------------------------------------------------


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_the_entered_values_are_what_cell_gives(path: Path) -> None:
    """In runs of one sheet (as the reader asks) and one cell at a time, what ``cell`` gives."""
    try:
        with XlsxPackage(path) as pkg:
            src = FileCells(pkg)
            edition = _find_edition(src)
            lay = _layout(src, edition)
            if lay.missing or lay.no_sheet:
                return
            where = [lay.cells[p] for p in edition.entered_paths]
            runs = {}  # grouped by sheet: what a run may be
            for sheet, ref in where:
                runs.setdefault(sheet, []).append(ref)
            by_runs = pkg.values(list(runs.items()))
            one_by_one = pkg.values([(sheet, [ref]) for sheet, ref in where])
        with XlsxPackage(path) as pkg:
            want = {w: pkg.cell(*w) for w in where}
    except NianbaoError:
        return
    in_runs = [(sheet, ref) for sheet, refs in runs.items() for ref in refs]
    for got, order in ((by_runs, in_runs), (one_by_one, where)):
        for g, w in zip(got, (want[x] for x in order), strict=True):
            assert (g == w.value and type(g) is type(w.value) and w.error is None) if type(g) is float else g == w


# -- a sheet's tail, looked at once ---------------------------------------------------------------

SHEET3 = "xl/worksheets/sheet3.xml"
SHEET_DAMAGES = {
    "in the cells": (b'<c r="D7"', b'<c r="D7" r="D7"'),
    "in the head": (b"<sheetData>", b"<cols/ ><sheetData>"),
    "in the tail": (b"</sheetData>", b"</sheetData><mergeCells a='1' a='1'/>"),
    "after the tail": (b"</worksheet>", b"</worksheet><x/>"),
    "an unknown reference": (b"</sheetData>", b"</sheetData><x a='&bogus;'/>"),
}


@pytest.mark.parametrize("name", SHEET_DAMAGES)
def test_a_damaged_sheet_says_the_same_with_its_tail_known(tmp_path: Path, name: str) -> None:
    old, new = SHEET_DAMAGES[name]
    parts = _parts(FILLED)
    good = _write(parts, tmp_path / "good.xlsx")
    assert old in parts[SHEET3]
    parts[SHEET3] = parts[SHEET3].replace(old, new, 1)
    bad = _write(parts, tmp_path / "bad.xlsx")
    plain_xml._TAILS.clear()
    cold = _refusal(bad)
    assert cold is not None and cold[0] == "CorruptWorkbook" and "第三部分" in cold[1]
    read_workbook(good)  # its tails known
    assert _refusal(bad) == cold


TAIL_VARIANTS = {
    "protection removed": lambda x: re.sub(rb"<sheetProtection[^>]*/>", b"", x),
    "protection off": lambda x: re.sub(rb'<sheetProtection([^>]*) sheet="1"', rb'<sheetProtection\1 sheet="0"', x),
    "protection after the tail": lambda x: re.sub(rb"(<sheetProtection[^>]*/>)(.*)</worksheet>", rb"\2\1</worksheet>",
                                                  x, flags=re.S),
    "protection before the cells": lambda x: re.sub(rb"(<sheetData>.*</sheetData>)(<sheetProtection[^>]*/>)",
                                                    rb"\2\1", x, flags=re.S),
    "a cell in the tail": lambda x: x.replace(b"</sheetData>", b'</sheetData><x><c r="Z1"><v>1</v></c></x>', 1),
    "a row in the tail": lambda x: x.replace(b"</sheetData>", b'</sheetData><x><row r="99"/></x>', 1),
    "page breaks": lambda x: x.replace(b"</worksheet>", b'<rowBreaks count="1"><brk id="9"/></rowBreaks></worksheet>', 1),
    "spaces in the tail": lambda x: x.replace(b"</sheetData>", b"</sheetData>\n  ", 1),
}


@pytest.mark.parametrize("name", TAIL_VARIANTS)
def test_a_tail_reads_alike_known_or_not(tmp_path: Path, name: str) -> None:
    parts = _parts(FILLED)
    changed = TAIL_VARIANTS[name](parts[SHEET3])
    assert changed != parts[SHEET3]
    parts[SHEET3] = changed
    path = _write(parts, tmp_path / "v.xlsx")
    plain_xml._TAILS.clear()
    with XlsxPackage(path, plain=False) as pkg:
        general = {n: pkg.sheet(n).protected for n in pkg.sheets}, bind(FileCells(pkg)).data
    for _ in range(2):  # the tail new, then known
        with XlsxPackage(path) as pkg:
            assert ({n: pkg.sheet(n).protected for n in pkg.sheets}, bind(FileCells(pkg)).data) == general
    known = plain_xml._known_tail(changed)
    assert (known is None) == (name in ("a cell in the tail", "a row in the tail", "spaces in the tail"))
