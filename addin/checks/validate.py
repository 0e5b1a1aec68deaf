"""Run the rule catalogue on report data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nianbao.addin.checks.findings import SEVERITIES, Finding, Report
from nianbao.addin.checks.rules import CATALOGUE, Context


def check(data: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> list[Finding]:
    """Every finding of every rule, errors first, in catalogue order within a severity.

    ``previous`` overrides the report's own ``previous`` (``--previous LAST``).
    """
    ctx = Context(data, previous if previous is not None else data.get("previous"))
    found: list[Finding] = []
    for rule in CATALOGUE.values():
        found.extend(rule.check(ctx))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(found, key=lambda f: order[f.severity])


def validate(data: Mapping[str, Any], file: str, previous: Mapping[str, Any] | None = None,
             acknowledged: Mapping[str, dict[str, str]] | None = None) -> Report:
    """A validation report; ``acknowledged`` maps finding keys to a person's confirmation
    (warnings only: an error cannot be confirmed away)."""
    findings = check(data, previous)
    for f in findings:
        if acknowledged and f.severity == "warning" and f.key in acknowledged:
            f.acknowledged = dict(acknowledged[f.key])
    return Report(file, findings)
