"""Our packages import as nianbao.*, so a stray generator.py (or addin.py) beside a workbook —
whose folder xlwings puts first on sys.path — never shadows them."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import nianbao

PROBE = """
import sys
sys.path.insert(0, {folder!r})            # what xlwings' prepare_sys_path does
import generator, addin, workbook_templates  # the stray ones
assert generator.STRAY and addin.STRAY and workbook_templates.STRAY
import nianbao.generator, nianbao.addin, nianbao.workbook_templates
from nianbao.workbook_templates.format import schema
for m in (nianbao.generator, nianbao.addin, nianbao.workbook_templates):
    assert {folder!r} not in m.__file__, m.__file__
assert len(schema.EDITION_2021.application_rows) == 25
print("ours")
"""


def test_stray_modules_beside_a_workbook_do_not_shadow_ours(tmp_path):
    for name in ("generator", "addin", "workbook_templates"):
        (tmp_path / f"{name}.py").write_text("STRAY = True\n", encoding="utf-8")
    p = subprocess.run([sys.executable, "-c", PROBE.format(folder=str(tmp_path))],
                       capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ours"


def test_the_command_line_works_from_a_folder_with_stray_modules(tmp_path):
    (tmp_path / "generator.py").write_text("raise SystemExit('stray generator imported')\n", encoding="utf-8")
    run = nianbao("new", "--year", "2023", "--agency", "丙区人民政府", "-o", "丙区.xlsx", cwd=tmp_path,
                  env={"PYTHONPATH": str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", "")})
    assert run.code == 0, run.err
    assert (tmp_path / "丙区.xlsx").exists()
