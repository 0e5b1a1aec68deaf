"""Rules on the form of the report: the template left intact (INT-01), the edition and the parts
and tables as printed (STR-01…STR-04), labels and years (LBL-01, LBL-02).

INT-01 turns the facts the workbook reader records (``source.integrity``: a formula replaced, a
formula changed, protection removed, names moved, an unknown version) into sentences; the reader
itself never writes a message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.numbers import figure
from nianbao.workbook_templates.format.report_data import get_path
from nianbao.workbook_templates.format.schema import Part

from nianbao.addin.checks.registry import STRUCTURE, Context, Hit, rule


def integrity_message(item: Mapping[str, Any], edition: S.Edition) -> str:
    """One fact the reader recorded about an altered template, in Chinese."""
    fact, path = item.get("fact"), item.get("path")
    where = f"（{item.get('sheet')}!{item.get('cell')}）"
    if fact == "formula_replaced":
        value = item.get("value")
        now = "常量 " + figure(value) if isinstance(value, (int, float)) else "空白或文字"
        return f"{edition.describe(path)}{where}应为公式，但被改成了{now}"
    if fact == "formula_changed":
        return f"{edition.describe(path)}{where}的公式被改为 ={item.get('formula')}，模板原为 {item.get('expected')}"
    if fact == "version":
        return (f"模板的 {path} 为 {item.get('found')!r}，本程序认识的是 "
                f"{' / '.join(repr(v) for v in item.get('known') or ())}（模板被改动或来自其他版本）")
    if fact == "protection_removed":
        return f"工作表“{item.get('sheet')}”的保护被撤销了（公式和表头可能被改动）"
    if fact == "names_moved":
        return (f"{item.get('count')} 个定义名称指向了与模板不同的单元格（如 {item.get('example')} 在 "
                f"{item.get('found')}，模板为 {item.get('template')}）")
    return str(item.get("message", ""))


@rule("INT-01", "error", STRUCTURE, "模板被改动",
      what="模板中的合计仍是原来的公式、工作表保护仍在、定义名称指向原来的单元格、模板版本是本程序认识的。",
      why="合计公式被改成常量或改写、保护被撤销后，表格里的数字可能不再可信，校验也可能对不上原表。",
      example="第三部分“一、本年新收政府信息公开申请数量”行“总计”列（第三部分!J7）应为公式，但被改成了常量 600",
      fix="核对后用原模板重新填写（nianbao new 生成，或从下发的模板重新开始），不要修改合计公式和表头。",
      levels="错误，工作表保护被撤销为警告")
def check_integrity(ctx: Context) -> Iterable[Hit]:
    for item in ctx.source.get("integrity") or []:
        path = item.get("path")
        severity = "warning" if path is None else "error"  # protection removed: look, not wrong
        paths = (path,) if path in ctx.edition.fields else ()
        yield Hit(integrity_message(item, ctx.edition), paths, Part.TEMPLATE, severity)


@rule("STR-03", "error", STRUCTURE, "格式版本与年度不符",
      what="报告使用统计年度要求的格式：2021 年度起为国办公开办函〔2021〕30号，2019、2020 年度为〔2019〕60号。",
      why="两版格式的第二、三部分不同（如 2021 版把“（六）其他处理”分为三项），用错版本的报告缺少法定的行。",
      example="2023 年度的报告使用了 2019 版格式（国办公开办函〔2019〕60号），应使用国办公开办函〔2021〕30号",
      fix="用本年度的模板（nianbao new --year 年度）重新填写，或把数字转录到正确版本的表格中。",
      levels="错误，2019 年度为警告")
def check_edition(ctx: Context) -> Iterable[Hit]:
    if not isinstance(ctx.year, int):
        return
    try:
        want = S.edition_for_year(ctx.year)
    except S.NoFormatForYear:
        return
    if want.key != ctx.edition.key:
        severity = "warning" if ctx.year == 2019 else "error"
        yield Hit(f"{ctx.year} 年度的报告使用了 {ctx.edition.key} 版格式（{ctx.edition.document}），应使用{want.document}",
                  ("meta.year",), Part.TEMPLATE, severity)
    elif ctx.source.get("single_other_row"):
        yield Hit(f"{ctx.year} 年度的报告把“（六）其他处理”印为一行（2019 年格式的写法），应按{want.document}分为三项",
                  ("applications.other_other.total",), Part.PART3)


_YEAR = re.compile(r"(\d{4})\s*年")


def _printed_label_of(ctx: Context, key: str) -> str:
    """A row key of ``source.labels`` (``applications.carried_over``) as people name it."""
    section, _, row = key.partition(".")
    for path, f in ctx.edition.fields.items():
        if path.startswith(f"{section}.{row}."):
            return f"{f.part}“{f.row}”"
    return f"“{key}”"


@rule("LBL-02", "warning", STRUCTURE, "标签或标题中的年份过时",
      what="表格标签中的年份是上一年度（如“须与N−1年度年报结转数一致”），标题中的年份是统计年度。",
      why="从往年模板复制来的标签和标题常留着旧年份，读者会以为数字是别的年度的。",
      example="第三部分“二、上年结转政府信息公开申请数量”的标签印为“二、上年结转政府信息公开申请数量(须与2020年度年报结转数一致)”，"
              "其中 2020 年与 2023 年度的报告不符（应为 2022 年度）",
      fix="把标签和标题中的年份改为正确的年度。")
def check_stale_years(ctx: Context) -> Iterable[Hit]:
    if not isinstance(ctx.year, int):
        return
    for key, label in (ctx.source.get("labels") or {}).items():
        for m in _YEAR.finditer(str(label)):
            y = int(m.group(1))
            if y != ctx.year - 1:
                yield Hit(f"{_printed_label_of(ctx, key)}的标签印为“{label}”，其中 {y} 年与 {ctx.year} 年度的报告不符"
                          f"（应为 {ctx.year - 1} 年度）", (), Part.TEMPLATE)
    title = str(ctx.source.get("title") or "")
    years = {int(y) for y in _YEAR.findall(title)} | {int(y) for y in re.findall(r"(\d{4})年度", title)}
    if years and ctx.year not in years:
        yield Hit(f"标题“{title}”中的年份与统计年度 {ctx.year} 不符", ("meta.year",), Part.TEMPLATE)


def _body(heading: str) -> str:
    """A heading without its number (一、/02./2.), compared loosely."""
    text = re.sub(r"^\s*(?:[一二三四五六]、|0?\d[.．、]\s*)", "", heading or "")
    return re.sub(r"\s", "", text)


@rule("STR-01", "error", STRUCTURE, "六个部分齐全、顺序正确",
      what="已发布的报告有六个部分，标题依次为“一、总体情况”至“六、其他需要报告的事项”。只检查导入的已发布报告。",
      why="条例第五十条和国办公开办函〔2021〕30号规定了报告的六个部分；缺少一个部分是错误，标题写法不同是警告。",
      example="缺少第五部分“五、存在的主要问题及改进情况”",
      fix="补上缺少的部分，标题按官方写法。",
      levels="错误，标题写法不同为警告")
def check_parts(ctx: Context) -> Iterable[Hit]:
    parts = ctx.source.get("parts")
    if not parts:
        return
    for i, (printed, official) in enumerate(zip(parts, ctx.edition.headings)):
        if printed is None:
            yield Hit(f"缺少第{S.PART_NUMERALS[i]}部分“{official}”", (), Part.TEMPLATE)
        elif _body(printed) != _body(official) and _body(official) not in _body(printed):
            yield Hit(f"第{S.PART_NUMERALS[i]}部分标题印为“{printed}”，官方为“{official}”", (), Part.TEMPLATE, "warning")


_TABLE_PREFIXES = ((Part.PART2, "active."), (Part.PART3, "applications."), (Part.PART4, "review_litigation."))


@rule("STR-02", "error", STRUCTURE, "三张表格齐全",
      what="第二、三、四部分各有一张法定表格，且至少读得出一个数字。只检查导入的已发布报告。",
      why="三张表格是报告的法定内容；整张表格缺失，或印成图片读不出数字，读者无从核对。",
      example="第四部分没有表格，或表格中的数字一个也读不出来",
      fix="补上缺少的表格（用文字而不是图片发布表格）。")
def check_tables(ctx: Context) -> Iterable[Hit]:
    if not ctx.published:
        return
    for part, prefix in _TABLE_PREFIXES:
        paths = [p for p in ctx.edition.fields if p.startswith(prefix)]
        if all(get_path(ctx.data, p) is None for p in paths):
            yield Hit(f"{part}没有表格，或表格中的数字一个也读不出来", (), part)


@rule("STR-04", "warning", STRUCTURE, "没有自行增加的行或列",
      what="法定表格没有自行增加的小计行、“法人或其他组织小计”之类的列。",
      why="自行增加的行列说明表格不是按统一格式填写的，汇总和比对时会错位。",
      example="第三部分多出了“法人或其他组织小计”（统一格式中没有）",
      fix="删去自行增加的行列，按统一格式的表格发布。")
def check_invented(ctx: Context) -> Iterable[Hit]:
    for label in ctx.source.get("unmatched") or []:
        yield Hit(f"第三部分多出了“{label}”（统一格式中没有）", (), Part.PART3)


def _official_label(ctx: Context, key: str) -> str | None:
    section, _, row = key.partition(".")
    if section == "applications":
        return next((r.label for r in ctx.edition.application_rows if r.key == row), None)
    return None


def _loose(s: str) -> str:
    return re.sub(r"[\s“”\"'‘’]", "", unicodedata.normalize("NFKC", s))


@rule("LBL-01", "warning", STRUCTURE, "标签与官方文字不同",
      what="表格的行、列标签与统一格式的文字一致（比较时不计全角半角、空格和引号）。",
      why="改写或漏字的标签让读者和汇总程序对不上行；多出的说明文字也应写在表外。",
      example="第三部分“二、上年结转政府信息公开申请数量”印为“二、上年结转申请数量”",
      fix="标签按统一格式的文字印。")
def check_labels(ctx: Context) -> Iterable[Hit]:
    for key, printed in (ctx.source.get("labels") or {}).items():
        official = _official_label(ctx, key)
        if official and _loose(printed) != _loose(official):
            yield Hit(f"第三部分“{official}”印为“{printed}”", (), Part.TEMPLATE)
