"""What the command line and the workbench both do: the orchestration around the core, once.

The CLI prints what these return; the workbench (``nianbao ui``) shows it in a page.  Nothing here
prints or exits; every user-facing failure is a ``NianbaoError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nianbao.workbook_templates.format.errors import OutputError

from nianbao.workbook_templates.format.schema import Part

if TYPE_CHECKING:
    from nianbao.workbook_templates.xlsx.safe_write import Written

PART_ORDER = (Part.TEMPLATE, Part.PART2, Part.PART3, Part.PART4, Part.PART6, Part.PROSE, Part.CROSS_YEAR)


def load_previous(path: Path | None, this_year: Any = None) -> dict | None:
    """Last year's report; from a page holding several, the one for the year before ``this_year``."""
    if path is None:
        return None
    from nianbao.workbook_templates.sources import load_report

    data, _ = load_report(path, this_year - 1 if isinstance(this_year, int) else None)
    data.pop("previous", None)
    return data


def by_part(findings: Iterable[Any]) -> list[tuple[str, list[Any]]]:
    """Findings grouped by the part of the report they concern, in the report's order."""
    groups: dict[str, list] = {}
    for f in findings:
        groups.setdefault(f.part or "其他", []).append(f)
    return sorted(groups.items(), key=lambda kv: PART_ORDER.index(kv[0]) if kv[0] in PART_ORDER else 99)


# --- validate ---------------------------------------------------------------------------------------


@dataclass
class Validation:
    source: Path
    data: dict[str, Any]
    read: Any  # WorkbookRead for a workbook, else None
    report: Any  # addin.checks.findings.Report

    @property
    def cells(self) -> dict:
        return self.read.cells if self.read else {}


def validate_source(source: Path, previous_path: Path | None = None, year: int | None = None, *,
                    annotate: bool = False) -> Validation:
    """``nianbao validate``: load anything ``import`` reads, with the confirmations typed into its
    校验结果 sheet; with ``annotate``, refuse up front what cannot be annotated."""
    from nianbao.addin.checks.validate import validate
    from nianbao.workbook_templates.sources import load_report

    data, read = load_report(source, year)
    if annotate and read is None:
        raise OutputError("--annotate 只能用于 .xlsx 工作簿。", "--annotate works on .xlsx workbooks only")
    previous = load_previous(previous_path, data["meta"].get("year"))
    acks = {}
    if read is not None:  # confirmations a person typed into the 校验结果 sheet
        from nianbao.addin.excel.acknowledgements import read_acknowledgements

        acks = read_acknowledgements(source)
    if annotate:
        from nianbao.workbook_templates.xlsx.safe_write import check_writable

        check_writable(source)
    report = validate(data, source.name, previous, acks)
    return Validation(source, data, read, report)


def annotate(v: Validation) -> Written:
    """``validate --annotate``: the 校验结果 sheet and the marks, written by the overwrite policy."""
    from nianbao.addin.excel.results_sheet import annotate as write_annotations

    return write_annotations(v.source, v.report, v.cells, v.read.edition)


def annotated_message(written: Written) -> str:
    if written.unchanged:
        return f"{written.path} 中的“校验结果”工作表和单元格标记已是最新，未重写"
    return written.said("已写入“校验结果”工作表并标记了相关单元格：")


# --- carry-forward ----------------------------------------------------------------------------------


@dataclass
class CarryForward:
    this_path: Path
    this: Any  # WorkbookRead
    last: dict[str, Any]
    plan: Any  # addin.carry_forward.Plan

    def conflict_message(self, c: Any) -> str:
        return (f"冲突：{c.sheet}!{c.ref} {self.this.edition.describe(c.path)} 已填 {c.old}，"
                f"上年结转下年度为 {c.new}；保留已填的数字。")

    def previous_message(self, verb: str) -> str:
        return f"{verb}保存上年（{self.last['meta'].get('year')} 年度）的报告数据，供跨年度校验和同比文字使用。"

    @property
    def nothing_to_do(self) -> bool:
        return not self.plan.changes and not self.plan.previous_changed


def carry_forward_plan(last_path: Path, this_path: Path, *, force: bool = False) -> CarryForward:
    """``nianbao carry-forward``'s plan: this year's workbook, last year's report, cell by cell."""
    from nianbao.addin import carry_forward as cf
    from nianbao.workbook_templates.sources import load_report
    from nianbao.workbook_templates.xlsx.reader import read_workbook

    this = read_workbook(this_path)
    last, _ = load_report(last_path)
    return CarryForward(this_path, this, last, cf.plan(this, last, force=force))


def carry_forward_apply(cf_run: CarryForward) -> Written:
    """Write a plan that was not refused (atomically, by the overwrite policy)."""
    from nianbao.addin import carry_forward as cf
    from nianbao.workbook_templates.xlsx.safe_write import check_writable

    check_writable(cf_run.this_path)
    return cf.apply(cf_run.this_path, cf_run.this, cf_run.plan)
