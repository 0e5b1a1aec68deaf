"""`nianbao ui --install-shortcut`: a 开始菜单 and 桌面 shortcut that starts the workbench with this
Python — a .desktop file on Linux (Kylin/UKUI, UOS/DDE, GNOME, KDE), a .lnk on Windows."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

NAME = "政务公开年报工作台"
FILE_STEM = "nianbao-workbench"
COMMENT = "校验年报、导入上年数据、生成报告、下发与汇总（nianbao 工作台）"
ICON = Path(__file__).resolve().parent / "static" / "icon.svg"


def _xdg_dir(var: str, default: Path) -> Path:
    return Path(os.environ.get(var) or default)


def desktop_dir() -> Path | None:
    """The user's desktop folder (XDG user-dirs: 桌面 on a Chinese desktop), if there is one."""
    home = Path.home()
    config = _xdg_dir("XDG_CONFIG_HOME", home / ".config") / "user-dirs.dirs"
    try:
        m = re.search(r'^XDG_DESKTOP_DIR="([^"]+)"', config.read_text(encoding="utf-8"), re.M)
    except OSError:
        m = None
    if m:
        folder = Path(m.group(1).replace("$HOME", str(home)))
        if folder.is_dir():
            return folder
    for name in ("桌面", "Desktop"):
        if (home / name).is_dir():
            return home / name
    return None


def _quote(arg: str) -> str:
    """An Exec argument, quoted as the Desktop Entry spec asks."""
    if re.search(r'[\s"\'\\><~|&;$*?#()`]', arg):
        return '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
    return arg


def desktop_entry(python: str, icon: Path | None) -> str:
    lines = ["[Desktop Entry]", "Type=Application", "Version=1.0", f"Name={NAME}", f"Name[zh_CN]={NAME}",
             "GenericName=nianbao workbench", f"Comment={COMMENT}",
             f"Exec={_quote(python)} -m nianbao ui", "Terminal=false", "Categories=Office;", "StartupNotify=false"]
    if icon is not None:
        lines.append(f"Icon={icon}")
    return "\n".join(lines) + "\n"


def install_linux(python: str | None = None) -> list[Path]:
    home = Path.home()
    data = _xdg_dir("XDG_DATA_HOME", home / ".local" / "share")
    icon = data / "icons" / "hicolor" / "scalable" / "apps" / f"{FILE_STEM}.svg"
    icon.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ICON, icon)
    entry = desktop_entry(python or sys.executable, icon)
    targets = [data / "applications" / f"{FILE_STEM}.desktop"]
    desk = desktop_dir()
    if desk is not None:
        targets.append(desk / f"{FILE_STEM}.desktop")
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(entry, encoding="utf-8")
        target.chmod(0o755)  # a launcher on the desktop must be executable (trusted) to start
        gio = shutil.which("gio")
        if gio and target.parent != targets[0].parent:
            subprocess.run([gio, "set", str(target), "metadata::trusted", "true"], capture_output=True, timeout=10)
    return targets


def powershell_script(pythonw: str) -> str:
    """PowerShell that writes the .lnk into the Start menu and onto the desktop."""
    def ps(s: str) -> str:
        return "'" + s.replace("'", "''") + "'"

    return "\n".join([
        "$shell = New-Object -ComObject WScript.Shell",
        "$places = @([Environment]::GetFolderPath('Programs'), [Environment]::GetFolderPath('Desktop'))",
        "foreach ($dir in $places) {",
        f"  $lnk = $shell.CreateShortcut((Join-Path $dir {ps(NAME + '.lnk')}))",
        f"  $lnk.TargetPath = {ps(pythonw)}",
        "  $lnk.Arguments = '-m nianbao ui'",
        f"  $lnk.Description = {ps(COMMENT)}",
        "  $lnk.WorkingDirectory = [Environment]::GetFolderPath('MyDocuments')",
        "  $lnk.Save()",
        "  Write-Output (Join-Path $dir " + ps(NAME + ".lnk") + ")",
        "}",
    ])


def install_windows(python: str | None = None) -> list[Path]:
    exe = Path(python or sys.executable)
    pythonw = exe.with_name("pythonw.exe") if exe.with_name("pythonw.exe").exists() else exe
    encoded = base64.b64encode(powershell_script(str(pythonw)).encode("utf-16-le")).decode("ascii")
    p = subprocess.run(["powershell", "-NoProfile", "-NonInteractive", "-EncodedCommand", encoded],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        from nianbao.workbook_templates.format.errors import OutputError

        raise OutputError(f"无法创建快捷方式：{p.stderr.strip()[:300]}", "cannot create the shortcut")
    return [Path(line.strip()) for line in p.stdout.splitlines() if line.strip()]


def install(python: str | None = None) -> list[Path]:
    return install_windows(python) if os.name == "nt" else install_linux(python)
