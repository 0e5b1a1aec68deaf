"""`nianbao addin install --wps` / `uninstall --wps` on a fake home directory, through the real
command line: the add-in folder, its one publish.xml entry (other add-ins kept byte for byte), the
autostart of the service; uninstall leaves everything as it was found."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import REPO, nianbao
from lxml import etree

from nianbao import __version__

OTHERS = ('<?xml version="1.0" encoding="UTF-8"?>\r\n<jsplugins>\r\n'
          '  <jsplugin name="EtOAAssist" type="et" url="http://oa.example/et/" version="1.2" enable="enable_dev" install="null"/>\r\n'
          '\t<jsplugin url="http://127.0.0.1:3889/" type="wps" enable="enable_dev" install="null" version="0.2.2" name="wps-zotero"/>\r\n'
          '  <!-- 单位统一下发 -->\r\n</jsplugins>\r\n').encode("utf-8")


def home_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "APPDATA")}
    env["HOME"] = str(home)
    return env


def snapshot(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def jsaddons(home: Path) -> Path:
    return home / ".local" / "share" / "Kingsoft" / "wps" / "jsaddons"


def ours(publish: bytes) -> list[str]:
    root = etree.fromstring(publish)
    return [e.get("name") for e in root if isinstance(e.tag, str)]


def test_install_keeps_other_addins_and_uninstall_restores_everything(tmp_path):
    home = tmp_path / "home"
    base = jsaddons(home)
    (base / "wps-zotero_0.2.2").mkdir(parents=True)
    (base / "wps-zotero_0.2.2" / "main.js").write_text("// theirs\n", encoding="utf-8")
    (base / "publish.xml").write_bytes(OTHERS)
    (home / ".config" / "autostart").mkdir(parents=True)
    (home / ".config" / "autostart" / "other.desktop").write_text("[Desktop Entry]\n", encoding="utf-8")
    before = snapshot(home)

    r = nianbao("addin", "install", "--wps", env=home_env(home))
    assert r.code == 0, r.err
    assert "已为 WPS 表格安装插件" in r.out + r.err and "政务公开年报" in r.out + r.err
    folder = base / f"nianbao_{__version__}"
    for name in ("ribbon.xml", "index.html", "main.js", "taskpane.html", "icons/validate.png"):
        assert (folder / name).is_file(), name
    assert str(home / ".config" / "nianbao" / "workbench.json") in (folder / "config.js").read_text(encoding="utf-8")
    publish = (base / "publish.xml").read_bytes()
    assert ours(publish) == ["EtOAAssist", "wps-zotero", "nianbao"]
    line = f'  <jsplugin name="nianbao" type="et" url="http://127.0.0.1:3889/" version="{__version__}" ' \
           'enable="enable_dev" install="null"/>\r\n'
    assert publish.replace(line.encode("utf-8"), b"") == OTHERS  # every other byte kept, CRLF followed
    desktop = (home / ".config" / "autostart" / "nianbao-workbench.desktop").read_text(encoding="utf-8")
    assert "-m nianbao ui --serve" in desktop and "Type=Application" in desktop
    assert (base / "wps-zotero_0.2.2" / "main.js").read_text(encoding="utf-8") == "// theirs\n"

    again = nianbao("addin", "install", "--wps", env=home_env(home))  # an update: never a second entry
    assert again.code == 0, again.err
    assert (base / "publish.xml").read_bytes() == publish

    r = nianbao("addin", "uninstall", "--wps", env=home_env(home))
    assert r.code == 0 and "已卸载" in r.out + r.err, r.err
    assert snapshot(home) == before


def test_on_a_fresh_home_uninstall_leaves_nothing(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    assert nianbao("addin", "install", "--wps", env=home_env(home)).code == 0
    publish = (jsaddons(home) / "publish.xml").read_bytes()
    assert ours(publish) == ["nianbao"]
    assert nianbao("addin", "uninstall", "--wps", env=home_env(home)).code == 0
    assert snapshot(home) == {}
    r = nianbao("addin", "uninstall", "--wps", env=home_env(home))
    assert r.code == 0 and "没有找到已安装的 WPS 插件" in r.out + r.err


def test_a_broken_publish_xml_is_refused_and_left_alone(tmp_path):
    home = tmp_path / "home"
    base = jsaddons(home)
    base.mkdir(parents=True)
    (base / "publish.xml").write_bytes(b'<jsplugins><jsplugin name="x"</jsplugins>')
    before = snapshot(home)
    r = nianbao("addin", "install", "--wps", env=home_env(home))
    assert r.code == 2 and "不是有效的 XML" in r.out + r.err and "Traceback" not in r.err
    assert snapshot(home) == before


def test_the_packaged_addin_is_complete():
    """setup.cfg's package data carries every file of the add-in (a wheel install works too)."""
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg", encoding="utf-8")
    patterns = cfg["options.package_data"]["nianbao.addin.wps"].split(", ")
    src = REPO / "addin" / "wps"
    shipped = {p for pat in patterns for p in src.glob(pat)}
    assert {p for p in (src / "jsaddon").rglob("*") if p.is_file()} == shipped
