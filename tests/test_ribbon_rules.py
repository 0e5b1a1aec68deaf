"""The ribbon checked as Excel checks it — the [MS-CUSTOMUI] rules that make Excel drop the whole
tab (ids, attribute values), callbacks that must exist in the VBA, icons from a list of attested
ids — and the patched VBA module compared with its exact expected source and checked the way the
VBA compiler would refuse it (unknown types, unbalanced parentheses or blocks).

Each check is a function returning problems; ``test_each_known_breakage_is_caught`` feeds it the
five breakages that once passed the whole suite, so these tests are shown to fail on them."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from test_addin_xlam import vba_modules

from nianbao.addin.excel import build_xlam as B
from nianbao.addin.excel.ribbon_images import KNOWN_GOOD

UI = "{http://schemas.microsoft.com/office/2006/01/customui}"
NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")  # XML NCName (ASCII subset: no colon, no space)
# [MS-CUSTOMUI] 2006/01, the elements and attributes this ribbon uses, with their value types
ELEMENTS: dict[str, set[str]] = {
    "customUI": {"onLoad", "loadImage"},
    "ribbon": {"startFromScratch"},
    "tabs": set(),
    "tab": {"id", "idMso", "idQ", "label", "keytip", "visible", "insertAfterMso", "insertBeforeMso"},
    "group": {"id", "idMso", "idQ", "label", "keytip", "visible", "imageMso", "screentip", "supertip"},
    "button": {"id", "idMso", "idQ", "label", "size", "imageMso", "screentip", "supertip", "tag", "onAction",
               "keytip", "enabled", "visible", "showLabel", "showImage", "description"},
}
ENUMS = {"size": {"normal", "large"}}
BOOLEANS = {"startFromScratch", "visible", "enabled", "showLabel", "showImage"}
BOOLEAN_VALUES = {"true", "false", "1", "0"}
STRING_MAX = 1024  # ST_String and the like
IDS = {"id", "idQ"}


def ribbon_problems(xml: bytes, vba: dict[str, str]) -> list[str]:
    problems: list[str] = []
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as e:
        return [f"not well-formed: {e}"]
    if root.tag != f"{UI}customUI":
        problems.append(f"root is {root.tag}, not customUI in the 2006/01 namespace")
    seen: set[str] = set()
    for el in root.iter():
        if not el.tag.startswith(UI):
            problems.append(f"element {el.tag} outside the customUI namespace")
            continue
        name = el.tag[len(UI):]
        if name not in ELEMENTS:
            problems.append(f"element {name} is not used by this ribbon's schema subset")
            continue
        for attr, value in el.attrib.items():
            if attr not in ELEMENTS[name]:
                problems.append(f"{name}: attribute {attr} is not allowed")
            if attr in IDS:
                if not NCNAME.match(value):
                    problems.append(f"{name}: id {value!r} is not an NCName")
                if value in seen:
                    problems.append(f"{name}: id {value!r} is not unique")
                seen.add(value)
            if attr in ENUMS and value not in ENUMS[attr]:
                problems.append(f"{name}: {attr}={value!r} is not one of {sorted(ENUMS[attr])}")
            if attr in BOOLEANS and value not in BOOLEAN_VALUES:
                problems.append(f"{name}: {attr}={value!r} is not a boolean")
            if len(value) > STRING_MAX or (attr in ("label",) and not value):
                problems.append(f"{name}: {attr} is empty or longer than {STRING_MAX}")
            if attr == "imageMso" and value not in KNOWN_GOOD:
                problems.append(f"{name}: imageMso {value!r} is not in ribbon_images.KNOWN_GOOD")
            if attr == "onAction":
                module, _, sub = value.rpartition(".")
                if not re.search(rf"^Sub {re.escape(sub)}\(control As IRibbonControl\)\s*$", vba.get(module, ""), re.M):
                    problems.append(f"{name}: callback {value} is not a Sub(control As IRibbonControl) in the VBA")
        if name == "button" and el.get("onAction", "").endswith(".RunTag"):
            tag = el.get("tag") or ""
            if not re.fullmatch(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+", tag):
                problems.append(f"button {el.get('id')}: tag {tag!r} is not package.module.function")
    return problems


VBA_TYPES = {"String", "Long", "Integer", "Boolean", "Object", "Variant", "Double", "IRibbonControl",
             "Workbook", "Worksheet", "Range"}
BLOCKS = [(r"^\s*(Public |Private )?Sub ", r"^\s*End Sub\b"), (r"^\s*(Public |Private )?Function ", r"^\s*End Function\b"),
          (r"^\s*If .* Then\s*$", r"^\s*End If\b"), (r"^\s*For ", r"^\s*Next\b")]


def vba_problems(source: str) -> list[str]:
    """What the VBA compiler would refuse in our module (a subset that matters: it compiles the
    source when the project is loaded, p-code being absent)."""
    problems: list[str] = []
    lines = source.replace("\r\n", "\n").split("\n")
    for n, line in enumerate(lines, 1):
        code = re.sub(r'"[^"]*"', '""', line)
        if code.count('"') % 2:
            problems.append(f"line {n}: unbalanced quotes")
        code = code.split("'", 1)[0]
        if code.count("(") != code.count(")"):
            problems.append(f"line {n}: unbalanced parentheses: {line.strip()}")
        for t in re.findall(r"\bAs\s+(\w+)", code):
            if t not in VBA_TYPES:
                problems.append(f"line {n}: unknown type {t}")
    for opening, closing in BLOCKS:
        opened = sum(1 for l in lines if re.search(opening, l.split("'", 1)[0]))
        closed = sum(1 for l in lines if re.search(closing, l.split("'", 1)[0]))
        if opened != closed:
            problems.append(f"{opening!r} opened {opened} times, closed {closed}")
    return problems


def committed_ui() -> bytes:
    with zipfile.ZipFile(B.XLAM) as z:
        return z.read("customUI/customUI.xml")


def test_the_ribbon_follows_the_rules():
    assert ribbon_problems(committed_ui(), vba_modules(B.XLAM)) == []
    assert committed_ui() == B.CUSTOM_UI.read_bytes()


def test_the_patched_module_is_exactly_the_expected_source():
    ours, theirs = vba_modules(B.XLAM), vba_modules(B.template())
    def lf(text: str) -> str:
        return text.replace("\r\n", "\n")

    assert lf(ours["RibbonMyAddin"]).rstrip() == lf(B.expected_module(lf(theirs["RibbonMyAddin"]))).rstrip()
    assert vba_problems(ours["RibbonMyAddin"]) == []
    run_tag = ours["RibbonMyAddin"].split("Sub RunTag(", 1)[1].split("End Sub", 1)[0]
    guard = max(run_tag.index("ActiveProtectedViewWindow"), run_tag.index("ActiveWorkbook Is Nothing"))
    assert guard < run_tag.index('RunPython "import')  # checked in the VBA, before Python is started


def zh(codes: str) -> str:  # what the module's Zh function computes
    return "".join(chr(int(codes[i: i + 4], 16)) for i in range(0, len(codes), 5))


def test_the_vba_messages_are_the_chinese_ones():
    module = vba_modules(B.XLAM)["RibbonMyAddin"]
    texts = {zh(c) for c in re.findall(r'Zh\("([0-9A-F ]+)"\)', module)}
    assert texts == {B.TITLE, B.PROTECTED_VIEW, B.NO_WORKBOOK, B.RESTARTED}
    assert "请先点击“启用编辑”" in B.PROTECTED_VIEW


def test_python_is_given_the_active_workbook_not_the_addin():
    """RunPython passes ActiveWorkbook (the clicked book) in both paths, per click and persistent;
    a rebuild from another template (xlwings.bas passes ThisWorkbook = the add-in) would fail here."""
    xlwings_module = vba_modules(B.XLAM)["xlwings"]
    assert '" --wb=" & """" & ActiveWorkbook.Name & """' in xlwings_module
    assert 'XLPy.SetAttr XLPy.Module("xlwings._xlwindows"), "BOOK_CALLER", ActiveWorkbook' in xlwings_module
    assert 'GetConfig("USE UDF SERVER", False)' in xlwings_module
    assert "Sub KillPy()" in xlwings_module


def test_icons_attested_in_xlwings_own_files_are_there():
    import xlwings

    root = Path(xlwings.__file__).parent
    for image, where in KNOWN_GOOD.items():
        if "xlwings.xlam" in where:
            with zipfile.ZipFile(root / "addin" / "xlwings.xlam") as z:
                assert f'imageMso="{image}"'.encode() in z.read("customUI/customUI.xml")
        if "quickstart_addin_ribbon.xlam" in where:
            with zipfile.ZipFile(root / "quickstart_addin_ribbon.xlam") as z:
                assert f'imageMso="{image}"'.encode() in z.read("customUI/customUI.xml")


BREAKAGES = {
    "VBA type typo": ("vba", "Sub RunTag(control As IRibbonControl)", "Sub RunTag(control As IRibonControl)"),
    "missing parenthesis": ("vba", 'InStrRev(control.Tag, ".") - 1)', 'InStrRev(control.Tag, ".") - 1'),
    "invalid imageMso": ("ui", 'imageMso="AcceptInvitation"', 'imageMso="AcceptInvitations"'),
    "invalid size": ("ui", 'size="large"', 'size="big"'),
    "id with a space": ("ui", 'id="nianbaoValidate"', 'id="nianbao Validate"'),
}


@pytest.mark.parametrize("what", BREAKAGES)
def test_each_known_breakage_is_caught(what):
    where, old, new = BREAKAGES[what]
    vba = vba_modules(B.XLAM)
    ui = committed_ui().decode("utf-8")
    if where == "ui":
        assert old in ui
        assert ribbon_problems(ui.replace(old, new, 1).encode("utf-8"), vba)
    else:
        module = vba["RibbonMyAddin"]
        assert old in module
        broken = module.replace(old, new, 1)
        assert vba_problems(broken) or ribbon_problems(committed_ui(), {**vba, "RibbonMyAddin": broken})
