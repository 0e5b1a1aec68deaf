"""Batch speed report (not a test): distribute, then collect N filled workbooks, next to the naive
way (openpyxl.load_workbook of every file, reading every cell), with time per workbook and peak
memory of each step.

    python3 bench/batch.py [--n 1000]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


MEASURE = ("import resource, subprocess, sys, time\n"
           "t = time.perf_counter()\n"
           "p = subprocess.run(sys.argv[1:], capture_output=True)\n"
           "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)\n")


def measured(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and the peak RSS (MB) of the largest process the command started."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True).stdout
    secs, kb, code = out.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"{cmd} failed with {code}")
    return float(secs), int(kb) / 1024


def run(args: list[str]) -> tuple[float, float]:
    return measured([sys.executable, "-m", "nianbao", *args])


def fill(args: tuple[str, str]) -> None:
    from nianbao.workbook_templates.xlsx.reader import read_workbook
    from nianbao.workbook_templates.xlsx.writer import write_workbook

    sent, back = args
    data = json.loads((ROOT / "tests/fixtures/haining-2023.json").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["meta"] = read_workbook(sent).data["meta"]
    write_workbook(data, back)


OPENPYXL_DISTRIBUTE = (
    "import sys, os\n"
    "from concurrent.futures import ProcessPoolExecutor\n"
    "from pathlib import Path\n"
    "from nianbao.batch.roster import read_roster, file_names\n"
    "from nianbao.workbook_templates.format import schema as S\n"
    "from nianbao.workbook_templates.format.report_data import empty_report, set_path\n"
    "from nianbao.workbook_templates.xlsx.writer import write_workbook\n"
    "def one(job):\n"
    "    write_workbook(job[0], job[1], lock_meta=True)\n"
    "if __name__ == '__main__':\n"
    "    units, out = read_roster(sys.argv[1]), Path(sys.argv[2])\n"
    "    out.mkdir()\n"
    "    names, jobs = file_names(units, 2023), []\n"
    "    for u in units:\n"
    "        d = empty_report(S.edition_for_year(2023))\n"
    "        for k, v in (('agency', u.name), ('year', 2023), ('agency_kind', u.kind), ('unit_id', u.unit_id),\n"
    "                     ('parent', u.parent or None)):\n"
    "            set_path(d, 'meta.' + k, v)\n"
    "        jobs.append((d, str(out / names[u.unit_id])))\n"
    "    with ProcessPoolExecutor() as pool:\n"
    "        list(pool.map(one, jobs, chunksize=8))\n")


def openpyxl_distribute(roster: Path, out: Path) -> tuple[float, float]:
    """The way distribute worked before: openpyxl builds and writes every unit's workbook."""
    return measured([sys.executable, "-c", OPENPYXL_DISTRIBUTE, str(roster), str(out)])


def naive(folder: Path) -> tuple[float, float]:
    code = ("import sys, openpyxl, pathlib\n"
            "for p in sorted(pathlib.Path(sys.argv[1]).glob('*.xlsx')):\n"
            "    wb = openpyxl.load_workbook(p, data_only=True)\n"
            "    for ws in wb.worksheets:\n"
            "        for row in ws.iter_rows(values_only=True):\n"
            "            pass\n")
    return measured([sys.executable, "-c", code, str(folder)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1000)
    n = ap.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        roster = tmp_path / "roster.csv"
        roster.write_text("名称,类型,上级\n海宁市人民政府,政府,\n" + "".join(
            f"海宁市第{i:04d}单位,部门,海宁市人民政府\n" for i in range(1, n)), encoding="utf-8")
        sent, back = tmp_path / "sent", tmp_path / "back"
        back.mkdir()
        d_time, d_mem = run(["distribute", "--roster", str(roster), "--year", "2023", "--out", str(sent)])
        o_time, o_mem = openpyxl_distribute(roster, tmp_path / "sent-openpyxl")
        jobs = [(str(p), str(back / p.name)) for p in sorted(sent.glob("*.xlsx")) if not p.name.startswith("下发")]
        t = time.perf_counter()
        with ProcessPoolExecutor() as pool:
            list(pool.map(fill, jobs, chunksize=16))
        fill_time = time.perf_counter() - t
        c_time, c_mem = run(["collect", str(back), "--roster", str(roster), "-o", str(tmp_path / "SUMMARY.xlsx")])
        v_time, v_mem = run(["validate", jobs[0][1]])
        nv_time, nv_mem = naive(back)
    print(f"N = {n} workbooks, {os.cpu_count()} cores (filling the returns took {fill_time:.1f} s, not counted)")
    print(f"{'step':<44} {'total s':>8} {'ms/workbook':>12} {'peak MB':>8}")
    for name, secs, mem, per in (
        ("distribute (clone + patch N templates)", d_time, d_mem, True),
        ("  the openpyxl way (build + write each one)", o_time, o_mem, True),
        ("collect (read + validate + sum + dashboard)", c_time, c_mem, True),
        ("naive: openpyxl load + read every cell", nv_time, nv_mem, True),
        ("validate one workbook (process start incl.)", v_time, v_mem, False),
    ):
        print(f"{name:<44} {secs:8.2f} {secs * 1000 / (n if per else 1):12.2f} {mem:8.0f}")
    print(f"distribute is {o_time / d_time:.1f}x faster than the openpyxl way")
    print(f"collect is {nv_time / c_time:.1f}x faster than the naive read alone")


if __name__ == "__main__":
    main()
