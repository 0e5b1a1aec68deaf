"""Shared test helpers: the real CLI in a subprocess, the fixtures, LibreOffice as an
independent formula engine.  Tests that need LibreOffice fail (never skip) without it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
REAL_REPORTS = ("haining-2023", "shanghai-2020", "hongkou-2019", "hongkou-2020")


def fixture_path(name: str) -> Path:
    return FIXTURES / f"{name}.json"


def load_fixture(name: str) -> dict:
    return json.loads(fixture_path(name).read_text(encoding="utf-8"))


@dataclass
class Run:
    code: int
    out: str
    err: str


def nianbao(*args: str | os.PathLike, cwd: Path | None = None, env: dict | None = None) -> Run:
    """Run the real command line, as a user would."""
    p = subprocess.run(
        [sys.executable, "-m", "nianbao", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", cwd=cwd,
        env={**os.environ, **(env or {})}, timeout=120,
    )
    return Run(p.returncode, p.stdout, p.stderr)


@pytest.fixture
def cli():
    return nianbao


_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOffice:
    """Headless LibreOffice with a private profile that forces recalculation on load."""

    def __init__(self, workdir: Path) -> None:
        exe = shutil.which("soffice") or shutil.which("libreoffice")
        if exe is None:
            pytest.fail("LibreOffice is required for this test: apt-get install libreoffice-calc-nogui "
                        "(bash .ci/run installs it)")
        self.exe = exe
        self.profile = workdir / "lo-profile"
        (self.profile / "user").mkdir(parents=True, exist_ok=True)
        (self.profile / "user" / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")

    def convert(self, files: list[Path], to: str, outdir: Path) -> list[Path]:
        """Open each file, recalculate every formula, and save it as ``to`` in ``outdir``."""
        outdir.mkdir(parents=True, exist_ok=True)
        p = subprocess.run(
            [self.exe, "--headless", "--norestore", f"-env:UserInstallation={self.profile.as_uri()}",
             "--convert-to", to, "--outdir", str(outdir), *map(str, files)],
            capture_output=True, text=True, timeout=300,
        )
        outs = [outdir / f"{f.stem}.{to.split(':')[0]}" for f in files]
        missing = [o for o in outs if not o.exists()]
        assert not missing, f"LibreOffice did not write {missing}: {p.stdout} {p.stderr}"
        return outs

    def recalc(self, files: list[Path], outdir: Path) -> list[Path]:
        return self.convert(files, "xlsx", outdir)


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory) -> LibreOffice:
    return LibreOffice(tmp_path_factory.mktemp("libreoffice"))


def named_cell(wb, name: str):
    """The openpyxl cell a workbook-scope defined name points at."""
    sheet, ref = wb.defined_names[name].attr_text.split("!")
    return wb[sheet.strip("'")][ref.replace("$", "")]


def add_foreign_content(path: Path) -> None:
    """What a person adds to a returned template: an image, a comment, an extra sheet."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image
    from PIL import Image as PILImage

    wb = openpyxl.load_workbook(path)
    png = path.with_suffix(".logo.png")
    PILImage.new("RGB", (40, 20), (200, 30, 30)).save(png)
    wb["封面"].add_image(Image(str(png)), "D2")
    named_cell(wb, "meta.agency").comment = Comment("请核对机关全称", "张三")
    extra = wb.create_sheet("内部备注")
    extra["A1"] = "这张表是我们自己加的"
    extra["B2"] = 12345
    wb.save(path)
    png.unlink()


def zip_parts(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def run_tool(*args: str | os.PathLike, timeout: int = 120) -> str:
    """A command-line tool's stdout (pdftotext, pdffonts, pdfinfo, chromium); fails if missing."""
    exe = shutil.which(str(args[0]))
    if exe is None:
        pytest.fail(f"{args[0]} is required for this test (bash .ci/run installs it)")
    p = subprocess.run([exe, *map(str, args[1:])], capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, p.stderr
    return p.stdout


def chromium_pdf(html: Path, pdf: Path) -> Path:
    """Print an HTML file to PDF with headless Chromium (flags for this closed network)."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("Chromium is required for this test: apt-get install chromium (bash .ci/run installs it)")
    profile = pdf.parent / "chromium-profile"
    p = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
                        html.as_uri()], capture_output=True, text=True, timeout=120)
    assert pdf.exists(), p.stderr
    return pdf
