"""The JSON API the WPS add-in (addin/wps) calls: the four ribbon buttons as data in, data out.

Everything a button needs comes in the request, explicitly: the values of the workbook's named
cells read by the add-in in one sweep (校验, 导入上年数据), or the saved workbook's path (生成报告,
新建年报).  What comes back is data for the add-in to write — the 校验结果 rows, the mark lists for
the hidden sheet, the carry-forward writes and their conflicts, the paths written — never a
change to the open workbook made behind its back.

The boundary: the add-in runs in WPS's browser, whose origin cannot be known here, so CORS is open
(``*``, no credentials) for these routes only, and the run's token is required in the
``X-Nianbao-Token`` header (the cookie is not accepted here: a web page can neither read the
user-only ``workbench.json`` nor set that header cross-origin without a preflight that gets no
token).  The Host check of the workbench's gate applies first, as for every request.  A request
touches only the paths it is about: the workbook it names and the files beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import NianbaoError, OutputError, UnreadableFile
from nianbao.workbook_templates.xlsx.cellrefs import absolute, expand, quote_sheet
from nianbao.workbook_templates.xlsx.package import Cell
from nianbao.workbook_templates.xlsx.reader import WorkbookRead, bind

PREFIX = "/api/wps/"
WORKBOOKS = (".xlsx", ".xlsm")
MAX_NAMES = 5000
MAX_RANGE = 2000
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, X-Nianbao-Token",
    "Access-Control-Max-Age": "600",
    "Access-Control-Allow-Private-Network": "true",  # Chromium's private network access preflight
    "Cross-Origin-Resource-Policy": "cross-origin",
}
class BadRequest(NianbaoError):
    """A request the add-in should never send (wrong shape): refused with a message."""


def is_api(path: str) -> bool:
    return path.startswith(PREFIX)


def cors(resp: Response) -> Response:
    """The one place the CORS headers are set (API routes only)."""
    resp.headers.update(CORS)
    return resp


# --- the posted sweep as the reader's NamedCells -----------------------------------------------------


class PostedCells:
    """The values the add-in read from the open workbook, as ``reader.bind`` reads a workbook.

    ``names``: name -> {"sheet", "ref", "value"} where value is the cell's Value2, or a list of
    rows for a range; ``sheets``: sheet -> {"protected": bool}.
    """

    label = "当前工作簿"
    hint = "请先点“新建年报”，或打开填好的年报模板。"
    date1904 = False
    knows_formulas = False  # read through values: totals are as WPS computed them

    def __init__(self, names: Mapping[str, Any], sheets: Mapping[str, Any]) -> None:
        from nianbao.addin.excel.book_io import _raw  # the one conversion of an office value to a Cell

        if not isinstance(names, Mapping) or not isinstance(sheets, Mapping) or len(names) > MAX_NAMES:
            raise BadRequest("插件发来的工作簿内容无法识别。", "the posted names/sheets are not objects")
        self._targets: dict[str, tuple[str, str]] = {}
        self._cells: dict[tuple[str, str], Cell] = {}
        for name, entry in names.items():
            if not isinstance(entry, Mapping) or not isinstance(entry.get("sheet"), str) \
                    or not isinstance(entry.get("ref"), str):
                continue  # a name that refers to no range (a constant, #REF!): as if absent
            sheet, ref = entry["sheet"], entry["ref"].replace("$", "")
            try:
                refs = expand(ref)
            except (ValueError, KeyError, IndexError):
                continue
            self._targets[str(name)] = (sheet, ref)
            if len(refs) > MAX_RANGE:  # the mark lists span 1000 cells; nothing larger is read
                continue
            value = entry.get("value")
            flat = [v for row in value for v in (row if isinstance(row, list) else [row])] \
                if isinstance(value, list) else [value]
            for r, v in zip(refs, flat):
                if v is None or v == "":
                    self._cells[(sheet, r)] = Cell(None)
                elif isinstance(v, (str, int, float, bool)):
                    self._cells[(sheet, r)] = _raw(v)
        self._protected = {str(s): (v.get("protected") if isinstance(v, Mapping) else None) for s, v in sheets.items()}

    def target(self, name: str) -> tuple[str, str] | None:
        return self._targets.get(name)

    def has_sheet(self, sheet: str) -> bool:
        return sheet in self._protected

    def cell(self, sheet: str, ref: str) -> Cell:
        return self._cells.get((sheet, ref)) or Cell(None)

    def protected(self, sheet: str) -> bool | None:
        p = self._protected.get(sheet)
        return p if isinstance(p, bool) else None


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("插件发来的请求不是 JSON 对象。", "the request body is not a JSON object")
    return body


def _read(body: Mapping[str, Any]) -> tuple[PostedCells, WorkbookRead]:
    src = PostedCells(body.get("names") or {}, body.get("sheets") or {})
    return src, bind(src)


def _workbook_path(body: Mapping[str, Any], *, must_exist: bool = True) -> Path | None:
    """The saved workbook the request is about (absolute, one of ours by suffix)."""
    full = body.get("fullName")
    if not isinstance(full, str) or not full.strip():
        return None
    path = Path(full)
    if not path.is_absolute() or "\x00" in full or path.suffix.lower() not in WORKBOOKS:
        raise BadRequest(f"工作簿路径无法使用：{full}（应为已保存的 .xlsx 文件）。", f"unusable workbook path {full!r}")
    if must_exist and not path.is_file():
        raise UnreadableFile(f"找不到已保存的工作簿：{full}。请先保存工作簿。", f"saved workbook not found: {full}")
    return path


def _beside(body: Mapping[str, Any]) -> Path | None:
    """The saved workbook whose folder the request may look in (any suffix: only its folder is used)."""
    full = body.get("fullName")
    if not isinstance(full, str) or "\x00" in full or not Path(full).is_absolute():
        return None
    return Path(full) if Path(full).parent.is_dir() else None


# --- the four buttons --------------------------------------------------------------------------------


def validate() -> dict[str, Any]:
    """校验, as the Excel ribbon's ``validate_book``: the 校验结果 sheet as one block of values (links
    as HYPERLINK formulas) and the hidden sheet's mark lists, for the add-in to write."""
    from nianbao.addin.checks.findings import SEVERITY_ZH
    from nianbao.addin.checks.validate import validate as run
    from nianbao.addin.excel import results_sheet as A
    from nianbao.addin.excel.ribbon_core import OLD_TEMPLATE, book_rows
    from nianbao.workbook_templates.xlsx import hidden_sheet as H

    body = _body()
    src, read = _read(body)
    posted = body.get("results")
    acks = A.acknowledgements_from_rows([r for r in posted if isinstance(r, list)]) if isinstance(posted, list) else {}
    report = run(read.data, str(body.get("name") or "当前工作簿"), None, acks)
    rows = book_rows(A.result_rows(report, read.cells))
    has_rules = all(src.target(H.MARK_NAMES[sev]) is not None for sev in H.MARK_SEVERITIES)
    marks = A.marks(report, read.cells, read.edition)
    e, w = report.count("error"), report.count("warning")
    if report.ok and not w:
        message = "校验完成：没有发现问题。"
    else:
        message = (f"校验完成：错误 {e} 项，警告 {w} 项，详见“{A.RESULTS_SHEET}”工作表（红色为错误，橙色为警告）。"
                   + ("" if has_rules else OLD_TEMPLATE))
    return {
        "message": message, "errors": e, "warnings": w,
        "results": {"sheet": A.RESULTS_SHEET, "rows": rows, "width": len(rows[0])},
        "marks": {"sheet": src.target(S.NAME_EDITION)[0], "range": H.MARK_BLOCK, "values": H.mark_values(marks),
                  **marks},
        "findings": [{"severity": SEVERITY_ZH[f.severity], "level": f.severity, "rule": f.rule, "part": f.part,
                      "text": A.explained(f), "cells": ["!".join(read.cells[p]) for p in f.paths if p in read.cells][:8]}
                     for f in report.findings],
    }


def carry_forward() -> dict[str, Any]:
    from nianbao.workbook_templates.sources import load_report
    from nianbao.workbook_templates.xlsx.hidden_sheet import previous_writes

    from nianbao.addin import carry_forward as cf
    from nianbao.addin.excel.ribbon_core import find_last_year

    body = _body()
    src, this = _read(body)
    last_given = body.get("last")
    if isinstance(last_given, str) and last_given.strip():
        last_path = Path(last_given.strip())
        if not last_path.is_absolute() or not last_path.is_file():
            raise UnreadableFile(f"找不到上年的文件：{last_given}", f"last year's file not found: {last_given}")
    else:
        here = _beside(body)
        meta = this.data["meta"]
        found = find_last_year(here, str(meta.get("agency") or ""), meta["year"]) \
            if here is not None and isinstance(meta.get("year"), int) else None
        if found is None:
            return {"status": "ask_last", "question": "没有在工作簿所在的文件夹中找到同一机关上年的年报。"
                    "请输入上年年报文件的完整路径（.xlsx，或已发布的 .docx/.pdf/.html/.txt）："}
        last_path = found
    last, _ = load_report(last_path)
    plan = cf.plan(this, last)
    if plan.wrong_year:
        raise NianbaoError(f"{plan.wrong_year}，没有做任何改动。", "last year's file does not fit this workbook")
    if plan.conflicts and not body.get("overwrite"):
        lines = [f"{c.sheet}!{c.ref}：已填 {c.old}，上年结转下年度为 {c.new}" for c in plan.conflicts]
        return {"status": "conflicts", "last": str(last_path),
                "question": "以下已填的数字与上年不同：\n" + "\n".join(lines) + "\n\n是否用上年的数字覆盖？"}
    if plan.conflicts:
        plan = cf.plan(this, last, force=True)
    if not plan.changes and not plan.previous_changed:
        return {"status": "nothing", "last": str(last_path), "message": "上年结转已与上年一致，无需改动。"}
    writes = [{"sheet": c.sheet, "ref": c.ref, "value": c.new} for c in plan.changes]
    names = []
    if plan.previous_changed and plan.previous is not None:
        hidden = src.target(S.NAME_EDITION)[0]
        old = src.target(S.NAME_PREVIOUS)
        refs, name_range = previous_writes(plan.previous, old[1] if old else None)
        writes += [{"sheet": hidden, "ref": ref, "value": value} for ref, value in refs.items()]
        names.append({"name": S.NAME_PREVIOUS, "refersTo": f"={quote_sheet(hidden)}!{absolute(name_range)}"})
    filled = "、".join(f"{c.sheet}!{c.ref}={c.new}" for c in plan.changes) or "无需改动的单元格"
    return {"status": "write", "last": str(last_path), "writes": writes, "names": names,
            "message": f"已从 {last_path.name} 导入上年数据：上年结转 {filled}；上年报告已保存在本工作簿中。"}


def generate() -> dict[str, Any]:
    from nianbao.workbook_templates.sources import load_report

    from nianbao.addin.excel.ribbon_core import generated_message
    from nianbao.generator import generate as write_report
    from nianbao.workbench.work import _formats

    path = _workbook_path(_body())
    if path is None:
        from nianbao.addin.excel.ribbon_core import SAVE_FIRST

        raise OutputError(SAVE_FIRST, "save the workbook first")
    data, _ = load_report(path)
    targets = {s: path.with_name(name) for s, _, name in _formats(path)}
    results = [write_report(data, targets[s]) for s in (".docx", ".html")]
    return {"written": [str(r.path) for r in results], "message": generated_message(data, results)}


def new() -> dict[str, Any]:
    from nianbao.addin.excel.ribbon_core import new_workbook, new_workbook_message
    from nianbao.workbench.work import default_year

    body = _body()
    if not body.get("create"):  # first call: what to propose in the prompts
        here = _beside(body)
        agency, year = "", default_year()
        if here is not None and here.is_file() and here.suffix.lower() in WORKBOOKS:
            try:
                from nianbao.workbook_templates.xlsx.reader import read_workbook

                meta = read_workbook(here).data["meta"]
                agency, year = str(meta.get("agency") or ""), (meta.get("year") or year - 1) + 1
            except NianbaoError:
                pass
        folder = here.parent if here is not None else _documents()
        return {"status": "ask", "folder": str(folder), "agency": agency, "year": year}
    folder = Path(str(body.get("folder") or "").strip())
    if not folder.is_absolute() or not folder.is_dir():
        raise OutputError(f"文件夹不存在：{folder}", f"folder not found: {folder}")
    try:
        year = int(str(body.get("year")).strip())
        S.edition_for_year(year)
    except (TypeError, ValueError):
        raise BadRequest(f"年度“{body.get('year')}”不是有效的年份（如 2024）。", "not a year") from None
    path, kept = new_workbook(folder, year, str(body.get("agency") or ""))
    return {"status": "kept" if kept else "created", "path": str(path), "message": new_workbook_message(path, year, kept)}


def _documents() -> Path:
    for name in ("文档", "Documents"):
        if (Path.home() / name).is_dir():
            return Path.home() / name
    return Path.home()


ROUTES = {"validate": validate, "carry-forward": carry_forward, "generate": generate, "new": new}


def register(app: Flask) -> None:
    bp = Blueprint("wps_api", __name__)

    @bp.route(f"{PREFIX}<action>", methods=["POST", "OPTIONS"])
    def call(action: str) -> Response:
        fn = ROUTES.get(action)
        if fn is None:
            resp = jsonify({"error": "没有这个功能。", "en": f"no such API: {action}"})
            resp.status_code = 404
            return resp
        if request.method == "OPTIONS":
            return Response(status=204)
        try:
            return jsonify(fn())
        except NianbaoError as e:
            resp = jsonify({"error": e.zh, "en": e.en, "details": e.details[:20]})
            resp.status_code = 400
            return resp

    app.register_blueprint(bp)
