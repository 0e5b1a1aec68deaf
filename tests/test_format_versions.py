"""Workbooks made from every earlier template version keep working: a city receives returns made
from last month's template and last year's.  Each version of ``FORMAT_VERSIONS`` has its blank
templates kept here as fixtures (add them when you raise the version), and a workbook annotated
and acknowledged by an earlier version's code keeps its acknowledgements."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import fixture_path, nianbao

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.xlsx.reader import read_workbook

WORKBOOKS = Path(__file__).parent / "fixtures" / "workbooks"
TEMPLATES = sorted(WORKBOOKS.glob("template-*-v*.xlsx"))


def version_of(path: Path) -> str:
    return re.search(r"-v(\w+)\.xlsx$", path.name).group(1)


def test_every_version_has_its_templates():
    kept = {(p.name.split("-")[1], version_of(p)) for p in TEMPLATES}
    assert kept == {(e, v) for e in S.EDITIONS for v in S.FORMAT_VERSIONS}
    assert S.FORMAT_VERSION == S.FORMAT_VERSIONS[-1] == "2"  # 2: 第三部分 and 文字部分 print landscape, ≥ 9 pt


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_an_earlier_template_reads_without_int01(path, tmp_path):
    read = read_workbook(path)
    assert read.integrity == []
    assert (read.data.get("source") or {}).get("integrity") in (None, [])
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    run = nianbao("validate", copy, "--annotate", "--format", "json")
    assert run.code in (0, 1), run.err
    assert "INT-01" not in [f["rule"] for f in json.loads(run.out)["findings"]]


ACKED = WORKBOOKS / "hongkou-2020-acknowledged-v1.xlsx"


def _findings(path: Path) -> list[dict]:
    run = nianbao("validate", path, "--format", "json")
    assert run.code == 1, run.err
    return json.loads(run.out)["findings"]


def test_acknowledgements_typed_into_a_v1_results_sheet_still_count(tmp_path):
    """Annotated by version 1's code; a person confirmed two warnings (and tried an error)."""
    path = tmp_path / "虹口区2020.xlsx"
    shutil.copy(ACKED, path)
    acked = {(f["rule"], f["acknowledged"]["by"]) for f in _findings(path) if f["acknowledged"]}
    assert acked == {("XYR-05", "李四"), ("TXT-04", "王五")}
    found = _findings(path)
    assert [f["acknowledged"] for f in found if f["rule"] == "TXT-03"] == [None]  # an error stays an error
    assert "INT-01" not in [f["rule"] for f in found]
    # written again by today's code, the confirmations are carried into the new sheet
    assert nianbao("validate", path, "--annotate").code == 1
    assert {(f["rule"], f["acknowledged"]["by"]) for f in _findings(path) if f["acknowledged"]} == acked


def test_carry_forward_into_a_v1_workbook(tmp_path):
    path = tmp_path / "虹口区2020.xlsx"
    shutil.copy(ACKED, path)
    run = nianbao("carry-forward", "--from", fixture_path("hongkou-2019"), "--to", path)
    assert run.code == 0, run.err
    assert "INT-01" not in run.err
    data = json.loads(nianbao("export", path).out)
    assert data["applications"]["carried_over"]["total"] == 70
