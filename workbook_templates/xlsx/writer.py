"""Report data into a workbook: a template of the data's edition, filled and written atomically."""

from __future__ import annotations

from collections.abc import Mapping
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

    edition = S.get_edition(data["edition"])
    template = build(edition)
    fill(template, data, lock_meta=lock_meta)
    if extra is not None:
        extra(template.workbook)
    return write_atomic(target, template.workbook.save)
