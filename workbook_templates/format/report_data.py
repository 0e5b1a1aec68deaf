"""Report data: the one JSON shape of a report (spec/report-data.md), built from the schema.

Pure functions on plain dicts: make an empty report, get and set by path, normalise and check
a report read from JSON, and compute the totals from the entered figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from nianbao.workbook_templates.format.errors import DataError
from nianbao.workbook_templates.format.numbers import unusable
from nianbao.workbook_templates.format.schema import (
    AGENCY_KINDS, SCHEMA_ID, Edition, Kind, NoFormatForYear, UnknownEdition, edition_for_year, get_edition)

Report = dict[str, Any]
TOP_KEYS = (
    "schema", "edition", "meta", "active", "applications", "review_litigation", "fees",
    "text", "previous", "source",
)


def empty_report(edition: Edition) -> Report:
    """A report of ``edition`` with every value null."""
    data: Report = {"schema": SCHEMA_ID, "edition": edition.key}
    for path in edition.fields:
        set_path(data, path, None)
    # keep the documented key order
    ordered = {k: data.get(k) for k in TOP_KEYS}
    ordered["previous"] = None
    ordered["source"] = None
    return ordered


_Shape = tuple[tuple[str, Any], ...]  # (key, path of a value | a nested shape | a constant)


@lru_cache(maxsize=8)
def _shape(edition_key: str) -> _Shape:
    """The nesting of an edition's reports, taken from ``empty_report`` itself (same keys, same order)."""
    edition = get_edition(edition_key)

    def walk(node: dict[str, Any], prefix: str) -> _Shape:
        out = []
        for key, value in node.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict):
                out.append((key, walk(value, path + ".")))
            else:
                out.append((key, _Leaf(path) if path in edition.fields else _Const(value)))
        return tuple(out)

    shape = walk(empty_report(edition), "")
    assert _leaves(shape) == list(edition.fields), "a report nests its values in the edition's reading order"
    return shape


class _Leaf(str):
    """A value of the report: taken from the values by its path."""


class _Const:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def report_of(edition: Edition, values: Mapping[str, Any]) -> Report:
    """The report of ``edition`` holding ``values`` (path -> value; every other value null): the
    same dict as ``empty_report`` followed by ``set_path`` of each, made in one pass."""
    get = values.get

    def build(shape: _Shape) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, node in shape:
            t = type(node)
            out[key] = get(node) if t is _Leaf else node.value if t is _Const else build(node)
        return out

    return build(_shape(edition.key))


def flat_values(data: Mapping[str, Any], edition: Edition) -> dict[str, Any]:
    """Every value of the edition in ``data`` (what ``get_path`` gives for each), by path in the
    edition's reading order, in one pass: for report data of plain dicts (the reader's, a JSON
    file's) by the edition's walk laid out once (``_plan``), else by the general walk."""
    node_plan, leaf_plan = _plan(edition.key)
    if type(data) is not dict:
        return _walked_values(data, edition)
    nodes = [data]
    for at, key in node_plan:
        node = nodes[at].get(key)
        if type(node) is not dict:  # a part missing, or not a plain dict
            return _walked_values(data, edition)
        nodes.append(node)
    return {path: nodes[at].get(key) for path, at, key in leaf_plan}


@lru_cache(maxsize=8)
def _plan(edition_key: str) -> tuple[tuple[tuple[int, str], ...], tuple[tuple[str, int, str], ...]]:
    """``_walked_values``'s walk of an edition's shape, laid out once: the nested dicts in the order
    the walk enters them (the one each is in, its key) and every value in reading order (its path,
    the dict it is in, its key)."""
    nodes: list[tuple[int, str]] = []
    leaves: list[tuple[str, int, str]] = []

    def walk(at: int, shape: _Shape) -> None:
        for key, sub in shape:
            t = type(sub)
            if t is _Leaf:
                leaves.append((sub, at, key))
            elif t is not _Const:
                nodes.append((at, key))
                walk(len(nodes), sub)

    walk(0, _shape(edition_key))
    return tuple(nodes), tuple(leaves)


def _walked_values(data: Mapping[str, Any], edition: Edition) -> dict[str, Any]:
    """``flat_values`` for any mappings: the shape walked, a part that is missing or not a mapping
    giving None for each of its values."""
    out: dict[str, Any] = {}

    def walk(node: Any, shape: _Shape) -> None:
        for key, sub in shape:
            t = type(sub)
            if t is _Const:
                continue
            value = node.get(key) if type(node) is dict or isinstance(node, Mapping) else None
            if t is _Leaf:
                out[sub] = value
            elif type(value) is dict or isinstance(value, Mapping):
                walk(value, sub)
            else:
                for leaf in _leaves(sub):
                    out[leaf] = None

    walk(data, _shape(edition.key))
    return out


def _leaves(shape: _Shape) -> list[str]:
    out: list[str] = []
    for _, sub in shape:
        if type(sub) is _Leaf:
            out.append(sub)
        elif type(sub) is not _Const:
            out += _leaves(sub)
    return out


def get_path(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if type(node) is not dict and not isinstance(node, Mapping):  # dict first: abc checks are slow
            return None
        node = node.get(part)
    return node


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def number(value: float | int) -> int | float:
    """An integral float as an int (Excel and calamine give 5.0 for 5)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


# -- totals -------------------------------------------------------------------------------


def computed_values(edition: Edition, values: Mapping[str, Any]) -> dict[str, int | float]:
    """Every total of ``edition`` as the workbook's formulas compute it from the entered ``values``
    (path -> value): blanks count as 0, as in Excel's SUM; a total of totals is made from their
    parts, never from a printed total; each total made once, its parts added in the formula's order."""
    known = dict(values)  # the totals are put in as they are made: a part is made before its total
    done: dict[str, int | float] = {}
    get = known.get
    for path, parts in edition.sum_order:
        total: int | float = 0
        for part in parts:
            v = get(part)
            if type(v) is int or type(v) is float or (isinstance(v, (int, float)) and not isinstance(v, bool)):
                total += v
        known[path] = done[path] = number(total) if isinstance(total, float) else total
    return done


def totals_differing(edition: Edition, data: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """Printed totals in ``data`` that differ from the sums a template would compute.

    Returns (path, printed, computed) for each total that is printed (not null) and differs.
    """
    computed_all = computed_values(edition, {p: get_path(data, p) for p in edition.entered_paths})
    out = []
    for path in edition.computed_paths:
        printed = get_path(data, path)
        if printed is None:
            continue
        computed = computed_all[path]
        if printed != computed:
            out.append((path, printed, computed))
    return out


def complete_totals(data: dict[str, Any]) -> dict[str, Any]:
    """Fill every total of ``data`` (总计 column, （七）总计 row, 第四部分 总计) from its entered
    figures, as the template's formulas compute them (blanks count as 0); returns ``data``.

    For report data that has entered figures but no totals — a sum over units — so that every
    way out (a workbook, the generator's sentences and tables) states the same totals."""
    edition = get_edition(data["edition"])
    computed = computed_values(edition, {p: get_path(data, p) for p in edition.entered_paths})
    for path in edition.computed_paths:
        set_path(data, path, computed[path])
    return data


# -- normalising JSON ---------------------------------------------------------------------


def edition_of(data: Mapping[str, Any]) -> Edition:
    """The edition a report declares, or the one its year implies."""
    ed = data.get("edition")
    if ed is not None:
        try:
            return get_edition(str(ed))
        except UnknownEdition:
            raise DataError(
                f"未知的格式版本 edition={ed!r}（应为 2021 或 2019）",
                f"unknown edition {ed!r} (expected 2021 or 2019)",
            ) from None
    year = get_path(data, "meta.year")
    if isinstance(year, int) and not isinstance(year, bool):
        try:
            return edition_for_year(year)
        except NoFormatForYear:
            pass
    raise DataError(
        "报告数据既没有 edition，也没有可用的 meta.year，无法确定格式版本",
        "the report data has neither 'edition' nor a usable 'meta.year'",
    )


def _check_value(edition: Edition, path: str, value: Any, problems: list[str]) -> Any:
    if value is None:
        return None
    kind = edition.fields[path].kind
    if kind.numeric or kind is Kind.YEAR:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{path}：应为数字或 null，实为 {value!r}")
            return value
        why = unusable(value)
        if why:
            shown = repr(value) if len(repr(value)) <= 40 else f"{len(str(abs(value)))} 位的数"
            problems.append(f"{path}：{why}，实为 {shown}")
            return value
        return number(value)
    if kind is Kind.AGENCY_KIND:
        if value in AGENCY_KINDS:
            return value
        for key, label in AGENCY_KINDS.items():
            if value == label:
                return key
        problems.append(f"{path}：应为 {'/'.join(AGENCY_KINDS)}，实为 {value!r}")
        return value
    if kind is Kind.DATE:
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            problems.append(f"{path}：应为 ISO 日期（如 2024-02-08），实为 {value!r}")
            return value
    if not isinstance(value, str):
        problems.append(f"{path}：应为文字或 null，实为 {value!r}")
    return value


def _unknown_keys(edition: Edition, data: Mapping[str, Any]) -> Iterable[str]:
    """Paths present in ``data`` that the edition does not know (figure sections only)."""
    known = set(edition.fields)
    prefixes = {p.rsplit(".", 1)[0] for p in known} | {p.split(".")[0] for p in known}

    def walk(node: Any, prefix: str) -> Iterable[str]:
        if isinstance(node, Mapping):
            for k, v in node.items():
                p = f"{prefix}.{k}"
                if p in known:
                    continue
                if p in prefixes:
                    yield from walk(v, p)
                else:
                    yield p
        elif prefix not in known:
            yield prefix

    for top in ("meta", "active", "applications", "review_litigation", "fees", "text"):
        if top in data and data[top] is not None:
            yield from walk(data[top], top)
    for k in data:
        if k not in TOP_KEYS:
            yield k


def normalise(data: Any, *, nested: bool = False) -> Report:
    """Check a report read from JSON and return it in canonical form.

    Every path of its edition is present (missing ones null), keys in the documented order,
    integral floats as ints, 机关类型 as its key.  Raises DataError naming every problem.
    """
    if not isinstance(data, Mapping):
        raise DataError("报告数据应为一个 JSON 对象", "report data must be a JSON object")
    schema = data.get("schema", SCHEMA_ID)
    if schema != SCHEMA_ID:
        raise DataError(
            f"不认识的数据格式 schema={schema!r}（应为 {SCHEMA_ID}）",
            f"unknown schema {schema!r} (expected {SCHEMA_ID})",
        )
    edition = edition_of(data)
    problems: list[str] = [f"{p}：不是 {edition.key} 版格式中的项目" for p in _unknown_keys(edition, data)]
    out = empty_report(edition)
    for path in edition.fields:
        set_path(out, path, _check_value(edition, path, get_path(data, path), problems))
    # A year the edition does not cover is valid data (small offices kept the 2019 table for
    # 2021–2022 reports): the validator flags it (STR-03), every command reads it.
    prev = data.get("previous")
    if prev is not None:
        if nested:
            problems.append("previous 里不能再有 previous")
        else:
            try:
                prev = normalise(prev, nested=True)
            except DataError as e:
                problems.extend(f"previous：{line}" for line in e.details)
    out["previous"] = prev
    src = data.get("source")
    if src is not None and not isinstance(src, Mapping):
        problems.append("source 应为对象或 null")
    out["source"] = src
    if problems:
        raise DataError("报告数据有误", "invalid report data", details=problems)
    if nested:
        del out["previous"]
    return out
