"""Speed of the WPS add-in's 校验 on the service side (not a test).

    python3 bench/wps.py [--repeat N]

The add-in posts the values of every named cell (one sweep in WPS); the service binds them with
the same reader, validates and returns the 校验结果 rows and the mark lists.  Baseline in the same
run: what `nianbao validate` does in-process on the saved file (read the .xlsx, validate).  Prints
both, the ratio, and the size of the request and the answer.
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


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def sweep(path: Path) -> dict:
    """What main.js's sweep posts, read from the file (values only; formulas without cache are blank)."""
    from nianbao.workbook_templates.xlsx.cellrefs import expand
    from nianbao.workbook_templates.xlsx.package import XlsxPackage

    with XlsxPackage(path) as pkg:
        names = {}
        for name in pkg.names:
            target = pkg.target(name)
            if target is None:
                continue
            sheet, ref = target
            values = [pkg.cell(sheet, r).value for r in expand(ref)]
            names[name] = {"sheet": sheet, "ref": ref, "value": values[0] if len(values) == 1 else [[v] for v in values]}
        sheets = {s: {"protected": pkg.sheet(s).protected} for s in pkg.sheets}
    return {"name": path.name, "fullName": str(path), "names": names, "sheets": sheets, "results": None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    from nianbao.addin.checks.validate import validate
    from nianbao.workbench.app import State, create_app
    from nianbao.workbook_templates.format.report_data import normalise
    from nianbao.workbook_templates.xlsx.reader import read_workbook
    from nianbao.workbook_templates.xlsx.writer import write_workbook

    data = normalise(json.loads(FIXTURE.read_text(encoding="utf-8")))
    with tempfile.TemporaryDirectory() as tmp:
        wb = Path(tmp) / "haining.xlsx"
        write_workbook(data, wb)
        body = json.dumps(sweep(wb), ensure_ascii=False).encode("utf-8")
        state = State()
        state.port = 1
        client = create_app(state).test_client()
        headers = {"Host": "127.0.0.1:1", "X-Nianbao-Token": state.token, "Content-Type": "application/json"}

        def api() -> bytes:
            r = client.post("/api/wps/validate", data=body, headers=headers)
            assert r.status_code == 200, r.get_data(as_text=True)
            return r.data

        answer = api()
        base = timed(lambda: validate(read_workbook(wb).data, wb.name), args.repeat)
        ours = timed(api, args.repeat)
    print(f"{'file: read .xlsx + validate (baseline)':48s} {base:8.1f} ms")
    print(f"{'WPS API: posted values → rows + marks':48s} {ours:8.1f} ms   ratio {ours / base:.2f}")
    print(f"request {len(body) / 1024:.0f} KB, answer {len(answer) / 1024:.0f} KB ({args.repeat} runs, medians)")


if __name__ == "__main__":
    main()
