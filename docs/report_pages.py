"""Render the bundled Haining 2023 and Shanghai 2020 reports as .docx, then page by page as PNGs
(LibreOffice → PDF → pdftoppm), into docs/: one strip of all pages per report, and the page
with the 第三部分 table at a readable size.  Run from the repository: python3 docs/report_pages.py"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from nianbao.generator import render
from nianbao.generator.pdf import convert_to_pdf

REPO = Path(__file__).resolve().parents[1]
REPORTS = {"haining-2023": "海宁2023", "shanghai-2020": "上海2020"}


def main() -> None:
    out = REPO / "docs"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = []
        for name in REPORTS:
            data = json.loads((REPO / "tests" / "fixtures" / f"{name}.json").read_text(encoding="utf-8"))
            path = folder / f"{name}.docx"
            path.write_bytes(render(data, ".docx"))
            files.append(path)
        for pdf, (name, label) in zip(convert_to_pdf(files, folder / "pdf"), REPORTS.items()):
            subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(folder / f"{name}-s")], check=True)
            pages = sorted(folder.glob(f"{name}-s-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
            images = [Image.open(p).convert("L") for p in pages]
            w, h = images[0].size
            strip = Image.new("L", (len(images) * (w + 8) - 8, h), 200)
            for i, im in enumerate(images):
                strip.paste(im, (i * (w + 8), 0))
            strip.save(out / f"报告-{label}-逐页.png", optimize=True)
            text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                  check=True).stdout.split("\f")
            table = next(i for i, t in enumerate(text) if "申请人情况" in t) + 1
            subprocess.run(["pdftoppm", "-r", "75", "-png", "-gray", "-f", str(table), "-l", str(table), str(pdf),
                            str(folder / f"{name}-t")], check=True)
            page = next(folder.glob(f"{name}-t-*.png"))
            Image.open(page).convert("L").save(out / f"报告-{label}-第{table}页.png", optimize=True)
            print(f"{label}: {len(images)} 页，第三部分表格在第 {table} 页", file=sys.stderr)


if __name__ == "__main__":
    main()
