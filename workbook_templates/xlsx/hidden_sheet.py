"""Layout of the template's hidden sheet that is shared by every writer of it.

Last year's report data (``previous``) is stored as compact JSON split over the cells of one
column (a cell holds at most 32767 characters), and the defined name ``previous`` spans them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

PREVIOUS_COLUMN = "D"
PREVIOUS_CHUNK = 30000  # characters per cell (Excel allows 32767)


def previous_chunks(previous: Mapping[str, Any]) -> list[str]:
    text = json.dumps(previous, ensure_ascii=False, separators=(",", ":"))
    return [text[i: i + PREVIOUS_CHUNK] for i in range(0, len(text), PREVIOUS_CHUNK)] or [""]


def previous_refs(count: int) -> list[str]:
    return [f"{PREVIOUS_COLUMN}{i}" for i in range(1, count + 1)]


def span(refs: list[str]) -> str:
    return refs[0] if len(refs) == 1 else f"{refs[0]}:{refs[-1]}"


def previous_writes(previous: Mapping[str, Any], old_range: str | None) -> tuple[dict[str, str | None], str]:
    """The cells to write for ``previous`` (chunks, and None for chunks of an older, longer value
    in ``old_range``) and the range the name ``previous`` then spans."""
    from nianbao.workbook_templates.xlsx.cellrefs import expand

    chunks = previous_chunks(previous)
    refs = previous_refs(len(chunks))
    writes: dict[str, str | None] = dict(zip(refs, chunks))
    for ref in expand(old_range) if old_range else []:
        writes.setdefault(ref, None)
    return writes, span(refs)
