"""Prose as the report prints it, without the web page around it.

A saved page or its text dump carries the site's furniture into the report's text: a table of
contents of the report's own headings ("- 一、主动公开方面 … - 六、其他需要报告的事项"), bullets
and dashes standing alone, the big year and the repeated title of a page banner (with its pinyin
line), breadcrumbs ("当前位置：首页 >> …"), and footers (版权所有, ICP备, 打印本页 …).  These lines
are dropped; every other line is kept exactly as printed (wording and punctuation), so TXT-01
and XYR-04 compare the printed text.

Sub-parts of 一、总体情况 are told by what they are about (主动公开, 依申请公开, 政府信息管理,
平台建设, 监督保障), whatever their numbering: （一） (一) 一、 1. 01. 一是.
"""

from __future__ import annotations

import re
import unicodedata

_TOC_ENTRY = re.compile(r"^\s*[-*•·●○◆◇▪►>]+\s*\S.{0,40}$")
_ALONE = re.compile(r"^\s*(?:[-–—*•·●○◆◇▪|>»›/\\]+|\d{4}|\d{1,2}|[A-Za-z]|返回顶部|TOP|top)\s*$")
_LATIN = re.compile(r"^[A-Za-z0-9 ,.'’:;()\-]+$")  # a pinyin or English line of a page banner
_BREADCRUMB = re.compile(r"^\s*(?:[◇◆●>»]*\s*)?(?:当前位置|您的位置|您现在的位置|所在位置)[:：]|^\s*首页\s*(?:>|›|»|/|＞)|"
                         r"^\s*(?:>>|»|›)\s*\S")
_FOOTER = re.compile(r"版权所有|ICP备|网站标识码|公网安备|主办单位[:：]|承办单位[:：]|技术支持[:：]|打印本页|关闭窗口|"
                     r"【?字体[:：]?\s*[【\[]?大|字号[:：]\s*\[|分享到[:：]|阅读辅助|进入老年模式|无障碍浏览|访问次数[:：]|"
                     r"扫一扫在手机|上一篇[:：]|下一篇[:：]|网站地图\s*[|｜]|联系我们\s*[|｜]|分辨率以上浏览|浏览本网站")

# the sub-parts of 一、总体情况, by the words that name them (most specific first)
SUBPART_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("requests", ("依申请公开",)),
    ("active", ("主动公开",)),
    ("management", ("政府信息管理", "信息管理")),
    ("platforms", ("平台建设", "公开平台")),
    ("oversight", ("监督保障", "监督")),
)
_NUMBERING = re.compile(r"^\s*(?:[(（]\s*[一二三四五六七八九十]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|"
                        r"0?\d\s*[.．、]|[一二三四五六七八九十]+是)\s*")


def is_debris(line: str, title: "re.Pattern[str] | None" = None) -> bool:
    """A line of the page around the report, not of the report."""
    s = line.strip()
    if not s:
        return False
    if _ALONE.match(s) or _BREADCRUMB.search(s) or _FOOTER.search(s):
        return True
    if _TOC_ENTRY.match(s) and _heading_like(re.sub(r"^\s*[-*•·●○◆◇▪►>]+\s*", "", s)):  # a bulleted contents entry
        return True
    if _LATIN.match(s) and re.search(r"[A-Za-z]{2}", s) and not re.search(r"https?:|www\.|@", s):
        return True
    return bool(title is not None and len(s) <= 60 and title.search(s))


def _heading_like(s: str) -> bool:
    """A short numbered line without a sentence's punctuation: a heading, or an entry of contents."""
    s = unicodedata.normalize("NFKC", s).strip()
    return bool(_NUMBERING.match(s)) and len(s) <= 32 and not re.search(r"[。，,；;：:]", s)


def prose_lines(lines: list[str], title: "re.Pattern[str] | None" = None) -> list[str]:
    """``lines`` without the page's debris (blank lines kept: they separate paragraphs).  Three or
    more headings in a row with no text between them, each of which stands again further on, are a
    table of contents, not the report (headings of empty sub-parts do not stand again)."""
    kept = [ln for ln in lines if not is_debris(ln, title)]
    remaining: dict[str, int] = {}
    for ln in kept:
        if ln.strip() and _heading_like(ln):
            remaining[_key(ln)] = remaining.get(_key(ln), 0) + 1
    out: list[str] = []
    run: list[int] = []  # indexes in ``out`` of the current run of heading-like lines
    again: dict[int, bool] = {}  # index in ``out`` -> the same heading stands again further on

    def end_run() -> None:
        nonlocal out
        drop = {i for i in run if again[i]} if len(run) >= 3 else set()
        if len(drop) >= 3:
            out = [x for i, x in enumerate(out) if i not in drop]
        run.clear()

    for ln in kept:
        if not ln.strip():
            out.append(ln)
        elif _heading_like(ln):
            remaining[_key(ln)] -= 1  # how often it stands again after this line
            again[len(out)] = remaining[_key(ln)] > 0
            run.append(len(out))
            out.append(ln)
        else:
            end_run()
            out.append(ln)
    end_run()
    return out


def _key(s: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", s))


def subpart_heading(line: str) -> tuple[str, str] | None:
    """(sub-part key, the heading as printed) when ``line`` starts with a numbered sub-head of
    一、总体情况 naming its subject (“一、主动公开方面”, “(二)依申请公开方面。…”, “03.政府信息管理”)."""
    s = unicodedata.normalize("NFKC", line).strip()
    m = _NUMBERING.match(s)
    if not m:
        return None
    rest = s[m.end():]
    head = re.split(r"[。：:]", rest, maxsplit=1)[0]
    if len(head) > 16:
        return None
    for key, words in SUBPART_WORDS:
        if any(w in head for w in words):
            return key, head
    return None
