"""Rules on the figures themselves: blank (NUM-01), negative or fractional (NUM-02), text in a
number cell (NUM-03)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.numbers import figure
from nianbao.workbook_templates.format.schema import Kind

from nianbao.addin.checks.registry import NUMBERS, Context, Hit, rule


@lru_cache(maxsize=8)
def _required_table_cells(edition_key: str) -> tuple[tuple[str, str], ...]:
    """(path, its row) of every required cell of the tables, in reading order."""
    return tuple((path, path.rsplit(".", 1)[0]) for path, f in S.get_edition(edition_key).fields.items()
                 if f.required and f.part in S.TABLE_PARTS)


def _blank_by_row(ctx: Context) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    values = ctx.values
    for path, row in _required_table_cells(ctx.edition.key):
        if values[path] is None and path not in ctx.not_printed:
            rows.setdefault(row, []).append(path)
    return rows


@rule("NUM-01", "error", NUMBERS, "表格数字空白",
      what="法定表格（第二、三、四部分）中的每个数字格都已填写。",
      why="“空白”和“0”是两回事：空白可能是漏填，汇总和勾稽校验都无法把它当作 0。"
          "在工作簿里是错误（必须填 0）；在已发布的报告里是警告（原文就空着）。",
      example="第三部分“二、上年结转政府信息公开申请数量”：自然人 未填（没有的请填 0）",
      fix="在这些格里填上数字，没有发生的填 0。",
      levels="错误，已发布的报告中为警告")
def check_blank(ctx: Context) -> Iterable[Hit]:
    severity = "warning" if ctx.published else "error"
    for paths in _blank_by_row(ctx).values():
        f = ctx.edition.fields[paths[0]]
        columns = [ctx.edition.fields[p].column for p in paths]
        tail = "原文空白" if ctx.published else "没有的请填 0"
        yield Hit(f"{f.part}“{f.row}”：{'、'.join(columns)} 未填（{tail}）", tuple(paths), f.part, severity,
                  facts={"part": str(f.part), "row": f.row, "columns": columns, "note": tail})


@rule("NUM-02", "error", NUMBERS, "负数或非整数",
      what="件数、数量是不小于 0 的整数；收费金额不为负；2019 版的“本年增/减”可以是负数，但是整数。",
      why="件数不可能是负数或小数：这样的数字多半是录入错误，或把金额、比例填进了件数格。",
      example="第三部分“（一）予以公开”行“商业企业”列为 -5：应为不小于 0 的整数",
      fix="核对原始台账，改为正确的件数（整数）。")
def check_number_kind(ctx: Context) -> Iterable[Hit]:
    fields = ctx.edition.fields
    for path, v in ctx.numbers.items():
        if type(v) is int and v >= 0:
            continue  # a whole number not below 0: right for every kind of figure
        f = fields[path]
        if not f.kind.numeric:
            continue
        whole = float(v).is_integer()
        if f.kind is Kind.COUNT and (v < 0 or not whole):
            want = "不小于 0 的整数"
        elif f.kind is Kind.SIGNED and not whole:
            want = "整数"
        elif f.kind in (Kind.WAN_YUAN, Kind.YUAN) and v < 0:
            want = "不小于 0 的数"
        else:
            continue
        yield Hit(f"{ctx.label(path)}为 {figure(v)}：应为{want}", (path,), f.part)


_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


@rule("NUM-03", "warning", NUMBERS, "数字格中有文字",
      what="数字格里只有数字。",
      why="说明文字（如“18(含新制发4件,修改14件)”）放在数字格里，汇总和校验只能取开头的数字，读者也看不清口径。"
          "读取时取开头的数字，原文保留在 source.cells 中。",
      example="第二部分“行政规范性文件”行“本年制发件数”印为“68(含修改10件)”，已取 68",
      fix="数字格只填数字；说明文字写进正文（第一部分或第六部分）。")
def check_text_in_numbers(ctx: Context) -> Iterable[Hit]:
    for path, cell in (ctx.source.get("cells") or {}).items():
        if path not in ctx.edition.fields or not ctx.edition.fields[path].kind.numeric:
            continue
        printed = str((cell or {}).get("printed", "")).strip()
        if not printed or _PLAIN_NUMBER.match(printed.replace(",", "")):
            continue
        v = ctx.value(path)
        took = f"已取 {figure(v)}" if v is not None else "无法取得数字"
        yield Hit(f"{ctx.label(path)}印为“{printed}”，{took}", (path,), ctx.part(path))
