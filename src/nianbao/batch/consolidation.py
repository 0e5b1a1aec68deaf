"""The city report: the sum over the units that count (each leaf unit once), its meta — the
consolidating agency — and every total, through one path for SUMMARY.xlsx and ``--report``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nianbao.addin.consolidate import add_up_figures, aggregate_shortfalls
from nianbao.batch.matching import INCLUDED, UnitStatus
from nianbao.batch.returns import Spill
from nianbao.batch.roster import Unit, norm_name, top_unit
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import DataError
from nianbao.workbook_templates.format.report_data import complete_totals, set_path


@dataclass(frozen=True)
class Agency:
    """Whose report the sum is: 机关名称, 机关类型, and its place in the roster."""

    name: str
    kind: str
    unit_id: str | None = None
    parent: str | None = None


def consolidating_agency(units: list[Unit] | None, agency: str | None, kind: str | None) -> Agency:
    """The roster's top unit, or ``--agency``/``--kind``; refuses, saying what to pass, when neither."""
    if kind is not None and kind not in S.AGENCY_KINDS:
        raise DataError(f"--kind 应为 {' / '.join(S.AGENCY_KINDS)}，实为“{kind}”",
                        f"--kind must be one of {', '.join(S.AGENCY_KINDS)}")
    top = top_unit(units) if units else None
    if agency:
        named = next((u for u in units or [] if norm_name(u.name) == norm_name(agency)), None)
        return Agency(agency, kind or (named.kind if named else S.infer_agency_kind(agency)),
                      named.unit_id if named else None, (named.parent or None) if named else None)
    if top is not None:
        return Agency(top.name, kind or top.kind, top.unit_id, top.parent or None)
    if units:
        names = [u.name for u in units if not u.parent or norm_name(u.parent) not in {norm_name(x.name) for x in units}]
        why = f"名单中最上级的单位不止一个（{'、'.join(names[:5])}{' 等' if len(names) > 5 else ''}）"
    else:
        why = "没有给出名单（--roster）"
    raise DataError(f"无法确定汇总报告的机关名称：{why}。请用 --agency 指定汇总报告的机关名称"
                    "（如 --agency 某某市人民政府），需要时用 --kind government|department|other 指定机关类型；"
                    "或在名单中只留一个没有“上级”的单位。",
                    "cannot tell whose consolidated report this is: pass --agency NAME (and --kind), "
                    "or give the roster a single top unit")


def counted(statuses: list[UnitStatus]) -> list[UnitStatus]:
    """The returns that are added up: received, not already inside a received summary."""
    return [s for s in statuses if s.counted and s.chosen and s.chosen.readable]


def city_report(statuses: list[UnitStatus], edition: S.Edition, agency: Agency, year: int,
                spill: Spill) -> dict[str, Any] | None:
    """The consolidated report data: the sum, the agency, and every total computed once."""
    rows = counted(statuses)
    if not rows:
        return None
    data = add_up_figures((spill.figures_of(s.chosen) for s in rows if s.chosen), edition)
    for key, value in (("agency", agency.name), ("year", year), ("agency_kind", agency.kind),
                       ("unit_id", agency.unit_id), ("parent", agency.parent)):
        set_path(data, f"meta.{key}", value)
    return complete_totals(data)


def shortfalls(statuses: list[UnitStatus], edition: S.Edition, spill: Spill) -> list[dict[str, Any]]:
    """AGG-01: cells where a received summary is smaller than the returns it includes."""
    out: list[dict[str, Any]] = []
    summaries = [s for s in statuses if s.aggregating or (s.included_in and s.chosen and s.chosen.is_summary)]
    if not summaries:
        return out
    included: dict[str, list[UnitStatus]] = {}
    for c in statuses:
        if c.included_in and c.status == INCLUDED and c.chosen and c.chosen.readable:
            included.setdefault(c.included_in, []).append(c)
    for s in summaries:
        parts = [spill.figures(c.chosen) for c in included.get(s.name, []) if c.chosen]
        if parts and s.chosen and s.chosen.readable:
            found = aggregate_shortfalls(spill.figures(s.chosen), parts, edition, s.name)
            for item in found:
                s.note(f"AGG-01：{edition.describe(item['path'])}为 {item['own']}，小于其下级之和 {item['children']}")
            out += found
    return out
