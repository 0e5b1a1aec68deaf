"""openpyxl's save, with the text of every part in UTF-8 as Excel and WPS write it.

openpyxl writes its worksheets through lxml's incremental writer, which spells every character
outside ASCII as a reference: 政府 as ``&#25919;&#24220;``, eight bytes for each Chinese character
instead of three.  A template's sheets are then a third larger than the same sheets saved by
Excel, and slower for every reader (expat, python-calamine, Excel itself) and for nianbao's
(a text cell with references goes through libxml2, plain UTF-8 is only decoded).  ``save``
writes the same package with such parts re-serialised in UTF-8 — the same XML document (what
``templates.differences`` compares, in canonical form, is unchanged), only spelled as Excel does.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any, BinaryIO

from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def utf8_part(raw: bytes) -> bytes:
    """An XML part with its character references written as UTF-8 — unchanged when it has none, or
    when it is anything but one plain element (a DTD, a comment or processing instruction outside
    the root, a part that does not parse): openpyxl writes none of those, and nothing is dropped."""
    if b"&#" not in raw or b"<!DOCTYPE" in raw:
        return raw
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError:
        return raw
    if root.getprevious() is not None or root.getnext() is not None:
        return raw
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def save(workbook: Any, fh: BinaryIO) -> None:
    """``workbook.save(fh)`` (an openpyxl Workbook), every XML part in UTF-8."""
    buf = io.BytesIO()
    workbook.save(buf)
    buf.seek(0)
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            raw = zin.read(info)
            zout.writestr(info, utf8_part(raw) if info.filename.endswith((".xml", ".rels")) else raw)


def saver(workbook: Any):
    """``save`` of ``workbook`` as a function of the file alone (what ``safe_write.write_atomic`` takes)."""
    return lambda fh: save(workbook, fh)
