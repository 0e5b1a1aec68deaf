"""What gets printed and published, rendered by the real engines: the .docx through LibreOffice
to PDF, read back with poppler (pdftotext -layout per page, -bbox word boxes); the template
workbooks through LibreOffice Calc to PDF, read back with poppler and pypdf (page sizes, text
sizes).  One soffice call converts every file of a kind: LibreOffice is slow.

The checks are the ones a 政务公开 office makes on a print-out: no table sub-header left at the
foot of a page without its rows, header and group labels broken only between words, no more
lines than intended, the page count, and the workbook's 第三部分 on landscape pages one page wide
with table text of at least 9 pt."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import REPO, load_fixture, run_tool

from nianbao.generator import render
from nianbao.generator.pdf import convert_to_pdf
from nianbao.workbook_templates.format import schema as S

# -- the .docx -------------------------------------------------------------------------------

# Extra one-line paragraphs before the tables move every table row boundary past a page foot
# in one variant or another (a body line is about two table rows high).
SHIFTS = range(0, 6)


def _shifted(data: dict, k: int) -> dict:
    d = copy.deepcopy(data)
    intro = d["text"]["overview"].get("intro") or ""
    d["text"]["overview"]["intro"] = "\n".join([intro] + ["补充说明。"] * k)
    return d


@pytest.fixture(scope="module")
def docx_pdfs(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("print-docx")
    sources = {f"haining+{k}": _shifted(load_fixture("haining-2023"), k) for k in SHIFTS}
    sources["shanghai-2020"] = load_fixture("shanghai-2020")
    sources["hongkou-2020"] = load_fixture("hongkou-2020")
    files = []
    for name, data in sources.items():
        path = tmp / f"{name}.docx"
        path.write_bytes(render(data, ".docx"))
        files.append(path)
    pdfs = convert_to_pdf(files, tmp / "pdf")
    return {name: pdf for name, pdf in zip(sources, pdfs)}


def pages(pdf: Path) -> list[list[str]]:
    """Each page's text lines (-layout keeps a table row on one line), page numbers dropped."""
    text = run_tool("pdftotext", "-layout", pdf, "-")
    return [[ln.strip() for ln in page.splitlines() if ln.strip() and not re.fullmatch(r"—\s*\d+\s*—", ln.strip())]
            for page in text.split("\f") if page.strip()]


def page_of_row(lines_by_page: list[list[str]], label: str, after: int = 0, *, inside: bool = False) -> int:
    """The page (0-based) of the first table row at or after page ``after`` that starts with
    ``label`` (or holds it, ``inside``: a row beside a merged group label)."""
    for p in range(after, len(lines_by_page)):
        flat = [ln.replace(" ", "") for ln in lines_by_page[p]]
        if any(label in ln if inside else ln.startswith(label) for ln in flat):
            return p
    raise AssertionError(f"row {label!r} not found")


def heading_page(lines_by_page: list[list[str]], heading: str) -> int:
    for p, lines in enumerate(lines_by_page):
        if any(heading in ln.replace(" ", "") for ln in lines):
            return p
    raise AssertionError(heading)


def _row_key(label: str) -> str:
    """A row label as it begins a printed line (its first characters, before any wrap)."""
    return label.replace(" ", "")[:5]


def test_part2_captions_and_headers_stay_with_their_first_row(docx_pdfs):
    edition = S.get_edition("2021")
    split = 0
    for k in SHIFTS:
        by_page = pages(docx_pdfs[f"haining+{k}"])
        top = heading_page(by_page, edition.headings[1])
        for block in edition.active_blocks:
            caption = page_of_row(by_page, block.caption, top)
            first = page_of_row(by_page, block.rows[0].label, caption)
            assert first == caption, f"+{k}: “{block.caption}” on page {caption + 1}, its first row on {first + 1}"
        last = page_of_row(by_page, edition.active_blocks[-1].rows[-1].label, top)
        split += last > top
        # the last line of a page is never a caption or the 信息内容 header row
        for p in range(top, last):
            tail = by_page[p][-1].replace(" ", "")
            assert not tail.startswith(("第二十条第", S.ACTIVE_ITEM)), f"+{k}: page {p + 1} ends with {tail!r}"
    assert split, "no variant broke 第二部分 across pages: the test would prove nothing"


def test_part3_starts_with_two_rows_and_row_groups_are_never_split(docx_pdfs):
    for name in [f"haining+{k}" for k in SHIFTS] + ["shanghai-2020"]:
        ed = S.get_edition("2019" if name == "shanghai-2020" else "2021")
        gs: dict[str, list[str]] = {}
        for r in ed.application_rows:
            if r.group:
                gs.setdefault(r.group, []).append(r.label)
        by_page = pages(docx_pdfs[name])
        top = heading_page(by_page, ed.headings[2])
        # the header rows never start a page's table with a single row under them
        rows = [r.label for r in ed.application_rows]
        first_row = page_of_row(by_page, _row_key(rows[0]), top, inside=True)
        assert page_of_row(by_page, _row_key(rows[1]), top, inside=True) == first_row, f"{name}: {rows[0]} alone"
        for group, labels in gs.items():
            first = page_of_row(by_page, _row_key(labels[0]), top, inside=True)
            last = page_of_row(by_page, _row_key(labels[-1]), first, inside=True)
            assert first == last, f"{name}: {group} runs from page {first + 1} to {last + 1}"


def words(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """Word boxes (text, xMin, yMin, xMax, yMax) of one page (1-based), from pdftotext -bbox-layout."""
    out = run_tool("pdftotext", "-bbox-layout", "-f", page, "-l", page, pdf, "-")
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out))
    return [(w.text or "", *(float(w.get(a)) for a in ("xMin", "yMin", "xMax", "yMax")))
            for w in root.iter("{http://www.w3.org/1999/xhtml}word")]


def printed_lines(boxes, text: str) -> list[str] | None:
    """How ``text`` is printed in a cell: the stack of words, one under the other and centred
    on one axis, that together spell it; None if no such stack exists on the page."""
    for start in boxes:
        if not text.startswith(start[0]):
            continue
        stack, rest, cur = [start[0]], text[len(start[0]):], start
        while rest:
            cx = (cur[1] + cur[3]) / 2
            below = [b for b in boxes if b[2] > cur[2] + 1 and b[2] - cur[4] < 8 and abs((b[1] + b[3]) / 2 - cx) < 4
                     and rest.startswith(b[0])]
            if not below:
                break
            cur = min(below, key=lambda b: b[2])
            stack.append(cur[0])
            rest = rest[len(cur[0]):]
        if not rest:
            return stack
    return None


# How the labels the issue names must print: whole words on each line, and no more lines.
INTENDED = {
    "自然人": ["自然人"],
    "商业企业": ["商业", "企业"],
    "科研机构": ["科研", "机构"],
    "社会公益组织": ["社会", "公益", "组织"],
    "法律服务机构": ["法律", "服务", "机构"],
    "（三）不予公开": ["（三）", "不予", "公开"],
    "（四）无法提供": ["（四）", "无法", "提供"],
    "（五）不予处理": ["（五）", "不予", "处理"],
    "（六）其他处理": ["（六）", "其他", "处理"],
    "三、本年度办理结果": ["三、", "本年度", "办理", "结果"],
}
INTENDED_PART4 = {"结果维持": ["结果", "维持"], "结果纠正": ["结果", "纠正"], "其他结果": ["其他", "结果"],
                  "尚未审结": ["尚未", "审结"], "未经复议直接起诉": ["未经复议直接起诉"]}


def test_header_and_group_labels_break_only_between_words(docx_pdfs):
    by_page = pages(docx_pdfs["haining+0"])
    edition = S.get_edition("2021")
    p3 = page_of_row(by_page, S.TABLE3_APPLICANT, heading_page(by_page, edition.headings[2]), inside=True)
    boxes = words(docx_pdfs["haining+0"], p3 + 1)
    got = {label: printed_lines(boxes, label) for label in INTENDED}
    assert got == INTENDED
    p4 = heading_page(by_page, edition.headings[3])
    boxes = [b for p in (p4 + 1, p4 + 2) if p <= len(by_page) for b in words(docx_pdfs["haining+0"], p)]
    got4 = {label: printed_lines(boxes, label) for label in INTENDED_PART4}
    assert got4 == INTENDED_PART4


def test_page_counts_and_an_empty_part_six(docx_pdfs):
    """Haining 2023 (2021 edition) and Shanghai 2020 (2019 edition, a city's large figures) print
    on the pages a reader would expect; Hongkou 2020 has nothing in 六、 and says so."""
    counts = {name: len(pages(pdf)) for name, pdf in docx_pdfs.items()}
    assert counts["haining+0"] == 7, counts
    assert counts["shanghai-2020"] == 5, counts
    by_page = pages(docx_pdfs["hongkou-2020"])
    flat = [ln.replace(" ", "") for page in by_page for ln in page]
    six = S.get_edition("2019").headings[5]
    i = flat.index(six)
    assert flat[i + 1] == "（此部分未填写。）", flat[i:]


def _cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def test_share_sentence_is_not_stretched(docx_pdfs):
    """The share sentence, full of figures that cannot break, prints with the body's normal
    spacing: two Chinese characters side by side never have a gap between them (justification
    that stretches the CJK runs puts 2–3 pt between every pair)."""
    pdf = docx_pdfs["haining+0"]
    by_page = pages(pdf)
    p = next(i for i, page in enumerate(by_page) if any("在办理答复的" in ln.replace(" ", "") for ln in page))
    boxes = words(pdf, p + 1)
    start = next(b for b in boxes if b[0].startswith("在办理答复的"))
    para = [b for b in boxes if start[2] - 1 <= b[2] <= start[2] + 4 * 28.95 + 1]
    lines: dict[int, list] = {}
    for b in para:
        lines.setdefault(round(b[2]), []).append(b)
    assert len(lines) >= 3
    gaps = []
    for ln in lines.values():
        ln.sort(key=lambda b: b[1])
        gaps += [(round(b[1] - a[3], 1), a[0][-1] + b[0][0]) for a, b in zip(ln, ln[1:])
                 if _cjk(a[0][-1]) and _cjk(b[0][0])]
    assert all(g < 1.0 for g, _ in gaps), sorted(gaps)[-5:]


# -- the workbook ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def template_pdfs(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("print-xlsx")
    files = [REPO / "workbook_templates" / f"nianbao-{e}.xlsx" for e in ("2021", "2019")]
    pdfs = convert_to_pdf(files, tmp / "pdf")
    return dict(zip(("2021", "2019"), pdfs))


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = run_tool("pdfinfo", "-f", "1", "-l", "999", pdf)
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def _text_sizes(pdf: Path, page: int) -> list[tuple[str, float]]:
    """(text, size in points as printed) of every text run on a page, from the content stream."""
    from pypdf import PdfReader

    out: list[tuple[str, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            m = [tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                 tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]]
            out.append((text.strip(), round(size * abs(m[0] * m[3] - m[1] * m[2]) ** 0.5, 2)))

    PdfReader(str(pdf)).pages[page].extract_text(visitor_text=visit)
    return out


@pytest.mark.parametrize("edition", ["2021", "2019"])
def test_template_part3_prints_landscape_one_page_wide_at_9pt(template_pdfs, edition):
    pdf = template_pdfs[edition]
    ed = S.get_edition(edition)
    sizes = _page_sizes(pdf)
    text = run_tool("pdftotext", "-layout", pdf, "-").split("\f")
    part3 = [i for i, t in enumerate(text) if ed.application_rows[-1].label[:6] in t.replace(" ", "")
             or S.TABLE3_APPLICANT in t.replace(" ", "")]
    assert part3
    for i in part3:
        w, h = sizes[i]
        assert w > h, f"page {i + 1} of 第三部分 is portrait ({w}×{h})"
        flat = text[i].replace(" ", "")
        # one page wide: the first and the last column are on every page of the sheet
        assert ed.application_columns[0].label in flat and ed.application_columns[-1].label in flat
        printed = _text_sizes(pdf, i)
        assert min(s for _, s in printed) >= 9, sorted(printed, key=lambda x: x[1])[:5]
    assert len(sizes) == len([t for t in text if t.strip()])


# -- the 校验结果 sheet ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def annotated_pdf(tmp_path_factory) -> tuple[Path, Path]:
    """Hongkou 2020 annotated (one error, warnings, infos), printed by LibreOffice."""
    from conftest import fixture_path, nianbao

    tmp = tmp_path_factory.mktemp("print-results")
    path = tmp / "虹口区2020.xlsx"
    assert nianbao("import", fixture_path("hongkou-2020"), "-o", path).code == 0
    assert nianbao("carry-forward", "--from", fixture_path("hongkou-2019"), "--to", path).code == 0
    assert nianbao("validate", path, "--annotate").code == 1
    return path, convert_to_pdf([path], tmp / "pdf")[0]


def test_results_sheet_prints_with_title_borders_and_level_colours(annotated_pdf, tmp_path):
    from PIL import Image

    path, pdf = annotated_pdf
    report = json.loads(subprocess.run([sys.executable, "-m", "nianbao", "validate", path, "--format", "json"],
                                       capture_output=True, text=True).stdout)
    counts = {s: sum(f["severity"] == s for f in report["findings"]) for s in ("error", "warning", "info")}
    text = run_tool("pdftotext", "-layout", pdf, "-").split("\f")
    pages_ = [i for i, t in enumerate(text) if "怎么改" in t]
    assert len(pages_) == 1, "the 校验结果 sheet fits on one landscape page"
    p = pages_[0]
    w, h = _page_sizes(pdf)[p]
    assert w > h
    flat = text[p].replace(" ", "")
    assert f"校验结果：错误{counts['error']}条，警告{counts['warning']}条，提示{counts['info']}条" in flat
    boxes = words(pdf, p + 1)
    # 序号 and 级别 are apart: “1” and “错误” are two words with a gap, never “1错误”
    assert not any(re.fullmatch(r"\d+(错误|警告|提示)", b[0]) for b in boxes)
    first = next(b for b in boxes if b[0] == "错误")
    one = next(b for b in boxes if b[0] == "1" and abs(b[2] - first[2]) < 3)
    assert first[1] - one[3] > 10
    # the level cell is coloured by its level, the others are white; cell borders are drawn
    png = tmp_path / "results"
    run_tool("pdftoppm", "-r", "72", "-png", "-f", p + 1, "-l", p + 1, pdf, png)
    img = Image.open(next(tmp_path.glob("results*.png"))).convert("RGB")

    def beside(box, dx):  # a pixel of the cell background just left of a word
        return img.getpixel((int(box[1] + dx), int((box[2] + box[4]) / 2)))

    assert beside(first, -2)[0] > 200 and beside(first, -2)[1] < 160, beside(first, -2)  # red-ish: 错误
    warning = next(b for b in boxes if b[0] == "警告")
    assert beside(warning, -2)[0] > 200 and 120 < beside(warning, -2)[1] < 200, beside(warning, -2)  # orange
    rule = next(b for b in boxes if b[0] == "TXT-03")
    assert beside(rule, -2) == (255, 255, 255)
    # between 序号 and 级别 a vertical border line crosses the row
    column = [img.getpixel((xx, int((first[2] + first[4]) / 2))) for xx in range(int(one[3]), int(first[1]))]
    assert any(sum(px) < 500 for px in column), column


def test_acknowledgements_in_the_new_layout_are_found_by_their_headers(annotated_pdf, tmp_path):
    import shutil

    import openpyxl

    from nianbao.addin.excel.results_sheet import RESULTS_SHEET, read_acknowledgements

    path = tmp_path / "hk.xlsx"
    shutil.copy(annotated_pdf[0], path)
    wb = openpyxl.load_workbook(path)
    ws = wb[RESULTS_SHEET]
    header = next(r for r in ws.iter_rows() if any(c.value == "键" for c in r))
    col = {c.value: c.column for c in header if c.value}
    row = next(r for r in ws.iter_rows(min_row=header[0].row + 1) if r[col["规则"] - 1].value == "TXT-04")
    ws.cell(row[0].row, col["确认人"], "王五")
    wb.save(path)
    acks = read_acknowledgements(path)
    assert list(acks.values()) == [{"by": "王五", "note": ""}]
