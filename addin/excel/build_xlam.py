"""Build addin/nianbao.xlam from the add-in template inside the installed xlwings package.

One generic ribbon callback, ``RunTag``, is added to the template's ``RibbonMyAddin`` module; each
button's ``tag`` names the Python function it runs (``nianbao.addin.excel.ribbon.validate``), so the
ribbon is driven entirely by customUI.xml and the VBA never changes again.  (The alternative, one
unmodified add-in per button, would mean four add-ins to install and trust.)

The module source is written compressed (MS-OVBA) with the p-code cache zeroed: the template's
``_VBA_PROJECT`` version 0xFFFF makes Excel compile from source, as every xlwings release does.
Both streams keep their sizes (olefile rewrites streams in place): the source is padded until the
recompressed ``dir`` stream is exactly as long as before.  Everything else is copied byte for byte.
"""

from __future__ import annotations

import io
import struct
import tempfile
import zipfile
from pathlib import Path

XLWINGS_VERSION = "0.37.8"  # the template this add-in is built from; users install this version
HERE = Path(__file__).resolve().parent
XLAM = HERE / "nianbao.xlam"
CUSTOM_UI = HERE / "customUI.xml"
MODULE = "RibbonMyAddin"
TITLE = "政务公开年报"
PROTECTED_VIEW = "请先点击“启用编辑”，再点按钮。"
NO_WORKBOOK = "请先打开年报工作簿，再点按钮。"
RESTARTED = "已停止常驻的 Python；下次点击按钮时载入新版本。"


def zh(text: str) -> str:
    """Chinese text for the VBA source, which is stored in code page 1252: UTF-16 code units in hex."""
    return " ".join(f"{ord(ch):04X}" for ch in text)


# Added to the template's RibbonMyAddin module (after its RunMain).  RunTag checks for a workbook
# and for Protected View *before* RunPython, which would otherwise fail with VBA error 91.
ADDED_VBA = (
    "Sub RunTag(control As IRibbonControl)\r\n"
    "    ' tag = \"package.module.function\": import package.module, then call package.module.function()\r\n"
    "    ' Checked before RunPython: with no workbook, or in Protected View, RunPython fails with error 91.\r\n"
    "    Dim pv As Object, m As String\r\n"
    "    On Error Resume Next\r\n"
    "    Set pv = Application.ActiveProtectedViewWindow\r\n"
    "    On Error GoTo 0\r\n"
    "    If Not pv Is Nothing Then\r\n"
    f"        MsgBox Zh(\"{zh(PROTECTED_VIEW)}\"), vbExclamation, Zh(\"{zh(TITLE)}\")\r\n"
    "    ElseIf ActiveWorkbook Is Nothing Then\r\n"
    f"        MsgBox Zh(\"{zh(NO_WORKBOOK)}\"), vbExclamation, Zh(\"{zh(TITLE)}\")\r\n"
    "    Else\r\n"
    "        m = Left(control.Tag, InStrRev(control.Tag, \".\") - 1)\r\n"
    "        RunPython \"import \" & m & \";\" & control.Tag & \"()\"\r\n"
    "    End If\r\n"
    "End Sub\r\n"
    "\r\n"
    "Sub RestartPython(control As IRibbonControl)\r\n"
    "    ' The persistent Python (USE UDF SERVER) keeps the old code loaded: stop it; the next click starts a new one.\r\n"
    "    KillPy\r\n"
    f"    MsgBox Zh(\"{zh(RESTARTED)}\"), vbInformation, Zh(\"{zh(TITLE)}\")\r\n"
    "End Sub\r\n"
    "\r\n"
    "Function Zh(codes As String) As String\r\n"
    "    ' Chinese text from UTF-16 code units in hex (the module source is stored in code page 1252)\r\n"
    "    Dim i As Long\r\n"
    "    For i = 1 To Len(codes) Step 5\r\n"
    "        Zh = Zh & ChrW(CLng(\"&H\" & Mid(codes, i, 4)))\r\n"
    "    Next i\r\n"
    "End Function\r\n"
)
RUN_TAG = ADDED_VBA  # the name older code used


PAD = 0  # spaces of the closing comment line (kept from builds that padded the source)


def expected_module(template_source: str, pad: int = PAD) -> str:
    """The exact source of the patched module: the template's, then ours, then a comment line."""
    return template_source.rstrip("\r\n") + "\r\n\r\n" + ADDED_VBA + "'" + " " * pad + "\r\n"


class BuildError(RuntimeError):
    pass


def template() -> Path:
    import xlwings

    if xlwings.__version__ != XLWINGS_VERSION:
        raise BuildError(f"the add-in is built from xlwings {XLWINGS_VERSION}; installed is {xlwings.__version__}")
    return Path(xlwings.__file__).resolve().parent / "quickstart_addin_ribbon.xlam"


def _dir_records(dir_data: bytes) -> list[tuple[int, int, int]]:
    """(record id, data offset, data size) of the decompressed dir stream."""
    out, i = [], 0
    while i < len(dir_data):
        rid, size = struct.unpack_from("<HI", dir_data, i)
        if rid == 0x0009:  # PROJECTVERSION: Reserved(4) is followed by 6 bytes of version
            out.append((rid, i + 6, 6))
            i += 12
            continue
        out.append((rid, i + 6, size))
        i += 6 + size
    return out


def _module_offset_position(dir_data: bytes, module: str) -> int:
    current = None
    for rid, pos, size in _dir_records(dir_data):
        if rid == 0x0019:
            current = dir_data[pos: pos + size].decode("latin-1")
        elif rid == 0x0031 and current == module:
            return pos
    raise BuildError(f"module {module} not found in the VBA dir stream")


def patch_vba(vba: bytes) -> bytes:
    """The template's vbaProject.bin with RunTag added to RibbonMyAddin."""
    import olefile
    from oletools.olevba import decompress_stream

    from nianbao.addin.excel.ovba import compress, compress_to

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vbaProject.bin"
        path.write_bytes(vba)
        ole = olefile.OleFileIO(str(path))
        module_stream = ole.openstream(f"VBA/{MODULE}").read()
        dir_stream = ole.openstream("VBA/dir").read()
        ole.close()
        dir_data = bytearray(decompress_stream(bytearray(dir_stream)))
        at = _module_offset_position(bytes(dir_data), MODULE)
        old_offset = struct.unpack_from("<I", dir_data, at)[0]
        source = bytes(decompress_stream(bytearray(module_stream[old_offset:]))).decode("latin-1")
        if "Sub RunTag(" in source:
            raise BuildError("the template already has RunTag")
        new_source = expected_module(source, PAD).encode("latin-1")
        compressed = compress(new_source)
        offset = len(module_stream) - len(compressed)
        if offset < 0:
            raise BuildError("the new module source does not fit the module stream")
        struct.pack_into("<I", dir_data, at, offset)
        new_dir = compress_to(bytes(dir_data), len(dir_stream))
        if new_dir is None:
            raise BuildError("could not compress the dir stream to its old size")
        ole = olefile.OleFileIO(str(path), write_mode=True)
        ole.write_stream(f"VBA/{MODULE}", b"\x00" * offset + compressed)
        ole.write_stream("VBA/dir", new_dir)
        ole.close()
        return path.read_bytes()


def build(target: Path = XLAM) -> Path:
    """Write the .xlam: the template with our ribbon and the patched VBA (atomically)."""
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic

    src = template()
    ui = CUSTOM_UI.read_bytes()
    with zipfile.ZipFile(src) as z:
        infos = z.infolist()
        parts = {i.filename: z.read(i) for i in infos}
    parts["customUI/customUI.xml"] = ui
    parts["xl/vbaProject.bin"] = patch_vba(parts["xl/vbaProject.bin"])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for info in infos:
            z.writestr(info, parts[info.filename], compress_type=info.compress_type)
    write_atomic(target, buf.getvalue(), backup=False)
    return target
