"""collect's memory grows with the number of returns by no more than each unit must keep (#18):
what the parent holds of a unit (its roster row, its status, a handle to its return, its path, its
round) — never a whole file read at once, nor every unit's history, nor a second copy of the
strings of every unit.  Measured with tracemalloc (Python's own count of its allocations, the same
from run to run), for two runs of the same roster, over a small and a large set of real returns."""

from __future__ import annotations

import copy
import tracemalloc
from pathlib import Path

import pytest

from conftest import load_fixture
from nianbao.batch.collect import collect
from nianbao.batch.consolidation import consolidating_agency
from nianbao.batch.returns import returned_files
from nianbao.batch.roster import read_roster
from nianbao.workbook_templates.xlsx.edit import PackageEditor
from nianbao.workbook_templates.xlsx.reader import read_workbook
from nianbao.workbook_templates.xlsx.writer import write_workbook

YEAR = 2023
SMALL, LARGE = 300, 1200  # both above the ledger's batch of 256 rows, so only the units differ
PER_UNIT = 750  # bytes: a unit's status, the handle to its return's record, its roster row, path and round (~650)


def _units_and_returns(folder: Path, n: int) -> tuple[Path, Path]:
    """A roster of ``n`` units and a filled return from each (the Haining figures under each
    unit's own 机关名称 and hidden id, as a distributed copy comes back)."""
    folder.mkdir()
    roster = folder / "名单.csv"
    roster.write_text("名称,类型,上级\n海宁市人民政府,政府,\n" + "".join(
        f"海宁市第{i:04d}单位,部门,海宁市人民政府\n" for i in range(1, n)), encoding="utf-8")
    units = read_roster(roster)
    data = copy.deepcopy(load_fixture("haining-2023"))
    data["meta"].update(agency=units[0].name, unit_id=units[0].unit_id, year=YEAR)
    base = folder / "base.xlsx"
    write_workbook(data, base, lock_meta=True)
    cells = read_workbook(base).cells
    editor = PackageEditor(base)
    back = folder / "back"
    back.mkdir()
    for u in units:
        clone = copy.copy(editor)
        clone._trees = {}
        clone.set_value(*cells["meta.agency"], u.name)
        clone.set_value(*cells["meta.unit_id"], u.unit_id)
        clone.save(back / f"{u.name}-{YEAR}.xlsx")
    base.unlink()
    return roster, back


def _traced(roster: Path, back: Path) -> list[tuple[int, int]]:
    """What each of two collect runs held at its peak, and what it holds when it is done (every
    unit's status, with its return, kept for the caller), the roster and the listing included;
    the second run reads the ledger's first round and compares what it writes with what is there."""
    out = back.parent / "out" / "SUMMARY.xlsx"
    traced = []
    for _ in range(2):
        tracemalloc.start()
        try:
            units = read_roster(roster)
            done = collect(returned_files([back], out), units, consolidating_agency(units, None, None), YEAR, out)
            kept, peak = tracemalloc.get_traced_memory()
            traced.append((peak, kept))
        finally:
            tracemalloc.stop()
        assert done.counts.line() == f"收到 {len(units)}/{len(units)}，有错误 0，未收到 0"
        del done, units
    return traced


@pytest.fixture(scope="module")
def sets(tmp_path_factory) -> dict[int, tuple[Path, Path]]:
    tmp = tmp_path_factory.mktemp("memory")
    made = {n: _units_and_returns(tmp / str(n), n) for n in (SMALL, LARGE)}
    roster, back = made[SMALL]
    units = read_roster(roster)  # once before it is measured: what the first run imports is not a unit's
    collect(returned_files([back], tmp), units, consolidating_agency(units, None, None), YEAR, tmp / "warm" / "S.xlsx")
    return made


def test_collect_keeps_under_750_bytes_a_unit_in_either_round(sets):
    small, large = _traced(*sets[SMALL]), _traced(*sets[LARGE])
    for run, (a, b) in enumerate(zip(small, large), start=1):
        for what, x, y in (("at its peak", a[0], b[0]), ("when done", a[1], b[1])):
            per_unit = (y - x) / (LARGE - SMALL)
            assert per_unit <= PER_UNIT, (f"run {run}, {what}: {x / 1e6:.2f} MB for {SMALL} returns, {y / 1e6:.2f} MB "
                                          f"for {LARGE}: {per_unit:.0f} bytes a unit (at most {PER_UNIT})")
