"""The command line: a thin shell over the core (contract: spec/report-data.md).

Exit codes: 0 success; 2 unreadable or bad input (a Chinese message, then English);
3 an internal error (a defect: please report it).  Messages go to stderr, data to stdout.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from nianbao import __version__
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import NianbaoError, OutputError

EXIT_INTERNAL = 3


def _say(message: str) -> None:
    click.echo(message, err=True)


def _fail(error: NianbaoError) -> NoReturn:
    _say(str(error))
    sys.exit(error.exit_code)


class _Group(click.Group):
    """Turns every NianbaoError into its message and exit code, never a traceback; click's usage
    errors and help in Chinese first (``cli_text``)."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        from nianbao.cli_text import install, show_usage_error

        install()
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as e:
            show_usage_error(e)
            sys.exit(e.exit_code)
        except click.Abort:
            _say("已中断。Aborted.")
            sys.exit(1)
        except click.ClickException as e:
            e.show()
            sys.exit(e.exit_code)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NianbaoError as e:
            _fail(e)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            _say("已中断。Interrupted.")
            sys.exit(130)
        except BrokenPipeError:  # `nianbao export x.xlsx | head`: the reader has gone, nothing to say
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)
        except Exception as e:  # a defect: say so plainly, keep the details for a report
            if os.environ.get("NIANBAO_DEBUG"):
                raise
            _say(f"内部错误（这是 nianbao 的缺陷，请报告，并附上设置 NIANBAO_DEBUG=1 后的输出）：{type(e).__name__}: {e}")
            _say("Internal error (a defect in nianbao; rerun with NIANBAO_DEBUG=1 and report it).")
            sys.exit(EXIT_INTERNAL)


def _dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"  # never NaN/Infinity


def _output_kind(out: Path, allowed: tuple[str, ...]) -> str:
    suffix = out.suffix.lower()
    if suffix not in allowed:
        raise OutputError(
            f"输出文件应以 {' / '.join(allowed)} 结尾：{out}",
            f"the output must end in {' / '.join(allowed)}: {out}",
        )
    return suffix


def _report_integrity(read: Any) -> None:
    """Say what reading a workbook noticed, and put INT-01's words beside each fact it recorded
    (the exported ``source.integrity`` carries them for people reading the JSON)."""
    if read is None:
        return
    from nianbao.addin.checks.structure import integrity_message

    for item in read.integrity:
        item["message"] = integrity_message(item, read.edition)
        _say(f"警告 {item['rule']}：{item['message']}")
    src = read.data.get("source") or {}
    for path, cell in (src.get("cells") or {}).items():
        _say(f"提示：{read.edition.describe(path)} 单元格内容为“{cell['printed']}”（{cell['note']}）")
    for note in src.get("notes") or []:
        _say(f"提示：{note}")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nianbao", help="显示版本并退出。Show the version and exit.")
def main() -> None:
    """政府信息公开工作年度报告工具 nianbao：模板工作簿、校验、上年结转、生成报告、下发与汇总。

    Annual government-information-disclosure reports: template workbooks, checks, carry-forward,
    the report, distribution and collection.  `nianbao 命令 --help` 查看每个命令的用法。
    """


@main.command("new")
@click.option("--year", type=int, required=True, help="统计年度 N。Statistics year N.")
@click.option("--agency", required=True, help="机关名称（与报告标题一致）。Agency name as in the title.")
@click.option("--kind", type=click.Choice(list(S.AGENCY_KINDS)), help="机关类型；不给出时按名称推断。Agency kind; inferred from the name if omitted.")
@click.option("--edition", type=click.Choice(list(S.EDITIONS)), help="格式版本；不给出时按年度确定。Format edition; from the year if omitted.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="要生成的 .xlsx。The .xlsx to create.")
@click.option("--force", is_flag=True, help="用空白模板替换已有的文件（旧文件保留为 .bak）。Replace an existing file with a blank one (kept as .bak).")
def new_cmd(year: int, agency: str, kind: str | None, edition: str | None, output: Path, force: bool) -> None:
    """生成某机关某年度的模板工作簿。Create a template workbook for one agency and year."""
    from nianbao.workbook_templates.xlsx.writer import new_workbook

    _output_kind(output, (".xlsx",))
    made = new_workbook(output, year, agency, kind, edition, force=force)
    if made.kept:
        _say(f"{output} 已是这个机关这一年度的工作簿（{made.described}），未改动；"
             "如要换成空白模板请加 --force（原文件会保留为 .bak）。")
    else:
        _say(made.written.said("已生成") + f"。{made.described}。")


@main.command("export")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="写到这个 JSON 文件（默认输出到屏幕）。Write JSON here instead of stdout.")
def export_cmd(workbook: Path, output: Path | None) -> None:
    """读取填好的工作簿，输出报告数据（JSON）。Read a filled workbook and print its report data."""
    from nianbao.workbook_templates.xlsx.reader import WORKBOOK_SUFFIXES, read_workbook
    from nianbao.workbook_templates.xlsx.package import XlsxPackage

    if workbook.suffix.lower() not in WORKBOOK_SUFFIXES:
        XlsxPackage(workbook).close()  # says exactly what the file is instead
    read = read_workbook(workbook)
    _report_integrity(read)
    text = _dump_json(read.data)
    if output is None:
        click.echo(text, nl=False)
        return
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic

    _output_kind(output, (".json",))
    _say(write_atomic(output, text).said("已导出"))


@main.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="写出报告数据 OUT.json 或填好的模板 OUT.xlsx。Normalised report data or a filled template.")
@click.option("--year", type=int, help="文件中有几份报告（如一个网页）时，取哪一年度的。Which report, when the file holds several.")
@click.option("--agency", help="文件中有几份报告时，按机关名称选择。Which report, by agency.")
@click.option("--kind", type=click.Choice(list(S.AGENCY_KINDS)), help="机关类型（名称不能说明时）。Agency kind, when the name misleads.")
def import_cmd(source: Path, output: Path, year: int | None, agency: str | None, kind: str | None) -> None:
    """读取报告数据、工作簿或已发布的报告，写出 JSON 或填好的模板。Read report data, a workbook or a published report (.txt .md .html .docx .pdf); write JSON or a template."""
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic
    from nianbao.workbook_templates.xlsx.writer import differing_totals_messages, holds_same_data, write_workbook
    from nianbao.workbook_templates.sources import load_report

    out_kind = _output_kind(output, (".json", ".xlsx"))
    if output.resolve() == source.resolve():
        raise OutputError("输出文件不能与输入文件相同。", "the output must not be the input file")
    data, read = load_report(source, year, agency, kind)
    _report_integrity(read)
    for note in (data.get("source") or {}).get("notes") or []:
        _say(f"提示：{note}")
    if out_kind == ".json":
        written = write_atomic(output, _dump_json(data))
    else:
        differing = differing_totals_messages(data)
        if differing:
            _say(f"注意：以下 {len(differing)} 个合计与原数据不一致；工作簿中的合计是公式，"
                 "会按分项重新计算（原数据中的合计将不再出现）：")
            for line in differing:
                _say(f"  - {line}")
        if data.get("source"):
            _say("提示：出处信息（source：原文标签、原文单元格文字、说明）只保存在 JSON 中，不写入工作簿。")
        if holds_same_data(output, data):
            _say(f"{output} 中已是相同的数据，未重写（其中的校验结果和确认保持不变）。")
            return
        written = write_workbook(data, output)
    _say(written.said())


def _load_previous(path: Path | None, this_year: Any = None) -> dict | None:
    from nianbao.actions import load_previous

    return load_previous(path, this_year)


def _print_findings(report: Any, cells: dict, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from rich.markup import escape

    from nianbao.actions import PART_ORDER, by_part
    from nianbao.addin.checks.findings import FIX_PREFIX, SEVERITY_ZH
    from nianbao.addin.checks.grouping import for_people

    console = Console(width=None if sys.stdout.isatty() else 140, highlight=False)
    console.print(title)
    colour = {"error": "red", "warning": "yellow", "info": "cyan"}
    rank = {"error": 0, "warning": 1, "info": 2}
    groups = dict(by_part(for_people(report.findings)))  # one line per cause (the JSON keeps every finding)

    def part_order(p: str) -> tuple[int, int]:  # parts with errors first, then in the report's order
        return min(rank[f.severity] for f in groups[p]), PART_ORDER.index(p) if p in PART_ORDER else 99

    for part in sorted(groups, key=part_order):
        part_findings = groups[part]
        table = Table(title=part, title_justify="left", show_lines=False, expand=False)
        table.add_column("级别", no_wrap=True)
        table.add_column("规则", no_wrap=True)
        table.add_column("说明", overflow="fold")
        if cells:
            table.add_column("单元格", overflow="fold")
        explained: set[str] = set()  # 怎么改 once per rule in a table
        for f in part_findings:
            fix = f"\n[dim]{FIX_PREFIX}{escape(f.fix)}[/]" if f.fix and f.rule not in explained else ""
            explained.add(f.rule)
            where = [f"{cells[p][0]}!{cells[p][1]}" for p in f.paths if p in cells]
            where_text = "、".join(where[:4]) + (f" 等{len(where)}处" if len(where) > 4 else "")
            sev = SEVERITY_ZH[f.severity] + ("（已确认）" if f.acknowledged else "")
            msg = escape(f.message) + fix + (
                f"\n确认：{f.acknowledged.get('by', '')} {f.acknowledged.get('note', '')}" if f.acknowledged else "")
            row = [f"[{colour[f.severity]}]{sev}[/]", f.rules, msg] + ([where_text] if cells else [])
            table.add_row(*row)
        console.print(table)
    e, w, i = (report.count(s) for s in ("error", "warning", "info"))
    verdict = "没有错误。" if report.ok else "有错误，请修改后再发布。"
    lines = sum(len(v) for v in groups.values())
    grouped = f"（按原因合并为 {lines} 条；--format json 逐条列出）" if lines != len(report.findings) else ""
    console.print(f"共 {len(report.findings)} 项：错误 {e}，警告 {w}，提示 {i}{grouped}。{verdict}")


@main.command("validate")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--previous", "previous_path", type=click.Path(path_type=Path),
              help="上年的报告（工作簿、JSON 或已发布的报告），用于跨年度规则。Last year's report, for the cross-year rules.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出：按部分分组的表格（text）或 JSON。Output as text or JSON.")
@click.option("--annotate", is_flag=True, help="把结果写进工作簿的“校验结果”工作表并标出有关单元格（只用于工作簿）。Write the results into the workbook.")
@click.option("--year", type=int, help="文件中有几份报告时，取哪一年度的。Which report, when a published file holds several.")
def validate_cmd(source: Path, previous_path: Path | None, fmt: str, annotate: bool, year: int | None) -> None:
    """按规则目录校验（退出码 0 无错误，1 有错误，2 无法读取）。Check a report against the rule catalogue."""
    if not annotate:  # reads only (what writes is imported when it writes)
        _validate(source, previous_path, fmt, annotate, year)
        return
    from nianbao.workbook_templates.xlsx.safe_write import locked

    with locked(source):  # read to write: no other writer between
        _validate(source, previous_path, fmt, annotate, year)


def _validate(source: Path, previous_path: Path | None, fmt: str, annotate: bool, year: int | None) -> None:
    from nianbao import actions

    v = actions.validate_source(source, previous_path, year, annotate=annotate)
    data, report, cells = v.data, v.report, v.cells
    if fmt == "json":
        click.echo(_dump_json(report.to_json(cells)), nl=False)
    else:
        meta = data["meta"]
        _print_findings(report, cells, f"校验 {source.name}（{meta.get('agency') or '未填机关名称'} · "
                                       f"{meta.get('year') or '未填年度'} 年度 · {data['edition']} 版格式）")
    if annotate:
        _say(actions.annotated_message(actions.annotate(v)))
    sys.exit(0 if report.ok else 1)


@main.command("rules")
@click.argument("rule_id", required=False)
def rules_cmd(rule_id: str | None) -> None:
    """列出规则目录，或说明一条规则。List the rule catalogue, or explain one rule."""
    from nianbao.addin.checks.findings import SEVERITY_ZH
    from nianbao.addin.checks.validate import CATALOGUE

    from nianbao.addin.checks.registry import FAMILIES

    if rule_id is None:
        for family in FAMILIES:
            click.echo(f"【{family}】")
            for r in CATALOGUE.values():
                if r.family == family:
                    click.echo(f"  {r.id:8} {r.title}（{r.severity_text(SEVERITY_ZH)}）")
        click.echo(f"\n共 {len(CATALOGUE)} 条规则。nianbao rules <编号> 查看说明（检查什么、为什么、示例、怎么改）。")
        return
    r = CATALOGUE.get(rule_id.upper())
    if r is None:
        raise OutputError(f"没有编号为 {rule_id} 的规则；nianbao rules 列出全部规则。", f"no rule {rule_id}")
    click.echo(r.explain(SEVERITY_ZH))


@main.command("carry-forward")
@click.option("--from", "last_path", type=click.Path(path_type=Path), required=True,
              help="上年的报告：工作簿、JSON 或已发布的报告。Last year's report.")
@click.option("--to", "this_path", type=click.Path(path_type=Path), required=True, help="本年的工作簿。This year's workbook.")
@click.option("--dry-run", is_flag=True, help="只列出计划，不改动文件。Print the plan, change nothing.")
@click.option("--force", is_flag=True, help="覆盖已填且不同的数字；不检查年度。Overwrite typed figures that differ; accept any year.")
def carry_forward_cmd(last_path: Path, this_path: Path, dry_run: bool, force: bool) -> None:
    """用上年的“结转下年度”填本年的“上年结转”，并把上年报告存入工作簿。Carry last year's figures forward."""
    from nianbao.workbook_templates.xlsx.safe_write import locked

    with contextlib.nullcontext() if dry_run else locked(this_path):  # read to write: no other writer between
        _carry_forward(last_path, this_path, dry_run, force)


def _carry_forward(last_path: Path, this_path: Path, dry_run: bool, force: bool) -> None:
    from nianbao import actions

    run = actions.carry_forward_plan(last_path, this_path, force=force)
    plan, ed = run.plan, run.this.edition
    for note in plan.notes:
        _say(f"提示：{note}")
    if plan.wrong_year:
        _say(f"拒绝：{plan.wrong_year}。确认无误可加 --force。{this_path} 未改动。")
        sys.exit(1)
    for c in plan.conflicts:
        _say(run.conflict_message(c))
    if plan.conflicts:
        _say(f"拒绝：{len(plan.conflicts)} 个已填数字与上年不同，{this_path} 未改动。核对后可加 --force 覆盖。")
        sys.exit(1)
    verb = "将" if dry_run else "已"
    for c in plan.changes:
        click.echo(f"{verb}填写 {c.describe(ed)}")
    if plan.same:
        click.echo(f"{len(plan.same)} 个单元格已与上年一致。")
    if plan.previous_changed:
        click.echo(run.previous_message(verb))
    if dry_run:
        click.echo("（试运行，未改动任何文件）")
        return
    if run.nothing_to_do:
        click.echo("无需改动。")
        return
    _say(actions.carry_forward_apply(run).said())


@main.command("generate")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--previous", "previous_path", type=click.Path(path_type=Path),
              help="上年的报告（SRC 中没有保存时），用于同比。Last year's report, when SRC does not carry it.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="要生成的报告：.docx、.html、.md、.txt 或 .pdf（PDF 需要 LibreOffice）。The report to write.")
@click.option("--template", "template_dir", type=click.Path(path_type=Path, file_okay=False),
              help="自己的措辞模板 report.j2 所在的文件夹（可复制 generator/templates 修改）。Your own wording.")
@click.option("--reference-docx", type=click.Path(path_type=Path, dir_okay=False),
              help="参考文档：报告采用它的样式、页面和页码。A .docx whose styles the report takes.")
@click.option("--fragment", is_flag=True, help="不含 <html>/<head>、样式内联的 HTML 片段，粘贴进网站内容管理系统。An HTML fragment for a CMS.")
@click.option("--keep-punctuation", is_flag=True,
              help="保留原文的半角标点（默认把汉字之间的半角标点改为全角）。Keep half-width punctuation as typed.")
def generate_cmd(source: Path, previous_path: Path | None, output: Path, template_dir: Path | None,
                 reference_docx: Path | None, fragment: bool, keep_punctuation: bool) -> None:
    """生成年度报告（由数字写出的文字、三张表格、图）。Write the annual report."""
    from nianbao.addin.checks.validate import prose_against_tables
    from nianbao.generator import generate
    from nianbao.workbook_templates.sources import load_report

    data, read = load_report(source)
    _report_integrity(read)
    previous = _load_previous(previous_path, data["meta"].get("year"))
    result = generate(data, output, previous=previous, template_dir=template_dir,
                      reference_docx=reference_docx, fragment=fragment, normalise_punctuation=not keep_punctuation)
    for note in result.notes:
        _say(f"提示：{note}")
    for f in prose_against_tables(data, previous):
        _say(f"警告 {f.rule}：{f.message}")
    _say(result.written.said("已生成"))


@main.command("reference-docx")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("参考文档.docx"), show_default=True,
              help="写到哪里（默认为当前文件夹；软件包中自带的那份不会被改写）。Where to write it.")
def reference_docx_cmd(output: Path) -> None:
    """写出参考 .docx（GB/T 9704 样式），以便在其基础上修改。Write the reference .docx to start your own from."""
    from nianbao.generator.docx_style import write_reference

    _output_kind(output, (".docx",))
    _say(write_reference(output).said("已生成") + f"；修改后用 generate --reference-docx {output} 使用。")


class _NoProgress(contextlib.nullcontext):
    """What rich's Progress does when disabled (nothing), without importing rich (0.04 s at start-up)."""

    def advance(self, task: int) -> None:
        pass


def _progress(total: int, label: str):
    """A rich progress bar on a terminal; nothing when output goes to a file or a pipe."""
    if not sys.stderr.isatty():
        return _NoProgress(), 0
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        disable=not sys.stderr.isatty(), transient=True)
    return progress, progress.add_task(label, total=total)


def _made_folder(folder: Path) -> None:
    """A command writing into a folder: created when missing (the overwrite policy), and said."""
    from nianbao.workbook_templates.xlsx.safe_write import make_folder

    if (made := make_folder(folder)) is not None:
        _say(f"新建了文件夹 {made}")


def _roster_help() -> str:
    from nianbao.batch.roster import columns_help

    return ("名单的列（第一行为列名）/ roster columns — " + columns_help()
            + " `nianbao roster-template -o 名单.xlsx` 写出一份带说明的示例名单。")


@main.command("roster-template")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True, help="要写出的示例名单 .xlsx。The example roster to write.")
def roster_template_cmd(output: Path) -> None:
    """写出一份示例名单（每一列、两级汇总的例子、“说明”工作表）。Write an example roster to start from."""
    from nianbao.batch.roster_template import write_roster_template

    _output_kind(output, (".xlsx",))
    _say(write_roster_template(output).said("已生成示例名单") + "。“说明”工作表解释每一列和“汇总”。")


class _WithRosterHelp(click.Command):
    """A command whose --help ends with the roster's columns, made when help is asked for (the
    roster's module is not imported by every command's start)."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.epilog = self.epilog or _roster_help()
        super().format_epilog(ctx, formatter)


@main.command("distribute", cls=_WithRosterHelp)
@click.option("--roster", type=click.Path(path_type=Path), required=True,
              help="单位名单：.csv（UTF-8 或 GBK）或 .xlsx，各列见下。Units: .csv or .xlsx; columns below.")
@click.option("--year", type=int, required=True, help="统计年度 N。Statistics year N.")
@click.option("--previous-dir", type=click.Path(path_type=Path, file_okay=False),
              help="上年各单位交回的工作簿或发布的报告所在文件夹，用于上年结转。Last year's returns.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="写出模板和下发清单的文件夹（没有时新建）。Folder for the templates and the manifest.")
def distribute_cmd(roster: Path, year: int, previous_dir: Path | None, out: Path) -> None:
    """按名单给每个单位生成预填的模板，并写下发清单。One pre-filled template per unit of a roster."""
    from nianbao.batch.distribute import distribute
    from nianbao.batch.roster import read_roster

    units = read_roster(roster)
    if previous_dir is not None and not previous_dir.is_dir():
        raise OutputError(f"上年文件夹不存在：{previous_dir}", f"folder not found: {previous_dir}")
    _made_folder(out)
    progress, task = _progress(len(units), "生成模板")
    with progress:
        rows, notes = distribute(units, year, out, previous_dir, lambda: progress.advance(task))
    for note in notes:
        _say(f"提示：{note}")
    carried = sum(1 for r in rows if r.carried != "无上年数据")
    _say(f"已为 {len(rows)} 个单位生成模板：{out}（下发清单.csv / 下发清单.xlsx）"
         + (f"；{carried} 个单位已结转上年数据，{len(rows) - carried} 个未找到上年数据" if previous_dir else ""))


@main.command("collect")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--roster", type=click.Path(path_type=Path), help="下发时用的单位名单。The roster the templates were sent to.")
@click.option("--agency", help="汇总报告的机关名称（默认为名单中唯一的最上级单位）。Agency of the consolidated report.")
@click.option("--kind", type=click.Choice(list(S.AGENCY_KINDS)), help="汇总机关的类型（默认取名单中的，或按名称推断）。Its kind.")
@click.option("--year", type=int, help="统计年度（默认取交回文件的年度）。Statistics year.")
@click.option("--previous", "previous_path", type=click.Path(path_type=Path),
              help="上年的汇总报告，用于对汇总数的跨年度校验。Last year's consolidated report.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="汇总工作簿 SUMMARY.xlsx（文件夹不存在时新建；SUMMARY.html、退回修改文件夹和报送记录写在旁边）。The summary workbook.")
@click.option("--report", "report_path", type=click.Path(path_type=Path),
              help="同时生成汇总报告（.docx/.html/.md/.pdf），文字部分留待填写。Also write the consolidated report.")
def collect_cmd(inputs: tuple[Path, ...], roster: Path | None, agency: str | None, kind: str | None,
                year: int | None, previous_path: Path | None, output: Path, report_path: Path | None) -> None:
    """读取交回的工作簿并校验，写出汇总情况、退回修改意见和汇总数。Collect, check and consolidate returns."""
    from nianbao.batch.consolidation import consolidating_agency
    from nianbao.batch.returns import Reading, returned_files
    from nianbao.batch.roster import read_roster
    from nianbao.workbook_templates.xlsx.safe_write import check_writable, tally

    _output_kind(output, (".xlsx",))
    if year is not None:
        S.edition_for_year(year)
    units = read_roster(roster) if roster else None
    who = consolidating_agency(units, agency, kind)
    files = returned_files(list(inputs), output)
    check_writable(output)  # refused before any work, as collect would
    with Reading(files) as reading:  # the workers read from now on, while the rest is imported and set up
        from nianbao.batch import collect as C

        progress, task = _progress(len(files), "读取并校验")
        with progress:
            done = C.collect(files, units, who, year, output, lambda y: _load_previous(previous_path, y),
                             lambda: progress.advance(task), reading=reading)
    report = None
    if report_path is not None:
        from nianbao.generator import generate

        report = generate(done.city, report_path).written
    if done.made_folder is not None:
        _say(f"新建了文件夹 {done.made_folder}")
    _say(f"已汇总：{done.counts.line()}（{done.files} 个文件）：{output}，{done.html.name}，{done.ledger.name}")
    for note in tally(done.written):
        _say(f"提示：{note}")
    if done.missing:
        _say(f"未收到（{len(done.missing)}）：{'、'.join(done.missing[:20])}{' 等' if len(done.missing) > 20 else ''}")
    if done.bad:
        _say(f"有错误或无法读取（{len(done.bad)}）：{'、'.join(done.bad[:20])}{' 等' if len(done.bad) > 20 else ''}")
    if done.feedback:
        _say(f"已写退回修改或核实意见 {len(done.feedback)} 份：{output.parent / C.FEEDBACK}")
    edition = S.get_edition(done.city["edition"])
    for item in done.shortfalls[:10]:
        _say(f"警告 AGG-01：“{item['unit']}”{edition.describe(item['path'])}为 {item['own']}，"
             f"小于其下级之和 {item['children']}")
    if report is not None:
        _say(report.said("已生成汇总报告") + "。文字部分留待填写。")
    sys.exit(1 if done.bad else 0)


@main.command("ui")
@click.option("--no-browser", is_flag=True, help="只显示地址，不打开浏览器。Print the address, do not open a browser.")
@click.option("--serve", "serve_only", is_flag=True,
              help="作为本机服务运行（供 WPS 加载项使用）：不打开浏览器；已有一个在运行时退出。Run as the local service for the WPS add-in.")
@click.option("--install-shortcut", is_flag=True, help="在开始菜单／桌面放一个快捷方式（.lnk / .desktop）。Put a shortcut in place.")
@click.option("--bundle", "bundle_dir", type=click.Path(path_type=Path, file_okay=False),
              help="把麒麟／统信的离线安装包（x86_64 和 aarch64 的安装文件、install.sh）写到这个文件夹。An offline install for Kylin/UOS.")
def ui_cmd(no_browser: bool, serve_only: bool, install_shortcut: bool, bundle_dir: Path | None) -> None:
    """工作台：在本机网页（127.0.0.1，有口令保护，不联网）中使用同样的按钮。The workbench in a local web page."""
    if bundle_dir is not None:
        from nianbao.workbench.bundle import bundle

        _say(f"已生成离线安装包 {bundle(bundle_dir)}（拷到麒麟/统信电脑上，运行 sh install.sh）")
        return
    if install_shortcut:
        from nianbao.workbench.shortcut import install

        for path in install():
            _say(f"已创建快捷方式 {path}")
        return
    from nianbao.workbench.server import serve

    sys.exit(serve(open_browser=not no_browser, serve_only=serve_only, say=lambda m: click.echo(m)))


@main.group("addin")
def addin_group() -> None:
    """Excel 和 WPS 插件（功能区“政务公开年报”）：生成、安装、离线安装包。The Excel and WPS add-ins."""


@addin_group.command("build")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="默认为 addin/excel/nianbao.xlam。Default: addin/excel/nianbao.xlam.")
def addin_build_cmd(output: Path | None) -> None:
    """由 xlwings 自带的插件模板和我们的功能区生成 .xlam。Build the .xlam."""
    from nianbao.addin.excel.build_xlam import XLAM, BuildError, build

    try:
        _say(f"已生成 {build(output or XLAM)}")
    except BuildError as e:
        raise OutputError(f"无法生成插件：{e}", str(e)) from e


@addin_group.command("install")
@click.option("--interpreter", help="Excel 调用的 Python（默认为当前的，Windows 上为 pythonw.exe；--wps 时为登录后启动服务的 Python）。"
                                   "Python for Excel to run (with --wps: for the service).")
@click.option("--dest", type=click.Path(path_type=Path, file_okay=False),
              help="放 nianbao.xlam 的文件夹（默认为 Excel 的 XLSTART）。Folder for nianbao.xlam.")
@click.option("--persistent/--no-persistent", default=False,
              help="点击之间保留同一个 Python（xlwings 的 COM 服务器，USE UDF SERVER），第一次以后的点击更快。Keep one Python alive across clicks.")
@click.option("--wps", is_flag=True,
              help="为 WPS 表格安装（WPS 加载项，并设置本机服务登录后自动启动）。Install the WPS add-in instead.")
def addin_install_cmd(interpreter: str | None, dest: Path | None, persistent: bool, wps: bool) -> None:
    """为 Excel（或用 --wps 为 WPS 表格）安装插件。Install the add-in for Excel (or WPS with --wps)."""
    if wps:
        from nianbao.addin.wps import install as wps_install

        if dest is not None or persistent:
            raise click.UsageError("--dest 和 --persistent 只用于 Excel 插件。--dest and --persistent are for Excel only.")
        _say(wps_install.describe(wps_install.install(interpreter)))
        return
    from nianbao.addin.excel.install import install

    path = install(dest, interpreter, persistent)
    _say(f"已安装 {path}。请重新打开 Excel，功能区会出现“政务公开年报”选项卡。")


@addin_group.command("uninstall")
@click.option("--wps", is_flag=True, required=True, help="卸载 WPS 表格的插件和自动启动。Remove the WPS add-in.")
def addin_uninstall_cmd(wps: bool) -> None:
    """卸载 WPS 插件：插件文件夹、publish.xml 中的登记、自动启动。Uninstall the WPS add-in."""
    from nianbao.addin.wps.install import uninstall

    removed = uninstall()
    _say("已卸载 WPS 插件：" + "、".join(str(p) for p in removed) if removed else "没有找到已安装的 WPS 插件。")


@addin_group.command("bundle")
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="离线安装包的文件夹。Folder for the offline bundle.")
@click.option("--python", "python_version", default="3.11", show_default=True, help="各电脑上的 Python 版本。Python version on the PCs.")
def addin_bundle_cmd(output: Path, python_version: str) -> None:
    """离线安装包：Windows 的安装文件和 install.bat（电脑不需要联网）。An offline install folder."""
    from nianbao.addin.excel.install import bundle

    _say(f"已生成离线安装包 {bundle(output, python_version)}（把整个文件夹拷到电脑上，双击 install.bat）")


@main.command("templates")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("workbook_templates"),
              show_default=True, help="空白模板所在的文件夹。Folder for the blank templates.")
@click.option("--check", is_flag=True, help="只检查 --out 中的文件是否与重新生成的一致。Only check.")
def templates_cmd(out: Path, check: bool) -> None:
    """按格式定义生成两版空白模板工作簿。Build the blank templates from the format schema."""
    import tempfile

    from nianbao.workbook_templates.xlsx.templates import build_all, differences

    if not check:
        for written in build_all(out):
            _say(written.said("已生成"))
        return
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for fresh in (w.path for w in build_all(Path(tmp))):
            committed = out / fresh.name
            diff = differences(committed, fresh) if committed.exists() else ["(文件不存在)"]
            if diff:
                stale.append(f"{committed}：{', '.join(diff)}")
    for line in stale:
        _say(f"与重新生成的模板不同：{line}")
    if stale:
        _say("请运行 nianbao templates 重新生成。Templates are stale: run `nianbao templates`.")
        sys.exit(1)
    _say("模板与格式定义一致。Templates are up to date.")


if __name__ == "__main__":  # pragma: no cover
    main()
