"""A1 cell references: split, compress into ranges, and the SUM formulas of the totals.

Pure string functions, shared by the builder (which writes formulas) and the reader (which
checks that a total still holds the formula the template gave it).  No openpyxl here: the
reader must stay light.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")
# 'Sheet name'!$D$7  or  Sheet!$D$7:$D$9
_NAME_TARGET = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)$")


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def column_letter(index: int) -> str:
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def split(ref: str) -> tuple[str, int]:
    """'$D$7' -> ('D', 7)."""
    m = _REF.fullmatch(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return m.group(1), int(m.group(2))


def absolute(ref: str) -> str:
    """D7 -> $D$7, D1:D3 -> $D$1:$D$3."""
    return ":".join("${}${}".format(*split(part)) for part in ref.split(":"))


def expand(ref: str) -> list[str]:
    """'D1:E2' -> ['D1', 'E1', 'D2', 'E2'] (row by row); 'D1' -> ['D1']."""
    parts = ref.replace("$", "").split(":")
    (c1, r1), (c2, r2) = split(parts[0]), split(parts[-1])
    return [
        f"{column_letter(c)}{r}"
        for r in range(r1, r2 + 1)
        for c in range(column_index(c1), column_index(c2) + 1)
    ]


def parse_target(text: str) -> tuple[str, str] | None:
    """A defined name's target -> (sheet, 'D7' or 'D1:D3'); None if it is not one cell range."""
    m = _NAME_TARGET.match(text.strip())
    if not m:
        return None
    sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
    return sheet, m.group(3).replace("$", "")


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    numbers = sorted(set(numbers))
    out: list[tuple[int, int]] = []
    for n in numbers:
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def ranges(refs: Iterable[str]) -> list[str]:
    """Cell references compressed into rectangles: D7..D29 -> D7:D29, D7..I7 -> D7:I7."""
    by_col: dict[int, list[int]] = {}
    for ref in refs:
        col, row = split(ref)
        by_col.setdefault(column_index(col), []).append(row)
    spans: dict[tuple[int, int], list[int]] = {}
    for col, rows in by_col.items():
        for run in _runs(rows):
            spans.setdefault(run, []).append(col)
    out = []
    for (r1, r2), cols in sorted(spans.items(), key=lambda kv: (min(kv[1]), kv[0])):
        for c1, c2 in _runs(cols):
            a, b = f"{column_letter(c1)}{r1}", f"{column_letter(c2)}{r2}"
            out.append(a if a == b else f"{a}:{b}")
    return out


def sum_formula(refs: Iterable[str]) -> str:
    """The formula of a total: '=SUM(D9:D29)'."""
    return f"=SUM({','.join(ranges(refs))})"


@lru_cache(maxsize=4096)
def same_formula(a: str, b: str) -> bool:
    """Formula texts equal up to '=', '$', case and spaces (LibreOffice and Excel differ).

    Kept by the pair: a template's totals hold the same few dozen formulas in every return of
    it, so a batch asks the same pairs again and again."""

    def norm(s: str) -> str:
        return s.lstrip("=").replace("$", "").replace(" ", "").upper()

    return norm(a) == norm(b)
