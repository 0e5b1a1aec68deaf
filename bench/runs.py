"""Speed report for splitting run-together digits (not a test).

    python3 bench/runs.py

For rows of 20 to 100 digits (a real row's cells, and random digits that are no row) it prints the
time of ``runs.row_splits`` (meeting in the middle, bounded by a budget) and, as the baseline in the
same run, of trying every split into seven numbers (the former way) where that finishes within
a few seconds; then the ratio.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

from nianbao.workbook_templates.published import runs as R

BASELINE_LIMIT_S = 5.0


def every_split(digits: str, parts: int) -> Iterator[list[int]]:
    """The baseline: every split into ``parts`` numbers without leading zeros."""
    if parts == 1:
        if digits and (digits == "0" or not digits.startswith("0")):
            yield [int(digits)]
        return
    top = 1 if digits.startswith("0") else len(digits) - parts + 1
    for n in range(1, top + 1):
        for rest in every_split(digits[n:], parts - 1):
            yield [int(digits[:n])] + rest


def baseline(digits: str, deadline: float) -> tuple[int, float | None]:
    t, found = time.perf_counter(), 0
    for i, s in enumerate(every_split(digits, 7)):
        if sum(s[:-1]) == s[-1]:
            found += 1
        if i % 4096 == 0 and time.perf_counter() - t > deadline:
            return found, None
    return found, time.perf_counter() - t


def main() -> None:
    rng = random.Random(2026)
    print(f"{'digits':>6} {'kind':7} {'splits':>6} {'steps':>7} {'ours ms':>9} {'every split ms':>15} {'ratio':>8}")
    for n in (20, 30, 40, 60, 100):
        for kind in ("row", "random"):
            if kind == "row":
                per = max(1, n // 7)
                cells = [rng.randint(10 ** (per - 1), 10 ** per - 1) for _ in range(6)]
                digits = "".join(map(str, cells + [sum(cells)]))
            else:
                digits = "".join(rng.choice("0123456789") for _ in range(n))
            budget = R.Budget()
            t = time.perf_counter()
            splits = R.row_splits(digits, 7, budget=budget)
            ours = time.perf_counter() - t
            if len(digits) <= 40:
                _, base = baseline(digits, BASELINE_LIMIT_S)
            else:
                base = None
            base_txt = f"{base * 1000:15.1f}" if base is not None else f"{'>' + str(int(BASELINE_LIMIT_S * 1000)):>15}" \
                if len(digits) <= 40 else f"{'(not run)':>15}"
            ratio = f"{base / ours:8.0f}x" if base is not None and ours > 0 else f"{'':>9}"
            print(f"{len(digits):6} {kind:7} {len(splits):6} {budget.used:7} {ours * 1000:9.1f} {base_txt} {ratio}")


if __name__ == "__main__":
    main()
