"""Blocks → Markdown (.md) and plain text (.txt)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format import table_layout as L

from nianbao.generator.tables import FlatTable, flatten
from nianbao.generator.text import Block

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md(text: str) -> str:
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return "\\" + text if text[:1] in "#+-=>" or re.match(r"^\d+\.\s", text) else text


def _render(blocks: list[Block], data: Mapping[str, Any], chart_alt: str, block: Callable[[str, str], str],
            table: Callable[[FlatTable], str]) -> str:
    """Walk the blocks once; ``block(kind, text)`` and ``table(flat)`` say how a format writes them."""
    edition = S.get_edition(data["edition"])
    grids = {g.name: g for g in L.grids(edition)}
    out: list[str] = []
    for b in blocks:
        if b.kind == "table":
            if b.text in grids:
                out += [table(t) for t in flatten(grids[b.text], edition, data)]
        elif b.kind == "figure":
            if chart_alt:
                out.append(block("figure", chart_alt))
        else:
            out.append(block(b.kind, b.text.replace("\n", "") if b.kind == "title" else b.text))
    return "\n\n".join(out) + "\n"


_MD_PREFIX = {"title": "# ", "h1": "## ", "h2": "### ", "p": ""}


def _md_table(t: FlatTable) -> str:
    lines = [f"**{_md(t.caption)}**\n"] if t.caption else []
    lines.append("| " + " | ".join(_md(h) for h in t.header) + " |")
    lines.append("|" + "---|" * len(t.header))
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in t.rows]
    return "\n".join(lines)


def markdown(blocks: list[Block], data: Mapping[str, Any], *, chart_alt: str = "") -> str:
    return _render(blocks, data, chart_alt,
                   lambda kind, text: f"*{_md(text)}*" if kind == "figure" else _MD_PREFIX[kind] + _md(text),
                   _md_table)


def plain(blocks: list[Block], data: Mapping[str, Any], *, chart_alt: str = "") -> str:
    return _render(blocks, data, chart_alt,
                   lambda kind, text: "\u3000\u3000" + text if kind == "p" else text,
                   lambda t: "\n".join(([t.caption] if t.caption else []) + ["\t".join(t.header)]
                                       + ["\t".join(r) for r in t.rows]))
