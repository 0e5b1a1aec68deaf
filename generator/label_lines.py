"""Table labels broken into lines at sensible points, for a cell a given number of characters wide.

Chinese has no spaces, so a narrow cell lets the engine break anywhere ("商业企/业", "（三）不/予公开").
A header or group label is therefore written with line breaks of our own: after its numbering
("三、", "（三）", "1."), then between the words of a small lexicon of the words the official
labels are made of; a character outside the lexicon is a word of its own, so a label the lexicon
does not know still breaks, only as the engine would.  Closing punctuation stays on the line it
closes, opening punctuation goes with what it opens."""

from __future__ import annotations

import re

# Words of the tables' labels (both editions).  Longest match first.
WORDS = (
    "本年度", "自然人", "法人", "其他", "组织", "商业", "企业", "科研", "机构", "社会", "公益", "法律", "服务",
    "办理", "结果", "不予", "予以", "公开", "部分", "无法", "提供", "处理", "总计", "申请人", "情况",
    "维持", "纠正", "尚未", "审结", "行政", "复议", "诉讼", "未经", "直接", "起诉", "信息", "内容",
    "本年", "制发", "废止", "件数", "现行", "有效", "决定", "数量", "收费", "金额", "单位", "万元",
    # the row labels of 第三部分
    "属于", "国家", "秘密", "法规", "禁止", "危及", "保护", "第三方", "合法", "权益", "三类", "四类", "内部",
    "事务", "过程性", "执法", "案卷", "查询", "事项", "本机关", "不掌握", "相关", "政府", "没有", "现成",
    "需要", "另行", "制作", "补正后", "申请", "仍不", "明确", "信访", "举报", "投诉类", "重复", "要求",
    "出版物", "无正当", "理由", "大量", "反复", "确认", "重新", "出具", "已获取", "逾期", "不补正", "不再",
    "未按", "通知", "缴纳", "费用", "区分", "只计", "这一", "情形", "不计", "结转", "下年度", "继续",
    "上年", "新收", "处理费",
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
    longer than the line stands on a line of its own), in as few lines as the greedy fill needs
    and of lengths as even as they can be ("3.补正后申请/内容仍不明确", not "…仍不明/确")."""
    if width(text) <= chars:
        return [text]
    toks = tokens(text)
    greedy: list[str] = []
    for tok in toks:
        if greedy and width(greedy[-1] + tok) <= chars:
            greedy[-1] += tok
        else:
            greedy.append(tok)
    n = len(greedy)
    # best[i][k]: the narrowest widest line splitting toks[i:] into k lines (each within chars)
    inf = float("inf")
    best: dict[tuple[int, int], tuple[float, int]] = {(len(toks), 0): (0.0, len(toks))}
    for i in range(len(toks) - 1, -1, -1):
        for k in range(1, n + 1):
            options = []
            for j in range(i + 1, len(toks) + 1):
                w = width("".join(toks[i:j]))
                if w > chars and j > i + 1:
                    break
                rest = best.get((j, k - 1))
                if rest is not None and rest[0] < inf:
                    options.append((max(w, rest[0]), j))
            if options:
                best[(i, k)] = min(options)
    if (0, n) not in best:
        return greedy
    lines, i, k = [], 0, n
    while k:
        j = best[(i, k)][1]
        lines.append("".join(toks[i:j]))
        i, k = j, k - 1
    return lines


def longest_token(text: str) -> float:
    return max((width(t) for t in tokens(text)), default=0.0)
