"""The tables' own arithmetic (E1–E4 of the schema): ARI-01…ARI-05, and the relations that could
not be checked (CHK-01) or were only assumed to split run-together digits (CHK-02)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.numbers import difference, figure
from nianbao.workbook_templates.format.schema import Part

from nianbao.addin.checks.registry import ARITHMETIC, Context, Hit, rule


def _formula_words(ctx: Context, rel: S.Relation) -> tuple[str, str]:
    if rel.rule == "E1":
        return "一＋二", "三（七）＋四"
    if rel.rule == "E2":
        return "（七）总计", "各项办理结果之和"
    if rel.rule == "E3":
        return "总计", "六类申请人之和"
    return "总计", "＋".join(r.label for r in ctx.edition.review_results if r.key != S.TOTAL)


def _evaluated(ctx: Context) -> list[tuple[S.Relation, list[str], int | float, int | float]]:
    """Every relation with its blank figures and, when none is blank, its two sides (once a report)."""
    got = ctx.memo.get("relations")
    if got is None:
        got = ctx.memo["relations"] = []
        value = ctx.value
        for rel in ctx.edition.relations:
            # each figure looked up once, summed left to right until a blank is met; the blanks
            # are listed only when there is one
            left = right = 0
            blank = False
            for p in rel.left:
                v = value(p)
                if v is None:
                    blank = True
                    break
                left += v or 0  # a 0.0 adds the int 0: an all-zero side stays 0, not 0.0
            if not blank:
                for p in rel.right:
                    v = value(p)
                    if v is None:
                        blank = True
                        break
                    right += v or 0
            if blank:
                got.append((rel, [p for p in rel.left + rel.right if value(p) is None], 0, 0))
            else:
                got.append((rel, [], left, right))
    return got


def _relations(ctx: Context, relation: str) -> list[tuple[S.Relation, int | float, int | float]]:
    """Checkable relation instances of one rule (E1…E4) with their two sides (grouped once a report)."""
    by_rule = ctx.memo.get("checkable")
    if by_rule is None:
        by_rule = ctx.memo["checkable"] = {}
        for rel, blanks, left, right in _evaluated(ctx):
            if not blanks:
                by_rule.setdefault(rel.rule, []).append((rel, left, right))
    return by_rule.get(relation, [])


def _part_of(ctx: Context, rel: S.Relation) -> Part:
    return ctx.part(rel.left[0])


def _unequal(relation: str) -> Callable[[Context], Iterable[Hit]]:
    def check(ctx: Context) -> Iterable[Hit]:
        for rel, left, right in _relations(ctx, relation):
            if left != right:
                lw, rw = _formula_words(ctx, rel)
                facts = {"relation": rel.rule, "part": str(rel.part), "name": rel.name, "axis": rel.axis,
                         "sides": [lw, rw], "left": left, "right": right, "difference": left - right}
                yield Hit(f"{rel.where}：{lw}＝{figure(left)}，{rw}＝{figure(right)}，{difference(left - right)}",
                          rel.left + rel.right, _part_of(ctx, rel), facts=facts)
    return check


_SUMS_FIX = "找出记错的格：对照办理台账逐项核对这一{where}的数字，改正后合计会自动重算。"

rule("ARI-01", "error", ARITHMETIC, "一＋二＝三＋四（每一列）",
     what="第三部分每一列（六类申请人和总计）：本年新收＋上年结转＝（七）总计＋结转下年度。",
     why="第三部分表头写明：“第一项加第二项之和，等于第三项加第四项之和”。收到的申请（新收和上年结转）"
         "要么本年办结，要么结转下年度，一件不多、一件不少。",
     example="第三部分“自然人”列：一＋二＝505，三（七）＋四＝508，前者少3件",
     fix="核对这一列的新收、上年结转、各项办理结果和结转下年度：常见原因是漏记一件办结或结转，"
         "或把申请记到了另一类申请人下。")(_unequal("E1"))
rule("ARI-02", "error", ARITHMETIC, "（七）总计＝各项办理结果之和",
     what="每一列的“（七）总计”等于（一）至（六）各项办理结果之和（2021 版 21 行，2019 版 19 行）。",
     why="（七）总计是本年办结的申请数，是各种办理结果的合计；不相等说明某项结果漏记或多记。",
     example="第三部分“商业企业”列：（七）总计＝17，各项办理结果之和＝16，前者多1件",
     fix=_SUMS_FIX.format(where="列"))(_unequal("E2"))
rule("ARI-03", "error", ARITHMETIC, "总计列＝六类申请人之和",
     what="第三部分每一行的“总计”等于自然人与五类法人或其他组织之和。",
     why="总计列是各类申请人的合计；不相等说明某类申请人的数字漏记或多记，或总计是另外抄来的。",
     example="第三部分“（一）予以公开”行：总计＝384，六类申请人之和＝383，前者多1件",
     fix=_SUMS_FIX.format(where="行"))(_unequal("E3"))
rule("ARI-04", "error", ARITHMETIC, "复议、诉讼总计＝各结果之和",
     what="第四部分行政复议、未经复议直接起诉、复议后起诉三组，各自的“总计”等于结果维持、结果纠正、其他结果、尚未审结之和。",
     why="每一件复议或诉讼案件只有一种结果（含尚未审结），总计是它们的合计。",
     example="第四部分“行政复议”：总计＝10，结果维持＋结果纠正＋其他结果＋尚未审结＝9，前者多1件",
     fix="对照复议、诉讼案件台账，逐件核对结果，改正后总计会自动重算。")(_unequal("E4"))


@rule("ARI-05", "warning", ARITHMETIC, "只有总计列平衡",
      what="第三部分总计列的“一＋二＝三＋四”成立，而某些申请人列不成立。",
      why="总数对了，但申请件被记到了不同的申请人类型下（例如新收时记为自然人，办结时记为商业企业）。",
      example="第三部分：总计列平衡（一＋二＝三（七）＋四＝523），但自然人、商业企业列不平衡，申请人类型可能记错了",
      fix="逐件核对这些列的申请人类型，使同一件申请在新收、办理结果和结转中记在同一类申请人下。")
def check_only_total_balances(ctx: Context) -> Iterable[Hit]:
    failing, total_ok = [], None
    for rel, left, right in _relations(ctx, "E1"):
        col = rel.left[0].rsplit(".", 1)[1]
        if col == S.TOTAL:
            total_ok = left if left == right else None
        elif left != right:
            failing.append(rel)
    if total_ok is None or not failing:
        return
    names = "、".join(ctx.edition.fields[r.left[0]].column for r in failing)
    paths = tuple(p for r in failing for p in r.left + r.right)
    yield Hit(f"第三部分：总计列平衡（一＋二＝三（七）＋四＝{figure(total_ok)}），但{names}列不平衡，申请人类型可能记错了",
              paths, Part.PART3)


@rule("CHK-01", "warning", ARITHMETIC, "勾稽关系无法校验",
      what="一条勾稽关系中的数字都已填写，能判断它是否成立。",
      why="有空白的数字时无法判断关系是否成立。“无法校验”不等于“通过”。",
      example="第四部分“行政复议”的“总计＝结果维持＋结果纠正＋其他结果＋尚未审结”无法校验：“尚未审结”未填",
      fix="把空白填上（没有的填 0），再校验一次。")
def check_uncheckable(ctx: Context) -> Iterable[Hit]:
    for rel, blanks, _, _ in _evaluated(ctx):
        if not blanks:
            continue
        lw, rw = _formula_words(ctx, rel)
        what = "、".join(f"“{ctx.edition.fields[p].row if rel.rule in ('E1', 'E2') else ctx.edition.fields[p].column}”"
                        for p in blanks[:6])
        more = f"等 {len(blanks)} 项" if len(blanks) > 6 else ""
        yield Hit(f"{rel.where}的“{lw}＝{rw}”无法校验：{what}{more}未填", tuple(blanks), _part_of(ctx, rel))


@rule("CHK-02", "info", ARITHMETIC, "勾稽关系用于拆分连写的数字",
      what="已发布报告中与标签连写的数字（OCR）是否按表格自身的勾稽关系拆分。",
      why="用于拆分的关系必然成立，只能算作假设，不能算作通过校验。",
      example="第三部分“一、本年新收政府信息公开申请数量”的数字连写为“505160011523”，按 E3 拆分：这些关系是假设，不算通过",
      fix="对照原文（或原始台账）核对这些行的每一个数字。")
def check_assumed(ctx: Context) -> Iterable[Hit]:
    rows: dict[str, tuple[str, list[str]]] = {}
    for path, cell in (ctx.source.get("cells") or {}).items():
        if isinstance(cell, Mapping) and cell.get("split_by_arithmetic") and path in ctx.edition.fields:
            rows.setdefault(path.rsplit(".", 1)[0], (str(cell.get("printed", "")), list(cell.get("assumed") or [])))
    for row, (printed, assumed) in rows.items():
        paths = tuple(p for p in ctx.edition.fields if p.startswith(row + "."))
        f = ctx.edition.fields[paths[0]]
        yield Hit(f"{f.part}“{f.row}”的数字连写为“{printed}”，按 {'、'.join(assumed) or '勾稽关系'} 拆分："
                  "这些关系是假设，不算通过", paths, f.part,
                  facts={"part": str(f.part), "row": f.row, "printed": printed, "assumed": assumed})
