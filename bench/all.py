"""The speed report (not a test): every figure the README's speed table quotes, from one run on
the same files, with the yardsticks beside them.

    python3 bench/all.py [--n 1000] [--sample 100] [--repeat 3] [--memory]

- the machine: cores, CPU, load average, and how much two processes really get done at once;
- ``nianbao distribute`` of N units, beside the openpyxl way (building each workbook; timed on
  ``--sample`` units and scaled to N);
- N distinct filled returns (the Haining figures, each unit's own meta), then on those files:
  ``nianbao collect`` end to end; the naive loop (openpyxl ``load_workbook`` + every cell, on
  ``--sample`` files, scaled); and, in one process, per file: raw unzip of every part (the floor),
  python-calamine reading every sheet, nianbao's reader, the rules;
- each single command as a user starts it: ``generate -o x.docx``, ``-o x.html``, ``validate``;
- with ``--memory``: collect's peak memory for N and for 10·N returns.

Whole-process figures are wall seconds, CPU seconds (user + system, workers included) and the
peak resident memory of the largest process; per-file figures are CPU milliseconds, the best of
``--repeat`` passes.  Commands run with Python's compiled modules kept, as on a user's machine
(``ENV``).  On a shared machine read the load average and the two-process figure first.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "haining-2023.json"
YEAR = 2023

MEASURE = ("import resource, subprocess, sys, time\n"
           "t = time.perf_counter()\n"
           "p = subprocess.run(sys.argv[1:], capture_output=True)\n"
           "wall = time.perf_counter() - t\n"
           "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
           "print(wall, r.ru_utime + r.ru_stime, r.ru_maxrss, p.returncode)\n")


# A command runs as on a user's machine, where Python keeps the compiled modules (.pyc) after the
# first run: never with PYTHONDONTWRITEBYTECODE, which some build and CI environments set (then
# every start compiles every module again).  ``main`` starts each command once before it is timed.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measured(cmd: list[str], ok: tuple[int, ...] = (0, 1)) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB, the largest process) of a whole command."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True,
                         env=ENV).stdout
    wall, cpu, kb, code = out.split()
    if int(code) not in ok:
        raise SystemExit(f"{cmd} exited {code}")
    return float(wall), float(cpu), int(kb) / 1024


def nianbao(*args: str) -> list[str]:
    return [sys.executable, "-m", "nianbao", *args]


def median_of(cmd: list[str], repeat: int) -> tuple[float, float, float]:
    measured(cmd)  # the first start, as a user's first (it writes the .pyc): not counted
    runs = [measured(cmd) for _ in range(repeat)]
    return tuple(statistics.median(r[i] for r in runs) for i in range(3))  # type: ignore[return-value]


def scaled(run, sample: int, n: int) -> tuple[float, float, float]:
    """A slow yardstick for ``n`` items from runs on 1 and on ``sample`` items: the start-up once,
    the cost of an item ``n`` times (never the start-up multiplied)."""
    one, many = run(1), run(sample)
    k = (n - 1) / max(sample - 1, 1)
    return one[0] + (many[0] - one[0]) * k, one[1] + (many[1] - one[1]) * k, many[2]


def per_file(files: list[Path], repeat: int) -> dict[str, float]:
    """CPU ms a file of each way of reading it, and of the rules on what nianbao read: each file
    taken by every way back to back (the ways' order rotated from file to file and pass to pass),
    so that the ways are compared on the same file within the same few milliseconds — a shared
    machine's slow spells, which last longer than that, slow them all alike; the rules right after
    nianbao's reader, on what it read, as collect runs them.  Per file the best of ``repeat``
    passes, summed over the files."""
    from nianbao.addin.checks.validate import validate
    from nianbao.workbook_templates.xlsx.reader import read_workbook

    clock = time.process_time
    best = {key: [float("inf")] * len(files) for key in ("unzip", "calamine", "reader", "rules")}

    def timed(key: str, i: int, fn: Any, *args: Any) -> Any:
        t = clock()
        out = fn(*args)
        best[key][i] = min(best[key][i], clock() - t)
        return out

    def ours(i: int, path: Path) -> None:
        data = timed("reader", i, read_workbook, path).data
        timed("rules", i, validate, data, path.name)

    steps = [lambda i, p: timed("unzip", i, unzip_all, p), lambda i, p: timed("calamine", i, calamine_all, p), ours]
    for turn in range(repeat):
        for i, path in enumerate(files):
            k = (turn + i) % len(steps)
            for step in steps[k:] + steps[:k]:
                step(i, path)
    return {key: sum(times) * 1000 / len(files) for key, times in best.items()}


# -- the machine ----------------------------------------------------------------------------------


def _burn(n: int) -> int:
    s = 0
    for i in range(n):
        s += i * i
    return s


def parallel_speedup() -> float:
    """How much two processes get done at once, against one (2.0 on two free cores)."""
    from concurrent.futures import ProcessPoolExecutor

    n = 5_000_000
    t = time.perf_counter()
    _burn(n)
    one = time.perf_counter() - t
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_burn, [1000, 1000]))  # the workers started
        t = time.perf_counter()
        list(pool.map(_burn, [n, n]))
        two = time.perf_counter() - t
    return 2 * one / two


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"{os.cpu_count()} cores ({cpu}), load average {load}, two processes at once do "
            f"{parallel_speedup():.2f}× the work of one; Python {platform.python_version()}")


# -- the files ------------------------------------------------------------------------------------


def write_roster(path: Path, n: int) -> None:
    path.write_text("名称,类型,上级\n海宁市人民政府,政府,\n" + "".join(
        f"海宁市第{i:04d}单位,部门,海宁市人民政府\n" for i in range(1, n)), encoding="utf-8")


OPENPYXL_DISTRIBUTE = (
    "import sys\n"
    "from pathlib import Path\n"
    "from nianbao.batch.roster import read_roster, file_names\n"
    "from nianbao.workbook_templates.format import schema as S\n"
    "from nianbao.workbook_templates.format.report_data import empty_report, set_path\n"
    "from nianbao.workbook_templates.xlsx.writer import write_workbook\n"
    "units, out = read_roster(sys.argv[1]), Path(sys.argv[2])\n"
    "out.mkdir()\n"
    "names = file_names(units, 2023)\n"
    "for u in units:\n"
    "    d = empty_report(S.edition_for_year(2023))\n"
    "    for k, v in (('agency', u.name), ('year', 2023), ('agency_kind', u.kind), ('unit_id', u.unit_id),\n"
    "                 ('parent', u.parent or None)):\n"
    "        set_path(d, 'meta.' + k, v)\n"
    "    write_workbook(d, out / names[u.unit_id], lock_meta=True)\n")


def fill_returns(sent: Path, back: Path) -> int:
    """Each distributed copy back as a filled return: the Haining figures under the unit's own meta
    (one workbook filled by openpyxl, then copied with each unit's 机关名称 and hidden id)."""
    from nianbao.workbook_templates.xlsx.edit import PackageEditor
    from nianbao.workbook_templates.xlsx.reader import read_workbook
    from nianbao.workbook_templates.xlsx.writer import write_workbook

    copies = [p for p in sorted(sent.glob("*.xlsx")) if not p.name.startswith("下发")]
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    first = read_workbook(copies[0])
    data = copy.deepcopy(data)
    data["meta"] = first.data["meta"]
    base = back.parent / "filled.xlsx"
    write_workbook(data, base, lock_meta=True)
    editor = PackageEditor(base)
    for p in copies:
        meta = read_workbook(p).data["meta"]
        clone = copy.copy(editor)
        clone._trees = {}
        for key in ("agency", "unit_id"):
            clone.set_value(*first.cells[f"meta.{key}"], meta[key])
        clone.save(back / p.name)
    return len(copies)


NAIVE = ("import sys, openpyxl\n"
         "for p in sys.argv[1:]:\n"
         "    wb = openpyxl.load_workbook(p, data_only=True)\n"
         "    for ws in wb.worksheets:\n"
         "        for row in ws.iter_rows(values_only=True):\n"
         "            pass\n")


# -- per file, in one process ---------------------------------------------------------------------


def unzip_all(path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        for info in z.infolist():
            z.read(info)


def calamine_all(path: Path) -> None:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="units and returns (default 1000)")
    ap.add_argument("--sample", type=int, default=100, help="units and files for the slow yardsticks (default 100)")
    ap.add_argument("--repeat", type=int, default=3, help="passes and runs of each measurement (default 3)")
    ap.add_argument("--memory", action="store_true", help="also collect 10·N returns and compare peak memory")
    args = ap.parse_args()
    n, sample, repeat = args.n, min(args.sample, args.n), args.repeat

    from nianbao.addin.checks.validate import validate
    from nianbao.workbook_templates.xlsx.reader import read_workbook

    print(f"machine: {machine()}")
    rows: list[tuple[str, str, str, str]] = []
    ratios: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        roster = tmp_path / "roster.csv"
        write_roster(roster, n)
        sent, back = tmp_path / "sent", tmp_path / "back"
        back.mkdir()
        d = measured(nianbao("distribute", "--roster", str(roster), "--year", str(YEAR), "--out", str(sent)))

        def openpyxl_way(k: int) -> tuple[float, float, float]:
            shutil.rmtree(tmp_path / "sent-openpyxl", ignore_errors=True)
            write_roster(tmp_path / "roster-sample.csv", k)
            return measured([sys.executable, "-c", OPENPYXL_DISTRIBUTE, str(tmp_path / "roster-sample.csv"),
                             str(tmp_path / "sent-openpyxl")])

        o = scaled(openpyxl_way, sample, n)
        rows.append((f"nianbao distribute, {n} units", f"{d[0]:.2f} s", f"{d[1]:.2f} s", f"{d[2]:.0f} MB"))
        rows.append((f"  the openpyxl way (each workbook built; 1 and {sample} units, scaled)", f"{o[0]:.1f} s",
                     f"{o[1]:.1f} s", f"{o[2]:.0f} MB"))
        ratios.append(f"distribute is {o[0] / d[0]:.1f}× faster than building each workbook with openpyxl")

        t = time.perf_counter()
        fill_returns(sent, back)
        filled = time.perf_counter() - t
        files = sorted(back.glob("*.xlsx"))
        size = sum(p.stat().st_size for p in files) / len(files) / 1024

        collect = nianbao("collect", str(back), "--roster", str(roster), "-o", str(tmp_path / "out" / "SUMMARY.xlsx"))
        runs = []
        for _ in range(repeat):
            shutil.rmtree(tmp_path / "out", ignore_errors=True)
            runs.append(measured(collect))
        c = tuple(statistics.median(r[i] for r in runs) for i in range(3))
        naive = scaled(lambda k: measured([sys.executable, "-c", NAIVE, *map(str, files[:k])], ok=(0,)), sample, n)
        rows.append((f"nianbao collect, {n} returns (read, check, sum, dashboard, feedback, ledger)",
                     f"{c[0]:.2f} s", f"{c[1]:.2f} s", f"{c[2]:.0f} MB"))
        rows.append((f"  naive: openpyxl load_workbook + every cell (1 and {sample} files, scaled)",
                     f"{naive[0]:.1f} s", f"{naive[1]:.1f} s", f"{naive[2]:.0f} MB"))
        ratios.append(f"collect is {naive[0] / c[0]:.1f}× faster than the naive loop (wall, whole process; "
                      f"{naive[1] / c[1]:.1f}× in CPU); collect's CPU is {c[1] * 1000 / n:.1f} ms a return")

        validate(read_workbook(files[0]).data, "x")
        calamine_all(files[0])
        cost = per_file(files, repeat)
        floor, calamine, reader, rules = cost["unzip"], cost["calamine"], cost["reader"], cost["rules"]
        print(f"files: {n} distinct filled returns, {size:.0f} KB each (made in {filled:.1f} s, not counted)")
        rows.append(("per file, one process: unzip every part (the floor)", f"{floor:.2f} ms", "", ""))
        rows.append(("  python-calamine, every sheet's values", f"{calamine:.2f} ms", "", ""))
        rows.append(("  nianbao's reader (names, values, formulas, protection, INT-01)", f"{reader:.2f} ms", "", ""))
        rows.append(("  the rules on the data read", f"{rules:.2f} ms", "", ""))
        ratios.append(f"the reader takes {reader / calamine:.2f}× python-calamine's time and {reader / floor:.2f}× "
                      f"the unzip floor; the rules {rules:.2f} ms a return")
        ratios.append(f"collect end to end against reading the same files in one process (python-calamine "
                      f"{calamine * n / 1000:.2f} s CPU, the unzip floor {floor * n / 1000:.2f} s CPU): collect's CPU "
                      f"({c[1]:.2f} s, every process) {c[1] * 1000 / (calamine * n):.2f}× and "
                      f"{c[1] * 1000 / (floor * n):.2f}×; its wall time on {os.cpu_count()} cores ({c[0]:.2f} s) "
                      f"{c[0] * 1000 / (calamine * n):.2f}× and {c[0] * 1000 / (floor * n):.2f}×")

        data = tmp_path / "report.json"
        data.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
        for label, cmd in (("generate -o x.docx", nianbao("generate", str(data), "-o", str(tmp_path / "x.docx"))),
                           ("generate -o x.html", nianbao("generate", str(data), "-o", str(tmp_path / "x.html"))),
                           ("validate one return", nianbao("validate", str(files[1])))):
            w, cpu, mem = median_of(cmd, repeat)
            rows.append((f"nianbao {label} (whole process)", f"{w:.2f} s", f"{cpu:.2f} s", f"{mem:.0f} MB"))

        if args.memory:
            big = tmp_path / "big"
            big.mkdir()
            write_roster(big / "roster.csv", 10 * n)
            subprocess.run(nianbao("distribute", "--roster", str(big / "roster.csv"), "--year", str(YEAR),
                                   "--out", str(big / "sent")), check=True, capture_output=True)
            (big / "back").mkdir()
            fill_returns(big / "sent", big / "back")
            m = measured(nianbao("collect", str(big / "back"), "--roster", str(big / "roster.csv"), "-o",
                                 str(big / "out" / "SUMMARY.xlsx")))
            rows.append((f"nianbao collect, {10 * n} returns", f"{m[0]:.2f} s", f"{m[1]:.2f} s", f"{m[2]:.0f} MB"))
            ratios.append(f"collect's peak memory: {c[2]:.0f} MB for {n} returns, {m[2]:.0f} MB for {10 * n} "
                          f"({(m[2] / c[2] - 1) * 100:+.0f}%, {(m[2] - c[2]) * 1024 / (9 * n):.1f} KB a return)")

    print(f"{'step':<78} {'wall':>9} {'cpu':>9} {'peak':>7}")
    for name, wall, cpu, mem in rows:
        print(f"{name:<78} {wall:>9} {cpu:>9} {mem:>7}")
    for line in ratios:
        print(line)
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
