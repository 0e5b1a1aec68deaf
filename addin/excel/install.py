"""Putting the add-in where Excel loads it, with the Python interpreter baked in, and an offline
bundle for PCs on a government intranet without internet.

The add-in needs Excel on Windows or macOS.  WPS and 信创 (Kylin/UOS) users get everything through
the template workbook and the command line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from nianbao.workbook_templates.format.errors import NianbaoError

from nianbao.addin.excel.build_xlam import XLAM, XLWINGS_VERSION

CONF_SHEET, ACTIVE_CONF_SHEET = "_myaddin.conf", "myaddin.conf"
INTERPRETER_WIN, INTERPRETER_MAC = "Interpreter_Win", "Interpreter_Mac"
NOT_HERE = ("Excel 插件只能装在 Windows 或 macOS 的 Excel 中。WPS 和信创（麒麟/统信）电脑请直接使用模板工作簿"
            "（公式、保护和勾稽校验在 WPS 中同样有效）和命令行（nianbao validate / carry-forward / generate）。")


def startup_folder() -> Path:
    """Excel's XLSTART folder (a trusted location: add-ins there load at start)."""
    if sys.platform == "win32":
        return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    if sys.platform == "darwin":
        return Path.home() / "Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel"
    raise NianbaoError(NOT_HERE, "the Excel add-in needs Excel on Windows or macOS")


def default_interpreter() -> str:
    exe = Path(sys.executable)
    windowless = exe.with_name("pythonw.exe")
    return str(windowless if windowless.exists() else exe)


USE_UDF_SERVER = "USE UDF SERVER"  # xlwings' key: RunPython through one Python that stays alive


def fast_clicks(site_packages: Path | None = None) -> Path:
    """Put the one-line .pth that keeps matplotlib out of ``import xlwings`` into the Python that
    Excel runs (this one); see fast_import."""
    import sysconfig

    from nianbao.addin.excel.fast_import import PTH_LINE, PTH_NAME
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic

    folder = site_packages or Path(sysconfig.get_paths()["purelib"])
    write_atomic(folder / PTH_NAME, PTH_LINE.encode("utf-8"), backup=False)
    return folder / PTH_NAME


def install(dest: Path | None = None, interpreter: str | None = None, persistent: bool = False,
            site_packages: Path | None = None) -> Path:
    """Write nianbao.xlam into ``dest`` (default: Excel's XLSTART) with the interpreter set on its
    active config sheet; only the keys we set are listed there (an empty key would override the
    user's own config file).  ``persistent``: RunPython through xlwings' COM server (one Python
    that stays alive across clicks; the 重启 Python button stops it after an upgrade)."""
    from nianbao.workbook_templates.xlsx.edit import PackageEditor

    folder = dest or startup_folder()
    folder.mkdir(parents=True, exist_ok=True)
    editor = PackageEditor(XLAM)
    editor.rename_sheet(CONF_SHEET, ACTIVE_CONF_SHEET)
    key = INTERPRETER_MAC if sys.platform == "darwin" else INTERPRETER_WIN
    rows = len(editor.sheet(ACTIVE_CONF_SHEET).findall(".//{*}row"))
    for r in range(1, max(rows, 13) + 1):
        editor.set_value(ACTIVE_CONF_SHEET, f"A{r}", None)
        editor.set_value(ACTIVE_CONF_SHEET, f"B{r}", None)
    editor.set_value(ACTIVE_CONF_SHEET, "A1", key)
    editor.set_value(ACTIVE_CONF_SHEET, "B1", interpreter or default_interpreter())
    if persistent:
        editor.set_value(ACTIVE_CONF_SHEET, "A2", USE_UDF_SERVER)
        editor.set_value(ACTIVE_CONF_SHEET, "B2", "True")
    ours = interpreter is None or Path(interpreter).parent == Path(sys.executable).parent
    if ours or site_packages is not None:  # the Python Excel will run is this one: make its clicks fast
        fast_clicks(site_packages)
    target = folder / XLAM.name
    editor.save(target, backup=False)  # Excel opens every file in XLSTART: no .bak beside it
    return target


WINDOWS_ONLY = ("pywin32>=306",)  # xlwings' COM bridge on Windows
INSTALL_BAT = r"""@echo off
chcp 65001 >nul
rem nianbao 离线安装：不需要联网。先安装 Python {python}（64 位），再双击本文件。
set VENV=%LOCALAPPDATA%\nianbao\venv
py -{python} -m venv "%VENV%" 2>nul || python -m venv "%VENV%"
"%VENV%\Scripts\python.exe" -m pip install --no-index --find-links "%~dp0wheels" "nianbao[addin]"
if errorlevel 1 goto failed
"%VENV%\Scripts\python.exe" -m nianbao addin install --interpreter "%VENV%\Scripts\pythonw.exe"
if errorlevel 1 goto failed
echo 安装完成。请重新打开 Excel，功能区会出现“政务公开年报”选项卡。
pause
exit /b 0
:failed
echo 安装失败，请把以上信息发给技术支持。
pause
exit /b 1
"""


def requirements(extras: tuple[str, ...] = ("addin",)) -> list[str]:
    """The distribution's own requirements (from setup.cfg, via its metadata), with ``extras``."""
    out = []
    for req in metadata.requires("nianbao") or []:
        name, _, marker = req.partition(";")
        marker = marker.strip()
        if not marker or any(f'extra == "{e}"' in marker for e in extras):
            out.append(name.strip())
    return out


def pure_wheel_env() -> dict[str, str]:
    """The environment in which ``pip wheel`` makes nianbao's own wheel for a bundle: without the
    compiled scanner (setup.py), a wheel for any CPU — one compiled here would not install there."""
    return {**os.environ, "NIANBAO_PURE_PYTHON": "1"}


def bundle(out: Path, python: str = "3.11", platform: str = "win_amd64") -> Path:
    """A folder with Windows wheels of nianbao and everything it needs, and install.bat."""
    project = Path(__file__).resolve().parents[2]
    if not (project / "setup.cfg").exists():
        raise NianbaoError("离线安装包需要在 nianbao 的源代码目录中生成（git clone 之后 pip install -e .）。",
                           "the offline bundle is built from a source checkout")
    wheels = out / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    steps = [
        pip + ["wheel", "--no-deps", "-q", "-w", str(wheels), str(project)],
        # markers are evaluated for this machine, so Windows-only dependencies are named here
        pip + ["download", "-q", "--only-binary=:all:", "--platform", platform, "--python-version", python,
               "--implementation", "cp", "-d", str(wheels), *requirements(),
               *(WINDOWS_ONLY if platform.startswith("win") else ())],
    ]
    for cmd in steps:
        p = subprocess.run(cmd, capture_output=True, text=True, env=pure_wheel_env())
        if p.returncode != 0:
            raise NianbaoError(f"下载安装包失败：{(p.stderr or p.stdout).strip()[-400:]}", "pip failed")
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic

    write_atomic(out / "install.bat", INSTALL_BAT.format(python=python).replace("\n", "\r\n").encode("utf-8"),
                 backup=False)
    return out


__all__ = ["install", "bundle", "pure_wheel_env", "requirements", "XLWINGS_VERSION"]
