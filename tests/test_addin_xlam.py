"""The .xlam, checked by independent readers: oletools, LibreOffice's VBA import, an XML parser,
openpyxl; its install step; the offline bundle."""

from __future__ import annotations

import configparser
import importlib
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
from conftest import REPO, nianbao

from nianbao.addin.excel.build_xlam import CUSTOM_UI, XLAM, XLWINGS_VERSION, build, template

UI_NS = "http://schemas.microsoft.com/office/2006/01/customui"


def vba_modules(xlam: Path) -> dict[str, str]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(xlam))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_committed_xlam_equals_a_fresh_build(tmp_path):
    assert build(tmp_path / "fresh.xlam").read_bytes() == XLAM.read_bytes()


def test_olevba_sees_runtag_and_everything_else_unchanged():
    ours, theirs = vba_modules(XLAM), vba_modules(template())
    assert set(ours) == set(theirs)
    assert "Sub RunTag(control As IRibbonControl)" in ours["RibbonMyAddin"]
    assert 'RunPython "import " & m & ";" & control.Tag & "()"' in ours["RibbonMyAddin"]
    assert "Sub RunMain(control As IRibbonControl)" in ours["RibbonMyAddin"]
    for name in set(ours) - {"RibbonMyAddin"}:
        assert ours[name] == theirs[name], name
    with zipfile.ZipFile(XLAM) as a, zipfile.ZipFile(template()) as b:
        changed = {n for n in a.namelist() if a.read(n) != b.read(n)}
    assert changed == {"customUI/customUI.xml", "xl/vbaProject.bin"}


def test_libreoffice_vba_import_sees_runtag(libreoffice, tmp_path):
    src = tmp_path / "nianbao.xlsm"
    shutil.copy(XLAM, src)
    import subprocess

    p = subprocess.run([libreoffice.exe, "--headless", "--norestore",
                        f"-env:UserInstallation={libreoffice.profile.as_uri()}",
                        "--infilter=Calc MS Excel 2007 VBA XML", "--convert-to", "ods", "--outdir", str(tmp_path),
                        str(src)], capture_output=True, text=True, timeout=180)
    out = tmp_path / "nianbao.ods"
    assert out.exists(), p.stderr
    with zipfile.ZipFile(out) as z:
        basic = {n: z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.startswith("Basic/")}
    module = next(v for k, v in basic.items() if k.endswith("/RibbonMyAddin.xml"))
    assert "Sub RunTag(control As IRibbonControl)" in module


def test_ribbon_xml_ids_callbacks_and_tags():
    root = ET.fromstring(CUSTOM_UI.read_bytes())
    assert root.tag == f"{{{UI_NS}}}customUI"
    tab = root.find(f".//{{{UI_NS}}}tab")
    assert tab.get("label") == "政务公开年报"
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    buttons = list(root.iter(f"{{{UI_NS}}}button"))
    assert [b.get("label") for b in buttons] == ["校验", "导入上年数据", "生成报告", "新建年报", "重启 Python"]
    ribbon_module = vba_modules(XLAM)["RibbonMyAddin"]
    for b in buttons:
        module_name, sub = b.get("onAction").split(".")
        assert module_name == "RibbonMyAddin" and f"Sub {sub}(control As IRibbonControl)" in ribbon_module
        assert b.get("imageMso")
        if sub != "RunTag":
            continue
        mod, func = b.get("tag").rsplit(".", 1)
        assert '"' not in b.get("tag")
        assert callable(getattr(importlib.import_module(mod), func))
    with zipfile.ZipFile(XLAM) as z:
        assert z.read("customUI/customUI.xml") == CUSTOM_UI.read_bytes()


XLAM_TYPE = b"application/vnd.ms-excel.addin.macroEnabled.main+xml"
XLSM_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def as_xlsm(xlam: Path, dst: Path) -> Path:
    """openpyxl refuses the add-in content type by name; the same parts as an .xlsm it reads."""
    with zipfile.ZipFile(xlam) as z, zipfile.ZipFile(dst, "w") as out:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == "[Content_Types].xml":
                assert XLAM_TYPE in data
                data = data.replace(XLAM_TYPE, XLSM_TYPE)
            out.writestr(info, data)
    return dst


def test_the_package_opens_in_openpyxl(tmp_path):
    wb = openpyxl.load_workbook(as_xlsm(XLAM, tmp_path / "nianbao.xlsm"), keep_vba=True)
    assert wb.sheetnames == ["_myaddin.conf"]
    assert wb["_myaddin.conf"]["A1"].value == "Interpreter_Win"


def test_xlwings_is_pinned_to_the_template_version():
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg", encoding="utf-8")
    extras = cfg["options.extras_require"]
    assert f"xlwings=={XLWINGS_VERSION}" in extras["addin"].split()
    assert f"xlwings=={XLWINGS_VERSION}" in extras["test"].split()


def test_install_bakes_in_the_interpreter(tmp_path):
    run = nianbao("addin", "install", "--dest", tmp_path, "--interpreter", r"C:\nianbao\venv\Scripts\pythonw.exe")
    assert run.code == 0, run.err
    installed = tmp_path / "nianbao.xlam"
    wb = openpyxl.load_workbook(as_xlsm(installed, tmp_path / "check.xlsm"), keep_vba=True)
    assert wb.sheetnames == ["myaddin.conf"]
    filled = [[c.value for c in row] for row in wb["myaddin.conf"].iter_rows() if any(c.value for c in row)]
    assert filled == [["Interpreter_Win", r"C:\nianbao\venv\Scripts\pythonw.exe"]]  # only the key we set
    assert vba_modules(installed) == vba_modules(XLAM)


def test_install_says_where_the_addin_cannot_run(tmp_path):
    run = nianbao("addin", "install")
    assert run.code == 2 and "WPS" in run.err and "命令行" in run.err


def test_offline_bundle(tmp_path):
    run = nianbao("addin", "bundle", "-o", tmp_path / "bundle")
    assert run.code == 0, run.err
    wheels = {p.name for p in (tmp_path / "bundle" / "wheels").iterdir()}
    assert any(w.startswith("nianbao-") for w in wheels)
    assert f"xlwings-{XLWINGS_VERSION}-cp311-cp311-win_amd64.whl" in wheels
    assert any(w.startswith("pywin32-") and "win_amd64" in w for w in wheels)
    assert not any("linux" in w or "manylinux" in w for w in wheels)
    bat = (tmp_path / "bundle" / "install.bat").read_text(encoding="utf-8")
    assert "--no-index" in bat and "addin install" in bat


def test_install_persistent_python_and_fast_clicks(tmp_path):
    """--persistent lists USE UDF SERVER (xlwings' COM server); the .pth written into the add-in's
    Python keeps matplotlib out of `import xlwings` (the first thing every click runs), and the
    generator still gets it."""
    import subprocess
    import sys

    from nianbao.addin.excel.install import install

    site = tmp_path / "site"
    site.mkdir()
    installed = install(tmp_path, r"C:\nianbao\venv\Scripts\pythonw.exe", persistent=True, site_packages=site)
    wb = openpyxl.load_workbook(as_xlsm(installed, tmp_path / "check.xlsm"), keep_vba=True)
    filled = [[c.value for c in row] for row in wb["myaddin.conf"].iter_rows() if any(c.value for c in row)]
    assert filled == [["Interpreter_Win", r"C:\nianbao\venv\Scripts\pythonw.exe"], ["USE UDF SERVER", "True"]]
    code = ("import site, sys; site.addsitedir(sys.argv[1]); import xlwings.utils, xlwings; "
            "print('matplotlib' in sys.modules); import matplotlib.pyplot; print('matplotlib' in sys.modules)")
    for pth, expected in ((True, "False\nTrue"), (False, "True\nTrue")):
        if not pth:
            (site / "nianbao_fast_clicks.pth").unlink()
        out = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True, text=True, check=True)
        assert out.stdout.split() == expected.split()
