"""What a person reads at the command line: Chinese first, the right exit code, no internal error."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from conftest import fixture_path, nianbao

from nianbao.generator.docx_style import REFERENCE


def test_usage_errors_are_chinese_first():
    run = nianbao("new", "-o", "x.xlsx")
    assert run.code == 2
    lines = run.err.splitlines()
    assert lines[0] == "错误：缺少选项 '--year'。" and lines[1] == "Error: Missing option '--year'."
    assert "查看用法" in lines[2]
    run = nianbao("new", "--year", "二〇二四", "--agency", "某局", "-o", "x.xlsx")
    assert run.code == 2 and run.err.startswith("错误：'--year' 的值无效：“二〇二四”不是整数")
    run = nianbao("frobnicate")
    assert run.code == 2 and run.err.startswith("错误：没有命令 frobnicate")


def test_help_is_chinese_first():
    out = nianbao("new", "--help").out
    assert out.startswith("用法 Usage:") and "选项 Options:" in out and "显示本说明并退出。" in out


def test_a_year_without_a_format_is_a_data_error(tmp_path):
    run = nianbao("collect", fixture_path("haining-2023").parent, "--year", "2018", "-o", tmp_path / "S.xlsx")
    assert run.code == 2 and "2018 年度没有统一的年报格式" in run.err and "内部错误" not in run.err
    run = nianbao("new", "--year", "2018", "--agency", "某局", "-o", tmp_path / "x.xlsx")
    assert run.code == 2 and "2018 年度没有统一的年报格式" in run.err


def test_an_unknown_file_type_names_what_can_be_read(tmp_path):
    notes = tmp_path / "notes.csv"
    notes.write_text("a,b\n", encoding="utf-8")
    run = nianbao("validate", notes)
    assert run.code == 2
    assert "Excel 工作簿" in run.err and ".json" in run.err and ".pdf" in run.err and "不是 Excel 工作簿（.xlsx）" not in run.err


def test_output_cut_short_by_the_reader_is_quiet(tmp_path):
    wb = tmp_path / "hn.xlsx"
    assert nianbao("import", fixture_path("haining-2023"), "-o", wb).code == 0
    # `true` has gone before nianbao writes: the first write meets a closed pipe
    p = subprocess.run(f'"{sys.executable}" -m nianbao export "{wb}" | true', shell=True,
                       capture_output=True, text=True, encoding="utf-8")
    assert p.returncode == 0
    assert "内部错误" not in p.stderr and "Traceback" not in p.stderr and "Internal error" not in p.stderr


def test_reference_docx_never_overwrites_the_packaged_copy(tmp_path):
    before = hashlib.sha256(REFERENCE.read_bytes()).hexdigest()
    run = nianbao("reference-docx", cwd=tmp_path)
    assert run.code == 0 and (tmp_path / "参考文档.docx").stat().st_size > 10_000
    assert hashlib.sha256(REFERENCE.read_bytes()).hexdigest() == before
    assert nianbao("reference-docx", "-o", tmp_path / "x.txt").code == 2


def test_carry_forward_carries_the_meta_that_persists(tmp_path):
    last, this = tmp_path / "2023.xlsx", tmp_path / "2024.xlsx"
    assert nianbao("import", fixture_path("haining-2023"), "-o", last).code == 0
    assert nianbao("new", "--year", "2024", "--agency", "海宁市人民政府", "-o", this).code == 0
    run = nianbao("carry-forward", "--from", last, "--to", this)
    assert run.code == 0 and "联系方式：空白 → 海宁市人民政府办公室（电话：0573-87287231）" in run.out
    meta = json.loads(nianbao("export", this).out)["meta"]
    assert meta["contact"] == "海宁市人民政府办公室（电话：0573-87287231）"
    # what a person typed is never replaced
    other = tmp_path / "other.xlsx"
    assert nianbao("new", "--year", "2024", "--agency", "海宁市人民政府", "-o", other).code == 0
    import openpyxl

    wb = openpyxl.load_workbook(other)
    sheet, ref = wb.defined_names["meta.contact"].attr_text.split("!")
    wb[sheet.strip("'")][ref.replace("$", "")] = "新的联系电话 0573-1"
    wb.save(other)
    run = nianbao("carry-forward", "--from", last, "--to", other)
    assert run.code == 0 and "已填写“新的联系电话 0573-1”，未改动" in run.err + run.out
    assert json.loads(nianbao("export", other).out)["meta"]["contact"] == "新的联系电话 0573-1"


def _commands(group, prefix=""):
    import click

    for name, cmd in group.commands.items():
        yield f"{prefix}{name}", cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, f"{prefix}{name} ")


def test_every_command_and_option_speaks_chinese_first():
    import re

    from nianbao.cli import main

    def chinese_first(text: str | None) -> bool:
        # Chinese first: a Chinese sentence opens the text (a product name such as “Excel” may lead it)
        return bool(text) and bool(re.match(r"^[A-Za-z0-9 .]{0,8}[\u4e00-\u9fff“（]", text.strip()))

    assert chinese_first(main.help)
    for name, cmd in _commands(main):
        assert chinese_first(cmd.help), f"nianbao {name}: {cmd.help!r}"
        for p in cmd.params:
            if getattr(p, "help", None) is not None or not isinstance(p, __import__("click").Argument):
                help_text = getattr(p, "help", None)
                if p.name == "help":
                    continue
                assert chinese_first(help_text), f"nianbao {name} {p.opts}: {help_text!r}"


def test_validate_imports_only_what_reads(tmp_path):
    """``validate`` of a workbook answers at once (#18): it reads, so it imports nothing that writes
    a workbook (lxml's editor, the overwrite policy), nor the roster's module that only the help of
    distribute and collect needs — and still finds what the acknowledged sheet says."""
    from nianbao.workbook_templates.xlsx.writer import write_workbook

    book = tmp_path / "年报.xlsx"
    write_workbook(json.loads(fixture_path("haining-2023").read_text(encoding="utf-8")), book)
    code = ("import sys\nfrom nianbao.cli import main\nsys.argv = ['nianbao', 'validate', sys.argv[1], '--format', 'json']\n"
            "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
            "heavy = {'lxml', 'openpyxl', 'docx', 'matplotlib', 'nianbao.workbook_templates.xlsx.safe_write',\n"
            "         'nianbao.workbook_templates.xlsx.edit', 'nianbao.addin.excel.results_sheet', 'nianbao.batch.roster'}\n"
            "print(code, sorted(m for m in heavy if m in sys.modules), file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code, str(book)], capture_output=True, text=True, check=True)
    assert run.stderr.split("\n")[-2] == "0 []", run.stderr
    assert json.loads(run.stdout)["ok"] is True
    acknowledged = fixture_path("x").parent / "workbooks" / "hongkou-2020-acknowledged-v1.xlsx"
    out = nianbao("validate", acknowledged, "--format", "json")
    assert any(f.get("acknowledged") for f in json.loads(out.out)["findings"]), out.err
