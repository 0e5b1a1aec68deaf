"""Blocks → .html for the government website: one self-contained file (or a fragment with
inline styles for a CMS), the tables with accessible multi-level headers (scope + id/headers),
print CSS for A4 with page numbers.  Every piece of text is escaped."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from html import escape
from typing import Any

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format import table_layout as L

from nianbao.generator.figures import table_value
from nianbao.generator.text import Block

# One set of declarations per element kind: a <style> sheet for the file, style="" in a fragment.
STYLE: dict[str, str] = {
    "report": "max-width:48rem;margin:0 auto;padding:1rem;color:#000;line-height:1.9;"
              "font-family:\"宋体\",SimSun,\"Songti SC\",\"Noto Serif CJK SC\",serif;font-size:1rem",
    "title": "text-align:center;font-size:1.6rem;font-weight:bold;line-height:1.5;margin:1.5rem 0;"
             "font-family:\"方正小标宋简体\",\"小标宋\",\"宋体\",SimSun,\"Noto Serif CJK SC\",serif",
    "h1": "font-size:1.15rem;font-weight:bold;margin:1.2rem 0 .4rem;"
          "font-family:\"黑体\",SimHei,\"Noto Sans CJK SC\",sans-serif",
    "h2": "font-size:1.05rem;font-weight:normal;margin:.8rem 0 .3rem;text-indent:2em;"
          "font-family:\"楷体_GB2312\",\"楷体\",KaiTi,STKaiti,\"FandolKai\",serif",
    "p": "text-indent:2em;margin:.3rem 0;text-align:justify",
    "wrap": "overflow-x:auto;margin:.6rem 0 1rem",
    "table": "border-collapse:collapse;width:100%;table-layout:fixed;font-size:.8rem;line-height:1.4",
    "cell": "border:1px solid #000;padding:.15rem .2rem;text-align:center;vertical-align:middle;font-weight:normal",
    "rowhead": "border:1px solid #000;padding:.15rem .3rem;text-align:left;vertical-align:middle;font-weight:normal",
    "caption": "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)",
    "figure": "margin:1rem 0;text-align:center",
    "img": "max-width:100%;height:auto",
    "figcaption": "font-size:.85rem;color:#333",
}
PRINT_CSS = """
@media print {
  @page { size: A4; margin: 37mm 26mm 35mm 28mm; }
  @page :right { @bottom-right { content: "— " counter(page) " —"; font: 14pt "宋体", SimSun, serif; padding-right: 1em; } }
  @page :left  { @bottom-left  { content: "— " counter(page) " —"; font: 14pt "宋体", SimSun, serif; padding-left: 1em; } }
  .nianbao-report { max-width: none; padding: 0; font-size: 16pt; line-height: 28.95pt;
    font-family: "仿宋_GB2312", "仿宋", FangSong, STFangsong, "FandolFang", serif; }
  .nianbao-report h1 { font-size: 22pt; line-height: 35pt; }
  .nianbao-report h2, .nianbao-report h3 { font-size: 16pt; }
  .nianbao-report table { font-size: 10.5pt; }
  thead { display: table-header-group; }
  tr, img, figure { break-inside: avoid; }
  h2, h3, caption { break-after: avoid; }
}
"""


class _Html:
    def __init__(self, fragment: bool) -> None:
        self.fragment = fragment

    def attr(self, kind: str) -> str:
        return f' style="{escape(STYLE[kind])}"' if self.fragment else f' class="nb-{kind}"'


def _table(h: _Html, grid: L.Grid, edition: S.Edition, data: Mapping[str, Any]) -> str:
    def ident(i: str) -> str:
        return f"{grid.name}-{i}"

    rows: dict[int, list[L.GridCell]] = {}
    for c in grid.cells:
        rows.setdefault(c.row, []).append(c)
    total = sum(grid.col_widths)
    out = [f"<div{h.attr('wrap')}><table{h.attr('table')}>",
           f"<caption{h.attr('caption')}>{escape(grid.heading)}</caption><colgroup>"]
    out += [f'<col style="width:{100 * w / total:.2f}%">' for w in grid.col_widths]
    out.append("</colgroup>")
    for r in range(grid.nrows):
        if r == 0 and grid.header_rows:
            out.append("<thead>")
        if r == grid.header_rows:
            out.append("<tbody>")
        cells = []
        for c in sorted(rows.get(r, []), key=lambda c: c.col):
            span = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"' if c.colspan > 1
                                                                           else "")
            hdrs = f' headers="{" ".join(ident(x) for x in c.headers)}"' if c.headers else ""
            cid = f' id="{ident(c.id)}"' if c.id else ""
            if c.role == L.VALUE:
                text = table_value(edition, c.path or "", data)
                cells.append(f"<td{span}{hdrs}{h.attr('cell')}>{escape(text)}</td>")
            elif c.role == L.NOTE:
                cells.append(f"<td{span}{h.attr('cell')}>{escape(c.text)}</td>")
            else:
                scope = {L.CAPTION: "colgroup", L.COLGROUP: "colgroup", L.COL: "col", L.ROWGROUP: "rowgroup",
                         L.ROW: "row"}[c.role]
                kind = "rowhead" if c.role == L.ROW else "cell"
                cells.append(f'<th scope="{scope}"{cid}{span}{hdrs}{h.attr(kind)}>{escape(c.text)}</th>')
        out.append("<tr>" + "".join(cells) + "</tr>")
        if grid.header_rows and r == grid.header_rows - 1:
            out.append("</thead>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def render(blocks: list[Block], data: Mapping[str, Any], *, chart: bytes | None, chart_alt: str,
           fragment: bool = False) -> str:
    h = _Html(fragment)
    edition = S.get_edition(data["edition"])
    grids = {g.name: g for g in L.grids(edition)}
    body: list[str] = []
    title = ""
    figure_no = 0
    for b in blocks:
        if b.kind == "title":
            title = b.text.replace("\n", "")
            body.append(f"<h1{h.attr('title')}>" + "<br>".join(escape(x) for x in b.text.split("\n")) + "</h1>")
        elif b.kind == "h1":
            body.append(f"<h2{h.attr('h1')}>{escape(b.text)}</h2>")
        elif b.kind == "h2":
            body.append(f"<h3{h.attr('h2')}>{escape(b.text)}</h3>")
        elif b.kind == "p":
            body.append(f"<p{h.attr('p')}>{escape(b.text)}</p>")
        elif b.kind == "table" and b.text in grids:
            body.append(_table(h, grids[b.text], edition, data))
        elif b.kind == "figure" and chart is not None:
            figure_no += 1
            src = "data:image/png;base64," + base64.b64encode(chart).decode("ascii")
            body.append(f'<figure{h.attr("figure")}><img src="{src}" alt="{escape(chart_alt)}"{h.attr("img")}>'
                        f"<figcaption{h.attr('figcaption')}>图{figure_no}　{escape(chart_alt)}</figcaption></figure>")
    opening = f'<div class="nianbao-report"{h.attr("report")}>' if fragment else '<div class="nianbao-report nb-report">'
    main = opening + "\n" + "\n".join(body) + "\n</div>\n"
    if fragment:
        return main
    css = "\n".join(f".nb-{k} {{ {v} }}" for k, v in STYLE.items()) + PRINT_CSS
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n{main}</body>\n</html>\n")
