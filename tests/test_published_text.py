"""The text of the published document: half-width punctuation of the person's text made
full-width when the report is generated (or kept, when asked), the printed text kept verbatim
by import, and an empty part printed as not filled in (and said so to the person)."""

from __future__ import annotations

import copy
import json
import re

from conftest import FIXTURES, load_fixture, nianbao

from nianbao.generator import generate, render
from nianbao.generator.punctuation import full_width

HAINING_SIX = "(一)2023年度,海宁市人民政府办公室认真落实《条例》、国办文件精神,根据工作部署,已完成本年度海宁市政务公开各项工作。"


def test_marks_next_to_chinese_become_full_width_figures_and_latin_do_not():
    assert full_width(HAINING_SIX) == (
        "（一）2023年度，海宁市人民政府办公室认真落实《条例》、国办文件精神，根据工作部署，已完成本年度海宁市政务公开各项工作。")
    cases = {
        "电话:0573-87287231": "电话：0573-87287231",
        "共1,000件;10:30,在会议室": "共1,000件；10:30，在会议室",
        "新增\"水利领域\" \"企业\"等专栏": "新增“水利领域”“企业”等专栏",
        "是否收费?否!": "是否收费？否！",
        "工作 , 海宁": "工作，海宁",
        "下载(PDF)文件": "下载（PDF）文件",
        "3.63%,其中1.属于国家秘密": "3.63%，其中1.属于国家秘密",
        "see http://www.gov.cn/a?b=1, f(x) and (PDF)": "see http://www.gov.cn/a?b=1, f(x) and (PDF)",
        "（一）已是全角，不变。": "（一）已是全角，不变。",
    }
    assert {k: full_width(k) for k in cases} == cases


def test_generate_prints_full_width_and_keeps_the_source_when_asked(tmp_path):
    data = load_fixture("haining-2023")
    assert HAINING_SIX in data["text"]["other"]
    text = render(data, ".txt").decode("utf-8")
    assert "（一）2023年度，海宁市人民政府办公室" in text and "(一)2023年度,海宁" not in text
    assert "，根据工作部署，" in text
    kept = render(data, ".txt", normalise_punctuation=False).decode("utf-8")
    assert HAINING_SIX in kept
    # the .docx says the same (the body of a 公文)
    import zipfile

    out = generate(data, tmp_path / "hn.docx").path
    xml = zipfile.ZipFile(out).read("word/document.xml").decode("utf-8")
    assert "（一）2023年度，海宁市人民政府办公室" in xml and "2023年度,海宁" not in xml


def test_import_keeps_the_printed_text_verbatim(tmp_path):
    out = tmp_path / "hn.json"
    run = nianbao("import", FIXTURES / "published" / "haining-2023.txt", "-o", out)
    assert run.code == 0, run.err
    assert HAINING_SIX in json.loads(out.read_text(encoding="utf-8"))["text"]["other"]


def test_an_empty_part_is_printed_as_not_filled_and_the_person_is_told(tmp_path):
    data = load_fixture("hongkou-2020")
    assert not data["text"]["other"] and data["fees"]["info_processing_fee_yuan"] is None
    text = render(data, ".txt").decode("utf-8")
    assert re.search(r"六、其他需要报告的事项\s+（此部分未填写。）\s*$", text), text[-200:]
    run = nianbao("generate", FIXTURES / "hongkou-2020.json", "-o", tmp_path / "hk.md")
    assert run.code == 0 and "“六、其他需要报告的事项”未填写" in run.err, run.err
    # nothing of 总体情况 was transcribed: one placeholder, not five empty sub-headings
    assert re.search(r"一、总体情况\s+（此部分未填写。）\s+二、", text)
    assert "（一）主动公开" not in text and "“一、总体情况”未填写" in run.err
    # a fee figure alone is content: the fee sentence, no placeholder
    with_fee = copy.deepcopy(data)
    with_fee["fees"]["info_processing_fee_yuan"] = 0
    text = render(with_fee, ".txt").decode("utf-8")
    assert text.rstrip().endswith("本年度未收取信息处理费。") and "未填写" not in text.split("六、")[-1]
    # 总体情况 as one text: no empty sub-headings; with some sub-parts written: the empty ones say so
    one = copy.deepcopy(data)
    one["text"]["overview"]["intro"] = "本区全面推进政务公开。"
    text = render(one, ".txt").decode("utf-8")
    assert re.search(r"一、总体情况\s+本区全面推进政务公开。\s+二、", text)
    some = copy.deepcopy(data)
    some["text"]["overview"]["active"] = "主动公开政府信息。"
    text = render(some, ".txt").decode("utf-8")
    assert re.search(r"（二）依申请公开\s+（此部分未填写。）", text)
