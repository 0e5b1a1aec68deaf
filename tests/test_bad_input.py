"""Bad input gets a clear Chinese message (English after), exit 2, no traceback, and no
output file touched.  Odd values inside a good workbook are read and kept, not refused."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import fixture_path, nianbao

TEMPLATE = Path(__file__).resolve().parents[1] / "workbook_templates" / "nianbao-2021.xlsx"


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory, libreoffice) -> dict[str, tuple[Path, str]]:
    """name -> (file, a phrase its message must contain)."""
    d = tmp_path_factory.mktemp("bad")
    files: dict[str, tuple[Path, str]] = {}

    def add(name: str, content: bytes, phrase: str) -> None:
        (d / name).write_bytes(content)
        files[name] = (d / name, phrase)

    add("text.xlsx", "机关名称,年度\n海宁,2023\n".encode(), "不是 Excel 工作簿")
    add("empty.xlsx", b"", "文件是空的")
    add("truncated.xlsx", TEMPLATE.read_bytes()[: TEMPLATE.stat().st_size // 2], "已损坏")
    add("report.pdf.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "PDF")
    for name, member, phrase in (
        ("binary.xlsb", "xl/workbook.bin", ".xlsb"),
        ("word.xlsx", "word/document.xml", "Word 文档"),
        ("nothing.xlsx", "hello.txt", "缺少 xl/workbook.xml"),
    ):
        with zipfile.ZipFile(d / name, "w") as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr(member, "<x/>")
        files[name] = (d / name, phrase)
    # real old formats, written by LibreOffice from our own template
    xls, ods = libreoffice.convert([TEMPLATE], "xls", d / "xls")[0], libreoffice.convert([TEMPLATE], "ods", d / "ods")[0]
    files["old.xls"] = (xls, "旧版 Excel（.xls）")
    shutil.copy(xls, d / "wps.et")
    files["wps.et"] = (d / "wps.et", "WPS 表格（.et）")
    files["calc.ods"] = (ods, "OpenDocument")
    # a real password-protected workbook (ECMA-376 agile encryption, as Excel writes it)
    import io

    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    with TEMPLATE.open("rb") as fh:
        OOXMLFile(fh).encrypt("口令123", encrypted)
    add("encrypted.xlsx", encrypted.getvalue(), "设置了打开密码")
    # valid workbooks that are not ours, or ours damaged
    wb = openpyxl.Workbook()
    wb.active["A1"] = "预算表"
    wb.save(d / "foreign.xlsx")
    files["foreign.xlsx"] = (d / "foreign.xlsx", "不是 nianbao 年报模板")
    wb = openpyxl.load_workbook(TEMPLATE)
    del wb["第四部分"]
    wb.save(d / "no-sheet.xlsx")
    files["no-sheet.xlsx"] = (d / "no-sheet.xlsx", "缺少工作表：第四部分")
    wb = openpyxl.load_workbook(TEMPLATE)
    for name in ("applications.new.natural_person", "text.problems", "fees.notices_issued"):
        del wb.defined_names[name]
    wb.save(d / "no-names.xlsx")
    files["no-names.xlsx"] = (d / "no-names.xlsx", "缺少 3 个定义名称")
    return files


CASES = ["text.xlsx", "empty.xlsx", "encrypted.xlsx", "truncated.xlsx", "report.pdf.xlsx", "binary.xlsb", "word.xlsx",
         "nothing.xlsx", "old.xls", "wps.et", "calc.ods", "foreign.xlsx", "no-sheet.xlsx", "no-names.xlsx"]


def _assert_refused(run, phrase: str) -> None:
    assert run.code == 2, run.err
    assert "Traceback" not in run.err
    assert run.err.startswith("错误：") and phrase in run.err, run.err
    assert "\nError: " in run.err  # English after the Chinese


@pytest.mark.parametrize("case", CASES)
def test_export_refuses_with_the_message_of_its_class(bad_files, case, tmp_path):
    path, phrase = bad_files[case]
    out = tmp_path / "out.json"
    _assert_refused(nianbao("export", path, "-o", out), phrase)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("case", CASES)
def test_import_refuses_and_leaves_the_existing_output_untouched(bad_files, case, tmp_path):
    path, phrase = bad_files[case]
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"a person's file")
    _assert_refused(nianbao("import", path, "-o", out), phrase)
    assert out.read_bytes() == b"a person's file"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temporary or backup left


def test_missing_file(tmp_path):
    _assert_refused(nianbao("export", tmp_path / "nope.xlsx"), "找不到文件")


@pytest.mark.parametrize("content,phrase", [
    (b"{not json", "不是有效的 JSON"),
    ("\ufeff[1, 2]".encode(), "应为一个 JSON 对象"),
    (json.dumps({"edition": "2021", "applications": {"new": {"natural_person": "多"}}}).encode(), "报告数据有误"),
    ("{}".encode("utf-16"), "不是 UTF-8"),
])
def test_bad_report_data(tmp_path, content, phrase):
    src = tmp_path / "data.json"
    src.write_bytes(content)
    out = tmp_path / "out.xlsx"
    _assert_refused(nianbao("import", src, "-o", out), phrase)
    assert not out.exists()


def test_output_path_a_file_and_wrong_suffix(tmp_path):
    (tmp_path / "no").write_text("a file where a folder should be", encoding="utf-8")
    _assert_refused(nianbao("import", fixture_path("haining-2023"), "-o", tmp_path / "no" / "x.xlsx"),
                    "同名文件")  # a missing folder is created (test_overwrite_policy); a file in its place is not
    _assert_refused(nianbao("import", fixture_path("haining-2023"), "-o", tmp_path / "x.docx"), ".json / .xlsx")
    _assert_refused(nianbao("new", "--year", "2018", "--agency", "甲", "-o", tmp_path / "x.xlsx"), "2018")


def _filled(tmp_path: Path) -> Path:
    out = tmp_path / "haining.xlsx"
    assert nianbao("import", fixture_path("haining-2023"), "-o", out).code == 0
    return out


def test_text_and_negative_numbers_are_read_and_kept(tmp_path):
    path = _filled(tmp_path)
    wb = openpyxl.load_workbook(path)
    names = {n: wb.defined_names[n].attr_text for n in wb.defined_names}

    def cell(p):
        sheet, ref = names[p].split("!")
        return wb[sheet.strip("'")][ref.replace("$", "")]

    c = cell("active.normative_documents.issued")
    c.value, c.data_type = "18(含新制发4件,修改14件)", "s"
    cell("applications.granted.commercial").value = -5
    c = cell("applications.new.research")
    c.value, c.data_type = "/", "s"
    c = cell("review_litigation.review.upheld")
    c.value, c.data_type = "两件", "s"
    wb.save(path)
    run = nianbao("export", path)
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["active"]["normative_documents"]["issued"] == 18
    assert data["applications"]["granted"]["commercial"] == -5
    assert data["applications"]["new"]["research"] is None
    assert data["review_litigation"]["review"]["upheld"] is None
    cells = data["source"]["cells"]
    assert cells["active.normative_documents.issued"]["printed"] == "18(含新制发4件,修改14件)"
    assert cells["review_litigation.review.upheld"] == {"printed": "两件", "note": "单元格里是文字，不是数字"}
    assert "applications.new.research" not in cells  # '/' is a blank mark, not text
    assert "两件" in run.err


def test_a_total_replaced_by_a_constant_is_reported_not_trusted_silently(tmp_path):
    path = _filled(tmp_path)
    wb = openpyxl.load_workbook(path)
    sheet, ref = wb.defined_names["applications.new.total"].attr_text.split("!")
    wb[sheet.strip("'")][ref.replace("$", "")] = 600
    wb["第四部分"].protection.sheet = False
    wb.save(path)
    run = nianbao("export", path)
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["applications"]["new"]["total"] == 600  # the constant, as found
    assert data["applications"]["total_handled"]["total"] == 523
    integrity = data["source"]["integrity"]
    assert {i["rule"] for i in integrity} == {"INT-01"}
    assert any(i.get("path") == "applications.new.total" and "常量 600" in i["message"] for i in integrity)
    assert any(i.get("sheet") == "第四部分" and "保护被撤销" in i["message"] for i in integrity)
    assert "警告 INT-01" in run.err


def test_text_never_becomes_a_formula(tmp_path):
    data = json.loads(fixture_path("haining-2023").read_text(encoding="utf-8"))
    data["meta"]["agency"] = '=HYPERLINK("http://evil.example","点我")'
    data["text"]["problems"] = "=1+1\x01"
    src = tmp_path / "evil.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "evil.xlsx"
    assert nianbao("import", src, "-o", out).code == 0
    wb = openpyxl.load_workbook(out)
    for name in ("meta.agency", "text.problems"):
        sheet, ref = wb.defined_names[name].attr_text.split("!")
        cell = wb[sheet.strip("'")][ref.replace("$", "")]
        assert cell.data_type == "s", name
    back = json.loads(nianbao("export", out).out)
    assert back["meta"]["agency"] == data["meta"]["agency"]
    assert back["text"]["problems"] == "=1+1"  # the control character is dropped


def test_a_moved_defined_name_is_reported(tmp_path):
    path = _filled(tmp_path)
    wb = openpyxl.load_workbook(path)
    from openpyxl.workbook.defined_name import DefinedName

    wb.defined_names["applications.new.natural_person"] = DefinedName(
        "applications.new.natural_person", attr_text="'第三部分'!$D$8")
    wb.save(path)
    run = nianbao("validate", path, "--format", "json")
    messages = [f["message"] for f in json.loads(run.out)["findings"] if f["rule"] == "INT-01"]
    assert any("定义名称指向了与模板不同的单元格" in m and "applications.new.natural_person" in m for m in messages)


def test_an_unknown_template_version_is_reported(tmp_path):
    path = _filled(tmp_path)
    wb = openpyxl.load_workbook(path)
    sheet, ref = wb.defined_names["format_version"].attr_text.split("!")
    wb[sheet.strip("'")][ref.replace("$", "")] = "99"
    wb.save(path)
    run = nianbao("validate", path, "--format", "json")
    messages = [f["message"] for f in json.loads(run.out)["findings"] if f["rule"] == "INT-01"]
    assert any("format_version" in m and "'99'" in m for m in messages), messages


def test_a_total_replaced_by_an_infinite_constant_exports_valid_json(tmp_path):
    """Found by the long run of the fault suite: the fact INT-01 records held the constant inf,
    and `export` (which refuses NaN/Infinity in JSON) failed with an internal error."""
    import re
    import zipfile

    path = _filled(tmp_path)
    ref = openpyxl.load_workbook(path).defined_names["applications.total_handled.public_interest"].attr_text
    cell = ref.split("!")[1].replace("$", "")
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for name, raw in parts.items():  # the total's formula replaced by the constant inf, as a file can hold it
        if name.startswith("xl/worksheets/") and f'r="{cell}"'.encode() in raw:
            parts[name] = re.sub(rf'<c r="{cell}"([^>]*)>.*?</c>'.encode(), rf'<c r="{cell}"\1><v>inf</v></c>'.encode(), raw)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, raw in parts.items():
            z.writestr(name, raw)
    for command in ("export", "validate"):
        run = nianbao(command, path, *(["--format", "json"] if command == "validate" else []))
        assert run.code in (0, 1, 2) and "内部错误" not in run.err, run.err
    data = json.loads(nianbao("export", path).out)
    fact = next(i for i in data["source"]["integrity"] if i.get("path") == "applications.total_handled.public_interest")
    assert fact["fact"] == "formula_replaced" and fact["value"] is None
