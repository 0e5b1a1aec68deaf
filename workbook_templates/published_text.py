"""Report data from the text of a published report (first step of importing published reports).

Label-anchored: each table row is found by its official label (from the format schema, compared
after normalising width, punctuation, spaces and common OCR slips), and its figures are the value
cells that follow it.  This reads reports whose tables were flattened one cell per line or
tab-separated.  Figures are taken as printed: nothing is "fixed"; a cell that cannot be read is
``null`` and said so in ``source.notes``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from . import schema as S
from .report_data import Report, empty_report, number, set_path

_OCR_LABEL = (("申清", "申请"), ("中请", "申请"))
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})
_BLANK = {"", "/", "-", "—", "－", "–", "——", "无"}
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_LEADING = re.compile(r"^([+-]?\d+(?:\.\d+)?)")
_TITLE = re.compile(r"(?:(\d{4})年度?)?(.{2,40}?)(?:(\d{4})年度?)?政府信息公开工作\s*年度报告")


def norm(text: str) -> str:
    """A label for comparison: NFKC, no spaces or quotes, OCR slips mended, 1、/1． → 1."""
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"[“”\"'‘’]", "", s)
    for wrong, right in _OCR_LABEL:
        s = s.replace(wrong, right)
    return re.sub(r"^(\d+)[、.．]", r"\1.", s)


@dataclass
class Cell:
    value: int | float | None
    printed: str
    note: str | None = None


def value_cell(token: str) -> Cell | None:
    """A token as a value cell, or None when it is not one (a label)."""
    raw = unicodedata.normalize("NFKC", token).strip()
    if raw in _BLANK:
        return Cell(None, token)
    compact = raw.replace(",", "").replace(" ", "")
    if re.fullmatch(r"[+-]?[0-9OolI|]+(?:\.[0-9OolI|]+)?", compact) and re.search(r"\d", compact):
        fixed = compact.translate(_OCR_DIGITS)
        note = "OCR 字符按数字读取" if fixed != compact else None
        return Cell(number(float(fixed)), token, note)
    m = _LEADING.match(compact)
    if m:
        v = number(float(m.group(1)))
        if "万元" in compact:
            return Cell(number(round(v * 10000, 2)), token, "原文以万元印出，换算为元")
        return Cell(v, token, "数字格中有文字，取了开头的数字")
    return None


@dataclass
class Parsed:
    data: Report
    notes: list[str] = field(default_factory=list)


def tokens(text: str) -> list[str]:
    out = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        for part in line.split("\t"):
            part = part.strip()
            if part:
                out.append(part)
    return out


def detect_edition(toks: list[str]) -> S.Edition:
    keys = {norm(t) for t in toks}
    old_only = ("第二十条第(九)项", "本年新制作数量", "上一年项目数量", "其他对外管理服务事项")
    return S.EDITION_2019 if any(k in keys for k in old_only) else S.EDITION_2021


def _heading(toks: list[str], edition: S.Edition, part: int, start: int = 0) -> int:
    """The token that is part ``part``'s heading (numbered 一、 or 01./02., or the 条例 long form)."""
    body = norm(edition.headings[part].split("、", 1)[1])
    for i in range(start, len(toks)):
        k = norm(toks[i])
        if len(k) > len(body) + 14:
            continue
        if body in k or (part == 3 and "行政复议" in k and "诉讼情况" in k):
            return i
    return -1


def _find(toks: list[str], start: int, end: int, label: str, *, exact: bool = False) -> int:
    want = norm(label)
    for i in range(start, end):
        k = norm(toks[i])
        if (k == want) if exact else k.startswith(want):
            return i
    return -1


def _values(toks: list[str], at: int, count: int, end: int) -> list[Cell] | None:
    out: list[Cell] = []
    i = at + 1
    while i < end and len(out) < count:
        cell = value_cell(toks[i])
        if cell is None:
            return None
        out.append(cell)
        i += 1
    return out if len(out) == count else None


def _put(data: Report, source: dict[str, Any], path: str, cell: Cell) -> None:
    set_path(data, path, cell.value)
    if cell.note or (cell.value is not None and not _NUMBER.match(unicodedata.normalize("NFKC", cell.printed)
                                                                   .replace(",", "").strip())):
        source["cells"][path] = {"printed": cell.printed, "note": cell.note or "原文印法"}


def parse(text: str) -> Parsed:
    """Report data from one report's text (tables as printed)."""
    toks = tokens(text)
    edition = detect_edition(toks)
    data = empty_report(edition)
    source: dict[str, Any] = {"format": "txt", "cells": {}, "labels": {}, "notes": [], "headings": []}
    notes = source["notes"]
    n = len(toks)
    heads = []
    for part in range(6):
        heads.append(_heading(toks, edition, part, max([h for h in heads if h >= 0], default=0)))
    # 第二部分
    start2 = heads[1] if heads[1] >= 0 else 0
    end2 = heads[2] if heads[2] > start2 else n
    for block in edition.active_blocks:
        cap = _find(toks, start2, end2, block.caption, exact=True)
        if cap < 0:
            notes.append(f"没有找到第二部分“{block.caption}”")
            continue
        for row in block.rows:
            at = _find(toks, cap, end2, row.label, exact=True)
            cells = _values(toks, at, len(block.columns), end2) if at >= 0 else None
            if cells is None:
                notes.append(f"第二部分“{row.label}”行没有读到 {len(block.columns)} 个数字")
                continue
            for col, cell in zip(block.columns, cells):
                _put(data, source, f"active.{row.key}.{col.key}", cell)
    # 第三部分
    start3 = heads[2] if heads[2] >= 0 else 0
    end3 = heads[3] if heads[3] > start3 else n
    pos = start3
    found3 = 0
    for row in edition.application_rows:
        at = _find(toks, pos, end3, row.label)
        cells = _values(toks, at, len(edition.application_columns), end3) if at >= 0 else None
        if cells is None:
            notes.append(f"第三部分“{row.label}”行没有读到 7 个数字")
            continue
        found3 += 1
        if norm(toks[at]) != norm(row.label):
            source["labels"][f"applications.{row.key}"] = toks[at]
        for col, cell in zip(edition.application_columns, cells):
            _put(data, source, f"applications.{row.key}.{col.key}", cell)
        pos = at + 1
    # 第四部分: the first run of fifteen value cells after its heading
    start4 = heads[3] if heads[3] >= 0 else end3
    end4 = heads[4] if heads[4] > start4 else n
    run: list[Cell] = []
    for t in toks[start4 + 1: end4]:
        cell = value_cell(t)
        run = run + [cell] if cell is not None else []
        if len(run) == 15:
            break
    if len(run) == 15:
        paths = [f"review_litigation.{g.key}.{r.key}" for g in edition.review_groups for r in edition.review_results]
        for path, cell in zip(paths, run):
            _put(data, source, path, cell)
    else:
        notes.append("第四部分没有读到 15 个连续的数字")
    # meta
    m = next((m for m in map(_TITLE.search, text.splitlines()) if m), None)
    if m:
        year = m.group(1) or m.group(3)
        agency = re.sub(r"^[(（][^)）]*[)）]", "", re.sub(r"\s+", "", m.group(2)))
        set_path(data, "meta.agency", agency)
        set_path(data, "meta.agency_kind", S.infer_agency_kind(agency))
        if year:
            set_path(data, "meta.year", int(year))
        source["title"] = m.group(0).strip()
    _prose(text, edition, data, source)
    if found3 == 0:
        notes.append("没有找到第三部分的表格")
    data["source"] = source
    return Parsed(data, notes)


_FEE_NONE = re.compile(r"未收取[^。；;]{0,12}(?:信息)?处理费")
_FEE_SUM = re.compile(r"收取[^。；;\d]{0,20}(?:信息)?处理费[^。；;\d]{0,6}?(\d+(?:\.\d+)?)\s*元")


def _prose(text: str, edition: S.Edition, data: Report, source: dict[str, Any]) -> None:
    """Parts 一, 五 and 六 as printed (between their headings), and the 信息处理费 statement.
    Part 一 is kept whole as its lead text (not yet split into its sub-parts)."""
    lines = [ln.strip() for ln in text.replace("\r", "").split("\n")]
    keys = [norm(ln) for ln in lines]
    idx = {}
    for part in (0, 1, 4, 5):
        body = norm(edition.headings[part].split("、", 1)[1])
        idx[part] = next((i for i, k in enumerate(keys) if body in k and len(k) <= len(body) + 14), -1)
    if idx[0] >= 0 and idx[1] > idx[0]:
        set_path(data, "text.overview.intro", "\n".join(ln for ln in lines[idx[0] + 1: idx[1]] if ln) or None)
        source["notes"].append("第一部分整段导入为导语，未按（一）至（五）拆分")
    if idx[4] >= 0:
        end = idx[5] if idx[5] > idx[4] else len(lines)
        set_path(data, "text.problems", "\n".join(ln for ln in lines[idx[4] + 1: end] if ln) or None)
        source["headings"].append(lines[idx[4]])
    if idx[5] >= 0:
        body = []
        for ln in lines[idx[5] + 1:]:
            if _TITLE.search(ln) and body:  # the next report, or the page footer repeating the title
                break
            if ln:
                body.append(ln)
        set_path(data, "text.other", "\n".join(body) or None)
        source["headings"].append(lines[idx[5]])
        other = "\n".join(body)
        m = _FEE_SUM.search(other)
        if m:
            set_path(data, "fees.info_processing_fee_yuan", number(float(m.group(1))))
        elif _FEE_NONE.search(other):
            set_path(data, "fees.info_processing_fee_yuan", 0)


@dataclass
class Section:
    year: int | None
    title: str
    text: str


def reports_in(text: str) -> list[Section]:
    """The reports a text holds (a web page may bundle several years): sections that start at a
    title line and contain a 第三部分 table."""
    first_row = norm(S.EDITION_2021.application_rows[0].label)
    lines = text.replace("\r\n", "\n").split("\n")
    starts = [(i, m) for i, ln in enumerate(lines) if (m := _TITLE.search(ln)) and len(ln.strip()) <= 60]
    sections = []
    for k, (i, m) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        body = "\n".join(lines[i:end])
        if first_row in norm(body):
            year = m.group(1) or m.group(3)
            sections.append(Section(int(year) if year else None, m.group(0).strip(), body))
    return sections


def parse_report(text: str, year: int | None = None) -> Parsed:
    """One report from a text that may hold several (choose with ``year``)."""
    from .errors import NianbaoError

    sections = reports_in(text)
    distinct = {s.year for s in sections}
    if len(distinct) > 1:
        chosen = [s for s in sections if s.year == year] if year is not None else []
        if not chosen:
            listing = [f"{s.year} 年度：{s.title}" for s in sections]
            raise NianbaoError("这个文件里有多份年度报告，请用 --year 指定要导入哪一年。",
                               "the file holds several reports: choose one with --year", details=listing)
        # a page may repeat a title (a summary and the full text): take the one with the most text
        text = max(chosen, key=lambda s: len(s.text)).text
    return parse(text)
