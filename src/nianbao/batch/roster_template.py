"""`nianbao roster-template`: an example roster a city office can start from — every column, a
two-level example (districts that return their own summary, the city's departments), and a 说明
sheet that explains each column and the 汇总 rule."""

from __future__ import annotations

from pathlib import Path

from nianbao.batch.roster import COLUMNS
from nianbao.workbook_templates.xlsx.safe_write import Written, write_atomic

EXAMPLE = (  # 名称, 类型, 上级, 汇总, 联系人, 联系电话, 公开联系方式, 所属地区, 文件名
    ("示例市人民政府", "政府", "", "否", "王某", "0000-1000001", "示例市人民政府办公室（电话：0000-1000000）", "示例市", ""),
    ("示例市甲区人民政府", "政府", "示例市人民政府", "是", "李某", "0000-2000001", "", "示例市甲区", ""),
    ("示例市乙区人民政府", "政府", "示例市人民政府", "是", "赵某", "0000-3000001", "", "示例市乙区", ""),
    ("示例市财政局", "部门", "示例市人民政府", "否", "钱某", "0000-1000002", "示例市财政局办公室（电话：0000-1000003）", "示例市", ""),
    ("示例市教育局", "部门", "示例市人民政府", "否", "孙某", "0000-1000004", "", "示例市", ""),
)
RULES = (
    "每个单位一行；第一行是列名，列的顺序不限，名称以外的列都可以不要。",
    "“上级”写上级单位的“名称”，与名单中那一行一字不差；最上级的单位（汇总报告的机关）“上级”留空。"
    "名单中只有一个最上级单位时，汇总报告的机关就是它；否则 collect 时请用 --agency 指定。",
    "汇总＝是：这个单位交回的是已包括其全部下级的汇总表（逐级汇总：区用自己的名单下发给本区部门和街道，"
    "收齐后用 nianbao collect 汇总，把得到的 SUMMARY.xlsx 交给市里）。市里只算这张汇总表，不再加它的下级；"
    "它的下级单位的报送同时交到市里时，列为“已含在…汇总中”；汇总表某一格小于已交来的下级之和时提示 AGG-01。",
    "汇总＝否（默认）：单位交回本单位自己的年报，市里直接相加。",
    "联系人、联系电话只写在汇总情况表中，方便催报，不写进任何报告；报告中的联系方式来自“公开联系方式”，单位可以修改。",
    "保存为 .xlsx 或 .csv（UTF-8 或 GBK 均可）后：nianbao distribute --roster 名单.xlsx --year 2024 --out 下发",
)


def write_roster_template(target: Path) -> Written:
    """Write the example roster (名单 sheet first, then 说明), by the overwrite policy."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from nianbao.workbook_templates.xlsx.utf8_save import saver

    order = ("名称", "类型", "上级", "汇总", "联系人", "联系电话", "公开联系方式", "所属地区", "文件名")
    assert set(order) == set(COLUMNS)
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(list(order))
    for row in EXAMPLE:
        ws.append(list(row))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGHI", (24, 8, 22, 8, 10, 16, 44, 14, 20)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("说明")
    notes.append(["列", "说明"])
    for header in order:
        notes.append([header, COLUMNS[header][1]])
    notes.append([])
    notes.append(["规则", ""])
    for i, line in enumerate(RULES, start=1):
        notes.append([str(i), line])
    for row in notes.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes["A1"].font = notes["B1"].font = Font(bold=True)
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 100
    return write_atomic(target, saver(wb))
