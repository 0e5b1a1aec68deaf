"""nianbao.generator — the publishable report from report data: narrative text from Jinja2
templates with every figure computed from the tables, rendered as .docx (GB/T 9704 layout),
.html (self-contained, or a CMS fragment), .md, .txt and .pdf (through LibreOffice).

It reads the format core only, never the checks: a shell that wants the person's own prose checked
against the tables (TXT-01) asks ``nianbao.addin.checks.validate.prose_against_tables``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nianbao.workbook_templates.xlsx.safe_write import Written

FORMATS = (".docx", ".html", ".htm", ".md", ".txt", ".pdf")


@dataclass
class Generated:
    path: Path
    written: Written
    notes: list[str] = field(default_factory=list)  # in Chinese: what the person should know

    @property
    def backup(self) -> Path | None:
        return self.written.backup


def render(data: Mapping[str, Any], suffix: str, *, previous: Mapping[str, Any] | None = None,
           template_dir: str | Path | None = None, reference_docx: str | Path | None = None,
           fragment: bool = False, notes: list[str] | None = None, normalise_punctuation: bool = True) -> bytes:
    """The report as the bytes of one format (suffix: .docx, .html, .md, .txt, .pdf).

    ``normalise_punctuation``: half-width punctuation between Chinese characters in the person's
    own text is printed full-width (“2023年度,海宁” → “2023年度，海宁”); False keeps it as typed."""
    from nianbao.generator.chart import NoCJKFont, alt_text, outcomes_png
    from nianbao.generator.text import render_blocks, unfilled_parts
    from nianbao.workbook_templates.format.sanitise import clean

    data, previous = clean(data), clean(previous)  # nothing an XML part refuses reaches a renderer
    blocks = render_blocks(data, previous, template_dir, normalise_punctuation=normalise_punctuation)
    if notes is not None:
        notes += unfilled_parts(blocks)
    chart = None
    if suffix in (".docx", ".pdf", ".html", ".htm"):
        try:
            chart = outcomes_png(data, previous)
        except NoCJKFont as e:
            if notes is not None:
                notes.append(f"没有找到中文字体，报告中不含图表（{e}）")
    alt = alt_text(data)
    if suffix in (".docx", ".pdf"):
        from nianbao.generator.render_docx import render as docx

        out = docx(blocks, data, chart=chart, chart_alt=alt, reference=reference_docx)
        if suffix == ".pdf":
            from nianbao.generator.pdf import docx_to_pdf

            out = docx_to_pdf(out)
        return out
    if suffix in (".html", ".htm"):
        from nianbao.generator.render_html import render as html

        return html(blocks, data, chart=chart, chart_alt=alt, fragment=fragment).encode("utf-8")
    from nianbao.generator.render_text import markdown, plain

    return (markdown if suffix == ".md" else plain)(blocks, data, chart_alt=alt).encode("utf-8")


def generate(data: Mapping[str, Any], out: str | Path, *, previous: Mapping[str, Any] | None = None,
             template_dir: str | Path | None = None, reference_docx: str | Path | None = None,
             fragment: bool = False, normalise_punctuation: bool = True) -> Generated:
    """Write the report to ``out`` (atomically; an existing file is kept as a backup).
    ``normalise_punctuation``: see ``render`` (the CLI's ``generate --keep-punctuation`` sets False)."""
    from nianbao.workbook_templates.format import schema as S
    from nianbao.workbook_templates.format.errors import OutputError
    from nianbao.workbook_templates.format.report_data import get_path
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic

    from nianbao.generator.figures import fill_fields

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise OutputError(f"报告的输出文件应以 {' / '.join(FORMATS)} 结尾：{out}",
                          f"the report must end in {' / '.join(FORMATS)}: {out}")
    previous = previous if previous is not None else data.get("previous")
    notes: list[str] = []
    prose = [p for p, f in S.get_edition(data["edition"]).fields.items() if f.kind is S.Kind.PROSE]
    for path in prose:
        value = get_path(data, path)
        if isinstance(value, str):
            for name in fill_fields(value, data)[1]:
                notes.append(f"正文中的字段 {{{name}}} 无法填写（字段名不认识，或表格中该数字空白），已原样保留")
    content = render(data, suffix, previous=previous, template_dir=template_dir, reference_docx=reference_docx,
                     fragment=fragment, notes=notes, normalise_punctuation=normalise_punctuation)
    return Generated(out, write_atomic(out, content), notes)
