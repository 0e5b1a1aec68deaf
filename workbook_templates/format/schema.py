"""The format schema: the statutory report format of both editions, as data.

This module is the one place where an official label, a row list, a column list or an
arithmetic relation is written down.  The template builder, the workbook reader, the
validator, the importers and the renderers all read it; none of them spells a label again.

Editions
  "2021"  国办公开办函〔2021〕30号, reports for 2021 onward
  "2019"  国办公开办函〔2019〕60号（试行）, reports for 2019 and 2020

Every value of a report has a *path* (``applications.new.natural_person``), which is both its
key in the report-data JSON (spec/report-data.md) and the defined name of its cell in the
template workbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from nianbao.workbook_templates.format.errors import DataError

SCHEMA_ID = "nianbao/report-data@1"
# Workbook-scope defined names on the template's hidden sheet that are not report values.
NAME_SCHEMA = "schema"
NAME_EDITION = "edition"
NAME_FORMAT_VERSION = "format_version"
NAME_PREVIOUS = "previous"  # last year's report data, JSON split over cells
NAME_PRINTED_SHAPE = "printed_shape"  # cells a published table did not print (JSON), in a workbook imported from it
# Versions of the template as stored on its hidden sheet (``format_version``).  Every change of
# the template raises it once; every reader, the annotator and carry-forward accept all the
# versions listed here (a city receives returns made from last month's template).
FORMAT_VERSIONS: tuple[str, ...] = ("1", "2")  # 2: distributed copies lock only UNIT_IDENTITY; input cells carry the
# mark rules (hidden sheet H:I); 第三部分 and 文字部分 print landscape, one page wide, table text ≥ 9 pt
FORMAT_VERSION = FORMAT_VERSIONS[-1]
LAST_YEAR = 2100  # a statistics year after this is a typing error (99999), not a report (as the template's validation)


class Part(StrEnum):
    """Where a value or a finding belongs: the report's parts, as people name them.

    The three table parts are also the names of the template's sheets."""

    META = "meta"  # the cover: 机关名称, 年度 …
    PART2 = "第二部分"
    PART3 = "第三部分"
    PART4 = "第四部分"
    PART6 = "第六部分"  # the fee figures of 六、其他需要报告的事项
    PROSE = "文字部分"  # 一、五、六 as text
    TEMPLATE = "模板"  # the workbook or the printed form itself
    CROSS_YEAR = "跨年度"  # relations between this year and last year


TABLE_PARTS: tuple[Part, ...] = (Part.PART2, Part.PART3, Part.PART4)


class Kind(StrEnum):
    """What a value cell holds; drives data validation, parsing and formatting."""

    COUNT = "count"  # whole number >= 0
    SIGNED = "signed"  # whole number, may be negative (2019 本年增/减)
    WAN_YUAN = "wan_yuan"  # decimal >= 0, 万元
    YUAN = "yuan"  # decimal >= 0, 元
    TEXT = "text"  # one line of text
    PROSE = "prose"  # long text
    YEAR = "year"  # the statistics year
    AGENCY_KIND = "agency_kind"  # government / department / other
    DATE = "date"  # ISO date

    @property
    def numeric(self) -> bool:
        return self in (Kind.COUNT, Kind.SIGNED, Kind.WAN_YUAN, Kind.YUAN)

    @property
    def integral(self) -> bool:
        return self in (Kind.COUNT, Kind.SIGNED, Kind.YEAR)


# 机关类型: key -> the label shown in the workbook and in messages.
AGENCY_KINDS: dict[str, str] = {
    "government": "人民政府",
    "department": "政府部门",
    "other": "其他机关",
}


@dataclass(frozen=True)
class Label:
    """A row, column or group: its stable key and its exact official label."""

    key: str
    label: str


@dataclass(frozen=True)
class Field:
    """One value cell of the report: its path, where it sits, what it holds."""

    path: str
    part: Part
    label: str  # a short Chinese name of the value, used in forms and messages
    kind: Kind
    computed: bool = False  # a total: a formula in the workbook, printed in a report
    required: bool = False  # must not be blank in a finished report
    row: str = ""  # in a table: the row's (or 第四部分 group's) official label
    column: str = ""  # in a table: the column's official label


@dataclass(frozen=True)
class Relation:
    """An arithmetic relation: sum(left) == sum(right).

    ``defines`` names the computed cell this relation gives its formula to (the single path
    on the left), or None for a relation that is only checked (E1, and E2 in the 总计 column,
    which is defined by E3 instead).
    """

    rule: str  # "E1" … "E4" (format-spec §1.6)
    left: tuple[str, ...]
    right: tuple[str, ...]
    part: str  # which table this instance is about (a Part) …
    name: str  # … which column, row or group of it, as labelled …
    axis: str  # … and what that is: "列", "行", or "" (a group of 第四部分)
    defines: str | None = None

    @property
    def where(self) -> str:
        """Chinese: 第三部分“自然人”列, 第三部分“（一）予以公开”行, 第四部分“行政复议”."""
        return f"{self.part}“{self.name}”{self.axis}"


@dataclass(frozen=True)
class ActiveBlock:
    """One block of Table 2 (第二部分): a caption, its value columns, its rows."""

    caption: str
    columns: tuple[Label, ...]
    rows: tuple[Label, ...]
    kinds: tuple[Kind, ...]  # one per column


@dataclass(frozen=True)
class ApplicationRow:
    """One data row of Table 3 with its place in the merged label columns."""

    key: str
    label: str
    section: str | None = None  # 三、本年度办理结果 for the result rows
    group: str | None = None  # （三）不予公开 … for the leaf rows of a group
    computed: bool = False  # （七）总计
    result: bool = False  # one of the leaf result rows summed by （七）总计


# ---------------------------------------------------------------------------------------
# Labels shared by both editions
# ---------------------------------------------------------------------------------------

TABLE3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
TABLE3_APPLICANT = "申请人情况"
TABLE3_LEGAL_PERSON = "法人或其他组织"
TABLE3_RESULTS = "三、本年度办理结果"

APPLICATION_COLUMNS: tuple[Label, ...] = (
    Label("natural_person", "自然人"),
    Label("commercial", "商业企业"),
    Label("research", "科研机构"),
    Label("public_interest", "社会公益组织"),
    Label("legal_service", "法律服务机构"),
    Label("other_org", "其他"),
    Label("total", "总计"),
)
TOTAL = "total"

_WITHHELD = "（三）不予公开"
_UNAVAILABLE = "（四）无法提供"
_UNPROCESSED = "（五）不予处理"
_OTHER = "（六）其他处理"


def _results(*rows: ApplicationRow) -> tuple[ApplicationRow, ...]:
    return tuple(
        ApplicationRow(r.key, r.label, section=TABLE3_RESULTS, group=r.group, result=True)
        for r in rows
    )


_R = ApplicationRow
_ROWS_HEAD = (
    _R("new", "一、本年新收政府信息公开申请数量"),
    _R("carried_over", "二、上年结转政府信息公开申请数量"),
)
_RESULTS_BEFORE_OTHER = _results(
    _R("granted", "（一）予以公开"),
    _R("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    _R("withheld_state_secret", "1.属于国家秘密", group=_WITHHELD),
    _R("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开", group=_WITHHELD),
    _R("withheld_security_stability", "3.危及“三安全一稳定”", group=_WITHHELD),
    _R("withheld_third_party", "4.保护第三方合法权益", group=_WITHHELD),
    _R("withheld_internal_affairs", "5.属于三类内部事务信息", group=_WITHHELD),
    _R("withheld_process_info", "6.属于四类过程性信息", group=_WITHHELD),
    _R("withheld_enforcement_file", "7.属于行政执法案卷", group=_WITHHELD),
    _R("withheld_query_matter", "8.属于行政查询事项", group=_WITHHELD),
    _R("unavailable_not_held", "1.本机关不掌握相关政府信息", group=_UNAVAILABLE),
    _R("unavailable_needs_creation", "2.没有现成信息需要另行制作", group=_UNAVAILABLE),
    _R("unavailable_unclear", "3.补正后申请内容仍不明确", group=_UNAVAILABLE),
    _R("unprocessed_petition", "1.信访举报投诉类申请", group=_UNPROCESSED),
    _R("unprocessed_duplicate", "2.重复申请", group=_UNPROCESSED),
    _R("unprocessed_publication", "3.要求提供公开出版物", group=_UNPROCESSED),
    _R("unprocessed_excessive", "4.无正当理由大量反复申请", group=_UNPROCESSED),
    _R("unprocessed_confirmation", "5.要求行政机关确认或重新出具已获取信息", group=_UNPROCESSED),
)
_RESULTS_OTHER_2021 = _results(
    _R(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        group=_OTHER,
    ),
    _R(
        "other_fee_unpaid",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        group=_OTHER,
    ),
    _R("other_other", "3.其他", group=_OTHER),
)
_RESULTS_OTHER_2019 = _results(_R("other_handling", _OTHER))
_ROWS_TAIL = (
    _R("total_handled", "（七）总计", section=TABLE3_RESULTS, computed=True),
    _R("carried_forward", "四、结转下年度继续办理"),
)

REVIEW_GROUPS: tuple[Label, ...] = (
    Label("review", "行政复议"),
    Label("litigation_direct", "未经复议直接起诉"),
    Label("litigation_after_review", "复议后起诉"),
)
REVIEW_LITIGATION = "行政诉讼"  # the caption over the two litigation groups
LITIGATION_GROUPS = ("litigation_direct", "litigation_after_review")  # 行政诉讼 = the sum of these
REVIEW_RESULTS: tuple[Label, ...] = (
    Label("upheld", "结果维持"),
    Label("corrected", "结果纠正"),
    Label("other", "其他结果"),
    Label("pending", "尚未审结"),
    Label("total", "总计"),
)

ACTIVE_ITEM = "信息内容"  # the first header cell of every Table 2 block

OVERVIEW_SUBPARTS: tuple[Label, ...] = (
    Label("intro", "一、总体情况（导语）"),
    Label("active", "（一）主动公开"),
    Label("requests", "（二）依申请公开"),
    Label("management", "（三）政府信息管理"),
    Label("platforms", "（四）平台建设"),
    Label("oversight", "（五）监督保障"),
)

META_FIELDS: tuple[tuple[Label, Kind, bool], ...] = (  # in report-data.md's order
    (Label("agency", "机关名称"), Kind.TEXT, True),
    (Label("year", "统计年度"), Kind.YEAR, True),
    (Label("agency_kind", "机关类型"), Kind.AGENCY_KIND, True),
    (Label("unit_id", "单位编号"), Kind.TEXT, False),
    (Label("region", "所属地区"), Kind.TEXT, False),
    (Label("parent", "上级机关"), Kind.TEXT, False),
    (Label("contact", "联系方式"), Kind.TEXT, False),
    (Label("published", "发布日期"), Kind.DATE, False),
)

# Meta that rarely changes from one year to the next: carry-forward fills it into empty cells.
PERSISTENT_META: tuple[str, ...] = ("meta.region", "meta.parent", "meta.contact")

# What identifies a unit in a copy distributed to it: filled in and locked.  The unit fills the
# other meta cells itself (所属地区, 联系方式 — the public contact the report prints —, 发布日期).
UNIT_IDENTITY = ("meta.agency", "meta.year", "meta.agency_kind", "meta.parent", "meta.unit_id")

FEE_FIELDS: tuple[tuple[Label, Kind], ...] = (
    (Label("info_processing_fee_yuan", "本年收取信息处理费（元）"), Kind.YUAN),
    (Label("notices_issued", "本年发出收费通知（件）"), Kind.COUNT),
)

GRANTED_GROUP = "予以公开及部分公开"  # the published reports state （一）＋（二） together

PART_NAMES = ("第一部分", "第二部分", "第三部分", "第四部分", "第五部分", "第六部分")
PART_NUMERALS = "一二三四五六"


@dataclass(frozen=True)
class Carry:
    """One cell carried from last year's report into this year's (上年结转 ← 结转下年度)."""

    this: str  # the path in this year's report
    last: str  # the path in last year's report
    computed: bool  # this year's cell is a total: follows by formula, compared only


@dataclass(frozen=True)
class Continuity:
    """A cross-year relation: ``target`` = sum of signed terms, each of this year's or last year's
    report (XYR-02 现行有效件数, XYR-05 上一年项目数量).  Checked only when last year's report is
    of the edition ``previous_edition``."""

    rule: str
    target: str  # a path of this year's report
    terms: tuple[tuple[int, str, str], ...]  # (sign, "this" | "previous", path)
    previous_edition: str
    row: str  # the row's official label, for messages


# ---------------------------------------------------------------------------------------
# Editions
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edition:
    key: str  # "2021" | "2019"
    document: str  # the notice that set the format
    first_year: int
    last_year: int | None
    headings: tuple[str, ...]  # the six part headings, in order
    active_blocks: tuple[ActiveBlock, ...]
    application_rows: tuple[ApplicationRow, ...]
    application_columns: tuple[Label, ...] = APPLICATION_COLUMNS
    review_groups: tuple[Label, ...] = REVIEW_GROUPS
    review_results: tuple[Label, ...] = REVIEW_RESULTS
    overview_subparts: tuple[Label, ...] = OVERVIEW_SUBPARTS

    def __hash__(self) -> int:  # editions key many caches: hash the key, not every label of the format
        return hash(self.key)

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= (self.last_year or LAST_YEAR)

    # -- fields -------------------------------------------------------------------------

    @cached_property
    def fields(self) -> dict[str, Field]:
        """Every value of the report, in reading order, by path."""
        out: list[Field] = []
        for lab, kind, required in META_FIELDS:
            out.append(Field(f"meta.{lab.key}", Part.META, lab.label, kind, required=required))
        for block in self.active_blocks:
            for row in block.rows:
                for col, kind in zip(block.columns, block.kinds):
                    out.append(
                        Field(
                            f"active.{row.key}.{col.key}",
                            Part.PART2,
                            f"“{row.label}”行“{col.label}”",
                            kind,
                            required=True,
                            row=row.label,
                            column=col.label,
                        )
                    )
        for row in self.application_rows:
            for col in self.application_columns:
                out.append(
                    Field(
                        f"applications.{row.key}.{col.key}",
                        Part.PART3,
                        f"“{row.label}”行“{col.label}”列",
                        Kind.COUNT,
                        computed=row.computed or col.key == TOTAL,
                        required=True,
                        row=row.label,
                        column=col.label,
                    )
                )
        for grp in self.review_groups:
            for res in self.review_results:
                out.append(
                    Field(
                        f"review_litigation.{grp.key}.{res.key}",
                        Part.PART4,
                        f"“{grp.label}”“{res.label}”",
                        Kind.COUNT,
                        computed=res.key == TOTAL,
                        required=True,
                        row=grp.label,
                        column=res.label,
                    )
                )
        for lab, kind in FEE_FIELDS:
            out.append(Field(f"fees.{lab.key}", Part.PART6, lab.label, kind))
        for lab in self.overview_subparts:
            out.append(Field(f"text.overview.{lab.key}", Part.PROSE, lab.label, Kind.PROSE))
        out.append(Field("text.problems", Part.PROSE, self.headings[4], Kind.PROSE))
        out.append(Field("text.other", Part.PROSE, self.headings[5], Kind.PROSE))
        return {f.path: f for f in out}

    @cached_property
    def figure_paths(self) -> tuple[str, ...]:
        """Paths of the statutory tables' numeric cells (第二、三、四部分)."""
        return tuple(p for p, f in self.fields.items() if f.part in PART_NAMES)

    @cached_property
    def entered_paths(self) -> tuple[str, ...]:
        """Cells a person types (everything that is not a total)."""
        return tuple(p for p, f in self.fields.items() if not f.computed)

    @cached_property
    def computed_paths(self) -> tuple[str, ...]:
        return tuple(p for p, f in self.fields.items() if f.computed)

    def describe(self, path: str) -> str:
        """Where a value sits, in Chinese: 第三部分“一、本年新收…”行“自然人”列."""
        f = self.fields[path]
        return f.label if f.part in (Part.META, Part.PROSE) else f"{f.part}{f.label}"

    # -- relations ----------------------------------------------------------------------

    @cached_property
    def result_rows(self) -> tuple[ApplicationRow, ...]:
        return tuple(r for r in self.application_rows if r.result)

    @cached_property
    def outcome_groups(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The five outcome groups the reports state with their shares, as (name, row keys):
        予以公开及部分公开 (（一）＋（二）), 不予公开, 无法提供, 不予处理, 其他处理."""
        groups: dict[str, list[str]] = {}
        for r in self.result_rows:
            name = re.sub(r"^（[一二三四五六七八九十]+）", "", r.group or r.label)
            if r.key in ("granted", "partially_granted"):
                name = GRANTED_GROUP
            groups.setdefault(name, []).append(r.key)
        return tuple((k, tuple(v)) for k, v in groups.items())

    @cached_property
    def relations(self) -> tuple[Relation, ...]:
        """E1–E4 (format-spec §1.6) instantiated for this edition, as path sums."""
        rels: list[Relation] = []
        cols = self.application_columns
        parts = [c for c in cols if c.key != TOTAL]
        for c in cols:  # E1: 一 + 二 = 三（七） + 四, every column
            a = f"applications.{{}}.{c.key}"
            rels.append(
                Relation(
                    "E1",
                    (a.format("new"), a.format("carried_over")),
                    (a.format("total_handled"), a.format("carried_forward")),
                    Part.PART3, c.label, "列",
                )
            )
        for c in cols:  # E2: （七）总计 = sum of the result rows, every column
            rels.append(
                Relation(
                    "E2",
                    (f"applications.total_handled.{c.key}",),
                    tuple(f"applications.{r.key}.{c.key}" for r in self.result_rows),
                    Part.PART3, c.label, "列",
                    defines=None if c.key == TOTAL else f"applications.total_handled.{c.key}",
                )
            )
        for r in self.application_rows:  # E3: 总计 column = sum of the six applicant columns
            rels.append(
                Relation(
                    "E3",
                    (f"applications.{r.key}.{TOTAL}",),
                    tuple(f"applications.{r.key}.{c.key}" for c in parts),
                    Part.PART3, r.label, "行",
                    defines=f"applications.{r.key}.{TOTAL}",
                )
            )
        for g in self.review_groups:  # E4: 总计 = 维持 + 纠正 + 其他 + 尚未审结
            rels.append(
                Relation(
                    "E4",
                    (f"review_litigation.{g.key}.{TOTAL}",),
                    tuple(
                        f"review_litigation.{g.key}.{r.key}"
                        for r in self.review_results
                        if r.key != TOTAL
                    ),
                    Part.PART4, g.label, "",
                    defines=f"review_litigation.{g.key}.{TOTAL}",
                )
            )
        return tuple(rels)

    @cached_property
    def carry_map(self) -> tuple[Carry, ...]:
        """上年结转 of this year ← 结转下年度 of last year, column by column (both editions use
        the same columns, so the map holds across 2020 → 2021 too)."""
        return tuple(Carry(f"applications.carried_over.{c.key}", f"applications.carried_forward.{c.key}",
                           f"applications.carried_over.{c.key}" in self.computed_paths)
                     for c in self.application_columns)

    @cached_property
    def document_rows(self) -> tuple[Label, ...]:
        """The rows of 第二十条第（一）项 (规章, 规范性文件): the first block of 第二部分."""
        return self.active_blocks[0].rows

    @cached_property
    def continuity(self) -> tuple[Continuity, ...]:
        """The cross-year relations of 第二部分 (XYR-02 for 2021, XYR-05 for 2019)."""
        out: list[Continuity] = []
        if self.key == "2021":
            for row in self.document_rows:
                p = f"active.{row.key}."
                out.append(Continuity("XYR-02", p + "in_force", ((1, "previous", p + "in_force"),
                                      (1, "this", p + "issued"), (-1, "this", p + "repealed")), "2021", row.label))
        else:
            for path, f in self.fields.items():
                if path.startswith("active.") and path.endswith(".prior_items"):
                    p = path.rsplit(".", 1)[0] + "."
                    out.append(Continuity("XYR-05", path, ((1, "previous", path), (1, "previous", p + "change")),
                                          "2019", f.row))
        return tuple(out)

    @cached_property
    def formulas(self) -> dict[str, Relation]:
        """For every computed cell, the relation that gives it its formula."""
        out = {r.defines: r for r in self.relations if r.defines}
        missing = set(self.computed_paths) - set(out)
        assert not missing, f"computed cells without a defining relation: {missing}"
        return out

    @cached_property
    def sum_order(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Every total with the parts its formula adds, each total after the totals it is made of."""
        order: dict[str, tuple[str, ...]] = {}

        def visit(path: str) -> None:
            if path not in order:
                for part in self.formulas[path].right:
                    if part in self.formulas:
                        visit(part)
                order[path] = tuple(self.formulas[path].right)

        for path in self.computed_paths:
            visit(path)
        return tuple(order.items())


def _block(caption: str, cols: tuple[Label, ...], rows: tuple[Label, ...], *kinds: Kind):
    return ActiveBlock(caption, cols, rows, kinds)


_ONE = "第二十条第（一）项"
_FIVE = "第二十条第（五）项"
_SIX = "第二十条第（六）项"
_EIGHT = "第二十条第（八）项"
_NINE = "第二十条第（九）项"

EDITION_2021 = Edition(
    key="2021",
    document="国办公开办函〔2021〕30号",
    first_year=2021,
    last_year=None,
    headings=(
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ),
    active_blocks=(
        _block(
            _ONE,
            (
                Label("issued", "本年制发件数"),
                Label("repealed", "本年废止件数"),
                Label("in_force", "现行有效件数"),
            ),
            (Label("regulations", "规章"), Label("normative_documents", "行政规范性文件")),
            Kind.COUNT, Kind.COUNT, Kind.COUNT,
        ),
        _block(_FIVE, (Label("decisions", "本年处理决定数量"),), (Label("licensing", "行政许可"),), Kind.COUNT),
        _block(
            _SIX,
            (Label("decisions", "本年处理决定数量"),),
            (Label("penalty", "行政处罚"), Label("coercion", "行政强制")),
            Kind.COUNT,
        ),
        _block(
            _EIGHT,
            (Label("amount_wan_yuan", "本年收费金额（单位：万元）"),),
            (Label("admin_fees", "行政事业性收费"),),
            Kind.WAN_YUAN,
        ),
    ),
    application_rows=_ROWS_HEAD + _RESULTS_BEFORE_OTHER + _RESULTS_OTHER_2021 + _ROWS_TAIL,
)

_PRIOR_CHANGE_DECISIONS = (
    Label("prior_items", "上一年项目数量"),
    Label("change", "本年增/减"),
    Label("decisions", "处理决定数量"),
)

EDITION_2019 = Edition(
    key="2019",
    document="国办公开办函〔2019〕60号",
    first_year=2019,
    last_year=2020,
    headings=(
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、政府信息公开工作存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ),
    active_blocks=(
        _block(
            _ONE,
            (
                Label("new_made", "本年新制作数量"),
                Label("new_published", "本年新公开数量"),
                Label("total_published", "对外公开总数量"),
            ),
            (Label("regulations", "规章"), Label("normative_documents", "规范性文件")),
            Kind.COUNT, Kind.COUNT, Kind.COUNT,
        ),
        _block(
            _FIVE,
            _PRIOR_CHANGE_DECISIONS,
            (Label("licensing", "行政许可"), Label("other_services", "其他对外管理服务事项")),
            Kind.COUNT, Kind.SIGNED, Kind.COUNT,
        ),
        _block(
            _SIX,
            _PRIOR_CHANGE_DECISIONS,
            (Label("penalty", "行政处罚"), Label("coercion", "行政强制")),
            Kind.COUNT, Kind.SIGNED, Kind.COUNT,
        ),
        _block(
            _EIGHT,
            _PRIOR_CHANGE_DECISIONS[:2],
            (Label("admin_fees", "行政事业性收费"),),
            Kind.COUNT, Kind.SIGNED,
        ),
        _block(
            _NINE,
            (Label("projects", "采购项目数量"), Label("amount_yuan", "采购总金额")),
            (Label("procurement", "政府集中采购"),),
            Kind.COUNT, Kind.YUAN,
        ),
    ),
    application_rows=_ROWS_HEAD + _RESULTS_BEFORE_OTHER + _RESULTS_OTHER_2019 + _ROWS_TAIL,
)

EDITIONS: dict[str, Edition] = {e.key: e for e in (EDITION_2021, EDITION_2019)}


class NoFormatForYear(DataError):
    """A statistics year before the unified format (2019)."""


class UnknownEdition(DataError):
    """An edition key that is not 2021 or 2019."""


def edition_for_year(year: int) -> Edition:
    """The edition a report for statistics year ``year`` must use."""
    for e in EDITIONS.values():
        if e.covers(year):
            return e
    first = min(e.first_year for e in EDITIONS.values())
    if year > LAST_YEAR:
        raise NoFormatForYear(f"{year} 不是有效的统计年度（应在 {first}–{LAST_YEAR} 之间）。",
                              f"{year} is not a plausible statistics year ({first}–{LAST_YEAR})")
    raise NoFormatForYear(f"{year} 年度没有统一的年报格式（统一格式自 {first} 年度起）。",
                          f"there is no unified report format for {year} (it starts with {first})")


def get_edition(key: str) -> Edition:
    try:
        return EDITIONS[str(key)]
    except KeyError:
        raise UnknownEdition(f"格式版本“{key}”无法识别（应为 {' 或 '.join(EDITIONS)}）。",
                             f"unknown edition {key!r}; known: {', '.join(EDITIONS)}") from None


def only_in(edition: Edition) -> frozenset[str]:
    """The labels of 第二部分 printed only in ``edition``'s table: what tells a printed table's
    edition (第三部分's （六） rows are told apart by the importer, STR-03)."""
    def labels(e: Edition) -> set[str]:
        return {lab.label for b in e.active_blocks for lab in (*b.columns, *b.rows)} | {
            b.caption for b in e.active_blocks}
    others = set().union(*(labels(e) for e in EDITIONS.values() if e is not edition))
    return frozenset(labels(edition) - others)


def infer_agency_kind(agency: str) -> str:
    """机关类型 from the name as printed: 人民政府 → government; 局/委/办/厅… → department."""
    name = "".join(agency.split())
    if name.endswith("政府"):
        return "government"
    if name.endswith(("局", "委", "委员会", "办", "办公室", "办公厅", "厅", "部", "署", "中心", "院")):
        return "department"
    if name.endswith(("省", "市", "区", "县", "州", "旗", "盟", "镇", "乡")):
        return "government"  # a region's report (“2020年上海市政府信息公开工作年度报告”)
    return "other"
