"""Findings: what a rule reports, in the public shape of spec/report-data.md."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "info")
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
FIX_PREFIX = "怎么改："


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    paths: tuple[str, ...]  # every value the finding is about
    part: str = ""  # for grouping the text output: 第三部分, 跨年度, … (a schema Part)
    acknowledged: dict[str, str] | None = None
    fix: str = ""  # 怎么改: what the person should do, from the rule
    facts: dict[str, Any] | None = None  # what the message says, as data (docs/contract.md)

    @property
    def key(self) -> str:
        """Stable identity across runs: a person's confirmation follows it."""
        return f"{self.rule}|{','.join(self.paths)}"

    def to_json(self, cells: Mapping[str, tuple[str, str]] | None = None) -> dict[str, Any]:
        out_cells = []
        for p in self.paths:
            c: dict[str, Any] = {"path": p}
            if cells and p in cells:
                c["sheet"], c["cell"] = cells[p]
            out_cells.append(c)
        return {"rule": self.rule, "severity": self.severity, "message": self.message, "fix": self.fix,
                "cells": out_cells, "acknowledged": self.acknowledged, "facts": self.facts}


@dataclass
class Report:
    """The outcome of validating one source."""

    file: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def to_json(self, cells: Mapping[str, tuple[str, str]] | None = None) -> dict[str, Any]:
        return {"file": self.file, "ok": self.ok, "findings": [f.to_json(cells) for f in self.findings]}
