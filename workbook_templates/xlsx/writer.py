"""Report data into a workbook: a template of the data's edition, filled and written atomically."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import totals_differing


def differing_totals_messages(data: Mapping[str, Any]) -> list[str]:
    """Chinese lines for every printed total a template's formula will compute differently."""
    edition = S.get_edition(data["edition"])
    return [
        f"{edition.describe(path)}：原数据为 {printed}，工作簿公式将计算为 {computed}"
        for path, printed, computed in totals_differing(edition, data)
    ]


def write_workbook(data: Mapping[str, Any], target: str | Path, *, lock_meta: bool = False,
                   extra: Any = None) -> Path | None:
    """Write report data as a filled template (atomically; returns the backup path if any).
    ``extra(workbook)`` may add sheets of its own before the file is written."""
    from nianbao.workbook_templates.xlsx.builder import build, fill  # openpyxl only where a workbook is written
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic

    edition = S.get_edition(data["edition"])
    template = build(edition)
    fill(template, data, lock_meta=lock_meta)
    if extra is not None:
        extra(template.workbook)
    return write_atomic(target, template.workbook.save)
