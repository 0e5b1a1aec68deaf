"""Figures the narrative states, computed from report data: totals, outcome groups and their
shares, year-on-year change, 纠错率, and the figure fields people may type into their prose.

Shares are rounded half-up to two decimals, as Excel and the published reports do (Python's
``round`` is half-even).  Nothing here divides by zero: a share of nothing is ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import get_path

GRANTED_GROUP = S.GRANTED_GROUP


def percent(part: int | float, whole: int | float) -> Decimal | None:
    """part/whole in per cent, two decimals, half-up; None when whole is 0 or unknown."""
    if not whole or part is None:
        return None
    return (Decimal(str(part)) * 100 / Decimal(str(whole))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def num(v: Any) -> int | float | None:
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def fmt(v: Any) -> str:
    """A figure for the text: 12480, 86500, 67552.91."""
    if isinstance(v, Decimal):
        return f"{v:.2f}"
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".") if not v.is_integer() else str(int(v))
    return str(v)


@dataclass(frozen=True)
class Outcome:
    name: str  # 予以公开及部分公开, 不予公开, 无法提供, 不予处理, 其他处理
    count: int | float | None
    share: Decimal | None  # of （七）总计
    paths: tuple[str, ...]


def outcomes(data: Mapping[str, Any]) -> list[Outcome]:
    edition = S.get_edition(data["edition"])
    handled = num(get_path(data, "applications.total_handled.total"))
    out = []
    for name, keys in edition.outcome_groups:
        paths = tuple(f"applications.{k}.total" for k in keys)
        values = [num(get_path(data, p)) for p in paths]
        count = None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]
        out.append(Outcome(name, count, percent(count, handled) if count is not None else None, paths))
    return out


def change(now: Any, before: Any, prev_year: Any) -> str | None:
    """'较2022年上升29.30%' / '下降…' / '与2022年持平'; None when it cannot be said."""
    now, before = num(now), num(before)
    if now is None or before is None or not isinstance(prev_year, int):
        return None
    if now == before:
        return f"与{prev_year}年持平"
    if before == 0:
        return f"{prev_year}年为0件"
    pct = percent(abs(now - before), before)
    return f"较{prev_year}年{'上升' if now > before else '下降'}{pct:.2f}%"


def correction_rate(group: Mapping[str, Any] | None) -> Decimal | None:
    """纠错率 = 结果纠正 ÷ (总计 − 尚未审结); None without decided cases."""
    if not group:
        return None
    corrected, total, pending = (num(group.get(k)) for k in ("corrected", "total", "pending"))
    if corrected is None or total is None or pending is None:
        return None
    return percent(corrected, total - pending)


def title_lines(agency: str, year: Any) -> list[str]:
    """The title broken at a meaning boundary (GB/T 9704 7.3.1), about 20 characters a line."""
    head = f"{agency}{year}年度"
    tail = "政府信息公开工作年度报告"
    if len(head) <= 18:
        return [head, tail]
    return [agency, f"{year}年度{tail}"]


# -- figure fields in a person's own prose: {新收申请} ----------------------------------------

def _path(p: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda d: get_path(d, p)


def _sum(*paths: str) -> Callable[[Mapping[str, Any]], Any]:
    def f(d: Mapping[str, Any]) -> Any:
        values = [num(get_path(d, p)) for p in paths]
        return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]
    return f


def _outcome(name: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda d: next((o.count for o in outcomes(d) if o.name == name), None)


def _outcome_share(name: str) -> Callable[[Mapping[str, Any]], Any]:
    def f(d: Mapping[str, Any]) -> Any:
        share = next((o.share for o in outcomes(d) if o.name == name), None)
        return None if share is None else f"{share:.2f}%"
    return f


FIELDS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "年度": _path("meta.year"),
    "机关名称": _path("meta.agency"),
    "新收申请": _path("applications.new.total"),
    "上年结转": _path("applications.carried_over.total"),
    "答复总数": _path("applications.total_handled.total"),
    "结转下年度": _path("applications.carried_forward.total"),
    "予以公开": _path("applications.granted.total"),
    "部分公开": _path("applications.partially_granted.total"),
    "公开及部分公开": _outcome(GRANTED_GROUP),
    "不予公开": _outcome("不予公开"),
    "无法提供": _outcome("无法提供"),
    "不予处理": _outcome("不予处理"),
    "其他处理": _outcome("其他处理"),
    "公开及部分公开占比": _outcome_share(GRANTED_GROUP),
    "行政复议": _path("review_litigation.review.total"),
    "复议纠正": _path("review_litigation.review.corrected"),
    "直接起诉": _path("review_litigation.litigation_direct.total"),
    "复议后起诉": _path("review_litigation.litigation_after_review.total"),
    "行政诉讼": _sum("review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total"),
    "信息处理费": _path("fees.info_processing_fee_yuan"),
}
_FIELD = re.compile(r"\{([^{}\s]{1,12})\}")


def fill_fields(text: str, data: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Replace {新收申请} … in a person's prose; returns the text and the fields left unfilled."""
    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        fn = FIELDS.get(name)
        value = fn(data) if fn else None
        if value is None:
            missing.append(name)
            return m.group(0)
        return fmt(value)

    return _FIELD.sub(sub, text), missing


def table_value(edition: S.Edition, path: str, data: Mapping[str, Any]) -> str:
    """A table cell as printed: blank for null, signed figures with their sign (+5174)."""
    v = num(get_path(data, path))
    if v is None:
        return ""
    if edition.fields[path].kind is S.Kind.SIGNED and v > 0:
        return f"+{fmt(v)}"
    return fmt(v)
