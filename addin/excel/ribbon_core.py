"""What the ribbon buttons do, as functions that take everything as parameters.

Each takes an xlwings ``Book`` (the active workbook, or xlwings' JSON book in tests) and speaks
only the plain xlwings API.  Everything is computed before the first write; writes go only to
unlocked input cells, the 校验结果 sheet and the hidden sheet; if a write fails, the cells already
written are put back.  Each returns one Chinese line for the person.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nianbao.workbook_templates.xlsx import hidden_sheet as H
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.xlsx.cellrefs import absolute, quote_sheet
from nianbao.workbook_templates.format.errors import NianbaoError, OutputError, UnreadableFile
from nianbao.workbook_templates.xlsx.hidden_sheet import previous_writes

from nianbao.addin.excel import results_sheet as A
from nianbao.addin.excel.book_io import BookCells, Writes, read_book
from nianbao.workbook_templates.xlsx.reader import bind


def _acknowledgements(sheet: Any | None) -> dict[str, dict[str, str]]:
    if sheet is None:
        return {}
    values = sheet.used_range.options(ndim=2).value
    rows = values if isinstance(values, list) and values and isinstance(values[0], list) else []
    return A.acknowledgements_from_rows(rows)  # the same reading as the file's, old layouts included


def _formula_text(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def book_rows(content: A.ResultRows) -> list[list[Any]]:
    """The 校验结果 sheet as one block of values: links are HYPERLINK formulas (Excel, WPS and
    LibreOffice follow them), so the whole sheet is one write; text that Excel would parse as a
    formula or a number is written as text (a leading apostrophe)."""
    width = max(len(r) for r in content.rows)
    rows: list[list[Any]] = [list(r) + [""] * (width - len(r)) for r in content.rows]
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") or (isinstance(v, str) and _looks_numeric(v)):
                row[c] = "'" + v
    for r, c, sheet, ref in content.links:
        target = f"#{quote_sheet(sheet)}!{ref}"
        rows[r - 1][c - 1] = f"=HYPERLINK({_formula_text(target)},{_formula_text(f'{sheet}!{ref}')})"
    return rows


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _format_results(sheet: Any, nrows: int, width: int) -> None:
    """Whole ranges at a time: header bold, widths, 说明 wrapped, the key column hidden."""
    sheet.range((1, 1), (1, width)).font.bold = True
    for col, w in A.WIDTHS.items():
        sheet.range((1, col)).column_width = w
    sheet.range((1, A.FIRST_LINK_COL), (1, max(width, A.FIRST_LINK_COL))).column_width = 14
    sheet.range((2, 5), (max(nrows, 2), 5)).wrap_text = True
    sheet.range((1, A.COL_KEY)).column_hidden = True


OLD_TEMPLATE = ("（这个工作簿由旧版模板生成，还没有标色规则：在命令行运行一次 nianbao validate 工作簿 --annotate，"
                "以后的校验就会标色。）")


def validate_book(book: Any) -> str:
    """校验: the rule catalogue on the book; the 校验结果 sheet; marks listed on the hidden sheet
    (the template's conditional formats colour the input cells).  Writes values only: the
    hidden sheet and the 校验结果 sheet, never a protected sheet."""
    from nianbao.addin.checks.validate import validate

    src = BookCells(book)
    read = bind(src)
    results = src.sheet(A.RESULTS_SHEET) if src.has_sheet(A.RESULTS_SHEET) else None
    report = validate(read.data, book.name, None, _acknowledgements(results))
    content = A.result_rows(report, read.cells)
    rows = book_rows(content)
    width = len(rows[0])
    marks = H.mark_values(A.marks(report, read.cells, read.edition))
    hidden = src.sheet(src.names.locate(S.NAME_EDITION)[0])
    has_rules = all(H.MARK_NAMES[sev] in src.names for sev in H.MARK_SEVERITIES)
    w = Writes(book)
    added = None
    try:
        if results is None:  # a new sheet: written and formatted once, deleted if anything fails
            results = added = book.sheets.add(A.RESULTS_SHEET, after=src.sheet(src.sheet_names[-1]))
            results.range((1, 1), (len(rows), width)).value = rows
            _format_results(results, len(rows), width)
        else:  # formatted when it was made (by the add-in or by validate --annotate)
            w.set(results.used_range, None)
            w.set(results.range((1, 1), (len(rows), width)), rows)
        w.set(hidden.range(H.MARK_BLOCK), marks)
    except Exception:
        w.undo()
        if added is not None:
            added.delete()
        raise
    e, wn = report.count("error"), report.count("warning")
    if report.ok and not wn:
        return "校验完成：没有发现问题。"
    return (f"校验完成：错误 {e} 项，警告 {wn} 项，详见“{A.RESULTS_SHEET}”工作表（红色为错误，橙色为警告）。"
            + ("" if has_rules else OLD_TEMPLATE))


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
    src = BookCells(book)
    this = bind(src)
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
            w.set(src.sheet(c.sheet).range(c.ref), c.new)
        if plan.previous_changed and plan.previous is not None:
            sheet_name = src.names.locate(S.NAME_EDITION)[0]
            hidden = src.sheet(sheet_name)
            old = src.names.locate(S.NAME_PREVIOUS)[1] if S.NAME_PREVIOUS in src.names else None
            writes, name_range = previous_writes(plan.previous, old)
            for ref, value in writes.items():
                w.set(hidden.range(ref), value)
            book.names.add(S.NAME_PREVIOUS, f"={quote_sheet(sheet_name)}!{absolute(name_range)}")
    except Exception:
        w.undo()
        raise
    filled = "、".join(f"{c.sheet}!{c.ref}={c.new}" for c in plan.changes) or "无需改动的单元格"
    return f"已从 {last_path.name} 导入上年数据：上年结转 {filled}；上年报告已保存在本工作簿中。"


SAVE_FIRST = "请先保存工作簿（文件 → 另存为），再点“生成报告”：报告写在工作簿所在的文件夹。"


def generate_book(book: Any, workbook: str | Path | None, suffixes: tuple[str, ...] = (".docx", ".html")) -> str:
    """生成报告: the report from the book's current figures, written beside the workbook."""
    from nianbao.generator import generate

    if workbook is None or not Path(workbook).is_absolute() or not Path(workbook).parent.is_dir():
        raise OutputError(SAVE_FIRST, "save the workbook first")
    workbook = Path(workbook)
    data = read_book(book).data
    return generated_message(data, [generate(data, workbook.with_suffix(s)) for s in suffixes])


def generated_message(data: Any, results: list[Any]) -> str:
    """What 生成报告 says, in the ribbon and in the WPS add-in alike: each file, then what to check."""
    from nianbao.addin.checks.validate import prose_against_tables

    lines = [r.written.said("已生成：") for r in results]
    warnings = [f"注意：{f.message}" for f in prose_against_tables(data)] + [f"提示：{n}" for n in results[0].notes]
    return "\n".join(lines + warnings)


def new_workbook(folder: str | Path, year: int, agency: str, kind: str | None = None) -> tuple[Path, bool]:
    """新建年报: the template for a year and agency in ``folder``, named after them; when that file
    is already this agency's workbook of the year it is kept (and opened) as it is, any other file
    of that name is refused.  The path, and whether it was kept."""
    from nianbao.workbook_templates.format.sanitise import file_stem
    from nianbao.workbook_templates.xlsx.writer import new_workbook as make

    target = Path(folder) / f"{file_stem(agency.strip(), '年报')}-{year}.xlsx"
    made = make(target, year, agency, kind)
    return target, made.kept


def new_workbook_message(path: Path, year: int, kept: bool) -> str:
    return f"已打开已有的 {path}（{year} 年度，未改动）。" if kept else f"已新建 {path}（{year} 年度）。"
