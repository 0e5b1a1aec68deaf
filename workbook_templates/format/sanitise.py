"""The one text sanitiser: what may reach a .docx, an .html page, a workbook cell, a file name.

- ``xml_text(s)``: text every XML part accepts (Word, Excel, HTML): C0 controls other than tab and
  line breaks, DEL, lone surrogates and the non-characters U+FFFE/U+FFFF removed.
- ``clean(obj)``: the same for every string in report data (nested dicts and lists), for renderers.
- ``core_property(s)``: a .docx core property (title, author): one line, at most 255 characters.
- ``file_stem(name)``: a file name from an agency's or unit's name: no folders, nothing Windows
  forbids (incl. the reserved device names CON … LPT9, CONIN$, CONOUT$), no invisible format
  characters (U+202E right-to-left override could make ``…exe.docx`` show as ``…xcod.exe``), not
  too long for Windows paths.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_FORBIDDEN_IN_NAMES = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$",
                     *(f"{d}{i}" for d in ("COM", "LPT") for i in (*"123456789", "¹", "²", "³"))}
CORE_PROPERTY_MAX = 255  # python-docx (and Word) refuse longer core properties
FILE_STEM_MAX = 80  # characters; a deep folder on Windows still stays under MAX_PATH


def xml_text(text: str) -> str:
    """``text`` without the characters no XML 1.0 document may hold."""
    return _NOT_XML.sub("", text)


def clean(obj: Any) -> Any:
    """A copy of report data (or any JSON-like value) with every string passed through xml_text."""
    if isinstance(obj, str):
        return xml_text(obj)
    if isinstance(obj, dict):
        return {k: clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    return obj


def core_property(text: str) -> str:
    """A document property: one line, XML-safe, at most 255 characters (cut with an ellipsis)."""
    s = " ".join(xml_text(text).split())
    return s if len(s) <= CORE_PROPERTY_MAX else s[: CORE_PROPERTY_MAX - 1] + "…"


def _visible(ch: str) -> bool:
    return unicodedata.category(ch) not in ("Cf", "Cc", "Co", "Cs", "Cn", "Zl", "Zp")


def file_stem(name: str, fallback: str = "单位") -> str:
    """A safe file name (without suffix) made from a name people typed."""
    s = unicodedata.normalize("NFKC", name)
    s = "".join(ch for ch in s if _visible(ch))
    s = _FORBIDDEN_IN_NAMES.sub("_", s).replace("..", "_")
    s = s.strip(" .") or fallback
    if s.split(".")[0].strip(" ").upper() in _WINDOWS_RESERVED:
        s = "_" + s
    return s[:FILE_STEM_MAX].rstrip(" .") or fallback
