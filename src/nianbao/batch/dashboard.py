"""The 汇总情况 dashboard: one typed row per unit, as the first sheet of SUMMARY.xlsx (to print:
landscape, one page wide, header row repeated, a 合计 row) and as SUMMARY.html (a count line,
the date, totals, links to the feedback files)."""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

from nianbao.batch.ledger import Round
from nianbao.batch.matching import INCLUDED, MISSING, RECEIVED, UNFILLED, UnitStatus
from nianbao.batch.returns import KEY_FIGURES, Fields
from nianbao.workbook_templates.format import figures as NF


@dataclass
class DashboardRow:
    单位: str
    上级: str
    类型: str
    状态: str
    第几次报送: int | None
    退回次数: int | None
    最后收到时间: str
    错误: int | None
    警告: int | None
    figures: tuple[Any, ...]  # KEY_FIGURES
    文件: str
    说明: str
    与上次相比: str
    联系人: str
    联系电话: str
    feedback: str = ""  # the feedback file, relative to the dashboard (HTML link)

    def cells(self) -> list[Any]:
        return [self.单位, self.上级, self.类型, self.状态, self.第几次报送, self.退回次数, self.最后收到时间,
                self.错误, self.警告, *self.figures, self.文件, self.说明, self.与上次相比, self.联系人, self.联系电话]

    @property
    def tone(self) -> str:
        """err | warn | missing | included | ''"""
        if self.状态 in (MISSING, UNFILLED):
            return "missing"
        if self.错误 or self.状态 not in (RECEIVED, INCLUDED):
            return "err"
        if self.状态 == INCLUDED:
            return "included"
        return "warn" if self.警告 else ""


_FIGURE_AT = [f.name for f in fields(DashboardRow)].index("figures")
HEADERS = tuple([f.name for f in fields(DashboardRow)][:_FIGURE_AT] + list(KEY_FIGURES)
                + [f.name for f in fields(DashboardRow)][_FIGURE_AT + 1:-1])
WIDTHS = (26, 18, 8, 10, 6, 6, 11, 5, 5, 8, 8, 8, 7, 7, 22, 44, 30, 8, 13)
STATUS_COLUMN = HEADERS.index("状态") + 1
TONES = ("", "err", "missing", "warn", "included")  # how a row looks (DashboardRow.tone)
FILLS = {"err": "FFC7CE", "missing": "EDEDED", "warn": "FFEB9C", "included": "E2EFDA"}  # the status cell's colour


@dataclass
class Totals:
    """The 合计 row: the city report's key figures, and how many returns it adds up."""

    units: int
    figures: tuple[Any, ...]


@dataclass
class Counts:
    """收到 n/N，有错误 k，未收到 m."""

    received: int
    expected: int
    with_errors: int
    missing: int

    def line(self) -> str:
        return f"收到 {self.received}/{self.expected}，有错误 {self.with_errors}，未收到 {self.missing}"


def first_message(f: Fields | None, readable: bool) -> str:
    """The 说明 a return's record gives: why it could not be read, else its first message."""
    if f is None:
        return ""
    if not readable:
        return f.error or ""
    return f.first if f.errors or f.warnings else ""  # the bulk's first message, kept in the record


def rows_of(statuses: list[UnitStatus], rounds: dict[str, Round], feedback: dict[str, Path],
            base: Path) -> Iterator[DashboardRow]:
    """The dashboard's rows, made one at a time (errors first, then missing, warnings, the rest)."""
    for s in sorted(statuses, key=UnitStatus.sort_key):
        c, r = s.chosen, rounds.get(s.key)
        f = c.fields() if c is not None else None  # the record read once
        readable = c is not None and c.readable
        notes = [n for n in [first_message(f, readable), *s.notes] if n]
        if r and r.identical_to:
            notes.append(f"与第 {r.identical_to} 次报送的文件完全相同（未修改）")
        changes = "" if not r or r.identical_to else "；".join(r.changes)
        yield DashboardRow(
            s.name, s.parent, s.kind, s.status, r.submission if r else None, r.returned if r else None,
            r.last_received.replace("T", " ")[:16] if r else "",
            f.errors if readable and f else None, f.warnings if readable and f else None,
            f.key if readable and f and not f.untouched else (None,) * len(KEY_FIGURES),
            (f"{Path(c.path).parent.name}/{c.name}" if f.is_summary else c.name) if c and f else "", "；".join(notes),
            changes,
            s.unit.contact_person if s.unit else "", s.unit.phone if s.unit else "",
            os.path.relpath(feedback[s.key], base).replace(os.sep, "/") if s.key in feedback else "")


def totals_of(city: dict[str, Any], units: int) -> Totals:
    return Totals(units, tuple(NF.value(city, name) for name in KEY_FIGURES))


def counts_of(statuses: list[UnitStatus]) -> Counts:
    rostered = [s for s in statuses if s.in_roster] or statuses
    return Counts(sum(1 for s in rostered if s.chosen), len(rostered),
                  sum(1 for s in statuses if s.has_errors), sum(1 for s in rostered if s.status == MISSING))


def total_label(totals: Totals) -> str:
    return f"合计（计入汇总的 {totals.units} 份报送）"


def title_of(agency: str, year: int) -> str:
    return f"{agency}{year}年度政府信息公开工作年度报告汇总情况"


_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1rem;color:#222}
h1{font-size:1.3rem;margin:.2rem 0}p.count{font-size:1.05rem;font-weight:bold;margin:.3rem 0}
p.date{color:#555;margin:.2rem 0 .8rem}
table{border-collapse:collapse;font-size:.8rem;width:100%}
th,td{border:1px solid #999;padding:.2rem .35rem;vertical-align:top}
th{background:#ddebf7;white-space:nowrap;word-break:keep-all}
td.num{text-align:right;white-space:nowrap}td.name{min-width:9em}td.note{min-width:16em}
tr.err td.status{background:#ffc7ce}tr.warn td.status{background:#ffeb9c}
tr.missing td{color:#777}tr.included td.status{background:#e2efda}
tfoot td{font-weight:bold;background:#f2f2f2}
@page{size:A4 landscape;margin:10mm}
@media print{thead{display:table-header-group}tr{break-inside:avoid}}
"""
_NUMERIC = {"第几次报送", "退回次数", "错误", "警告", *KEY_FIGURES}
_CLASSES = {"单位": "name", "状态": "status", "说明": "note"}


def _cell(header: str, value: Any) -> str:
    cls = "num" if header in _NUMERIC else _CLASSES.get(header, "")
    text = html.escape("" if value is None else str(value))
    return f'<td class="{cls}">{text}</td>' if cls else f"<td>{text}</td>"


# each column's opening <td>, as _cell writes it
_OPEN = tuple(f'<td class="{c}">' if c else "<td>"
              for c in ("num" if h in _NUMERIC else _CLASSES.get(h, "") for h in HEADERS))


def _cells(values: Iterable[Any]) -> str:
    """A row's cells, each as ``_cell(header, value)`` writes it (whole numbers need no escaping)."""
    return "".join(f"{open_}{'' if v is None else v if type(v) is int else html.escape(str(v))}</td>"
                   for open_, v in zip(_OPEN, values))


def page(title: str, counts: Counts, totals: Totals, rows: Iterable[DashboardRow], day: date) -> str:
    """SUMMARY.html: a self-contained page (every text escaped)."""
    return "".join(page_parts(title, counts, totals, rows, day))


def page_parts(title: str, counts: Counts, totals: Totals, rows: Iterable[DashboardRow], day: date) -> Iterator[str]:
    """SUMMARY.html piece by piece (a row at a time), to be written as it is made."""
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in (*HEADERS, "退回意见"))
    yield ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
           f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
           f"<h1>{html.escape(title)}</h1><p class=\"count\">{html.escape(counts.line())}</p>"
           f"<p class=\"date\">汇总日期：{day.isoformat()}</p>"
           f"<table><thead><tr>{head}</tr></thead><tbody>")
    for row in rows:
        cells = _cells(row.cells())
        link = (f'<a href="{html.escape(row.feedback, quote=True)}">{html.escape(Path(row.feedback).name)}</a>'
                if row.feedback else "")
        yield f'<tr class="{row.tone}">{cells}<td>{link}</td></tr>'
    first_figure = HEADERS.index(KEY_FIGURES[0])
    foot = (f'<td colspan="{first_figure}">{total_label(totals)}</td>'
            + "".join(_cell(KEY_FIGURES[i], v) for i, v in enumerate(totals.figures))
            + f'<td colspan="{len(HEADERS) - first_figure - len(KEY_FIGURES) + 1}"></td>')
    yield f"</tbody><tfoot><tr>{foot}</tr></tfoot></table></body></html>\n"
