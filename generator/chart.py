"""The chart people would rather look at than read: how the year's applications were answered
(the five outcome groups), and, with last year's figures, this year beside last year.

A PNG drawn with Pillow (no plotting library: a report is written in well under a second).
Chinese labels need a CJK font, looked up by name in the usual places — Windows' SimHei and
Microsoft YaHei, Noto Sans CJK on Debian (fonts-noto-cjk), WenQuanYi, Fandol — or given by the
environment variable ``NIANBAO_CJK_FONT`` (a .ttf/.otf/.ttc file).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from nianbao.workbook_templates.format import figures as F

CJK_FONTS = ("SimHei", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
             "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "FandolHei")
# Font files by name, where fontconfig is not there to ask (Windows, macOS).
_FILES = ("simhei.ttf", "msyh.ttc", "msyh.ttf", "PingFang.ttc", "NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf",
          "SourceHanSansSC-Regular.otf", "wqy-microhei.ttc", "wqy-zenhei.ttc", "FandolHei-Regular.otf")
_FONT_DIRS = (Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts", Path("/System/Library/Fonts"),
              Path("/Library/Fonts"), Path.home() / ".fonts", Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
WIDTH_MM, HEIGHT_MM = 150, 70
DPI = 200
BLUE, GREY, TEXT = (47, 85, 151), (166, 166, 166), (38, 38, 38)


class NoCJKFont(RuntimeError):
    pass


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The file of a font that has Chinese characters."""
    given = os.environ.get("NIANBAO_CJK_FONT")
    if given and Path(given).is_file():
        return given
    if shutil.which("fc-match"):
        # one question for all the names: fontconfig answers the first family of the list it has
        # (and a font of its own choosing, without Chinese perhaps, when it has none of them)
        try:
            out = subprocess.run(["fc-match", "-f", "%{family}|%{file}", ",".join(CJK_FONTS)], capture_output=True,
                                 text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        family, _, file = out.partition("|")
        if any(name.lower() in family.lower() for name in CJK_FONTS) and Path(file).is_file():
            return file
    for folder in _FONT_DIRS:
        if not folder.is_dir():
            continue
        for wanted in _FILES:
            hit = next(iter(folder.rglob(wanted)), None) if folder.name != "Fonts" else (folder / wanted)
            if hit is not None and hit.is_file():
                return str(hit)
    raise NoCJKFont("no CJK font: install fonts-noto-cjk (Debian) or any of " + ", ".join(CJK_FONTS))


def _px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def outcomes_png(data: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> bytes | None:
    """The outcome chart as PNG bytes; None when there is nothing to draw."""
    now = F.outcomes(data)
    if not any(o.count for o in now):
        return None
    from PIL import Image, ImageDraw, ImageFont

    font_file = cjk_font()
    labels = [o.name for o in now]
    values = [o.count or 0 for o in now]
    before = None
    if previous is not None:
        prev = {o.name: o.count for o in F.outcomes(previous)}
        if all(prev.get(name) is not None for name in labels):
            before = [prev[name] or 0 for name in labels]
    year = data["meta"].get("year")
    width, height = _px(WIDTH_MM), _px(HEIGHT_MM)
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    title_font = ImageFont.truetype(font_file, _px(3.6))
    label_font = ImageFont.truetype(font_file, _px(3.1))
    value_font = ImageFont.truetype(font_file, _px(2.7 if before is None else 2.4))
    title = f"{year}年度政府信息公开申请办理结果"
    tw = draw.textlength(title, font=title_font)
    draw.text(((width - tw) / 2, _px(2)), title, font=title_font, fill=TEXT)
    top, bottom = _px(10), height - _px(6 if before is not None else 3)
    left = max(draw.textlength(name, font=label_font) for name in labels) + _px(4)
    value_room = max(draw.textlength(f"{max(values + (before or [0]))}件（100.00%）", font=value_font), _px(20))
    right = width - _px(2) - value_room
    scale = (right - left) / (max(values + (before or [])) or 1)
    row = (bottom - top) / len(labels)
    draw.line([(left, top), (left, bottom)], fill=TEXT, width=2)
    for i, (name, o) in enumerate(zip(labels, now)):
        y0 = top + i * row
        lh = label_font.getbbox(name)[3]
        draw.text((left - _px(2) - draw.textlength(name, font=label_font), y0 + (row - lh) / 2), name,
                  font=label_font, fill=TEXT)
        bars = [(values[i], BLUE, f"{values[i]}件（{o.share:.2f}%）" if o.share is not None and before is None
                 else f"{values[i]}件")]
        if before is not None:
            bars.append((before[i], GREY, f"{before[i]}件"))
        bar_h = row * (0.6 if before is None else 0.36)
        for k, (v, colour, text) in enumerate(bars):
            y = y0 + (row - bar_h * len(bars)) / 2 + k * bar_h
            x1 = left + v * scale
            if v:
                draw.rectangle([left + 1, y, x1, y + bar_h - 2], fill=colour)
            vh = value_font.getbbox(text)[3]
            draw.text((x1 + _px(1.2), y + (bar_h - vh) / 2 - 1), text, font=value_font, fill=TEXT)
    if before is not None:
        x = width - _px(40)
        for colour, text in ((BLUE, f"{year}年"), (GREY, f"{previous['meta'].get('year')}年")):  # type: ignore[index]
            draw.rectangle([x, height - _px(4.5), x + _px(4), height - _px(1.8)], fill=colour)
            draw.text((x + _px(5), height - _px(5)), text, font=value_font, fill=TEXT)
            x += _px(18)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=6, dpi=(DPI, DPI))
    return buf.getvalue()


def alt_text(data: Mapping[str, Any]) -> str:
    """What the chart shows, in words (for screen readers and the caption)."""
    parts = [f"{o.name}{o.count}件" + (f"（{o.share:.2f}%）" if o.share is not None else "")
             for o in F.outcomes(data) if o.count is not None]
    return "申请办理结果：" + "，".join(parts)
