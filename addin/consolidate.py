"""The sum of many units' reports: entered figures added cell by cell (totals are recomputed by
the template's formulas), each application counted once — the sub-units of a unit whose report
already includes them (汇总) are not added again — and where such a unit is smaller than the sum of
its sub-units in some cell, that is noted for AGG-01."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import islice
from typing import Any

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import get_path, number, report_of


@lru_cache(maxsize=8)
def summed_paths(edition: S.Edition) -> tuple[str, ...]:
    """The entered figures that are added up (the tables and the fee figures)."""
    return tuple(p for p in edition.entered_paths
                 if edition.fields[p].kind.numeric and edition.fields[p].part in S.PART_NAMES)


def add_up(reports: Iterable[Mapping[str, Any]], edition: S.Edition) -> dict[str, Any]:
    """The entered figures of ``reports`` summed (blank + blank stays blank; blank counts as 0 else).
    ``reports`` is read once, so it may be a generator (memory stays flat in the number of units)."""
    paths = summed_paths(edition)
    return add_up_figures((tuple(get_path(r, p) for p in paths) for r in reports), edition)


def add_up_figures(figures: Iterable[Sequence[Any]], edition: S.Edition) -> dict[str, Any]:
    """``add_up`` of reports given as their ``summed_paths`` figures, in that order."""
    paths = summed_paths(edition)
    sums: list[Any] = [None] * len(paths)
    reports = iter(figures)
    # a batch of reports at a time, added up column by column: the same additions in the same
    # order as report by report, with the loop in C where it can be (memory stays flat)
    while batch := list(islice(reports, _BATCH)):
        if any(len(figs) != len(paths) for figs in batch):  # not of this edition: report by report, as given
            for figs in batch:
                for i, v in enumerate(figs):
                    if type(v) in _NUMBER:
                        sums[i] = (0 if sums[i] is None else sums[i]) + v
            continue
        for i, column in enumerate(zip(*batch)):
            numbers = [v for v in column if type(v) in _NUMBER]
            if numbers:
                sums[i] = _added(0 if sums[i] is None else sums[i], numbers)
    return report_of(edition, {path: number(v) if isinstance(v, float) else v
                               for path, v in zip(paths, sums) if v is not None})


_BATCH = 64
_NUMBER = (int, float)  # not bool: a tick box is not a count


def _added(total: int | float, numbers: list[int | float]) -> int | float:
    """``total`` plus each of ``numbers`` in turn: ``sum`` for whole numbers (exact in any order),
    one by one where a float is involved (``sum`` of floats is compensated from Python 3.12 on)."""
    if type(total) is int and all(type(v) is int for v in numbers):
        return sum(numbers, total)
    for v in numbers:
        total += v
    return total


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
