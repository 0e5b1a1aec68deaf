"""TXT-01 on the claims real reports make in their prose (issue 13, class 5): each is found
when it contradicts the table, quoting the sentence and the table figure, and is quiet when it
agrees — figures from the named-figure catalogue.  纠错率 is accepted by either definition,
rounded half-up or cut off, as the seeds print it."""

from __future__ import annotations

import copy

import pytest
from conftest import load_fixture

from nianbao.addin.checks.validate import check


def _txt01(data: dict, sentence: str, field: str = "requests") -> list[str]:
    d = copy.deepcopy(data)
    d["text"]["overview"][field] = sentence
    return [f.message for f in check(d) if f.rule == "TXT-01"]


HAINING = load_fixture("haining-2023")  # 新收 523, 现行有效行政规范性文件 350, 予以公开 383 + 部分公开 12 …

CONTRADICTIONS = [  # (sentence, the table figure named in the finding)
    ("全年受理政府信息公开申请17件。", "新收申请为 523 件"),
    ("共接收政府信息公开申请520件。", "新收申请为 523 件"),
    ("截至年底，现行有效行政规范性文件393件。", "现行有效行政规范性文件为 350 件"),
    ("行政规范性文件现行有效351件。", "现行有效行政规范性文件为 350 件"),
    ("现行有效规章2件。", "现行有效规章为 0 件"),
    ("予以公开及部分公开258件。", "予以公开及部分公开为 395 件"),
    ("予以公开或部分公开396件，占75.00%。", "予以公开及部分公开为 395 件"),
    ("因本机关不掌握等原因无法提供265件。", "无法提供为"),
    ("产生行政复议7件。", "行政复议为 9 件"),
    ("行政复议9件，其中结果维持3件。", "行政复议结果维持为 2 件"),
    ("行政复议9件，其中3件尚未审结。", "行政复议尚未审结为 2 件"),
    ("行政复议9件，审结8件。", "行政复议审结为 7 件"),
    ("被提起行政诉讼6件（未经复议直接起诉5件、复议后起诉1件），其中结果维持5件。", "行政诉讼结果维持为 6 件"),
    ("行政复议9件，纠错率为11.11%。", "行政复议纠错率为"),
]


@pytest.mark.parametrize("sentence,table", CONTRADICTIONS)
def test_a_contradiction_is_found_quoting_the_sentence(sentence, table):
    found = _txt01(HAINING, sentence)
    assert len(found) == 1, found
    assert f"“{sentence}”" in found[0] and table in found[0]


AGREEMENTS = [
    "全年受理政府信息公开申请523件，办理完毕523件。",
    "现行有效行政规范性文件350件，现行有效规章0件。",
    "予以公开及部分公开395件，占75.53%。",  # (383 + 12) ÷ 523
    "产生行政复议9件,其中2件尚未审结,未经复议直接起诉5件,复议后起诉1件。",
    "被提起行政诉讼6件（未经复议直接起诉5件、复议后起诉1件），其中结果维持6件，纠错率0.00%。",
    "2022年受理政府信息公开申请410件。",  # another year's figure is not this table's
]


@pytest.mark.parametrize("sentence", AGREEMENTS)
def test_an_agreeing_claim_is_quiet(sentence):
    assert _txt01(HAINING, sentence) == []


SHANGHAI_2020 = load_fixture("shanghai-2020")  # 行政复议 813, 纠正 42, 尚未审结 68; 诉讼 731, 纠正 23, 尚未审结 44
SEED_003 = ("信息公开类行政复议813件,其中,结果纠正42件,纠错率为5.17%,较2019年上升0.87个百分点。信息公开类行政诉讼立案731件,"
            "其中,未经复议直接起诉442件,复议后起诉289件。一审行政诉讼案件687件,结果纠正23件,纠错率3.14%,较2019年上升2.23个百分点。")


def test_the_correction_rates_the_seed_prints_are_accepted():
    """42 ÷ 813 = 5.17% (half-up) and 23 ÷ 731 = 3.146… printed 3.14% (cut off); 一审 687 = 731 − 44."""
    assert _txt01(SHANGHAI_2020, SEED_003) == []
    for rate in ("5.64%", "5.6%"):  # ÷ (总计 − 尚未审结), at the printed decimals
        assert _txt01(SHANGHAI_2020, f"行政复议813件,其中,结果纠正42件,纠错率为{rate}。") == []
    found = _txt01(SHANGHAI_2020, SEED_003.replace("纠错率3.14%", "纠错率3.94%"))
    assert len(found) == 1 and "23÷731＝3.15%" in found[0] and "23÷687＝3.35%" in found[0]
    found = _txt01(SHANGHAI_2020, SEED_003.replace("一审行政诉讼案件687件", "一审行政诉讼案件690件"))
    assert len(found) == 1 and "行政诉讼审结为 687 件" in found[0]


def test_the_fee_statement():
    d = copy.deepcopy(HAINING)
    d["fees"]["info_processing_fee_yuan"] = 120
    d["text"]["other"] = "本年度未收取信息处理费。"
    assert [f.message for f in check(d) if f.rule == "TXT-01"] == [
        "第六部分写“本年度未收取信息处理费。”，但信息处理费为 120 元"]
    d["text"]["other"] = "本年度共收取信息处理费100元。"
    assert [f.message for f in check(d) if f.rule == "TXT-01"] == [
        "第六部分写“本年度共收取信息处理费100元。”，但表格中信息处理费为 120 元"]
