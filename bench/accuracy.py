"""Accuracy report for importing published reports (not a test; tests/test_accuracy.py holds the
figures it prints on the committed corpus).

    python3 bench/accuracy.py            # measure the committed corpus
    python3 bench/accuracy.py --build    # rebuild the corpus (needs LibreOffice and Chromium)

The corpus (tests/fixtures/corpus/) is made once from the seeds' fixtures, rendered the ways real
offices publish them:

- .docx with narrow label columns, so long row labels wrap over two or three lines;
- PDF exported by LibreOffice from those .docx (all in one soffice call);
- PDF printed by Chromium (headless) from the report's HTML page;
- a saved HTML page whose 法人或其他组织 cells are printed blank (<td></td>);
- page text whose 第三部分 cells run together with their labels (as OCR or a text dump gives them);
- a 2021 report printed in the 2019 table (an office that kept the old template);
- planted contradictions between the prose and the tables (TXT-01), beside the seeds' own
  printed arithmetic errors (Shanghai 2020 fails 一＋二＝三＋四 in five columns).

``manifest.json`` holds, for every file, the report data it was made from (the truth).  The report
prints: figures read exactly / total (with agency and year), printed arithmetic errors found /
present, errors invented, TXT-01 contradictions found / present, and the slowest import — its CPU
time and its wall time in this process (the readers' modules loaded beforehand, so the first file of
a kind does not carry them), then the whole ``nianbao import`` command on that file in a new process
(Python's start and every module load included), with the machine's load average: on a shared
machine the wall time grows with the load, the CPU time does not.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import statistics
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
CORPUS = FIXTURES / "corpus"
MANIFEST = CORPUS / "manifest.json"
SOURCES = ("haining-2023", "shanghai-2020", "hongkou-2019", "hongkou-2020")
ARITHMETIC = ("ARI-01", "ARI-02", "ARI-03", "ARI-04")
# sentences planted in （二）依申请公开, each contradicting one named figure by an offset
PLANTED: dict[str, list[tuple[str, str, int]]] = {
    "haining-2023": [("全年受理政府信息公开申请{n}件。", "新收申请", -506),
                     ("截至年底，现行有效行政规范性文件{n}件。", "现行有效行政规范性文件", 43)],
    "shanghai-2020": [("予以公开及部分公开{n}件。", "予以公开及部分公开", -137),
                      ("因本机关不掌握等原因无法提供{n}件。", "无法提供", 5)],
    "hongkou-2020": [("信息公开类行政复议{n}件。", "行政复议", 2)],
}
LEGAL_PERSONS = ("commercial", "research", "public_interest", "legal_service", "other_org")


# -- the truth of each corpus file ----------------------------------------------------------


def _fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _planted(name: str) -> dict[str, Any]:
    from nianbao.workbook_templates.format import figures as NF

    data = _fixture(name)
    sentences = [template.format(n=NF.value(data, figure) + offset) for template, figure, offset in PLANTED.get(name, ())]
    if sentences:
        said = data["text"]["overview"].get("requests") or ""
        data["text"]["overview"]["requests"] = (said + "\n" if said else "") + "".join(sentences)
    return data


def _blank_legal_persons(data: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for key, row in data["applications"].items():
        if key not in ("total_handled",):
            for c in LEGAL_PERSONS:
                if row[c] == 0:
                    row[c] = None  # a zero printed as nothing: the cell is blank, not 0
    return data


def _as_year(data: dict[str, Any], year: int) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data["meta"]["year"] = year
    return data


# -- rendering ------------------------------------------------------------------------------


def _nianbao(*args: Any) -> None:
    p = subprocess.run([sys.executable, "-m", "nianbao", *map(str, args)], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"nianbao {' '.join(map(str, args))} failed: {p.stderr}")


def _narrow_labels(docx: Path) -> None:
    """Make the label columns of every table narrow (their labels wrap over several lines) and the
    figure columns wider, as many offices' Word tables are."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document(str(docx))
    for table in doc.tables:
        grid = list(table._tbl.tblGrid.iterchildren(qn("w:gridCol")))
        widths = [int(g.get(qn("w:w"))) for g in grid]
        total = sum(widths)
        labels = {4: 1, 10: 3}.get(len(widths), 0)  # 第二部分: 1 label column; 第三部分: 3
        if not labels:
            continue
        narrow = [700, 800, 1300] if labels == 3 else [1300]  # ~1.2, 1.4, 2.3 cm: long labels wrap over 3–5 lines
        rest = (total - sum(narrow)) // (len(widths) - labels)
        new = narrow + [rest] * (len(widths) - labels)
        for g, w in zip(grid, new):
            g.set(qn("w:w"), str(w))
        for tr in table._tbl.iterchildren(qn("w:tr")):
            col = 0
            for tc in tr.iterchildren(qn("w:tc")):
                pr = tc.get_or_add_tcPr()
                span_el = pr.find(qn("w:gridSpan"))
                span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
                tcw = pr.find(qn("w:tcW"))
                if tcw is None:
                    tcw = OxmlElement("w:tcW")
                    pr.insert(0, tcw)
                tcw.set(qn("w:w"), str(sum(new[col: col + span])))
                tcw.set(qn("w:type"), "dxa")
                col += span
    doc.save(str(docx))


def _run_together_text(data: dict[str, Any]) -> str:
    """The report as a text dump with 第三部分's cells run together with their labels."""
    from nianbao.workbook_templates.format import schema as S

    ed = S.get_edition(data["edition"])
    meta, text = data["meta"], data["text"]
    lines = [f"{meta['agency']}{meta['year']}年度政府信息公开工作年度报告", ed.headings[0], text["overview"].get("intro") or ""]
    for lab in ed.overview_subparts[1:]:
        lines += [lab.label, text["overview"].get(lab.key) or ""]
    lines.append(ed.headings[1])
    for block in ed.active_blocks:
        lines.append(block.caption)
        lines.append("\t".join([S.ACTIVE_ITEM, *(c.label for c in block.columns)]))
        for r in block.rows:
            vals = [data["active"][r.key][c.key] for c in block.columns]
            lines.append("\t".join([r.label, *("" if v is None else str(v) for v in vals)]))
    lines.append(ed.headings[2])
    lines.append(S.TABLE3_NOTE + S.TABLE3_APPLICANT + "自然人" + S.TABLE3_LEGAL_PERSON + "商业企业科研机构社会公益组织法律服务机构其他总计")
    run = ""
    for r in ed.application_rows:
        run += r.label + "".join(str(data["applications"][r.key][c.key]) for c in ed.application_columns)
    lines.append(run)
    lines.append(ed.headings[3])
    lines.append("\t".join(str(data["review_litigation"][g.key][r.key]) for g in ed.review_groups
                           for r in ed.review_results))
    lines += [ed.headings[4], text.get("problems") or "", ed.headings[5], text.get("other") or ""]
    return "\n".join(lines) + "\n"


def build(out: Path = CORPUS) -> None:
    """Render the corpus into ``out`` and write its manifest (LibreOffice and Chromium needed)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not soffice or not chromium:
        raise SystemExit("building the corpus needs LibreOffice (soffice) and Chromium")
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        old.unlink()
    truths: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        docx_for_pdf: list[Path] = []

        def source(name: str, data: dict[str, Any]) -> Path:
            path = tmp / f"{name}.json"
            path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            return path

        reports = {name: _planted(name) for name in SOURCES}
        reports["hongkou-2020-in-2021"] = _as_year(reports["hongkou-2020"], 2021)  # the 2019 table in 2021
        for name, data in reports.items():
            docx = out / f"{name}.docx"
            _nianbao("generate", source(name, data), "-o", docx)
            _narrow_labels(docx)
            truths[docx.name] = data
            docx_for_pdf.append(docx)
            if name in SOURCES:
                html = tmp / f"{name}.html"
                _nianbao("generate", source(name, data), "-o", html)
                pdf = out / f"{name}-chromium.pdf"
                subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--disable-background-networking", f"--user-data-dir={tmp / 'chromium'}",
                                f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.as_uri()],
                               capture_output=True, timeout=180)
                truths[pdf.name] = data
        lo = tmp / "lo"
        subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
                        "--convert-to", "pdf", "--outdir", str(lo), *map(str, docx_for_pdf)],
                       capture_output=True, timeout=600)
        for docx in docx_for_pdf:
            pdf = out / f"{docx.stem}-libreoffice.pdf"
            shutil.move(lo / f"{docx.stem}.pdf", pdf)
            truths[pdf.name] = truths[docx.name]
        blank = _blank_legal_persons(reports["haining-2023"])
        html = out / "haining-2023-blank-cells.html"
        _nianbao("generate", source("blank", blank), "-o", html)
        truths[html.name] = blank
        # run-together rows are split by the table's arithmetic, so only tables whose printed figures
        # hold it can be read whole (Hongkou 2019 prints errors: a row with two E3 splits stays null)
        for name in ("haining-2023", "hongkou-2020"):
            page = out / f"{name}-run-together.txt"
            page.write_text(_run_together_text(reports[name]), encoding="utf-8")
            truths[page.name] = reports[name]
    MANIFEST.write_text(json.dumps({"files": truths}, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                        encoding="utf-8")


# -- measuring ------------------------------------------------------------------------------


def measure(corpus: Path = CORPUS) -> dict[str, Any]:
    """Import every file of the corpus and compare with its truth."""
    from nianbao.addin.checks.validate import check
    from nianbao.workbook_templates.format import schema as S
    from nianbao.workbook_templates.format.report_data import get_path, normalise
    from nianbao.workbook_templates.sources import load_report

    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))["files"]
    totals = {"files": 0, "figures": 0, "exact": 0, "arithmetic_present": 0, "arithmetic_found": 0,
              "invented": 0, "txt_present": 0, "txt_found": 0, "slowest_s": 0.0, "slowest_cpu_s": 0.0, "slowest": ""}
    _load_readers()
    rows = []
    for name in sorted(manifest):
        truth = normalise(manifest[name])
        t, c = time.perf_counter(), time.process_time()
        data, _ = load_report(corpus / name)
        seconds, cpu = time.perf_counter() - t, time.process_time() - c
        paths = ["meta.agency", "meta.year", *S.get_edition(truth["edition"]).figure_paths]
        same_edition = data["edition"] == truth["edition"]
        exact = sum(1 for p in paths if same_edition and get_path(data, p) == get_path(truth, p))
        wrong = [p for p in paths if not same_edition or get_path(data, p) != get_path(truth, p)]

        def keys(report: dict[str, Any], rules: tuple[str, ...]) -> set[str]:
            return {f.key for f in check(report) if f.rule in rules}

        ari_true, ari_got = keys(truth, ARITHMETIC), keys(data, ARITHMETIC)
        txt_true, txt_got = keys(truth, ("TXT-01",)), keys(data, ("TXT-01",))
        row = {"file": name, "figures": len(paths), "exact": exact, "wrong": wrong[:5],
               "arithmetic_present": len(ari_true), "arithmetic_found": len(ari_true & ari_got),
               "txt_present": len(txt_true), "txt_found": len(txt_true & txt_got),
               "invented": len((ari_got - ari_true) | (txt_got - txt_true)), "seconds": seconds, "cpu_s": cpu}
        rows.append(row)
        totals["files"] += 1
        for k in ("figures", "exact", "arithmetic_present", "arithmetic_found", "invented", "txt_present", "txt_found"):
            totals[k] += row[k]
        if cpu > totals["slowest_cpu_s"]:  # by CPU time: the wall time says as much about the machine's load
            totals["slowest_cpu_s"], totals["slowest_s"], totals["slowest"] = cpu, seconds, name
    totals["rows"] = rows
    return totals


def _load_readers() -> None:
    """Load the modules every reader needs, once, before any file is timed."""
    import docx  # noqa: F401
    import pdfplumber.table  # noqa: F401
    import pypdf  # noqa: F401
    import pypdfium2  # noqa: F401

    from nianbao.addin.checks import validate  # noqa: F401
    from nianbao.workbook_templates.published import pdf_tables, runs, text  # noqa: F401


def whole_command(path: Path, runs: int = 3) -> dict[str, float]:
    """``nianbao import PATH -o x.json`` in a new process, ``runs`` times: the median CPU (user + system,
    the child's own accounting) and wall seconds."""
    cpu, wall = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "nianbao", "import", str(path), "-o", str(Path(tmp) / "x.json")],
                           capture_output=True, check=True)
            wall.append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {"cpu_s": statistics.median(cpu), "wall_s": statistics.median(wall), "runs": runs}


def pdfminer_parse(path: Path) -> float:
    """The yardstick for a PDF: CPU seconds pdfplumber's own parser (pdfminer) takes only to parse the
    same pages into characters and edges — what the reader did before it parsed them with PDFium."""
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    c = time.process_time()
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            page.chars, page.edges  # noqa: B018
    return time.process_time() - c


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(result: dict[str, Any]) -> str:
    out = [f"{'文件':44} {'读对/数字':>10} {'算术错误':>8} {'TXT-01':>7} {'误报':>4} {'CPU秒':>6} {'墙钟秒':>6}"]
    for r in result["rows"]:
        out.append(f"{r['file']:46} {r['exact']:>5}/{r['figures']:<5} {r['arithmetic_found']:>4}/{r['arithmetic_present']:<3} "
                   f"{r['txt_found']:>3}/{r['txt_present']:<3} {r['invented']:>4} {r['cpu_s']:7.2f} {r['seconds']:7.2f}"
                   + (f"  错：{', '.join(r['wrong'])}" if r["wrong"] else ""))
    out += ["",
            f"语料 {result['files']} 份",
            f"数字读对（含机关名称、年度）：{result['exact']} / {result['figures']}",
            f"原文的算术错误找到：{result['arithmetic_found']} / {result['arithmetic_present']}",
            f"误报的错误（算术与 TXT-01）：{result['invented']}",
            f"正文与表格矛盾（TXT-01）找到：{result['txt_found']} / {result['txt_present']}",
            f"最慢的一次导入（本进程内，模块已载入）：{result['slowest']}，CPU {result['slowest_cpu_s']:.2f} 秒，"
            f"墙钟 {result['slowest_s']:.2f} 秒"]
    if "pdfminer_cpu_s" in result:
        out.append(f"对照：pdfminer（pdfplumber 自带的解析器）仅把同一文件的页面解析成字符和线条就用 CPU "
                   f"{result['pdfminer_cpu_s']:.2f} 秒；本读取（含表格和段落）是它的 "
                   f"{result['slowest_cpu_s'] / result['pdfminer_cpu_s']:.2f} 倍")
    if "command" in result:
        c = result["command"]
        out.append(f"整条命令 nianbao import {result['slowest']}（新进程，含 Python 启动和模块载入，{c['runs']} 次的中位数）："
                   f"CPU {c['cpu_s']:.2f} 秒，墙钟 {c['wall_s']:.2f} 秒")
    out.append(f"负载（1、5、15 分钟平均，{os.cpu_count()} 核）：开始时 {result['load_before']}，结束时 {result['load_after']}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", action="store_true", help="rebuild the corpus first (LibreOffice, Chromium)")
    args = parser.parse_args()
    if args.build:
        build()
    load_before = _load()
    result = measure()
    if result["slowest"].endswith(".pdf"):
        result["pdfminer_cpu_s"] = pdfminer_parse(CORPUS / result["slowest"])
    result["command"] = whole_command(CORPUS / result["slowest"])
    result["load_before"], result["load_after"] = load_before, _load()
    print(report(result))


if __name__ == "__main__":
    main()
