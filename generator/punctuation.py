"""Half-width punctuation in Chinese text printed full-width, as a 公文 prints it.

Text copied from a web page or typed on an English keyboard often holds “2023年度,海宁市” or
“(一)存在问题”.  When the report is generated, a mark next to a Chinese character becomes its
full-width form: , ; : ? ! → ，；：？！, a pair of ( ) around or beside Chinese → （ ）, and a pair
of straight double quotes around Chinese → “ ”.  Figures and Latin text keep theirs: 1,000 and
3.5 and 10:30 and http://… and (PDF) between Latin words are left alone, and so is the full stop
(“1.属于国家秘密” is a numbering, “5.17%” a figure).  Spaces next to a mark that became
full-width are dropped: a full-width mark carries its own space.  (“10:30,地点” → “10:30，地点”:
a mark with a Chinese character on either side belongs to the Chinese sentence.)

The generator applies this to the person's own text only (the sentences it computes are written
full-width already); ``nianbao import`` never does: it keeps the printed text verbatim."""

from __future__ import annotations

import re

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_FULL = "\u3000-\u303f\uff01-\uff60\u2018\u2019\u201c\u201d\u2026\u2014"  # CJK and full-width signs
_CJK = f"[{_HAN}{_FULL}]"
_MARKS = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_MARK = re.compile(rf"(?<={_CJK}) *([,;:?!]) *| *([,;:?!]) *(?={_CJK})")
_PAREN = re.compile(r"\(([^()]*)\)")
_QUOTE = re.compile(r'"([^"]*)"')
_HAS_HAN = re.compile(f"[{_HAN}]")
_NEXT_TO = re.compile(_CJK)


def _mark(m: re.Match[str]) -> str:
    return _MARKS[m.group(1) or m.group(2)]


def _pairs(pattern: re.Pattern[str], opening: str, closing: str, text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if _HAS_HAN.search(m.group(1)) or _NEXT_TO.fullmatch(before or "x") or _NEXT_TO.fullmatch(after or "x"):
            return f"{opening}{m.group(1).strip()}{closing}"
        return m.group(0)

    return pattern.sub(sub, text)


def full_width(text: str) -> str:
    """``text`` with the half-width marks next to Chinese characters made full-width."""
    out = []
    for line in text.split("\n"):
        line = _pairs(_PAREN, "（", "）", line)
        line = _pairs(_QUOTE, "“", "”", line)
        line = _MARK.sub(_mark, line)
        line = re.sub(rf"(?<={_CJK}) +(?=[（“])|(?<=[）”]) +(?={_CJK})", "", line)
        out.append(line)
    return "\n".join(out)
