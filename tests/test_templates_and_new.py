"""The committed templates equal a fresh build; `nianbao new` makes a usable template."""

from __future__ import annotations

import json
import openpyxl
from conftest import REPO, nianbao

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.xlsx.templates import build_all, bundled, differences


def test_committed_templates_equal_a_fresh_build(tmp_path):
    fresh = [w.path for w in build_all(tmp_path)]
    assert len(fresh) == len(S.EDITIONS)
    for path in fresh:
        committed = REPO / "workbook_templates" / path.name
        assert committed.exists(), f"{committed} is not committed: run `nianbao templates`"
        assert differences(committed, path) == [], "templates are stale: run `nianbao templates`"


def test_differences_sees_a_changed_label(tmp_path):
    (tmp_path / "a").mkdir()
    fresh = build_all(tmp_path / "a")[0].path
    wb = openpyxl.load_workbook(fresh)
    wb["第三部分"]["A1"] = "改过的标题"
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    assert differences(fresh, changed)


def test_templates_check_command():
    run = nianbao("templates", "--check", "--out", REPO / "workbook_templates")
    assert run.code == 0, run.err


def test_installed_package_carries_the_templates():
    for edition in S.EDITIONS.values():
        assert bundled(edition).is_file()


def test_new_picks_the_edition_from_the_year_and_fills_meta(tmp_path):
    out = tmp_path / "hk.xlsx"
    run = nianbao("new", "--year", "2020", "--agency", "上海市虹口区人民政府", "-o", out)
    assert run.code == 0, run.err
    data = json.loads(nianbao("export", out).out)
    assert data["edition"] == "2019"
    assert data["meta"] == {"agency": "上海市虹口区人民政府", "year": 2020, "agency_kind": "government",
                            "unit_id": None, "region": None, "parent": None, "contact": None, "published": None}
    assert data["applications"]["new"]["natural_person"] is None  # blank, not 0
    out2 = tmp_path / "dept.xlsx"
    assert nianbao("new", "--year", "2024", "--agency", "海宁市人民政府办公室", "-o", out2).code == 0
    data = json.loads(nianbao("export", out2).out)
    assert (data["edition"], data["meta"]["agency_kind"]) == ("2021", "department")


def test_new_refuses_an_existing_file_unless_forced(tmp_path):
    out = tmp_path / "x.xlsx"
    out.write_bytes(b"keep me")
    run = nianbao("new", "--year", "2023", "--agency", "甲市人民政府", "-o", out)
    assert run.code == 2 and "已存在" in run.err
    assert out.read_bytes() == b"keep me"
    run = nianbao("new", "--year", "2023", "--agency", "甲市人民政府", "--kind", "other", "-o", out, "--force")
    assert run.code == 0, run.err
    backups = list(tmp_path.glob("x.xlsx.*.bak"))
    assert len(backups) == 1 and backups[0].read_bytes() == b"keep me"
    assert json.loads(nianbao("export", out).out)["meta"]["agency_kind"] == "other"


def test_import_json_to_json_normalises(tmp_path):
    src = tmp_path / "in.json"
    src.write_text(json.dumps({"meta": {"year": 2022, "agency": "乙县人民政府"}}), encoding="utf-8")
    out = tmp_path / "out.json"
    run = nianbao("import", src, "-o", out)
    assert run.code == 0, run.err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["edition"] == "2021" and data["schema"] == "nianbao/report-data@1"
    assert data["review_litigation"]["litigation_direct"]["pending"] is None


def test_import_workbook_to_workbook_keeps_previous(tmp_path):
    this = json.loads((REPO / "tests/fixtures/hongkou-2020.json").read_text(encoding="utf-8"))
    this["previous"] = json.loads((REPO / "tests/fixtures/hongkou-2019.json").read_text(encoding="utf-8"))
    this["previous"]["text"]["problems"] *= 40  # longer than one cell can hold
    src = tmp_path / "hk.json"
    src.write_text(json.dumps(this, ensure_ascii=False), encoding="utf-8")
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert nianbao("import", src, "-o", first).code == 0
    assert nianbao("import", first, "-o", second).code == 0
    back = json.loads(nianbao("export", second).out)
    prev = this["previous"]
    del prev["previous"]
    assert back["previous"] == prev
    assert len(back["previous"]["text"]["problems"]) > 32767


def _references(path) -> dict[str, int]:
    """Per XML part of a package, how many characters outside ASCII it spells as references."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        found = {n: len(re.findall(rb"&#(?:x[0-9a-fA-F]{3,}|[0-9]{3,});", z.read(n))) for n in z.namelist()
                 if n.endswith((".xml", ".rels"))}
    return {n: k for n, k in found.items() if k}


def test_workbooks_are_written_in_utf8_as_excel_writes_them(tmp_path):
    """openpyxl alone spells every Chinese character of a sheet as &#25919;: the bundled templates
    (and so every copy distribute sends) and a written workbook hold their Chinese as UTF-8 text,
    as Excel and WPS save it, and read back the same."""
    from nianbao.workbook_templates.xlsx.reader import read_workbook
    from nianbao.workbook_templates.xlsx.writer import write_workbook

    for edition in S.EDITIONS.values():
        assert _references(bundled(edition)) == {}, edition.key
    data = json.loads((REPO / "tests" / "fixtures" / "haining-2023.json").read_text(encoding="utf-8"))
    out = tmp_path / "filled.xlsx"
    write_workbook(data, out)
    assert _references(out) == {}
    back = read_workbook(out).data
    assert back["meta"]["agency"] == data["meta"]["agency"] and back["text"] == data["text"]
    assert back["applications"] == data["applications"]


def test_utf8_part_rewrites_only_what_it_can_rewrite_whole():
    from xml.etree.ElementTree import canonicalize

    from nianbao.workbook_templates.xlsx.utf8_save import utf8_part

    sheet = '<worksheet xmlns="urn:x"><c r="A1">&#25919;&#24220; &amp; &#13;x</c></worksheet>'.encode()
    out = utf8_part(sheet)
    assert "政府".encode() in out and b"&#25919;" not in out
    assert canonicalize(out.decode("utf-8")) == canonicalize(sheet.decode("utf-8"))  # the same document
    for kept in (b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;&#25919;</a>',  # a DTD: nothing dropped
                 b"<a>&#25919;</a><!-- after the root -->",
                 b"not XML at all &#25919;"):
        assert utf8_part(kept) == kept
