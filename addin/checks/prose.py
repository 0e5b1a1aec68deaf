"""Rules on the prose: figures typed in the text against the tables (TXT-01, from the named
figures), and what the statute asks the text to say (TXT-02…TXT-05)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

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

_N = r"(?P<n>\d{1,3}(?:,\d{3})+|\d+)"  # a count as printed: 813, 34,290
_GROUP_WORDS = {"行政复议": NF.REVIEW, "直接起诉": "未经复议直接起诉", "复议后起诉": "复议后起诉", "行政诉讼": NF.LITIGATION}
_GROUP = re.compile("|".join(_GROUP_WORDS))
_CLAIMS: tuple[tuple[re.Pattern[str], str], ...] = (
    # (a regex with the group ``n``, the named figure it must equal)
    (re.compile(rf"(?:收到|新收|受理|接收)(?:各类)?(?:政府信息公开|依申请公开)?(?:的)?(?:申请)?(?:共计|共)?\s*{_N}\s*件"), NF.NEW),
    (re.compile(rf"(?<!建议)(?<!提案)(?<!意见)(?:答复|办理完毕|办结)(?:政府信息公开)?(?:申请)?(?:共计|共)?\s*{_N}\s*件"),
     NF.HANDLED),
    (re.compile(rf"上年(?:度)?结转(?:政府信息公开)?(?:申请)?\s*{_N}\s*件"), NF.CARRIED_OVER),
    (re.compile(rf"结转下年度(?:继续办理)?\s*{_N}\s*件"), NF.CARRIED_FORWARD),
    (re.compile(rf"(?<!未经)行政复议(?:申请)?(?:案件)?(?:共计|共)?\s*{_N}\s*件"), NF.REVIEW),
    (re.compile(rf"直接起诉(?:案件)?\s*{_N}\s*件"), "未经复议直接起诉"),
    (re.compile(rf"复议后起诉(?:案件)?\s*{_N}\s*件"), "复议后起诉"),
    (re.compile(rf"(?<!一审)(?<!二审)行政诉讼(?:立案)?(?:案件)?(?:共计|共)?\s*{_N}\s*件"), NF.LITIGATION),
)
# Words without one of which a pattern cannot match (each is in every match of it): a sentence
# that has none is not searched — the same claims found, at a fraction of the regex work.
_CLAIM_WORDS: tuple[tuple[str, ...], ...] = (
    ("收到", "新收", "受理", "接收"), ("答复", "办理完毕", "办结"), ("结转",), ("结转下年度",), ("行政复议",),
    ("直接起诉",), ("复议后起诉",), ("行政诉讼",))
assert len(_CLAIM_WORDS) == len(_CLAIMS)
_DOCS = r"(?P<doc>规章|行政规范性文件|规范性文件)"
_IN_FORCE = (re.compile(rf"现行有效(?:的)?{_DOCS}(?:共计|共)?\s*{_N}\s*件"),
             re.compile(rf"{_DOCS}现行有效(?:的)?(?:共计|共)?\s*{_N}\s*件"))
_OUTCOME_NAMES = tuple(sorted({name for e in S.EDITIONS.values() for name, _ in e.outcome_groups}
                              | {"公开及部分公开", "予以公开或部分公开", "公开或部分公开", "予以公开", "部分公开"},
                              key=len, reverse=True))
_OUTCOME = re.compile(r"(?P<name>" + "|".join(_OUTCOME_NAMES) + rf")(?:的)?(?:申请)?(?:共计|共)?\s*{_N}\s*件"
                      r"(?:[(（][^)）]*[)）])?[，,]?\s*(?:占(?:比)?(?:为)?\s*(?P<share>\d+(?:\.\d+)?)\s*%)?")
_RESULT = re.compile(rf"(?:结果)?(?P<res>维持|纠正|其他结果)\s*{_N}\s*件|{_N.replace('n>', 'm>')}\s*件(?:案件)?尚未审结"
                     rf"|尚未审结(?:的)?\s*{_N.replace('n>', 'p>')}\s*件|(?<!尚未)(?:一审)?审结\s*{_N.replace('n>', 'd>')}\s*件"
                     rf"|一审(?:行政诉讼)?(?:案件)?(?:共计|共)?\s*{_N.replace('n>', 'e>')}\s*件")
_RESULT_KEYS = {"维持": "upheld", "纠正": "corrected", "其他结果": "other"}
_RESULT_WORDS = ("维持", "纠正", "其他结果", "审结", "一审")  # one is in every match of _RESULT
_RATE = re.compile(r"纠错率(?:为|是)?\s*(?P<rate>\d+(?:\.\d+)?)\s*%")
_FEE_SAID = re.compile(r"收取(?:了)?(?:政府信息公开)?(?:信息)?处理费(?:共计|共)?\s*(?P<n>\d+(?:\.\d+)?)\s*元")
_FEE_NONE = re.compile(r"未(?:曾)?收取(?:任何)?(?:政府信息公开)?(?:信息)?处理费")
# every claim but “未收取…处理费” ends in a figure and its unit: 12件, 25%, 300元
_CLAIM_HINT = re.compile(r"\d\s*[件%元]")
_OTHER_YEAR = re.compile(r"(\d{4})年[^。；;]{0,6}$")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")


def _about_another_year(ctx: Context, text: str, start: int) -> bool:
    m = _OTHER_YEAR.search(text[max(0, start - 12): start])
    return bool(m) and isinstance(ctx.year, int) and int(m.group(1)) != ctx.year


def _where(f: S.Field) -> str:
    return f"第一部分“{f.label}”" if f.path.startswith("text.overview.") else f"第{f.label.split('、')[0]}部分"


def _count(m: re.Match[str], group: str = "n") -> int:
    return int(m.group(group).replace(",", ""))


def _quote(sentence: str, m: re.Match[str]) -> str:
    """The sentence as printed (cut around the claim when long)."""
    s = sentence.strip()
    if len(s) <= 60:
        return s
    a, b = max(0, m.start() - 25), min(len(sentence), m.end() + 15)
    return ("…" if a > 0 else "") + sentence[a:b].strip() + ("…" if b < len(sentence) else "")


def _group_at(sentence: str, pos: int) -> str | None:
    """The review or litigation group a claim at ``pos`` speaks of: the last one named before it,
    not counting names inside brackets that close before it (“行政诉讼6件（直接起诉5件…），其中…”)."""
    plain = re.sub(r"[(（][^()（）]*[)）]", lambda m: "　" * len(m.group(0)), sentence[:pos])
    found = [m.group(0) for m in _GROUP.finditer(plain)]
    return _GROUP_WORDS[found[-1]] if found else None


def _rates(ctx: Context, group: str, places: int) -> list[tuple[Decimal, str]]:
    """Every 纠错率 a report may print for a group: 结果纠正 ÷ 总计 (the seeds) or ÷ (总计 − 尚未审结),
    rounded half-up or cut off at the printed decimals."""
    rate = NF.catalogue(ctx.edition)[group + NF.RATE]
    assert isinstance(rate, NF.CorrectionRate)
    corrected, total, pending = rate.parts(ctx.data)
    if corrected is None or total is None or pending is None:
        return []
    out = []
    for whole, how in ((total, "结果纠正÷总计"), (total - pending, "结果纠正÷（总计－尚未审结）")):
        for truncate in (False, True):
            v = percent(corrected, whole, places, truncate=truncate)
            if v is not None:
                out.append((v, f"{how}＝{figure(corrected)}÷{figure(whole)}"))
    return out


@rule("TXT-01", "error", PROSE, "正文数字与表格不符",
      what="正文里手写的数字与表格一致：新收（受理）、答复、结转、现行有效的规章和行政规范性文件、各类办理结果及其占比、"
           "复议和诉讼的件数、结果（维持、纠正、其他、尚未审结、审结）和纠错率、信息处理费。占比按（七）总计计算，"
           "按原文的小数位数四舍五入；纠错率按“结果纠正÷总计”或“结果纠正÷（总计－尚未审结）”，四舍五入或截尾，都算相符。",
      why="正文和表格说的是同一批申请；数字不一致时读者不知道该信哪一个，这是已发布报告中最常见的错误之一。",
      example="第一部分“（二）依申请公开”写“2023年，收到依申请公开520件，办理完毕523件。”，但表格中新收申请为 523 件",
      fix="改正正文中的数字；或在自己写的段落里用字段（如 {新收申请}）代替手写数字，生成报告时按表格填写。")
def check_prose_figures(ctx: Context) -> Iterable[Hit]:
    figures = NF.catalogue(ctx.edition)
    for path, where in _prose_fields(ctx.edition):
        text = ctx.text(path)
        if "收取" not in text and not _CLAIM_HINT.search(text):
            continue  # no sentence of it can say a figure, nor “未收取”
        for sm in _SENTENCE.finditer(text):
            sentence = sm.group(0)
            if _CLAIM_HINT.search(sentence):
                yield from _sentence_claims(ctx, figures, sentence, where, path)
            elif "收取" in sentence:  # no figure said in it: only “未收取信息处理费” can be a claim
                yield from _no_fee_claims(ctx, figures, sentence, where, path)


@lru_cache(maxsize=8)
def _prose_fields(edition: S.Edition) -> tuple[tuple[str, str], ...]:
    """(path, how a message names it) of every prose field."""
    return tuple((path, _where(f)) for path, f in edition.fields.items() if f.kind is Kind.PROSE)


def _differs(ctx: Context, figures: dict, where: str, path: str, sentence: str, m: re.Match[str], said: int | float,
             name: str, unit: str = "件") -> Iterable[Hit]:
    fig = figures.get(name)
    table = fig.value(ctx.data) if fig is not None else None
    if table is None or said == table:
        return
    paths = getattr(fig, "paths", ())
    yield Hit(f"{where}写“{_quote(sentence, m)}”，但表格中{fig.name}为 {figure(table)} {unit}", (path, *paths), Part.PROSE)


def _sentence_claims(ctx: Context, figures: dict, sentence: str, where: str, path: str) -> Iterable[Hit]:
    def other_year(m: re.Match[str]) -> bool:
        return _about_another_year(ctx, sentence, m.start())

    # (a sentence with a figure said in it: check_prose_figures sends the others to _no_fee_claims)
    for (pattern, name), words in zip(_CLAIMS, _CLAIM_WORDS):
        if not _has_any(sentence, words):
            continue
        for m in pattern.finditer(sentence):
            if not other_year(m):
                yield from _differs(ctx, figures, where, path, sentence, m, _count(m), name)
    if "现行有效" in sentence:  # in every match of _IN_FORCE
        for pattern in _IN_FORCE:
            for m in pattern.finditer(sentence):
                doc = "行政规范性文件" if m.group("doc") == "规范性文件" else m.group("doc")
                if not other_year(m):
                    yield from _differs(ctx, figures, where, path, sentence, m, _count(m), NF.IN_FORCE + doc)
    handled: int | float | None = None  # （七）总计, looked up at the first share said
    for m in _OUTCOME.finditer(sentence):
        if other_year(m):
            continue
        name, said, share = m.group("name"), _count(m), m.group("share")
        fig = figures.get(name)
        table = fig.value(ctx.data) if isinstance(fig, NF.Figure) else None
        if table is None:
            continue
        if said != table:
            yield from _differs(ctx, figures, where, path, sentence, m, said, name)
        elif share is not None and (handled := figures[NF.HANDLED].value(ctx.data) if handled is None else handled):
            right = percent(table, handled, len(share.split(".")[1]) if "." in share else 0)
            if Decimal(share) != right:
                yield Hit(f"{where}写“{_quote(sentence, m)}”，按表格{fig.name}应占{right}%（{figure(table)}÷{figure(handled)}）",
                          (path, *fig.paths, *figures[NF.HANDLED].paths), Part.PROSE)
    for m in (_RESULT.finditer(sentence) if _has_any(sentence, _RESULT_WORDS) else ()):
        group = NF.LITIGATION if m.group("e") else _group_at(sentence, m.start())
        if group is None or other_year(m):
            continue
        if m.group("e"):  # 一审行政诉讼案件687件: the cases decided at first instance
            name, said = group + NF.DECIDED, _count(m, "e")
        elif m.group("res"):
            name = NF.result_name(group, _RESULT_KEYS[m.group("res")])
            said = _count(m)
        elif m.group("d"):
            name, said = group + NF.DECIDED, _count(m, "d")
        else:
            name, said = NF.result_name(group, "pending"), _count(m, "m" if m.group("m") else "p")
        yield from _differs(ctx, figures, where, path, sentence, m, said, name)
    for m in (_RATE.finditer(sentence) if "纠错率" in sentence else ()):
        group = _group_at(sentence, m.start())
        if group not in (NF.REVIEW, NF.LITIGATION) or other_year(m):
            continue
        said = Decimal(m.group("rate"))
        places = len(m.group("rate").split(".")[1]) if "." in m.group("rate") else 0
        rates = _rates(ctx, group, places)
        if rates and said not in {v for v, _ in rates}:
            how = "；".join(dict.fromkeys(f"{how}＝{v}%" for v, how in rates[::2]))
            yield Hit(f"{where}写“{_quote(sentence, m)}”，但按表格{group}纠错率为 {how}",
                      (path, *(p for k in ("corrected", S.TOTAL, "pending")
                               for p in figures[NF.result_name(group, k)].paths)), Part.PROSE)
    if "处理费" in sentence and figures[NF.FEE].value(ctx.data) is not None:  # 处理费: in every match of _FEE_SAID
        for m in _FEE_SAID.finditer(sentence):
            if not other_year(m):
                yield from _differs(ctx, figures, where, path, sentence, m, float(m.group("n")) if "." in m.group("n")
                                    else int(m.group("n")), NF.FEE, "元")
    yield from _no_fee_claims(ctx, figures, sentence, where, path)


def _has_any(text: str, words: tuple[str, ...]) -> bool:
    for w in words:
        if w in text:
            return True
    return False


def _no_fee_claims(ctx: Context, figures: dict, sentence: str, where: str, path: str) -> Iterable[Hit]:
    """“未收取信息处理费” when the fee is not 0."""
    if "收取" not in sentence:
        return
    fee = figures[NF.FEE].value(ctx.data)
    if fee:
        for m in _FEE_NONE.finditer(sentence):
            if not _about_another_year(ctx, sentence, m.start()):
                yield Hit(f"{where}写“{_quote(sentence, m)}”，但{NF.FEE}为 {figure(fee)} 元",
                          (path, "fees.info_processing_fee_yuan"), Part.PROSE)
