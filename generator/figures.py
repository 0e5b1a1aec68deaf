"""What the generator adds to the named figures (``nianbao.workbook_templates.format.figures``):
the title broken into lines, a table cell as printed, and the figure fields people may type into
their own prose (``{新收申请}``), each filled from the catalogue of named figures."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from nianbao.workbook_templates.format import figures as NF
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.numbers import figure, number_value, signed
from nianbao.workbook_templates.format.report_data import get_path


def title_lines(agency: str, year: Any) -> list[str]:
    """The title broken at a meaning boundary (GB/T 9704 7.3.1), about 20 characters a line."""
    head = f"{agency}{year}年度"
    tail = "政府信息公开工作年度报告"
    if len(head) <= 18:
        return [head, tail]
    return [agency, f"{year}年度{tail}"]


# The figure fields the README lists (any name of the catalogue works; these are the ones taught).
FIELDS: tuple[str, ...] = (
    "年度", "机关名称", "新收申请", "上年结转", "答复总数", "结转下年度", "予以公开", "部分公开", "公开及部分公开",
    "公开及部分公开占比", "不予公开", "无法提供", "不予处理", "其他处理", "行政复议", "复议纠正", "直接起诉",
    "复议后起诉", "行政诉讼", "信息处理费",
)
_FIELD = re.compile(r"\{([^{}\s]{1,12})\}")


def field_text(data: Mapping[str, Any], name: str) -> str | None:
    """A figure field as the text says it (a share with its per cent sign); None when unknown or blank."""
    f = NF.catalogue(S.get_edition(data["edition"])).get(name)
    value = None if f is None else f.value(data)
    if value is None:
        return None
    return f"{value:.2f}%" if isinstance(value, Decimal) else figure(value)


def fill_fields(text: str, data: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Replace {新收申请} … in a person's prose; returns the text and the fields left unfilled."""
    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        value = field_text(data, m.group(1))
        if value is None:
            missing.append(m.group(1))
            return m.group(0)
        return value

    return _FIELD.sub(sub, text), missing


def table_value(edition: S.Edition, path: str, data: Mapping[str, Any]) -> str:
    """A table cell as printed: blank for null, signed figures with their sign (+5174)."""
    v = number_value(get_path(data, path))
    if v is None:
        return ""
    return signed(v) if edition.fields[path].kind is S.Kind.SIGNED else figure(v)
