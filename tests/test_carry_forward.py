"""Carry-forward from last year's report: the real Hongkou 2019 → 2020 pair, refusals that
leave the file byte-identical, backups, SIGKILL mid-write, and a person's additions kept."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from conftest import add_foreign_content, fixture_path, named_cell, nianbao, zip_parts

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.xlsx.package import XlsxPackage


@pytest.fixture
def hongkou(tmp_path) -> tuple[Path, Path]:
    """Hongkou 2019 as filled workbook, and a blank 2020 template."""
    last, this = tmp_path / "虹口区2019.xlsx", tmp_path / "虹口区2020.xlsx"
    assert nianbao("import", fixture_path("hongkou-2019"), "-o", last).code == 0
    assert nianbao("new", "--year", "2020", "--agency", "上海市虹口区", "--kind", "government", "-o", this).code == 0
    return last, this


def export(path: Path) -> dict:
    run = nianbao("export", path)
    assert run.code == 0, run.err
    return json.loads(run.out)


def test_hongkou_2019_to_2020(hongkou):
    last, this = hongkou
    run = nianbao("carry-forward", "--from", last, "--to", this)
    assert run.code == 0, run.err
    assert "第三部分!D8" in run.out and "空白 → 70" in run.out
    data = export(this)
    assert data["applications"]["carried_over"] == {
        "natural_person": 70, "commercial": 0, "research": 0, "public_interest": 0,
        "legal_service": 0, "other_org": 0, "total": 70}
    assert data["previous"]["meta"]["year"] == 2019
    assert data["previous"]["text"]["other"].startswith("鉴于区公安分局")  # prose carried too
    report = json.loads(nianbao("validate", this, "--format", "json").out)
    assert not [f for f in report["findings"] if f["rule"] == "XYR-01"]  # checked, and it passes


def test_from_report_data_json(hongkou):
    _, this = hongkou
    assert nianbao("carry-forward", "--from", fixture_path("hongkou-2019"), "--to", this).code == 0
    assert export(this)["applications"]["carried_over"]["natural_person"] == 70


def test_an_altered_copy_fails_xyr01_naming_the_column(hongkou, tmp_path):
    last, this = hongkou
    nianbao("carry-forward", "--from", last, "--to", this)
    altered = json.loads(fixture_path("hongkou-2019").read_text(encoding="utf-8"))
    altered["applications"]["carried_forward"]["other_org"] = 3
    altered["applications"]["carried_forward"]["total"] = 73
    alt = tmp_path / "altered-2019.json"
    alt.write_text(json.dumps(altered, ensure_ascii=False), encoding="utf-8")
    run = nianbao("validate", this, "--previous", alt, "--format", "json")
    assert run.code == 1
    xyr = [f["message"] for f in json.loads(run.out)["findings"] if f["rule"] == "XYR-01"]
    assert xyr == ["第三部分“其他”列：上年结转＝0，但2019年度结转下年度＝3，前者少3件",
                   "第三部分“总计”列：上年结转＝70，但2019年度结转下年度＝73，前者少3件"]


def _type_into(path: Path, name: str, value) -> None:
    wb = openpyxl.load_workbook(path)
    named_cell(wb, name).value = value
    wb.save(path)


def test_typed_figure_that_differs_is_refused_byte_identical(hongkou):
    last, this = hongkou
    _type_into(this, "applications.carried_over.natural_person", 0)  # 0 counts as typed
    before = this.read_bytes()
    run = nianbao("carry-forward", "--from", last, "--to", this)
    assert run.code == 1
    assert "冲突" in run.err and "已填 0" in run.err and "未改动" in run.err
    assert this.read_bytes() == before
    assert not list(this.parent.glob("*.bak"))
    run = nianbao("carry-forward", "--from", last, "--to", this, "--force")
    assert run.code == 0, run.err
    assert export(this)["applications"]["carried_over"]["natural_person"] == 70
    backups = list(this.parent.glob(f"{this.name}.*.bak"))
    assert len(backups) == 1 and backups[0].read_bytes() == before


def test_wrong_year_is_refused(tmp_path):
    last, this = tmp_path / "2019.xlsx", tmp_path / "2021.xlsx"
    nianbao("import", fixture_path("hongkou-2019"), "-o", last)
    nianbao("new", "--year", "2021", "--agency", "上海市虹口区", "-o", this)
    before = this.read_bytes()
    run = nianbao("carry-forward", "--from", last, "--to", this)
    assert run.code == 1 and "2019 年度" in run.err and "应为 2020 年度" in run.err
    assert this.read_bytes() == before
    assert nianbao("carry-forward", "--from", last, "--to", this, "--force").code == 0


def test_dry_run_changes_nothing_and_a_second_run_has_nothing_to_do(hongkou):
    last, this = hongkou
    before = this.read_bytes()
    run = nianbao("carry-forward", "--from", last, "--to", this, "--dry-run")
    assert run.code == 0 and "将填写" in run.out and "试运行" in run.out
    assert this.read_bytes() == before
    assert nianbao("carry-forward", "--from", last, "--to", this).code == 0
    after = this.read_bytes()
    run = nianbao("carry-forward", "--from", last, "--to", this)
    assert run.code == 0 and "无需改动" in run.out
    assert this.read_bytes() == after


def test_backups_are_never_overwritten(hongkou, tmp_path):
    last, this = hongkou
    versions = [this.read_bytes()]
    nianbao("carry-forward", "--from", last, "--to", this)
    versions.append(this.read_bytes())
    _type_into(this, "applications.carried_over.commercial", None)
    versions.append(this.read_bytes())
    nianbao("carry-forward", "--from", last, "--to", this)
    backups = sorted(this.parent.glob(f"{this.name}.*.bak"))
    assert len(backups) == 2
    assert {b.read_bytes() for b in backups} == {versions[0], versions[2]}


def test_open_in_excel_or_read_only_is_refused(hongkou):
    last, this = hongkou
    before = this.read_bytes()
    lock = this.with_name("~$" + this.name)
    lock.write_bytes(b"owner")
    run = nianbao("carry-forward", "--from", last, "--to", this)
    assert run.code == 2 and "正在 Excel 或 WPS 中打开" in run.err
    lock.unlink()
    this.chmod(0o444)
    run = nianbao("carry-forward", "--from", last, "--to", this)
    assert run.code == 2 and "只读" in run.err
    this.chmod(0o644)
    assert this.read_bytes() == before


def test_a_persons_image_comment_and_extra_sheet_survive(hongkou):
    last, this = hongkou
    add_foreign_content(this)
    before = zip_parts(this)
    assert any(n.startswith("xl/media/") for n in before) and any("comments" in n for n in before)
    assert nianbao("carry-forward", "--from", last, "--to", this).code == 0
    after = zip_parts(this)
    assert set(after) == set(before)
    changed = {n for n in before if before[n] != after[n]}
    wb = openpyxl.load_workbook(this)
    ours = {wb.defined_names[p].attr_text.split("!")[0].strip("'") for p in S.EDITION_2019.fields}
    with XlsxPackage(this) as pkg:
        allowed = {pkg.sheets[s].part for s in ours} | {"xl/workbook.xml"}
    assert changed <= allowed, changed - allowed
    assert wb["内部备注"]["A1"].value == "这张表是我们自己加的" and wb["内部备注"]["B2"].value == 12345
    assert named_cell(wb, "meta.agency").comment.text == "请核对机关全称"
    assert len(wb["封面"]._images) == 1


def test_libreoffice_recomputes_after_carry_forward(hongkou, libreoffice, tmp_path):
    """Cached results that our edit makes stale are dropped: totals follow the new figures."""
    last, this = hongkou
    cached = libreoffice.recalc([this], tmp_path / "lo1")[0]  # LibreOffice caches 0 for every total
    assert nianbao("carry-forward", "--from", last, "--to", cached).code == 0
    assert export(cached)["applications"]["carried_over"]["total"] == 70  # not the stale 0
    again = libreoffice.recalc([cached], tmp_path / "lo2")[0]
    wb = openpyxl.load_workbook(again, data_only=True)
    assert named_cell(wb, "applications.carried_over.total").value == 70
    assert export(again)["applications"]["carried_over"]["total"] == 70


SLOW_WRITER = """
import sys, time
from nianbao.workbook_templates.xlsx.safe_write import write_atomic
def slow(fh):
    fh.write(b"PK\\x03\\x04" + b"x" * 100000)
    fh.flush()
    print("writing", flush=True)
    time.sleep(60)
write_atomic(sys.argv[1], slow)
"""


def test_sigkill_mid_write_leaves_the_original_intact(hongkou):
    _, this = hongkou
    before = this.read_bytes()
    p = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(this)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "writing"
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=10)
    assert this.read_bytes() == before
    assert export(this)["meta"]["year"] == 2020


def test_carry_forward_killed_at_random_moments_is_all_or_nothing(hongkou):
    last, this = hongkou
    before = this.read_bytes()
    rng = random.Random(20261122)
    outcomes = set()
    for _ in range(6):
        p = subprocess.Popen([sys.executable, "-m", "nianbao", "carry-forward", "--from", str(last), "--to", str(this)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.9))
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=30)
        data = export(this)  # always a readable workbook
        value = data["applications"]["carried_over"]["natural_person"]
        assert value in (None, 70)
        if value is None:
            assert this.read_bytes() == before
        outcomes.add(value)
        if value == 70:  # start again from the original
            this.write_bytes(before)
    assert outcomes  # each run ended in one of the two whole states
