"""The rule catalogue on real reports (the errors actually printed in them), and every rule
both firing and staying quiet."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest
from conftest import fixture_path, load_fixture, nianbao

from nianbao.addin.checks.validate import CATALOGUE
from nianbao.addin.checks.validate import check
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import set_path


def messages(findings, rule):
    return [f.message for f in findings if f.rule == rule]


def test_shanghai_2020_columns_that_do_not_balance():
    found = check(load_fixture("shanghai-2020"))
    assert messages(found, "ARI-01") == [
        "第三部分“自然人”列：一＋二＝28281，三（七）＋四＝28214，前者多67件",
        "第三部分“商业企业”列：一＋二＝1787，三（七）＋四＝1859，前者少72件",
        "第三部分“科研机构”列：一＋二＝13，三（七）＋四＝12，前者多1件",
        "第三部分“社会公益组织”列：一＋二＝60，三（七）＋四＝58，前者多2件",
        "第三部分“法律服务机构”列：一＋二＝147，三（七）＋四＝149，前者少2件",
    ]
    assert messages(found, "ARI-03") == [
        "第三部分“一、本年新收政府信息公开申请数量”行：总计＝29130，六类申请人之和＝29126，前者多4件"]
    ari01 = [f for f in found if f.rule == "ARI-01"][0]
    assert ari01.paths == ("applications.new.natural_person", "applications.carried_over.natural_person",
                           "applications.total_handled.natural_person", "applications.carried_forward.natural_person")
    assert [f.severity for f in found if f.rule == "ARI-05"] == ["warning"]


def test_hongkou_2019_only_the_total_column_balances():
    found = check(load_fixture("hongkou-2019"))
    assert messages(found, "ARI-01") == ["第三部分“自然人”列：一＋二＝884，三（七）＋四＝885，前者少1件",
                                         "第三部分“商业企业”列：一＋二＝9，三（七）＋四＝8，前者多1件"]
    assert messages(found, "ARI-05") == [
        "第三部分：总计列平衡（一＋二＝三（七）＋四＝895），但自然人、商业企业列不平衡，申请人类型可能记错了"]


def test_haining_2023_has_no_error(tmp_path):
    run = nianbao("validate", fixture_path("haining-2023"), "--format", "json")
    assert run.code == 0, run.out + run.err
    report = json.loads(run.out)
    assert report["ok"] is True
    assert [f["severity"] for f in report["findings"]] == ["info"]  # no previous year given


# -- every rule fires, and stays quiet --------------------------------------------------------

Mutation = Callable[[dict], None]


def _set(**paths) -> Mutation:
    def m(d: dict) -> None:
        for p, v in paths.items():
            set_path(d, p.replace("__", "."), v)
    return m


def _previous(name: str, **paths) -> Mutation:
    def m(d: dict) -> None:
        prev = load_fixture(name)
        prev.pop("previous", None)
        for p, v in paths.items():
            set_path(prev, p.replace("__", "."), v)
        d["previous"] = prev
    return m


def _haining_2022() -> dict:
    """A 2022 report whose 结转下年度 and 现行有效 continue into Haining 2023."""
    d = load_fixture("haining-2023")
    d["meta"]["year"] = 2022
    d["active"]["normative_documents"]["in_force"] = 370  # 370 + 68 - 88 = 350
    return d


def _prev_2022(**paths) -> Mutation:
    def m(d: dict) -> None:
        prev = _haining_2022()
        for p, v in paths.items():
            set_path(prev, p.replace("__", "."), v)
        d["previous"] = prev
    return m


def _source(**keys) -> Mutation:
    """A published report's provenance (format txt) with the given keys."""
    def m(d: dict) -> None:
        d["source"] = {"format": "txt", **keys}
    return m


def _blank_table(section: str) -> Mutation:
    def m(d: dict) -> None:
        for row in d[section].values():
            for k in row:
                row[k] = None
    return m


def _both(*ms: Mutation) -> Mutation:
    def m(d: dict) -> None:
        for f in ms:
            f(d)
    return m


# rule -> (base fixture, mutation that makes it fire, mutation under which it stays quiet)
CASES: dict[str, tuple[str, Mutation, Mutation]] = {
    "NUM-01": ("haining-2023", _set(applications__carried_over__natural_person=None), _set()),
    "NUM-02": ("haining-2023", _set(applications__granted__commercial=-5), _set(applications__granted__commercial=13)),
    "NUM-03": ("haining-2023",
               lambda d: d.update(source={"format": "xlsx", "cells": {"active.normative_documents.issued":
                                                                      {"printed": "68(含修改10件)"}}}),
               lambda d: d.update(source={"format": "xlsx", "cells": {"active.normative_documents.issued":
                                                                      {"printed": "68"}}})),
    "ARI-01": ("haining-2023", _set(applications__carried_forward__natural_person=3), _set()),
    "ARI-02": ("haining-2023", _set(applications__total_handled__commercial=17), _set()),
    "ARI-03": ("haining-2023", _set(applications__granted__total=384), _set()),
    "ARI-04": ("haining-2023", _set(review_litigation__review__total=10), _set()),
    "ARI-05": ("haining-2023",  # one application moved from 自然人 to 商业企业 between rows 一 and 三
               _set(applications__new__natural_person=504, applications__new__commercial=17),
               _set(applications__new__natural_person=504, applications__new__total=522)),
    "CHK-01": ("haining-2023", _set(review_litigation__review__pending=None), _set()),
    "INT-01": ("haining-2023",
               lambda d: d.update(source={"format": "xlsx", "integrity": [
                   {"rule": "INT-01", "fact": "formula_replaced", "path": "applications.new.total",
                    "sheet": "第三部分", "cell": "J7", "value": 600}]}),
               lambda d: d.update(source={"format": "xlsx", "integrity": []})),
    "STR-03": ("haining-2023", lambda d: d.update(edition="2019"), _set()),
    "LBL-02": ("haining-2023",
               lambda d: d.update(source={"format": "txt", "labels": {
                   "applications.carried_over": "二、上年结转政府信息公开申请数量(须与2020年度年报结转数一致)"}}),
               lambda d: d.update(source={"format": "txt", "labels": {
                   "applications.carried_over": "二、上年结转政府信息公开申请数量(须与2022年度年报结转数一致)"}})),
    "XYR-01": ("haining-2023", _prev_2022(applications__carried_forward__natural_person=3), _prev_2022()),
    "XYR-02": ("haining-2023", _prev_2022(active__normative_documents__in_force=360), _prev_2022()),
    "XYR-03": ("haining-2023", _set(active__regulations__issued=5, active__regulations__in_force=2),
               _set(active__regulations__issued=5, active__regulations__in_force=5)),
    "XYR-05": ("hongkou-2020", _previous("hongkou-2019"),
               _previous("hongkou-2019", active__other_services__change=207, active__penalty__change=-853,
                         active__coercion__change=-41)),
    "TXT-01": ("haining-2023", _set(text__overview__requests="2023年，收到依申请公开520件，办理完毕523件。"),
               _set(text__overview__requests="2023年，收到依申请公开523件，办理完毕523件；2022年收到410件。")),
    "TXT-02": ("haining-2023", _set(text__problems="无"), _set()),
    "STR-01": ("haining-2023", _source(parts=[h if i != 4 else None for i, h in enumerate(S.EDITION_2021.headings)]),
               _source(parts=list(S.EDITION_2021.headings))),
    "STR-02": ("haining-2023", _both(_source(), _blank_table("review_litigation")), _source()),
    "STR-04": ("haining-2023", _source(unmatched=["法人或其他组织小计"]), _source(unmatched=[])),
    "LBL-01": ("haining-2023", _source(labels={"applications.carried_over": "二、上年结转申请数量"}),
               _source(labels={"applications.carried_over": "二、上年结转政府信息公开申请数量"})),
    "XYR-04": ("haining-2023", _prev_2022(), _both(_prev_2022(text__problems="去年的问题是另一回事：" * 20,
                                                              text__other="去年没有其他事项。" * 10,
                                                              text__overview__oversight="去年如何监督。" * 10,
                                                              text__overview__active="去年主动公开。" * 10,
                                                              text__overview__requests="去年依申请。" * 10,
                                                              text__overview__management="去年管理。" * 10,
                                                              text__overview__platforms="去年平台。" * 10))),
    "AGG-01": ("haining-2023", _source(aggregate=[{"unit": "海宁市人民政府", "path": "applications.new.natural_person",
                                                   "own": 100, "children": 120}]), _source(aggregate=[])),
    "CHK-02": ("haining-2023", _source(cells={"applications.new.natural_person": {
                   "printed": "505160011523", "split_by_arithmetic": True, "assumed": ["E3"]}}), _source(cells={})),
    "TXT-03": ("haining-2023", _set(text__overview__oversight="开展监督检查。"), _both(
        _set(text__overview__oversight="开展监督检查。"), _set(meta__agency_kind="department"))),
    "TXT-04": ("haining-2023", _set(text__other="无其他需要报告的事项。", fees__info_processing_fee_yuan=None),
               _set(text__other="无其他需要报告的事项。")),
    "TXT-05": ("haining-2023", _set(applications__other_fee_unpaid__total=2, text__other="无。"),
               _set(applications__other_fee_unpaid__total=2)),
}


def test_every_rule_has_a_case():
    assert set(CASES) == set(CATALOGUE)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_and_stays_quiet(rule_id):
    base, fire, quiet = CASES[rule_id]
    bad, good = copy.deepcopy(load_fixture(base)), copy.deepcopy(load_fixture(base))
    fire(bad)
    quiet(good)
    counts = {"info"} if CATALOGUE[rule_id].severity == "info" else {"error", "warning"}
    fired = [f for f in check(bad) if f.rule == rule_id and f.severity in counts]
    assert fired, f"{rule_id} did not fire"
    assert all(f.message for f in fired)
    assert not [f for f in check(good) if f.rule == rule_id and f.severity in counts], f"{rule_id} fired on good data"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_documentation_is_what_the_rule_says(rule_id):
    """The printed example is a message the rule gives on its firing case, word for word, and
    every finding carries the rule's 怎么改 line: documentation cannot drift from the code."""
    base, fire, _ = CASES[rule_id]
    bad = copy.deepcopy(load_fixture(base))
    fire(bad)
    rule = CATALOGUE[rule_id]
    fired = [f for f in check(bad) if f.rule == rule_id]
    assert rule.example in [f.message for f in fired]
    assert all(f.fix == rule.fix and f.fix for f in fired)
    assert rule.what and rule.why and rule.fix


def test_rule_severities_shown_as_reported():
    """`nianbao rules` shows every severity a rule reports (NUM-01 is a warning in a published report)."""
    from nianbao.addin.checks.findings import SEVERITY_ZH

    reported: dict[str, set[str]] = {}
    for rule_id, (base, fire, _) in CASES.items():
        bad = copy.deepcopy(load_fixture(base))
        fire(bad)
        for published in (False, True):
            data = copy.deepcopy(bad)
            if published:
                data["source"] = {**(data.get("source") or {}), "format": "txt"}
            reported.setdefault(rule_id, set()).update(f.severity for f in check(data) if f.rule == rule_id)
    assert "warning" in reported["NUM-01"] and "error" in reported["NUM-01"]
    for rule_id, severities in reported.items():
        shown = CATALOGUE[rule_id].severity_text(SEVERITY_ZH)
        assert all(SEVERITY_ZH[s] in shown for s in severities), (rule_id, severities, shown)


def test_rules_explain_what_why_example_fix():
    run = nianbao("rules", "XYR-01")
    assert run.code == 0
    for heading in ("检查什么：", "为什么：", "示例：", "怎么改："):
        assert heading in run.out
    assert CATALOGUE["XYR-01"].example in run.out and CATALOGUE["XYR-01"].fix in run.out


def test_xyr01_across_the_edition_change():
    """2020 (2019 edition) 结转下年度 → 2021 (2021 edition) 上年结转."""
    this = load_fixture("haining-2023")
    this["meta"]["year"] = 2021
    prev = load_fixture("hongkou-2020")
    found = check(this, previous=prev)
    assert "第三部分“自然人”列：上年结转＝0，但2020年度结转下年度＝42，前者少42件" in messages(found, "XYR-01")
    set_path(prev, "applications.carried_forward.natural_person", 0)
    set_path(prev, "applications.carried_forward.total", 0)
    assert not [f for f in check(this, previous=prev) if f.rule == "XYR-01" and f.severity == "error"]


def test_txt01_checks_the_printed_shares_of_shanghai_2023():
    found = check(load_fixture("shanghai-2023"))
    assert messages(found, "TXT-01") == [
        "第一部分“（二）依申请公开”写“不予公开1615件,占4.70%;”，按表格不予公开应占4.69%（1615÷34430）"]


def test_num01_is_a_warning_in_a_published_report():
    d = load_fixture("haining-2023")
    d["applications"]["new"]["research"] = None
    assert {f.severity for f in check(d) if f.rule == "NUM-01"} == {"error"}
    d["source"] = {"format": "txt"}
    assert {f.severity for f in check(d) if f.rule == "NUM-01"} == {"warning"}


def test_rules_command_lists_and_explains():
    run = nianbao("rules")
    assert run.code == 0
    for rule_id in CATALOGUE:
        assert rule_id in run.out
    run = nianbao("rules", "ari-01")
    assert run.code == 0 and "第一项加第二项之和" in run.out and "示例：" in run.out
    assert nianbao("rules", "XYZ-99").code == 2


def test_validate_text_output_and_exit_codes(tmp_path):
    run = nianbao("validate", fixture_path("shanghai-2020"))
    assert run.code == 1
    assert "第三部分“自然人”列：一＋二＝28281，三（七）＋四＝28214，前者多67件" in run.out.replace("\n", "").replace("│", "").replace(" ", "")  # noqa: E501
    assert "错误 7" in run.out
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a workbook")
    assert nianbao("validate", bad).code == 2


def test_validate_json_shape_for_a_workbook(tmp_path):
    out = tmp_path / "sh.xlsx"
    nianbao("import", fixture_path("shanghai-2020"), "-o", out)
    run = nianbao("validate", out, "--format", "json")
    assert run.code == 1
    report = json.loads(run.out)
    assert list(report) == ["file", "ok", "findings"] and report["ok"] is False
    for f in report["findings"]:
        assert list(f) == ["rule", "severity", "message", "fix", "cells", "acknowledged", "facts"]  # facts: added
        assert f["fix"]  # every finding says 怎么改
    # in the workbook the printed 29130 is a formula (29126): the 总计 column no longer balances
    ari = [f for f in report["findings"] if f["rule"] == "ARI-01"]
    assert ari[0]["cells"][0] == {"path": "applications.new.natural_person", "sheet": "第三部分", "cell": "D7"}
    assert [f["message"] for f in ari][-1] == "第三部分“总计”列：一＋二＝30526，三（七）＋四＝30530，前者少4件"
