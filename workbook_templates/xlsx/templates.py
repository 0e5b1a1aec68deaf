"""The blank template workbooks committed in this folder, and how to rebuild and check them.

``nianbao templates --out workbook_templates`` rebuilds them from the format schema;
``--check`` tells whether the committed files still equal a fresh build in content: every part
of the package, XML parts compared in canonical form (openpyxl serialises differently with and
without lxml installed), without the save time that openpyxl stamps into docProps/core.xml.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree.ElementTree import canonicalize

from nianbao.workbook_templates.format.schema import EDITIONS, Edition

if TYPE_CHECKING:
    from nianbao.workbook_templates.xlsx.safe_write import Written

HERE = Path(__file__).resolve().parents[1]  # the workbook_templates folder: the bundled templates


def file_name(edition: Edition) -> str:
    return f"nianbao-{edition.key}.xlsx"


def bundled(edition: Edition) -> Path:
    """The committed blank template of ``edition`` (installed with the package)."""
    return HERE / file_name(edition)


def build_all(out: Path) -> list[Written]:
    from nianbao.workbook_templates.xlsx.builder import build
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic
    from nianbao.workbook_templates.xlsx.utf8_save import saver

    return [write_atomic(out / file_name(edition), saver(build(edition).workbook)) for edition in EDITIONS.values()]


def _canonical(name: str, raw: bytes) -> bytes:
    from nianbao.workbook_templates.xlsx.safe_write import SAVE_STAMPS  # (``bundled``, which validate asks, needs it not)

    raw = SAVE_STAMPS.sub(b"", raw)
    if name.endswith((".xml", ".rels")):
        return canonicalize(raw.decode("utf-8")).encode("utf-8")
    return raw


def package_content(path: Path) -> dict[str, bytes]:
    """Every part of an .xlsx in canonical form, with the save timestamps blanked."""
    with zipfile.ZipFile(path) as z:
        return {n: _canonical(n, z.read(n)) for n in sorted(z.namelist())}


def differences(a: Path, b: Path) -> list[str]:
    """Names of the package parts in which two workbooks differ (empty: same content)."""
    pa, pb = package_content(a), package_content(b)
    return sorted(n for n in pa.keys() | pb.keys() if pa.get(n) != pb.get(n))
