"""Run the rule catalogue on report data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Importing a family registers its rules, in this order (the order `nianbao rules` lists them).
from nianbao.addin.checks import numbers, arithmetic, structure, cross_year, prose, aggregate  # noqa: F401, I001
from nianbao.addin.checks.findings import SEVERITIES, Finding, Report
from nianbao.addin.checks.registry import CATALOGUE, Context


def check(data: Mapping[str, Any], previous: Mapping[str, Any] | None = None, *,
          values: dict[str, Any] | None = None) -> list[Finding]:
    """Every finding of every rule, errors first, in catalogue order within a severity.

    ``previous`` overrides the report's own ``previous`` (``--previous LAST``); ``values``, when
    the caller has them already, are ``flat_values`` of ``data`` (not made a second time).
    """
    ctx = Context(data, previous if previous is not None else data.get("previous"), values)
    found: list[Finding] = []
    for rule in CATALOGUE.values():
        found.extend(rule.run(ctx))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(found, key=lambda f: order[f.severity])


def validate(data: Mapping[str, Any], file: str, previous: Mapping[str, Any] | None = None,
             acknowledged: Mapping[str, dict[str, str]] | None = None, *,
             values: dict[str, Any] | None = None) -> Report:
    """A validation report; ``acknowledged`` maps finding keys to a person's confirmation
    (warnings only: an error cannot be confirmed away); ``values`` as for ``check``."""
    findings = check(data, previous, values=values)
    for f in findings:
        if acknowledged and f.severity == "warning" and f.key in acknowledged:
            f.acknowledged = dict(acknowledged[f.key])
    return Report(file, findings)


def prose_against_tables(data: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> list[Finding]:
    """TXT-01 alone: the figures a person typed into the prose, against the tables (what the
    shells show when they generate a report)."""
    ctx = Context(data, previous if previous is not None else data.get("previous"))
    return CATALOGUE["TXT-01"].run(ctx)
