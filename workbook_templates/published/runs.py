"""Tables whose cells were run together with their labels (OCR of a scanned or flattened page:
``一、本年新收政府信息公开申请数量32419165111295812234290``).

Each row's digits are the digits between its label and the next row's label (a label may itself be
broken by digits or a stray character).  Where the digits admit several splits into the row's cells,
the table's own arithmetic decides: 总计 = the six applicant columns (E3) for each row, then the
column relations (E2, E1) across rows.  A split chosen that way is marked ``split_by_arithmetic``
with the relations it assumed; when none or several remain, the cells stay ``null`` and the notes say
so.  Nothing is guessed silently, and no printed figure is "fixed".
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from nianbao.workbook_templates.format import schema as S

_OCR = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})
MAX_COMBINATIONS = 200_000


def flatten(text: str) -> str:
    """The text as one comparable string: NFKC, no spaces or quotes, OCR slips in labels mended,
    and O/l/I read as digits where they stand among digits."""
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"[“”\"'‘’]", "", s)
    s = s.replace("申清", "申请").replace("中请", "申请")
    # O, l, I next to a digit, or in a run of such letters touching digits, are digits
    return re.sub(r"(?<=[0-9OlI])[OlI]|[OlI](?=[0-9OlI]*[0-9])", lambda m: m.group(0).translate(_OCR), s)


def _label_pattern(label: str) -> tuple[str, str]:
    """(the label's own number prefix, a regex for the label that lets digits and one stray
    character interrupt it)."""
    norm = re.sub(r"[“”\"'‘’\s]", "", unicodedata.normalize("NFKC", label))
    m = re.match(r"^(\d+)[.．、]", norm)
    prefix, body = (m.group(0), norm[m.end():]) if m else ("", norm)
    gap = r"(?:[0-9]+.?)?"
    pattern = re.escape(prefix[:-1]) + r"[.．、]" if prefix else ""
    return prefix, pattern + gap.join(re.escape(ch) for ch in body)


@dataclass
class RowDigits:
    key: str
    digits: str


def row_digits(flat: str, labels: list[tuple[str, str]], start: int, end: int) -> tuple[list[RowDigits], list[str]]:
    """The digit string of each row (key, label) found in order in flat[start:end]."""
    found: list[tuple[str, int, int]] = []  # key, match start, digits start
    notes = []
    pos = start
    for key, label in labels:
        prefix, pattern = _label_pattern(label)
        m = re.compile(pattern).search(flat, pos, end)
        if not m:
            notes.append(f"没有找到“{label}”")
            continue
        found.append((key, m.start(), m.start() + len(prefix)))
        pos = m.end()
    out = []
    for i, (key, _, digits_from) in enumerate(found):
        until = found[i + 1][1] if i + 1 < len(found) else end
        chunk = re.sub(r"[(（][^()（）]*[)）]", "", flat[digits_from:until])  # notes in brackets are not cells
        out.append(RowDigits(key, "".join(re.findall(r"[0-9]", chunk))))
    return out, notes


def _splits(digits: str, parts: int) -> Iterator[list[int]]:
    """Every split of ``digits`` into ``parts`` numbers without leading zeros."""
    if parts == 1:
        if digits and (digits == "0" or not digits.startswith("0")):
            yield [int(digits)]
        return
    top = 1 if digits.startswith("0") else len(digits) - parts + 1
    for n in range(1, top + 1):
        for rest in _splits(digits[n:], parts - 1):
            yield [int(digits[:n])] + rest


def row_candidates(digits: str, columns: int) -> list[list[int]]:
    """Splits into ``columns`` cells whose last cell (总计) is the sum of the others (E3)."""
    out = []
    for split in _splits(digits, columns):
        if sum(split[:-1]) == split[-1]:
            out.append(split)
    return out


@dataclass
class Decoded:
    values: dict[str, list[int] | None] = field(default_factory=dict)  # row key -> cells, or None
    assumed: dict[str, list[str]] = field(default_factory=dict)  # row key -> relations used
    notes: list[str] = field(default_factory=list)


def headings(flat: str, edition: S.Edition) -> list[int]:
    """Where each part's numbered heading stands in the flattened text (-1: not found); searched in
    order, so a list of the parts in the opening paragraph does not count."""
    out, pos = [], 0
    numbers = "一二三四五六"
    for i, h in enumerate(edition.headings):
        body = re.escape(re.sub(r"\s", "", unicodedata.normalize("NFKC", h.split("、", 1)[1])))
        m = re.compile(rf"(?:{numbers[i]}、|0?{i + 1}\.)" + body).search(flat, pos)
        out.append(m.start() if m else -1)
        pos = m.end() if m else pos
    return out


def decode_table3(flat: str, edition: S.Edition, begin: int, stop: int) -> Decoded:
    """第三部分 from run-together text, between the flattened positions ``begin`` and ``stop``."""
    labels = [(r.key, r.label) for r in edition.application_rows]
    rows, notes = row_digits(flat, labels, begin, stop)
    out = Decoded(notes=notes)
    ncols = len(edition.application_columns)
    candidates = {r.key: row_candidates(r.digits, ncols) for r in rows}
    for key, cands in candidates.items():
        if len(cands) == 1:
            out.values[key] = cands[0]
            out.assumed[key] = ["E3"]
    open_rows = [k for k, c in candidates.items() if len(c) > 1]
    if open_rows:
        combos = 1
        for k in open_rows:
            combos *= len(candidates[k])
        if combos > MAX_COMBINATIONS:
            out.notes.append(f"{len(open_rows)} 行的数字拆分组合太多（{combos}），未拆分")
        else:
            good = [combo for combo in itertools.product(*(candidates[k] for k in open_rows))
                    if _columns_hold(edition, {**out.values, **dict(zip(open_rows, combo))})]
            if len(good) == 1:
                for k, v in zip(open_rows, good[0]):
                    out.values[k] = v
                    out.assumed[k] = ["E3", "E2", "E1"]
            else:
                out.notes.append(f"{'、'.join(open_rows)} 的数字有 {len(good)} 种符合勾稽关系的拆分，未拆分")
    for key, cands in candidates.items():
        if key not in out.values:
            out.values[key] = None
            if not cands:
                out.notes.append(f"“{key}”行的数字 {next(r.digits for r in rows if r.key == key)} 拆不出总计等于各列之和的 {len(edition.application_columns)} 个数")
    return out


def _columns_hold(edition: S.Edition, values: dict[str, list[int] | None]) -> bool:
    """E1 and E2 for every column, over the rows known so far (a missing row fails)."""
    cols = [c.key for c in edition.application_columns]
    get = {f"applications.{k}.{c}": v[i] for k, v in values.items() if v for i, c in enumerate(cols)}
    for rel in edition.relations:
        if rel.rule not in ("E1", "E2"):
            continue
        paths = rel.left + rel.right
        if any(p not in get for p in paths):
            return False
        if sum(get[p] for p in rel.left) != sum(get[p] for p in rel.right):
            return False
    return True


def decode_active_row(chunk: str, columns: int) -> tuple[list[int | None], list[str], list[str]]:
    """A 第二部分 row: digit runs separated by bracketed notes; a run that must hold several cells
    has no arithmetic to split it, so those cells stay null.  Returns values, printed, notes."""
    pieces = re.split(r"([(（][^()（）]*[)）])", chunk)
    runs: list[tuple[str, str]] = []  # digits, printed
    for piece in pieces:
        if re.fullmatch(r"[(（][^()（）]*[)）]", piece):
            if runs:
                runs[-1] = (runs[-1][0], runs[-1][1] + piece)
            continue
        for d in re.findall(r"[0-9]+(?:\.[0-9]+)?", piece):
            runs.append((d, d))
    if len(runs) == columns:
        return [float(d) if "." in d else int(d) for d, _ in runs], [p for _, p in runs], []
    return [None] * columns, [""] * columns, [f"数字连写为“{''.join(p for _, p in runs)}”，无法确定如何拆成 {columns} 格"]


def decode_groups(digits: str, groups: int, size: int, limit: int = 2) -> list[list[int]]:
    """Splits of ``digits`` into ``groups`` groups of ``size`` numbers, each group's last number
    the sum of the others (第四部分: E4); at most ``limit`` solutions are looked for."""
    solutions: list[list[int]] = []

    def group(pos: int, acc: list[int]) -> None:
        if len(solutions) >= limit:
            return
        if len(acc) == groups * size:
            if pos == len(digits):
                solutions.append(acc)
            return
        remaining_cells = groups * size - len(acc)
        for cells in _group_splits(digits, pos, size, len(digits) - pos - (remaining_cells - size)):
            group(pos + sum(len(str(c)) for c in cells), acc + cells)

    group(0, [])
    return solutions


def _group_splits(digits: str, pos: int, size: int, max_len: int) -> Iterator[list[int]]:
    for length in range(size, max_len + 1):
        for split in _splits(digits[pos: pos + length], size):
            if sum(split[:-1]) == split[-1]:
                yield split
