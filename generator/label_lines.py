"""Table labels broken into lines at sensible points, for a cell a given number of characters wide.

Chinese has no spaces, so a narrow cell lets the engine break anywhere ("商业企/业", "（三）不/予公开").
A header or group label is therefore written with line breaks of our own: after its numbering
("三、", "（三）", "1."), then between the words of a small lexicon of the words the official
labels are made of; a character outside the lexicon is a word of its own, so a label the lexicon
does not know still breaks, only as the engine would.  Closing punctuation stays on the line it
closes, opening punctuation goes with what it opens."""

from __future__ import annotations

import re

# Words of the tables' header and group labels (both editions).  Longest match first.
WORDS = (
    "本年度", "自然人", "法人", "其他", "组织", "商业", "企业", "科研", "机构", "社会", "公益", "法律", "服务",
    "办理", "结果", "不予", "予以", "公开", "部分", "无法", "提供", "处理", "总计", "申请人", "情况",
    "维持", "纠正", "尚未", "审结", "行政", "复议", "诉讼", "未经", "直接", "起诉", "信息", "内容",
    "本年", "制发", "废止", "件数", "现行", "有效", "决定", "数量", "收费", "金额", "单位", "万元",
)
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")
_CLOSING = set("）、，。；：”》」！？%")
_OPENING = set("（“《「")


def width(text: str) -> float:
    """Printed width in characters: a Han character or full-width sign is 1, ASCII is ½."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def tokens(text: str) -> list[str]:
    out: list[str] = []
    m = _NUMBERING.match(text)
    if m:
        out.append(m.group(0))
        text = text[m.end():]
    words = sorted(WORDS, key=len, reverse=True)
    i = 0
    while i < len(text):
        word = next((w for w in words if text.startswith(w, i)), text[i])
        if word in _CLOSING and out:
            out[-1] += word
        elif out and out[-1] and out[-1][-1] in _OPENING:
            out[-1] += word
        else:
            out.append(word)
        i += len(word)
    return out


def label_lines(text: str, chars: float) -> list[str]:
    """``text`` as lines of at most ``chars`` characters, broken only between tokens (a token
    longer than the line stands on a line of its own)."""
    if width(text) <= chars:
        return [text]
    lines: list[str] = []
    for tok in tokens(text):
        if lines and width(lines[-1] + tok) <= chars:
            lines[-1] += tok
        else:
            lines.append(tok)
    return lines


def longest_token(text: str) -> float:
    return max((width(t) for t in tokens(text)), default=0.0)
