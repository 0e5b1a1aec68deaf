"""Nothing lost: real parallel writers of one workbook, symlinked targets, the lock between writers.

Every check compares whole packages part by part (``zip_parts``) and every ``.bak`` beside the
target, before and after: the original must survive in a backup, no two runs may interleave, and
a symlink must lead the figures into the real workbook."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, nianbao, zip_parts

ROUNDS = max(1, int(os.environ.get("NIANBAO_FUZZ_CASES", "240")) // 240)  # the long run repeats the race


def _start(*args: str | os.PathLike) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nianbao", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")


def _backups(folder: Path, name: str) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(name + ".") and p.name.endswith(".bak"))


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sw") / "filled.xlsx"
    assert nianbao("import", FIXTURES / "haining-2023.json", "-o", out).code == 0
    return out


@pytest.fixture(scope="module")
def annotated_once(filled, tmp_path_factory) -> dict[str, bytes]:
    """What one `validate --annotate` makes of the workbook, run alone (the oracle)."""
    one = tmp_path_factory.mktemp("sw1") / "one.xlsx"
    one.write_bytes(filled.read_bytes())
    assert nianbao("validate", one, "--annotate").code in (0, 1)
    return zip_parts(one)


@pytest.mark.parametrize("round_no", range(ROUNDS))
def test_parallel_annotate_runs_lose_no_backup_and_do_not_interleave(filled, annotated_once, tmp_path, round_no):
    target = tmp_path / "年报.xlsx"
    target.write_bytes(filled.read_bytes())
    original = zip_parts(target)
    runs = [_start("validate", target, "--annotate") for _ in range(6)]  # all within the same second
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in runs]
    assert all(code in (0, 1) for code, _, _ in results), results
    assert all("Traceback" not in err for _, _, err in results)
    said = [out + err for _, out, err in results]
    # serialised: the first run annotates and keeps the original; the others find that very result
    # already there and, by the overwrite policy, rewrite nothing and keep no backup of it
    assert sum("已写入“校验结果”工作表" in s for s in said) == 1, said
    assert sum("未重写" in s for s in said) == len(runs) - 1, said
    baks = _backups(tmp_path, target.name)
    assert len(baks) == 1 and zip_parts(baks[0]) == original, [b.name for b in baks]
    assert zip_parts(target) == annotated_once  # a whole run's result, not two interleaved
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, *(b.name for b in baks)])


def test_parallel_writers_of_different_results_each_keep_what_they_replace(filled, tmp_path):
    """Six writers racing with six different results: every replaced version is in its own backup."""
    target = tmp_path / "年报.json"
    target.write_text("a person's version", encoding="utf-8")
    code = ("import sys\n"
            "from nianbao.workbook_templates.xlsx.safe_write import write_atomic\n"
            "write_atomic(sys.argv[1], ('run ' + sys.argv[2]) * 100000)\n")
    runs = [subprocess.Popen([sys.executable, "-c", code, str(target), str(k)]) for k in range(6)]
    assert all(p.wait(timeout=120) == 0 for p in runs)
    versions = {b.read_text(encoding="utf-8") for b in _backups(tmp_path, target.name)}
    final = target.read_text(encoding="utf-8")
    every = {"a person's version", *(f"run {k}" * 100000 for k in range(6))}
    assert len(_backups(tmp_path, target.name)) == 6 and versions | {final} == every


def test_parallel_carry_forward_runs_are_serialised(filled, tmp_path):
    this = tmp_path / "2024.xlsx"
    assert nianbao("new", "--year", "2024", "--agency", "海宁市人民政府", "-o", this).code == 0
    blank = zip_parts(this)
    runs = [_start("carry-forward", "--from", filled, "--to", this) for _ in range(4)]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in runs]
    assert all(code == 0 for code, _, _ in results), results
    writers = [r for r in results if "已写入" in r[2]]
    assert len(writers) == 1, "after the first run the figures are there: the others must find nothing to do"
    assert sum("无需改动" in out for _, out, _ in results) == len(runs) - 1
    baks = _backups(tmp_path, this.name)
    assert len(baks) == 1 and zip_parts(baks[0]) == blank
    data = nianbao("export", this)
    assert data.code == 0 and '"carried_over"' in data.out


def test_a_writer_waits_for_the_lock_and_refuses_after_its_timeout(filled, tmp_path):
    from nianbao.workbook_templates.xlsx.safe_write import lock_path

    target = tmp_path / "年报.xlsx"
    target.write_bytes(filled.read_bytes())
    before = target.read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from nianbao.workbook_templates.xlsx.safe_write import locked\n"
        "with locked(sys.argv[1]):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(3)\n"), str(target)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    assert lock_path(target).exists()
    run = nianbao("validate", target, "--annotate", env={"NIANBAO_LOCK_TIMEOUT": "0.5"})
    assert run.code == 2 and "正在写入" in run.err and "Traceback" not in run.err, run.err
    assert target.read_bytes() == before and _backups(tmp_path, target.name) == []
    t = time.monotonic()
    run = nianbao("validate", target, "--annotate")  # waits for the holder, then writes
    assert run.code in (0, 1), run.err
    assert holder.wait(timeout=30) == 0 and time.monotonic() - t > 1.0
    assert not lock_path(target).exists()  # no lock file left behind
    assert len(_backups(tmp_path, target.name)) == 1


def test_carry_forward_writes_through_a_symlink_to_the_real_workbook(filled, tmp_path):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "2024.xlsx"
    assert nianbao("new", "--year", "2024", "--agency", "海宁市人民政府", "-o", real).code == 0
    blank = zip_parts(real)
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    run = nianbao("carry-forward", "--from", filled, "--to", link)
    assert run.code == 0, run.err
    assert link.is_symlink() and link.resolve() == real.resolve()  # the link is still a link
    assert zip_parts(real) != blank  # the real workbook got the figures
    assert '"carried_over"' in nianbao("export", real).out
    baks = _backups(real_dir, real.name)
    assert len(baks) == 1 and zip_parts(baks[0]) == blank  # the backup sits beside the real file
    assert _backups(tmp_path, link.name) == []


def test_generate_writes_through_a_symlink(filled, tmp_path):
    real = tmp_path / "report.html"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.html"
    link.symlink_to(real)
    run = nianbao("generate", filled, "-o", link)
    assert run.code == 0, run.err
    assert link.is_symlink()
    assert "海宁市人民政府" in real.read_text(encoding="utf-8")
    assert [b.read_text(encoding="utf-8") for b in _backups(tmp_path, real.name)] == ["old"]


def test_a_symlink_loop_is_refused_with_a_message(filled, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    a.symlink_to(b)
    b.symlink_to(a)
    run = nianbao("generate", filled, "-o", a)
    assert run.code == 2 and "链接" in run.err and "Traceback" not in run.err, run.err
    assert a.is_symlink() and b.is_symlink()


def test_a_backup_name_that_exists_is_never_reused(tmp_path):
    """Backups are created exclusively: an existing .bak of any name is never replaced."""
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic

    target = tmp_path / "x.txt"
    target.write_text("v0", encoding="utf-8")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    taken = [tmp_path / f"x.txt.{stamp}.bak", *(tmp_path / f"x.txt.{stamp}-{k}.bak" for k in range(2, 5))]
    for p in taken:
        p.write_text("precious", encoding="utf-8")
    for k in range(1, 6):
        write_atomic(target, f"v{k}")
    assert all(p.read_text(encoding="utf-8") == "precious" for p in taken if p.exists())
    kept = sorted(b.read_text(encoding="utf-8") for b in _backups(tmp_path, target.name))
    assert kept.count("precious") == len(taken) and sorted(k for k in kept if k != "precious") == ["v0", "v1", "v2", "v3", "v4"]
