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

import re
import unicodedata
from dataclasses import dataclass, field

from nianbao.workbook_templates.format import schema as S

_OCR = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})


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


class BudgetExceeded(Exception):
    """The hard budget of splitting steps for one report is spent."""


@dataclass
class Budget:
    """A hard bound on the work of splitting run-together digits, shared by one report's rows:
    every state the dynamic programme visits costs one step."""

    steps: int = 300_000
    used: int = 0

    def spend(self, n: int = 1) -> None:
        self.used += n
        if self.used > self.steps:
            raise BudgetExceeded


def _digit_sum(s: str) -> int:
    return sum(ord(c) - 48 for c in s)


def row_splits(digits: str, columns: int, limit: int = 8, budget: Budget | None = None) -> list[list[int]]:
    """Splits of ``digits`` into ``columns`` numbers without leading zeros whose last (总计) is the
    sum of the others (E3), at most ``limit`` of them, in polynomial time.

    The total is a suffix of the run.  Its length is bounded by the row itself: the cells before it
    are no longer than the total, and the longest of them is at most one digit shorter (six
    numbers of d digits sum to fewer than d + 2 digits).  A cheap test drops most totals: a sum
    and its parts agree modulo 9, so the digits before the total and the total have equal digit
    sums modulo 9.  The cells are then found meeting in the middle: the sums of the first half of
    the cells, by where they end, against the sums of the second half, by where they start —
    O(L^h) for cells of at most L digits and h = half the cells, instead of every split."""
    budget = budget or Budget()
    n, parts = len(digits), columns - 1
    out: list[list[int]] = []
    if parts < 1 or n < columns:
        return out
    for length in range(1, n - parts + 1):
        total_digits = digits[n - length:]
        if len(total_digits) > 1 and total_digits[0] == "0":
            continue
        end = n - length
        longest = min(length, end - parts + 1)
        if end > parts * length or longest < length - 1:
            continue
        if (_digit_sum(digits[:end]) - _digit_sum(total_digits)) % 9:
            continue
        total = int(total_digits)
        # some cell has at least length - 1 digits, so the others share what is left: a cell is
        # either that long or no longer than `small`
        small = end - (length - 1) - (parts - 2)
        for cells in _cells_summing_to(digits, end, parts, total, longest, limit - len(out), budget,
                                       small if small < length - 1 else longest):
            out.append(cells + [total])
        if len(out) >= limit:
            break
    return out


def _cells_summing_to(digits: str, end: int, parts: int, total: int, longest: int, limit: int,
                      budget: Budget, small: int | None = None) -> list[list[int]]:
    """Up to ``limit`` splits of digits[:end] into ``parts`` numbers of at most ``longest`` digits
    summing to ``total`` (meet in the middle); a cell longer than ``small`` must be at least
    ``longest`` - 1 digits long, and at most one is."""
    small = longest if small is None else small
    first, second = (parts + 1) // 2, parts // 2
    # cells[a]: the cells that start at a, as (end, value), shortest first, no leading zeros
    cells: list[list[tuple[int, int]]] = []
    for a in range(end):
        if digits[a] == "0":
            cells.append([(a + 1, 0)])
            continue
        row = []
        for b in range(a + 1, min(end, a + longest) + 1):
            if small < b - a < longest - 1:
                continue
            v = int(digits[a:b])
            if v > total:
                break
            row.append((b, v))
        cells.append(row)
    # the cells that end at b, as (start, value), shortest first
    ending: list[list[tuple[int, int]]] = [[] for _ in range(end + 1)]
    for a in range(end):
        for b, v in cells[a]:
            ending[b].append((a, v))
    for lst in ending:
        lst.sort(key=lambda x: -x[0])
    steps = 0
    heads: list[tuple[int, int, tuple[int, ...], int]] = []  # (end of the first half, its sum, cells, long cells)
    stack: list[tuple[int, int, tuple[int, ...], int, int]] = [(0, first, (), 0, 0)]
    while stack:
        pos, k, acc, sm, big = stack.pop()
        if k == 0:
            heads.append((pos, sm, acc, big))
            continue
        last = end - (k - 1) - second
        for b, v in cells[pos]:
            if b > last or sm + v > total:
                break
            more = big + (b - pos > small)
            if more > 1:
                break
            steps += 1
            stack.append((b, k - 1, acc + (v,), sm + v, more))
    budget.spend(steps)
    steps = 0
    tails: dict[tuple[int, int], list[tuple[tuple[int, ...], int]]] = {}  # (start, sum) -> (cells, long cells)
    if second:
        stack = [(end, second, (), 0, 0)]
        while stack:
            stop, k, acc, sm, big = stack.pop()
            if k == 0:
                tails.setdefault((stop, sm), []).append((acc, big))
                continue
            first_allowed = first + (k - 1)
            for a, v in ending[stop]:
                if a < first_allowed or sm + v > total:
                    break
                more = big + (stop - a > small)
                if more > 1:
                    break
                steps += 1
                stack.append((a, k - 1, (v,) + acc, sm + v, more))
        budget.spend(steps)
    else:
        tails[(end, 0)] = [((), 0)]
    out: list[list[int]] = []
    for pos, sm, head, big in heads:
        for tail, tail_big in tails.get((pos, total - sm), ()):
            if big + tail_big > 1:
                continue
            out.append(list(head + tail))
            if len(out) >= limit:
                return out
    return out


def row_candidates(digits: str, columns: int) -> list[list[int]]:
    """Splits into ``columns`` cells whose last cell (总计) is the sum of the others (E3)."""
    return row_splits(digits, columns)


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


MAX_ROW_SPLITS = 12  # a row with more splits than this is left open (null), and said so


def decode_table3(flat: str, edition: S.Edition, begin: int, stop: int, budget: Budget | None = None) -> Decoded:
    """第三部分 from run-together text, between the flattened positions ``begin`` and ``stop``.

    Each row's splits come from ``row_splits`` (E3); rows with several are settled together by the
    column relations (E2, E1), searched row by row with every relation checked as soon as its
    cells are known, within the report's budget.  A row left with no split, several, or no
    answer within the budget stays null, and the notes say which and why."""
    budget = budget or Budget()
    labels = [(r.key, r.label) for r in edition.application_rows]
    rows, notes = row_digits(flat, labels, begin, stop)
    out = Decoded(notes=notes)
    ncols = len(edition.application_columns)
    candidates: dict[str, list[list[int]]] = {}
    for r in rows:
        try:
            candidates[r.key] = row_splits(r.digits, ncols, MAX_ROW_SPLITS + 1, budget)
        except BudgetExceeded:
            candidates[r.key] = []
            out.notes.append(f"“{r.key}”行的数字 {r.digits} 在计算预算内没有拆完，留空")
    for key, cands in candidates.items():
        if len(cands) == 1:
            out.values[key] = cands[0]
            out.assumed[key] = ["E3"]
    open_rows = [k for k, c in candidates.items() if 1 < len(c) <= MAX_ROW_SPLITS]
    for k, c in candidates.items():
        if len(c) > MAX_ROW_SPLITS:
            out.notes.append(f"“{k}”行的数字有 {MAX_ROW_SPLITS} 种以上符合“总计＝各列之和”的拆分，留空")
    if open_rows:
        try:
            good = _settle(edition, out.values, open_rows, candidates, budget)
        except BudgetExceeded:
            good = None
            out.notes.append(f"{'、'.join(open_rows)} 的数字在计算预算内没有拆完，留空")
        if good is not None and len(good) == 1:
            for k, v in zip(open_rows, good[0]):
                out.values[k] = v
                out.assumed[k] = ["E3", "E2", "E1"]
        elif good is not None:
            out.notes.append(f"{'、'.join(open_rows)} 的数字有 {'多' if good else '0'} 种符合勾稽关系的拆分，未拆分")
    for r in rows:
        if r.key not in out.values:
            out.values[r.key] = None
            if not candidates.get(r.key) and not any(r.key in x for x in out.notes):
                out.notes.append(f"“{r.key}”行的数字 {r.digits} 拆不出总计等于各列之和的 {ncols} 个数")
    return out


def _settle(edition: S.Edition, known: dict[str, list[int] | None], open_rows: list[str],
            candidates: dict[str, list[list[int]]], budget: Budget) -> list[list[list[int]]]:
    """Up to two choices (one split per open row) under which E1 and E2 hold in every column;
    a relation is checked as soon as all its rows are chosen, so the search stays small."""
    cols = [c.key for c in edition.application_columns]
    rels = []
    for rel in edition.relations:
        if rel.rule in ("E1", "E2"):
            rows_of = lambda paths: [p.split(".")[1] for p in paths]  # noqa: E731
            rels.append((rows_of(rel.left), rows_of(rel.right), cols.index(rel.left[0].rsplit(".", 1)[1])))
    present = set(known) | set(open_rows)
    rels = [r for r in rels if set(r[0] + r[1]) <= present]
    values = dict(known)
    order = {k: i for i, k in enumerate(open_rows)}

    def due(depth: int) -> list:
        """Relations whose last open row is open_rows[depth]."""
        return [r for r in rels if max((order[k] for k in r[0] + r[1] if k in order), default=-1) == depth]

    checks = [due(i) for i in range(len(open_rows))]
    fixed = [r for r in rels if not any(k in order for k in r[0] + r[1])]
    if any(not _holds(values, r) for r in fixed):
        return []
    found: list[list[list[int]]] = []

    def walk(depth: int, chosen: list[list[int]]) -> None:
        if len(found) >= 2:
            return
        if depth == len(open_rows):
            found.append(list(chosen))
            return
        key = open_rows[depth]
        for cand in candidates[key]:
            budget.spend()
            values[key] = cand
            if all(_holds(values, r) for r in checks[depth]):
                walk(depth + 1, chosen + [cand])
        values[key] = None

    walk(0, [])
    return found


def _holds(values: dict[str, list[int] | None], rel: tuple[list[str], list[str], int]) -> bool:
    left, right, col = rel
    try:
        return sum(values[k][col] for k in left) == sum(values[k][col] for k in right)  # type: ignore[index]
    except (TypeError, KeyError):
        return True  # a row that is not known: the relation cannot say no


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


def decode_groups(digits: str, groups: int, size: int, limit: int = 2, budget: Budget | None = None) -> list[list[int]]:
    """Splits of ``digits`` into ``groups`` groups of ``size`` numbers, each group's last number
    the sum of the others (第四部分: E4); at most ``limit`` solutions.  Dynamic programming over
    where each group ends: a group's splits come from ``row_splits``, memoised by segment."""
    budget = budget or Budget()
    n = len(digits)
    seg: dict[tuple[int, int], list[list[int]]] = {}

    def splits(a: int, b: int) -> list[list[int]]:
        if (a, b) not in seg:
            budget.spend()
            seg[(a, b)] = row_splits(digits[a:b], size, limit, budget)
        return seg[(a, b)]

    memo: dict[tuple[int, int], bool] = {}

    def feasible(pos: int, g: int) -> bool:
        if g == 0:
            return pos == n
        key = (pos, g)
        if key not in memo:
            memo[key] = any(splits(pos, b) and feasible(b, g - 1)
                            for b in range(pos + size, n - (g - 1) * size + 1))
        return memo[key]

    solutions: list[list[int]] = []

    def walk(pos: int, g: int, acc: list[int]) -> None:
        if len(solutions) >= limit:
            return
        if g == 0:
            solutions.append(acc)
            return
        for b in range(pos + size, n - (g - 1) * size + 1):
            if splits(pos, b) and feasible(b, g - 1):
                for cells in splits(pos, b):
                    walk(b, g - 1, acc + cells)

    if feasible(0, groups):
        walk(0, groups, [])
    return solutions
