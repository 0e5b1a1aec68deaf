"""The format schema against the statutory format (format-spec §1.3–1.6, §2.2) and the
report-data keys (report-data.md), written down here independently of the schema module."""

from __future__ import annotations

import pytest
from conftest import load_fixture

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import DataError
from nianbao.workbook_templates.format.report_data import get_path

ROWS_2021 = [
    "new", "carried_over", "granted", "partially_granted",
    "withheld_state_secret", "withheld_prohibited_by_law", "withheld_security_stability",
    "withheld_third_party", "withheld_internal_affairs", "withheld_process_info",
    "withheld_enforcement_file", "withheld_query_matter",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
    "unprocessed_petition", "unprocessed_duplicate", "unprocessed_publication",
    "unprocessed_excessive", "unprocessed_confirmation",
    "other_no_correction", "other_fee_unpaid", "other_other",
    "total_handled", "carried_forward",
]
ROWS_2019 = ROWS_2021[:20] + ["other_handling"] + ROWS_2021[23:]
COLUMNS = ["natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total"]
ACTIVE_2021 = {
    "regulations": ["issued", "repealed", "in_force"],
    "normative_documents": ["issued", "repealed", "in_force"],
    "licensing": ["decisions"], "penalty": ["decisions"], "coercion": ["decisions"],
    "admin_fees": ["amount_wan_yuan"],
}
ACTIVE_2019 = {
    "regulations": ["new_made", "new_published", "total_published"],
    "normative_documents": ["new_made", "new_published", "total_published"],
    "licensing": ["prior_items", "change", "decisions"],
    "other_services": ["prior_items", "change", "decisions"],
    "penalty": ["prior_items", "change", "decisions"],
    "coercion": ["prior_items", "change", "decisions"],
    "admin_fees": ["prior_items", "change"],
    "procurement": ["projects", "amount_yuan"],
}


@pytest.mark.parametrize("edition,rows,active", [
    (S.EDITION_2021, ROWS_2021, ACTIVE_2021), (S.EDITION_2019, ROWS_2019, ACTIVE_2019)])
def test_keys_follow_report_data_md(edition, rows, active):
    assert [r.key for r in edition.application_rows] == rows
    assert [c.key for c in edition.application_columns] == COLUMNS
    got_active = {}
    for block in edition.active_blocks:
        for r in block.rows:
            got_active[r.key] = [c.key for c in block.columns]
    assert got_active == active
    assert [g.key for g in edition.review_groups] == ["review", "litigation_direct", "litigation_after_review"]
    assert [r.key for r in edition.review_results] == ["upheld", "corrected", "other", "pending", "total"]
    table3 = [p for p in edition.fields if p.startswith("applications.")]
    assert len(table3) == len(rows) * 7  # 175 in 2021, 161 in 2019
    assert len([p for p in edition.fields if p.startswith("review_litigation.")]) == 15


def test_official_labels_2021():
    e = S.EDITION_2021
    labels = {r.key: r.label for r in e.application_rows}
    assert labels["partially_granted"] == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert labels["withheld_security_stability"] == "3.危及\u201c三安全一稳定\u201d"
    assert labels["other_fee_unpaid"] == "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    assert [r.group for r in e.application_rows if r.group] == (
        ["（三）不予公开"] * 8 + ["（四）无法提供"] * 3 + ["（五）不予处理"] * 5 + ["（六）其他处理"] * 3)
    assert sum(1 for r in e.application_rows if r.section == "三、本年度办理结果") == 22
    assert [b.caption for b in e.active_blocks] == [
        "第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项"]
    assert e.active_blocks[3].columns[0].label == "本年收费金额（单位：万元）"
    assert e.headings[4] == "五、存在的主要问题及改进情况"
    assert sum(len(b.rows) * len(b.columns) for b in e.active_blocks) == 10


def test_official_labels_2019():
    e = S.EDITION_2019
    assert sum(1 for r in e.application_rows if r.section == "三、本年度办理结果") == 20
    assert [r.label for r in e.application_rows if r.key == "other_handling"] == ["（六）其他处理"]
    assert [b.caption for b in e.active_blocks][-1] == "第二十条第（九）项"
    assert [c.label for c in e.active_blocks[1].columns] == ["上一年项目数量", "本年增/减", "处理决定数量"]
    assert e.active_blocks[0].rows[1].label == "规范性文件"
    assert e.fields["active.licensing.change"].kind is S.Kind.SIGNED
    assert e.headings[4] == "五、政府信息公开工作存在的主要问题及改进情况"


def test_every_total_has_one_formula_and_inputs_have_none():
    for e in S.EDITIONS.values():
        assert set(e.formulas) == set(e.computed_paths)
        for path, rel in e.formulas.items():
            assert rel.left == (path,)
        assert not set(e.entered_paths) & set(e.formulas)
        # 总计 column, （七）总计 row and the three 第四部分 totals
        assert len(e.computed_paths) == len(e.application_rows) + 6 + 3


def _failing(edition, data, rule):
    out = {}
    for rel in edition.relations:
        if rel.rule != rule:
            continue
        left = sum(get_path(data, p) for p in rel.left)
        right = sum(get_path(data, p) for p in rel.right)
        if left != right:
            out[rel.where] = left - right
    return out


def test_relations_hold_on_haining_2023():
    data = load_fixture("haining-2023")
    for rule in ("E1", "E2", "E3", "E4"):
        assert _failing(S.EDITION_2021, data, rule) == {}, rule


def test_relations_find_the_errors_printed_in_shanghai_2020():
    data = load_fixture("shanghai-2020")
    e = S.EDITION_2019
    assert _failing(e, data, "E1") == {
        "第三部分“自然人”列": 67, "第三部分“商业企业”列": -72, "第三部分“科研机构”列": 1,
        "第三部分“社会公益组织”列": 2, "第三部分“法律服务机构”列": -2,
    }
    assert _failing(e, data, "E3") == {"第三部分“一、本年新收政府信息公开申请数量”行": 4}
    assert _failing(e, data, "E2") == {}
    assert _failing(e, data, "E4") == {}


def test_relations_find_the_errors_printed_in_hongkou_2019():
    assert _failing(S.EDITION_2019, load_fixture("hongkou-2019"), "E1") == {
        "第三部分“自然人”列": -1, "第三部分“商业企业”列": 1}


def test_edition_for_year_and_agency_kind():
    assert S.edition_for_year(2020).key == "2019"
    assert S.edition_for_year(2021).key == "2021"
    assert S.edition_for_year(2025).key == "2021"
    with pytest.raises(DataError, match="2018 年度没有统一的年报格式"):  # the project's data error: exit 2
        S.edition_for_year(2018)
    with pytest.raises(DataError, match="格式版本“2018”无法识别"):
        S.get_edition("2018")
    assert S.infer_agency_kind("海宁市人民政府") == "government"
    assert S.infer_agency_kind("海宁市人民政府办公室") == "department"
    assert S.infer_agency_kind("上海市教育委员会") == "department"
    assert S.infer_agency_kind("某某学会") == "other"
