"""One overwrite policy for every command that writes a file (README, “写文件的规则”):

- a missing output folder is created, and said;
- re-running a command on unchanged input rewrites nothing and leaves no backup (the file's bytes
  and its modification time stay as they were);
- a different result replaces a file only after the old one is kept as a visible ``.bak``;
- ``new`` never puts a blank template over another workbook without ``--force``, and ``import -o
  X.xlsx`` leaves a workbook alone that already holds the same figures (its 校验结果 sheet and the
  person's acknowledgements stay).

The last test runs the README's main job twice, verbatim but for the interpreter, and counts the
backups the second run leaves: none."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, fixture_path, nianbao, zip_parts

CITY = FIXTURES / "city"
HAINING_TXT = FIXTURES / "published" / "haining-2023.txt"


def _backups(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.bak"))


def _state(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` with its bytes and modification time (ns)."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _filled(tmp: Path) -> Path:
    book = tmp / "in" / "海宁.xlsx"
    book.parent.mkdir(parents=True, exist_ok=True)
    assert nianbao("import", fixture_path("haining-2023"), "-o", book).code == 0
    return book


def _commands(tmp: Path, out: Path) -> list[tuple[str, list]]:
    """Every command that writes a file, each writing under ``out`` (whose folders do not exist yet)."""
    book = _filled(tmp)
    return [
        ("new", ["new", "--year", "2024", "--agency", "海宁市人民政府", "-o", out / "a" / "新.xlsx"]),
        ("import json", ["import", HAINING_TXT, "-o", out / "b" / "c" / "海宁.json"]),
        ("import xlsx", ["import", HAINING_TXT, "-o", out / "d" / "海宁.xlsx"]),
        ("export", ["export", book, "-o", out / "e" / "海宁.json"]),
        ("generate docx", ["generate", book, "-o", out / "f" / "报告.docx"]),
        ("generate html", ["generate", book, "-o", out / "g" / "报告.html"]),
        ("generate md", ["generate", book, "-o", out / "h" / "报告.md"]),
        ("reference-docx", ["reference-docx", "-o", out / "i" / "参考.docx"]),
        ("roster-template", ["roster-template", "-o", out / "j" / "名单.xlsx"]),
        ("templates", ["templates", "--out", out / "k"]),
        ("distribute", ["distribute", "--roster", CITY / "甲区名单.csv", "--year", "2023", "--out", out / "l"]),
        ("collect", ["collect", CITY / "甲区交回", "--roster", CITY / "甲区名单.csv", "-o", out / "m" / "SUMMARY.xlsx",
                     "--report", out / "m" / "甲区报告.docx"]),
    ]


@pytest.fixture(scope="module")
def first_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("policy")
    out = tmp / "out"
    runs = {name: (args, nianbao(*args)) for name, args in _commands(tmp, out)}
    return out, runs


def test_every_command_creates_a_missing_output_folder_and_says_so(first_runs):
    out, runs = first_runs
    for name, (args, run) in runs.items():
        assert run.code in (0, 1), f"{name}: {run.err}"
        assert "Traceback" not in run.err
        assert "新建了文件夹" in run.out + run.err, f"{name} did not say it created its folder: {run.err}"
    for sub, wanted in {"a": "新.xlsx", "b/c": "海宁.json", "d": "海宁.xlsx", "e": "海宁.json", "f": "报告.docx",
                        "g": "报告.html", "h": "报告.md", "i": "参考.docx", "j": "名单.xlsx", "k": "nianbao-2021.xlsx",
                        "l": "下发清单.csv", "m": "SUMMARY.xlsx"}.items():
        assert (out / sub / wanted).is_file(), f"{sub}/{wanted} was not written"
    assert _backups(out) == []


def test_rerunning_every_command_on_unchanged_input_rewrites_nothing(first_runs):
    out, runs = first_runs
    before = _state(out)
    for name, (args, _) in runs.items():
        again = nianbao(*args)
        assert again.code in (0, 1), f"{name}: {again.err}"
        said = again.out + again.err
        assert "原文件保留为" not in said, f"{name} replaced a file on unchanged input: {said}"
        assert "未重写" in said or "未改动" in said, f"{name} did not say it left the file alone: {said}"
    after = _state(out)
    # the round ledger (SQLite) records the second collection: it is a record, not a result
    changed = [k for k in after if k not in before or after[k] != before[k]]
    assert [k for k in changed if not k.endswith(".sqlite")] == []
    assert _backups(out) == []


def test_a_changed_result_keeps_the_person_s_file_as_a_visible_backup(tmp_path):
    book = _filled(tmp_path)
    report = tmp_path / "报告.html"
    assert nianbao("generate", book, "-o", report).code == 0
    report.write_text(report.read_text(encoding="utf-8").replace("海宁市", "海宁市（本人改过）"), encoding="utf-8")
    edited = report.read_bytes()
    run = nianbao("generate", book, "-o", report)
    assert run.code == 0 and "原文件保留为" in run.err, run.err
    (bak,) = _backups(tmp_path)
    assert bak.parent == report.parent and bak.name.startswith("报告.html.") and bak.read_bytes() == edited
    assert "本人改过" not in report.read_text(encoding="utf-8")


def test_annotate_twice_leaves_the_annotated_workbook_alone(tmp_path):
    book = _filled(tmp_path)
    first = nianbao("validate", book, "--annotate")
    assert first.code in (0, 1) and "原文件保留为" in first.err
    annotated = book.read_bytes(), book.stat().st_mtime_ns
    second = nianbao("validate", book, "--annotate")
    assert second.code == first.code and "未重写" in second.err, second.err
    assert (book.read_bytes(), book.stat().st_mtime_ns) == annotated
    assert len(_backups(tmp_path)) == 1  # only the one from the first run


def test_new_keeps_an_existing_workbook(tmp_path):
    target = tmp_path / "2024.xlsx"
    args = ["new", "--year", "2024", "--agency", "海宁市人民政府", "-o", target]
    assert nianbao(*args).code == 0
    assert nianbao("carry-forward", "--from", _filled(tmp_path), "--to", target).code == 0
    carried = zip_parts(target)
    baks = set(_backups(tmp_path))
    # the same agency's workbook of the same year: kept as it is, exit 0 (re-running a script is safe)
    again = nianbao(*args)
    assert again.code == 0 and "未改动" in again.err and zip_parts(target) == carried, again.err
    # another agency or year: refused without --force
    other = nianbao("new", "--year", "2025", "--agency", "海宁市人民政府", "-o", target)
    assert other.code == 2 and "--force" in other.err and zip_parts(target) == carried
    # --force: a blank template, and the filled one kept beside it
    forced = nianbao(*args, "--force")
    assert forced.code == 0 and "原文件保留为" in forced.err, forced.err
    (bak,) = set(_backups(tmp_path)) - baks
    assert zip_parts(bak) == carried and zip_parts(target) != carried


def _main_job_commands() -> list[list[str]]:
    """The README's main-job block, as the nianbao commands it runs (the venv's nianbao → this Python)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- main-job -->", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    joined = re.sub(r"\\\n\s*", " ", block)
    commands = []
    for line in joined.splitlines():
        for part in line.split("&&"):
            words = shlex.split(part)
            if words and words[0] == ".venv/bin/nianbao":
                commands.append(words[1:])
    assert len(commands) >= 8, commands
    return commands


def test_running_the_readme_main_job_twice_leaves_no_backup(tmp_path):
    (tmp_path / "tests").symlink_to(REPO / "tests")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}

    def run_all() -> None:
        for words in _main_job_commands():
            p = subprocess.run([sys.executable, "-m", "nianbao", *words], cwd=tmp_path, env=env,
                               capture_output=True, text=True, encoding="utf-8")
            assert p.returncode == 0, (words, p.stderr)

    run_all()
    demo = tmp_path / "demo"
    first = _state(demo)
    # the first run changes two workbooks it has just written (validate --annotate the imported one,
    # carry-forward into the new one): those two replacements keep a backup each, nothing else does
    assert [b.name.split(".")[0] for b in _backups(demo)] == ["海宁市人民政府-2023", "海宁市人民政府-2024"]
    run_all()
    assert [k for k in _state(demo) if k.endswith(".bak") and k not in first] == []
    after = _state(demo)
    assert [k for k in after if after[k] != first.get(k) and not k.endswith(".sqlite")] == []
