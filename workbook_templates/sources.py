"""Report data from any file a command reads: report data (.json), a published report
(.txt .md .html .docx .pdf), or a workbook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import DataError, NianbaoError, NotXlsx
from nianbao.workbook_templates.format.input_files import read_input
from nianbao.workbook_templates.format.report_data import Report, get_path, normalise, set_path

if TYPE_CHECKING:  # the reader is imported where a workbook is read: not for report data or a published report
    from nianbao.workbook_templates.xlsx.reader import WorkbookRead


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} 不是数字")


def _reason(e: BaseException) -> str:
    if isinstance(e, RecursionError):
        return "嵌套过深"
    return str(e) if "不是数字" in str(e) else "数字位数过多"


def read_json(path: str | Path) -> Report:
    path = Path(path)
    raw = read_input(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{path.name} 不是 UTF-8 编码的 JSON 文件", f"{path.name} is not UTF-8 JSON") from None
    try:
        obj = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise DataError(f"{path.name} 不是有效的 JSON（第 {e.lineno} 行第 {e.colno} 列：{e.msg}）",
                        f"{path.name} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except (ValueError, RecursionError) as e:  # a number of thousands of digits, NaN/Infinity, nesting
        raise DataError(f"{path.name} 中有无法读取的数值或过深的嵌套（{_reason(e)}）",
                        f"{path.name} holds an unreadable number or nesting: {e}") from None
    return normalise(obj)


def read_published(path: Path, year: int | None = None, agency: str | None = None,
                   kind: str | None = None) -> Report:
    """A published report (.txt/.md/.html/.docx/.pdf): its tables, prose, fee and provenance."""
    from nianbao.workbook_templates.published.files import read_text
    from nianbao.workbook_templates.published.text import parse_report

    parsed = parse_report(read_text(path), year, agency)
    data = parsed.data
    if not any(get_path(data, f"applications.{r.key}.total") is not None
               for r in S.get_edition(data["edition"]).application_rows):
        raise NianbaoError(f"{path.name} 中没有找到政府信息公开申请情况表（第三部分）。",
                           f"no report table found in {path.name}", details=parsed.notes)
    fmt = path.suffix.lower().lstrip(".")
    data["source"]["format"] = "html" if fmt == "htm" else ("txt" if fmt == "md" else fmt)
    if kind:
        set_path(data, "meta.agency_kind", kind)
    return normalise(data)


def load_report(path: str | Path, year: int | None = None, agency: str | None = None,
                kind: str | None = None) -> tuple[Report, WorkbookRead | None]:
    """Report data from anything ``import`` reads; the WorkbookRead too for a workbook."""
    from nianbao.workbook_templates.published.files import TEXT_SUFFIXES

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_json(path), None
    if suffix in TEXT_SUFFIXES:
        return read_published(path, year, agency, kind), None
    from nianbao.workbook_templates.xlsx.reader import WORKBOOK_SUFFIXES, read_workbook

    try:
        wb = read_workbook(path)
    except NotXlsx:
        if suffix in WORKBOOK_SUFFIXES:
            raise
        raise NotXlsx(f"{path.name} 不是能读取的文件：可以读取 Excel 工作簿（{' '.join(WORKBOOK_SUFFIXES)}）、报告数据（.json）"
                      f"或已发布的报告（{' '.join(TEXT_SUFFIXES)}）。",
                      f"{path.name} cannot be read: give a workbook ({', '.join(WORKBOOK_SUFFIXES)}), report data (.json) "
                      f"or a published report ({', '.join(TEXT_SUFFIXES)})") from None
    return wb.data, wb


