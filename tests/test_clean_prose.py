"""Prose as printed, without the page around it: a table of contents, bullets, the banner's year,
title and pinyin, breadcrumbs and footers are dropped; the sub-parts of 一、总体情况 are found
whatever their numbering; every kept line is verbatim."""

from __future__ import annotations

import json

from conftest import FIXTURES, nianbao

PUBLISHED = FIXTURES / "published"


def _imported(tmp_path, src) -> dict:
    out = tmp_path / f"{src.stem}.json"
    run = nianbao("import", src, "-o", out)
    assert run.code == 0, run.err
    return json.loads(out.read_text(encoding="utf-8"))


def test_shanghai_2020_page_debris_is_dropped_and_subparts_found(tmp_path):
    """Seed 003: a contents list of the headings, '-', '2020', '总体情况' twice, the banner title
    with its pinyin inside the text; sub-parts numbered 一、…五、 ending in 方面."""
    data = _imported(tmp_path, PUBLISHED / "shanghai-2020.txt")
    text = data["text"]
    overview = text["overview"]
    assert overview["intro"].startswith("2020年,上海市坚持以习近平新时代中国特色社会主义思想为指导")
    assert overview["active"].startswith("按照《条例》要求,坚持以公开为常态、不公开为例外")
    assert overview["requests"].startswith("进一步规范依申请办理工作。")
    assert overview["management"].startswith("继续落实《上海市人民政府公文公开发布实施办法》")
    assert overview["platforms"].startswith("完成全市统一政府信息公开平台上线工作。")
    assert overview["oversight"].startswith("• 优化考核方式和考核内容\n")  # the report's own bullet, kept
    assert "结合国务院办公厅印发的年度政务公开工作要点" in overview["oversight"]
    assert text["other"] == "无"
    everything = json.dumps(text, ensure_ascii=False)
    for debris in ("- 一、主动公开方面", "Shanghai Shi", "GongZuoNianDu", "\\n-\\n", "\\n2020\\n"):
        assert debris not in everything, debris
    # verbatim: the source's own half-width commas and the sentence with the 纠错率
    assert "信息公开类行政复议813件,其中,结果纠正42件,纠错率为5.17%" in overview["requests"]


def test_a_saved_page_with_navigation_breadcrumbs_and_footer(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("""<html><body>
<div class="nav"><a>首页</a> &gt; <a>政务公开</a></div>
<p>当前位置：首页 &gt;&gt; 政府信息公开年报</p>
<h1>XX县人民政府2023年政府信息公开工作年度报告</h1>
<ul><li>一、总体情况</li><li>二、主动公开政府信息情况</li><li>六、其他需要报告的事项</li></ul>
<p>一、总体情况</p>
<p>2023年，我县认真贯彻《条例》。</p>
<p>1.主动公开</p><p>全年主动公开政府信息1200条。</p>
<p>2.依申请公开</p><p>全年受理政府信息公开申请17件。</p>
<p>3.政府信息管理</p><p>规范公文属性审查。</p>
<p>4.平台建设</p><p>优化专栏。</p>
<p>5.监督保障</p><p>开展考核、社会评议，未发生责任追究。</p>
<p>二、主动公开政府信息情况</p>
<p>五、存在的主要问题及改进情况</p><p>问题是宣传不够。</p>
<p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p>
<p>版权所有：XX县人民政府办公室　ICP备12345678号</p><p>打印本页</p><p>关闭窗口</p>
</body></html>""", encoding="utf-8")
    out = tmp_path / "page.json"
    nianbao("import", page, "-o", out)  # no table: refused as "no 第三部分", the prose is read below
    from nianbao.workbook_templates.published.files import read_text
    from nianbao.workbook_templates.published.text import parse

    data = parse(read_text(page)).data
    overview = data["text"]["overview"]
    assert overview["intro"] == "2023年，我县认真贯彻《条例》。"
    assert (overview["active"], overview["requests"], overview["management"], overview["platforms"],
            overview["oversight"]) == ("全年主动公开政府信息1200条。", "全年受理政府信息公开申请17件。",
                                       "规范公文属性审查。", "优化专栏。", "开展考核、社会评议，未发生责任追究。")
    assert data["text"]["problems"] == "问题是宣传不够。"
    assert data["text"]["other"] == "本年度未收取信息处理费。"
