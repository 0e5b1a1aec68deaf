"""The command line: a thin shell over the core (contract: spec/report-data.md).

Exit codes: 0 success; 2 unreadable or bad input (a Chinese message, then English);
3 an internal error (a defect: please report it).  Messages go to stderr, data to stdout.
"""

from __future__ import annotations

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
    """Turns every NianbaoError into its message and exit code, never a traceback."""

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
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


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
@click.version_option(__version__, prog_name="nianbao")
def main() -> None:
    """nianbao — 政府信息公开工作年度报告工具 (annual government-information-disclosure reports).

    Template workbooks with locked formulas and live checks; export and import of report data.
    """


@main.command("new")
@click.option("--year", type=int, required=True, help="Statistics year N (统计年度).")
@click.option("--agency", required=True, help="Agency name as in the title (机关名称).")
@click.option("--kind", type=click.Choice(list(S.AGENCY_KINDS)), help="Agency kind; inferred from the name if omitted.")
@click.option("--edition", type=click.Choice(list(S.EDITIONS)), help="Format edition; from the year if omitted.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The .xlsx to create.")
@click.option("--force", is_flag=True, help="Replace an existing file (the old one is kept as .bak).")
def new_cmd(year: int, agency: str, kind: str | None, edition: str | None, output: Path, force: bool) -> None:
    """Create a template workbook for one agency and year."""
    from nianbao.workbook_templates.format.report_data import empty_report, set_path
    from nianbao.workbook_templates.xlsx.writer import write_workbook

    _output_kind(output, (".xlsx",))
    if output.exists() and not force:
        raise OutputError(f"{output} 已存在；如要替换请加 --force（旧文件会保留为 .bak）。",
                          f"{output} exists; use --force to replace it (the old one is kept as .bak)")
    if not agency.strip():
        raise OutputError("机关名称不能为空。", "the agency name must not be empty")
    ed = S.get_edition(edition) if edition else S.edition_for_year(year)
    if not ed.covers(year):
        raise OutputError(f"{ed.key} 版格式（{ed.document}）不适用于 {year} 年度。",
                          f"edition {ed.key} does not apply to {year}")
    data = empty_report(ed)
    set_path(data, "meta.agency", agency.strip())
    set_path(data, "meta.year", year)
    set_path(data, "meta.agency_kind", kind or S.infer_agency_kind(agency))
    backup = write_workbook(data, output)
    _say(f"已生成 {output}（{ed.document} 格式，{year} 年度，{agency.strip()}，"
         f"机关类型：{S.AGENCY_KINDS[data['meta']['agency_kind']]}）。")
    if backup:
        _say(f"原文件已保留为 {backup}")


@main.command("export")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write JSON here instead of stdout.")
def export_cmd(workbook: Path, output: Path | None) -> None:
    """Read a filled workbook and print its report data (JSON)."""
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
    write_atomic(output, text)
    _say(f"已导出 {output}")


@main.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="OUT.json (normalised report data) or OUT.xlsx (a filled template).")
@click.option("--year", type=int, help="Which report, when the file holds several (a web page).")
@click.option("--agency", help="Which report, by agency, when the file holds several.")
@click.option("--kind", type=click.Choice(list(S.AGENCY_KINDS)), help="Agency kind, when the name misleads.")
def import_cmd(source: Path, output: Path, year: int | None, agency: str | None, kind: str | None) -> None:
    """Read report data (.json), a workbook, or a published report (.txt .md .html .docx .pdf); write JSON or a template."""
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic
    from nianbao.workbook_templates.xlsx.writer import differing_totals_messages, write_workbook
    from nianbao.workbook_templates.sources import load_report

    out_kind = _output_kind(output, (".json", ".xlsx"))
    if output.resolve() == source.resolve():
        raise OutputError("输出文件不能与输入文件相同。", "the output must not be the input file")
    data, read = load_report(source, year, agency, kind)
    _report_integrity(read)
    for note in (data.get("source") or {}).get("notes") or []:
        _say(f"提示：{note}")
    if out_kind == ".json":
        backup = write_atomic(output, _dump_json(data))
    else:
        differing = differing_totals_messages(data)
        if differing:
            _say(f"注意：以下 {len(differing)} 个合计与原数据不一致；工作簿中的合计是公式，"
                 "会按分项重新计算（原数据中的合计将不再出现）：")
            for line in differing:
                _say(f"  - {line}")
        if data.get("source"):
            _say("提示：出处信息（source：原文标签、原文单元格文字、说明）只保存在 JSON 中，不写入工作簿。")
        backup = write_workbook(data, output)
    _say(f"已写入 {output}")
    if backup:
        _say(f"原文件已保留为 {backup}")


def _load_previous(path: Path | None, this_year: Any = None) -> dict | None:
    """Last year's report; from a page holding several, the one for the year before ``this_year``."""
    if path is None:
        return None
    from nianbao.workbook_templates.sources import load_report

    data, _ = load_report(path, this_year - 1 if isinstance(this_year, int) else None)
    data.pop("previous", None)
    return data


_PART_ORDER = (S.Part.TEMPLATE, S.Part.PART2, S.Part.PART3, S.Part.PART4, S.Part.PART6, S.Part.PROSE,
               S.Part.CROSS_YEAR)


def _print_findings(report: Any, cells: dict, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from rich.markup import escape

    from nianbao.addin.checks.findings import FIX_PREFIX, SEVERITY_ZH
    from nianbao.addin.checks.grouping import for_people

    console = Console(width=None if sys.stdout.isatty() else 140, highlight=False)
    console.print(title)
    by_part: dict[str, list] = {}
    explained: set[str] = set()  # 怎么改 once per rule
    for f in for_people(report.findings):  # one line per cause (the JSON keeps every finding)
        by_part.setdefault(f.part or "其他", []).append(f)
    colour = {"error": "red", "warning": "yellow", "info": "cyan"}
    rank = {"error": 0, "warning": 1, "info": 2}

    def part_order(p: str) -> tuple[int, int]:  # parts with errors first, then in the report's order
        return min(rank[f.severity] for f in by_part[p]), _PART_ORDER.index(p) if p in _PART_ORDER else 99

    for part in sorted(by_part, key=part_order):
        table = Table(title=part, title_justify="left", show_lines=False, expand=False)
        table.add_column("级别", no_wrap=True)
        table.add_column("规则", no_wrap=True)
        table.add_column("说明", overflow="fold")
        if cells:
            table.add_column("单元格", overflow="fold")
        for f in by_part[part]:
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
    lines = sum(len(v) for v in by_part.values())
    grouped = f"（按原因合并为 {lines} 条；--format json 逐条列出）" if lines != len(report.findings) else ""
    console.print(f"共 {len(report.findings)} 项：错误 {e}，警告 {w}，提示 {i}{grouped}。{verdict}")


@main.command("validate")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--previous", "previous_path", type=click.Path(path_type=Path),
              help="Last year's report (workbook or JSON), for the cross-year rules.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--annotate", is_flag=True, help="Write the 校验结果 sheet and mark the cells (workbooks only).")
@click.option("--year", type=int, help="Which report, when a published file holds several.")
def validate_cmd(source: Path, previous_path: Path | None, fmt: str, annotate: bool, year: int | None) -> None:
    """Check a report against the rule catalogue (exit 0 no error, 1 errors, 2 unreadable)."""
    from nianbao.addin.checks.validate import validate
    from nianbao.workbook_templates.sources import load_report

    data, read = load_report(source, year)
    if annotate and read is None:
        raise OutputError("--annotate 只能用于 .xlsx 工作簿。", "--annotate works on .xlsx workbooks only")
    previous = _load_previous(previous_path, data["meta"].get("year"))
    acks = {}
    if read is not None:  # confirmations a person typed into the 校验结果 sheet
        from nianbao.addin.excel.results_sheet import read_acknowledgements

        acks = read_acknowledgements(source)
    if annotate:
        from nianbao.workbook_templates.xlsx.safe_write import check_writable

        check_writable(source)
    report = validate(data, source.name, previous, acks)
    cells = read.cells if read else {}
    if fmt == "json":
        click.echo(_dump_json(report.to_json(cells)), nl=False)
    else:
        meta = data["meta"]
        _print_findings(report, cells, f"校验 {source.name}（{meta.get('agency') or '未填机关名称'} · "
                                       f"{meta.get('year') or '未填年度'} 年度 · {data['edition']} 版格式）")
    if annotate:
        from nianbao.addin.excel.results_sheet import annotate as write_annotations

        backup = write_annotations(source, report, cells, read.edition)
        _say(f"已写入“校验结果”工作表并标记了相关单元格：{source}" + (f"（原文件保留为 {backup.name}）" if backup else ""))
    sys.exit(0 if report.ok else 1)


@main.command("rules")
@click.argument("rule_id", required=False)
def rules_cmd(rule_id: str | None) -> None:
    """List the rule catalogue, or explain one rule."""
    from nianbao.addin.checks.findings import SEVERITY_ZH
    from nianbao.addin.checks.validate import CATALOGUE

    from nianbao.addin.checks.registry import FAMILIES

    if rule_id is None:
        for family in FAMILIES:
            click.echo(f"【{family}】")
            for r in CATALOGUE.values():
                if r.family == family:
                    click.echo(f"  {r.id:8} {SEVERITY_ZH[r.severity]}  {r.title}")
        click.echo(f"\n共 {len(CATALOGUE)} 条规则。nianbao rules <编号> 查看说明（检查什么、为什么、示例、怎么改）。")
        return
    r = CATALOGUE.get(rule_id.upper())
    if r is None:
        raise OutputError(f"没有编号为 {rule_id} 的规则；nianbao rules 列出全部规则。", f"no rule {rule_id}")
    click.echo(r.explain(SEVERITY_ZH))


@main.command("carry-forward")
@click.option("--from", "last_path", type=click.Path(path_type=Path), required=True,
              help="Last year's report: a workbook or report data (JSON).")
@click.option("--to", "this_path", type=click.Path(path_type=Path), required=True, help="This year's workbook.")
@click.option("--dry-run", is_flag=True, help="Print the plan, change nothing.")
@click.option("--force", is_flag=True, help="Overwrite typed figures that differ; accept any year.")
def carry_forward_cmd(last_path: Path, this_path: Path, dry_run: bool, force: bool) -> None:
    """Fill 上年结转 from last year's 结转下年度 and store last year's report in the workbook."""
    from nianbao.addin import carry_forward as cf
    from nianbao.workbook_templates.xlsx.safe_write import check_writable
    from nianbao.workbook_templates.sources import load_report
    from nianbao.workbook_templates.xlsx.reader import read_workbook

    this = read_workbook(this_path)
    last, _ = load_report(last_path)
    plan = cf.plan(this, last, force=force)
    ed = this.edition
    for note in plan.notes:
        _say(f"提示：{note}")
    if plan.wrong_year:
        _say(f"拒绝：{plan.wrong_year}。确认无误可加 --force。{this_path} 未改动。")
        sys.exit(1)
    for c in plan.conflicts:
        old, new = c.old, c.new
        _say(f"冲突：{c.sheet}!{c.ref} {ed.describe(c.path)} 已填 {old}，上年结转下年度为 {new}；保留已填的数字。")
    if plan.conflicts:
        _say(f"拒绝：{len(plan.conflicts)} 个已填数字与上年不同，{this_path} 未改动。核对后可加 --force 覆盖。")
        sys.exit(1)
    verb = "将" if dry_run else "已"
    for c in plan.changes:
        click.echo(f"{verb}填写 {c.describe(ed)}")
    if plan.same:
        click.echo(f"{len(plan.same)} 个单元格已与上年一致，无需改动。")
    if plan.previous_changed:
        click.echo(f"{verb}保存上年（{last['meta'].get('year')} 年度）的报告数据，供跨年度校验和同比文字使用。")
    if dry_run:
        click.echo("（试运行，未改动任何文件）")
        return
    if not plan.changes and not plan.previous_changed:
        click.echo("无需改动。")
        return
    check_writable(this_path)
    backup = cf.apply(this_path, this, plan)
    _say(f"已写入 {this_path}" + (f"；原文件保留为 {backup.name}" if backup else ""))


@main.command("generate")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--previous", "previous_path", type=click.Path(path_type=Path),
              help="Last year's report, when SRC does not carry it already.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="OUT.docx, .html, .md, .txt or .pdf (PDF needs LibreOffice).")
@click.option("--template", "template_dir", type=click.Path(path_type=Path, file_okay=False),
              help="A folder with your own report.j2 (copy generator/templates to start).")
@click.option("--reference-docx", type=click.Path(path_type=Path, dir_okay=False),
              help="A .docx whose styles, page setup and page numbers the report takes.")
@click.option("--fragment", is_flag=True, help="HTML without <html>/<head>, inline styles, to paste into a CMS.")
def generate_cmd(source: Path, previous_path: Path | None, output: Path, template_dir: Path | None,
                 reference_docx: Path | None, fragment: bool) -> None:
    """Write the annual report (narrative from the figures, the three tables, a chart)."""
    from nianbao.addin.checks.validate import prose_against_tables
    from nianbao.generator import generate
    from nianbao.workbook_templates.sources import load_report

    data, read = load_report(source)
    _report_integrity(read)
    previous = _load_previous(previous_path, data["meta"].get("year"))
    result = generate(data, output, previous=previous, template_dir=template_dir,
                      reference_docx=reference_docx, fragment=fragment)
    for note in result.notes:
        _say(f"提示：{note}")
    for f in prose_against_tables(data, previous):
        _say(f"警告 {f.rule}：{f.message}")
    _say(f"已生成 {output}" + (f"（原文件保留为 {result.backup.name}）" if result.backup else ""))


@main.command("reference-docx")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Where to write it (default: the bundled generator/reference.docx).")
def reference_docx_cmd(output: Path | None) -> None:
    """Write the reference .docx (GB/T 9704 styles) to start your own from."""
    from nianbao.generator.docx_style import REFERENCE, write_reference

    _say(f"已生成 {write_reference(output or REFERENCE)}")


def _progress(total: int, label: str):
    """A rich progress bar on a terminal; nothing when output goes to a file or a pipe."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        disable=not sys.stderr.isatty(), transient=True)
    return progress, progress.add_task(label, total=total)


@main.command("distribute")
@click.option("--roster", type=click.Path(path_type=Path), required=True, help="Units: .csv (UTF-8 or GBK) or .xlsx.")
@click.option("--year", type=int, required=True, help="Statistics year N.")
@click.option("--previous-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Last year's returned workbooks or published reports, for 上年结转.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True)
def distribute_cmd(roster: Path, year: int, previous_dir: Path | None, out: Path) -> None:
    """One pre-filled template per unit of a roster, plus a manifest (下发清单.csv/.xlsx)."""
    from nianbao.batch.distribute import distribute
    from nianbao.batch.roster import read_roster

    units = read_roster(roster)
    if previous_dir is not None and not previous_dir.is_dir():
        raise OutputError(f"上年文件夹不存在：{previous_dir}", f"folder not found: {previous_dir}")
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
@click.option("--roster", type=click.Path(path_type=Path), help="The roster the templates were sent to.")
@click.option("--agency", help="Agency of the consolidated report (default: the roster's top unit).")
@click.option("--year", type=int, help="Statistics year (default: the returns' year).")
@click.option("--previous", "previous_path", type=click.Path(path_type=Path),
              help="Last year's consolidated report, for the cross-year checks on the sum.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="SUMMARY.xlsx")
@click.option("--report", "report_path", type=click.Path(path_type=Path),
              help="Also write the consolidated report (.docx/.html/.md/.pdf), prose left to write.")
def collect_cmd(inputs: tuple[Path, ...], roster: Path | None, agency: str | None, year: int | None,
                previous_path: Path | None, output: Path, report_path: Path | None) -> None:
    """Read returned workbooks, check them, write the dashboard, feedback files and the sum."""
    from nianbao.batch import collect as C
    from nianbao.batch.distribute import candidate_files
    from nianbao.batch.roster import read_roster
    from nianbao.workbook_templates.xlsx.writer import write_workbook

    _output_kind(output, (".xlsx",))
    units = read_roster(roster) if roster else None
    files: list[Path] = []
    for item in inputs:
        if item.is_dir():
            files += [p for p in candidate_files(item, C.RETURNED) if p.resolve() != output.resolve()
                      and p.name != "下发清单.xlsx"]
        elif item.exists():
            files.append(item)
        else:
            raise OutputError(f"找不到：{item}", f"not found: {item}")
    progress, task = _progress(len(files), "读取并校验")
    with progress:
        returns = C.read_all(files, lambda: progress.advance(task))
    year = year or C.year_of(returns)
    statuses, unknown = C.match(returns, units, year)
    if year is None:
        raise NianbaoError("没有一份能读取的年报，无法汇总。", "no readable return: nothing to consolidate")
    edition = S.edition_for_year(year)
    summed, shortfalls = C.consolidate(statuses, edition)
    if summed is None:
        for s in statuses:
            _say(f"{s.name}：{s.status} {'；'.join(s.notes)}")
        raise NianbaoError(f"没有一份 {year} 年度的有效年报，无法汇总。", "no valid return: nothing to consolidate")
    C.summary_meta(summed, units, agency, year)
    summed["previous"] = _load_previous(previous_path, year)
    if shortfalls:
        summed["source"] = {"format": "xlsx", "aggregate": shortfalls, "notes": ["由 nianbao collect 汇总"]}
    C.note_shortfalls(statuses, shortfalls, edition)
    rows = C.dashboard_rows(statuses)
    for r in unknown:
        rows.append([Path(r.path).stem, "", "", "不在名单中" if r.data else "文件有误", "", "", "", "", "", "", "",
                     Path(r.path).name, r.error or "文件中的单位不在名单中", "", ""])
    write_workbook(summed, output, extra=lambda wb: C.write_dashboard_sheet(wb, rows))
    title = f"{summed['meta'].get('agency') or ''}{year}年度政府信息公开工作年度报告汇总情况"
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic

    html_path = output.with_suffix(".html")
    write_atomic(html_path, C.dashboard_html(title, rows))
    feedback = C.write_feedback(output.parent / C.FEEDBACK, statuses, year)
    if report_path is not None:
        from nianbao.generator import generate

        generate(summed, report_path)
    received = sum(1 for s in statuses if s.chosen)
    missing = [s.name for s in statuses if s.status == "未收到"]
    bad = [s.name for s in statuses if s.has_errors] + [Path(r.path).name for r in unknown if r.data is None]
    _say(f"已汇总 {received} 个单位的报送（{len(files)} 个文件）：{output}，{html_path.name}")
    if missing:
        _say(f"未收到（{len(missing)}）：{'、'.join(missing[:20])}{' 等' if len(missing) > 20 else ''}")
    if bad:
        _say(f"有错误或无法读取（{len(bad)}）：{'、'.join(bad[:20])}{' 等' if len(bad) > 20 else ''}")
    if feedback:
        _say(f"已写退回修改意见 {len(feedback)} 份：{output.parent / C.FEEDBACK}")
    for item in shortfalls[:10]:
        _say(f"警告 AGG-01：“{item['unit']}”{edition.describe(item['path'])}为 {item['own']}，"
             f"小于其下级之和 {item['children']}")
    sys.exit(1 if bad else 0)


@main.group("addin")
def addin_group() -> None:
    """The Excel add-in (ribbon tab 政务公开年报): build, install, offline bundle."""


@addin_group.command("build")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Default: addin/nianbao.xlam (committed).")
def addin_build_cmd(output: Path | None) -> None:
    """Build the .xlam from the installed xlwings add-in template plus our ribbon."""
    from nianbao.addin.excel.build_xlam import XLAM, BuildError, build

    try:
        _say(f"已生成 {build(output or XLAM)}")
    except BuildError as e:
        raise OutputError(f"无法生成插件：{e}", str(e)) from e


@addin_group.command("install")
@click.option("--interpreter", help="Python for Excel to run (default: this one, pythonw.exe on Windows).")
@click.option("--dest", type=click.Path(path_type=Path, file_okay=False),
              help="Folder to put nianbao.xlam in (default: Excel's XLSTART).")
def addin_install_cmd(interpreter: str | None, dest: Path | None) -> None:
    """Install the add-in for Excel with this Python environment baked in."""
    from nianbao.addin.excel.install import install

    path = install(dest, interpreter)
    _say(f"已安装 {path}。请重新打开 Excel，功能区会出现“政务公开年报”选项卡。")


@addin_group.command("bundle")
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), required=True)
@click.option("--python", "python_version", default="3.11", show_default=True, help="Python version on the PCs.")
def addin_bundle_cmd(output: Path, python_version: str) -> None:
    """An offline folder: Windows wheels plus install.bat (no network needed on the PC)."""
    from nianbao.addin.excel.install import bundle

    _say(f"已生成离线安装包 {bundle(output, python_version)}（把整个文件夹拷到电脑上，双击 install.bat）")


@main.command("templates")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("workbook_templates"),
              show_default=True, help="Folder for the blank templates.")
@click.option("--check", is_flag=True, help="Only check that the files in --out equal a fresh build.")
def templates_cmd(out: Path, check: bool) -> None:
    """Build the blank template workbooks of both editions from the format schema."""
    import tempfile

    from nianbao.workbook_templates.xlsx.templates import build_all, differences

    if not check:
        out.mkdir(parents=True, exist_ok=True)
        for path in build_all(out):
            _say(f"已生成 {path}")
        return
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for fresh in build_all(Path(tmp)):
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
