"""The sum of many units' reports: entered figures added cell by cell (totals are recomputed by
the template's formulas), each application counted once — the sub-units of a unit whose report
already includes them (汇总) are not added again — and where such a unit is smaller than the sum of
its sub-units in some cell, that is noted for AGG-01."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nianbao.workbook_templates import schema as S
from nianbao.workbook_templates.report_data import empty_report, get_path, number, set_path


def add_up(reports: Sequence[Mapping[str, Any]], edition: S.Edition) -> dict[str, Any]:
    """The entered figures of ``reports`` summed (blank + blank stays blank; blank counts as 0 else)."""
    out = empty_report(edition)
    for path in edition.entered_paths:
        f = edition.fields[path]
        if not f.kind.numeric or f.part not in S.PART_NAMES:
            continue
        values = [get_path(r, path) for r in reports]
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if numbers:
            set_path(out, path, number(sum(numbers)))
    return out


def aggregate_shortfalls(own: Mapping[str, Any], children: Sequence[Mapping[str, Any]], edition: S.Edition,
                         unit: str) -> list[dict[str, Any]]:
    """Cells where a 汇总 unit's own report is smaller than the sum of its sub-units' (AGG-01)."""
    summed = add_up(children, edition)
    out = []
    for path in edition.entered_paths:
        mine, theirs = get_path(own, path), get_path(summed, path)
        if isinstance(mine, (int, float)) and isinstance(theirs, (int, float)) and mine < theirs:
            out.append({"unit": unit, "path": path, "own": mine, "children": theirs})
    return out
