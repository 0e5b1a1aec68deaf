"""The edition of a published table is the one printed, never the one its year implies: a 2021
report printed in the 2019 table (small offices kept it) is read in that shape and flagged STR-03
through import, validate and the JSON path; `import -o X.xlsx` writes a workbook of the printed
edition; carry-forward and XYR-01 work across such a pair."""

from __future__ import annotations

import json

from conftest import FIXTURES, load_fixture, nianbao

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import get_path

PUBLISHED = FIXTURES / "published"


def _as_2021(tmp_path):
    """Shanghai's 2020 report (2019 table) with its title year made 2021."""
    text = (PUBLISHED / "shanghai-2020.txt").read_text(encoding="utf-8")
    assert "2020年 上海市政府信息公开工作 年度报告" in text
    src = tmp_path / "shanghai-2021-in-2019-table.txt"
    src.write_text(text.replace("2020年 上海市政府信息公开工作 年度报告", "2021年 上海市政府信息公开工作 年度报告"),
                   encoding="utf-8")
    return src


def _rules(run) -> list[dict]:
    return json.loads(run.out)["findings"]


def test_a_2021_report_in_the_2019_table_is_read_as_printed_and_flagged(tmp_path):
    src = _as_2021(tmp_path)
    out = tmp_path / "x.json"
    run = nianbao("import", src, "-o", out)
    assert run.code == 0, run.err
    data, fixture = json.loads(out.read_text(encoding="utf-8")), load_fixture("shanghai-2020")
    assert (data["edition"], data["meta"]["year"]) == ("2019", 2021)
    assert {p: get_path(data, p) for p in S.EDITION_2019.figure_paths} == {
        p: get_path(fixture, p) for p in S.EDITION_2019.figure_paths}
    for source in (src, out):  # the text path and the JSON path alike
        found = _rules(nianbao("validate", source, "--format", "json"))
        str03 = [f["message"] for f in found if f["rule"] == "STR-03"]
        assert len(str03) == 1 and "2019" in str03[0] and "〔2021〕30号" in str03[0]
        assert not [f for f in found if f["rule"] == "NUM-01"]  # nothing of the 2021 table is "blank"
    book = tmp_path / "x.xlsx"
    assert nianbao("import", src, "-o", book).code == 0
    exported = json.loads(nianbao("export", book).out)
    assert (exported["edition"], exported["meta"]["year"]) == ("2019", 2021)
    assert exported["active"]["procurement"]["amount_yuan"] == fixture["active"]["procurement"]["amount_yuan"]
    assert any(f["rule"] == "STR-03" for f in _rules(nianbao("validate", book, "--format", "json")))


def test_carry_forward_and_xyr01_across_a_2019_table_in_2021(tmp_path):
    last = tmp_path / "2021.xlsx"
    assert nianbao("import", _as_2021(tmp_path), "-o", last).code == 0
    this = tmp_path / "2022.xlsx"
    assert nianbao("new", "--year", "2022", "--agency", "上海市", "-o", this).code == 0
    run = nianbao("carry-forward", "--from", last, "--to", this)
    assert run.code == 0, run.err
    data = json.loads(nianbao("export", this).out)
    want = load_fixture("shanghai-2020")["applications"]["carried_forward"]
    assert {c: data["applications"]["carried_over"][c] for c in want if c != "total"} == {
        c: v for c, v in want.items() if c != "total"}
    found = _rules(nianbao("validate", this, "--previous", last, "--format", "json"))
    assert not [f for f in found if f["rule"] == "XYR-01"]
