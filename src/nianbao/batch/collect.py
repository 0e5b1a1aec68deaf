"""`nianbao collect`: read every returned workbook (in parallel, one process per core), match it to
its unit, validate it, and write the status dashboard, the feedback files and the consolidated
template of the sum.  A unit's broken file is a dashboard finding, never the end of the run."""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nianbao.batch.roster import Unit, norm_name, safe_file_stem, top_unit
from nianbao.workbook_templates.format import figures as NF
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import NianbaoError
from nianbao.addin.consolidate import summed_paths
from nianbao.workbook_templates.format.report_data import get_path, set_path


def figures_of(data: dict[str, Any]) -> dict[str, Any]:
    """A worker's packed figures as report data again (for summing and the dashboard)."""
    edition = S.get_edition(data["edition"])
    out: dict[str, Any] = {"edition": data["edition"], "meta": data["meta"]}
    for path, value in zip(summed_paths(edition), data["figures"]):
        set_path(out, path, value)
    return out

RETURNED = (".xlsx", ".xlsm", ".xls", ".xlsb", ".et", ".ods")
DASHBOARD = "汇总情况"
FEEDBACK = "退回修改"
# The dashboard's figures, by their names in the catalogue of named figures.
KEY_FIGURES = (NF.NEW, NF.HANDLED, NF.CARRIED_FORWARD, NF.REVIEW, NF.LITIGATION)
HEADERS = ("单位", "上级", "类型", "状态", "错误", "警告", *KEY_FIGURES, "文件", "说明", "联系人", "联系电话")


@dataclass
class Returned:
    """What one worker learned from one file."""

    path: str
    mtime: float
    data: dict[str, Any] | None = None
    error: str | None = None
    errors: int = 0
    warnings: int = 0
    messages: list[str] = field(default_factory=list)  # Chinese, for the unit's feedback file
    key: tuple[Any, ...] = ()  # the dashboard's figures: new, answered, carried forward, reviews, lawsuits


def read_one(path: str) -> Returned:
    """Read and validate one returned file (runs in a worker process)."""
    from nianbao.addin.checks.validate import validate
    from nianbao.workbook_templates.xlsx.reader import read_workbook

    r = Returned(path, os.path.getmtime(path))
    try:
        data = read_workbook(path).data
    except NianbaoError as e:
        r.error = e.zh
        return r
    except Exception as e:  # a defect must not end a run over hundreds of files
        r.error = f"读取时出错：{type(e).__name__}"
        return r
    report = validate(data, Path(path).name)
    # the parent needs meta and the figures only, packed as a tuple (memory and pickling stay small)
    r.data = {"edition": data["edition"], "meta": data["meta"],
              "figures": tuple(get_path(data, p) for p in summed_paths(S.get_edition(data["edition"])))}
    r.key = tuple(NF.value(data, name) for name in KEY_FIGURES)
    r.errors, r.warnings = report.count("error"), report.count("warning")
    r.messages = [f"【{'错误' if f.severity == 'error' else '警告'} {f.rule}】{f.message}"
                  for f in report.findings if f.severity in ("error", "warning")]
    return r


def read_all(files: list[Path], progress: Callable[[], None] | None = None) -> list[Returned]:
    paths = [str(p) for p in files]
    out: list[Returned] = []
    if len(paths) > 8 and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor() as pool:
            for r in pool.map(read_one, paths, chunksize=max(1, len(paths) // ((os.cpu_count() or 1) * 8))):
                out.append(r)
                if progress:
                    progress()
    else:
        for p in paths:
            out.append(read_one(p))
            if progress:
                progress()
    return out


@dataclass
class UnitStatus:
    name: str
    parent: str = ""
    kind: str = ""
    status: str = "未收到"
    chosen: Returned | None = None
    others: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unit: Unit | None = None

    @property
    def has_errors(self) -> bool:
        return self.status in ("文件有误", "年度不符", "格式版本不符") or bool(self.chosen and self.chosen.errors)

    def sort_key(self) -> tuple[int, str]:
        rank = 0 if self.has_errors else 1 if self.status == "未收到" else 2 if self.chosen and self.chosen.warnings else 3
        return rank, self.name


def match(returns: list[Returned], units: list[Unit] | None, year: int | None) -> tuple[list[UnitStatus], list[Returned]]:
    """Each return to its unit (hidden id, then name; a broken file by its file name); the newest
    file of a unit wins."""
    statuses: dict[str, UnitStatus] = {}
    by_name: dict[str, str] = {}
    by_file: dict[str, str] = {}
    if units is not None:
        for u in units:
            statuses[u.unit_id] = UnitStatus(u.name, u.parent, S.AGENCY_KINDS[u.kind], unit=u)
            by_name[norm_name(u.name)] = u.unit_id
            by_file[norm_name(safe_file_stem(f"{u.name}-{year}")) if year else ""] = u.unit_id
            by_file[norm_name(safe_file_stem(u.name))] = u.unit_id
            if u.file_name:
                by_file[norm_name(Path(u.file_name).stem)] = u.unit_id
    unknown: list[Returned] = []
    candidates: dict[str, list[Returned]] = {}
    for r in returns:
        key = None
        if r.data is not None:
            uid, name = get_path(r.data, "meta.unit_id"), norm_name(get_path(r.data, "meta.agency") or "")
            key = uid if uid in statuses else by_name.get(name)
            if key is None and units is None:
                key = name or r.path
                statuses.setdefault(key, UnitStatus(get_path(r.data, "meta.agency") or Path(r.path).stem,
                                                    get_path(r.data, "meta.parent") or "",
                                                    S.AGENCY_KINDS.get(get_path(r.data, "meta.agency_kind"), "")))
        else:
            key = by_file.get(norm_name(Path(r.path).stem))
        if key is None:
            unknown.append(r)
            continue
        candidates.setdefault(key, []).append(r)
    for key, rs in candidates.items():
        rs.sort(key=lambda r: r.mtime, reverse=True)
        st = statuses[key]
        st.chosen = rs[0]
        st.others = [Path(r.path).name for r in rs[1:]]
        if st.others:
            st.notes.append(f"同一单位有 {len(rs)} 个文件，使用最新的 {Path(rs[0].path).name}，"
                            f"未用：{'、'.join(st.others)}")
        c = st.chosen
        if c.data is None:
            st.status = "文件有误"
        elif year is not None and get_path(c.data, "meta.year") != year:
            st.status = "年度不符"
            st.notes.append(f"文件是 {get_path(c.data, 'meta.year')} 年度的，应为 {year} 年度")
        elif year is not None and c.data["edition"] != S.edition_for_year(year).key:
            st.status = "格式版本不符"
        else:
            st.status = "已收到"
    return list(statuses.values()), unknown


def consolidate(statuses: list[UnitStatus], edition: S.Edition) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The sum over received units, each application once; AGG-01 shortfalls of 汇总 units."""
    from nianbao.addin.consolidate import add_up, aggregate_shortfalls

    ok = [s for s in statuses if s.status == "已收到" and s.chosen and s.chosen.data]
    if not ok:
        return None, []
    aggregating = {norm_name(s.name): s for s in ok if s.unit and s.unit.aggregate}
    counted = (figures_of(s.chosen.data) for s in ok if norm_name(s.parent) not in aggregating)
    shortfalls = []
    for name, s in aggregating.items():
        children = [figures_of(c.chosen.data) for c in ok if norm_name(c.parent) == name]
        if children:
            shortfalls += aggregate_shortfalls(figures_of(s.chosen.data), children, edition, s.name)
    return add_up(counted, edition), shortfalls


def note_shortfalls(statuses: list[UnitStatus], shortfalls: list[dict[str, Any]], edition: S.Edition) -> None:
    """AGG-01 on the dashboard: the 汇总 unit's row says where it is smaller than its sub-units."""
    by_name = {s.name: s for s in statuses}
    for item in shortfalls:
        s = by_name.get(item["unit"])
        if s is not None:
            s.notes.append(f"AGG-01：{edition.describe(item['path'])}为 {item['own']}，小于其下级之和 {item['children']}")


def dashboard_rows(statuses: list[UnitStatus]) -> list[list[Any]]:
    rows = []
    for s in sorted(statuses, key=UnitStatus.sort_key):
        c = s.chosen
        figures = list(c.key) if c and c.data else [None] * len(KEY_FIGURES)
        contact = (s.unit.contact_person, s.unit.phone) if s.unit else ("", "")
        rows.append([s.name, s.parent, s.kind, s.status, c.errors if c and c.data else "", c.warnings if c and c.data else "",
                     *figures, Path(c.path).name if c else "",
                     "；".join(n for n in ([c.error] if c and c.error else []) + s.notes if n), *contact])
    return rows


def write_dashboard_sheet(wb: Any, rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font, PatternFill

    ws = wb.create_sheet(DASHBOARD, 0)
    ws.append(list(HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    red, grey, yellow = (PatternFill("solid", fgColor=c) for c in ("FFC7CE", "EDEDED", "FFEB9C"))
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a unit's name never becomes a formula
        fill = red if row[3] != "已收到" and row[3] != "未收到" or (row[4] or 0) else grey if row[3] == "未收到" \
            else yellow if row[5] else None
        if fill:
            ws.cell(ws.max_row, 4).fill = fill
    ws.auto_filter.ref = f"A1:{chr(64 + len(HEADERS))}{max(ws.max_row, 1)}"
    ws.freeze_panes = "B2"
    for i, width in enumerate((30, 24, 10, 10, 6, 6, 10, 10, 10, 10, 10, 30, 50, 10, 16), start=1):
        ws.column_dimensions[chr(64 + i)].width = width
    wb.active = 0


def dashboard_html(title: str, rows: list[list[Any]]) -> str:
    head = "".join(f"<th scope=\"col\">{html.escape(h)}</th>" for h in HEADERS)
    body = []
    for row in rows:
        cls = "err" if row[3] not in ("已收到", "未收到") or (row[4] or 0) else "missing" if row[3] == "未收到" else ""
        cells = "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)
        body.append(f'<tr class="{cls}">{cells}</tr>')
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>"
            "body{font-family:sans-serif;margin:1rem}table{border-collapse:collapse;font-size:.85rem}"
            "th,td{border:1px solid #999;padding:.2rem .4rem}tr.err td:nth-child(4){background:#ffc7ce}"
            "tr.missing td{color:#777}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><table><thead><tr>{head}</tr></thead><tbody>"
            + "".join(body) + "</tbody></table></body></html>\n")


def feedback_text(s: UnitStatus, year: int | None) -> str:
    lines = [f"{s.name}：{year or ''}年度政府信息公开工作年度报告退回修改意见", ""]
    if s.chosen and s.chosen.data is None:
        lines.append(f"报送的文件 {Path(s.chosen.path).name} 无法读取：{s.chosen.error}")
    lines += [f"{i}. {m}" for i, m in enumerate(s.chosen.messages if s.chosen else [], start=1)]
    lines += [f"说明：{n}" for n in s.notes if n]
    lines += ["", "请修改后重新报送。"]
    return "\n".join(lines) + "\n"


def summary_meta(data: dict[str, Any], units: list[Unit] | None, agency: str | None, year: int) -> None:
    top = top_unit(units) if units else None
    name = agency or (top.name if top else None)
    set_path(data, "meta.agency", name)
    set_path(data, "meta.year", year)
    set_path(data, "meta.agency_kind", (top.kind if top and not agency else S.infer_agency_kind(name or "")))


def year_of(returns: list[Returned]) -> int | None:
    years = [get_path(r.data, "meta.year") for r in returns if r.data]
    years = [y for y in years if isinstance(y, int)]
    return max(set(years), key=years.count) if years else None


def feedback_file(folder: Path, name: str) -> Path:
    """Where a unit's feedback file goes."""
    return folder / f"{safe_file_stem(name)}-{FEEDBACK}.txt"


def write_feedback(folder: Path, statuses: list[UnitStatus], year: int | None) -> list[Path]:
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic

    written = []
    for s in statuses:
        if s.chosen and (s.chosen.data is None or s.chosen.messages or s.status != "已收到"):
            folder.mkdir(parents=True, exist_ok=True)
            target = feedback_file(folder, s.name)
            write_atomic(target, feedback_text(s, year).encode("utf-8-sig"), backup=False)
            written.append(target)
    return written
