"""Installing the WPS add-in for this user: the folder ``jsaddons/nianbao_<version>/``, one entry in
``jsaddons/publish.xml`` and the workbench service started at login; uninstalling removes all three.

- ``jsaddons`` is ``%APPDATA%\\kingsoft\\wps\\jsaddons`` on Windows and
  ``~/.local/share/Kingsoft/wps/jsaddons`` on Linux (Kylin, UOS).
- ``publish.xml`` may list other add-ins: it is edited as text, our one ``<jsplugin name="nianbao"
  …/>`` line added, replaced or removed, every other byte kept.  A file that is not well-formed
  XML is refused, never rewritten.  The entry has the form that WPS-Zotero's installer writes for
  an offline add-in (``enable="enable_dev" install="null"``), with ``type="et"`` for WPS 表格.
- A WPS add-in cannot start a program, so the service (``nianbao ui --serve``) starts with the
  session: an XDG autostart entry on Linux (honoured by UKUI and DDE), a ``.cmd`` in the Startup
  folder on Windows.
- What install created (publish.xml, the jsaddons folders) is recorded in ``wps-addin.json`` in
  nianbao's configuration folder, so that uninstall leaves the folders as it found them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from nianbao import __version__
from nianbao.workbook_templates.format.errors import OutputError
from nianbao.workbook_templates.xlsx.safe_write import write_atomic

NAME = "nianbao"
SOURCE = Path(__file__).resolve().parent / "jsaddon"
EMPTY_PUBLISH = '<?xml version="1.0" encoding="UTF-8"?>\n<jsplugins>\n</jsplugins>\n'
ENTRY = re.compile(r'[ \t]*<jsplugin\b(?=[^>]*\bname="nianbao")[^>]*/>[ \t]*(?:\r?\n)?')
AUTOSTART = "nianbao-workbench"
RECORD = "wps-addin.json"


def jsaddons() -> Path:
    if os.name == "nt":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "kingsoft" / "wps" / "jsaddons"
    return Path.home() / ".local" / "share" / "Kingsoft" / "wps" / "jsaddons"


def autostart_file() -> Path:
    if os.name == "nt":
        appdata = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
        return appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / f"{AUTOSTART}.cmd"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "autostart" / f"{AUTOSTART}.desktop"


def entry() -> str:
    return (f'<jsplugin name="{NAME}" type="et" url="http://127.0.0.1:3889/" version="{__version__}" '
            f'enable="enable_dev" install="null"/>')


def _record_path() -> Path:
    from nianbao.workbench.server import config_dir

    return config_dir() / RECORD


def _check_xml(text: str, path: Path) -> None:
    try:
        root = etree.fromstring(text.lstrip("\ufeff").encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        raise OutputError(f"{path} 不是有效的 XML（{e}），为免损坏其他加载项，没有改动。请检查这个文件。",
                          f"{path} is not well-formed XML; left untouched") from None
    if root.tag != "jsplugins":
        raise OutputError(f"{path} 的根元素是 <{root.tag}>，应为 <jsplugins>；没有改动。", f"unexpected root in {path}")


def _read(publish: Path) -> str:
    """publish.xml as text, line endings as they are (bytes decoded, no newline translation)."""
    try:
        return publish.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise OutputError(f"{publish} 不是 UTF-8 编码的 XML，为免损坏其他加载项，没有改动。",
                          f"{publish} is not UTF-8; left untouched") from None


def with_entry(text: str, path: Path) -> str:
    """``text`` of publish.xml with our entry added or replaced; every other byte kept."""
    _check_xml(text, path)
    newline = "\r\n" if "\r\n" in text else "\n"
    line = f"  {entry()}{newline}"
    if ENTRY.search(text):
        text = ENTRY.sub("", text)
    m = re.search(r"<jsplugins\b[^>]*/>", text)
    if m:  # <jsplugins/>: open it
        return text[: m.start()] + f"<jsplugins>{newline}{line}</jsplugins>" + text[m.end():]
    close = text.rfind("</jsplugins>")
    line_start = text.rfind("\n", 0, close) + 1
    if text[line_start:close].strip(" \t"):  # "</jsplugins>" after content on the same line
        return text[:close] + newline + line + text[close:]
    return text[:line_start] + line + text[line_start:]


def without_entry(text: str, path: Path) -> str:
    _check_xml(text, path)
    return ENTRY.sub("", text)


def _autostart_text(python: str) -> str:
    if os.name == "nt":
        windowless = Path(python).with_name("pythonw.exe")
        exe = windowless if windowless.exists() else Path(python)
        return f'@echo off\r\nstart "" "{exe}" -m nianbao ui --serve\r\n'
    return ("[Desktop Entry]\nType=Application\nName=nianbao 年报工作台（WPS 插件的本机服务）\n"
            "Name[en]=nianbao workbench service\nComment=为 WPS 表格中的“政务公开年报”选项卡提供本机服务\n"
            f"Exec=\"{python}\" -m nianbao ui --serve\nTerminal=false\nNoDisplay=true\nX-GNOME-Autostart-enabled=true\n")


@dataclass
class Installed:
    folder: Path
    publish: Path
    autostart: Path


def _missing(folder: Path) -> list[str]:
    """``folder`` and those of its parents that do not exist yet (to be made, and later removed)."""
    out = []
    while not folder.exists() and folder.parent != folder:
        out.append(str(folder))
        folder = folder.parent
    return out


def _remove_ours(base: Path) -> None:
    for old in base.glob(f"{NAME}_*"):
        if old.is_dir() and (old / "main.js").is_file() and (old / "ribbon.xml").is_file():
            shutil.rmtree(old)


def install(python: str | None = None) -> Installed:
    """Copy the add-in into jsaddons, register it in publish.xml, start the service at login."""
    from nianbao.workbench.server import state_path

    base = jsaddons()
    record_path = _record_path()
    record = json.loads(record_path.read_text(encoding="utf-8")) if record_path.is_file() else {}
    created = list(record.get("created", []))
    created += _missing(base)
    publish = base / "publish.xml"
    old = _read(publish) if publish.is_file() else None
    new = with_entry(old if old is not None else EMPTY_PUBLISH, publish)  # refuses bad XML before any change
    if old is None and not record.get("publish_created"):
        record["publish_created"] = True
    auto = autostart_file()
    created += _missing(auto.parent)
    base.mkdir(parents=True, exist_ok=True)
    auto.parent.mkdir(parents=True, exist_ok=True)
    target = base / f"{NAME}_{__version__}"
    staging = base / f".{NAME}_{__version__}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(SOURCE, staging)
    config = {"stateFile": str(state_path()), "version": __version__}
    (staging / "config.js").write_text(
        "// Written by `nianbao addin install --wps`: where this user's workbench writes its port and token.\n"
        f"window.NIANBAO_CONFIG = {json.dumps(config, ensure_ascii=False)};\n", encoding="utf-8")
    _remove_ours(base)
    staging.rename(target)
    write_atomic(publish, new.encode("utf-8"), backup=False)
    write_atomic(auto, _autostart_text(python or sys.executable).encode("utf-8"), backup=False)
    created += _missing(record_path.parent)
    record.update({"created": sorted(set(created), key=created.index), "folder": str(target), "autostart": str(auto)})
    record_path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(record_path, json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"), backup=False)
    return Installed(target, publish, auto)


def uninstall() -> list[Path]:
    """Remove our folder, our publish.xml entry and the autostart entry; what install created goes too."""
    base = jsaddons()
    record_path = _record_path()
    record = json.loads(record_path.read_text(encoding="utf-8")) if record_path.is_file() else {}
    removed: list[Path] = []
    publish = base / "publish.xml"
    if publish.is_file():
        text = _read(publish)
        rest = without_entry(text, publish)
        if record.get("publish_created") and rest == EMPTY_PUBLISH:
            publish.unlink()
            removed.append(publish)
        elif rest != text:
            write_atomic(publish, rest.encode("utf-8"), backup=False)
            removed.append(publish)
    for old in sorted(base.glob(f"{NAME}_*")) if base.is_dir() else []:
        if old.is_dir() and (old / "main.js").is_file() and (old / "ribbon.xml").is_file():
            shutil.rmtree(old)
            removed.append(old)
    auto = autostart_file()
    if auto.is_file():
        auto.unlink()
        removed.append(auto)
    if record_path.is_file():
        record_path.unlink()
    for folder in sorted(record.get("created", []), key=len, reverse=True):  # deepest first, only if empty
        try:
            Path(folder).rmdir()
        except OSError:
            pass
    return removed


def describe(done: Installed) -> str:
    return (f"已为 WPS 表格安装插件：{done.folder}\n已登记在 {done.publish}\n"
            f"本机服务（nianbao ui --serve）将在登录后自动启动：{done.autostart}\n"
            "请现在运行一次 nianbao ui --serve（或重新登录），然后重新打开 WPS 表格，功能区会出现“政务公开年报”选项卡。")
