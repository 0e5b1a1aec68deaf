"""The rule catalogue: every check with a stable ID, a severity, a Chinese explanation and an
example (format-spec.md §3.2, report-data.md).

Rules read report data only — the figures, ``previous`` and, when present, ``source`` — never
raw cells, so the same rules check a workbook, an imported published report, or a
consolidated city report.  Relations come from the format schema, never spelled again here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import get_path
from nianbao.workbook_templates.format.schema import Edition, Kind

from nianbao.addin.checks.findings import Finding

PUBLISHED_FORMATS = ("txt", "html", "htm", "docx", "pdf")
CROSS_YEAR = "跨年度"
TEMPLATE = "模板"
PROSE = "文字部分"


@dataclass
class Context:
    """What the rules look at: one report, its edition, last year's report if known."""

    data: Mapping[str, Any]
    previous: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        self.edition: Edition = S.get_edition(self.data["edition"])
        src = self.data.get("source") or {}
        self.source: Mapping[str, Any] = src
        self.published = src.get("format") in PUBLISHED_FORMATS
        self.year = get_path(self.data, "meta.year")
        self._numbers = {p: v for p in self.edition.fields
                         if type(v := get_path(self.data, p)) in (int, float)}

    def value(self, path: str) -> Any:
        """A figure of the report, or None when blank or not a number."""
        return self._numbers.get(path)

    def text(self, path: str) -> str:
        v = get_path(self.data, path)
        return v if isinstance(v, str) else ""

    def label(self, path: str) -> str:
        return self.edition.describe(path)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    explanation: str
    example: str
    check: Callable[[Context], Iterable[Finding]]


CATALOGUE: dict[str, Rule] = {}


def rule(id: str, severity: str, title: str, explanation: str, example: str):
    def register(fn: Callable[[Context], Iterable[Finding]]) -> Callable[[Context], Iterable[Finding]]:
        CATALOGUE[id] = Rule(id, severity, title, explanation.strip(), example, fn)
        return fn

    return register


def n(v: int | float) -> str:
    """A figure as people write it: 5, 12.5, -3 (no trailing .0, no float noise)."""
    if isinstance(v, float):
        d = Decimal(repr(v)).normalize()
        return format(d, "f")
    return str(v)


def _sum(ctx: Context, paths: Iterable[str]) -> int | float:
    total: int | float = 0
    for p in paths:
        total += ctx.value(p) or 0
    return total


# -- numbers ----------------------------------------------------------------------------------


def _blank_by_row(ctx: Context) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for path, f in ctx.edition.fields.items():
        if f.required and f.part in S.PART_NAMES and get_path(ctx.data, path) is None:
            rows.setdefault(path.rsplit(".", 1)[0], []).append(path)
    return rows


@rule("NUM-01", "error", "表格数字空白",
      """
法定表格中的每个数字格都要填写，没有的填 0。“空白”和“0”是两回事：空白可能是漏填。
在工作簿里是错误（必须填 0）；在已发布的报告里是警告（原文就空着）。
""", "第三部分“二、上年结转政府信息公开申请数量”行：自然人、商业企业 未填（没有的请填 0）")
def check_blank(ctx: Context) -> Iterable[Finding]:
    severity = "warning" if ctx.published else "error"
    for row, paths in _blank_by_row(ctx).items():
        f = ctx.edition.fields[paths[0]]
        cols = "、".join(ctx.edition.fields[p].column for p in paths)
        tail = "原文空白" if ctx.published else "没有的请填 0"
        yield Finding("NUM-01", severity, f"{f.part}“{f.row}”：{cols} 未填（{tail}）", tuple(paths), f.part)


@rule("NUM-02", "error", "负数或非整数",
      """
件数、数量必须是不小于 0 的整数；收费金额不能为负。2019 版的“本年增/减”可以是负数，但必须是整数。
""", "第三部分“（一）予以公开”行“商业企业”列为 -5：应为不小于 0 的整数")
def check_number_kind(ctx: Context) -> Iterable[Finding]:
    for path, f in ctx.edition.fields.items():
        v = ctx.value(path)
        if v is None or not f.kind.numeric:
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
        yield Finding("NUM-02", "error", f"{ctx.label(path)}为 {n(v)}：应为{want}", (path,), f.part)


_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


@rule("NUM-03", "warning", "数字格中有文字",
      """
数字格里只应有数字。说明文字（如“18(含新制发4件,修改14件)”）应写进正文；读取时取开头的数字，
原文保留在 source.cells 中。
""", "第二部分“行政规范性文件”行“本年制发件数”印为“18(含新制发4件,修改14件)”，已取 18")
def check_text_in_numbers(ctx: Context) -> Iterable[Finding]:
    for path, cell in (ctx.source.get("cells") or {}).items():
        if path not in ctx.edition.fields or not ctx.edition.fields[path].kind.numeric:
            continue
        printed = str((cell or {}).get("printed", "")).strip()
        if not printed or _PLAIN_NUMBER.match(printed.replace(",", "")):
            continue
        v = ctx.value(path)
        took = f"已取 {n(v)}" if v is not None else "无法取得数字"
        yield Finding("NUM-03", "warning", f"{ctx.label(path)}印为“{printed}”，{took}", (path,),
                      ctx.edition.fields[path].part)


# -- arithmetic (E1–E4 from the schema) -------------------------------------------------------

_ARI = {"E1": "ARI-01", "E2": "ARI-02", "E3": "ARI-03", "E4": "ARI-04"}


def _formula_words(ctx: Context, rel: S.Relation) -> tuple[str, str]:
    if rel.rule == "E1":
        return "一＋二", "三（七）＋四"
    if rel.rule == "E2":
        return "（七）总计", "各项办理结果之和"
    if rel.rule == "E3":
        return "总计", "六类申请人之和"
    return "总计", "＋".join(r.label for r in ctx.edition.review_results if r.key != S.TOTAL)


def _relations(ctx: Context, rule: str) -> Iterable[tuple[S.Relation, int | float, int | float]]:
    """Checkable relation instances of one rule (E1…E4) with their two sides."""
    for rel in ctx.edition.relations:
        if rel.rule != rule:
            continue
        operands = rel.left + rel.right
        if any(ctx.value(p) is None for p in operands):
            continue
        yield rel, _sum(ctx, rel.left), _sum(ctx, rel.right)


def _ari(rule_id: str, relation: str) -> Callable[[Context], Iterable[Finding]]:
    def check(ctx: Context) -> Iterable[Finding]:
        for rel, left, right in _relations(ctx, relation):
            if left != right:
                lw, rw = _formula_words(ctx, rel)
                yield Finding(rule_id, "error", f"{rel.where}：{lw}＝{n(left)}，{rw}＝{n(right)}，相差{n(left - right)}",
                              rel.left + rel.right, rel.where[:4])
    return check


rule("ARI-01", "error", "一＋二＝三＋四（每一列）",
     """
第三部分表头写明：“第一项加第二项之和，等于第三项加第四项之和”。每一列（六类申请人和总计）都必须成立：
本年新收＋上年结转＝（七）总计＋结转下年度。
""", "第三部分“自然人”列：一＋二＝28281，三（七）＋四＝28214，相差67")(_ari("ARI-01", "E1"))
rule("ARI-02", "error", "（七）总计＝各项办理结果之和",
     """
每一列的“（七）总计”等于（一）至（六）各项办理结果之和（2021 版 21 行，2019 版 19 行）。
""", "第三部分“自然人”列：（七）总计＝1141，各项办理结果之和＝1140，相差1")(_ari("ARI-02", "E2"))
rule("ARI-03", "error", "总计列＝六类申请人之和",
     """
第三部分每一行的“总计”等于自然人与五类法人或其他组织之和。
""", "第三部分“一、本年新收政府信息公开申请数量”行：总计＝29130，六类申请人之和＝29126，相差4")(_ari("ARI-03", "E3"))
rule("ARI-04", "error", "复议、诉讼总计＝各结果之和",
     """
第四部分行政复议、未经复议直接起诉、复议后起诉三组，各自的“总计”等于结果维持、结果纠正、其他结果、尚未审结之和。
""", "第四部分“行政复议”：总计＝92，结果维持＋结果纠正＋其他结果＋尚未审结＝91，相差1")(_ari("ARI-04", "E4"))


@rule("ARI-05", "warning", "只有总计列平衡",
      """
总计列的“一＋二＝三＋四”成立，而某些申请人列不成立：总数对了，但申请件被记到了不同的申请人类型下
（例如新收时记为自然人，办结时记为商业企业）。逐列核对申请人类型。
""", "第三部分：总计列平衡（一＋二＝三（七）＋四＝30530），但自然人、商业企业列不平衡，申请人类型可能记错了")
def check_only_total_balances(ctx: Context) -> Iterable[Finding]:
    failing, total_ok = [], None
    for rel, left, right in _relations(ctx, "E1"):
        col = rel.left[0].rsplit(".", 1)[1]
        if col == S.TOTAL:
            total_ok = left if left == right else None
        elif left != right:
            failing.append(rel)
    if total_ok is None or not failing:
        return
    names = "、".join(ctx.edition.fields[r.left[0]].column for r in failing)
    paths = tuple(p for r in failing for p in r.left + r.right)
    yield Finding("ARI-05", "warning",
                  f"第三部分：总计列平衡（一＋二＝三（七）＋四＝{n(total_ok)}），但{names}列不平衡，申请人类型可能记错了",
                  paths, "第三部分")


@rule("CHK-01", "warning", "勾稽关系无法校验",
      """
一条勾稽关系中有空白的数字，无法判断它是否成立。“无法校验”不等于“通过”：把空白填上（没有的填 0）。
""", "第三部分“自然人”列的“一＋二＝三（七）＋四”无法校验：“二、上年结转政府信息公开申请数量”未填")
def check_uncheckable(ctx: Context) -> Iterable[Finding]:
    for rel in ctx.edition.relations:
        blanks = [p for p in rel.left + rel.right if ctx.value(p) is None]
        if not blanks:
            continue
        lw, rw = _formula_words(ctx, rel)
        what = "、".join(f"“{ctx.edition.fields[p].row if rel.rule in ('E1', 'E2') else ctx.edition.fields[p].column}”"
                        for p in blanks[:6])
        more = f"等 {len(blanks)} 项" if len(blanks) > 6 else ""
        yield Finding("CHK-01", "warning", f"{rel.where}的“{lw}＝{rw}”无法校验：{what}{more}未填",
                      tuple(blanks), rel.where[:4])


# -- the template itself ----------------------------------------------------------------------


@rule("INT-01", "error", "模板被改动",
      """
模板中的合计是公式、表格已锁定。合计公式被改成常量、公式被改写、工作表保护被撤销或模板版本不认识时，
表格里的数字可能不再可信：请核对后用原模板重新填写（nianbao new 生成）。
""", "第三部分“一、本年新收政府信息公开申请数量”行“总计”列（第三部分!J7）应为公式，但被改成了常量 600")
def check_integrity(ctx: Context) -> Iterable[Finding]:
    for item in ctx.source.get("integrity") or []:
        path = item.get("path")
        severity = "warning" if path is None else "error"  # protection removed: look, not wrong
        paths = (path,) if path in ctx.edition.fields else ()
        yield Finding("INT-01", severity, item.get("message", ""), paths, TEMPLATE)


@rule("STR-03", "error", "格式版本与年度不符",
      """
2021 年度起的报告必须使用国办公开办函〔2021〕30号格式；2019、2020 年度使用〔2019〕60号格式。
""", "2022 年度的报告使用了 2019 版格式（国办公开办函〔2019〕60号），应使用国办公开办函〔2021〕30号")
def check_edition(ctx: Context) -> Iterable[Finding]:
    if not isinstance(ctx.year, int):
        return
    try:
        want = S.edition_for_year(ctx.year)
    except ValueError:
        return
    if want.key != ctx.edition.key:
        severity = "warning" if ctx.year == 2019 else "error"
        yield Finding("STR-03", severity, f"{ctx.year} 年度的报告使用了 {ctx.edition.key} 版格式（{ctx.edition.document}），"
                      f"应使用{want.document}", ("meta.year",), TEMPLATE)
    elif ctx.source.get("single_other_row"):
        yield Finding("STR-03", "error", f"{ctx.year} 年度的报告把“（六）其他处理”印为一行（2019 年格式的写法），"
                      f"应按{want.document}分为三项", ("applications.other_other.total",), "第三部分")


_YEAR = re.compile(r"(\d{4})\s*年")


@rule("LBL-02", "warning", "标签或标题中的年份过时",
      """
表格标签中的年份应为上一年度（如“须与N−1年度年报结转数一致”），标题年份应为统计年度。
从往年模板复制来的标签常留着旧年份。
""", "第三部分“二、上年结转政府信息公开申请数量”的标签印为“…（须与2020年度年报结转数一致）”，2023 年度的报告应为 2022 年度")
def check_stale_years(ctx: Context) -> Iterable[Finding]:
    if not isinstance(ctx.year, int):
        return
    for path, label in (ctx.source.get("labels") or {}).items():
        for m in _YEAR.finditer(str(label)):
            y = int(m.group(1))
            if y != ctx.year - 1:
                yield Finding("LBL-02", "warning", f"“{path}”的标签印为“{label}”，其中 {y} 年与 {ctx.year} 年度的报告不符"
                              f"（应为 {ctx.year - 1} 年度）", (), TEMPLATE)
    title = str(ctx.source.get("title") or "")
    years = {int(y) for y in _YEAR.findall(title)} | {int(y) for y in re.findall(r"(\d{4})年度", title)}
    if years and ctx.year not in years:
        yield Finding("LBL-02", "warning", f"标题“{title}”中的年份与统计年度 {ctx.year} 不符", ("meta.year",), TEMPLATE)


# -- across years -----------------------------------------------------------------------------


def _prev_edition(prev: Mapping[str, Any]) -> Edition:
    return S.get_edition(prev["edition"])


@rule("XYR-01", "error", "上年结转＝上年的结转下年度",
      """
本年“二、上年结转政府信息公开申请数量”每一列都必须等于上一年度报告“四、结转下年度继续办理”的同一列
（2020→2021 跨越格式版本时同样适用）。需要上年数据：nianbao carry-forward 或 --previous。
""", "第三部分“自然人”列：上年结转＝35，但2019年度结转下年度＝70，相差-35")
def check_carry_over(ctx: Context) -> Iterable[Finding]:
    prev = ctx.previous
    if prev is None:
        yield Finding("XYR-01", "info", "没有上年数据（用 nianbao carry-forward 或 --previous 提供），跨年度规则未执行", (),
                      CROSS_YEAR)
        return
    py = get_path(prev, "meta.year")
    if isinstance(ctx.year, int) and isinstance(py, int) and py != ctx.year - 1:
        yield Finding("XYR-01", "warning", f"上年数据是 {py} 年度的，不是 {ctx.year - 1} 年度", ("meta.year",), CROSS_YEAR)
    for col in ctx.edition.application_columns:
        this_p = f"applications.carried_over.{col.key}"
        prev_p = f"applications.carried_forward.{col.key}"
        this_v, prev_v = ctx.value(this_p), get_path(prev, prev_p)
        if this_v is None or not isinstance(prev_v, (int, float)):
            continue
        if this_v != prev_v:
            yield Finding("XYR-01", "error",
                          f"第三部分“{col.label}”列：上年结转＝{n(this_v)}，但{py}年度结转下年度＝{n(prev_v)}，"
                          f"相差{n(this_v - prev_v)}", (this_p, f"previous.{prev_p}"), CROSS_YEAR)


def _document_rows(ctx: Context) -> list[str]:
    """The rows of 第二十条第（一）项 (规章, 规范性文件): the first block of 第二部分."""
    return [r.key for r in ctx.edition.active_blocks[0].rows]


@rule("XYR-02", "warning", "现行有效件数的连续性",
      """
本年现行有效件数＝上年现行有效件数＋本年制发件数－本年废止件数（规章、行政规范性文件）。修改的文件
计入“制发”时会不成立，所以是警告。上年为 2019 版格式时（对外公开总数量口径不同）不校验。
""", "第二部分“行政规范性文件”：现行有效件数＝350，上年现行有效 370＋本年制发 68－本年废止 88＝350")
def check_in_force_continuity(ctx: Context) -> Iterable[Finding]:
    prev = ctx.previous
    if prev is None or ctx.edition.key != "2021" or _prev_edition(prev).key != "2021":
        return
    for row in _document_rows(ctx):
        now, issued, repealed = (ctx.value(f"active.{row}.{k}") for k in ("in_force", "issued", "repealed"))
        before = get_path(prev, f"active.{row}.in_force")
        if None in (now, issued, repealed) or not isinstance(before, (int, float)):
            continue
        expected = before + issued - repealed
        if now != expected:
            label = ctx.edition.fields[f"active.{row}.in_force"].row
            yield Finding("XYR-02", "warning",
                          f"第二部分“{label}”：现行有效件数＝{n(now)}，但上年现行有效 {n(before)}＋本年制发 {n(issued)}"
                          f"－本年废止 {n(repealed)}＝{n(expected)}，相差{n(now - expected)}",
                          (f"active.{row}.in_force", f"active.{row}.issued", f"active.{row}.repealed",
                           f"previous.active.{row}.in_force"), CROSS_YEAR)


@rule("XYR-03", "warning", "现行有效件数不小于本年净增",
      """
同一年内：现行有效件数 ≥ 本年制发件数－本年废止件数（2019 版：对外公开总数量 ≥ 本年新公开数量）。
不需要上年数据；修改的文件计入“制发”时可能误报。
""", "第二部分“规章”：现行有效件数＝2，小于本年制发 5－本年废止 0＝5")
def check_in_force_bound(ctx: Context) -> Iterable[Finding]:
    for row in _document_rows(ctx):
        if ctx.edition.key == "2021":
            total, parts = f"active.{row}.in_force", (f"active.{row}.issued", f"active.{row}.repealed")
        else:
            total, parts = f"active.{row}.total_published", (f"active.{row}.new_published",)
        values = [ctx.value(p) for p in (total, *parts)]
        if None in values:
            continue
        bound = values[1] - (values[2] if len(values) > 2 else 0)
        if values[0] < bound:
            f = ctx.edition.fields[total]
            how = "－".join(f"{ctx.edition.fields[p].column} {n(ctx.value(p))}" for p in parts)
            yield Finding("XYR-03", "warning", f"第二部分“{f.row}”：{f.column}＝{n(values[0])}，小于{how}＝{n(bound)}",
                          (total, *parts), "第二部分")


@rule("XYR-05", "warning", "上一年项目数量的连续性（2019 版）",
      """
2019 版格式中：本年“上一年项目数量”＝上年报告的“上一年项目数量”＋上年的“本年增/减”
（行政许可、其他对外管理服务事项、行政处罚、行政强制、行政事业性收费）。仅在两年都是 2019 版时校验。
""", "第二部分“行政处罚”：上一年项目数量＝1322，但上年 2175＋增减 157＝2332，相差-1010")
def check_item_continuity(ctx: Context) -> Iterable[Finding]:
    prev = ctx.previous
    if prev is None or ctx.edition.key != "2019" or _prev_edition(prev).key != "2019":
        return
    for path in ctx.edition.fields:
        if not (path.startswith("active.") and path.endswith(".prior_items")):
            continue
        row = path.split(".")[1]
        now = ctx.value(path)
        before, change = get_path(prev, path), get_path(prev, f"active.{row}.change")
        if now is None or not isinstance(before, (int, float)) or not isinstance(change, (int, float)):
            continue
        if now != before + change:
            label = ctx.edition.fields[path].row
            yield Finding("XYR-05", "warning",
                          f"第二部分“{label}”：上一年项目数量＝{n(now)}，但上年 {n(before)}＋增减 {n(change)}＝"
                          f"{n(before + change)}，相差{n(now - before - change)}",
                          (path, f"previous.{path}", f"previous.active.{row}.change"), CROSS_YEAR)


# -- prose ------------------------------------------------------------------------------------

_EMPTY_PROSE = {"", "无", "暂无", "无。", "/", "-"}
MIN_PROBLEMS_CHARS = 50


def _prose(ctx: Context, *paths: str) -> str:
    return "\n".join(ctx.text(p) for p in paths)


@rule("TXT-02", "error", "第五部分要有实质内容",
      f"""
“五、存在的主要问题及改进情况”不能空着、写“无”或只有一两句话（少于 {MIN_PROBLEMS_CHARS} 字）：条例第五十条第（四）项。
""", "第五部分只有 12 个字，应写明本年度存在的主要问题和改进措施")
def check_problems(ctx: Context) -> Iterable[Finding]:
    text = ctx.text("text.problems").strip()
    if text in _EMPTY_PROSE:
        yield Finding("TXT-02", "error", "第五部分（存在的主要问题及改进情况）没有内容", ("text.problems",), PROSE)
        return
    chars = len(re.sub(r"\s", "", text))
    if chars < MIN_PROBLEMS_CHARS:
        yield Finding("TXT-02", "error", f"第五部分只有 {chars} 个字，应写明本年度存在的主要问题和改进措施",
                      ("text.problems",), PROSE)


_GOV_TOPICS = (("考核", "工作考核"), ("评议", "社会评议"), ("追究", "责任追究"))
_OVERVIEW_AND_PROBLEMS = tuple(f"text.overview.{s.key}" for s in S.OVERVIEW_SUBPARTS) + ("text.problems",)


@rule("TXT-03", "error", "人民政府的报告要写考核、评议、追究",
      """
各级人民政府的年度报告还要报告“工作考核、社会评议和责任追究结果情况”（条例第五十条第（四）项），
通常写在“一、总体情况”的监督保障部分或第五部分。政府部门的报告不要求。没有发生的也要写明（如“未发生责任追究情况”）。
""", "人民政府的报告没有写到：社会评议、责任追究（应在第一部分或第五部分说明）")
def check_government_topics(ctx: Context) -> Iterable[Finding]:
    if get_path(ctx.data, "meta.agency_kind") != "government":
        return
    text = _prose(ctx, *_OVERVIEW_AND_PROBLEMS)
    missing = [name for word, name in _GOV_TOPICS if word not in text]
    if missing:
        yield Finding("TXT-03", "error", f"人民政府的报告没有写到：{'、'.join(missing)}（应在第一部分或第五部分说明）",
                      ("text.overview.oversight",), PROSE)


_FEE_WORDS = ("信息处理费", "处理费")


@rule("TXT-04", "error", "第六部分要说明信息处理费",
      """
第六部分应报告《政府信息公开信息处理费管理办法》（2020 年 11 月起施行）规定的信息处理费收取情况，
没有收取的也应写明（如“未收取信息处理费”）。工作簿中填了“信息处理费（元）”时，生成报告会自动写出这句话。
2021 年度起为错误，2020 年度为警告。
""", "第六部分没有说明信息处理费的收取情况（没有收取也应写明）")
def check_fee_statement(ctx: Context) -> Iterable[Finding]:
    if not isinstance(ctx.year, int) or ctx.year < 2020:
        return
    if any(w in ctx.text("text.other") for w in _FEE_WORDS):
        return
    if not ctx.published and get_path(ctx.data, "fees.info_processing_fee_yuan") is not None:
        return  # the generator states it from the figure
    severity = "error" if ctx.year >= 2021 else "warning"
    yield Finding("TXT-04", severity, "第六部分没有说明信息处理费的收取情况（没有收取也应写明）",
                  ("text.other", "fees.info_processing_fee_yuan"), PROSE)


@rule("TXT-05", "warning", "有逾期未缴费的申请，第六部分要说到收费",
      """
第三部分“申请人逾期未按收费通知要求缴纳费用”大于 0，说明本年度发出过收费通知；第六部分应说明信息处理费
（收取了多少，或发出通知但未收取）。
""", "第三部分有 3 件申请因逾期未缴费不再处理，但第六部分没有提到信息处理费或收费通知")
def check_fee_notice(ctx: Context) -> Iterable[Finding]:
    path = "applications.other_fee_unpaid.total"
    if path not in ctx.edition.fields:
        return
    count = ctx.value(path)
    if not count or count <= 0:
        return
    text = ctx.text("text.other")
    if any(w in text for w in _FEE_WORDS + ("收费",)) or ctx.value("fees.notices_issued"):
        return
    yield Finding("TXT-05", "warning",
                  f"第三部分有 {n(count)} 件申请因逾期未缴费不再处理，但第六部分没有提到信息处理费或收费通知",
                  (path, "text.other", "fees.notices_issued"), PROSE)


# -- figures typed in the prose against the tables (TXT-01) ----------------------------------

_CLAIM_PATTERNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # (regex with one number group, what it is, the table paths whose sum it must equal)
    (r"(?:收到|新收|受理)(?:政府信息公开|依申请公开)?(?:的)?(?:申请)?(?:共)?(\d+)件", "新收申请",
     ("applications.new.total",)),
    (r"(?<!建议)(?<!提案)(?<!意见)(?:答复|办理完毕|办结)(?:政府信息公开)?(?:申请)?(?:共)?(\d+)件", "办理答复",
     ("applications.total_handled.total",)),
    (r"上年(?:度)?结转(?:政府信息公开)?(?:申请)?(\d+)件", "上年结转", ("applications.carried_over.total",)),
    (r"结转下年度(?:继续办理)?(\d+)件", "结转下年度", ("applications.carried_forward.total",)),
    (r"(?<!未经)行政复议(?:案件)?(?:共)?(\d+)件", "行政复议", ("review_litigation.review.total",)),
    (r"直接起诉(\d+)件", "未经复议直接起诉", ("review_litigation.litigation_direct.total",)),
    (r"复议后起诉(\d+)件", "复议后起诉", ("review_litigation.litigation_after_review.total",)),
    (r"(?<!一审)(?<!二审)行政诉讼(?:立案)?(?:案件)?(?:共)?(\d+)件", "行政诉讼",
     ("review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total")),
)
_OUTCOME_NAMES = tuple(name for name, _ in S.EDITION_2021.outcome_groups)
_OUTCOME_CLAIM = re.compile(r"(" + "|".join(_OUTCOME_NAMES) + r")(\d+)件(?:[(（][^)）]*[)）])?[，,]?(?:占(\d+(?:\.\d+)?)%)?")
_OTHER_YEAR = re.compile(r"(\d{4})年[^。；;]{0,6}$")


def _outcome_paths(ctx: Context) -> dict[str, tuple[str, ...]]:
    return {name: tuple(f"applications.{k}.total" for k in keys) for name, keys in ctx.edition.outcome_groups}


def _table_sum(ctx: Context, paths: tuple[str, ...]) -> int | float | None:
    values = [ctx.value(p) for p in paths]
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


def _about_another_year(ctx: Context, text: str, start: int) -> bool:
    m = _OTHER_YEAR.search(text[max(0, start - 12): start])
    return bool(m) and isinstance(ctx.year, int) and int(m.group(1)) != ctx.year


@rule("TXT-01", "error", "正文数字与表格不符",
      """
正文里手写的数字（新收、答复、结转、各类办理结果及其占比、复议、诉讼）必须与表格一致。
生成报告时正文中的数字由表格计算；自己写的段落可以用 {新收申请} 等字段代替手写数字。
占比按（七）总计计算，保留两位小数，四舍五入。
""", "第一部分“（二）依申请公开”写“不予公开1615件，占4.70%”，按表格应占4.69%")
def check_prose_figures(ctx: Context) -> Iterable[Finding]:
    handled = ctx.value("applications.total_handled.total")
    outcome_paths = _outcome_paths(ctx)
    for path, f in ctx.edition.fields.items():
        if f.kind is not Kind.PROSE:
            continue
        text = ctx.text(path)
        where = (f"第一部分“{f.label}”" if path.startswith("text.overview.")
                 else f"第{f.label.split('、')[0]}部分")
        for pattern, what, paths in _CLAIM_PATTERNS:
            for m in re.finditer(pattern, text):
                if _about_another_year(ctx, text, m.start()):
                    continue
                table = _table_sum(ctx, paths)
                said = int(m.group(1))
                if table is not None and said != table:
                    yield Finding("TXT-01", "error", f"{where}写“{m.group(0)}”，但表格中{what}为 {n(table)} 件",
                                  (path, *paths), PROSE)
        for m in _OUTCOME_CLAIM.finditer(text):
            if _about_another_year(ctx, text, m.start()):
                continue
            name, said, share = m.group(1), int(m.group(2)), m.group(3)
            paths = outcome_paths.get(name, ())
            table = _table_sum(ctx, paths) if paths else None
            if table is None:
                continue
            if said != table:
                yield Finding("TXT-01", "error", f"{where}写“{name}{said}件”，但表格中{name}为 {n(table)} 件",
                              (path, *paths), PROSE)
            elif share is not None and handled:
                places = len(share.split(".")[1]) if "." in share else 0
                q = Decimal(1).scaleb(-places)
                right = (Decimal(table) * 100 / Decimal(handled)).quantize(q, rounding=ROUND_HALF_UP)
                if Decimal(share) != right:
                    yield Finding("TXT-01", "error", f"{where}写“{name}{said}件，占{share}%”，按表格应占{right}%"
                                  f"（{n(table)}÷{n(handled)}）", (path, *paths, "applications.total_handled.total"),
                                  PROSE)


# -- the printed form of a published report (source, filled by the importer) -----------------

_PART_NO = "一二三四五六"


def _body(heading: str) -> str:
    """A heading without its number (一、/02./2.), compared loosely."""
    text = re.sub(r"^\s*(?:[一二三四五六]、|0?\d[.．、]\s*)", "", heading or "")
    return re.sub(r"\s", "", text)


@rule("STR-01", "error", "六个部分齐全、顺序正确",
      """
年度报告由六个部分组成，标题依次为“一、总体情况”至“六、其他需要报告的事项”（条例第五十条，国办公开办函〔2021〕30号）。
缺少一个部分是错误；标题与官方写法不同（如条例式的长标题）是警告。只检查导入的已发布报告。
""", "缺少第五部分“五、存在的主要问题及改进情况”")
def check_parts(ctx: Context) -> Iterable[Finding]:
    parts = ctx.source.get("parts")
    if not parts:
        return
    for i, (printed, official) in enumerate(zip(parts, ctx.edition.headings)):
        if printed is None:
            yield Finding("STR-01", "error", f"缺少第{_PART_NO[i]}部分“{official}”", (), TEMPLATE)
        elif _body(printed) != _body(official) and _body(official) not in _body(printed):
            yield Finding("STR-01", "warning", f"第{_PART_NO[i]}部分标题印为“{printed}”，官方为“{official}”", (), TEMPLATE)


_TABLE_PARTS = (("第二部分", "active."), ("第三部分", "applications."), ("第四部分", "review_litigation."))


@rule("STR-02", "error", "三张表格齐全",
      """
第二、三、四部分各有一张法定表格（第二部分四个区块）。整张表格缺失或一个数字也读不出来是错误。只检查导入的已发布报告。
""", "第四部分没有表格，或表格中的数字一个也读不出来")
def check_tables(ctx: Context) -> Iterable[Finding]:
    if not ctx.published:
        return
    for part, prefix in _TABLE_PARTS:
        paths = [p for p in ctx.edition.fields if p.startswith(prefix)]
        if all(get_path(ctx.data, p) is None for p in paths):
            yield Finding("STR-02", "error", f"{part}没有表格，或表格中的数字一个也读不出来", (), part)


@rule("STR-04", "warning", "没有自行增加的行或列",
      """
法定表格没有小计行、没有“法人或其他组织小计”之类的列。自行增加的行列说明表格不是按统一格式填写的。
""", "第三部分多出了“法人或其他组织小计”（统一格式中没有）")
def check_invented(ctx: Context) -> Iterable[Finding]:
    for label in ctx.source.get("unmatched") or []:
        yield Finding("STR-04", "warning", f"第三部分多出了“{label}”（统一格式中没有）", (), "第三部分")


def _official_label(ctx: Context, key: str) -> str | None:
    section, _, row = key.partition(".")
    if section == "applications":
        return next((r.label for r in ctx.edition.application_rows if r.key == row), None)
    return None


@rule("LBL-01", "warning", "标签与官方文字不同",
      """
表格的行、列标签应与统一格式的文字一致（比较时不计全角半角、空格和引号）。多出的说明文字、改写或漏字都会列出。
""", "第三部分“二、上年结转政府信息公开申请数量”印为“二、上年结转政府信息公开申请数量(须与2020年度年报结转数一致)”")
def check_labels(ctx: Context) -> Iterable[Finding]:
    def loose(s: str) -> str:
        import unicodedata

        return re.sub(r"[\s“”\"'‘’]", "", unicodedata.normalize("NFKC", s))

    for key, printed in (ctx.source.get("labels") or {}).items():
        official = _official_label(ctx, key)
        if official and loose(printed) != loose(official):
            yield Finding("LBL-01", "warning", f"第三部分“{official}”印为“{printed}”", (), TEMPLATE)


_SIMILAR = 0.5


@rule("XYR-04", "warning", "文字照抄上年",
      f"""
第一、五、六部分的文字与上年报告相似度超过 {int(_SIMILAR * 100)}%（去掉数字和年份后比较），多半是照抄上年
（“内容雷同”是国办通报的问题之一）。需要上年报告（--previous，或结转时保存的上年数据）。
""", "第五部分与2022年度报告的相似度为 93%")
def check_copied_text(ctx: Context) -> Iterable[Finding]:
    import difflib

    prev = ctx.previous
    if not prev:
        return

    def part_text(data: Mapping[str, Any], part: int) -> str:
        paths = {0: [f"text.overview.{s.key}" for s in S.OVERVIEW_SUBPARTS], 4: ["text.problems"], 5: ["text.other"]}
        raw = "".join(str(get_path(data, p) or "") for p in paths[part])
        return re.sub(r"[\d\s]", "", raw)

    for part in (0, 4, 5):
        now, before = part_text(ctx.data, part), part_text(prev, part)
        if len(now) < 50 or len(before) < 50:
            continue
        ratio = difflib.SequenceMatcher(None, now, before, autojunk=False).ratio()
        if ratio > _SIMILAR:
            yield Finding("XYR-04", "warning", f"第{_PART_NO[part]}部分与{get_path(prev, 'meta.year')}年度报告的相似度为"
                          f" {ratio:.0%}", (), CROSS_YEAR)


@rule("CHK-02", "info", "勾稽关系用于拆分连写的数字",
      """
已发布报告中数字与标签连写（OCR）时，导入按表格自身的勾稽关系拆分数字。用于拆分的关系必然成立，
只能算作假设，不能算作通过校验；请对照原文核对这些行。
""", "第三部分“（一）予以公开”行的数字连写为“959245333242410099”，按 E3 拆分：这些关系是假设，不算通过")
def check_assumed(ctx: Context) -> Iterable[Finding]:
    rows: dict[str, tuple[str, list[str]]] = {}
    for path, cell in (ctx.source.get("cells") or {}).items():
        if isinstance(cell, Mapping) and cell.get("split_by_arithmetic") and path in ctx.edition.fields:
            row = path.rsplit(".", 1)[0]
            rows.setdefault(row, (str(cell.get("printed", "")), list(cell.get("assumed") or [])))
    for row, (printed, assumed) in rows.items():
        f = next(ctx.edition.fields[p] for p in ctx.edition.fields if p.startswith(row + "."))
        yield Finding("CHK-02", "info", f"{f.part}“{f.row}”的数字连写为“{printed}”，按 {'、'.join(assumed) or '勾稽关系'} 拆分："
                      "这些关系是假设，不算通过", tuple(p for p in ctx.edition.fields if p.startswith(row + ".")), f.part)


@rule("AGG-01", "warning", "汇总单位小于其下级之和",
      """
一个单位的报告已包括其下级单位（名单中“汇总＝是”）时，它的每个数字都不应小于下级单位之和；
否则汇总单位可能漏算了下级。由 nianbao collect 在汇总时检查（对汇总结果报告）。
""", "“上海市虹口区人民政府”第三部分“一、本年新收政府信息公开申请数量”行“自然人”列为 100，小于其下级之和 120")
def check_aggregates(ctx: Context) -> Iterable[Finding]:
    for item in ctx.source.get("aggregate") or []:
        path = item.get("path")
        if path not in ctx.edition.fields:
            continue
        yield Finding("AGG-01", "warning", f"“{item.get('unit')}”{ctx.label(path)}为 {n(item['own'])}，"
                      f"小于其下级之和 {n(item['children'])}", (path,), ctx.edition.fields[path].part)
