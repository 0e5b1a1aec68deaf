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


def _rezip(path: Path, change) -> None:
    """Rewrite the package at ``path`` with ``change(name, data) -> data`` applied to every part."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = [(i, change(i.filename, z.read(i))) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts:
            z.writestr(info, data)


def test_equal_means_equal_content_not_an_equal_zip_index(tmp_path):
    """A damaged part (the zip's index still intact) and a changed author in core.xml are changes."""
    book = _filled(tmp_path)
    report = tmp_path / "报告.docx"
    assert nianbao("generate", book, "-o", report).code == 0
    fresh = zip_parts(report)
    raw = bytearray(report.read_bytes())
    import zipfile

    with zipfile.ZipFile(report) as z:
        info = z.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + 100: start + 300] = bytes(200)  # the data is damaged; the index (CRC, size) is not
    report.write_bytes(bytes(raw))
    run = nianbao("generate", book, "-o", report)
    assert run.code == 0 and "原文件保留为" in run.err, run.err
    assert zip_parts(report) == fresh  # repaired
    _rezip(report, lambda name, data: data.replace(b"</dc:creator>", b"X</dc:creator>")
           if name == "docProps/core.xml" else data)
    run = nianbao("generate", book, "-o", report)
    assert run.code == 0 and "原文件保留为" in run.err, run.err
    assert zip_parts(report) == fresh


def test_only_the_save_time_is_ignored(tmp_path):
    book = _filled(tmp_path)
    report = tmp_path / "报告.docx"
    assert nianbao("generate", book, "-o", report).code == 0
    _rezip(report, lambda name, data: re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2001-01-01T00:00:00Z", data)
           if name == "docProps/core.xml" else data)
    stamped = report.read_bytes()
    run = nianbao("generate", book, "-o", report)
    assert run.code == 0 and "未重写" in run.err and report.read_bytes() == stamped, run.err


def test_a_pdf_made_again_is_the_same_pdf(tmp_path):
    """LibreOffice stamps a new date, /ID and checksum into every PDF: not a change."""
    book = _filled(tmp_path)
    pdf = tmp_path / "报告.pdf"
    assert nianbao("generate", book, "-o", pdf).code == 0
    before = pdf.read_bytes()
    run = nianbao("generate", book, "-o", pdf)
    assert run.code == 0 and "未重写" in run.err and pdf.read_bytes() == before, run.err
    assert _backups(tmp_path) == []


def test_an_unchanged_result_is_not_refused_when_the_file_is_open(tmp_path):
    book = _filled(tmp_path)
    report = tmp_path / "报告.docx"
    assert nianbao("generate", book, "-o", report).code == 0
    (tmp_path / "~$报告.docx").write_bytes(b"owner")  # open in Word or WPS
    run = nianbao("generate", book, "-o", report)
    assert run.code == 0 and "未重写" in run.err, run.err
    report.write_bytes(b"changed")
    run = nianbao("generate", book, "-o", report)  # now it would have to write: refused
    assert run.code == 2 and "正在" in run.err and report.read_bytes() == b"changed"


def test_collect_again_with_a_returned_unit_changes_nothing(tmp_path):
    import json
    import shutil

    back = tmp_path / "交回"
    shutil.copytree(CITY / "甲区交回", back)
    victim = sorted(back.glob("*.xlsx"))[-1]
    data = json.loads(nianbao("export", victim).out)
    data["applications"]["new"]["natural_person"] = -5
    (tmp_path / "bad.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    victim.unlink()
    assert nianbao("import", tmp_path / "bad.json", "-o", victim).code == 0
    out = tmp_path / "out" / "S.xlsx"
    args = ["collect", back, "--roster", CITY / "甲区名单.csv", "-o", out]
    assert nianbao(*args).code == 1
    before = _state(out.parent)
    for _ in range(2):
        again = nianbao(*args)
        assert again.code == 1 and "原文件保留为" not in again.err, again.err
    after = _state(out.parent)
    assert [k for k in after if after[k] != before.get(k) and not k.endswith(".sqlite")] == []
    assert _backups(tmp_path) == []


def test_feedback_keeps_no_backup_in_the_folder_sent_out(tmp_path):
    import json
    import shutil

    back = tmp_path / "交回"
    shutil.copytree(CITY / "甲区交回", back)
    victim = sorted(back.glob("*.xlsx"))[-1]
    data = json.loads(nianbao("export", victim).out)
    out = tmp_path / "out" / "S.xlsx"
    for value in (-5, -7):  # two rounds, two different errors: the feedback file changes
        data["applications"]["new"]["natural_person"] = value
        (tmp_path / "bad.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        victim.unlink()
        assert nianbao("import", tmp_path / "bad.json", "-o", victim).code == 0
        assert nianbao("collect", back, "--roster", CITY / "甲区名单.csv", "-o", out).code == 1
    folder = out.parent / "退回修改"
    assert [p.suffix for p in folder.iterdir()] == [".txt"]
    assert "-7" in next(folder.iterdir()).read_text(encoding="utf-8-sig")


def test_new_with_another_kind_is_another_workbook(tmp_path):
    target = tmp_path / "h.xlsx"
    assert nianbao("new", "--year", "2024", "--agency", "海宁市人民政府", "-o", target).code == 0
    run = nianbao("new", "--year", "2024", "--agency", "海宁市人民政府", "--kind", "department", "-o", target)
    assert run.code == 2 and "--force" in run.err, run.err


def test_collect_that_cannot_consolidate_creates_no_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    run = nianbao("collect", tmp_path / "empty", "--agency", "某市人民政府", "--year", "2023",
                  "-o", tmp_path / "zz" / "sub" / "S.xlsx")
    assert run.code == 2 and "新建了文件夹" not in run.err, run.err
    assert not (tmp_path / "zz").exists()
