"""The report's text: Jinja2 templates render the frame, the person's prose and the sentences
computed from the figures into a list of blocks that every renderer shares."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import NianbaoError
from nianbao.workbook_templates.format.report_data import get_path

from nianbao.generator import figures as F
from nianbao.generator.punctuation import full_width
from nianbao.workbook_templates.format import figures as NF
from nianbao.workbook_templates.format.numbers import figure, number_value
from nianbao.workbook_templates.format.sanitise import xml_text

BUNDLED = Path(__file__).resolve().parent / "templates"
MAIN_TEMPLATE = "report.j2"
_LITERAL = "\x1e"  # marks a line of the person's own prose: never read as a directive
KINDS = ("title", "h1", "h2", "table", "figure")


@dataclass(frozen=True)
class Block:
    kind: str  # title | h1 | h2 | p | table | figure
    text: str = ""


def _prose(text: str) -> str:
    lines = [ln.strip() for ln in xml_text(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(_LITERAL + ln for ln in lines if ln)


def _n(v: Any) -> str:
    return "（未填）" if v is None else figure(v)


def environment(template_dir: str | Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        folder = Path(template_dir)
        if not folder.is_dir():
            raise NianbaoError(f"模板文件夹不存在：{folder}", f"template folder not found: {folder}")
        if not (folder / MAIN_TEMPLATE).is_file():  # never a silent fall-back to the bundled wording
            raise NianbaoError(f"模板文件夹 {folder} 中没有 {MAIN_TEMPLATE}。请复制 generator/templates 文件夹后修改其中的 {MAIN_TEMPLATE}。",
                               f"the template folder {folder} has no {MAIN_TEMPLATE}")
        loaders.append(jinja2.FileSystemLoader(str(folder)))
    loaders.append(jinja2.FileSystemLoader(str(BUNDLED)))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters["n"] = _n
    env.globals["prose"] = _prose
    return env


def _group(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A 第四部分 group's five figures by result key (upheld … total), from the named figures."""
    return {r.key: NF.value(data, NF.result_name(name, r.key)) for r in S.REVIEW_RESULTS}


def context(data: Mapping[str, Any], previous: Mapping[str, Any] | None, *,
            normalise_punctuation: bool = True) -> dict[str, Any]:
    """Everything the template may say, as plain values (figure fields already filled; the
    person's own text with full-width punctuation unless ``normalise_punctuation`` is False)."""
    edition = S.get_edition(data["edition"])
    meta = data["meta"]
    typed = full_width if normalise_punctuation else (lambda s: s)

    def text(path: str) -> str:
        value = get_path(data, path)
        return typed(F.fill_fields(value, data)[0]) if isinstance(value, str) else ""

    apps = {k: NF.value(data, name) for k, name in
            (("new", NF.NEW), ("carried_over", NF.CARRIED_OVER), ("handled", NF.HANDLED),
             ("carried_forward", NF.CARRIED_FORWARD))}
    outcomes = NF.outcomes(data)
    direct, after = (g.label for g in S.REVIEW_GROUPS if g.key in S.LITIGATION_GROUPS)
    litigation = _group(data, NF.LITIGATION)
    litigation.update(direct=NF.value(data, direct), after_review=NF.value(data, after))
    prev_year = get_path(previous, "meta.year") if previous else None
    other = text("text.other")
    return {
        "edition": edition.key,
        "agency": meta.get("agency") or "",
        "year": meta.get("year"),
        "contact": typed(meta["contact"]) if isinstance(meta.get("contact"), str) else meta.get("contact"),
        "title_lines": F.title_lines(meta.get("agency") or "", meta.get("year")),
        "headings": edition.headings,
        "intro": text("text.overview.intro"),
        "overview": [(lab.label, text(f"text.overview.{lab.key}")) for lab in edition.overview_subparts
                     if lab.key != "intro"],
        "overview_written": any(text(f"text.overview.{lab.key}") for lab in edition.overview_subparts
                                if lab.key != "intro"),
        "problems": text("text.problems"),
        "other": other,
        "active": data["active"],
        "apps": apps,
        "yoy": NF.change(apps["new"], NF.value(previous, NF.NEW) if previous else None, prev_year),
        "outcomes": outcomes,
        "outcomes_nonzero": [o for o in outcomes if o.count],
        "outcomes_zero": [o.name for o in outcomes if o.count == 0],
        "review": _group(data, NF.REVIEW),
        "review_rate": NF.value(data, NF.REVIEW + NF.RATE),
        "litigation": litigation,
        "litigation_rate": NF.value(data, NF.LITIGATION + NF.RATE),
        "fee": NF.value(data, NF.FEE),
        "notices": number_value(get_path(data, "fees.notices_issued")),
        "other_mentions_fee": "处理费" in other,
    }


def render_blocks(data: Mapping[str, Any], previous: Mapping[str, Any] | None = None,
                  template_dir: str | Path | None = None, *, normalise_punctuation: bool = True) -> list[Block]:
    env = environment(template_dir)
    try:
        out = env.get_template(MAIN_TEMPLATE).render(**context(data, previous,
                                                               normalise_punctuation=normalise_punctuation))
    except jinja2.TemplateError as e:
        raise NianbaoError(f"报告模板出错：{e}", f"the report template failed: {e}") from e
    return parse(out)


def parse(rendered: str) -> list[Block]:
    blocks: list[Block] = []
    for raw in rendered.split("\n"):
        if raw.startswith(_LITERAL):
            blocks.append(Block("p", raw[len(_LITERAL):]))
            continue
        line = raw.strip()
        if not line:
            continue
        m = re.match(r"^@(\w+)\s*(.*)$", line)
        if m and m.group(1) in KINDS:
            kind, rest = m.group(1), m.group(2).strip()
            if kind == "title" and blocks and blocks[-1].kind == "title":
                blocks[-1] = Block("title", blocks[-1].text + "\n" + rest)
            else:
                blocks.append(Block(kind, rest))
        else:
            blocks.append(Block("p", line))
    return blocks


PLACEHOLDER = re.compile(r"^（[^（）]*未填写[^（）]*。）$")  # “（此部分未填写。）” and the like in report.j2


def unfilled_parts(blocks: list[Block]) -> list[str]:
    """A note (in Chinese) for each part the report prints as not filled in, by its heading:
    the document is a draft until the person writes it."""
    notes, heading = [], ""
    for b in blocks:
        if b.kind in ("h1", "h2"):
            heading = b.text
        elif b.kind == "p" and PLACEHOLDER.match(b.text):
            notes.append(f"“{heading}”未填写，报告中暂写“{b.text}”，发布前请补写")
    return notes
