"""Each return to its unit, and each unit's status — over two levels.

A return is matched by the hidden unit id, then by 机关名称 (a broken file by its file name).  Of
several files of one unit, a summary (a district's SUMMARY.xlsx) wins over the unit's own return,
else the newest file wins.  A unit whose 上级 chain reaches a unit whose summary was received is
*included*: it is listed as “已含在…汇总中” and not added again, so every leaf unit counts once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nianbao.batch.returns import Returned
from nianbao.batch.roster import Unit, norm_name, safe_file_stem
from nianbao.workbook_templates.format import schema as S

RECEIVED = "已收到"
MISSING = "未收到"
UNFILLED = "未填写"
BROKEN = "文件有误"
WRONG_YEAR = "年度不符"
WRONG_EDITION = "格式版本不符"
INCLUDED = "已含在汇总中"
NOT_IN_ROSTER = "不在名单中"
FAILED = (BROKEN, WRONG_YEAR, WRONG_EDITION, UNFILLED)


@dataclass(slots=True, eq=False)
class UnitStatus:
    key: str
    name: str
    parent: str = ""
    kind: str = ""  # the kind's Chinese label
    unit: Unit | None = None  # None: a file of a unit the roster does not list
    status: str = MISSING
    chosen: Returned | None = None
    others: tuple[Returned, ...] = ()  # the unit's other files, not used
    included_in: str = ""  # the 汇总 unit whose summary already counts this unit
    notes: tuple[str, ...] = ()  # what the dashboard and the feedback say of it (tuples: most units have none)

    def note(self, text: str, first: bool = False) -> None:
        self.notes = (text, *self.notes) if first else (*self.notes, text)

    @property
    def in_roster(self) -> bool:
        return self.unit is not None

    @property
    def aggregating(self) -> bool:
        """A received report that already includes the units below it."""
        return self.status == RECEIVED and bool(
            (self.unit and self.unit.aggregate) or (self.chosen and self.chosen.is_summary))

    @property
    def has_errors(self) -> bool:
        return self.status in FAILED and self.status != UNFILLED or bool(
            self.chosen and self.chosen.readable and self.chosen.errors)

    @property
    def counted(self) -> bool:
        return self.status == RECEIVED and not self.included_in

    def sort_key(self) -> tuple[int, str, str]:
        c = self.chosen
        rank = (0 if self.has_errors else 1 if self.status in (MISSING, UNFILLED)
                else 2 if c and c.warnings else 3 if self.status != INCLUDED else 4)
        return rank, self.parent, self.name


def match(returns: list[Returned], units: list[Unit] | None, year: int | None) -> list[UnitStatus]:
    """Every unit of the roster (and every file of a unit it does not list) with its status."""
    statuses: dict[str, UnitStatus] = {}
    for u in units or []:
        uid = u.unit_id
        statuses[uid] = UnitStatus(uid, u.name, u.parent, S.AGENCY_KINDS[u.kind], unit=u)
    indexes: dict[str, dict[str, str]] = {}  # made only when a return needs them (most carry their unit id)

    def by_name() -> dict[str, str]:
        if "name" not in indexes:
            found = indexes["name"] = {}
            for u in units or []:
                found.setdefault(norm_name(u.name), u.unit_id)
        return indexes["name"]

    def by_file() -> dict[str, str]:
        if "file" not in indexes:
            found = indexes["file"] = {}
            for u in units or []:
                for stem in (f"{u.name}-{year}" if year else None, u.name, Path(u.file_name).stem if u.file_name else None):
                    if stem:
                        found[norm_name(safe_file_stem(stem))] = u.unit_id
        return indexes["file"]

    for r in returns:  # each to its unit as it comes: the first file a unit's choice until another comes
        if r.readable:
            meta = r.data["meta"]  # (its record read once)
            uid, name = meta["unit_id"], norm_name(meta["agency"] or "")
            key = uid if uid in statuses else by_name().get(name)
            if key is None:
                key = "name:" + (name or r.path)
                statuses.setdefault(key, UnitStatus(key, meta["agency"] or Path(r.path).stem, meta["parent"] or "",
                                                    S.AGENCY_KINDS.get(meta["agency_kind"], "")))
        else:
            key = by_file().get(norm_name(Path(r.path).stem)) or "file:" + r.path
            statuses.setdefault(key, UnitStatus(key, Path(r.path).stem))
        st = statuses[key]
        if st.chosen is None:
            st.chosen = r
        else:
            st.others += (r,)
    for st in statuses.values():
        if st.chosen is None:
            continue
        if st.others:  # of several files, a summary over the unit's own, else the newest (the first that came, of alike)
            rs = sorted((st.chosen, *st.others), key=lambda r: (r.is_summary, r.mtime), reverse=True)
            st.chosen, st.others = rs[0], tuple(rs[1:])
            if st.chosen.is_summary:
                st.note(f"本单位的汇总表 {st.chosen.name} 已包括本级报送：{'、'.join(r.name for r in st.others)}")
            else:
                st.note(f"同一单位有 {len(rs)} 个文件，使用最新的 {st.chosen.name}，"
                        f"未用：{'、'.join(r.name for r in st.others)}")
        st.status = _status(st, year)
        if units is not None and not st.in_roster and st.status == RECEIVED:
            st.status = NOT_IN_ROSTER
    _include(list(statuses.values()))
    return list(statuses.values())


def _status(st: UnitStatus, year: int | None) -> str:
    c = st.chosen
    assert c is not None
    if not c.readable:
        return BROKEN
    if year is not None and c.meta("year") != year:
        st.note(f"文件是 {c.meta('year')} 年度的，应为 {year} 年度")
        return WRONG_YEAR
    if year is not None and c.edition != S.edition_for_year(year).key:
        return WRONG_EDITION
    if c.untouched:
        st.note("模板交回时还没有填写任何数字")
        return UNFILLED
    return RECEIVED


def _include(statuses: list[UnitStatus]) -> None:
    """Mark every return already counted by a received summary above it (any number of levels)."""
    aggregating = {norm_name(s.name): s for s in statuses if s.aggregating}
    if not aggregating:
        return  # no summary came: nothing is counted twice (and no map of every unit's 上级 is made)
    parent_of: dict[str, str] = {}  # the 上级 of a unit named so (a 上级 is named by the roster's 名称)
    for s in statuses:
        if s.parent:
            parent_of.setdefault(norm_name(s.name), norm_name(s.parent))
    for s in statuses:
        if s.chosen is None or not s.chosen.readable:
            continue
        # up from the unit's own 上级: units of one name in two districts (each its 教育局) have each
        # their own; by name, every 教育局 would have had the first one's
        seen, node = set(), norm_name(s.parent)
        while node and node not in seen:
            seen.add(node)
            if node in aggregating and aggregating[node] is not s:
                s.included_in = s.included_in or aggregating[node].name  # the nearest summary above
            node = parent_of.get(node, "")
        if s.included_in and s.status in (RECEIVED, NOT_IN_ROSTER):
            s.status = INCLUDED
            s.note(f"已含在{s.included_in}汇总中", first=True)
