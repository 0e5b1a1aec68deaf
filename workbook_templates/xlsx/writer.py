"""Report data into a workbook: a template of the data's edition, filled and written atomically."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import totals_differing

if TYPE_CHECKING:
    from nianbao.workbook_templates.xlsx.safe_write import Written


def differing_totals_messages(data: Mapping[str, Any]) -> list[str]:
    """Chinese lines for every printed total a template's formula will compute differently."""
    edition = S.get_edition(data["edition"])
    return [
        f"{edition.describe(path)}：原数据为 {printed}，工作簿公式将计算为 {computed}"
        for path, printed, computed in totals_differing(edition, data)
    ]


def holds_same_data(target: str | Path, data: Mapping[str, Any]) -> bool:
    """``target`` is a workbook that already reads as ``write_workbook(data)`` would: writing it
    again would only drop what the person added (the 校验结果 sheet, acknowledgements, marks)."""
    import tempfile

    from nianbao.workbook_templates.format.errors import NianbaoError
    from nianbao.workbook_templates.xlsx.reader import read_workbook

    if not Path(target).is_file():
        return False
    try:
        existing = read_workbook(target).data
    except NianbaoError:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.xlsx"
        write_workbook(data, probe)
        return read_workbook(probe).data == existing


def write_workbook(data: Mapping[str, Any], target: str | Path, *, lock_meta: bool = False,
                   extra: Any = None) -> Written:
    """Write report data as a filled template (atomically, by the overwrite policy of ``safe_write``).
    ``extra(workbook)`` may add sheets of its own before the file is written."""
    from nianbao.workbook_templates.xlsx.builder import build, fill  # openpyxl only where a workbook is written
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic
    from nianbao.workbook_templates.xlsx.utf8_save import saver

    edition = S.get_edition(data["edition"])
    template = build(edition)
    fill(template, data, lock_meta=lock_meta)
    if extra is not None:
        extra(template.workbook)
    return write_atomic(target, saver(template.workbook))


@dataclass(frozen=True)
class NewWorkbook:
    """What ``new_workbook`` did: the file, and whether it was already this unit's workbook."""

    written: Written
    described: str  # 格式、年度、机关、类型, for the message

    @property
    def kept(self) -> bool:
        return self.written.unchanged


def new_workbook(target: str | Path, year: int, agency: str, kind: str | None = None, edition: str | None = None,
                 *, force: bool = False) -> NewWorkbook:
    """新建年报 / ``nianbao new``: a blank template for one agency and year at ``target``.

    An existing file that is already this agency's workbook of this year (and of the kind and the
    edition, where they were given) is kept as it is — re-running never wipes typed figures; any
    other existing file is refused unless ``force`` (then it is kept as a backup)."""
    from nianbao.workbook_templates.format.errors import OutputError
    from nianbao.workbook_templates.format.report_data import empty_report, set_path
    from nianbao.workbook_templates.xlsx.safe_write import Written

    agency = agency.strip()
    if not agency:
        raise OutputError("机关名称不能为空。", "the agency name must not be empty")
    ed = S.get_edition(edition) if edition else S.edition_for_year(year)
    if not ed.covers(year):
        raise OutputError(f"{ed.key} 版格式（{ed.document}）不适用于 {year} 年度。",
                          f"edition {ed.key} does not apply to {year}")
    data = empty_report(ed)
    set_path(data, "meta.agency", agency)
    set_path(data, "meta.year", year)
    set_path(data, "meta.agency_kind", kind or S.infer_agency_kind(agency))
    described = f"{ed.document} 格式，{year} 年度，{agency}，机关类型：{S.AGENCY_KINDS[data['meta']['agency_kind']]}"
    target = Path(target)
    if target.exists() and not force:
        if _is_unit_workbook(target, data, kind is not None, edition is not None):
            return NewWorkbook(Written(target, unchanged=True), described)
        raise OutputError(f"{target.name} 已存在，且不是这样的工作簿（{described}）；"
                          "如要替换请加 --force（旧文件会保留为 .bak）。",
                          f"{target} exists and is another workbook; use --force to replace it (kept as .bak)")
    return NewWorkbook(write_workbook(data, target), described)


def _is_unit_workbook(path: Path, data: Mapping[str, Any], by_kind: bool, by_edition: bool) -> bool:
    from nianbao.workbook_templates.format.errors import NianbaoError
    from nianbao.workbook_templates.xlsx.reader import read_workbook

    try:
        found = read_workbook(path).data
    except NianbaoError:
        return False
    meta, want = found["meta"], data["meta"]
    return ((meta.get("agency") or "").strip() == want["agency"] and meta.get("year") == want["year"]
            and (not by_kind or meta.get("agency_kind") == want["agency_kind"])
            and (not by_edition or found["edition"] == data["edition"]))
