"""Rules on the prose: figures typed in the text against the tables (TXT-01, from the named
figures), and what the statute asks the text to say (TXT-02…TXT-05)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from nianbao.workbook_templates.format import figures as NF
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.numbers import figure, percent
from nianbao.workbook_templates.format.report_data import get_path
from nianbao.workbook_templates.format.schema import Kind, Part

from nianbao.addin.checks.registry import PROSE, Context, Hit, rule

_EMPTY_PROSE = {"", "无", "暂无", "无。", "/", "-"}
MIN_PROBLEMS_CHARS = 50


@rule("TXT-02", "error", PROSE, "第五部分要有实质内容",
      what=f"“五、存在的主要问题及改进情况”不空着、不只写“无”、不少于 {MIN_PROBLEMS_CHARS} 字。",
      why="条例第五十条第（四）项要求报告存在的主要问题及改进情况。",
      example="第五部分（存在的主要问题及改进情况）没有内容",
      fix="写明本年度工作中存在的主要问题和下一步的改进措施。")
def check_problems(ctx: Context) -> Iterable[Hit]:
    text = ctx.text("text.problems").strip()
    if text in _EMPTY_PROSE:
        yield Hit("第五部分（存在的主要问题及改进情况）没有内容", ("text.problems",), Part.PROSE)
        return
    chars = len(re.sub(r"\s", "", text))
    if chars < MIN_PROBLEMS_CHARS:
        yield Hit(f"第五部分只有 {chars} 个字，应写明本年度存在的主要问题和改进措施", ("text.problems",), Part.PROSE)


_GOV_TOPICS = (("考核", "工作考核"), ("评议", "社会评议"), ("追究", "责任追究"))
_OVERVIEW_AND_PROBLEMS = tuple(f"text.overview.{s.key}" for s in S.OVERVIEW_SUBPARTS) + ("text.problems",)


@rule("TXT-03", "error", PROSE, "人民政府的报告要写考核、评议、追究",
      what="各级人民政府的年度报告写到“工作考核、社会评议和责任追究结果情况”（政府部门的报告不要求）。",
      why="条例第五十条第（四）项要求人民政府报告这三项；没有发生的也要写明（如“未发生责任追究情况”）。",
      example="人民政府的报告没有写到：工作考核、社会评议、责任追究（应在第一部分或第五部分说明）",
      fix="在“一、总体情况”的监督保障部分（或第五部分）写明工作考核、社会评议和责任追究的结果。")
def check_government_topics(ctx: Context) -> Iterable[Hit]:
    if get_path(ctx.data, "meta.agency_kind") != "government":
        return
    text = "\n".join(ctx.text(p) for p in _OVERVIEW_AND_PROBLEMS)
    missing = [name for word, name in _GOV_TOPICS if word not in text]
    if missing:
        yield Hit(f"人民政府的报告没有写到：{'、'.join(missing)}（应在第一部分或第五部分说明）",
                  ("text.overview.oversight",), Part.PROSE)


_FEE_WORDS = ("信息处理费", "处理费")


@rule("TXT-04", "error", PROSE, "第六部分要说明信息处理费",
      what="第六部分说明了信息处理费的收取情况，没有收取的也写明（如“未收取信息处理费”）。2021 年度起为错误，2020 年度为警告。",
      why="《政府信息公开信息处理费管理办法》（2020 年 11 月起施行）要求在年度报告中报告信息处理费的收取情况。"
          "工作簿中填了“信息处理费（元）”时，生成报告会自动写出这句话。",
      example="第六部分没有说明信息处理费的收取情况（没有收取也应写明）",
      fix="在封面填写“本年收取信息处理费（元）”（没有收取填 0），或在第六部分写明收取情况。",
      levels="错误，2020 年度为警告")
def check_fee_statement(ctx: Context) -> Iterable[Hit]:
    if not isinstance(ctx.year, int) or ctx.year < 2020:
        return
    if any(w in ctx.text("text.other") for w in _FEE_WORDS):
        return
    if not ctx.published and get_path(ctx.data, "fees.info_processing_fee_yuan") is not None:
        return  # the generator states it from the figure
    severity = "error" if ctx.year >= 2021 else "warning"
    yield Hit("第六部分没有说明信息处理费的收取情况（没有收取也应写明）", ("text.other", "fees.info_processing_fee_yuan"),
              Part.PROSE, severity)


@rule("TXT-05", "warning", PROSE, "有逾期未缴费的申请，第六部分要说到收费",
      what="第三部分“申请人逾期未按收费通知要求缴纳费用”大于 0 时，第六部分说到了信息处理费或收费通知。",
      why="有申请因逾期未缴费不再处理，说明本年度发出过收费通知，应当报告收取了多少，或发出通知但未收取。",
      example="第三部分有 2 件申请因逾期未缴费不再处理，但第六部分没有提到信息处理费或收费通知",
      fix="在第六部分写明发出收费通知的件数和收取的信息处理费（或填写封面的收费数字）。")
def check_fee_notice(ctx: Context) -> Iterable[Hit]:
    path = "applications.other_fee_unpaid.total"
    if path not in ctx.edition.fields:
        return
    count = ctx.value(path)
    if not count or count <= 0:
        return
    text = ctx.text("text.other")
    if any(w in text for w in _FEE_WORDS + ("收费",)) or ctx.value("fees.notices_issued"):
        return
    yield Hit(f"第三部分有 {figure(count)} 件申请因逾期未缴费不再处理，但第六部分没有提到信息处理费或收费通知",
              (path, "text.other", "fees.notices_issued"), Part.PROSE)


# -- figures typed in the prose against the tables (TXT-01) ----------------------------------

_CLAIM_PATTERNS: tuple[tuple[str, str], ...] = (
    # (regex with one number group, the named figure it must equal)
    (r"(?:收到|新收|受理)(?:政府信息公开|依申请公开)?(?:的)?(?:申请)?(?:共)?(\d+)件", NF.NEW),
    (r"(?<!建议)(?<!提案)(?<!意见)(?:答复|办理完毕|办结)(?:政府信息公开)?(?:申请)?(?:共)?(\d+)件", NF.HANDLED),
    (r"上年(?:度)?结转(?:政府信息公开)?(?:申请)?(\d+)件", NF.CARRIED_OVER),
    (r"结转下年度(?:继续办理)?(\d+)件", NF.CARRIED_FORWARD),
    (r"(?<!未经)行政复议(?:案件)?(?:共)?(\d+)件", NF.REVIEW),
    (r"直接起诉(\d+)件", "未经复议直接起诉"),
    (r"复议后起诉(\d+)件", "复议后起诉"),
    (r"(?<!一审)(?<!二审)行政诉讼(?:立案)?(?:案件)?(?:共)?(\d+)件", NF.LITIGATION),
)
_OUTCOME_NAMES = tuple(dict.fromkeys(name for e in S.EDITIONS.values() for name, _ in e.outcome_groups))
_OUTCOME_CLAIM = re.compile(r"(" + "|".join(_OUTCOME_NAMES) + r")(\d+)件(?:[(（][^)）]*[)）])?[，,]?(?:占(\d+(?:\.\d+)?)%)?")
_OTHER_YEAR = re.compile(r"(\d{4})年[^。；;]{0,6}$")


def _about_another_year(ctx: Context, text: str, start: int) -> bool:
    m = _OTHER_YEAR.search(text[max(0, start - 12): start])
    return bool(m) and isinstance(ctx.year, int) and int(m.group(1)) != ctx.year


def _where(f: S.Field) -> str:
    return f"第一部分“{f.label}”" if f.path.startswith("text.overview.") else f"第{f.label.split('、')[0]}部分"


@rule("TXT-01", "error", PROSE, "正文数字与表格不符",
      what="正文里手写的数字（新收、答复、结转、各类办理结果及其占比、复议、诉讼）与表格一致。"
           "占比按（七）总计计算，按原文的小数位数四舍五入。",
      why="正文和表格说的是同一批申请；数字不一致时读者不知道该信哪一个，这是已发布报告中最常见的错误之一。",
      example="第一部分“（二）依申请公开”写“收到依申请公开520件”，但表格中新收申请为 523 件",
      fix="改正正文中的数字；或在自己写的段落里用字段（如 {新收申请}）代替手写数字，生成报告时按表格填写。")
def check_prose_figures(ctx: Context) -> Iterable[Hit]:
    figures = NF.catalogue(ctx.edition)
    handled = figures[NF.HANDLED].value(ctx.data)
    for path, f in ctx.edition.fields.items():
        if f.kind is not Kind.PROSE:
            continue
        text = ctx.text(path)
        where = _where(f)
        for pattern, name in _CLAIM_PATTERNS:
            fig = figures[name]
            for m in re.finditer(pattern, text):
                if _about_another_year(ctx, text, m.start()):
                    continue
                table = fig.value(ctx.data)
                if table is not None and int(m.group(1)) != table:
                    yield Hit(f"{where}写“{m.group(0)}”，但表格中{name}为 {figure(table)} 件",
                              (path, *fig.paths), Part.PROSE)
        for m in _OUTCOME_CLAIM.finditer(text):
            if _about_another_year(ctx, text, m.start()):
                continue
            name, said, share = m.group(1), int(m.group(2)), m.group(3)
            fig = figures.get(name)
            table = fig.value(ctx.data) if isinstance(fig, NF.Figure) else None
            if table is None:
                continue
            if said != table:
                yield Hit(f"{where}写“{name}{said}件”，但表格中{name}为 {figure(table)} 件", (path, *fig.paths),
                          Part.PROSE)
            elif share is not None and handled:
                right = percent(table, handled, len(share.split(".")[1]) if "." in share else 0)
                if Decimal(share) != right:
                    yield Hit(f"{where}写“{name}{said}件，占{share}%”，按表格应占{right}%（{figure(table)}÷{figure(handled)}）",
                              (path, *fig.paths, *figures[NF.HANDLED].paths), Part.PROSE)
