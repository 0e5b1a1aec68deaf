"""A fault suite: real filled templates and real published reports, mutated in every way the
issue lists, fed to every command.  For each case: no traceback (never the internal-error exit 3),
unreadable input refused with the message of its class, readable input read, no output file touched
unless the command succeeded, at most 10 s per input, memory bounded.

A fast subset runs in CI; set NIANBAO_FUZZ_CASES (e.g. 3000) for a longer run.  The report of a run
(cases per class, crashes, partial writes, slowest case) is written to tests/fuzz-report.txt (not
committed; NIANBAO_FUZZ_REPORT chooses another place).
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import resource
import shutil
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO, nianbao

from nianbao.cli import main

CASES = int(os.environ.get("NIANBAO_FUZZ_CASES", "240"))
PUBLISHED = FIXTURES / "published"
REPORT = Path(os.environ.get("NIANBAO_FUZZ_REPORT", REPO / "tests" / "fuzz-report.txt"))


@dataclass
class Case:
    kind: str  # the mutation class
    name: str  # file name (its suffix chooses the reader)
    data: bytes
    unreadable: str | tuple[str, ...] | None  # phrase(s) of the expected refusal; None: it must be read


def _zip_parts(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in parts.items():
            z.writestr(n, d)
    return buf.getvalue()


def _sheet_part(parts: dict[str, bytes], name: str) -> str:
    wb = parts["xl/workbook.xml"].decode()
    rid = re.search(rf'<sheet [^>]*name="{name}"[^>]*r:id="(rId\d+)"', wb).group(1)
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + (target.group(1) or target.group(2)).lstrip("/").removeprefix("xl/")


def _set_cell(parts: dict[str, bytes], sheet: str, ref: str, xml: str) -> None:
    part = _sheet_part(parts, sheet)
    text = parts[part].decode()
    text, n = re.subn(rf'<c r="{ref}"([^>]*?)(/>|>.*?</c>)', lambda m: xml.replace("ATTRS", m.group(1)), text,
                      count=1, flags=re.S)
    parts[part] = text.encode()


def mutations(filled: bytes, rng: random.Random) -> list[Callable[[], Case]]:
    """Each returns one hostile input (randomised by ``rng``)."""

    def truncated() -> Case:
        return Case("truncated zip", "t.xlsx", filled[: rng.randrange(1, len(filled) - 1)],
                    ("已损坏", "不是 Excel 工作簿", "文件是空的"))

    def flipped() -> Case:
        data = bytearray(filled)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return Case("corrupted bytes", "c.xlsx", bytes(data), None)  # may or may not stay readable

    def content_type() -> Case:
        parts = _zip_parts(filled)
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"sheet.main+xml", b"template.main+xml")
        return Case("wrong content type", "ct.xlsx", _zip(parts), None)

    def missing_sheet() -> Case:
        parts = _zip_parts(filled)
        name = rng.choice(["第二部分", "第三部分", "第四部分", "文字部分", "封面"])
        del parts[_sheet_part(parts, name)]
        return Case("missing sheet part", "ms.xlsx", _zip(parts), "已损坏")

    def renamed_sheet() -> Case:
        parts = _zip_parts(filled)
        name = rng.choice(["第二部分", "第三部分", "第四部分"])
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(f'name="{name}"'.encode(), b'name="Sheet9"')
        return Case("renamed sheet", "rs.xlsx", _zip(parts), "缺少工作表")

    def extra_sheet() -> Case:
        parts = _zip_parts(filled)
        parts["xl/worksheets/extra.xml"] = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
        return Case("extra sheet", "es.xlsx", _zip(parts), None)

    def missing_names() -> Case:
        parts = _zip_parts(filled)
        wb = parts["xl/workbook.xml"].decode()
        names = re.findall(r'<definedName name="((?:applications|active|review_litigation)[^"]+)"', wb)
        for n in rng.sample(names, rng.randint(1, 5)):
            wb = re.sub(rf'<definedName name="{re.escape(n)}"[^>]*>[^<]*</definedName>', "", wb)
        parts["xl/workbook.xml"] = wb.encode()
        return Case("missing defined names", "mn.xlsx", _zip(parts), "定义名称")

    def moved_name() -> Case:
        parts = _zip_parts(filled)
        wb = parts["xl/workbook.xml"].decode()
        wb = wb.replace("'第三部分'!$D$7</definedName>", "'第三部分'!$D$9</definedName>", 1)
        parts["xl/workbook.xml"] = wb.encode()
        return Case("moved defined name", "mv.xlsx", _zip(parts), None)

    def broken_merges() -> Case:
        parts = _zip_parts(filled)
        part = _sheet_part(parts, "第三部分")
        parts[part] = re.sub(rb"<mergeCells.*?</mergeCells>", b"", parts[part], flags=re.S)
        return Case("broken merges", "bm.xlsx", _zip(parts), None)

    def formula_to_constant() -> Case:
        parts = _zip_parts(filled)
        part = _sheet_part(parts, "第三部分")
        text = parts[part].decode()
        refs = re.findall(r'<c r="([A-Z]+\d+)"[^>]*><f>', text)
        ref = rng.choice(refs)
        text = re.sub(rf'(<c r="{ref}"[^>]*>)<f>[^<]*</f>(<v>[^<]*</v>)?', r"\1<v>999</v>", text)
        parts[part] = text.encode()
        return Case("formula replaced by constant", "fc.xlsx", _zip(parts), None)

    def odd_number_cell() -> Case:
        parts = _zip_parts(filled)
        ref = f"{rng.choice('DEFGHI')}{rng.randint(7, 30)}"
        xml = rng.choice([
            '<c r="REF"ATTRS t="inlineStr"><is><t>十八件</t></is></c>', '<c r="REF"ATTRS><v>-42</v></c>',
            '<c r="REF"ATTRS><v>1e308</v></c>', '<c r="REF"ATTRS><v>45330.5</v></c>',
            '<c r="REF"ATTRS t="e"><v>#REF!</v></c>', '<c r="REF"ATTRS t="b"><v>1</v></c>',
            '<c r="REF"ATTRS t="s"><v>99999</v></c>', '<c r="REF"ATTRS t="inlineStr"><is><t>=1+1</t></is></c>',
        ]).replace("REF", ref)
        _set_cell(parts, "第三部分", ref, xml)
        return Case("text, negatives, huge numbers, dates, errors in number cells", "nc.xlsx", _zip(parts), None)

    big: list[bytes] = []

    def large_sheet() -> Case:
        """A million rows in a sheet of the person's own (built once, then reused)."""
        if not big:
            parts = _zip_parts(filled)
            rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 1_000_001))
            parts["xl/worksheets/sheet99.xml"] = (
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                + rows + "</sheetData></worksheet>").encode()
            big.append(_zip(parts))
        return Case("very large unrelated sheet (a million rows)", "ls.xlsx", big[0], None)

    def zip_bomb() -> Case:
        """A sheet that unpacks to 210 MB of spaces (written in chunks: the suite itself stays small)."""
        parts = _zip_parts(filled)
        part = _sheet_part(parts, rng.choice(["第二部分", "第三部分"]))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for n, d in parts.items():
                if n != part:
                    z.writestr(n, d)
            with z.open(part, "w", force_zip64=True) as fh:
                fh.write(parts[part][:-12])
                chunk = b" " * 1_000_000
                for _ in range(210):
                    fh.write(chunk)
                fh.write(parts[part][-12:])
        return Case("zip bomb", "zb.xlsx", buf.getvalue(), "过大")

    def entity_bomb() -> Case:
        parts = _zip_parts(filled)
        part = _sheet_part(parts, "第三部分")
        bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>')
        parts[part] = bomb + re.sub(rb"^<\?xml[^>]*\?>", b"", parts[part])
        return Case("XML entity expansion", "xb.xlsx", _zip(parts), "不安全的 XML")

    def macro() -> Case:
        return Case("macro workbook (.xlsm)", "m.xlsm", filled, None)

    def old_format() -> Case:
        ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(4000))
        kind = rng.choice(["xls", "et", "ods", "xlsb"])
        if kind in ("xls", "et"):
            return Case(".xls/.et/.ods/.xlsb", f"o.{kind}", ole, "旧版 Excel" if kind == "xls" else "WPS 表格")
        member = "content.xml" if kind == "ods" else "xl/workbook.bin"
        data = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", member: b"<x/>"})
        return Case(".xls/.et/.ods/.xlsb", f"o.{kind}", data, "OpenDocument" if kind == "ods" else ".xlsb")

    def password() -> Case:
        from msoffcrypto.format.ooxml import OOXMLFile

        out = io.BytesIO()
        OOXMLFile(io.BytesIO(filled)).encrypt("口令", out)
        return Case("password-protected", "pw.xlsx", out.getvalue(), "设置了打开密码")

    def absurd_value() -> Case:
        """Issue 17, classes 4 and 6: values no report holds, in a date or a number cell."""
        parts = _zip_parts(filled)
        value = rng.choice(["99999999", "-99999999", "1e20", "NaN", "inf", "-inf", "1e309", "9" * 5000])
        sheet, ref = rng.choice([("封面", "B10"), ("第三部分", f"{rng.choice('DEFGHI')}{rng.randint(7, 30)}")])
        _set_cell(parts, sheet, ref, f'<c r="{ref}"><v>{value}</v></c>')
        return Case("absurd values (dates out of range, NaN, inf, 5,000 digits)", "av.xlsx", _zip(parts), None)

    def formula_or_error() -> Case:
        """Issue 17, class 2: a person's formula without a cached value, or an error value."""
        parts = _zip_parts(filled)
        ref = f"{rng.choice('DEFGHI')}{rng.randint(7, 30)}"
        xml = rng.choice([f'<c r="{ref}"><f>VLOOKUP(A1,B:C,2,0)</f></c>',
                          f'<c r="{ref}" t="e"><f>VLOOKUP(A1,B:C,2,0)</f><v>#N/A</v></c>',
                          f'<c r="{ref}" t="e"><v>#DIV/0!</v></c>'])
        _set_cell(parts, "第三部分", ref, xml)
        return Case("formulas without results, error values", "fe.xlsx", _zip(parts), None)

    def broken_rows() -> Case:
        """Issue 17, class 5: a row number that is not one, or out of range."""
        parts = _zip_parts(filled)
        part = _sheet_part(parts, rng.choice(["第二部分", "第三部分", "第四部分", "封面"]))
        bad = rng.choice(["x7", "7.5", "-1", "99999999", "", "١"])
        text, n = re.subn(r'<row r="\d+"', f'<row r="{bad}"', parts[part].decode(), count=rng.randint(1, 3))
        parts[part] = text.encode()
        return Case("broken row numbers", "br.xlsx", _zip(parts), None if bad == "" else "已损坏")

    wide: list[bytes] = []

    def past_xfd() -> Case:
        """Issue 17, class 5: a row of 100,000 <c/> without r, far past column XFD (built once)."""
        if not wide:
            parts = _zip_parts(filled)
            part = _sheet_part(parts, "第三部分")
            parts[part] = parts[part].replace(b"</sheetData>", b"<row>" + b"<c/>" * 100_000 + b"</row></sheetData>", 1)
            wide.append(_zip(parts))
        return Case("cells past XFD", "xfd.xlsx", wide[0], "XFD")

    def strict() -> Case:
        """Issue 17, class 8: Excel's Strict Open XML (other namespaces, same markup)."""
        parts = _zip_parts(filled)
        for n, d in parts.items():
            if n.endswith((".xml", ".rels")):
                for a, b in STRICT_NAMESPACES:
                    d = d.replace(a, b)
                parts[n] = d
        return Case("Strict Open XML", "st.xlsx", _zip(parts), None)

    return [truncated, flipped, content_type, old_format, password, missing_sheet, renamed_sheet, extra_sheet, missing_names, moved_name,
            broken_merges, formula_to_constant, odd_number_cell, large_sheet, zip_bomb, entity_bomb, macro,
            absurd_value, formula_or_error, broken_rows, past_xfd, strict]


STRICT_NAMESPACES = (
    (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
    (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
     b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
)


def text_mutations(rng: random.Random) -> list[Callable[[], Case]]:
    txt = (PUBLISHED / "haining-2023.txt").read_text(encoding="utf-8")
    html = (PUBLISHED / "hongkou-2019.html").read_text(encoding="utf-8")

    def gbk() -> Case:
        return Case("GBK text", "g.txt", txt.encode("gb18030"), None)

    def garbage() -> Case:
        return Case("non-UTF-8 garbage", "x.txt", bytes(rng.randrange(128, 256) for _ in range(2000)),
                    ("没有找到政府信息公开申请情况表", "不是 UTF-8 或 GBK"))

    def cut_text() -> Case:
        return Case("truncated report text", "c.txt", txt[: rng.randrange(100, len(txt))].encode(), None)

    def script_html() -> Case:
        payload = "<script>alert('二、上年结转政府信息公开申请数量 9 9 9 9 9 9 9')</script>"
        at = rng.randrange(len(html))
        return Case("HTML with scripts", "s.html", (html[:at] + payload + html[at:]).encode(), None)

    def no_text_pdf() -> Case:
        from PIL import Image

        buf = io.BytesIO()
        Image.new("RGB", (200, 300), "white").save(buf, format="PDF")
        return Case("PDF without text", "p.pdf", buf.getvalue(), "没有文字层")

    data = json.loads((FIXTURES / "haining-2023.json").read_text(encoding="utf-8"))

    def hostile_json() -> Case:
        """Issue 17, classes 6 and 7: control characters, an agency name over 255 characters, huge numbers."""
        d = json.loads(json.dumps(data))
        kind = rng.randrange(3)
        if kind == 0:
            d["text"]["problems"] = "".join(rng.choice("问题\x01\x02\x0b\x1f\x7f\ufffe\u202e。") for _ in range(60))
            d["meta"]["contact"] = "电话\x0c" + str(rng.randrange(10**8))
            return Case("control characters and long names in report data", "cc.json",
                        json.dumps(d, ensure_ascii=False).encode(), None)
        if kind == 1:
            d["meta"]["agency"] = "海宁市" * rng.randint(86, 400) + "人民政府"
            return Case("control characters and long names in report data", "ln.json",
                        json.dumps(d, ensure_ascii=False).encode(), None)
        text = json.dumps(d, ensure_ascii=False)
        number = rng.choice(["1" * 5000, "1e309", "NaN", "Infinity", "1" + "0" * 30])
        text = re.sub(r'("natural_person": )\d+', lambda m: m.group(1) + number, text, count=1)
        return Case("absurd numbers in report data", "an.json", text.encode(), ("报告数据有误", "无法读取的数值"))

    def unicode_bom() -> Case:
        """Issue 17, class 13: Windows Notepad's "Unicode" text (UTF-16/32 with a BOM)."""
        return Case("UTF-16/UTF-32 text with BOM", "u.txt", txt.encode(rng.choice(["utf-16", "utf-32"])), None)

    huge: dict[str, bytes] = {}

    def oversized() -> Case:
        """Issue 17, class 11: 50 MB of text or HTML, a .docx whose text inflates to 210 MB (built once)."""
        kind = rng.choice(["txt", "html", "docx"])
        if kind not in huge:
            if kind == "docx":
                from docx import Document

                buf = io.BytesIO()
                Document().save(buf)
                parts = _zip_parts(buf.getvalue())
                out = io.BytesIO()
                with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
                    for n, d in parts.items():
                        if n != "word/document.xml":
                            z.writestr(n, d)
                    with z.open("word/document.xml", "w", force_zip64=True) as fh:
                        fh.write(parts["word/document.xml"][:-10])
                        for _ in range(210):
                            fh.write(b" " * 2**20)
                        fh.write(parts["word/document.xml"][-10:])
                huge[kind] = out.getvalue()
            else:
                unit = (txt if kind == "txt" else html).encode()
                huge[kind] = unit * (50 * 2**20 // len(unit) + 1)
        return Case("50 MB of text, inflating .docx", f"big.{kind}", huge[kind], "过大")

    return [gbk, garbage, cut_text, script_html, no_text_pdf, hostile_json, unicode_bom, oversized]


def _invoke(args: list[str]) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(main, args, catch_exceptions=True)
    err = getattr(result, "stderr", "") if hasattr(result, "stderr_bytes") and result.stderr_bytes is not None else ""
    out = (result.output or "") + (err or "")
    exc = result.exception if result.exception and not isinstance(result.exception, SystemExit) else None
    return result.exit_code, out, exc


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("fuzzseeds")
    filled = tmp / "filled.xlsx"
    assert nianbao("import", FIXTURES / "haining-2023.json", "-o", filled).code == 0
    return {"filled": filled.read_bytes()}


def test_hostile_inputs_against_every_command(seeds, tmp_path):
    rng = random.Random(20261122)
    workbook_makers = mutations(seeds["filled"], rng)
    text_makers = text_mutations(rng)
    tried, crashes, partial, wrong = Counter(), [], [], []
    slowest = (0.0, "")
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for i in range(CASES):
        maker = (workbook_makers + text_makers)[i % (len(workbook_makers) + len(text_makers))]
        case = maker()
        folder = tmp_path / f"c{i}"
        folder.mkdir()
        src = folder / case.name
        src.write_bytes(case.data)
        workbook = src.suffix in (".xlsx", ".xlsm")
        commands: list[tuple[list[str], Path | None]] = [
            (["validate", str(src)], None),
            (["import", str(src), "-o", str(folder / "out.json")], folder / "out.json"),
            (["generate", str(src), "-o", str(folder / "out.md")], folder / "out.md"),
        ]
        if workbook:
            commands += [(["export", str(src), "-o", str(folder / "e.json")], folder / "e.json"),
                         (["carry-forward", "--from", str(FIXTURES / "hongkou-2019.json"), "--to", str(src)], src),
                         (["collect", str(folder), "--agency", "某市人民政府", "-o", str(folder / "S.xlsx")],
                          folder / "S.xlsx")]
        for args, output in commands:
            before = output.read_bytes() if output is not None and output.exists() else None
            t = time.perf_counter()
            code, text, exc = _invoke(args)
            elapsed = time.perf_counter() - t
            tried[case.kind] += 1
            label = f"{case.kind} / {args[0]}"
            slowest = max(slowest, (elapsed, label))
            if exc is not None or code == 3 or "Traceback" in text:
                crashes.append(f"{label}: {exc!r} {text[-300:]}")
            if case.unreadable is not None and args[0] != "collect" and not (args[0] == "carry-forward"):
                phrases = (case.unreadable,) if isinstance(case.unreadable, str) else case.unreadable
                if code != 2 or not any(p in text for p in phrases):
                    wrong.append(f"{label}: exit {code}, expected 2 with “{case.unreadable}”: {text[:200]}")
            succeeded = code in (0, 1) if args[0] in ("validate", "collect") else code == 0
            if output is not None and not succeeded:
                after = output.read_bytes() if output.exists() else None
                if after != before:
                    partial.append(f"{label}: exit {code} but {output.name} changed")
            if elapsed > 10:
                wrong.append(f"{label}: {elapsed:.1f} s")
        shutil.rmtree(folder, ignore_errors=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [f"nianbao fault suite: {sum(tried.values())} command runs over {CASES} hostile inputs "
             f"({len(tried)} classes)", "", "runs per class:"]
    lines += [f"  {k}: {v}" for k, v in sorted(tried.items())]
    lines += ["", f"crashes (traceback or internal error): {len(crashes)}", f"partial writes: {len(partial)}",
              f"wrong outcomes (message class, exit code, > 10 s): {len(wrong)}",
              f"slowest case: {slowest[1]} {slowest[0]:.2f} s",
              f"peak memory of the test process: {peak_mb:.0f} MB (at start {start_rss / 1024:.0f} MB)"]
    REPORT.write_text("\n".join(lines + ["", *crashes[:20], *partial[:20], *wrong[:20]]) + "\n", encoding="utf-8")
    assert not crashes, crashes[:5]
    assert not partial, partial[:5]
    assert not wrong, wrong[:5]
    assert peak_mb < 500
