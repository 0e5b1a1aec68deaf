"""Importing published reports saved as text (a first part of issue 6): the tables of the real
seeds come back exactly as transcribed by hand, printed mistakes included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, load_fixture, nianbao

from nianbao.workbook_templates import schema as S
from nianbao.workbook_templates.published_text import value_cell
from nianbao.workbook_templates.report_data import get_path

PUBLISHED = FIXTURES / "published"


def figures(data: dict) -> dict:
    edition = S.get_edition(data["edition"])
    return {p: get_path(data, p) for p in edition.figure_paths}


def imported(tmp_path: Path, src: Path, *extra: str) -> dict:
    out = tmp_path / "out.json"
    run = nianbao("import", src, "-o", out, *extra)
    assert run.code == 0, run.err
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["haining-2023", "shanghai-2020"])
def test_tables_equal_the_hand_transcription(tmp_path, name):
    data = imported(tmp_path, PUBLISHED / f"{name}.txt")
    fixture = load_fixture(name)
    assert data["edition"] == fixture["edition"]
    assert figures(data) == figures(fixture)
    assert (data["meta"]["agency"], data["meta"]["year"]) == (fixture["meta"]["agency"], fixture["meta"]["year"])


def test_a_page_with_several_reports_asks_for_the_year(tmp_path):
    run = nianbao("import", PUBLISHED / "hongkou-page.txt", "-o", tmp_path / "x.json")
    assert run.code == 2 and "--year" in run.err
    assert "2020 年度" in run.err and "2019 年度" in run.err
    assert not (tmp_path / "x.json").exists()
    for year in (2020, 2019):
        data = imported(tmp_path, PUBLISHED / "hongkou-page.txt", "--year", str(year))
        assert figures(data) == figures(load_fixture(f"hongkou-{year}"))
    cells = data["source"]["cells"]
    assert cells["active.procurement.amount_yuan"]["printed"] == "67552.91(万元)"


def test_gbk_text_and_a_text_without_tables(tmp_path):
    gbk = tmp_path / "haining-gbk.txt"
    gbk.write_bytes((PUBLISHED / "haining-2023.txt").read_text(encoding="utf-8").encode("gb18030"))
    assert figures(imported(tmp_path, gbk)) == figures(load_fixture("haining-2023"))
    run = nianbao("import", PUBLISHED / "shanghai-2023-work-plan.txt", "-o", tmp_path / "y.json")
    assert run.code == 2 and "没有找到政府信息公开申请情况表" in run.err


def test_validating_published_reports(tmp_path):
    run = nianbao("validate", PUBLISHED / "shanghai-2020.txt", "--format", "json")
    assert run.code == 1
    ari = [f["message"] for f in json.loads(run.out)["findings"] if f["rule"] == "ARI-01"]
    assert ari[0] == "第三部分“自然人”列：一＋二＝28281，三（七）＋四＝28214，相差67" and len(ari) == 5
    run = nianbao("validate", PUBLISHED / "haining-2023.txt", "--format", "json")
    assert run.code == 0
    assert [f["rule"] for f in json.loads(run.out)["findings"]] == ["LBL-02", "XYR-01"]  # the stale 2020 in the label


@pytest.mark.parametrize("token,value,noted", [
    ("505", 505, False), ("０", 0, False), ("l0", 10, True), ("2O5", 205, True), ("+5174", 5174, False),
    ("18(含新制发4件,修改14件)", 18, True), ("67552.91(万元)", 675529100, True), ("/", None, False),
])
def test_value_cells(token, value, noted):
    cell = value_cell(token)
    assert cell is not None and cell.value == value and bool(cell.note) is noted
    assert value_cell("信息内容") is None
