"""Run-together digits (OCR: a row's cells printed without separators) are split in polynomial,
bounded time: long runs come back right, an ambiguous row stays null and is named, and a report's
budget is a hard stop that leaves the rows null and says so (never a hang).  Speed itself is
measured by bench/runs.py, not here."""

from __future__ import annotations

import json
import random

from conftest import nianbao

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.published import runs as R


def _row(lengths: list[int], rng: random.Random) -> tuple[str, list[int]]:
    cells = [rng.randint(10 ** (n - 1), 10 ** n - 1) for n in lengths]
    cells.append(sum(cells))
    return "".join(map(str, cells)), cells


def test_long_runs_are_split_exactly():
    rng = random.Random(13)
    for lengths in ([5, 6, 4, 5, 6, 6], [8, 9, 7, 8, 9, 9], [14, 13, 12, 14, 14, 15]):  # ~40, 60, 100 digits
        digits, cells = _row(lengths, rng)
        splits = R.row_splits(digits, 7)
        assert cells in splits, (len(digits), splits)
        assert all(sum(s[:-1]) == s[-1] and "".join(map(str, s)) == digits for s in splits)


def test_random_long_runs_end_with_an_answer():
    """Digits that are no table row (100 random digits): no split, found without exhausting the
    budget of one report."""
    rng = random.Random(7)
    for n in (40, 60, 100):
        digits = "".join(rng.choice("0123456789") for _ in range(n))
        budget = R.Budget()
        for s in R.row_splits(digits, 7, budget=budget):
            assert sum(s[:-1]) == s[-1] and "".join(map(str, s)) == digits
        assert budget.used < budget.steps
        R.decode_groups(digits, 3, 5, budget=R.Budget())


def _page(rows: dict[str, str], edition: S.Edition = S.EDITION_2021) -> str:
    """Page text whose 第三部分 rows run together with their labels (as OCR gives them)."""
    table = "".join(r.label + rows.get(r.key, "0000000") for r in edition.application_rows)
    return ("XX市XX局2023年政府信息公开工作年度报告\n一、总体情况\n正文。\n二、主动公开政府信息情况\n"
            f"三、收到和处理政府信息公开申请情况\n{table}\n四、政府信息公开行政复议、行政诉讼情况\n"
            "000000000000000\n五、存在的主要问题及改进情况\n正文。\n六、其他需要报告的事项\n未收取信息处理费。\n")


def test_an_ambiguous_row_stays_null_and_is_named():
    # a 9-digit run of 四、结转下年度 with exactly two splits whose 总计 is the sum of the six
    rng = random.Random(3)
    while True:
        digits = "".join(rng.choice("0123") for _ in range(9))
        if len(R.row_splits(digits, 7)) == 2:
            break
    flat = R.flatten(_page({"carried_forward": digits}))
    decoded = R.decode_table3(flat, S.EDITION_2021, 0, len(flat))
    assert decoded.values["carried_forward"] is None
    assert any("carried_forward" in n for n in decoded.notes), decoded.notes


def test_the_budget_is_a_hard_stop(tmp_path):
    rng = random.Random(5)
    digits, _ = _row([14, 13, 12, 14, 14, 15], rng)
    flat = R.flatten(_page({"new": digits}))
    decoded = R.decode_table3(flat, S.EDITION_2021, 0, len(flat), R.Budget(steps=50))
    assert decoded.values["new"] is None
    assert any("预算" in n for n in decoded.notes), decoded.notes
    # the whole import of such a page: answers (the CLI has a 120 s timeout), the row left null
    page = tmp_path / "ocr.txt"
    page.write_text(_page({"new": "".join(rng.choice("0123456789") for _ in range(100))}), encoding="utf-8")
    out = tmp_path / "ocr.json"
    run = nianbao("import", page, "-o", out)
    assert run.code == 0, run.err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["applications"]["new"]["total"] is None
    assert data["applications"]["granted"]["total"] == 0


def _every_split(digits: str, parts: int):
    if parts == 1:
        if digits and (digits == "0" or not digits.startswith("0")):
            yield [int(digits)]
        return
    for n in range(1, (1 if digits.startswith("0") else len(digits) - parts + 1) + 1):
        for rest in _every_split(digits[n:], parts - 1):
            yield [int(digits[:n])] + rest


def test_the_split_finds_exactly_what_trying_every_split_finds():
    """The bounds the dynamic programme uses lose no split: against the exhaustive search on
    short runs (rows and 第四部分 groups), including zeros and runs of zeros."""
    rng = random.Random(11)
    for _ in range(400):
        n = rng.randint(5, 13)
        digits = "".join(rng.choice("0001123456789") for _ in range(n))
        for columns in (7, 5):
            want = sorted(s for s in _every_split(digits, columns) if sum(s[:-1]) == s[-1])
            assert sorted(R.row_splits(digits, columns, limit=10_000)) == want, digits
