"""The compiled scanner (``_plain_scan``, C) answers exactly what the Python scan answers, or
leaves the part to it — and says "well-formed" only where expat says so.

- Every worksheet part of every workbook here is answered, and alike: the cells' chunks, the
  protection, the usual cells' values and formulas; every part here is well-formed by its check.
- Mutations of those parts (bytes inserted, deleted, changed; markup a writer might use) are
  answered alike or left to Python (None), and never called well-formed when expat refuses them.
- Reading a workbook with the compiled scanner and without it gives the same report data,
  cells, INT-01 facts and notes — or the same refusal.

CI builds the scanner (``pip install -e .`` with gcc and Python's headers): there it must be
there; an install without a compiler reads with the Python scan alone, which the other tests
check on every run (``plain=False`` and these comparisons).
"""

from __future__ import annotations

import json
import os
import random
import zipfile
from pathlib import Path
from pyexpat import ExpatError, ParserCreate

import pytest
from conftest import FIXTURES

from nianbao.workbook_templates.format.errors import NianbaoError
from nianbao.workbook_templates.xlsx import plain_xml
from nianbao.workbook_templates.xlsx.package import XlsxPackage
from nianbao.workbook_templates.xlsx.reader import FileCells, bind

C = plain_xml.COMPILED
ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = sorted(FIXTURES.rglob("*.xlsx")) + sorted((ROOT / "workbook_templates").glob("*.xlsx"))

needs_compiled = pytest.mark.skipif(C is None and os.environ.get("CI") != "true",
                                    reason="the compiled scanner is not built here (no C compiler)")


def _sheets() -> list[tuple[str, bytes]]:
    out = []
    for path in WORKBOOKS:
        with zipfile.ZipFile(path) as z:
            out += [(f"{path.name}:{n}", z.read(n)) for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    return out


def _parts() -> list[bytes]:
    out = []
    for path in WORKBOOKS:
        with zipfile.ZipFile(path) as z:
            out += [z.read(n) for n in z.namelist() if n.endswith((".xml", ".rels"))]
    return out


def _expat(raw: bytes) -> bool:
    try:
        ParserCreate().Parse(raw, True)
    except ExpatError:
        return False
    return True


def test_the_compiled_scanner_is_built_in_ci() -> None:
    if os.environ.get("CI") == "true":
        assert C is not None, "setup.py builds _plain_scan where gcc and Python's headers are: CI has both"
    assert plain_xml.COMPILED is C


@needs_compiled
def test_every_sheet_here_is_answered_and_alike() -> None:
    sheets = _sheets()
    assert len(sheets) > 80
    for name, raw in sheets:
        found = C.sheet(raw)
        assert found is not None, name  # every writer here (openpyxl, nianbao, LibreOffice) writes the usual form
        assert found == plain_xml.plain_cells(raw), name
        assert C.well_formed(raw) and _expat(raw), name
        chunks, _ = found
        refs = list(chunks) + ["ZZ1"]  # and one that is not there
        assert C.values(chunks, refs) == [plain_xml.usual_cell(chunks.get(r)) for r in refs], name
        numbers = C.values(chunks, refs, False)
        assert numbers == [u[0] if u is not None else None for u in (plain_xml.usual_cell(chunks.get(r)) for r in refs)]


@needs_compiled
def test_every_part_here_is_well_formed_by_its_check() -> None:
    parts = _parts()
    assert all(C.well_formed(p) for p in parts) and all(_expat(p) for p in parts)


# markup a writer (or a damaged file) may hold, put in at random places
TOKENS = [b"<", b">", b"&", b"]]>", b'"', b"'", b"/", b"=", b" ", b"\t", b"\x00", b"\x01", b"\xff", b"\xe4", b"\xed\xa0\x80",
          b"\xef\xbf\xbf", b"<!--x-->", b"<?pi x?>", b"<![CDATA[x]]>", b"&#0;", b"&#x41;", b"&amp;", b"&nbsp;", b"</", b"<a>",
          b"</a>", b'a="1"', b"\r", b"<c ", b"<c\t", b'<c r="', b'<c r="A1" t="n"/>', b"<x:c ", b"<x:row ", b"<row>",
          b'<row r="0">', b'<row r="1048577">', b'<row r="1048576">', b"<rowBreaks/>", b"sheetProtection",
          b'<sheetProtection sheet="1"/>', b'<sheetProtection sheet="0" sheet="1"/>', b"<sheetProtection/>",
          b"<x:sheetProtection/>", b'<sheetProtection sheet="&#49;"/>', b"<v>1e5</v>", b"<v>1e</v>", b"<f>A&amp;B</f>",
          b' encoding="UTF-16"', b' encoding="utf8"', b"\xef\xbb\xbf", b"<rowBreaks:c ", b"<rowBreaksX:row ",
          b"<v>" + b"1" * 70 + b"</v>", b"<f>\xff</f>"]


def _mutations(parts: list[bytes], count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        b = bytearray(rng.choice(parts))
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(b) + 1)
            if rng.random() < 0.3:  # near markup, where the scan decides
                lt = b.find(b"<", pos)
                pos = lt if lt >= 0 else pos
            op = rng.random()
            if op < 0.5:
                b[pos:pos] = rng.choice(TOKENS)
            elif op < 0.75:
                del b[pos:pos + rng.randint(1, 12)]
            else:
                b[pos:pos + 1] = bytes([rng.randrange(256)])
        out.append(bytes(b))
    return out


@needs_compiled
def test_mutated_sheets_are_answered_alike_or_left_to_python() -> None:
    sheets = [raw for _, raw in _sheets()]
    answered = declined = 0
    for raw in _mutations(sheets, 1500, seed=18):
        found = C.sheet(raw)
        if found is None:
            declined += 1
            continue
        answered += 1
        assert found == plain_xml.plain_cells(raw), raw[:300]
        chunks, _ = found
        refs = list(chunks)[:40]
        assert C.values(chunks, refs) == [plain_xml.usual_cell(chunks[r]) for r in refs]
    assert answered > 300 and declined > 300, (answered, declined)  # both ways were tried


@needs_compiled
def test_well_formed_only_where_expat_says_so() -> None:
    yes = no = 0
    for raw in _mutations(_parts(), 3000, seed=9704):
        if C.well_formed(raw):
            yes += 1
            assert _expat(raw), raw[:300]
        else:
            no += 1
    assert yes > 300 and no > 300, (yes, no)


CASES = {  # document: what expat says (the check may only say yes where expat does)
    b"<a/>": True, b"<:a/>": True, b'<a b="1" b="2"/>': False, b'<a b="1"c="2"/>': False, b"<a>]]></a>": False,
    b"<a>]]</a>": True, b'<a b="]]>"/>': True, b"<a>&#0;</a>": False, b"<a>&#xD800;</a>": False,
    b"<a>&#x10FFFF;</a>": True, b"<a>&#x110000;</a>": False, b"<a>&foo;</a>": False,
    b"<a>&amp;&lt;&gt;&quot;&apos;</a>": True, b"<a>\xed\xa0\x80</a>": False, b"<a>\xc0\xaf</a>": False,
    b"<a>\xef\xbf\xbe</a>": False, b"<a>\xef\xbf\xbd</a>": True, b"<a>\x01</a>": False, b"<a>\x7f\xc2\x85</a>": True,
    b"<a></b>": False, b"<a><b></a></b>": False, b"<a/><b/>": False, b"<a/>  \n": True, b"<a/>x": False, b"": False,
    b'<?xml version="1.0"?>': False, b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<a/>": True,
    b'<?xml encoding="UTF-8"?><a/>': False, b"\xef\xbb\xbf<a/>": True, b'<a b="<"/>': False, b'<a b="&"/>': False,
    b'<a\tb = "1"\n/>': True, b"<a >x</a >": True, b"<a/ >": False, b"<1a/>": False, b"<a-b.c:d/>": True,
    b"<a>\xf0\x9f\x98\x80</a>": True, b"<a>\xf4\x90\x80\x80</a>": False, b"<a>\xe4\xb8</a>": False, b"<a>\xe4\xb8": False,
    b"<a>": False, b" <a/>": True, b"<a/>\x00": False, b"<a b='\"'/>": True, b"<a>&#65;&#x41;&#0065;</a>": True,
    b"<a>&#;</a>": False, b"<a>&#x;</a>": False, b"<a>&#1234567890;</a>": False,
    b'<?xml version="1.0" standalone="maybe"?><a/>': False, b"<a><!-- x --></a>": True, b"<a><![CDATA[<]]></a>": True,
    # expat takes "utf8" for a codec of Python's, which refuses every byte past ASCII (found by review)
    b'<?xml version="1.0" encoding="utf8"?><a>\xc3\xa9</a>': False, b'<?xml version="1.0" encoding="utf8"?><a/>': True,
    b'<?xml version="1.0" encoding="UTF-8"?><a>\xc3\xa9</a>': True,
}


@needs_compiled
@pytest.mark.parametrize("raw", list(CASES), ids=lambda b: repr(b)[:40])
def test_well_formed_against_expat_by_hand(raw: bytes) -> None:
    assert _expat(raw) is CASES[raw]
    if C.well_formed(raw):
        assert CASES[raw]
    if b"<!" not in raw and b"utf8" not in raw and CASES[raw]:  # the usual documents are answered (the rest is expat's)
        assert C.well_formed(raw)


SHEET_CASES = [  # found by review: a prefixed cell, row or protection right after "<rowBreaks"
    b"<a><rowBreaks:c/></a>", b'<a><rowBreaksX:row r="1"/></a>', b"<a><rowBreaks:sheetProtection/></a>",
    b'<a><rowBreaks count="1"/><row r="1"><c r="A1"><v>1</v></c></row></a>',
]


@needs_compiled
@pytest.mark.parametrize("raw", SHEET_CASES, ids=lambda b: repr(b)[:40])
def test_sheet_by_hand(raw: bytes) -> None:
    assert C.sheet(raw) == plain_xml.plain_cells(raw)


class _Bytes(bytes):
    pass


CHUNKS = {  # cell chunks: what values() must read as usual_cell does, both ways
    "plain": b'r="A1" s="3"><v>12</v></c>', "formula": b'r="A1"><f>SUM(B1:B9)</f><v>5</v></c>',
    "no value": b'r="A1" s="3"/>', "formula, no value": b'r="A1"><f>B1</f></c>',
    "long number": b'r="A1"><v>' + b"1" * 64 + b"</v></c>", "longer number": b'r="A1"><v>' + b"9" * 400 + b"e-390</v></c>",
    "formula not UTF-8": b'r="A1"><f>\xff</f><v>1</v></c>', "formula not UTF-8, no value": b'r="A1"><f>\xff</f></c>',
    "not a number": b'r="A1"><v>1e</v></c>', "text": b'r="A1" t="s"><v>0</v></c>', "huge": b'r="A1"><v>1e999</v></c>',
}


@needs_compiled
@pytest.mark.parametrize("name", sorted(CHUNKS))
def test_values_by_hand(name: str) -> None:
    chunks = {"A1": CHUNKS[name], "B1": _Bytes(CHUNKS[name])}  # (a bytes subclass is no chunk of ours)
    refs = ["A1", "B1", "C1"]
    want = [plain_xml.usual_cell(chunks.get(r)) for r in refs]
    assert C.values(chunks, refs) == want
    assert C.values(chunks, refs, False) == [u[0] if u is not None else None for u in want]


@needs_compiled
def test_values_survive_references_that_change_under_them() -> None:
    refs: list[object] = []

    class Sly(str):
        def __hash__(self) -> int:
            return hash(str(self))

        def __eq__(self, other: object) -> bool:
            refs.clear()  # the list empties while values() reads it
            return str.__eq__(self, other)

    refs += [Sly("A1"), "A2", "A3"]
    assert C.values({"A1": b'r="A1"><v>1</v></c>'}, refs) == [(1.0, None), None, None]


def _read(path: Path) -> str:
    try:
        with XlsxPackage(path) as pkg:
            r = bind(FileCells(pkg))
    except NianbaoError as e:
        return f"{type(e).__name__}: {e.zh}"
    return json.dumps([r.data, r.cells, r.integrity, r.occupied], ensure_ascii=False, default=str)


@needs_compiled
@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_a_workbook_reads_alike_with_the_compiled_scanner_and_without(path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = _read(path)
    monkeypatch.setattr(plain_xml, "COMPILED", None)
    assert _read(path) == compiled
