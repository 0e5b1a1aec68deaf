"""The named figures of a report, computed once from report data.

A *figure* is what the reports state in words: 新收申请, 办理答复, 予以公开及部分公开, 行政诉讼,
the share of an outcome group, 纠错率 …  Each is defined here, once, from the schema's paths:
the prose fields (``{新收申请}``), the generator's sentences, TXT-01 (figures typed in the prose
against the tables), the chart and the collect dashboard all take their figures from here.

Shares are per cent of （七）总计 with two decimals, rounded half-up (``numbers.percent``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from . import schema as S
from .numbers import number_value, percent
from .report_data import get_path

# Names the reports use (and the dashboard, the prose fields and TXT-01 with them).
NEW = "新收申请"
CARRIED_OVER = "上年结转"
HANDLED = "办理答复"
CARRIED_FORWARD = "结转下年度"
REVIEW = "行政复议"
LITIGATION = S.REVIEW_LITIGATION  # 行政诉讼 = 未经复议直接起诉 + 复议后起诉
FEE = "信息处理费"
SHARE = "占比"  # suffix of an outcome group's share: 予以公开及部分公开占比
RATE = "纠错率"  # suffix of a group's correction rate: 行政复议纠错率


@dataclass(frozen=True)
class Figure:
    """A count (or an amount): the sum of some cells of the tables, or one meta value.

    ``value`` is None while any of its cells is blank (a sum over blanks would be a guess)."""

    name: str
    paths: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    def value(self, data: Mapping[str, Any]) -> Any:
        if len(self.paths) == 1:
            v = get_path(data, self.paths[0])
            return v if self.paths[0].startswith("meta.") else number_value(v)
        values = [number_value(get_path(data, p)) for p in self.paths]
        return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Share:
    """One figure as a per cent of another (an outcome group of （七）总计)."""

    name: str
    part: str
    whole: str
    aliases: tuple[str, ...] = ()

    def value(self, data: Mapping[str, Any]) -> Decimal | None:
        figures = catalogue(S.get_edition(data["edition"]))
        part = figures[self.part].value(data)
        return percent(part, figures[self.whole].value(data)) if part is not None else None


@dataclass(frozen=True)
class CorrectionRate:
    """纠错率 of a review or litigation group: 结果纠正 ÷ 总计, as the published reports print it
    (Shanghai 2020: “行政复议813件,其中,结果纠正42件,纠错率为5.17%” = 42 ÷ 813).  None while a
    figure is blank, when there are no cases, or when every case is still pending (尚未审结: the
    reports then say 均尚未审结 and print no rate).

    Some offices divide by the cases decided (总计 − 尚未审结) instead; ``parts`` gives the three
    figures so TXT-01 can accept either definition in a person's prose."""

    name: str
    group: str  # the name of the group's 总计 figure (行政复议 / 行政诉讼)
    aliases: tuple[str, ...] = ()

    def parts(self, data: Mapping[str, Any]) -> tuple[Any, Any, Any]:
        """(结果纠正, 总计, 尚未审结) of the group."""
        figures = catalogue(S.get_edition(data["edition"]))
        return tuple(figures[result_name(self.group, key)].value(data)  # type: ignore[return-value]
                     for key in ("corrected", S.TOTAL, "pending"))

    def value(self, data: Mapping[str, Any]) -> Decimal | None:
        corrected, total, pending = self.parts(data)
        if corrected is None or total is None or pending is None or total == pending:
            return None
        return percent(corrected, total)


@dataclass(frozen=True)
class Decided:
    """Cases of a review or litigation group decided this year (审结, 一审审结): 总计 − 尚未审结."""

    name: str
    group: str
    aliases: tuple[str, ...] = ()

    def value(self, data: Mapping[str, Any]) -> Any:
        figures = catalogue(S.get_edition(data["edition"]))
        total, pending = (figures[result_name(self.group, k)].value(data) for k in (S.TOTAL, "pending"))
        return None if total is None or pending is None else total - pending


AnyFigure = Figure | Share | CorrectionRate | Decided
DECIDED = "审结"  # suffix of a group's decided cases: 行政诉讼审结
IN_FORCE = "现行有效"  # prefix of 第二部分's 现行有效件数 of a row: 现行有效行政规范性文件


def result_name(group: str, result_key: str) -> str:
    """The figure of one 第四部分 result of a group: 行政复议结果纠正; the group's 总计 is the group."""
    if result_key == S.TOTAL:
        return group
    return group + next(r.label for r in S.REVIEW_RESULTS if r.key == result_key)


def _review_figures() -> list[AnyFigure]:
    out: list[AnyFigure] = []
    short = {("litigation_direct", S.TOTAL): ("直接起诉",), ("review", "corrected"): ("复议纠正",)}
    for g in S.REVIEW_GROUPS:
        for r in S.REVIEW_RESULTS:
            out.append(Figure(result_name(g.label, r.key), (f"review_litigation.{g.key}.{r.key}",),
                              short.get((g.key, r.key), ())))
    litigation = [g.key for g in S.REVIEW_GROUPS if g.key in S.LITIGATION_GROUPS]
    for r in S.REVIEW_RESULTS:
        out.append(Figure(result_name(LITIGATION, r.key),
                          tuple(f"review_litigation.{k}.{r.key}" for k in litigation)))
    out.append(CorrectionRate(REVIEW + RATE, REVIEW))
    out.append(CorrectionRate(LITIGATION + RATE, LITIGATION))
    for g in (*(g.label for g in S.REVIEW_GROUPS), LITIGATION):
        out.append(Decided(g + DECIDED, g))
    return out


def _in_force_figures(edition: S.Edition) -> list[AnyFigure]:
    """现行有效件数 of 规章 and 行政规范性文件 (第二十条第（一）项 of the 2021 table; the 2019
    table's 对外公开总数量 is not the same count, format-spec §2.3)."""
    out: list[AnyFigure] = []
    for row in edition.document_rows:
        path = f"active.{row.key}.in_force"
        if path in edition.fields:
            out.append(Figure(IN_FORCE + row.label, (path,)))
    return out


@lru_cache(maxsize=8)
def _catalogue(edition: S.Edition) -> dict[str, AnyFigure]:
    figures: list[AnyFigure] = [
        Figure("年度", ("meta.year",)),
        Figure("机关名称", ("meta.agency",)),
        Figure(NEW, ("applications.new.total",)),
        Figure(CARRIED_OVER, ("applications.carried_over.total",)),
        Figure(HANDLED, ("applications.total_handled.total",), ("答复总数",)),
        Figure(CARRIED_FORWARD, ("applications.carried_forward.total",)),
        Figure("予以公开", ("applications.granted.total",)),
        Figure("部分公开", ("applications.partially_granted.total",)),
    ]
    for name, keys in edition.outcome_groups:
        aliases = ("公开及部分公开", "予以公开或部分公开", "公开或部分公开") if name == S.GRANTED_GROUP else ()
        figures.append(Figure(name, tuple(f"applications.{k}.total" for k in keys), aliases))
        figures.append(Share(name + SHARE, name, HANDLED, tuple(a + SHARE for a in aliases)))
    figures += _review_figures()
    figures += _in_force_figures(edition)
    figures.append(Figure(FEE, ("fees.info_processing_fee_yuan",)))
    out: dict[str, AnyFigure] = {}
    for f in figures:
        for name in (f.name, *f.aliases):
            assert name not in out, f"figure name {name} defined twice"
            out[name] = f
    return out


def catalogue(edition: S.Edition) -> dict[str, AnyFigure]:
    """Every named figure of an edition, by name and by alias."""
    return _catalogue(edition)


def value(data: Mapping[str, Any], name: str) -> Any:
    """The value of the figure ``name`` in ``data`` (None when blank or unknown)."""
    f = catalogue(S.get_edition(data["edition"])).get(name)
    return None if f is None else f.value(data)


@dataclass(frozen=True)
class Outcome:
    name: str  # 予以公开及部分公开, 不予公开, 无法提供, 不予处理, 其他处理
    count: int | float | None
    share: Decimal | None  # of （七）总计
    paths: tuple[str, ...]


def outcomes(data: Mapping[str, Any]) -> list[Outcome]:
    """The five outcome groups with their counts and shares, in the table's order."""
    edition = S.get_edition(data["edition"])
    figures = catalogue(edition)
    out = []
    for name, _ in edition.outcome_groups:
        f = figures[name]
        assert isinstance(f, Figure)
        out.append(Outcome(name, f.value(data), figures[name + SHARE].value(data), f.paths))
    return out


def change(now: Any, before: Any, prev_year: Any) -> str | None:
    """'较2022年上升29.30%' / '下降…' / '与2022年持平'; None when it cannot be said."""
    now, before = number_value(now), number_value(before)
    if now is None or before is None or not isinstance(prev_year, int):
        return None
    if now == before:
        return f"与{prev_year}年持平"
    if before == 0:
        return f"{prev_year}年为0件"
    pct = percent(abs(now - before), before)
    return f"较{prev_year}年{'上升' if now > before else '下降'}{pct:.2f}%"
