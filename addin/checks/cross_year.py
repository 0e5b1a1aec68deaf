"""Rules across years, from the schema's cross-year relations: 上年结转 ＝ last year's 结转下年度
(XYR-01, the carry map), the continuity of 第二部分 (XYR-02, XYR-05), the in-year bound (XYR-03)
and prose copied from last year (XYR-04)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.numbers import difference, figure, number_value
from nianbao.workbook_templates.format.report_data import get_path
from nianbao.workbook_templates.format.schema import Part

from nianbao.addin.checks.registry import CROSS_YEAR, Context, Hit, rule


@rule("XYR-01", "error", CROSS_YEAR, "上年结转＝上年的结转下年度",
      what="本年“二、上年结转政府信息公开申请数量”每一列等于上一年度报告“四、结转下年度继续办理”的同一列"
           "（2020→2021 跨越格式版本时同样适用）。需要上年数据。",
      why="上年没有办完、结转到本年的申请，就是本年的上年结转；两年的数字不一致，至少有一年是错的。",
      example="第三部分“自然人”列：上年结转＝0，但2022年度结转下年度＝3，前者少3件",
      fix="用 nianbao carry-forward（或功能区“导入上年数据”）从上年报告填入上年结转；上年数字有误时先更正上年报告。",
      levels="错误，上年数据年度不对为警告；没有上年数据为提示")
def check_carry_over(ctx: Context) -> Iterable[Hit]:
    prev = ctx.previous
    if prev is None:
        yield Hit("没有上年数据（用 nianbao carry-forward 或 --previous 提供），跨年度规则未执行", (), Part.CROSS_YEAR,
                  "info")
        return
    py = get_path(prev, "meta.year")
    if isinstance(ctx.year, int) and isinstance(py, int) and py != ctx.year - 1:
        yield Hit(f"上年数据是 {py} 年度的，不是 {ctx.year - 1} 年度", ("meta.year",), Part.CROSS_YEAR, "warning")
    for carry in ctx.edition.carry_map:
        this_v, prev_v = ctx.value(carry.this), number_value(get_path(prev, carry.last))
        if this_v is None or prev_v is None or this_v == prev_v:
            continue
        column = ctx.edition.fields[carry.this].column
        yield Hit(f"第三部分“{column}”列：上年结转＝{figure(this_v)}，但{py}年度结转下年度＝{figure(prev_v)}，"
                  f"{difference(this_v - prev_v)}", (carry.this, f"previous.{carry.last}"), Part.CROSS_YEAR)


def _term_words(ctx: Context, c: S.Continuity, prev: Mapping[str, Any]) -> tuple[str, int | float] | None:
    """'上年现行有效 370＋本年制发 68－本年废止 88' and its value; None when a term is blank."""
    words, total = [], 0
    for i, (sign, which, path) in enumerate(c.terms):
        v = number_value(get_path(prev, path)) if which == "previous" else ctx.value(path)
        if v is None:
            return None
        total += sign * v
        f = ctx.edition.fields.get(path) or S.get_edition(prev["edition"]).fields[path]
        name = _SHORT.get((c.rule, path.rsplit(".", 1)[1], which), f.column)
        words.append(("" if i == 0 else "＋" if sign > 0 else "－") + f"{name} {figure(v)}")
    return "".join(words), total


# How a continuity term is named in its message (the column's label where none is given).
_SHORT = {("XYR-02", "in_force", "previous"): "上年现行有效", ("XYR-02", "issued", "this"): "本年制发",
          ("XYR-02", "repealed", "this"): "本年废止", ("XYR-05", "prior_items", "previous"): "上年",
          ("XYR-05", "change", "previous"): "增减"}


def _continuity(rule_id: str):
    def check(ctx: Context) -> Iterable[Hit]:
        prev = ctx.previous
        if prev is None:
            return
        for c in ctx.edition.continuity:
            if c.rule != rule_id or prev.get("edition") != c.previous_edition:
                continue
            now, terms = ctx.value(c.target), _term_words(ctx, c, prev)
            if now is None or terms is None or now == terms[1]:
                continue
            words, expected = terms
            label = ctx.edition.fields[c.target].column
            yield Hit(f"第二部分“{c.row}”：{label}＝{figure(now)}，但{words}＝{figure(expected)}，"
                      f"{difference(now - expected)}",
                      (c.target, *(p for _, w, p in c.terms if w == "this"),
                       *(f"previous.{p}" for _, w, p in c.terms if w == "previous")), Part.CROSS_YEAR)
    return check


rule("XYR-02", "warning", CROSS_YEAR, "现行有效件数的连续性",
     what="本年现行有效件数＝上年现行有效件数＋本年制发件数－本年废止件数（规章、行政规范性文件）。"
          "上年为 2019 版格式时（对外公开总数量口径不同）不校验。",
     why="现行有效的文件只会因制发而增加、因废止而减少；修改的文件计入“制发”时会不成立，所以是警告。",
     example="第二部分“行政规范性文件”：现行有效件数＝350，但上年现行有效 360＋本年制发 68－本年废止 88＝340，前者多10件",
     fix="核对现行有效、制发、废止的口径（修改的文件是否计入制发），必要时在正文说明。")(_continuity("XYR-02"))
rule("XYR-05", "warning", CROSS_YEAR, "上一年项目数量的连续性（2019 版）",
     what="2019 版格式中：本年“上一年项目数量”＝上年报告的“上一年项目数量”＋上年的“本年增/减”"
          "（行政许可、其他对外管理服务事项、行政处罚、行政强制、行政事业性收费）。仅在两年都是 2019 版时校验。",
     why="本年的“上一年项目数量”就是上年末的项目数量，是上年的数量加上上年的增减。",
     example="第二部分“行政处罚”：上一年项目数量＝1322，但上年 2175＋增减 157＝2332，前者少1010件",
     fix="核对上年报告和本年报告的项目数量，口径调整时在正文说明。")(_continuity("XYR-05"))


@rule("XYR-03", "warning", CROSS_YEAR, "现行有效件数不小于本年净增",
      what="同一年内：现行有效件数 ≥ 本年制发件数－本年废止件数（2019 版：对外公开总数量 ≥ 本年新公开数量）。不需要上年数据。",
      why="本年新制发的文件（减去废止的）都在现行有效之列；修改的文件计入“制发”时可能误报，所以是警告。",
      example="第二部分“规章”：现行有效件数＝2，小于本年制发件数 5－本年废止件数 0＝5",
      fix="核对现行有效件数是否漏算了本年制发的文件。")
def check_in_force_bound(ctx: Context) -> Iterable[Hit]:
    for row in ctx.edition.document_rows:
        if ctx.edition.key == "2021":
            total, parts = f"active.{row.key}.in_force", (f"active.{row.key}.issued", f"active.{row.key}.repealed")
        else:
            total, parts = f"active.{row.key}.total_published", (f"active.{row.key}.new_published",)
        values = [ctx.value(p) for p in (total, *parts)]
        if None in values:
            continue
        bound = values[1] - (values[2] if len(values) > 2 else 0)
        if values[0] < bound:
            f = ctx.edition.fields[total]
            how = "－".join(f"{ctx.edition.fields[p].column} {figure(ctx.value(p))}" for p in parts)
            yield Hit(f"第二部分“{f.row}”：{f.column}＝{figure(values[0])}，小于{how}＝{figure(bound)}",
                      (total, *parts), Part.PART2)


_SIMILAR = 0.5
_PROSE_PARTS: dict[int, tuple[str, ...]] = {  # part index → its prose paths
    0: tuple(f"text.overview.{s.key}" for s in S.OVERVIEW_SUBPARTS), 4: ("text.problems",), 5: ("text.other",)}


@rule("XYR-04", "warning", CROSS_YEAR, "文字照抄上年",
      what=f"第一、五、六部分的文字与上年报告的相似度不超过 {int(_SIMILAR * 100)}%（去掉数字和年份后比较）。需要上年报告。",
      why="“内容雷同”是国办通报的问题之一：照抄上年的文字说不出本年做了什么。",
      example="第一部分与2022年度报告的相似度为 100%",
      fix="按本年度的实际工作重写这一部分。")
def check_copied_text(ctx: Context) -> Iterable[Hit]:
    prev = ctx.previous
    if not prev:
        return

    def part_text(data: Mapping[str, Any], part: int) -> str:
        raw = "".join(str(get_path(data, p) or "") for p in _PROSE_PARTS[part])
        return re.sub(r"[\d\s]", "", raw)

    for part in _PROSE_PARTS:
        now, before = part_text(ctx.data, part), part_text(prev, part)
        if len(now) < 50 or len(before) < 50:
            continue
        ratio = difflib.SequenceMatcher(None, now, before, autojunk=False).ratio()
        if ratio > _SIMILAR:
            yield Hit(f"第{S.PART_NUMERALS[part]}部分与{get_path(prev, 'meta.year')}年度报告的相似度为 {ratio:.0%}", (),
                      Part.CROSS_YEAR)
