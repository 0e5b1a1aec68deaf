"""How figures are written, once for every message, sentence and table cell.

- ``figure(v)``: a figure as people write it — 5, 12.5, -3, 67552.91 (no trailing .0, no
  float noise); a ``Decimal`` share keeps its two places.
- ``percent(part, whole)``: part/whole in per cent, two decimals, rounded half-up as Excel and
  the published reports do (Python's ``round`` is half-even); ``None`` when it cannot be said.
- ``signed(v)``: a figure with its sign (+5174), as the 2019 table prints 本年增/减.
- ``difference(v)``: how a message states a difference between two sides (前者多67件 / 前者少72件).
- ``unusable(v)``: why a number read from a file cannot be a figure (NaN, infinite, absurdly
  large), or None — every reader (workbook cells, report data, published text) asks it.
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

TWO_PLACES = Decimal("0.01")
MAX_FIGURE = 10**15  # no report counts this far, and beyond 2**53 a float no longer counts exactly


def figure(v: Any) -> str:
    """A figure as people write it."""
    if isinstance(v, Decimal):
        return f"{v:.2f}"
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        return format(Decimal(repr(v)).normalize(), "f")
    return str(v)


def percent(part: int | float | None, whole: int | float | None, places: int = 2, *,
            truncate: bool = False) -> Decimal | None:
    """part/whole in per cent, ``places`` decimals, half-up (or cut off, ``truncate``, as some
    reports print a rate); None when whole is 0 or unknown."""
    if not whole or part is None:
        return None
    step = TWO_PLACES if places == 2 else Decimal(1).scaleb(-places)
    return (Decimal(str(part)) * 100 / Decimal(str(whole))).quantize(
        step, rounding=ROUND_DOWN if truncate else ROUND_HALF_UP)


def signed(v: int | float) -> str:
    return f"+{figure(v)}" if v > 0 else figure(v)


def difference(v: int | float, unit: str = "件") -> str:
    """How a message states the difference of its two sides (the first side less the second):
    前者多67件, 前者少72件 — one wording for every rule."""
    return f"前者{'多' if v > 0 else '少'}{figure(abs(v))}{unit}"


def number_value(v: Any) -> int | float | None:
    """A figure of report data, or None for blank, text and booleans."""
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def unusable(v: int | float) -> str | None:
    """Why ``v`` cannot be a figure of a report (in Chinese), or None when it can."""
    if isinstance(v, float) and not math.isfinite(v):
        return "不是有效的数字（无穷大或非数）" if not math.isnan(v) else "不是有效的数字（非数 NaN）"
    if abs(v) >= MAX_FIGURE:
        return f"数字过大（不小于 {MAX_FIGURE:.0e}），不像是年报中的数字"
    return None
