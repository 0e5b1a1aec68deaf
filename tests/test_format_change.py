"""A format change is one edit: rename one official label in a copy of the schema and everything
that prints, reads or checks the format follows — the template builder, the workbook reader, the
importer of published reports, the renderers and the rules."""

from __future__ import annotations

import dataclasses

import openpyxl
import pytest
from conftest import load_fixture

from nianbao.addin.checks.validate import check
from nianbao.generator import render
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import get_path
from nianbao.workbook_templates.published.text import parse_report
from nianbao.workbook_templates.xlsx.builder import build, fill
from nianbao.workbook_templates.xlsx.reader import read_workbook

OLD, NEW = "（一）予以公开", "（一）依申请予以公开"


@pytest.fixture
def renamed(monkeypatch) -> S.Edition:
    """The 2021 edition with one row label changed, installed as *the* 2021 edition."""
    base = S.get_edition("2021")
    rows = tuple(dataclasses.replace(r, label=NEW) if r.label == OLD else r for r in base.application_rows)
    edition = dataclasses.replace(base, application_rows=rows)
    monkeypatch.setitem(S.EDITIONS, "2021", edition)
    monkeypatch.setattr(S, "EDITION_2021", edition)
    return edition


def _cells(wb: openpyxl.Workbook) -> set[str]:
    return {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}


def test_builder_and_reader_follow(renamed, tmp_path):
    data = load_fixture("haining-2023")
    template = build(renamed)
    fill(template, data)
    path = tmp_path / "renamed.xlsx"
    template.workbook.save(path)
    texts = _cells(openpyxl.load_workbook(path))
    assert NEW in texts and OLD not in texts
    back = read_workbook(path).data
    assert get_path(back, "applications.granted.total") == get_path(data, "applications.granted.total") == 383
    assert renamed.fields["applications.granted.total"].row == NEW
    assert NEW in renamed.describe("applications.granted.total")


def test_renderers_importer_and_rules_follow(renamed):
    data = load_fixture("haining-2023")
    for suffix in (".md", ".txt", ".html"):
        out = render(data, suffix).decode("utf-8")
        assert NEW in out and OLD + "<" not in out and OLD + " " not in out, suffix
    printed = render(data, ".txt").decode("utf-8")
    imported = parse_report(printed).data
    for path in renamed.figure_paths:
        assert get_path(imported, path) == get_path(data, path), path
    assert not [f for f in check(imported) if f.rule == "LBL-01"]
    # the importer reads the row by the new label: printed under another label, the row is not found
    assert get_path(parse_report(printed.replace(NEW, "（一）别的标签")).data, "applications.granted.total") is None
    # and the rules compare printed labels with the new one
    noted = {**data, "source": {"format": "txt", "labels": {"applications.granted": NEW + "（含转办）"}}}
    assert [f.message for f in check(noted) if f.rule == "LBL-01"] == [f"第三部分“{NEW}”印为“{NEW}（含转办）”"]


def test_the_copy_does_not_leak(renamed):
    """The edition object is replaced for this test only; messages use the copy's label."""
    assert S.get_edition("2021") is renamed
    found = check({**load_fixture("haining-2023"), "applications": {
        **load_fixture("haining-2023")["applications"], "granted": {
            **load_fixture("haining-2023")["applications"]["granted"], "total": 385}}})
    assert any(NEW in f.message for f in found if f.rule == "ARI-03")
