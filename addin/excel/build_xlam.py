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
RUN_TAG = (
    "Sub RunTag(control As IRibbonControl)\r\n"
    "    ' tag = \"package.module.function\": import package.module, then call package.module.function()\r\n"
    "    Dim m As String\r\n"
    "    m = Left(control.Tag, InStrRev(control.Tag, \".\") - 1)\r\n"
    "    RunPython \"import \" & m & \";\" & control.Tag & \"()\"\r\n"
    "End Sub\r\n"
)


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

    from nianbao.addin.excel.ovba import compress

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
        for pad in range(0, 400):
            new_source = (source.rstrip("\r\n") + "\r\n\r\n" + RUN_TAG + "'" + " " * pad + "\r\n").encode("latin-1")
            compressed = compress(new_source)
            offset = len(module_stream) - len(compressed)
            if offset < 0:
                raise BuildError("the new module source does not fit the module stream")
            struct.pack_into("<I", dir_data, at, offset)
            new_dir = compress(bytes(dir_data))
            if len(new_dir) == len(dir_stream):
                break
        else:
            raise BuildError("could not match the dir stream size")
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
