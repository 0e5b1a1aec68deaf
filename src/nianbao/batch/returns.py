"""What came back: one returned file read and checked (in a worker process), packed small.

A worker reads the workbook, validates it and hands the parent only what collect needs — the
unit's meta, the summed figures as a tuple, the counts and messages of its findings, the file's
hash — so memory and pickling stay small over a thousand returns."""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nianbao.addin.consolidate import summed_paths
from nianbao.workbook_templates.format import figures as NF
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import NianbaoError
from nianbao.workbook_templates.format.report_data import get_path, set_path

RETURNED = (".xlsx", ".xlsm", ".xls", ".xlsb", ".et", ".ods")
DASHBOARD = "汇总情况"  # the first sheet of a SUMMARY.xlsx: a return that has it is a summary
# The dashboard's figures, by their names in the catalogue of named figures.
KEY_FIGURES = (NF.NEW, NF.HANDLED, NF.CARRIED_FORWARD, NF.REVIEW, NF.LITIGATION)


@dataclass(frozen=True)
class Message:
    """One finding of a return, as the unit's feedback and the dashboard say it."""

    severity: str  # error | warning
    rule: str
    text: str

    def __str__(self) -> str:
        return f"【{'错误' if self.severity == 'error' else '警告'} {self.rule}】{self.text}"


@dataclass
class Returned:
    """What one worker learned from one file."""

    path: str
    mtime: float
    sha256: str = ""
    data: dict[str, Any] | None = None  # meta + the summed figures packed as a tuple ("figures")
    error: str | None = None  # the file could not be read: why, in Chinese
    messages: list[Message] = field(default_factory=list)
    key: tuple[Any, ...] = ()  # KEY_FIGURES of this return
    is_summary: bool = False  # a SUMMARY.xlsx written by nianbao collect (a district's sum)
    untouched: bool = False  # every figure still blank: the template came back unfilled

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def errors(self) -> int:
        return sum(1 for m in self.messages if m.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for m in self.messages if m.severity == "warning")

    def meta(self, key: str) -> Any:
        return get_path(self.data, f"meta.{key}") if self.data else None

    def figures(self) -> dict[str, Any]:
        """The packed figures as report data again (for summing and comparing)."""
        assert self.data is not None
        return unpack(self.data)


def unpack(data: dict[str, Any]) -> dict[str, Any]:
    edition = S.get_edition(data["edition"])
    out: dict[str, Any] = {"edition": data["edition"], "meta": data["meta"]}
    for path, value in zip(summed_paths(edition), data["figures"]):
        set_path(out, path, value)
    return out


def file_hash(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def _is_summary(path: str) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return f'name="{DASHBOARD}"'.encode() in z.read("xl/workbook.xml")
    except (KeyError, OSError, zipfile.BadZipFile, RuntimeError, ValueError, NotImplementedError):
        return False


def read_one(path: str) -> Returned:
    """Read and validate one returned file (runs in a worker process)."""
    from nianbao.addin.checks.registry import CATALOGUE, PROSE
    from nianbao.addin.checks.validate import validate
    from nianbao.workbook_templates.xlsx.reader import read_workbook

    r = Returned(path, os.path.getmtime(path))
    try:
        r.sha256 = file_hash(path)
        data = read_workbook(path).data
    except NianbaoError as e:
        r.error = e.zh
        return r
    except Exception as e:  # a defect must not end a run over hundreds of files
        r.error = f"读取时出错：{type(e).__name__}"
        return r
    r.is_summary = _is_summary(path)
    paths = summed_paths(S.get_edition(data["edition"]))
    figures = tuple(get_path(data, p) for p in paths)
    r.untouched = all(v is None for v in figures)
    r.data = {"edition": data["edition"], "meta": data["meta"], "figures": figures}
    r.key = tuple(NF.value(data, name) for name in KEY_FIGURES)
    if r.untouched:
        return r
    for f in validate(data, r.name).findings:
        if f.severity not in ("error", "warning"):
            continue
        if r.is_summary and CATALOGUE[f.rule].family == PROSE:
            continue  # a summary holds the tables only; its prose is written by whoever publishes it
        r.messages.append(Message(f.severity, f.rule, f.message))
    return r


def read_all(files: list[Path], progress: Callable[[], None] | None = None) -> list[Returned]:
    paths = [str(p) for p in files]
    out: list[Returned] = []
    if len(paths) > 8 and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor() as pool:
            for r in pool.map(read_one, paths, chunksize=max(1, len(paths) // ((os.cpu_count() or 1) * 8))):
                out.append(r)
                if progress:
                    progress()
    else:
        for p in paths:
            out.append(read_one(p))
            if progress:
                progress()
    return out


def year_of(returns: list[Returned]) -> int | None:
    years = [y for r in returns if isinstance(y := r.meta("year"), int)]
    return max(set(years), key=years.count) if years else None
