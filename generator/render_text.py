"""Blocks → Markdown (.md) and plain text (.txt)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from nianbao.workbook_templates import schema as S
from nianbao.workbook_templates import table_layout as L

from .tables import flatten
from .text import Block

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md(text: str) -> str:
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return "\\" + text if text[:1] in "#+-=>" or re.match(r"^\d+\.\s", text) else text


def markdown(blocks: list[Block], data: Mapping[str, Any], *, chart_alt: str = "") -> str:
    edition = S.get_edition(data["edition"])
    grids = {g.name: g for g in L.grids(edition)}
    out: list[str] = []
    for b in blocks:
        if b.kind == "title":
            out.append("# " + _md(b.text.replace("\n", "")))
        elif b.kind == "h1":
            out.append("## " + _md(b.text))
        elif b.kind == "h2":
            out.append("### " + _md(b.text))
        elif b.kind == "p":
            out.append(_md(b.text))
        elif b.kind == "figure" and chart_alt:
            out.append(f"*{_md(chart_alt)}*")
        elif b.kind == "table" and b.text in grids:
            for t in flatten(grids[b.text], edition, data):
                lines = []
                if t.caption:
                    lines.append(f"**{_md(t.caption)}**\n")
                lines.append("| " + " | ".join(_md(h) for h in t.header) + " |")
                lines.append("|" + "---|" * len(t.header))
                lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in t.rows]
                out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def plain(blocks: list[Block], data: Mapping[str, Any], *, chart_alt: str = "") -> str:
    edition = S.get_edition(data["edition"])
    grids = {g.name: g for g in L.grids(edition)}
    out: list[str] = []
    for b in blocks:
        if b.kind == "title":
            out.append(b.text.replace("\n", ""))
        elif b.kind in ("h1", "h2"):
            out.append(b.text)
        elif b.kind == "p":
            out.append("\u3000\u3000" + b.text)
        elif b.kind == "figure" and chart_alt:
            out.append(chart_alt)
        elif b.kind == "table" and b.text in grids:
            for t in flatten(grids[b.text], edition, data):
                lines = ([t.caption] if t.caption else []) + ["\t".join(t.header)] + ["\t".join(r) for r in t.rows]
                out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"
