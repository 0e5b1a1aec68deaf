"""User-facing errors: each has a Chinese message, an English one, and an exit code.

Commands catch ``NianbaoError`` at the shell and print ``str(error)``; nothing below the shell
prints or exits.  Each class of bad input has its own subclass so that callers and tests can
tell them apart.
"""

from __future__ import annotations


class NianbaoError(Exception):
    """An error the user can act on."""

    exit_code = 2

    def __init__(self, zh: str, en: str, *, details: list[str] | None = None) -> None:
        super().__init__(zh)
        self.zh = zh
        self.en = en
        self.details = list(details or [])

    def __str__(self) -> str:
        lines = [f"错误：{self.zh}"]
        lines += [f"  - {d}" for d in self.details[:50]]
        if len(self.details) > 50:
            lines.append(f"  …… 另有 {len(self.details) - 50} 处")
        lines.append(f"Error: {self.en}")
        return "\n".join(lines)


class UnreadableFile(NianbaoError):
    """The input cannot be read at all (missing, not a file, permission)."""


class NotXlsx(UnreadableFile):
    """Not an Office Open XML workbook."""


class OldFormat(UnreadableFile):
    """.xls / .et / .ods / .xlsb: must be saved as .xlsx first."""


class Encrypted(UnreadableFile):
    """A workbook with an open password."""


class CorruptWorkbook(UnreadableFile):
    """A zip that is broken or lacks the parts of a workbook."""


class NotOurWorkbook(UnreadableFile):
    """A valid workbook that is not a nianbao template (names or sheets missing)."""


class DataError(NianbaoError):
    """Report data (JSON) that does not fit the shape."""


class OutputError(NianbaoError):
    """The output cannot be written (exists, folder missing, not permitted)."""
