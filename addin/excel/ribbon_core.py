"""What the ribbon buttons do, as functions that take everything as parameters.

Each takes an xlwings ``Book`` (the active workbook, or xlwings' JSON book in tests) and speaks
only the plain xlwings API.  Everything is computed before the first write; writes go only to
unlocked input cells, the 校验结果 sheet and the hidden sheet; if a write fails, the cells already
written are put back.  Each returns one Chinese line for the person.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nianbao.workbook_templates.xlsx import look
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.xlsx.cellrefs import absolute, quote_sheet
from nianbao.workbook_templates.format.errors import NianbaoError, OutputError, UnreadableFile
from nianbao.workbook_templates.xlsx.hidden_sheet import previous_writes

from nianbao.addin.excel import results_sheet as A
from nianbao.addin.excel.book_io import BookNames, Writes, read_book

MARKS_CELL = "F1"  # on the hidden sheet: the cells the last 校验 coloured, to clear them next time


def _hidden_sheet(book: Any) -> Any:
    return book.sheets[BookNames(book).locate(S.NAME_EDITION)[0]]


def _sheet(book: Any, name: str) -> Any | None:
    return next((s for s in book.sheets if s.name == name), None)


def _acknowledgements(book: Any) -> dict[str, dict[str, str]]:
    sheet = _sheet(book, A.RESULTS_SHEET)
    if sheet is None:
        return {}
    values = sheet.used_range.value
    rows = values if isinstance(values, list) and values and isinstance(values[0], list) else []
    out = {}
    for row in rows[1:]:
        row = list(row) + [None] * (A.COL_KEY - len(row))
        key, by, note = row[A.COL_KEY - 1], row[A.COL_BY - 1], row[A.COL_NOTE - 1]
        by, note = (str(x).strip() if x is not None else "" for x in (by, note))
        if key and (by or note):
            for k in str(key).split("\n"):  # a grouped row holds the keys of all its findings
                out[k] = {"by": by, "note": note}
    return out


def validate_book(book: Any) -> str:
    """校验: the rule catalogue on the book; the 校验结果 sheet; marks on input cells only."""
    from nianbao.addin.checks.validate import validate

    read = read_book(book)
    report = validate(read.data, book.name, None, _acknowledgements(book))
    content = A.result_rows(report, read.cells)
    width = max(len(r) for r in content.rows)
    rows = [list(r) + [""] * (width - len(r)) for r in content.rows]
    to_mark = A.marks(report, read.cells, read.edition)
    hidden = _hidden_sheet(book)
    old_marks = json.loads(hidden[MARKS_CELL].value or "[]")
    new_marks = [f"{sheet}!{ref}" for sheet, by in sorted(to_mark.items()) for sev in ("error", "warning")
                 for ref in sorted(by[sev])]
    w = Writes(book)
    added = None
    try:
        sheet = _sheet(book, A.RESULTS_SHEET)
        if sheet is None:
            sheet = added = book.sheets.add(A.RESULTS_SHEET, after=book.sheets[len(book.sheets) - 1])
        else:
            used = sheet.used_range
            w.set(used, None)
        w.set(sheet.range((1, 1), (len(rows), width)), rows)
        for r, c, target_sheet, ref in content.links:
            sheet.range((r, c)).add_hyperlink(f"#{quote_sheet(target_sheet)}!{ref}", f"{target_sheet}!{ref}")
        for mark in old_marks:
            s, ref = mark.split("!")
            book.sheets[s][ref].color = look.rgb(look.INPUT_FILL)
        for s, by in to_mark.items():
            for sev, fill in (("error", look.ERROR_FILL), ("warning", look.WARNING_FILL)):
                for ref in sorted(by[sev]):
                    book.sheets[s][ref].color = look.rgb(fill)
        w.set(hidden[MARKS_CELL], json.dumps(new_marks, ensure_ascii=False))
    except Exception:
        w.undo()
        if added is not None:
            added.delete()
        raise
    e, wn = report.count("error"), report.count("warning")
    if report.ok and not wn:
        return "校验完成：没有发现问题。"
    return f"校验完成：错误 {e} 项，警告 {wn} 项，详见“{A.RESULTS_SHEET}”工作表（红色为错误，橙色为警告）。"


def find_last_year(workbook: Path, agency: str, year: int) -> Path | None:
    """Last year's workbook of the same agency in the same folder, if there is one."""
    from nianbao.workbook_templates.xlsx.reader import read_workbook

    for path in sorted(workbook.parent.glob("*.xls[xm]")):
        if path.name.startswith("~$") or path.resolve() == workbook.resolve():
            continue
        try:
            meta = read_workbook(path).data["meta"]
        except NianbaoError:
            continue
        if meta.get("year") == year - 1 and "".join(str(meta.get("agency") or "").split()) == "".join(agency.split()):
            return path
    return None


def carry_forward_book(book: Any, last_path: str | Path, confirm: Callable[[str], bool]) -> str:
    """导入上年数据: the same plan as ``nianbao carry-forward``; asks before overwriting a typed
    figure that differs; refuses another agency's or another year's file."""
    from nianbao.workbook_templates.sources import load_report

    from nianbao.addin import carry_forward as cf

    last_path = Path(last_path)
    if not last_path.exists():
        raise UnreadableFile(f"找不到上年的文件：{last_path}", f"last year's file not found: {last_path}")
    this = read_book(book)
    last, _ = load_report(last_path)
    plan = cf.plan(this, last)
    if plan.wrong_year:
        raise NianbaoError(f"{plan.wrong_year}，没有做任何改动。", "last year's file does not fit this workbook")
    if plan.conflicts:
        lines = [f"{c.sheet}!{c.ref}：已填 {c.old}，上年结转下年度为 {c.new}" for c in plan.conflicts]
        if not confirm("以下已填的数字与上年不同：\n" + "\n".join(lines) + "\n\n是否用上年的数字覆盖？"):
            return "已取消，没有做任何改动。"
        plan = cf.plan(this, last, force=True)
    if not plan.changes and not plan.previous_changed:
        return "上年结转已与上年一致，无需改动。"
    w = Writes(book)
    try:
        for c in plan.changes:
            w.set(book.sheets[c.sheet][c.ref], c.new)
        if plan.previous_changed and plan.previous is not None:
            names = BookNames(book)
            sheet_name = names.locate(S.NAME_EDITION)[0]
            hidden = book.sheets[sheet_name]
            old = names.locate(S.NAME_PREVIOUS)[1] if S.NAME_PREVIOUS in names else None
            writes, name_range = previous_writes(plan.previous, old)
            for ref, value in writes.items():
                w.set(hidden[ref], value)
            book.names.add(S.NAME_PREVIOUS, f"={quote_sheet(sheet_name)}!{absolute(name_range)}")
    except Exception:
        w.undo()
        raise
    filled = "、".join(f"{c.sheet}!{c.ref}={c.new}" for c in plan.changes) or "无需改动的单元格"
    return f"已从 {last_path.name} 导入上年数据：上年结转 {filled}；上年报告已保存在本工作簿中。"


def generate_book(book: Any, workbook: str | Path, suffixes: tuple[str, ...] = (".docx", ".html")) -> str:
    """生成报告: the report from the book's current figures, written beside the workbook."""
    from nianbao.addin.checks.validate import prose_against_tables
    from nianbao.generator import generate

    workbook = Path(workbook)
    if not workbook.parent.is_dir():
        raise OutputError("请先保存工作簿，再生成报告（报告写在工作簿所在的文件夹）。", "save the workbook first")
    data = read_book(book).data
    results = [generate(data, workbook.with_suffix(s)) for s in suffixes]
    lines = [f"已生成：{r.path}" + (f"（原文件保留为 {r.backup.name}）" if r.backup else "") for r in results]
    warnings = [f"注意：{f.message}" for f in prose_against_tables(data)] + [f"提示：{n}" for n in results[0].notes]
    return "\n".join(lines + warnings)


def new_workbook(folder: str | Path, year: int, agency: str, kind: str | None = None) -> Path:
    """新建年报: a fresh template for a year and agency in ``folder`` (never over an existing file)."""
    from nianbao.workbook_templates.format.report_data import empty_report, set_path
    from nianbao.workbook_templates.xlsx.writer import write_workbook

    agency = agency.strip()
    if not agency:
        raise OutputError("机关名称不能为空。", "the agency name must not be empty")
    edition = S.edition_for_year(year)
    safe = "".join(ch for ch in agency if ch not in '\\/:*?"<>|').strip(". ") or "年报"
    target = Path(folder) / f"{safe}-{year}.xlsx"
    if target.exists():
        raise OutputError(f"{target.name} 已存在，没有覆盖。", f"{target} exists")
    data = empty_report(edition)
    set_path(data, "meta.agency", agency)
    set_path(data, "meta.year", year)
    set_path(data, "meta.agency_kind", kind or S.infer_agency_kind(agency))
    write_workbook(data, target)
    return target
