"""Rules on a consolidated report: a 汇总 unit smaller than the sum of its sub-units (AGG-01)."""

from __future__ import annotations

from collections.abc import Iterable

from nianbao.workbook_templates.format.numbers import figure

from nianbao.addin.checks.registry import AGGREGATE, Context, Hit, rule


@rule("AGG-01", "warning", AGGREGATE, "汇总单位小于其下级之和",
      what="一个单位的报告已包括其下级单位（名单中“汇总＝是”）时，它的每个数字都不小于下级单位之和。"
           "由 nianbao collect 在汇总时检查（对汇总结果报告）。",
      why="汇总单位的数字包括下级；小于下级之和，说明汇总单位漏算了某个下级，或下级的数字报错了。",
      example="“海宁市人民政府”第三部分“一、本年新收政府信息公开申请数量”行“自然人”列为 100，小于其下级之和 120",
      fix="与下级单位逐一核对这一格，改正汇总单位（或下级单位）的数字后重新报送。")
def check_aggregates(ctx: Context) -> Iterable[Hit]:
    for item in ctx.source.get("aggregate") or []:
        path = item.get("path")
        if path not in ctx.edition.fields:
            continue
        yield Hit(f"“{item.get('unit')}”{ctx.label(path)}为 {figure(item['own'])}，小于其下级之和 {figure(item['children'])}",
                  (path,), ctx.part(path))
