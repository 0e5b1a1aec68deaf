"""Carry-forward: last year's 结转下年度 into this year's 上年结转, and last year's report
stored in this workbook (``previous``) for the cross-year rules and year-on-year text.

``plan`` is pure (it decides, cell by cell); ``apply`` writes the plan into the workbook with
surgical, atomic edits.  A typed figure that differs from last year's (0 counts as typed) is
never overwritten without ``force``; neither is a workbook whose year does not follow LAST's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.xlsx.hidden_sheet import previous_writes
from nianbao.workbook_templates.format.report_data import get_path
from nianbao.workbook_templates.xlsx.reader import WorkbookRead
from nianbao.workbook_templates.xlsx.edit import PackageEditor
from nianbao.workbook_templates.xlsx.safe_write import Written

from nianbao.workbook_templates.format.numbers import figure as n


@dataclass
class Change:
    path: str
    sheet: str
    ref: str
    old: Any
    new: Any

    def describe(self, edition: S.Edition) -> str:
        old = "空白" if self.old is None else n(self.old)
        return f"{self.sheet}!{self.ref} {edition.describe(self.path)}：{old} → {n(self.new)}"


def _carry_meta(p: "Plan", this: WorkbookRead, last: Mapping[str, Any]) -> None:
    """联系方式, 所属地区, 上级机关 into empty cells; never over what is typed.  A distributed copy
    (it carries a unit id) keeps the roster's values: nothing of its meta is carried."""
    distributed = bool(get_path(this.data, "meta.unit_id"))
    for path in S.PERSISTENT_META:
        new, old = get_path(last, path), get_path(this.data, path)
        if not isinstance(new, str) or not new.strip() or path not in this.cells:
            continue
        label = this.edition.describe(path)
        if old == new:
            p.same.append(path)
        elif distributed:
            p.notes.append(f"{label}：下发的模板以名单为准，未改动（上年为“{new}”）")
        elif old in (None, ""):
            p.changes.append(Change(path, *this.cells[path], None, new))
        else:
            p.notes.append(f"{label}已填写“{old}”，未改动（上年为“{new}”）")


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)  # cells that will be written
    conflicts: list[Change] = field(default_factory=list)  # typed figures that differ
    same: list[str] = field(default_factory=list)  # already equal
    notes: list[str] = field(default_factory=list)
    wrong_year: str | None = None  # or another agency: a refusal that --force overrides
    previous: dict[str, Any] | None = None  # last year's report, to store
    previous_changed: bool = False

    @property
    def refused(self) -> bool:
        return bool(self.conflicts) or self.wrong_year is not None


def _without_previous(data: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(data)
    out.pop("previous", None)
    return out


def plan(this: WorkbookRead, last: Mapping[str, Any], *, force: bool = False) -> Plan:
    """What carry-forward would do; with ``force``, conflicts and the year check give way."""
    p = Plan()
    edition = this.edition
    year, last_year = get_path(this.data, "meta.year"), get_path(last, "meta.year")
    if not (isinstance(year, int) and isinstance(last_year, int) and last_year == year - 1):
        msg = f"上年数据是 {last_year} 年度的，本工作簿是 {year} 年度：应为 {year - 1 if isinstance(year, int) else '上一'} 年度"
        if force:
            p.notes.append(msg + "（已按 --force 继续）")
        else:
            p.wrong_year = msg
    agency, last_agency = get_path(this.data, "meta.agency"), get_path(last, "meta.agency")
    if agency and last_agency and "".join(str(agency).split()) != "".join(str(last_agency).split()):
        msg = f"上年数据是“{last_agency}”的，本工作簿是“{agency}”的"
        if force:
            p.notes.append(msg + "（已按 --force 继续）")
        elif p.wrong_year is None:
            p.wrong_year = msg
    for carry in edition.carry_map:
        target, new = carry.this, get_path(last, carry.last)
        if carry.computed:  # the 总计 column follows by formula; compare only
            parts = [get_path(last, c.last) for c in edition.carry_map if not c.computed]
            if isinstance(new, (int, float)) and all(isinstance(v, (int, float)) for v in parts) and sum(parts) != new:
                p.notes.append(f"上年“结转下年度”总计印为 {n(new)}，但各列之和为 {n(sum(parts))}；本年总计按公式为各列之和")
            continue
        if not isinstance(new, (int, float)) or isinstance(new, bool):
            column = edition.fields[target].column
            p.notes.append(f"上年“结转下年度”的“{column}”列空白，本年“{column}”列未填")
            continue
        old = get_path(this.data, target)
        sheet, ref = this.cells[target]
        if old is None and not this.is_blank(target):  # a formula, #N/A or text is a person's, not blank
            old = this.occupied[target]
        change = Change(target, sheet, ref, old, new)
        if old is None:
            p.changes.append(change)
        elif old == new:
            p.same.append(target)
        elif force:
            p.changes.append(change)
        else:
            p.conflicts.append(change)
    _carry_meta(p, this, last)
    prev = _without_previous(last)
    p.previous = prev
    current = this.data.get("previous")
    p.previous_changed = json.dumps(current, sort_keys=True) != json.dumps(prev, sort_keys=True)
    return p


def apply(path: str | Path, this: WorkbookRead, p: Plan) -> Written:
    """Write a plan into the workbook at ``path`` (by the overwrite policy of ``safe_write``)."""
    assert not p.refused, "a refused plan is never applied"
    editor = PackageEditor(path)
    for c in p.changes:
        editor.set_value(c.sheet, c.ref, c.new)
    if p.changes:
        for sheet in sorted({s for s, _ in this.cells.values()}):
            editor.strip_cached_values(sheet)  # totals and checks are recomputed on open
    if p.previous_changed and p.previous is not None:
        _store_previous(editor, p.previous)
    return editor.save()


def _store_previous(editor: PackageEditor, previous: Mapping[str, Any]) -> None:
    target = editor.name_target(S.NAME_PREVIOUS) or editor.name_target(S.NAME_EDITION)
    assert target is not None
    sheet, old_range = target
    writes, name_range = previous_writes(previous, old_range if editor.name_target(S.NAME_PREVIOUS) else None)
    for ref, value in writes.items():
        editor.set_value(sheet, ref, value)
    editor.set_name(S.NAME_PREVIOUS, sheet, name_range)
