"""Importing published reports (.txt, .md, .html, .docx, .pdf): the real seeds come back exactly
as transcribed by hand (fixtures are never produced by the importer), printed mistakes included;
ambiguous OCR is named, not guessed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, load_fixture, nianbao

from nianbao.generator.punctuation import full_width
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.published.text import value_cell
from nianbao.workbook_templates.format.report_data import get_path

PUBLISHED = FIXTURES / "published"
SEED_000 = PUBLISHED / "shanghai-2023-ocr.txt"  # shared/seeds/000: OCR with cells run together


def figures(data: dict) -> dict:
    edition = S.get_edition(data["edition"])
    return {p: get_path(data, p) for p in edition.figure_paths}


def imported(tmp_path: Path, src: Path, *extra: str) -> dict:
    out = tmp_path / f"{src.stem}-{src.suffix[1:]}.json"
    run = nianbao("import", src, "-o", out, *extra)
    assert run.code == 0, run.err
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["haining-2023", "shanghai-2020"])
def test_tables_equal_the_hand_transcription(tmp_path, name):
    data = imported(tmp_path, PUBLISHED / f"{name}.txt")
    fixture = load_fixture(name)
    assert data["edition"] == fixture["edition"]
    assert figures(data) == figures(fixture)
    assert (data["meta"]["agency"], data["meta"]["year"]) == (fixture["meta"]["agency"], fixture["meta"]["year"])


def test_haining_meta_prose_and_fee_as_printed(tmp_path):
    data, fixture = imported(tmp_path, PUBLISHED / "haining-2023.txt"), load_fixture("haining-2023")
    assert data["meta"] == fixture["meta"]  # agency, year, kind, contact and date from the page
    assert data["text"] == fixture["text"]  # part 一 split into its five sub-parts; 五; 六
    assert data["fees"]["info_processing_fee_yuan"] == 0  # 「未收取信息处理费」
    assert data["source"]["labels"]["applications.carried_over"].endswith("(须与2020年度年报结转数一致)")


def test_a_page_with_several_reports_asks_for_the_year(tmp_path):
    run = nianbao("import", PUBLISHED / "hongkou-page.txt", "-o", tmp_path / "x.json")
    assert run.code == 2 and "--year" in run.err
    assert "2020 年度" in run.err and "2019 年度" in run.err
    assert not (tmp_path / "x.json").exists()
    for year in (2020, 2019):
        data = imported(tmp_path, PUBLISHED / "hongkou-page.txt", "--year", str(year))
        assert figures(data) == figures(load_fixture(f"hongkou-{year}"))
    cells = data["source"]["cells"]
    assert cells["active.procurement.amount_yuan"]["printed"] == "67552.91(万元)"


def test_ocr_run_together_is_split_by_arithmetic_and_ambiguity_is_named(tmp_path):
    """Seed 000: every cell of 第三部分 comes from splitting digit runs by the table's own
    arithmetic; the 第二部分 cells no arithmetic can split, and 第四部分 (no split satisfies
    总计＝各结果之和), stay null and are named."""
    data = imported(tmp_path, SEED_000)
    fixture = load_fixture("shanghai-2023")
    # 「18(含新制发4件,修改14件)22269」: three cells, no arithmetic to say where they part
    ambiguous = {f"active.{r}.{c}" for r in ("regulations", "normative_documents")
                 for c in ("issued", "repealed", "in_force")}
    for path, value in figures(fixture).items():
        if path in ambiguous:
            assert get_path(data, path) is None, path
        else:
            assert get_path(data, path) == value, path
    cells = data["source"]["cells"]
    assert cells["applications.granted.natural_person"]["split_by_arithmetic"] is True
    assert cells["applications.granted.natural_person"]["printed"] == "959245333242410099"
    notes = "\n".join(data["source"]["notes"])
    assert "“规章”" in notes and "“行政规范性文件”" in notes and "第四部分" in notes
    run = nianbao("validate", SEED_000, "--format", "json")
    found = json.loads(run.out)["findings"]
    assert any(f["rule"] == "CHK-02" for f in found)  # the relations used for the split are assumed
    assert not any(f["rule"] in ("ARI-01", "ARI-02", "ARI-03") for f in found)
    assert any(f["rule"] == "TXT-01" and "4.70%" in f["message"] for f in found)


def _libreoffice_from_text(libreoffice, src: Path, to: str, outdir: Path) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    p = subprocess.run([libreoffice.exe, "--headless", "--norestore",
                        f"-env:UserInstallation={libreoffice.profile.as_uri()}",
                        "--infilter=Text (encoded):UTF8,LF,,,", "--convert-to", to, "--outdir", str(outdir),
                        str(src)], capture_output=True, text=True, timeout=180)
    out = outdir / f"{src.stem}.{to}"
    assert out.exists(), p.stderr
    return out


@pytest.mark.parametrize("name", ["haining-2023", "shanghai-2020"])
def test_docx_and_pdf_made_by_libreoffice_from_the_text(tmp_path, libreoffice, name):
    for to in ("docx", "pdf"):
        made = _libreoffice_from_text(libreoffice, PUBLISHED / f"{name}.txt", to, tmp_path / to)
        assert figures(imported(tmp_path, made)) == figures(load_fixture(name)), to


def test_html_written_by_hand(tmp_path):
    data = imported(tmp_path, PUBLISHED / "hongkou-2019.html")
    assert figures(data) == figures(load_fixture("hongkou-2019"))
    assert data["source"]["format"] == "html"


@pytest.mark.parametrize("suffix", [".docx", ".html", ".md"])
def test_import_of_the_generated_report_gives_back_the_data(tmp_path, suffix):
    report = tmp_path / f"海宁{suffix}"
    assert nianbao("generate", FIXTURES / "haining-2023.json", "-o", report).code == 0
    data, fixture = imported(tmp_path, report), load_fixture("haining-2023")
    assert figures(data) == figures(fixture)
    assert data["meta"] == fixture["meta"] | {"published": None}
    # the text as the report prints it: half-width punctuation between Chinese made full-width
    printed = {k: full_width(v) if isinstance(v, str) else {kk: full_width(vv or "") or vv for kk, vv in v.items()}
               for k, v in fixture["text"].items()}
    assert data["text"] == printed


def test_into_a_workbook_ready_to_carry_forward(tmp_path):
    wb = tmp_path / "海宁-2023.xlsx"
    assert nianbao("import", PUBLISHED / "haining-2023.txt", "-o", wb).code == 0
    assert figures(json.loads(nianbao("export", wb).out)) == figures(load_fixture("haining-2023"))
    this = tmp_path / "海宁-2024.xlsx"
    nianbao("new", "--year", "2024", "--agency", "海宁市人民政府", "-o", this)
    assert nianbao("carry-forward", "--from", PUBLISHED / "haining-2023.txt", "--to", this).code == 0


def test_damaged_and_unrelated_input(tmp_path):
    html = (PUBLISHED / "hongkou-2019.html").read_text(encoding="utf-8")
    cut = tmp_path / "truncated.html"
    cut.write_text(html[: html.index("三、收到和处理")], encoding="utf-8")
    run = nianbao("import", cut, "-o", tmp_path / "a.json")
    assert run.code == 2 and "没有找到政府信息公开申请情况表" in run.err
    from PIL import Image

    scan = tmp_path / "scan.pdf"
    Image.new("RGB", (600, 800), "white").save(scan)
    run = nianbao("import", scan, "-o", tmp_path / "b.json")
    assert run.code == 2 and "没有文字层" in run.err
    run = nianbao("import", PUBLISHED / "shanghai-2023-work-plan.txt", "-o", tmp_path / "c.json")
    assert run.code == 2 and "没有找到政府信息公开申请情况表" in run.err
    fake = tmp_path / "fake.docx"
    fake.write_text("not a docx")
    run = nianbao("import", fake, "-o", tmp_path / "d.json")
    assert run.code == 2 and "Word" in run.err
    assert not any((tmp_path / n).exists() for n in ("a.json", "b.json", "c.json", "d.json"))


def test_gbk_text(tmp_path):
    gbk = tmp_path / "haining-gbk.txt"
    gbk.write_bytes((PUBLISHED / "haining-2023.txt").read_text(encoding="utf-8").encode("gb18030"))
    assert figures(imported(tmp_path, gbk)) == figures(load_fixture("haining-2023"))


def test_real_errors_found_from_the_published_text_alone(tmp_path):
    run = nianbao("validate", PUBLISHED / "shanghai-2020.txt", "--format", "json")
    assert run.code == 1
    ari = [f["message"] for f in json.loads(run.out)["findings"] if f["rule"] == "ARI-01"]
    assert ari[0] == "第三部分“自然人”列：一＋二＝28281，三（七）＋四＝28214，前者多67件" and len(ari) == 5
    run = nianbao("validate", PUBLISHED / "hongkou-page.txt", "--year", "2019", "--format", "json")
    ari = [f["message"] for f in json.loads(run.out)["findings"] if f["rule"] == "ARI-01"]
    assert ari == ["第三部分“自然人”列：一＋二＝884，三（七）＋四＝885，前者少1件",
                   "第三部分“商业企业”列：一＋二＝9，三（七）＋四＝8，前者多1件"]
    run = nianbao("validate", PUBLISHED / "haining-2023.txt", "--format", "json")
    assert run.code == 0
    rules = [f["rule"] for f in json.loads(run.out)["findings"]]
    assert "LBL-02" in rules and "LBL-01" in rules  # the stale 2020 printed in a 2023 label


def test_kind_override(tmp_path):
    data = imported(tmp_path, PUBLISHED / "haining-2023.txt", "--kind", "department")
    assert data["meta"]["agency_kind"] == "department"


@pytest.mark.parametrize("token,value,noted", [
    ("505", 505, False), ("０", 0, False), ("l0", 10, True), ("2O5", 205, True), ("+5174", 5174, False),
    ("18(含新制发4件,修改14件)", 18, True), ("67552.91(万元)", 675529100, True), ("/", None, False),
])
def test_value_cells(token, value, noted):
    cell = value_cell(token)
    assert cell is not None and cell.value == value and bool(cell.note) is noted
    assert value_cell("信息内容") is None


def test_a_2021_report_printing_the_single_other_row(tmp_path):
    """（六）其他处理 as one row in a 2023 report: kept whole in 3.其他, flagged, never split."""
    text = (PUBLISHED / "haining-2023.txt").read_text(encoding="utf-8")
    single = "(六)其他处理\n\n19\n\n0\n\n0\n\n0\n\n0\n\n0\n\n19\n\n"
    src = tmp_path / "single.txt"
    src.write_text(text[: text.index("(六)其他处理")] + single + text[text.index("(七)总计"):], encoding="utf-8")
    data = imported(tmp_path, src)
    assert data["applications"]["other_other"]["total"] == 19
    assert data["applications"]["other_no_correction"]["total"] is None
    run = nianbao("validate", src, "--format", "json")
    found = json.loads(run.out)["findings"]
    assert any(f["rule"] == "STR-03" and "印为一行" in f["message"] for f in found)
    # NUM-01 and CHK-01 speak only of cells the printed table has: the two rows it does not print
    # are neither blank nor a reason the column sums cannot be checked
    assert not [f["message"] for f in found if f["rule"] in ("NUM-01", "CHK-01")]


def test_a_single_other_row_stays_unprinted_in_the_workbook_import_writes(tmp_path):
    """`import -o X.xlsx` of such a report: the workbook keeps which cells the printed table does not
    have, so validating the workbook (and exporting it) speaks of the printed table as the text did —
    STR-03, and no NUM-01 for the two rows it does not print."""
    text = (PUBLISHED / "haining-2023.txt").read_text(encoding="utf-8")
    single = "(六)其他处理\n\n19\n\n0\n\n0\n\n0\n\n0\n\n0\n\n19\n\n"
    src = tmp_path / "single.txt"
    src.write_text(text[: text.index("(六)其他处理")] + single + text[text.index("(七)总计"):], encoding="utf-8")
    as_json = tmp_path / "single.json"
    assert nianbao("import", src, "-o", as_json).code == 0
    for source in (src, as_json):  # from the text and from its report data alike
        book = tmp_path / f"{source.suffix[1:]}.xlsx"
        run = nianbao("import", source, "-o", book)
        assert run.code == 0, run.err
        found = json.loads(nianbao("validate", book, "--format", "json").out)["findings"]
        assert [f["rule"] for f in found if "印为一行" in f["message"]] == ["STR-03"]
        assert not [f["message"] for f in found if f["rule"] in ("NUM-01", "CHK-01")]
        exported = json.loads(nianbao("export", book).out)
        assert exported["applications"]["other_other"]["total"] == 19
        assert exported["applications"]["other_no_correction"]["natural_person"] is None
        again = tmp_path / f"{source.suffix[1:]}-again.json"  # and back to report data: still as printed
        exported_file = tmp_path / f"{source.suffix[1:]}-exported.json"
        exported_file.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
        assert nianbao("import", exported_file, "-o", again).code == 0
        found = json.loads(nianbao("validate", again, "--format", "json").out)["findings"]
        assert not [f["message"] for f in found if f["rule"] in ("NUM-01", "CHK-01")]
    # a person who splits the row in the workbook has the template's shape: checked as such
    import openpyxl

    wb = openpyxl.load_workbook(book)
    for c in S.EDITION_2021.application_columns[:-1]:
        sheet, ref = next(iter(wb.defined_names[f"applications.other_no_correction.{c.key}"].destinations))
        wb[sheet][ref.replace("$", "")] = 0
    wb.save(book)
    found = json.loads(nianbao("validate", book, "--format", "json").out)["findings"]
    assert not [f for f in found if "印为一行" in f["message"]]
    blank = {c["path"] for f in found if f["rule"] == "NUM-01" for c in f["cells"]}
    assert blank and all(p.startswith("applications.other_fee_unpaid.") for p in blank)


def test_cross_year_checks_between_two_published_reports():
    page = PUBLISHED / "hongkou-page.txt"
    run = nianbao("validate", page, "--year", "2020", "--previous", page, "--format", "json")
    findings = json.loads(run.out)["findings"]
    assert not [f for f in findings if f["rule"] == "XYR-01"]  # 2019's 结转 70 = 2020's 上年结转 70
    assert len([f for f in findings if f["rule"] == "XYR-05"]) == 3
