"""Distributed copies made fast: build the template once (openpyxl), then for every unit clone its
package and patch only the few cells that differ — the unit's meta on the cover, its hidden id,
上年结转 and last year's report on the hidden sheet — with the surgical editor.  Every other part
is copied as it is, so a copy is the same workbook openpyxl would write, at a fraction of the cost."""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import empty_report, flat_values
from nianbao.workbook_templates.xlsx.edit import PackageEditor
from nianbao.workbook_templates.xlsx.safe_write import Written
from nianbao.workbook_templates.xlsx.hidden_sheet import previous_chunks, previous_refs, span

_BASES: dict[str, tuple[PackageEditor, dict[str, tuple[str, str]]]] = {}


def base(edition: S.Edition) -> tuple[PackageEditor, dict[str, tuple[str, str]]]:
    """The blank distributed copy of an edition (identity cells locked) and where each path sits."""
    if edition.key not in _BASES:
        from nianbao.workbook_templates.xlsx.writer import write_workbook

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "base.xlsx"
            write_workbook(empty_report(edition), path, lock_meta=True)
            editor = PackageEditor(path)
        targets = {p: t for p in (*edition.entered_paths, S.NAME_PREVIOUS) if (t := editor.name_target(p))}
        _BASES[edition.key] = (editor, targets)
    return _BASES[edition.key]


def _cell_value(kind: S.Kind, value: Any) -> Any:
    if kind is S.Kind.AGENCY_KIND:
        return S.AGENCY_KINDS.get(value, value)
    return value


def write_copy(data: Mapping[str, Any], target: str | Path) -> Written:
    """Write ``data`` (meta and entered 上年结转 figures, ``previous``) as a distributed copy."""
    edition = S.get_edition(data["edition"])
    editor, targets = base(edition)
    clone = copy.copy(editor)
    clone._trees = {}
    values = flat_values(data, edition)
    for path in edition.entered_paths:
        value = values[path]
        if value is None:
            continue
        if edition.fields[path].kind is S.Kind.DATE:
            raise ValueError(f"a distributed copy does not pre-fill dates ({path})")
        sheet, ref = targets[path]
        clone.set_value(sheet, ref, _cell_value(edition.fields[path].kind, value))
    previous = data.get("previous")
    if previous is not None:
        sheet, _ = targets[S.NAME_PREVIOUS]
        refs = previous_refs(len(chunks := previous_chunks(previous)))
        for ref, chunk in zip(refs, chunks):
            clone.set_value(sheet, ref, chunk)
        clone.set_name(S.NAME_PREVIOUS, sheet, span(refs))
    return clone.save(target)
