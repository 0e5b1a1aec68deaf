"""A small two-level collection made from a seed's figures: 示例市 with its own office and 财政局,
and 甲区/乙区 (汇总＝是) each collecting its own units (本级, 财政局, a 街道).  Each unit's figures are
海宁市人民政府's published 2023 figures (tests/fixtures/haining-2023.json, seed 004) times a whole
number, so every table balances; the prose is Haining's, with the unit's name and figure fields.

Tests import the helpers; run it once to (re)make the samples the README's main job collects:

    python3 tests/city_samples.py      # writes tests/fixtures/city/
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SAMPLES = HERE / "fixtures" / "city"
YEAR = 2023
CITY = "示例市人民政府"
DISTRICTS = {"示例市甲区人民政府": ("示例市甲区财政局", "示例市甲区东街街道办事处"),
             "示例市乙区人民政府": ("示例市乙区财政局", "示例市乙区西街街道办事处")}
CITY_UNITS = (CITY, "示例市财政局")
FACTORS = {CITY: 1, "示例市财政局": 2, "示例市甲区人民政府": 3, "示例市甲区财政局": 4,
           "示例市甲区东街街道办事处": 5, "示例市乙区人民政府": 6, "示例市乙区财政局": 7, "示例市乙区西街街道办事处": 8}
HEADER = "名称,类型,上级,汇总,联系人,联系电话,公开联系方式\n"


def kind_of(name: str) -> str:
    return "政府" if name.endswith("人民政府") else "其他" if name.endswith("办事处") else "部门"


def city_roster() -> str:
    rows = [f"{CITY},政府,,否,王某,0000-1000001,{CITY}办公室（电话：0000-1000000）",
            "示例市财政局,部门,示例市人民政府,否,钱某,0000-1000002,示例市财政局办公室（电话：0000-1000003）"]
    rows += [f"{d},政府,{CITY},是,李某,0000-2000001," for d in DISTRICTS]
    return HEADER + "\n".join(rows) + "\n"


def district_roster(district: str) -> str:
    rows = [f"{district},政府,{CITY},否,李某,0000-2000001,{district}办公室（电话：0000-2000000）"]
    rows += [f"{u},{kind_of(u)},{district},否,周某,0000-2000002," for u in DISTRICTS[district]]
    return HEADER + "\n".join(rows) + "\n"


def unit_data(name: str, factor: int | None = None) -> dict[str, Any]:
    """The unit's full report data: Haining's figures times its factor, totals included."""
    from nianbao.workbook_templates.format import schema as S
    from nianbao.workbook_templates.format.report_data import get_path, set_path

    k = FACTORS.get(name, 9) if factor is None else factor
    haining = json.loads((HERE / "fixtures" / "haining-2023.json").read_text(encoding="utf-8"))
    data = copy.deepcopy(haining)
    edition = S.get_edition(data["edition"])
    for path in edition.figure_paths:
        v = get_path(data, path)
        if isinstance(v, (int, float)) and edition.fields[path].part in S.PART_NAMES:
            set_path(data, path, v * k)
    text = json.dumps(data["text"], ensure_ascii=False).replace("海宁市人民政府办公室", name).replace("海宁市人民政府", name)
    data["text"] = json.loads(text)
    data["text"]["overview"]["requests"] = (
        "严格落实《条例》规定,切实保障人民群众知情权,规范依申请受理、办理、答复各环节工作流程。"
        "{年度}年,{机关名称}收到依申请公开{新收申请}件,办理完毕{办理答复}件。")
    data["meta"]["agency"] = name
    data["meta"]["agency_kind"] = {"政府": "government", "部门": "department", "其他": "other"}[kind_of(name)]
    return data


def fill_copy(sent: Path, target: Path, data: dict[str, Any]) -> None:
    """What a person does in Excel: type every figure and the prose into the yellow cells."""
    import openpyxl
    from datetime import date

    from nianbao.workbook_templates.format import schema as S
    from nianbao.workbook_templates.format.report_data import get_path

    edition = S.get_edition(data["edition"])
    wb = openpyxl.load_workbook(sent)
    for path in edition.entered_paths:
        sheet, ref = wb.defined_names[path].attr_text.split("!")
        cell = wb[sheet.strip("'")][ref.replace("$", "")]
        if cell.protection.locked or path == "meta.unit_id":
            continue  # Excel refuses typing into a locked cell
        value = get_path(data, path)
        if path == "meta.published" and value:
            value = date.fromisoformat(value)
        if path == "meta.contact":
            value = cell.value or value  # pre-filled from the roster's public contact, when given
        cell.value = value
    wb.save(target)


def distribute(roster: Path, out: Path) -> None:
    from nianbao.batch.distribute import distribute as run
    from nianbao.batch.roster import read_roster

    run(read_roster(roster), YEAR, out)


def make(root: Path) -> dict[str, Path]:
    """Rosters and filled returns under ``root``: 市名单.csv, 市交回/, and per district 名单 and 交回/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "市名单.csv").write_text(city_roster(), encoding="utf-8")
    folders = {}
    for level, roster_text, units in [("市", city_roster(), CITY_UNITS)] + [
            (d.removeprefix("示例市").removesuffix("人民政府"), district_roster(d), (d, *DISTRICTS[d]))
            for d in DISTRICTS]:
        roster = root / f"{level}名单.csv"
        roster.write_text(roster_text, encoding="utf-8")
        sent = root / f"_{level}下发"
        distribute(roster, sent)
        back = root / f"{level}交回"
        back.mkdir(exist_ok=True)
        for name in units:
            fill_copy(sent / f"{name}-{YEAR}.xlsx", back / f"{name}-{YEAR}.xlsx", unit_data(name))
        shutil.rmtree(sent)
        folders[level] = back
    return folders


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent / "src"))
    for old in SAMPLES.glob("*交回"):
        shutil.rmtree(old)
    make(SAMPLES)
    print(f"samples written to {SAMPLES}")
