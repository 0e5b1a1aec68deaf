"""Findings as a person reads them: one line per cause.

The JSON keeps one finding per relation (every affected path listed, ``Finding.key`` unchanged,
so acknowledgements keyed by rule and relation keep matching).  What a person reads — the text
output of ``validate`` and the 校验结果 sheet — groups them:

- a blank row is one line naming the row and its columns: its NUM-01, with the CHK-01 findings
  that are "cannot be checked" only because of blanks that NUM-01 already names;
- a table that is missing (STR-02) takes the blanks of that table with it;
- the same difference in several columns (or rows, groups) of one rule is one line naming them;
- the rows split from run-together digits by the same relations (CHK-02) are one line;
- errors first, then warnings, then information.

Grouping reads each finding's ``facts`` (the relation, its sides and difference; the blank row and
its columns; the row split and its relations), never the wording of its message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nianbao.workbook_templates.format.numbers import figure

from nianbao.addin.checks.findings import SEVERITIES, Finding

_SUMS = ("ARI-01", "ARI-02", "ARI-03", "ARI-04")
_SUM_FACTS = ("relation", "part", "name", "axis", "sides", "difference")
_SPLIT_FACTS = ("part", "row", "assumed")
_BLANK_FACTS = ("part", "row", "columns", "note")


def _facts(f: Finding, keys: tuple[str, ...]) -> dict[str, Any] | None:
    """The finding's facts when it has all of ``keys`` (a finding made elsewhere may have none)."""
    facts = f.facts or {}
    return facts if all(k in facts for k in keys) else None


def _same(a: dict[str, Any], b: dict[str, Any], keys: tuple[str, ...]) -> bool:
    return all(a[k] == b[k] for k in keys)


@dataclass
class Line:
    """One line of what a person reads: a message, and every finding it stands for."""

    severity: str
    rule: str
    part: str
    message: str
    fix: str
    members: list[Finding] = field(default_factory=list)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for f in self.members for p in f.paths))

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.members]

    @property
    def acknowledged(self) -> dict[str, str] | None:
        """The confirmation when every finding of the line is confirmed."""
        acks = [f.acknowledged for f in self.members]
        return acks[0] if acks and all(acks) else None

    @property
    def rules(self) -> str:
        return "、".join(dict.fromkeys(f.rule for f in self.members))


def _line(f: Finding, message: str | None = None) -> Line:
    return Line(f.severity, f.rule, f.part, message or f.message, f.fix, [f])


def for_people(findings: Iterable[Finding]) -> list[Line]:
    """The findings grouped by cause, errors first (the order of the findings within a severity kept)."""
    findings = list(findings)
    used: set[int] = set()
    lines: list[Line] = []
    blanks = {id(f): set(f.paths) for f in findings if f.rule == "NUM-01"}
    missing_tables = [f for f in findings if f.rule == "STR-02"]
    for f in findings:
        if id(f) in used:
            continue
        if f.rule == "STR-02":
            line = _line(f)
            for g in findings:
                if g.rule in ("NUM-01", "CHK-01") and id(g) not in used and g.paths and g.part == f.part:
                    line.members.append(g)
                    used.add(id(g))
            used.add(id(f))
            lines.append(line)
            continue
        if f.rule == "NUM-01":
            if any(f.part == t.part for t in missing_tables):
                continue  # taken by its STR-02
            line = _line(f)
            all_blank = set().union(*blanks.values())
            absorbed = [g for g in findings if g.rule == "CHK-01" and id(g) not in used and g.paths
                        and set(g.paths) <= all_blank and set(g.paths) & blanks[id(f)]]
            for g in absorbed:
                used.add(id(g))
            line.members += absorbed
            if absorbed:
                line.message += f"；因此 {len(absorbed)} 条勾稽关系无法校验"
            used.add(id(f))
            lines.append(line)
            continue
        if f.rule in _SUMS and (m := _facts(f, _SUM_FACTS)):
            same = [g for g in findings if g.rule == f.rule and id(g) not in used and g.part == f.part
                    and (mg := _facts(g, _SUM_FACTS)) and _same(m, mg, ("relation", "part", "axis", "sides", "difference"))]
            if len(same) > 1:
                names = "".join(f"“{g.facts['name']}”" for g in same)  # type: ignore[index]
                lw, rw = m["sides"]
                more = "多" if m["difference"] > 0 else "少"
                message = f"{m['part']}{names}{m['axis']}：{lw}都比{rw}{more}{figure(abs(m['difference']))}件"
                lines.append(Line(f.severity, f.rule, f.part, message, f.fix, same))
                used.update(id(g) for g in same)
                continue
        if f.rule == "CHK-02" and (m := _facts(f, _SPLIT_FACTS)):
            same = [g for g in findings if g.rule == "CHK-02" and id(g) not in used
                    and (mg := _facts(g, _SPLIT_FACTS)) and _same(m, mg, ("part", "assumed"))]
            if len(same) > 1:
                rows = [g.facts["row"] for g in same]  # type: ignore[index]
                shown = "、".join(f"“{r}”" for r in rows[:3]) + (f"等 {len(rows)} 行" if len(rows) > 3 else "")
                rels = "、".join(m["assumed"]) or "勾稽关系"
                message = f"{m['part']}{shown}的数字连写，按 {rels} 拆分：这些关系是假设，不算通过"
                lines.append(Line(f.severity, f.rule, f.part, message, f.fix, same))
                used.update(id(g) for g in same)
                continue
        used.add(id(f))
        lines.append(_line(f))
    lines = _same_blank_columns(lines)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(lines, key=lambda ln: order[ln.severity])


def _same_blank_columns(lines: list[Line]) -> list[Line]:
    """Blank rows of one part whose blank columns are the same (every 法人或其他组织 column left
    empty) are one line: the columns, how many rows, the first rows by name."""
    groups: dict[tuple[str, str, tuple[str, ...], str], list[tuple[Line, dict[str, Any]]]] = {}
    for ln in lines:
        m = _facts(ln.members[0], _BLANK_FACTS) if ln.rule == "NUM-01" and ln.members else None
        if m:
            groups.setdefault((ln.severity, m["part"], tuple(m["columns"]), m["note"]), []).append((ln, m))
    merged: dict[int, Line] = {}
    drop: set[int] = set()
    for (severity, part, cols, why), same in groups.items():
        if len(same) < 3:
            continue
        rows = [m["row"] for _, m in same]
        members = [f for ln, _ in same for f in ln.members]
        unchecked = sum(1 for f in members if f.rule == "CHK-01")
        shown = "、".join(f"“{r}”" for r in rows[:3]) + "等"
        first = same[0][0]
        message = (f"{part}{len(rows)} 行（{shown}）的{'、'.join(cols)} 未填（{why}）"
                   + (f"；因此 {unchecked} 条勾稽关系无法校验" if unchecked else ""))
        merged[id(first)] = Line(severity, "NUM-01", first.part, message, first.fix, members)
        drop.update(id(ln) for ln, _ in same[1:])
    return [merged.get(id(ln), ln) for ln in lines if id(ln) not in drop]
