"""Blank cells are blank in every text form a published table takes — tabs with nothing between
them, `|` pipes (plain text and markdown), `·`, `<td></td>`, a .docx — never a reason to refuse
the row (every 法人或其他组织 column left empty, as small offices print it)."""

from __future__ import annotations

import copy
import html
import json

import pytest
from conftest import load_fixture, nianbao

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import get_path

ED = S.EDITION_2021
LEGAL = ("commercial", "research", "public_interest", "legal_service", "other_org")


def _expected() -> dict:
    """Haining 2023 with every 法人或其他组织 cell of 第三部分 blank (null)."""
    data = copy.deepcopy(load_fixture("haining-2023"))
    for row in data["applications"].values():
        for c in LEGAL:
            row[c] = None
    return data


def _rows(data: dict) -> list[tuple[str, list]]:
    out = []
    for block in ED.active_blocks:
        out.append((block.caption, []))
        out.append((S.ACTIVE_ITEM, [c.label for c in block.columns]))
        for r in block.rows:
            out.append((r.label, [get_path(data, f"active.{r.key}.{c.key}") for c in block.columns]))
    return out


def _table3(data: dict) -> list[tuple[str, list]]:
    return [(r.label, [data["applications"][r.key][c.key] for c in ED.application_columns])
            for r in ED.application_rows]


def _review(data: dict) -> list:
    return [data["review_litigation"][g.key][r.key] for g in ED.review_groups for r in ED.review_results]


def _text(data: dict, cell, sep: str, wrap=lambda cells: cells) -> str:
    def line(label, values):
        return wrap(sep.join([label, *(cell(v) for v in values)]))
    h = ED.headings
    parts = [f"{data['meta']['agency']}{data['meta']['year']}年度政府信息公开工作年度报告", h[0], "正文。", h[1]]
    parts += [line(lab, vals) for lab, vals in _rows(data)]
    parts += [h[2]] + [line(lab, vals) for lab, vals in _table3(data)]
    parts += [h[3], wrap(sep.join(cell(v) for v in _review(data))), h[4], "问题。", h[5], "未收取信息处理费。"]
    return "\n".join(parts) + "\n"


def _blank(mark: str):
    return lambda v: mark if v is None else str(v)


FORMS = {
    "tabs": (".txt", lambda d: _text(d, _blank(""), "\t")),
    "pipes": (".txt", lambda d: _text(d, _blank(""), " | ", lambda s: f"| {s} |")),
    "dots": (".txt", lambda d: _text(d, _blank("·"), "\t")),
    "markdown": (".md", lambda d: _text(d, _blank(""), " | ", lambda s: f"| {s} |")),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_blank_cells_in_text(tmp_path, form):
    suffix, write = FORMS[form]
    want = _expected()
    src = tmp_path / f"blank-{form}{suffix}"
    src.write_text(write(want), encoding="utf-8")
    _check(tmp_path, src, want)


def test_blank_cells_in_html(tmp_path):
    want = _expected()

    def row(label, values):
        return "<tr><td>" + html.escape(label) + "</td>" + "".join(
            "<td></td>" if v is None else f"<td>{v}</td>" for v in values) + "</tr>"
    h = ED.headings
    body = [f"<h1>{want['meta']['agency']}{want['meta']['year']}年度政府信息公开工作年度报告</h1>", f"<p>{h[0]}</p>",
            "<p>正文。</p>", f"<p>{h[1]}</p>", "<table>", *(row(a, b) for a, b in _rows(want)), "</table>",
            f"<p>{h[2]}</p>", "<table>", *(row(a, b) for a, b in _table3(want)), "</table>", f"<p>{h[3]}</p>",
            "<table><tr>" + "".join(f"<td>{v}</td>" for v in _review(want)) + "</tr></table>",
            f"<p>{h[4]}</p><p>问题。</p><p>{h[5]}</p><p>未收取信息处理费。</p>"]
    src = tmp_path / "blank.html"
    src.write_text("<html><body>" + "\n".join(body) + "</body></html>", encoding="utf-8")
    _check(tmp_path, src, want)


def _check(tmp_path, src, want):
    out = tmp_path / f"{src.stem}.json"
    run = nianbao("import", src, "-o", out)
    assert run.code == 0, run.err
    data = json.loads(out.read_text(encoding="utf-8"))
    got = {p: get_path(data, p) for p in ED.figure_paths}
    assert {p: (got[p], get_path(want, p)) for p in ED.figure_paths if got[p] != get_path(want, p)} == {}
    found = json.loads(nianbao("validate", src, "--format", "json").out)["findings"]
    blank = [f for f in found if f["rule"] == "NUM-01"]
    assert len(blank) == len(ED.application_rows)  # one per row of 第三部分, naming its blank columns
