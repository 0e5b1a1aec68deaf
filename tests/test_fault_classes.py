"""The failure classes of issue 17, one case (or a few) each, against the real command line.

Each case asserts the right refusal (exit 2 with the message of its class) or the right result,
no traceback and no internal error (exit 3), nothing partially written, bounded time."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, Run, fixture_path, zip_parts

from nianbao.cli import main


def cli(*args: str | os.PathLike) -> Run:
    """The command line in this process (as the fault suite runs it): no interpreter start per run."""
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
    exc = result.exception if result.exception and not isinstance(result.exception, SystemExit) else None
    return Run(3 if exc else result.exit_code, result.stdout, result.stderr + (repr(exc) if exc else ""))

PUBLISHED = FIXTURES / "published"


def _ok_or_refused(run, *, refused: str | None = None) -> None:
    assert "Traceback" not in run.err and "内部错误" not in run.err and "Error(" not in run.err and run.code != 3, run.err
    if refused is not None:
        assert run.code == 2 and refused in run.err, run.err


def _parts(path: Path) -> dict[str, bytes]:
    return zip_parts(path)


def _rezip(parts: dict[str, bytes], out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in parts.items():
            z.writestr(n, d)
    return out


def _sheet_part(parts: dict[str, bytes], sheet: str) -> str:
    wb, rels = parts["xl/workbook.xml"].decode(), parts["xl/_rels/workbook.xml.rels"].decode()
    rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="(rId\d+)"', wb).group(1)
    t = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + (t.group(1) or t.group(2)).lstrip("/").removeprefix("xl/")


def _set_cell(path: Path, name: str, cell_xml: str, out: Path) -> Path:
    """Replace the cell a defined name points at with ``cell_xml`` (@REF@ and @S@ stand for its
    reference and style); everything else as it was."""
    parts = _parts(path)
    target = re.search(rf'<definedName name="{re.escape(name)}">([^<]+)<', parts["xl/workbook.xml"].decode()).group(1)
    sheet, ref = target.split("!")
    sheet, ref = sheet.strip("'"), ref.replace("$", "")
    part = _sheet_part(parts, sheet)
    text = parts[part].decode()

    def repl(mm: re.Match) -> str:
        style = re.search(r'\ss="\d+"', mm.group(1))
        return cell_xml.replace("@REF@", ref).replace("@S@", style.group(0) if style else "")

    text, n = re.subn(rf'<c r="{ref}"([^>]*?)(/>|>.*?</c>)', repl, text, count=1, flags=re.S)
    assert n == 1
    parts[part] = text.encode()
    return _rezip(parts, out)


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("classes")
    filled, blank = d / "filled-2023.xlsx", d / "blank-2024.xlsx"
    assert cli("import", fixture_path("haining-2023"), "-o", filled).code == 0
    assert cli("new", "--year", "2024", "--agency", "海宁市人民政府", "-o", blank).code == 0
    hk19, hk20 = d / "hongkou-2019.xlsx", d / "hongkou-2020.xlsx"
    assert cli("import", fixture_path("hongkou-2019"), "-o", hk19).code == 0
    assert cli("new", "--year", "2020", "--agency", "上海市虹口区", "-o", hk20).code == 0
    return {"filled": filled, "blank": blank, "hk19": hk19, "hk20": hk20}


# -- class 2: a formula or an error value in 上年结转 is a person's, never blank ------------------

@pytest.mark.parametrize("cell_xml,shown", [
    ('<c r="@REF@"@S@><f>VLOOKUP(A1,B:C,2,0)</f></c>', "=VLOOKUP(A1,B:C,2,0)"),  # never recalculated: no cached value
    ('<c r="@REF@"@S@ t="e"><f>VLOOKUP(A1,B:C,2,0)</f><v>#N/A</v></c>', "#N/A"),
    ('<c r="@REF@"@S@ t="e"><v>#REF!</v></c>', "#REF!"),
    ('<c r="@REF@"@S@ t="inlineStr"><is><t>见附表</t></is></c>', "见附表"),
])
def test_carry_forward_keeps_a_formula_or_error_value_without_force(books, tmp_path, cell_xml, shown):
    this = _set_cell(books["hk20"], "applications.carried_over.natural_person", cell_xml, tmp_path / "this.xlsx")
    before = this.read_bytes()
    run = cli("carry-forward", "--from", books["hk19"], "--to", this)
    _ok_or_refused(run)
    assert run.code == 1 and "冲突" in run.err and shown in run.err, run.err
    assert this.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["this.xlsx"]
    forced = cli("carry-forward", "--from", books["hk19"], "--to", this, "--force")
    assert forced.code == 0, forced.err
    assert json.loads(cli("export", this).out)["applications"]["carried_over"]["natural_person"] == 70


def test_a_formula_without_a_cached_value_is_noted_not_blank(books, tmp_path):
    path = _set_cell(books["filled"], "applications.new.natural_person", '<c r="@REF@"@S@><f>SUM(Z1:Z2)</f></c>',
                     tmp_path / "f.xlsx")
    run = cli("export", path)
    assert run.code == 0
    cell = json.loads(run.out)["source"]["cells"]["applications.new.natural_person"]
    assert cell["printed"] == "=SUM(Z1:Z2)" and "没有计算结果" in cell["note"]


# -- classes 4–6: absurd values in cells are notes, never exit 3, never NaN in JSON ---------------

DATE_CELLS = ["99999999", "-99999999", "1e20", "NaN", "INF"]
NUMBER_CELLS = ["inf", "-inf", "1e309", "NaN", "9" * 5000, "1e20"]


@pytest.mark.parametrize("value", DATE_CELLS)
def test_a_publication_date_out_of_range_is_a_note_for_every_command(books, tmp_path, value):
    path = _set_cell(books["filled"], "meta.published", f'<c r="@REF@"@S@><v>{value}</v></c>', tmp_path / "d.xlsx")
    run = cli("export", path)
    _ok_or_refused(run)
    assert run.code == 0 and json.loads(run.out)["meta"]["published"] is None and "不是有效的日期" in run.err
    _ok_or_refused(cli("validate", path))
    _ok_or_refused(gen := cli("generate", path, "-o", tmp_path / "r.docx"))
    assert gen.code == 0
    blank = tmp_path / "2024.xlsx"
    blank.write_bytes(books["blank"].read_bytes())
    _ok_or_refused(cf := cli("carry-forward", "--from", path, "--to", blank))
    assert cf.code == 0, cf.err


@pytest.mark.parametrize("value", NUMBER_CELLS)
def test_non_finite_and_absurd_numbers_are_notes_and_export_is_valid_json(books, tmp_path, value):
    path = _set_cell(books["filled"], "applications.new.natural_person", f'<c r="@REF@"@S@><v>{value}</v></c>',
                     tmp_path / "n.xlsx")
    run = cli("export", path)
    _ok_or_refused(run)
    assert run.code == 0
    data = json.loads(run.out, parse_constant=lambda c: pytest.fail(f"export wrote {c}"))
    assert data["applications"]["new"]["natural_person"] is None
    assert "applications.new.natural_person" in data["source"]["cells"]
    for fmt in ("docx", "html", "md"):
        _ok_or_refused(gen := cli("generate", path, "-o", tmp_path / f"r.{fmt}"))
        assert gen.code == 0, gen.err
    _ok_or_refused(val := cli("validate", path, "--format", "json"))
    assert "NUM-03" in val.out


@pytest.mark.parametrize("number", ["1" * 5000, "1e309", "NaN", "Infinity", "-Infinity", "10" + "0" * 20])
def test_report_data_with_absurd_numbers_is_a_data_error(tmp_path, number):
    text = fixture_path("haining-2023").read_text(encoding="utf-8")
    text = re.sub(r'("natural_person": )\d+', lambda m: m.group(1) + number, text, count=1)
    src = tmp_path / "d.json"
    src.write_text(text, encoding="utf-8")
    for args in (["import", src, "-o", tmp_path / "o.xlsx"], ["validate", src], ["generate", src, "-o", tmp_path / "o.md"]):
        _ok_or_refused(cli(*args), refused="错误：")
    assert not (tmp_path / "o.xlsx").exists() and not (tmp_path / "o.md").exists()


@pytest.mark.parametrize("mutation,phrase", [
    (lambda x: x.replace('<row r="7"', '<row r="x7"', 1), "行号"),
    (lambda x: x.replace('<row r="7"', '<row r="99999999"', 1), "行号"),
    (lambda x: x.replace("</sheetData>", "<row>" + "<c/>" * 1_000_000 + "</row></sheetData>", 1), "XFD"),
])
def test_broken_rows_are_a_damaged_sheet_not_a_crash(books, tmp_path, mutation, phrase):
    parts = _parts(books["filled"])
    part = _sheet_part(parts, "第三部分")
    parts[part] = mutation(parts[part].decode()).encode()
    path = _rezip(parts, tmp_path / "rows.xlsx")
    t = time.monotonic()
    for args in (["export", path], ["validate", path], ["generate", path, "-o", tmp_path / "o.md"]):
        _ok_or_refused(cli(*args), refused=phrase)
    assert time.monotonic() - t < 30


# -- class 7: the one sanitiser: control characters, long names, format characters ------------

def test_control_characters_and_a_long_agency_name_reach_docx_and_html_clean(tmp_path):
    data = json.loads(fixture_path("haining-2023").read_text(encoding="utf-8"))
    data["meta"]["agency"] = "海宁\x01市人民政府" + "（某某）" * 70  # 282 characters
    data["meta"]["contact"] = "电话\x0b0573-87288888"
    data["text"]["problems"] = "问题\x02\ufffe不少\x7f。"
    src = tmp_path / "ctl.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for fmt in ("docx", "html", "md", "txt"):
        run = cli("generate", src, "-o", tmp_path / f"r.{fmt}")
        _ok_or_refused(run)
        assert run.code == 0, run.err
    from docx import Document

    doc = Document(str(tmp_path / "r.docx"))
    assert len(doc.core_properties.author) <= 255 and doc.core_properties.author.startswith("海宁市人民政府")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "问题不少。" in text and not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "问题不少。" in html and not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe]", html)


@pytest.mark.parametrize("name,expected", [
    ("CONIN$", "_CONIN$"), ("conout$", "_conout$"), ("CON", "_CON"), ("LPT9.txt", "_LPT9.txt"), ("COM¹", "_COM1"),
    ("海宁\u202excod.市人民政府", "海宁xcod.市人民政府"), ("a\u200bb\u2066c\ufeff", "abc"), ("..\\..\\etc", "____etc"),
    ("  .  ", "单位"), ("\u202e", "单位"),
])
def test_file_names_are_safe(name, expected):
    from nianbao.workbook_templates.format.sanitise import file_stem

    assert file_stem(name) == expected


def test_distribute_names_files_without_format_characters_or_reserved_names(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text("名称,类型\nCONIN$,其他\nCONOUT$,其他\n海宁\u202excod.市教育局,部门\n", encoding="utf-8")
    run = cli("distribute", "--roster", roster, "--year", "2024", "--out", tmp_path / "out")
    assert run.code == 0, run.err
    names = {p.name for p in (tmp_path / "out").iterdir() if p.suffix == ".xlsx" and not p.name.startswith("下发")}
    assert names == {"CONIN$-2024.xlsx", "CONOUT$-2024.xlsx", "海宁xcod.市教育局-2024.xlsx"}, names
    assert all(not any(ord(c) in (0x202E, 0x200B) for c in n) for n in names)


# -- class 8: Strict Open XML through carry-forward --------------------------------------------

_T2S = [(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
        (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
         b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
        (b"http://schemas.openxmlformats.org/drawingml/2006/main", b"http://purl.oclc.org/ooxml/drawingml/main"),
        (b"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
         b"http://purl.oclc.org/ooxml/officeDocument/extendedProperties")]


def to_strict(src: Path, out: Path) -> Path:
    """What Excel's "Strict Open XML Spreadsheet" save changes for our markup: the namespaces."""
    parts = _parts(src)
    for n, d in parts.items():
        if n.endswith((".xml", ".rels")):
            for a, b in _T2S:
                d = d.replace(a, b)
            if n == "xl/workbook.xml":
                d = d.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
            parts[n] = d
    return _rezip(parts, out)


def test_strict_open_xml_through_carry_forward_and_annotate(books, tmp_path, libreoffice):
    this = to_strict(books["hk20"], tmp_path / "strict-2020.xlsx")
    run = cli("carry-forward", "--from", books["hk19"], "--to", this)
    _ok_or_refused(run)
    assert run.code == 0, run.err
    parts = _parts(this)
    assert b"schemas.openxmlformats.org/spreadsheetml" not in b"".join(
        d for n, d in parts.items() if n.endswith((".xml", ".rels")))  # still Strict throughout
    data = json.loads(cli("export", this).out)
    assert data["applications"]["carried_over"]["natural_person"] == 70 and data["previous"]["meta"]["year"] == 2019
    run = cli("validate", this, "--annotate")
    _ok_or_refused(run)
    assert run.code in (0, 1)
    # an independent engine opens the Strict result and computes the 上年结转 total from our cell
    recalculated = libreoffice.recalc([this], tmp_path / "lo")[0]
    back = json.loads(cli("export", recalculated).out)
    assert back["applications"]["carried_over"]["total"] == 70
    assert "校验结果" in zipfile.ZipFile(recalculated).read("xl/workbook.xml").decode()


# -- class 9: a closed pipe is quiet ----------------------------------------------------------

def test_export_into_a_closed_pipe_is_quiet(books):
    r, w = os.pipe()
    os.close(r)  # the reader (`head`) has gone before anything is written
    p = subprocess.run([sys.executable, "-m", "nianbao", "export", str(books["filled"])], stdout=w,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    os.close(w)
    assert p.returncode in (0, 141) and p.stderr == "", p.stderr


def test_export_piped_into_head(books):
    p = subprocess.run(f'"{sys.executable}" -m nianbao export "{books["filled"]}" | head -c 10', shell=True,
                       capture_output=True, text=True, timeout=60, executable="/bin/bash")
    assert p.stdout == "{\n  \"schem" and p.stderr == "", p.stderr


# -- class 11: one size/kind guard for every input -----------------------------------------------

def test_a_device_or_a_fifo_is_refused_at_once(tmp_path):
    link = tmp_path / "z.txt"
    link.symlink_to("/dev/urandom")
    fifo = tmp_path / "f.html"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.xlsx"
    zero.symlink_to("/dev/zero")
    for src in (link, fifo, zero):
        t = time.monotonic()
        for args in (["validate", src], ["import", src, "-o", tmp_path / "o.json"]):
            _ok_or_refused(cli(*args), refused="不是普通文件")
        assert time.monotonic() - t < 20
    _ok_or_refused(cli("carry-forward", "--from", link, "--to", zero), refused="不是普通文件")


@pytest.mark.skipif(not Path("/proc/self/mounts").is_file(), reason="a /proc file: Linux only")
def test_a_file_that_holds_more_than_its_size_says_is_read_whole_and_within_its_limit():
    """A regular file whose status gives 0 bytes and that holds more (every /proc file): read
    whole, never cut at the size it gave; and refused once what it holds passes the limit."""
    from nianbao.workbook_templates.format.errors import UnreadableFile
    from nianbao.workbook_templates.format.input_files import read_input

    mounts = Path("/proc/self/mounts")  # the same text for the test's process while it reads
    assert mounts.stat().st_size == 0
    text = read_input(mounts)
    assert len(text) > 100 and text == mounts.read_bytes()
    with pytest.raises(UnreadableFile, match="过大"):
        read_input(mounts, limit=len(text) - 1)
    assert read_input(mounts, limit=len(text)) == text


@pytest.mark.parametrize("suffix", [".html", ".txt"])
def test_fifty_megabytes_of_text_is_refused_quickly(tmp_path, suffix):
    src = tmp_path / f"big{suffix}"
    unit = (PUBLISHED / "haining-2023.txt").read_bytes()
    with src.open("wb") as fh:
        for _ in range(50 * 2**20 // len(unit) + 1):
            fh.write(unit)
    t = time.monotonic()
    _ok_or_refused(cli("import", src, "-o", tmp_path / "o.json"), refused="过大")
    assert time.monotonic() - t < 10 and not (tmp_path / "o.json").exists()


def _bomb_zip(parts: dict[str, bytes], member: str, mb: int, out: Path) -> Path:
    """A package whose ``member`` inflates to ``mb`` MB of spaces (written in chunks)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for n, d in parts.items():
            if n != member:
                z.writestr(n, d)
        with z.open(member, "w", force_zip64=True) as fh:
            fh.write(parts[member][:-10])
            chunk = b" " * 2**20
            for _ in range(mb):
                fh.write(chunk)
            fh.write(parts[member][-10:])
    return out


def test_a_docx_whose_text_inflates_to_600_mb_is_refused_before_it_is_inflated(books, tmp_path):
    docx = tmp_path / "r.docx"
    assert cli("generate", books["filled"], "-o", docx).code == 0
    bomb = _bomb_zip(_parts(docx), "word/document.xml", 600, tmp_path / "bomb.docx")
    measure = ("import resource, subprocess, sys\n"
               "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
               "sys.stderr.write(p.stderr)\n")
    p = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "nianbao", "import", str(bomb), "-o",
                        str(tmp_path / "o.json")], capture_output=True, text=True, timeout=120)
    code, peak_kb = map(int, p.stdout.split())
    assert code == 2 and "过大" in p.stderr, p.stderr
    assert peak_kb < 300 * 1024, f"{peak_kb} KB"


def test_a_zip_of_too_many_parts_is_refused(books, tmp_path):
    parts = _parts(books["filled"])
    parts.update({f"xl/media/x{i}.bin": b"" for i in range(10_050)})
    path = _rezip(parts, tmp_path / "many.xlsx")
    _ok_or_refused(cli("export", path), refused="部件过多")


def test_a_pdf_bomb_is_refused(tmp_path):
    import zlib

    stream = zlib.compress(b"0" * (120 * 2**20), 9)
    pdf = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
           b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R>>endobj\n"
           b"4 0 obj<</Length " + str(len(stream)).encode() + b"/Filter/FlateDecode>>stream\n" + stream +
           b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    src = tmp_path / "bomb.pdf"
    src.write_bytes(pdf)
    t = time.monotonic()
    _ok_or_refused(cli("import", src, "-o", tmp_path / "o.json"), refused="错误：")
    assert time.monotonic() - t < 30


# -- class 13: template folder, year, UTF-16/32 ---------------------------------------------

def test_generate_with_a_template_folder_without_report_j2_is_refused(books, tmp_path):
    folder = tmp_path / "我的模板"
    folder.mkdir()
    (folder / "other.j2").write_text("@title x\n", encoding="utf-8")
    _ok_or_refused(cli("generate", books["filled"], "--template", folder, "-o", tmp_path / "r.md"),
                   refused="report.j2")
    assert not (tmp_path / "r.md").exists()


@pytest.mark.parametrize("year", ["99999", "2101", "-5"])
def test_new_refuses_an_implausible_year(tmp_path, year):
    _ok_or_refused(cli("new", "--year", year, "--agency", "甲", "-o", tmp_path / "x.xlsx"), refused=year)
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom", "utf-32", "utf-32-be-bom"])
def test_utf16_and_utf32_text_with_a_bom_is_read(tmp_path, encoding):
    text = (PUBLISHED / "haining-2023.txt").read_text(encoding="utf-8")
    if encoding.endswith("-bom"):
        codec = encoding.removesuffix("-bom")
        raw = "\ufeff".encode(codec) + text.encode(codec)
    else:
        raw = text.encode(encoding)
    src = tmp_path / "notepad.txt"
    src.write_bytes(raw)
    run = cli("import", src, "-o", tmp_path / "o.json")
    assert run.code == 0, run.err
    reference = tmp_path / "ref.json"
    assert cli("import", PUBLISHED / "haining-2023.txt", "-o", reference).code == 0
    got, want = json.loads((tmp_path / "o.json").read_text("utf-8")), json.loads(reference.read_text("utf-8"))
    assert got["applications"] == want["applications"] and got["meta"] == want["meta"]
