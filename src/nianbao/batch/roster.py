"""The roster of units a city office sends the form to (.csv in UTF-8 or GBK, or .xlsx), and the
safe file name of each unit's template."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import DataError, UnreadableFile
from nianbao.workbook_templates.format.input_files import open_zip, read_input
from nianbao.workbook_templates.format.sanitise import file_stem

# The roster's columns: header -> (Unit field, what it means).  Written once here; the README,
# `distribute --help` and the 说明 sheet of `nianbao roster-template` list them from this table.
COLUMNS: dict[str, tuple[str, str]] = {
    "名称": ("name", "必填。单位全称，即年报标题中的机关名称，如“示例市甲区财政局”。"),
    "类型": ("kind", "政府 / 部门 / 其他（人民政府须报告考核、评议、追究情况）；空白时按名称推断。"),
    "上级": ("parent", "上级单位的“名称”（与名单中那一行完全相同；几个单位同名时不能作上级，请把名称写全）；最上级的单位留空。"
                      "汇总报告的机关默认是名单中唯一没有上级的单位。"),
    "汇总": ("aggregate", "是 / 否（默认否）。“是”表示这个单位交回的是包括其全部下级的汇总（如区汇总表），"
                         "它的下级不再重复相加；下级单位的报送同时交来时列为“已含在…汇总中”。"),
    "联系人": ("contact_person", "本单位负责填报的人，只写在汇总情况表中，不写进报告。"),
    "联系电话": ("phone", "联系人的电话，只写在汇总情况表中，不写进报告。"),
    "公开联系方式": ("public_contact", "对外公开的咨询方式，如“示例市财政局办公室（电话：0000-1234567）”；"
                                   "预填到模板的“联系方式”，写进报告，单位可以修改。"),
    "所属地区": ("region", "预填到模板的“所属地区”，单位可以修改。"),
    "文件名": ("file_name", "下发模板的文件名（不写时用“名称-年度.xlsx”）。"),
}
_YES, _NO = ("是", "y", "yes", "true", "1"), ("", "否", "n", "no", "false", "0")


def columns_help() -> str:
    """The roster's columns in one paragraph (for --help)."""
    return "；".join(f"{h}：{what}" for h, (_, what) in COLUMNS.items())


KINDS = {"政府": "government", "部门": "department", "其他": "other", **{k: k for k in S.AGENCY_KINDS},
         **{v: k for k, v in S.AGENCY_KINDS.items()}}


@dataclass(slots=True, frozen=True)
class Unit:
    name: str
    kind: str
    parent: str = ""
    contact_person: str = ""
    phone: str = ""
    file_name: str = ""
    aggregate: bool = False  # its own report already includes the units whose 上级 it is
    public_contact: str = ""  # 联系方式 as the report prints it (the roster's column meant for it)
    region: str = ""
    _id: str = field(default="", init=False, repr=False, compare=False)

    @property
    def unit_id(self) -> str:
        """A stable id from the unit's place in the roster (parent / name); made once, and the one
        string kept (the roster's check for repeats, matching and the ledger ask for it)."""
        if not self._id:
            key = f"{norm_name(self.parent)}/{norm_name(self.name)}".encode("utf-8")
            object.__setattr__(self, "_id", "U" + hashlib.sha1(key).hexdigest()[:10])
        return self._id


def norm_name(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def safe_file_stem(name: str) -> str:
    """A file name from a unit's name (the one sanitiser: format/sanitise.file_stem)."""
    return file_stem(name)


Rows = tuple[list[str], Iterator[dict[str, str]]]  # the header, and the rows one by one


def _rows_from_csv(path: Path) -> Rows:
    raw = read_input(path)  # the one input guard: a regular file, within its byte limit
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(f"名单 {path.name} 不是 UTF-8 或 GBK 编码的 CSV。", f"{path.name} is neither UTF-8 nor GBK")
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), iter(reader)  # one row at a time: 10,000 at once weigh 4 MB


def _rows_from_xlsx(path: Path) -> Rows:
    from python_calamine import CalamineWorkbook

    damaged = (f"名单 {path.name} 无法读取（应为 .xlsx 或 .csv）。", f"cannot read {path.name}")
    open_zip(path, damaged).close()  # the one input guard: kind, bytes, parts unpacked
    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    except Exception as e:  # calamine raises its own errors for broken files
        raise UnreadableFile(f"名单 {path.name} 无法读取（应为 .xlsx 或 .csv）。", f"cannot read {path.name}: {e}") from e
    if not rows:
        return [], iter(())
    header = [str(h).strip() for h in rows[0]]
    return header, ({h: ("" if v is None else str(v).removesuffix(".0") if isinstance(v, float) else str(v))
                     for h, v in zip(header, r)} for r in rows[1:])


def read_roster(path: str | Path) -> list[Unit]:
    path = Path(path)
    if not path.exists():
        raise UnreadableFile(f"找不到名单：{path}", f"roster not found: {path}")
    header, rows = _rows_from_xlsx(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _rows_from_csv(path)
    units, problems, seen = [], [], set()
    lines: list[int] = []  # each unit's row
    alike: dict[str, str] = {}  # the 上级 and the 地区 many units have: one string for all of them
    for i, row in enumerate(rows, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if not any(row.values()):
            continue
        name = row.get("名称", "")
        if not name:
            problems.append(f"第 {i} 行没有“名称”")
            continue
        kind = KINDS.get(row.get("类型", ""), None) if row.get("类型") else S.infer_agency_kind(name)
        if kind is None:
            problems.append(f"第 {i} 行“类型”应为 政府/部门/其他，实为“{row.get('类型')}”")
            continue
        aggregate = row.get("汇总", "").lower()
        if aggregate not in _YES + _NO:
            problems.append(f"第 {i} 行“{name}”的“汇总”应为 是 或 否，实为“{row.get('汇总')}”")
            continue
        parent, region = row.get("上级", ""), row.get("所属地区", "")
        unit = Unit(name, kind, alike.setdefault(parent, parent), row.get("联系人", ""), row.get("联系电话", ""),
                    row.get("文件名", ""), aggregate in _YES, row.get("公开联系方式", ""), alike.setdefault(region, region))
        if unit.unit_id in seen:
            problems.append(f"第 {i} 行“{name}”（上级“{unit.parent}”）与前面的一行重复")
            continue
        seen.add(unit.unit_id)
        units.append(unit)
        lines.append(i)
    problems += _ambiguous_parents(units, lines)
    if "名称" not in {(h or "").strip() for h in header}:
        problems.insert(0, f"名单第 1 行缺少“名称”列（列名：{'、'.join(COLUMNS)}；"
                           "nianbao roster-template -o 名单.xlsx 写出一份示例）")
    elif not units and not problems:
        problems.append("名单中只有列名，没有任何单位（从第 2 行起每行写一个单位）")
    if problems:
        raise DataError(f"名单 {path.name} 有误", f"the roster {path.name} has problems", details=problems)
    return units


def _ambiguous_parents(units: list[Unit], lines: list[int]) -> list[str]:
    """A 上级 is named by its 名称: one that several units of the roster have cannot say which of
    them is meant (a summary would be taken as including the wrong district's units)."""
    rows_of: dict[str, list[int]] = {}
    for u, line in zip(units, lines):
        rows_of.setdefault(norm_name(u.name), []).append(line)
    return [f"第 {line} 行“{u.name}”的上级“{u.parent}”在名单中有 {len(rows)} 个同名单位（第 {'、'.join(map(str, rows))} 行），"
            "无法确定是哪一个：请把这些单位的名称写全（如加上所属的区县）"
            for u, line in zip(units, lines) if u.parent and len(rows := rows_of.get(norm_name(u.parent), [])) > 1]


def file_names(units: list[Unit], year: int) -> dict[str, str]:
    """unit id -> a unique, safe .xlsx file name."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for u in units:
        stem = safe_file_stem(Path(u.file_name).stem if u.file_name else f"{u.name}-{year}")
        candidate, k = stem, 2
        while candidate.lower() in used:
            candidate, k = f"{stem}-{k}", k + 1
        used.add(candidate.lower())
        out[u.unit_id] = candidate + ".xlsx"
    return out


def top_unit(units: list[Unit]) -> Unit | None:
    """The unit the consolidated report is of: the one with no 上级 in the roster; among several,
    the one that is 汇总 or a 人民政府 (the city itself), when that is a single unit."""
    names = {norm_name(u.name) for u in units}
    tops = [u for u in units if not u.parent or norm_name(u.parent) not in names]
    for narrowed in (tops, [u for u in tops if u.aggregate], [u for u in tops if u.kind == "government"]):
        if len(narrowed) == 1:
            return narrowed[0]
    return None
