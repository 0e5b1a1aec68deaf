"""`nianbao distribute`: one pre-filled template per unit of a roster, and a manifest.

Each template carries the unit's meta (locked on the cover) and a hidden unit id, so a returned
file is matched to its unit even when renamed.  With last year's returned workbooks or published
reports, 上年结转 and last year's report are filled in, matched by unit id, then by name.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nianbao.batch.roster import Unit, file_names, norm_name
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import NianbaoError
from nianbao.workbook_templates.format.report_data import get_path, report_of, set_path
from nianbao.workbook_templates.xlsx.safe_write import Written, tally, write_atomic

READABLE = (".xlsx", ".xlsm", ".json", ".txt", ".md", ".html", ".htm", ".docx", ".pdf")
MANIFEST = "下发清单"
MANIFEST_HEADERS = ("单位编号", "名称", "类型", "上级", "汇总", "联系人", "联系电话", "公开联系方式", "文件", "上年数据")


def candidate_files(folder: Path, suffixes: Iterable[str]) -> list[Path]:
    """Files of a folder a person put there: not Office lock files, not our backups or temp files."""
    return [folder / name for name in candidate_names(folder, suffixes)]


def candidate_names(folder: Path, suffixes: Iterable[str]) -> list[str]:
    """The names of ``candidate_files``, sorted (as text: ten thousand Paths at once weigh 4 MB)."""
    wanted = tuple(suffixes)
    with os.scandir(folder) as entries:
        return sorted(e.name for e in entries
                      if e.is_file() and os.path.splitext(e.name)[1].lower() in wanted
                      and not e.name.startswith(("~$", ".")) and not e.name.endswith((".bak", ".tmp")))


@dataclass
class ManifestRow:
    unit: Unit
    file: str
    carried: str


def _previous_index(folder: Path, year: int) -> tuple[dict[str, dict], dict[str, dict], list[str]]:
    from nianbao.workbook_templates.sources import load_report

    by_id: dict[str, dict] = {}
    by_name: dict[str, dict] = {}
    notes = []
    for path in candidate_files(folder, READABLE):
        try:
            data, _ = load_report(path, year - 1)
        except NianbaoError as e:
            notes.append(f"上年文件 {path.name} 无法读取：{e.zh}")
            continue
        if get_path(data, "meta.year") != year - 1:
            notes.append(f"上年文件 {path.name} 是 {get_path(data, 'meta.year')} 年度的，未使用")
            continue
        data = {**data, "_file": path.name}
        if get_path(data, "meta.unit_id"):
            by_id[data["meta"]["unit_id"]] = data
        by_name[norm_name(get_path(data, "meta.agency") or "")] = data
    return by_id, by_name, notes


def _write_one(args: tuple[dict[str, Any], str]) -> Written:
    from nianbao.batch.clone import write_copy

    data, target = args
    return write_copy(data, target)


def _write_many(jobs: list[tuple[dict[str, Any], str]]) -> list[Written]:
    return [_write_one(job) for job in jobs]


def distribute(units: list[Unit], year: int, out: Path, previous_dir: Path | None = None,
               progress: Any = None) -> tuple[list[ManifestRow], list[str]]:
    """Write every unit's template into ``out`` and the manifest; returns its rows and notes."""
    edition = S.edition_for_year(year)
    out.mkdir(parents=True, exist_ok=True)
    names = file_names(units, year)
    by_id, by_name, notes = _previous_index(previous_dir, year) if previous_dir else ({}, {}, [])
    jobs, rows = [], []
    for u in units:
        data = report_of(edition, {})  # a fresh empty report (as empty_report makes it, in one pass)
        for key, value in (("agency", u.name), ("year", year), ("agency_kind", u.kind), ("unit_id", u.unit_id),
                           ("parent", u.parent or None), ("contact", u.public_contact or None),
                           ("region", u.region or None)):
            set_path(data, f"meta.{key}", value)
        last = by_id.get(u.unit_id) or by_name.get(norm_name(u.name))
        carried = "无上年数据"
        if last is not None:
            for carry in edition.carry_map:
                value = get_path(last, carry.last)
                if not carry.computed and isinstance(value, (int, float)):
                    set_path(data, carry.this, value)
            data["previous"] = {k: v for k, v in last.items() if k not in ("previous", "_file")}
            carried = f"已结转（{last['_file']}）"
        jobs.append((data, str(out / names[u.unit_id])))
        rows.append(ManifestRow(u, names[u.unit_id], carried))
    workers = min(os.cpu_count() or 1, len(jobs) // 100)
    written: list[Written] = []
    if workers > 1:  # each worker builds the base copy once, then clones it (about 2 ms a copy)
        batches = [jobs[i: i + 50] for i in range(0, len(jobs), 50)]
        with ProcessPoolExecutor(workers) as pool:
            for done in pool.map(_write_many, batches):
                written += done
                if progress:
                    for _ in range(len(done)):
                        progress()
    else:
        for job in jobs:
            written.append(_write_one(job))
            if progress:
                progress()
    written += write_manifest(out, rows)
    return rows, notes + tally(written)


def _manifest_values(r: ManifestRow) -> list[str]:
    u = r.unit
    return [u.unit_id, u.name, S.AGENCY_KINDS[u.kind], u.parent, "是" if u.aggregate else "否", u.contact_person,
            u.phone, u.public_contact, r.file, r.carried]


def write_manifest(out: Path, rows: list[ManifestRow]) -> list[Written]:
    from openpyxl import Workbook

    from nianbao.workbook_templates.xlsx.utf8_save import saver

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(MANIFEST_HEADERS)
    for r in rows:
        w.writerow([_csv_safe(v) for v in _manifest_values(r)])
    csv_written = write_atomic(out / f"{MANIFEST}.csv", buf.getvalue().encode("utf-8-sig"))
    wb = Workbook()
    ws = wb.active
    ws.title = MANIFEST
    ws.append(list(MANIFEST_HEADERS))
    for i, r in enumerate(rows, start=2):
        values = _manifest_values(r)
        ws.append(values)
        for col, value in enumerate(values, start=1):  # cell by cell: ws[i] would count every row again
            if isinstance(value, str):
                ws.cell(i, col).data_type = "s"
    ws.auto_filter.ref = ws.dimensions
    for col, width in zip("ABCDEFGHIJ", (14, 30, 10, 24, 6, 10, 16, 36, 36, 30)):
        ws.column_dimensions[col].width = width
    return [csv_written, write_atomic(out / f"{MANIFEST}.xlsx", saver(wb))]


def _csv_safe(value: str) -> str:
    """No cell of a CSV written from people's text starts a formula when opened in Excel."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
