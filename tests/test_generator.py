"""The generated report: figures and shares equal to what the real reports print (or should
have printed), natural wording of zero cases, figure fields, and the four formats."""

from __future__ import annotations

import copy
import zipfile
from decimal import Decimal
from html.parser import HTMLParser

from conftest import REPO, fixture_path, load_fixture, nianbao

from nianbao.addin.checks.validate import prose_against_tables
from nianbao.generator import generate, render
from nianbao.workbook_templates.xlsx.reader import read_workbook
from nianbao.generator import figures as F
from nianbao.workbook_templates.format import figures as NF
from nianbao.workbook_templates.format.numbers import percent
from nianbao.workbook_templates.format.report_data import set_path


def text_of(data: dict, previous: dict | None = None) -> str:
    return render(data, ".txt", previous=previous).decode("utf-8")


# -- figures as the real reports print them -----------------------------------------------------

def test_shanghai_2020_shares_equal_the_printed_ones():
    text = text_of(load_fixture("shanghai-2020"))
    assert ("予以公开及部分公开11796件，占41.53%；不予公开1095件，占3.85%；无法提供11583件，占40.78%；"
            "不予处理1027件，占3.62%；其他处理2905件，占10.23%。") in text
    assert "本年度新收政府信息公开申请29130件；上年结转1400件；办理答复28406件；结转下年度继续办理2124件。" in text


def test_shanghai_2023_shares_with_the_printed_mistake_corrected():
    data = load_fixture("shanghai-2023")
    text = text_of(data)
    assert ("予以公开及部分公开10538件，占30.61%；不予公开1615件，占4.69%；无法提供14342件，占41.66%；"
            "不予处理822件，占2.39%；其他处理7113件，占20.66%。") in text
    assert "占4.70%" in text  # the person's own paragraph, copied from the published report: reported below


def test_shanghai_2023_prose_mistake_is_reported_when_generating(tmp_path):
    run = nianbao("generate", fixture_path("shanghai-2023"), "-o", tmp_path / "r.md")
    assert run.code == 0, run.err
    assert "TXT-01" in run.err and "占4.70%" in run.err and "应占4.69%" in run.err


def test_haining_2023_figures_and_no_txt01(tmp_path):
    data = load_fixture("haining-2023")
    text = text_of(data)
    assert "本年度新收政府信息公开申请523件；上年结转0件；办理答复523件；结转下年度继续办理0件。" in text
    assert "予以公开及部分公开395件，占75.53%" in text
    assert "被申请行政复议9件，其中结果维持2件、结果纠正0件、其他结果5件、尚未审结2件，纠错率0.00%" in text
    assert "被提起行政诉讼6件（未经复议直接起诉5件、复议后起诉1件）" in text
    result = generate(data, tmp_path / "hn.md")
    assert prose_against_tables(data) == [] and result.notes == []  # TXT-01, as the shells ask it
    assert text.count("信息处理费") == 2  # the person's own sentence, not a second computed one


def test_year_on_year_change_and_title():
    this, prev = load_fixture("hongkou-2020"), load_fixture("hongkou-2019")
    text = text_of(this, prev)
    assert "本年度新收政府信息公开申请1134件，较2019年上升31.86%；" in text  # (1134-860)/860
    assert text.startswith("上海市虹口区2020年度政府信息公开工作年度报告")
    assert NF.change(34290, 26520, 2022) == "较2022年上升29.30%"
    assert NF.change(90, 100, 2022) == "较2022年下降10.00%"
    assert NF.change(5, 5, 2022) == "与2022年持平"
    assert NF.change(5, 0, 2022) == "2022年为0件"
    assert F.title_lines("海宁市人民政府", 2023) == ["海宁市人民政府2023年度", "政府信息公开工作年度报告"]
    assert F.title_lines("上海市虹口区市场监督管理局", 2023) == ["上海市虹口区市场监督管理局", "2023年度政府信息公开工作年度报告"]


def test_shares_round_half_up_not_half_even():
    assert percent(1, 8) == Decimal("12.50")
    assert percent(1, 800) == Decimal("0.13")  # 0.125 → 0.13 (Python's round gives 0.12)
    assert percent(5, 0) is None


def test_correction_rate_over_all_cases_as_the_seeds_print_it():
    """Shanghai 2020 prints “行政复议813件,其中,结果纠正42件,纠错率为5.17%” = 42 ÷ 813."""
    text = text_of(load_fixture("shanghai-2020"))
    assert "结果纠正42件、其他结果66件、尚未审结68件，纠错率5.17%" in text  # 42 / 813
    assert "结果纠正23件、其他结果122件、尚未审结44件，纠错率3.15%" in text  # 23 / 731 = 3.146… half-up


def test_all_cases_pending_print_no_rate():
    data = copy.deepcopy(load_fixture("haining-2023"))
    data["review_litigation"]["review"] = {"upheld": 0, "corrected": 0, "other": 0, "pending": 3, "total": 3}
    text = text_of(data)
    sentence = text[text.index("被申请行政复议"):]
    sentence = sentence[: sentence.index("；")]
    assert sentence == "被申请行政复议3件，均尚未审结"  # no rate of cases not yet decided


def _zero_report() -> dict:
    data = copy.deepcopy(load_fixture("haining-2023"))
    for section in ("applications", "review_litigation"):
        for row in data[section].values():
            for k in row:
                row[k] = 0
    return data


def test_zero_cases_are_worded_naturally():
    text = text_of(_zero_report())
    assert "本年度未收到政府信息公开申请，也没有上年结转的申请。" in text
    assert "本年度未发生因政府信息公开工作引起的行政复议、行政诉讼。" in text
    assert "0.00%" not in text and "占0" not in text


def test_zero_outcome_groups_are_named_not_given_a_share():
    data = load_fixture("haining-2023")
    for key in ("unprocessed_petition", "unprocessed_duplicate"):
        set_path(data, f"applications.{key}.natural_person", 0)
        set_path(data, f"applications.{key}.total", 0)
    set_path(data, "applications.other_other.natural_person", 23)
    set_path(data, "applications.other_other.total", 23)
    assert "；没有不予处理的情形。" in text_of(data)


def test_fee_statement():
    data = load_fixture("shanghai-2020")
    data["text"]["other"] = "无。"
    data["fees"]["info_processing_fee_yuan"] = 12480
    data["fees"]["notices_issued"] = 3
    assert "本年度共收取信息处理费12480元，发出收费通知3件。" in text_of(data)
    data["fees"]["info_processing_fee_yuan"] = 0
    data["fees"]["notices_issued"] = None
    assert "本年度未收取信息处理费。" in text_of(data)


def test_figure_fields_are_filled_and_unknown_ones_reported(tmp_path):
    data = load_fixture("haining-2023")
    data["text"]["overview"]["requests"] = "全年收到申请{新收申请}件，答复{答复总数}件，公开及部分公开占{公开及部分公开占比}。{不存在}"
    text = text_of(data)
    assert "全年收到申请523件，答复523件，公开及部分公开占75.53%。{不存在}" in text
    result = generate(data, tmp_path / "r.txt")
    assert any("{不存在}" in n for n in result.notes)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in F.FIELDS:
        assert f"{{{name}}}" in readme, f"README does not document the field {{{name}}}"


def test_user_prose_lines_are_never_directives():
    data = load_fixture("haining-2023")
    data["text"]["problems"] = "@h1 这不是标题\n@table part3"
    text = text_of(data)
    assert "@h1 这不是标题" in text and "@table part3" in text


def test_custom_template_folder(tmp_path):
    (tmp_path / "report.j2").write_text("@title {{ agency }}自定义\n{{ apps.new }}件\n", encoding="utf-8")
    out = tmp_path / "r.txt"
    run = nianbao("generate", fixture_path("haining-2023"), "-o", out, "--template", tmp_path)
    assert run.code == 0, run.err
    assert out.read_text(encoding="utf-8") == "海宁市人民政府自定义\n\n\u3000\u3000523件\n"
    (tmp_path / "report.j2").write_text("{{ nope.x }}", encoding="utf-8")
    run = nianbao("generate", fixture_path("haining-2023"), "-o", tmp_path / "x.txt", "--template", tmp_path)
    assert run.code == 2 and "报告模板出错" in run.err


# -- formats ------------------------------------------------------------------------------------

class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "td" and a.get("headers"):
            self.refs += a["headers"].split()


def test_html_is_escaped_and_its_headers_resolve(tmp_path):
    data = load_fixture("haining-2023")
    data["meta"]["agency"] = "<script>alert('x')</script>人民政府"
    data["text"]["problems"] = "A&B <b>粗体</b>"
    html = render(data, ".html").decode("utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "A&amp;B &lt;b&gt;" in html
    p = _Ids()
    p.feed(html)
    assert p.refs and set(p.refs) <= p.ids  # no dangling headers
    assert p.tags.count("td") >= 175 + 10 + 15
    assert 'scope="rowgroup"' in html and 'scope="colgroup"' in html and "<thead>" in html


def test_html_fragment_has_inline_styles_only():
    html = render(load_fixture("haining-2023"), ".html", fragment=True).decode("utf-8")
    assert "<html" not in html and "<style" not in html and 'class="nb-' not in html
    assert html.startswith('<div class="nianbao-report" style="') and "data:image/png;base64," in html


def test_markdown_holds_the_tables():
    md = render(load_fixture("haining-2023"), ".md").decode("utf-8")
    assert "| 一、本年新收政府信息公开申请数量 | 505 | 16 | 0 | 0 | 1 | 1 | 523 |" in md
    assert md.startswith("# 海宁市人民政府2023年度政府信息公开工作年度报告")


def test_docx_structure(tmp_path):
    out = tmp_path / "hn.docx"
    assert nianbao("generate", fixture_path("haining-2023"), "-o", out).code == 0
    with zipfile.ZipFile(out) as z:
        doc = z.read("word/document.xml").decode("utf-8")
        styles = z.read("word/styles.xml").decode("utf-8")
        names = z.namelist()
    assert any(n.startswith("word/media/") for n in names)  # the chart
    assert doc.count("<w:tblHeader/>") == 3 + 3  # header rows of 第三部分 and 第四部分 repeat
    assert 'w:eastAsia="仿宋_GB2312"' in styles and 'w:eastAsia="方正小标宋简体"' in styles
    assert 'w:eastAsia="黑体"' in styles and 'w:eastAsia="楷体_GB2312"' in styles
    assert '<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"' in doc  # 37/26/35/28 mm
    assert 'w:lineRule="exact" w:line="579"' in styles


def test_reference_docx_equals_a_fresh_build(tmp_path):
    from nianbao.generator.docx_style import REFERENCE, write_reference
    from nianbao.workbook_templates.xlsx.templates import differences

    fresh = write_reference(tmp_path / "reference.docx").path
    assert [d for d in differences(REFERENCE, fresh) if d != "docProps/core.xml"] == []


def test_reference_docx_can_be_replaced(tmp_path):
    from docx import Document
    from docx.shared import Mm

    from nianbao.generator.docx_style import REFERENCE

    ref = Document(str(REFERENCE))
    ref.sections[0].left_margin = Mm(40)
    ref.save(tmp_path / "mine.docx")
    out = tmp_path / "r.docx"
    assert nianbao("generate", fixture_path("haining-2023"), "-o", out, "--reference-docx",
                   tmp_path / "mine.docx").code == 0
    assert round(Document(str(out)).sections[0].left_margin.mm) == 40
    (tmp_path / "broken.docx").write_bytes(b"not a docx")
    run = nianbao("generate", fixture_path("haining-2023"), "-o", tmp_path / "x.docx", "--reference-docx",
                  tmp_path / "broken.docx")
    assert run.code == 2 and "参考文档" in run.err and not (tmp_path / "x.docx").exists()


def test_generate_next_to_the_workbook_keeps_an_existing_report(tmp_path):
    wb = tmp_path / "海宁市人民政府-2023.xlsx"
    nianbao("import", fixture_path("haining-2023"), "-o", wb)
    (tmp_path / "海宁市人民政府-2023.docx").write_bytes(b"an earlier report")
    data = read_workbook(wb).data
    results = [generate(data, wb.with_suffix(s)) for s in (".docx", ".html")]  # what 生成报告 does
    assert [r.path.name for r in results] == ["海宁市人民政府-2023.docx", "海宁市人民政府-2023.html"]
    assert results[0].backup is not None and results[0].backup.read_bytes() == b"an earlier report"
    assert "予以公开及部分公开395件" in results[1].path.read_text(encoding="utf-8")


def test_pdf_without_libreoffice_says_so(tmp_path):
    run = nianbao("generate", fixture_path("haining-2023"), "-o", tmp_path / "r.pdf",
                  env={"PATH": str(tmp_path)})
    assert run.code == 2 and "需要 LibreOffice" in run.err
    assert not (tmp_path / "r.pdf").exists()


def test_bad_output_suffix(tmp_path):
    run = nianbao("generate", fixture_path("haining-2023"), "-o", tmp_path / "r.xlsx")
    assert run.code == 2 and ".docx" in run.err


def test_the_chart_font_is_one_fontconfig_says_has_chinese(monkeypatch):
    """The chart's font, asked of fontconfig (fc-match, as on Debian/Kylin/UOS): a font of the
    preferred list that fontconfig itself lists for Chinese (never its fallback font without it)."""
    import subprocess

    from nianbao.generator.chart import CJK_FONTS, cjk_font

    monkeypatch.delenv("NIANBAO_CJK_FONT", raising=False)
    cjk_font.cache_clear()
    found = cjk_font()
    chinese = subprocess.run(["fc-list", ":lang=zh", "family", "file"], capture_output=True, text=True,
                             check=True).stdout.splitlines()
    families = [line.split(": ", 1)[1] for line in chinese if line.startswith(found + ":")]
    assert families, f"{found} is not a font fontconfig lists for Chinese"
    assert any(name.lower() in family.lower() for name in CJK_FONTS for family in families)
    cjk_font.cache_clear()  # the next user asks again, with the environment restored
