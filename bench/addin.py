"""Click report for the Excel ribbon (not a test): per button, on a filled template.

    python3 bench/addin.py [--repeat N]

For each button it prints
- Python start + imports: a fresh interpreter running what RunPython runs (``import xlwings.utils``,
  then the button's module and what its click imports), with and without the .pth that keeps
  matplotlib out of xlwings (``nianbao addin install`` writes it) — the price of the first click,
  and of every click without the persistent Python;
- API calls: calls into the xlwings engine on the strict stand-in (tests/xlwings_book.py); in real
  Excel each one is a cross-process COM call;
- compute: the button's Python work on the stand-in, first call and median of later calls in the
  same process (what a click costs with the persistent Python, USE UDF SERVER).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

IMPORTS = {
    "校验": "import nianbao.addin.excel.ribbon_core as c, nianbao.addin.checks.validate",
    "导入上年数据": "import nianbao.addin.excel.ribbon_core as c, nianbao.addin.carry_forward, nianbao.workbook_templates.sources",
    "生成报告": "import nianbao.addin.excel.ribbon_core as c, nianbao.generator, nianbao.generator.chart, docx",
    "新建年报": "import nianbao.addin.excel.ribbon_core as c, nianbao.workbook_templates.xlsx.writer",
}


def start_and_imports(button: str, fast: bool) -> float:
    pre = "import nianbao.addin.excel.fast_import as f; f.install(); " if fast else ""
    code = f"import time; t = time.perf_counter(); {pre}import xlwings.utils; {IMPORTS[button]}; print(time.perf_counter() - t)"
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_LICENSE_KEY"}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from xlwings_book import Excel, counting

    from nianbao.addin.excel import ribbon_core as core

    tmp = Path(tempfile.mkdtemp())
    fixtures = ROOT / "tests" / "fixtures"
    filled, last, blank = tmp / "虹口区-2020.xlsx", tmp / "虹口区-2019.xlsx", tmp / "空白" / "虹口区-2020.xlsx"
    blank.parent.mkdir()
    nb = [sys.executable, "-m", "nianbao"]
    subprocess.run(nb + ["import", fixtures / "hongkou-2020.json", "-o", filled], check=True, capture_output=True)
    subprocess.run(nb + ["import", fixtures / "hongkou-2019.json", "-o", last], check=True, capture_output=True)
    subprocess.run(nb + ["new", "--year", "2020", "--agency", "上海市虹口区", "-o", blank], check=True,
                   capture_output=True)
    out = tmp / "out"

    def fresh_out() -> Path:
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        return out / "虹口区-2020.xlsx"

    clicks = {
        "校验": lambda: (Excel().open(filled), lambda b: core.validate_book(b)),
        "导入上年数据": lambda: (Excel().open(blank), lambda b: core.carry_forward_book(b, last, lambda t: True)),
        "生成报告": lambda: (Excel().open(filled), lambda b: core.generate_book(b, fresh_out())),
        "新建年报": lambda: (Excel().open(filled), lambda b: core.new_workbook(fresh_out().parent, 2021, "上海市虹口区")),
    }
    print(f"{'按钮':<8} {'启动+导入 s（无 .pth）':>22} {'启动+导入 s（有 .pth）':>22} {'API 调用':>9} "
          f"{'计算 首次 s':>11} {'计算 之后 s':>11}")
    for button, make in clicks.items():
        slow = statistics.median(start_and_imports(button, False) for _ in range(3))
        fast = statistics.median(start_and_imports(button, True) for _ in range(3))
        times, calls = [], 0
        for i in range(args.repeat + 1):
            book, act = make()
            with counting() as counted:
                t = time.perf_counter()
                act(book)
                times.append(time.perf_counter() - t)
            calls = sum(counted.values())
        print(f"{button:<8} {slow:>22.2f} {fast:>22.2f} {calls:>9} {times[0]:>11.3f} {statistics.median(times[1:]):>11.3f}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
