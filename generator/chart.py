"""The chart people would rather look at than read: how the year's applications were answered
(the five outcome groups), and, with last year's figures, this year beside last year.

A PNG made with matplotlib; Chinese labels need a CJK font, looked up by name with free fonts
at the end of the list (Noto Sans CJK on Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from nianbao.workbook_templates.format import figures as F

CJK_FONTS = ("SimHei", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
             "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "FandolHei")
WIDTH_MM, HEIGHT_MM = 150, 70


class NoCJKFont(RuntimeError):
    pass


def _font_family() -> list[str]:
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    found = [f for f in CJK_FONTS if f in have]
    if not found:
        raise NoCJKFont("no CJK font: install fonts-noto-cjk (Debian) or any of " + ", ".join(CJK_FONTS))
    return found


def outcomes_png(data: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> bytes | None:
    """The outcome chart as PNG bytes; None when there is nothing to draw."""
    now = F.outcomes(data)
    if not any(o.count for o in now):
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = _font_family() + ["DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    labels = [o.name for o in now]
    values = [o.count or 0 for o in now]
    before = None
    if previous is not None:
        prev = {o.name: o.count for o in F.outcomes(previous)}
        if all(prev.get(name) is not None for name in labels):
            before = [prev[name] or 0 for name in labels]
    fig, ax = plt.subplots(figsize=(WIDTH_MM / 25.4, HEIGHT_MM / 25.4), dpi=200)
    ys = list(range(len(labels)))[::-1]
    year = data["meta"].get("year")
    if before is None:
        bars = ax.barh(ys, values, color="#2F5597", height=0.6)
        ax.bar_label(bars, labels=[f"{v}件（{o.share:.2f}%）" if o.share is not None else f"{v}件"
                                   for v, o in zip(values, now)], padding=3, fontsize=8)
    else:
        h = 0.38
        b1 = ax.barh([y + h / 2 for y in ys], values, height=h, color="#2F5597", label=f"{year}年")
        b0 = ax.barh([y - h / 2 for y in ys], before, height=h, color="#A6A6A6",
                     label=f"{previous['meta'].get('year')}年")
        ax.bar_label(b1, labels=[f"{v}件" for v in values], padding=3, fontsize=7)
        ax.bar_label(b0, labels=[f"{v}件" for v in before], padding=3, fontsize=7)
        ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.set_yticks(ys, labels, fontsize=9)
    ax.set_xlim(0, max(values + (before or [])) * 1.35 or 1)
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"{year}年度政府信息公开申请办理结果", fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def alt_text(data: Mapping[str, Any]) -> str:
    """What the chart shows, in words (for screen readers and the caption)."""
    parts = [f"{o.name}{o.count}件" + (f"（{o.share:.2f}%）" if o.share is not None else "")
             for o in F.outcomes(data) if o.count is not None]
    return "申请办理结果：" + "，".join(parts)
