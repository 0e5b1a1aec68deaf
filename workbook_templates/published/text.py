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

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import Report, empty_report, get_path, number, set_path

_OCR_LABEL = (("申清", "申请"), ("中请", "申请"))
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})
_BLANK = {"", "/", "／", "-", "—", "－", "–", "——", "--", "无", "·", "•", "・", "…", "……", "\\", "＼"}
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
    if m and compact[m.end():][:1] in ("(", "（", "元", "万", "件", "个", "项", "%"):  # a figure with a note or unit
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
    """Cells in reading order: lines split at tabs; an empty table cell (EMPTY) is kept."""
    from nianbao.workbook_templates.published.files import EMPTY

    out = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.count("|") >= 2 or line.count("｜") >= 2:  # a pipe table in plain text
            line = "\t".join(c.strip() or EMPTY for c in re.split(r"[|｜]", line.strip().strip("|｜")))
        parts = line.split("\t")
        first = next((i for i, p in enumerate(parts) if p.strip() and p.strip() != EMPTY), None)
        leading = True  # right after the label: an empty part may be a merged label column
        for i, part in enumerate(parts):
            if EMPTY in part and not part.replace(EMPTY, "").strip():
                out.append(EMPTY)
            elif part.strip():
                out.extend(_cells_in(part.strip()))
                leading = i == first
            elif first is not None and i > first:  # nothing between two tabs after the label: a blank cell
                out.append(LEAD_EMPTY if leading else EMPTY)
    return out


LEAD_EMPTY = "\x1e"  # an empty part right after a label in tab-separated text: a blank cell or a merged label column


_FIGURE_WORD = re.compile(r"^[+\-]?[0-9０-９]")


def _cells_in(part: str) -> list[str]:
    """A line whose tabs became spaces (PDF text, converted documents): the label words, then each
    figure as its own cell — only when everything after the label is figures."""
    words = part.split()
    if len(words) < 2:
        return [part]
    j = len(words)
    while j > 0 and _FIGURE_WORD.match(words[j - 1]):
        j -= 1
    return [part] if j == len(words) else words


def _telling_labels(edition: S.Edition) -> list[str]:
    """The 第二部分 labels only ``edition`` prints, normalised, that are not part of a label the
    other edition prints (“规范性文件” is inside 2021's “行政规范性文件”)."""
    others = [norm(lab) for e in S.EDITIONS.values() if e is not edition for lab in S.only_in(e)]
    return [k for k in (norm(lab) for lab in S.only_in(edition)) if not any(k in o for o in others)]


def detect_edition(toks: list[str]) -> S.Edition:
    """The edition of the table as printed, by its labels (never by the year): a cell equal to a
    label only one edition prints, or such labels in the running text (OCR, PDF text)."""
    keys = {norm(t) for t in toks}
    for edition in S.EDITIONS.values():
        if any(norm(k) in keys for k in S.only_in(edition)) and edition is S.EDITION_2019:
            return edition
    flat = "".join(norm(t) for t in toks)
    score = {e.key: sum(1 for k in _telling_labels(e) if k in flat) for e in S.EDITIONS.values()}
    return S.EDITION_2019 if score["2019"] > score["2021"] else S.EDITION_2021


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
    """The token holding ``label``: equal to it, starting with it (a note printed after the label),
    or — when ``exact`` — equal to it but for a figure glued to its end (PDF text)."""
    want = norm(label)
    for i in range(start, end):
        k = norm(toks[i])
        if k == want or (k.startswith(want) and (not exact or _glued(toks[i], label) is not None)):
            return i
    return -1


def _glued(token: str, label: str) -> Cell | None:
    """A figure printed without a space after the label (“行政事业性收费49”), as its first cell."""
    rest = norm(token)[len(norm(label)):]
    return value_cell(rest) if rest and re.match(r"^[+\-]?\d", rest) else None


def _values(toks: list[str], at: int, count: int, end: int, label: str = "") -> list[Cell] | None:
    """The ``count`` value cells after the label at ``at``: empty parts right after a label are a
    merged label column when the row has its cells without them, else blank cells."""
    return _values_from(toks, at, count, end, label, skip_lead=True) or _values_from(toks, at, count, end, label,
                                                                                      skip_lead=False)


def _values_from(toks: list[str], at: int, count: int, end: int, label: str, *, skip_lead: bool) -> list[Cell] | None:
    first = _glued(toks[at], label) if label else None
    out: list[Cell] = [first] if first is not None else []
    i = at + 1
    while skip_lead and i < end and toks[i] == LEAD_EMPTY:
        i += 1
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
    source["parts"] = [toks[h] if h >= 0 else None for h in heads]  # the six headings as printed
    if heads[2] >= 0:
        end = heads[3] if heads[3] > heads[2] else n
        source["unmatched"] = sorted({t for t in toks[heads[2]: end] if "小计" in t or "合计" in t})
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
            cells = _values(toks, at, len(block.columns), end2, row.label) if at >= 0 else None
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
    single_other = None
    if edition.key == "2021":  # a 2021-format report printing （六）其他处理 as one row (the 2019 way)
        old = next(r for r in S.get_edition("2019").application_rows if r.key == "other_handling")
        at = _find(toks, start3, end3, old.label, exact=True)
        single_other = _values(toks, at, len(edition.application_columns), end3) if at >= 0 else None
    for row in edition.application_rows:
        if single_other is not None and row.key.startswith("other_") and row.key != "other_other":
            continue
        if single_other is not None and row.key == "other_other":
            for col, cell in zip(edition.application_columns, single_other):
                _put(data, source, f"applications.{row.key}.{col.key}", cell)
                source["cells"][f"applications.{row.key}.{col.key}"] = {
                    "printed": cell.printed, "note": "原文“（六）其他处理”印为一行（2019 年格式），记入“3.其他”"}
            source["single_other_row"] = True
            source["not_printed"] = [f"applications.{r.key}.{c.key}" for r in edition.application_rows
                                     if r.key.startswith("other_") and r.key != "other_other"
                                     for c in edition.application_columns]
            notes.append("第三部分“（六）其他处理”印为一行（2019 年格式的写法），无法拆成三项，整行记入“3.其他”，"
                         "另两项原文没有（留空，不算未填）")
            found3 += 1
            continue
        at = _find(toks, pos, end3, row.label)
        cells = _values(toks, at, len(edition.application_columns), end3, row.label) if at >= 0 else None
        if cells is None:
            notes.append(f"{S.Part.PART3}“{row.label}”行没有读到 {len(edition.application_columns)} 个数字")
            continue
        found3 += 1
        if norm(toks[at]) != norm(row.label) and _glued(toks[at], row.label) is None:
            source["labels"][f"applications.{row.key}"] = toks[at]
        for col, cell in zip(edition.application_columns, cells):
            _put(data, source, f"applications.{row.key}.{col.key}", cell)
        pos = at + 1
    # 第四部分: the first run of its value cells (3 groups × 5 results) after its heading
    size4 = len(edition.review_groups) * len(edition.review_results)
    start4 = heads[3] if heads[3] >= 0 else end3
    end4 = heads[4] if heads[4] > start4 else n
    run: list[Cell] = []
    for t in toks[start4 + 1: end4]:
        cell = value_cell(t)
        if cell is None or (not run and cell.value is None):  # a run starts at a figure
            run = []
            continue
        run.append(cell)
        if len(run) == size4:
            break
    if len(run) == size4:
        paths = [f"review_litigation.{g.key}.{r.key}" for g in edition.review_groups for r in edition.review_results]
        for path, cell in zip(paths, run):
            _put(data, source, path, cell)
    else:
        notes.append(f"{S.Part.PART4}没有读到 {size4} 个连续的数字")
    if found3 < len(edition.application_rows) // 2 or len(run) < size4 or any(S.Part.PART2 in x for x in notes):
        _run_together(text, edition, data, source, need_table3=found3 < len(edition.application_rows) // 2,
                      need_table4=len(run) < size4)
        found3 = max(found3, sum(1 for r in edition.application_rows
                                 if data["applications"][r.key]["total"] is not None))
    # meta
    m = next((m for _, m in _titles(text.splitlines())), None)
    if m:
        year = m.group(1) or m.group(3)
        agency = re.sub(r"^[(（][^)）]*[)）]", "", re.sub(r"\s+", "", m.group(2)))
        lead = re.match(r"^(\d{4})年度?", agency)
        if lead:
            year, agency = year or lead.group(1), agency[lead.end():]
        set_path(data, "meta.agency", agency)
        set_path(data, "meta.agency_kind", S.infer_agency_kind(agency))
        if year:
            set_path(data, "meta.year", int(year))
        source["title"] = m.group(0).strip()
    _prose(text, edition, data, source)
    flat = unicodedata.normalize("NFKC", text)
    m = re.search(r"请与([^。；;,，]{2,40}?)联系\s*[(（]?\s*(?:电话[:：]?\s*([\d\-－ ]{7,20}))?", flat)
    if m:
        contact = m.group(1) + (f"（电话：{m.group(2).strip()}）" if m.group(2) else "")
        set_path(data, "meta.contact", contact.replace("(", "（").replace(")", "）").replace(":", "："))
    m = re.search(r"发布日期[:：]\s*(\d{4}-\d{2}-\d{2})", flat)
    if m:
        set_path(data, "meta.published", m.group(1))
    if found3 == 0:
        notes.append("没有找到第三部分的表格")
    data["source"] = source
    return Parsed(data, notes)


def _titles(lines: list[str]) -> list[tuple[int, re.Match[str]]]:
    """The title lines (index, match): a title on one line, or broken over two short lines
    (a PDF or .docx title set in two lines: “海宁市人民政府2023年度” / “政府信息公开工作年度报告”)."""
    out = []
    for i, ln in enumerate(lines):
        s = ln.strip()
        if len(s) > 60:
            continue
        m = _TITLE.search(s)
        if m is None and i + 1 < len(lines) and 0 < len(s) <= 30 and 0 < len(lines[i + 1].strip()) <= 30 \
                and not _TITLE.search(lines[i + 1]):
            m = _TITLE.search(s + lines[i + 1].strip())
        if m:
            out.append((i, m))
    return out


_SUBHEAD = re.compile(r"^[(（]([一二三四五])[)）]\s*")


def _overview(lines: list[str], edition: S.Edition, data: Report, source: dict[str, Any]) -> None:
    """Part 一: the lead text, then its sub-parts （一）…（五） in the conventional order; a short
    sub-head phrase ending in 。 (“主动公开情况。”) is the sub-head, not text."""
    from nianbao.workbook_templates.published.clean import subpart_heading

    keys = [lab.key for lab in edition.overview_subparts if lab.key != "intro"]
    order = "一二三四五"
    parts: dict[str, list[str]] = {"intro": []}
    current = "intro"
    for ln in lines:
        named = subpart_heading(ln)
        if named and named[0] not in parts:  # a sub-head naming its subject, numbered in any style
            current = named[0]
            at = ln.find(named[1][:2])
            head, dot, tail = ln[at:].partition("。")
            rest = tail if dot and len(head) <= 16 else ("" if not dot else ln[at + len(head) + 1:])
            parts[current] = [rest.strip()] if rest.strip() else []
            source["headings"].append(ln[: at + len(head) + (1 if dot else 0)].strip())
            continue
        m = _SUBHEAD.match(ln)
        if m and order.index(m.group(1)) < len(keys) and keys[order.index(m.group(1))] not in parts:
            current = keys[order.index(m.group(1))]
            rest = ln[m.end():]
            head, dot, tail = rest.partition("。")
            if dot and len(head) <= 12:
                rest = tail
            elif len(rest) <= 14:
                rest = ""
            parts[current] = [rest] if rest else []
            source["headings"].append(ln[: m.end() + min(len(rest), 12)] if not dot else ln[: m.end() + len(head) + 1])
            continue
        parts[current].append(ln)
    for key, body in parts.items():
        set_path(data, f"text.overview.{key}", "\n".join(b for b in body if b) or None)
    if len(parts) == 1:
        source["notes"].append("第一部分没有（一）至（五）小标题，整段导入为导语")


_FEE_NONE = re.compile(r"未收取[^。；;]{0,12}(?:信息)?处理费")
_FEE_SUM = re.compile(r"收取[^。；;\d]{0,20}(?:信息)?处理费[^。；;\d]{0,6}?(\d+(?:\.\d+)?)\s*元")


def _prose(text: str, edition: S.Edition, data: Report, source: dict[str, Any]) -> None:
    """Parts 一, 五 and 六 as printed (between their headings), and the 信息处理费 statement.
    Part 一 is kept whole as its lead text (not yet split into its sub-parts)."""
    from nianbao.workbook_templates.published.clean import prose_lines

    lines = prose_lines([ln.strip() for ln in text.replace("\r", "").split("\n")], _TITLE)
    keys = [norm(ln) for ln in lines]
    idx = {}
    after = 0  # headings in order: a heading named earlier (a contents list) does not count
    for part in (0, 1, 4, 5):
        body = norm(edition.headings[part].split("、", 1)[1])
        idx[part] = next((i for i in range(after, len(keys)) if body in keys[i] and len(keys[i]) <= len(body) + 14), -1)
        after = idx[part] + 1 if idx[part] >= 0 else after
    if idx[4] < 0 and idx[5] < 0:  # no heading stands on a line of its own: the text runs together
        from nianbao.workbook_templates.published import runs as R

        flat = R.flatten(text)
        heads = R.headings(flat, edition)
        bodies = {}
        for part in (0, 4, 5):
            if heads[part] < 0:
                continue
            after = [h for h in heads[part + 1:] if h > heads[part]] if part < 5 else []
            start = heads[part] + len(re.sub(r"\s", "", unicodedata.normalize("NFKC", edition.headings[part])))
            bodies[part] = flat[start: after[0] if after else len(flat)]
        if 0 in bodies:
            set_path(data, "text.overview.intro", bodies[0] or None)
        if 4 in bodies:
            set_path(data, "text.problems", bodies[4] or None)
        if 5 in bodies:
            set_path(data, "text.other", bodies[5] or None)
            _fee(bodies[5], data)
        source["notes"].append("正文与表格连写（OCR），各部分文字按标题位置截取，未保留换行")
        return
    if idx[0] >= 0 and idx[1] > idx[0]:
        heading = {norm(edition.headings[0]), norm(edition.headings[0].split("、", 1)[1])}
        _overview([ln for ln in lines[idx[0] + 1: idx[1]] if ln and norm(ln) not in heading],  # not its repeat
                  edition, data, source)
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
        _fee("\n".join(body), data)


def _fee(other: str, data: Report) -> None:
    """The 信息处理费 statement of part 六: an amount in 元, or 未收取 (0)."""
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
    first_row = norm(S.get_edition("2021").application_rows[0].label)
    lines = text.replace("\r\n", "\n").split("\n")
    starts = _titles(lines)
    sections = []
    for k, (i, m) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        body = "\n".join(lines[i:end])
        if first_row in norm(body):
            year = m.group(1) or m.group(3)
            sections.append(Section(int(year) if year else None, m.group(0).strip(), body))
    return sections


def parse_report(text: str, year: int | None = None, agency: str | None = None) -> Parsed:
    """One report from a text that may hold several (choose with ``year`` and/or ``agency``)."""
    from nianbao.workbook_templates.format.errors import NianbaoError

    sections = reports_in(text)
    distinct = {(s.year, s.title) for s in sections}
    if len({s.year for s in sections}) > 1 or len(distinct) > 1 and agency:
        chosen = [s for s in sections if (year is None or s.year == year)
                  and (not agency or norm(agency) in norm(s.title))]
        if not chosen or (year is None and not agency):
            listing = [f"{s.year} 年度：{s.title}" for s in sections]
            raise NianbaoError("这个文件里有多份年度报告，请用 --year（或 --agency）指定要导入哪一份。",
                               "the file holds several reports: choose one with --year/--agency", details=listing)
        # a page may repeat a title (a summary and the full text): take the one with the most text
        text = max(chosen, key=lambda s: len(s.text)).text
    return parse(text)


def _run_together(text: str, edition: S.Edition, data: Report, source: dict[str, Any], *, need_table3: bool,
                  need_table4: bool) -> None:
    """Tables whose cells run together with their labels (OCR): see published_runs."""
    from nianbao.workbook_templates.published import runs as R

    flat = R.flatten(text)
    heads = R.headings(flat, edition)
    budget = R.Budget()  # one hard budget for the whole report
    if not any(source.get("parts") or []):
        source["parts"] = [edition.headings[i] if h >= 0 else None for i, h in enumerate(heads)]
    notes = source["notes"]
    if need_table3 and heads[2] >= 0:
        decoded = R.decode_table3(flat, edition, heads[2], heads[3] if heads[3] > heads[2] else len(flat),
                                  budget)
        cols = [c.key for c in edition.application_columns]
        for key, values in decoded.values.items():
            if values is None:
                continue
            for c, v in zip(cols, values):
                path = f"applications.{key}.{c}"
                set_path(data, path, v)
                source["cells"][path] = {"printed": "".join(str(x) for x in values), "split_by_arithmetic": True,
                                         "assumed": decoded.assumed.get(key, []),
                                         "note": "数字与标签连写，按表格自身的勾稽关系拆分"}
        notes.extend(f"第三部分：{x}" for x in decoded.notes)
        missing = [k for k, v in decoded.values.items() if v is None]
        if missing:
            notes.append(f"第三部分无法读出的行（留空）：{'、'.join(missing)}")
        notes = [x for x in notes if not x.startswith("第三部分“")]
        source["notes"] = notes
    # 第二部分 rows that the cell-by-cell reading missed
    labels = [(f"active.{row.key}", row.label, block) for block in edition.active_blocks for row in block.rows]
    for i, (prefix, label, block) in enumerate(labels):
        if any(get_path(data, f"{prefix}.{c.key}") is not None for c in block.columns):
            continue
        cap = flat.find(norm(block.caption))
        at = flat.find(norm(label), cap if cap >= 0 else 0)
        if at < 0:
            continue
        nexts = [flat.find(norm(lab), at + len(norm(label))) for _, lab, _ in labels[i + 1:]]
        nexts += [flat.find(norm(b.caption), at) for b in edition.active_blocks]
        nexts += [heads[2]]
        end = min([x for x in nexts if x > at] or [len(flat)])
        values, printed, row_notes = R.decode_active_row(flat[at + len(norm(label)): end], len(block.columns))
        for col, v, pr in zip(block.columns, values, printed):
            if v is not None:
                set_path(data, f"{prefix}.{col.key}", v)
                if pr and not _NUMBER.match(pr):
                    source["cells"][f"{prefix}.{col.key}"] = {"printed": pr, "note": "数字格中有文字，取了开头的数字"}
        notes.extend(f"第二部分“{label}”：{x}" for x in row_notes)
    source["notes"] = [x for x in notes if not (x.startswith("没有找到第二部分") or
                                                (x.startswith("第二部分“") and "没有读到" in x))]
    if need_table4 and heads[3] >= 0:
        end = heads[4] if heads[4] > heads[3] else len(flat)
        digits = "".join(re.findall(r"[0-9]", flat[heads[3]: end]))
        try:
            sols = R.decode_groups(digits, len(edition.review_groups), len(edition.review_results), budget=budget)
        except R.BudgetExceeded:
            sols = None
        if sols is None:
            source["notes"] = [x for x in source["notes"] if not x.startswith("第四部分没有读到")]
            source["notes"].append(f"第四部分的数字连写为“{digits}”，在计算预算内没有拆完，留空")
        elif len(sols) == 1:
            paths = [f"review_litigation.{g.key}.{r.key}" for g in edition.review_groups for r in edition.review_results]
            for path, v in zip(paths, sols[0]):
                set_path(data, path, v)
                source["cells"][path] = {"printed": digits, "split_by_arithmetic": True, "assumed": ["E4"],
                                         "note": "数字连写，按“总计＝各结果之和”拆分"}
            source["notes"] = [x for x in source["notes"] if not x.startswith("第四部分")]
        else:
            source["notes"] = [x for x in source["notes"] if not x.startswith("第四部分没有读到")]
            source["notes"].append(f"第四部分的数字连写为“{digits}”，"
                                   f"{'没有' if not sols else '有多种'}符合“总计＝各结果之和”的拆分，留空")

