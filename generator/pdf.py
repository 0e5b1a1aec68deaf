"""PDF through headless LibreOffice (when it is installed), with the font aliases of fonts.conf
so the official font names render in free stand-ins on Linux."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from nianbao.workbook_templates.format.errors import NianbaoError

FONTS_CONF = Path(__file__).resolve().parent / "fonts.conf"
TIMEOUT_S = 180


def soffice() -> str:
    for name in ("soffice", "libreoffice"):
        exe = shutil.which(name)
        if exe:
            return exe
    raise NianbaoError(
        "生成 PDF 需要 LibreOffice，本机未安装。可先生成 .docx，再用 Word/WPS“另存为 PDF”；"
        "或安装 LibreOffice（Debian/Ubuntu：apt-get install libreoffice-writer-nogui）。",
        "PDF output needs LibreOffice, which is not installed; generate .docx and save it as PDF, or install it",
    )


def convert_to_pdf(files: list[Path], outdir: Path, *, timeout: int = TIMEOUT_S) -> list[Path]:
    """Convert .docx/.xlsx files to PDF in one LibreOffice run (a private profile, the font
    aliases of fonts.conf); returns the PDFs in the order of ``files``."""
    exe = soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ}
    if os.name == "posix" and FONTS_CONF.exists():
        env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as profile:
        try:
            p = subprocess.run(
                [exe, "--headless", "--norestore", f"-env:UserInstallation={Path(profile).as_uri()}",
                 "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)],
                capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            raise NianbaoError("LibreOffice 转换 PDF 超时。", "LibreOffice timed out converting to PDF") from None
    outs = [outdir / f"{Path(f).stem}.pdf" for f in files]
    if not all(o.exists() for o in outs):
        raise NianbaoError(f"LibreOffice 未能生成 PDF：{(p.stderr or p.stdout).strip()[:300]}",
                           "LibreOffice did not produce a PDF")
    return outs


def docx_to_pdf(docx: bytes) -> bytes:
    with tempfile.TemporaryDirectory(prefix="nianbao-pdf-") as tmp:
        folder = Path(tmp)
        src = folder / "report.docx"
        src.write_bytes(docx)
        return convert_to_pdf([src], folder / "out")[0].read_bytes()
