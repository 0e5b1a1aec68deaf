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
from nianbao.workbook_templates import schema as S
from nianbao.workbook_templates.errors import NianbaoError, OutputError

EXIT_BAD_INPUT = 2
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
    if read is None:
        return
    for item in read.integrity:
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
    from nianbao.workbook_templates.report_data import empty_report, set_path
    from nianbao.workbook_templates.workbook_io import write_workbook

    _output_kind(output, (".xlsx",))
    if output.exists() and not force:
        raise OutputError(f"{output} 已存在；如要替换请加 --force（旧文件会保留为 .bak）。",
                          f"{output} exists; use --force to replace it (the old one is kept as .bak)")
    if not agency.strip():
        raise OutputError("机关名称不能为空。", "the agency name must not be empty")
    try:
        ed = S.get_edition(edition) if edition else S.edition_for_year(year)
    except ValueError:
        raise OutputError(f"{year} 年度没有统一的年报格式（统一格式自 2019 年度起）。",
                          f"there is no unified report format for {year} (it starts with 2019)") from None
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
    from nianbao.workbook_templates.workbook_io import WORKBOOK_SUFFIXES, read_workbook
    from nianbao.workbook_templates.xlsx_package import XlsxPackage

    if workbook.suffix.lower() not in WORKBOOK_SUFFIXES:
        XlsxPackage(workbook).close()  # says exactly what the file is instead
    read = read_workbook(workbook)
    _report_integrity(read)
    text = _dump_json(read.data)
    if output is None:
        click.echo(text, nl=False)
        return
    from nianbao.workbook_templates.safe_write import write_atomic

    _output_kind(output, (".json",))
    write_atomic(output, text)
    _say(f"已导出 {output}")


@main.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="OUT.json (normalised report data) or OUT.xlsx (a filled template).")
def import_cmd(source: Path, output: Path) -> None:
    """Read report data (.json) or a workbook and write it as JSON or as a filled template."""
    from nianbao.workbook_templates.safe_write import write_atomic
    from nianbao.workbook_templates.workbook_io import differing_totals_messages, load_report, write_workbook

    kind = _output_kind(output, (".json", ".xlsx"))
    if output.resolve() == source.resolve():
        raise OutputError("输出文件不能与输入文件相同。", "the output must not be the input file")
    data, read = load_report(source)
    _report_integrity(read)
    if kind == ".json":
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


@main.command("templates")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("workbook_templates"),
              show_default=True, help="Folder for the blank templates.")
@click.option("--check", is_flag=True, help="Only check that the files in --out equal a fresh build.")
def templates_cmd(out: Path, check: bool) -> None:
    """Build the blank template workbooks of both editions from the format schema."""
    import tempfile

    from nianbao.workbook_templates.templates import build_all, differences

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
