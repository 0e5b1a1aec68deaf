"""The rule registry: every rule with a stable ID, a severity, its family, and the four things a
person wants to know of it — 检查什么, 为什么, 示例, 怎么改.

A rule's check reads a ``Context`` (report data only: the figures, ``previous`` and, when present,
``source``; never raw cells) and yields ``Hit``s.  The registry turns each hit into a ``Finding``
stamped with the rule's ID, severity (a hit may lower or raise it, e.g. NUM-01 in a published
report) and 怎么改 line, so a rule never types its own ID.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import flat_values, get_path
from nianbao.workbook_templates.format.schema import Edition, Part

from nianbao.addin.checks.findings import Finding

PUBLISHED_FORMATS = ("txt", "html", "htm", "docx", "pdf")

# Families, in the order `nianbao rules` lists them.
NUMBERS, ARITHMETIC, STRUCTURE, CROSS_YEAR, PROSE, AGGREGATE = "数字", "勾稽", "结构", "跨年度", "文字", "汇总"
FAMILIES = (NUMBERS, ARITHMETIC, STRUCTURE, CROSS_YEAR, PROSE, AGGREGATE)


@dataclass
class Context:
    """What the rules look at: one report, its edition, last year's report if known."""

    data: Mapping[str, Any]
    previous: Mapping[str, Any] | None = None
    values: dict[str, Any] = None  # type: ignore[assignment]  # flat_values of data: made here unless given

    def __post_init__(self) -> None:
        self.memo: dict[str, Any] = {}  # what several rules derive from the same figures, derived once
        self.edition: Edition = S.get_edition(self.data["edition"])
        src = self.data.get("source") or {}
        self.source: Mapping[str, Any] = src
        self.published = src.get("format") in PUBLISHED_FORMATS
        self.year = get_path(self.data, "meta.year")
        if self.values is None:  # every value, as get_path gives it
            self.values = flat_values(self.data, self.edition)
        self._numbers = {p: v for p, v in self.values.items() if type(v) in _NUMBER}
        # cells the printed table does not have (a 2021 table printing （六）其他处理 as one row, kept
        # whole in 3.其他): nothing is blank there, and the sums count them as nothing
        self.not_printed: frozenset[str] = frozenset(p for p in src.get("not_printed") or () if p in self.edition.fields)
        for p in self.not_printed:
            self._numbers.setdefault(p, 0)
        self.value = self._numbers.get  # type: ignore[method-assign]  # the rules' most frequent call, made direct

    def value(self, path: str) -> Any:
        """A figure of the report, or None when blank or not a number."""
        return self._numbers.get(path)

    @property
    def numbers(self) -> Mapping[str, int | float]:
        """Every figure of the report (path -> number), in the edition's reading order."""
        return self._numbers

    def text(self, path: str) -> str:
        v = get_path(self.data, path)
        return v if isinstance(v, str) else ""

    def label(self, path: str) -> str:
        return self.edition.describe(path)

    def part(self, path: str) -> Part:
        return self.edition.fields[path].part


_NUMBER = (int, float)


class Hit(NamedTuple):
    """What a check found: the message, every value it is about, where it belongs, and what the
    message says as data (``facts``: what grouping and other programs read, never the wording)."""

    message: str
    paths: tuple[str, ...] = ()
    part: Part = Part.TEMPLATE
    severity: str | None = None  # None: the rule's own
    facts: Mapping[str, Any] | None = None


Check = Callable[[Context], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    family: str
    title: str
    what: str  # 检查什么
    why: str  # 为什么
    example: str  # 示例: what the rule says on its firing test case (a test holds them equal)
    fix: str  # 怎么改
    check: Check
    levels: str = ""  # how the severity varies by case, as `nianbao rules` shows it (blank: always the same)

    def severity_text(self, severity_names: Mapping[str, str]) -> str:
        return self.levels or severity_names[self.severity]

    def run(self, ctx: Context) -> list[Finding]:
        return [Finding(self.id, h.severity or self.severity, h.message, tuple(h.paths), h.part, fix=self.fix,
                        facts=dict(h.facts) if h.facts else None)
                for h in self.check(ctx)]

    def explain(self, severity_names: Mapping[str, str]) -> str:
        """The rule as `nianbao rules ID` prints it."""
        return (f"{self.id}  {self.title}（{self.severity_text(severity_names)}；{self.family}）\n\n"
                f"检查什么：{self.what}\n\n为什么：{self.why}\n\n示例：{self.example}\n\n怎么改：{self.fix}")


CATALOGUE: dict[str, Rule] = {}


def rule(id: str, severity: str, family: str, title: str, *, what: str, why: str, example: str,
         fix: str, levels: str = "") -> Callable[[Check], Check]:
    """Register a check under its rule."""
    assert family in FAMILIES, family

    def register(fn: Check) -> Check:
        assert id not in CATALOGUE, f"rule {id} registered twice"
        CATALOGUE[id] = Rule(id, severity, family, title, what.strip(), why.strip(), example, fix.strip(), fn, levels)
        return fn

    return register
