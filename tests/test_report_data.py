"""Report data: normalising JSON, and printed totals against the template's formulas."""

from __future__ import annotations

import copy

import pytest
from conftest import load_fixture

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import DataError
from nianbao.workbook_templates.format.report_data import empty_report, normalise, totals_differing


def test_normalise_fills_missing_keys_and_orders_them():
    data = normalise({"edition": "2021", "meta": {"year": 2023, "agency": "甲"},
                      "applications": {"new": {"natural_person": 5.0}}})
    assert list(data) == ["schema", "edition", "meta", "active", "applications", "review_litigation",
                          "fees", "text", "previous", "source"]
    assert data["applications"]["new"]["natural_person"] == 5
    assert isinstance(data["applications"]["new"]["natural_person"], int)
    assert data["applications"]["new"]["commercial"] is None
    assert data["text"]["overview"]["platforms"] is None
    assert data == normalise(data)


def test_edition_from_year_when_absent():
    assert normalise({"meta": {"year": 2020}})["edition"] == "2019"


@pytest.mark.parametrize("bad,expected", [
    ({"edition": "2021", "applications": {"new": {"natural_person": "五"}}}, "applications.new.natural_person"),
    ({"edition": "2021", "applications": {"newx": {}}}, "applications.newx"),
    ({"edition": "2021", "active": {"procurement": {"projects": 1}}}, "active.procurement"),
    ({"edition": "2021", "meta": {"agency_kind": "city"}}, "meta.agency_kind"),
    ({"edition": "2021", "meta": {"published": "2024/2/8"}}, "meta.published"),
    ({"edition": "2021", "extra": 1}, "extra"),
    ({"edition": "1999"}, "未知的格式版本"),
    ({"schema": "other@2", "edition": "2021"}, "不认识的数据格式"),
    ({"edition": "2021", "previous": {"edition": "2021", "previous": {}}}, "previous"),
])
def test_normalise_names_each_problem(bad, expected):
    with pytest.raises(DataError) as e:
        normalise(bad)
    assert expected in str(e.value)


def test_a_year_the_edition_does_not_cover_is_read_and_flagged():
    """Small offices kept the 2019 table for 2021–2022: such data is valid, STR-03 says so."""
    from nianbao.addin.checks.validate import check

    for edition, year in (("2019", 2021), ("2019", 2022), ("2021", 2020)):
        data = normalise({"edition": edition, "meta": {"year": year}})
        assert (data["edition"], data["meta"]["year"]) == (edition, year)
        assert [f.rule for f in check(data) if f.rule == "STR-03"] == ["STR-03"]


def test_negative_and_fractional_counts_are_kept_for_the_validator():
    data = normalise({"edition": "2021", "applications": {"new": {"natural_person": -3, "commercial": 2.5}}})
    assert data["applications"]["new"]["natural_person"] == -3
    assert data["applications"]["new"]["commercial"] == 2.5


def test_previous_is_normalised_without_its_own_previous():
    prev = load_fixture("hongkou-2019")
    this = load_fixture("hongkou-2020")
    this["previous"] = prev
    out = normalise(this)
    assert "previous" not in out["previous"]
    assert out["previous"]["applications"]["carried_forward"]["total"] == 70


def test_totals_differing_reports_the_printed_total_that_does_not_add_up():
    data = load_fixture("shanghai-2020")
    assert totals_differing(S.EDITION_2019, data) == [("applications.new.total", 29130, 29126)]
    assert totals_differing(S.EDITION_2021, load_fixture("haining-2023")) == []
    fixed = copy.deepcopy(data)
    fixed["applications"]["new"]["total"] = None  # blank printed total: nothing to compare
    assert totals_differing(S.EDITION_2019, fixed) == []


def test_empty_report_has_every_path_null():
    data = empty_report(S.EDITION_2021)
    assert data["review_litigation"]["review"]["total"] is None
    assert data["previous"] is None and data["source"] is None
