"""Speed report: how long the hot paths take on the bundled real samples (not a test).

    python3 bench/speed.py [--repeat N]

Prints a table: reading a filled workbook (our package reader vs openpyxl, and python-calamine
when installed), validating, carry-forward planning, and generating each format.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "haining-2023.json"


def timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    from nianbao.addin.checks.validate import check
    from nianbao.generator import render
    from nianbao.workbook_templates.format.report_data import normalise
    from nianbao.workbook_templates.xlsx.reader import read_workbook
    from nianbao.workbook_templates.xlsx.writer import write_workbook

    data = normalise(json.loads(FIXTURE.read_text(encoding="utf-8")))
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        wb = Path(tmp) / "haining.xlsx"
        write_workbook(data, wb)
        rows.append(("read workbook → report data (nianbao)", *timed(lambda: read_workbook(wb), args.repeat)))
        import openpyxl

        rows.append(("openpyxl load (for comparison)", *timed(lambda: openpyxl.load_workbook(wb), args.repeat)))
        rows.append(("openpyxl read-only load + close", *timed(
            lambda: openpyxl.load_workbook(wb, read_only=True).close(), args.repeat)))
        try:
            from python_calamine import CalamineWorkbook

            rows.append(("python-calamine: open + all sheets", *timed(
                lambda: [CalamineWorkbook.from_path(str(wb)).get_sheet_by_name(n).to_python()
                         for n in ("第二部分", "第三部分", "第四部分")], args.repeat)))
        except ImportError:
            pass
        rows.append(("write filled template (openpyxl)", *timed(lambda: write_workbook(data, wb), max(3, args.repeat // 4))))
        rows.append(("validate (all rules)", *timed(lambda: check(data), args.repeat)))
        for suffix in (".md", ".html", ".docx"):
            rows.append((f"generate {suffix}", *timed(lambda s=suffix: render(data, s), max(3, args.repeat // 4))))
    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  median ms    min ms")
    for name, med, low in rows:
        print(f"{name:<{width}}  {med:9.2f} {low:9.2f}")


if __name__ == "__main__":
    main()
