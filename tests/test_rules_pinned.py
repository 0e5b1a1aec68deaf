"""The rules' findings pinned exactly — rule, severity, message, paths, facts, in order — on the
real fixtures and on seeded variants of them (blanks, negatives, fractions, 0.0, changed prose
digits, another year), so that making the rules faster cannot change a single finding.

The expected findings were written by the rules as they were before they were made faster
(commit 160b77c); regenerate only for a deliberate change of a rule:
    python tests/test_rules_pinned.py --write
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from nianbao.addin.checks.validate import validate
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import flat_values, set_path

FIXTURES = Path(__file__).parent / "fixtures"
PINNED = FIXTURES / "pinned" / "findings.json"  # not beside the report data: it is not a report
REPORTS = ("haining-2023", "hongkou-2019", "hongkou-2020", "shanghai-2020", "shanghai-2023")
VARIANTS = 60
CHOICES = (None, 0, 0.0, -3, 2.5, 7.0, 12, 1000.0)


def _fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def cases() -> list[tuple[str, dict[str, Any]]]:
    """The fixtures, then seeded variants of them."""
    out = [(name, _fixture(name)) for name in REPORTS]
    rnd = random.Random(18)
    for k in range(VARIANTS):
        name, base = out[k % len(REPORTS)]
        data = copy.deepcopy(base)
        edition = S.get_edition(data["edition"])
        numeric = [p for p in flat_values(data, edition) if edition.fields[p].kind.numeric]
        for _ in range(1 + k % 5):
            set_path(data, numeric[rnd.randrange(len(numeric))], CHOICES[rnd.randrange(len(CHOICES))])
        if k % 3 == 0:  # a digit of the prose changed: TXT-01
            text = json.dumps(data.get("text"), ensure_ascii=False)
            data["text"] = json.loads(text.replace(str(rnd.randrange(10)), str(rnd.randrange(10))))
        if k % 7 == 0:
            set_path(data, "meta.year", (2019, 2020, 2022, 2024)[k % 4])
        out.append((f"{name}~{k}", data))
    return out


def findings(data: dict[str, Any], name: str) -> list[list[Any]]:
    """Every finding as [rule, severity, message, paths, facts] (the 怎么改 text is the rule's own)."""
    return [[f.rule, f.severity, f.message, list(f.paths), f.facts] for f in validate(data, name).findings]


@pytest.fixture(scope="module")
def pinned() -> dict[str, Any]:
    return json.loads(PINNED.read_text(encoding="utf-8"))


def pinned_form(name: str, data: dict[str, Any]) -> Any:
    """A fixture's findings in full (to read); a variant's as their count, the rules that fired
    and a digest of the whole (the file stays small)."""
    found = json.loads(json.dumps(findings(data, name), ensure_ascii=False))
    if name in REPORTS:
        return found
    text = json.dumps(found, ensure_ascii=False, sort_keys=True)
    return {"count": len(found), "rules": sorted({f[0] for f in found}),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}


@pytest.mark.parametrize("name,data", cases(), ids=[n for n, _ in cases()])
def test_findings_are_as_pinned(name: str, data: dict[str, Any], pinned: dict[str, Any]) -> None:
    assert pinned_form(name, data) == pinned[name]


def test_the_pins_find_something_of_every_kind(pinned: dict[str, Any]) -> None:
    rules = {r for found in pinned.values() for r in (found["rules"] if isinstance(found, dict) else [f[0] for f in found])}
    assert {"ARI-01", "ARI-02", "ARI-03", "NUM-01", "NUM-02", "TXT-01", "CHK-01"} <= rules


@pytest.mark.parametrize("name,data", cases()[:20], ids=[n for n, _ in cases()[:20]])
def test_the_laid_out_walk_is_the_general_walk(name: str, data: dict[str, Any]) -> None:
    from nianbao.workbook_templates.format.report_data import _walked_values as values_of

    edition = S.get_edition(data["edition"])
    assert list(flat_values(data, edition).items()) == list(values_of(data, edition).items())


def test_flat_values_takes_the_general_walk_where_a_part_is_missing_or_not_a_dict() -> None:
    from collections import OrderedDict

    from nianbao.workbook_templates.format.report_data import _walked_values

    data = _fixture("haining-2023")
    edition = S.get_edition(data["edition"])
    for changed in ({"applications": None}, {"applications": OrderedDict(data["applications"])}, {"fees": "x"}):
        variant = {**data, **changed}
        assert list(flat_values(variant, edition).items()) == list(_walked_values(variant, edition).items())
    assert list(flat_values(OrderedDict(data), edition).items()) == list(_walked_values(data, edition).items())


if __name__ == "__main__" and "--write" in sys.argv:
    PINNED.write_text("{\n" + ",\n".join(f"{json.dumps(n)}: {json.dumps(pinned_form(n, d), ensure_ascii=False)}"
                                          for n, d in cases()) + "\n}\n", encoding="utf-8")
    print(f"wrote {PINNED}")
