"""What the workbench's buttons do: each resolves the person's picks at once (or refuses), then
returns a task that runs in a thread and renders its result as an HTML fragment.

The work itself is the CLI's and the ribbon's: ``nianbao.actions``, the carry-forward plan, the
generator, distribute and collect.  Nothing here decides a rule, a figure or a sentence of the
report.
"""

from __future__ import annotations

import datetime as _dt
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import current_app

from nianbao.workbench.files import Picked, Refused, Registry
from nianbao.workbench.jobs import Job
from nianbao.workbook_templates.format.errors import NianbaoError

WORKBOOKS = (".xlsx", ".xlsm")
PUBLISHED = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
READABLE = WORKBOOKS + PUBLISHED + (".json",)
ROSTERS = (".csv", ".xlsx")
SEVERITY_ORDER = ("error", "warning", "info")

Task = Callable[[Job], str]


def default_year() -> int:
    """The statistics year clerks are working on: last calendar year."""
    return _dt.date.today().year - 1


def pdf_missing() -> str | None:
    """Why there will be no PDF here (the generator's own words), or None."""
    from nianbao.generator.pdf import soffice

    try:
        soffice()
    except NianbaoError as e:
        return e.zh
    return None


def _render(name: str, **kw: Any) -> Callable[..., str]:
    env = current_app.jinja_env
    template = env.get_template(name)
    return lambda **more: template.render(**kw, **more)


def error_html(e: BaseException) -> str:
    if isinstance(e, NianbaoError):
        zh, en, details = e.zh, e.en, e.details
    else:
        zh = f"内部错误（这是 nianbao 的缺陷，请报告）：{type(e).__name__}: {e}"
        en, details = "internal error (a defect in nianbao)", []
    return _ERROR_TEMPLATE.render(zh=zh, en=en, details=details[:50])


def _error_template():
    from jinja2 import Environment

    return Environment(autoescape=True).from_string(
        '<div class="message error" role="alert"><p>{{ zh }}</p>'
        '{% if details %}<ul>{% for d in details %}<li>{{ d }}</li>{% endfor %}</ul>{% endif %}'
        '<p class="en">{{ en }}</p></div>')


_ERROR_TEMPLATE = _error_template()


def _offer(reg: Registry, path: Path) -> dict[str, str]:
    return {"name": path.name, "path": str(path), "href": f"/download/{reg.offer(path)}"}


def _year(form: Mapping[str, str], key: str = "year") -> int | None:
    text = (form.get(key) or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise Refused(f"年度“{text}”不是有效的年份。", "not a valid year")
    return int(text)


# --- 我的年报: validate, 写入校验结果 ------------------------------------------------------------------


def fix_text(f: Any) -> str:
    """The finding's 怎么改 line (the rule catalogue's, once it has one; else the rule's title)."""
    fix = getattr(f, "fix", None)
    if fix:
        return str(fix)
    try:
        from nianbao.addin.checks.rules import CATALOGUE

        r = CATALOGUE.get(f.rule)
        return r.title if r is not None else ""
    except ImportError:
        return ""


def _findings_view(v: Any) -> dict[str, Any]:
    from nianbao import actions
    from nianbao.addin.checks.findings import SEVERITY_ZH

    cells = v.cells
    groups = []
    for part, found in actions.by_part(v.report.findings):
        found = sorted(found, key=lambda f: SEVERITY_ORDER.index(f.severity))
        groups.append({"part": part, "errors": sum(1 for f in found if f.severity == "error"), "findings": [{
            "severity": f.severity, "severity_zh": SEVERITY_ZH[f.severity], "rule": f.rule, "message": f.message,
            "fix": fix_text(f), "acknowledged": f.acknowledged,
            "cells": [f"{cells[p][0]}!{cells[p][1]}" for p in f.paths if p in cells]} for f in found]})
    groups.sort(key=lambda g: 0 if g["errors"] else 1)  # parts with errors first, else the report's order
    r = v.report
    return {"groups": groups, "ok": r.ok, "counts": {s: r.count(s) for s in SEVERITY_ORDER},
            "meta": v.data["meta"], "edition": v.data["edition"], "file": v.source.name}


def validate(reg: Registry, form: Mapping[str, str]) -> tuple[str, Task]:
    src = reg.picked(form.get("source"), want_dir=False, suffixes=READABLE)
    render = _render("_validate.html")

    def task(job: Job) -> str:
        from nianbao import actions

        v = actions.validate_source(src.path)
        return render(**_findings_view(v), source=src, annotatable=v.read is not None)

    return "校验", task


def annotate(reg: Registry, form: Mapping[str, str]) -> tuple[str, Task]:
    src = reg.picked(form.get("source"), want_dir=False, suffixes=WORKBOOKS)
    render = _render("_validate.html")

    def task(job: Job) -> str:
        from nianbao import actions

        v = actions.validate_source(src.path, annotate=True)
        return render(**_findings_view(v), source=src, annotatable=True,
                      written=actions.annotated_message(actions.annotate(v)), download=_offer(reg, src.path))

    return "写入校验结果", task


# --- 导入上年数据 -----------------------------------------------------------------------------------


def _plan_view(run: Any) -> dict[str, Any]:
    from nianbao.addin.carry_forward import n

    ed = run.this.edition
    p = run.plan

    def fmt(v: Any) -> str:
        return "空白" if v is None else n(v)

    return {
        "notes": p.notes, "refused": p.wrong_year,
        "changes": [{"cell": f"{c.sheet}!{c.ref}", "what": ed.describe(c.path), "old": fmt(c.old), "new": fmt(c.new)}
                    for c in p.changes],
        "conflicts": [{"cell": f"{c.sheet}!{c.ref}", "what": ed.describe(c.path), "old": fmt(c.old), "new": fmt(c.new)}
                      for c in p.conflicts],
        "same": len(p.same), "previous": run.previous_message("将") if p.previous_changed else None,
        "nothing": run.nothing_to_do and not p.conflicts, "digest": _digest(p),
        "this_meta": run.this.data["meta"], "last_meta": run.last["meta"],
    }


def _digest(p: Any) -> str:
    import hashlib

    text = repr([(c.path, c.old, c.new) for c in p.changes + p.conflicts]) + repr(p.previous_changed)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _carry_picks(reg: Registry, form: Mapping[str, str]) -> tuple[Picked, Picked]:
    this = reg.picked(form.get("this"), want_dir=False, suffixes=WORKBOOKS)
    last = reg.picked(form.get("last"), want_dir=False, suffixes=READABLE)
    if this.path.resolve() == last.path.resolve():
        raise Refused("上年的文件和本年的工作簿是同一个文件。", "last year's file is this year's workbook")
    return this, last


def carry_plan(reg: Registry, form: Mapping[str, str]) -> tuple[str, Task]:
    this, last = _carry_picks(reg, form)
    render = _render("_carry.html")

    def task(job: Job) -> str:
        from nianbao import actions

        run = actions.carry_forward_plan(last.path, this.path)
        return render(**_plan_view(run), this=this, last=last)

    return "查看结转计划", task


def carry_apply(reg: Registry, form: Mapping[str, str]) -> tuple[str, Task]:
    this, last = _carry_picks(reg, form)
    overwrite = form.get("overwrite") == "1"
    shown = form.get("digest", "")
    render = _render("_carry.html")

    def task(job: Job) -> str:
        from nianbao import actions

        run = actions.carry_forward_plan(last.path, this.path)
        if _digest(run.plan) != shown:
            raise NianbaoError("文件在查看计划之后有改动，请重新查看计划后再确认。", "the files changed since the plan was shown")
        if run.plan.wrong_year:
            raise NianbaoError(f"拒绝：{run.plan.wrong_year}。{this.path.name} 未改动。", "refused: wrong year or agency")
        if run.plan.conflicts:
            if not overwrite:
                raise NianbaoError(f"拒绝：{len(run.plan.conflicts)} 个已填数字与上年不同，{this.path.name} 未改动。"
                                   "核对后可勾选“用上年的数字覆盖”。", "typed figures differ from last year's")
            run = actions.carry_forward_plan(last.path, this.path, force=True)
        view = _plan_view(run)
        if run.nothing_to_do:
            return render(**view, this=this, last=last, done="无需改动。")
        done = actions.carry_forward_apply(run).said()
        return render(**view, this=this, last=last, done=done, download=_offer(reg, this.path))

    return "导入上年数据", task


# --- 生成报告 ---------------------------------------------------------------------------------------


def _load(path: Path) -> dict[str, Any]:
    from nianbao.workbook_templates.sources import load_report

    data, _ = load_report(path)
    return data


def generate_preview(reg: Registry, form: Mapping[str, str]) -> tuple[str, Task]:
    src = reg.picked(form.get("source"), want_dir=False, suffixes=READABLE)
    render = _render("_generate.html")

    def task(job: Job) -> str:
        from nianbao.addin.checks.validate import prose_against_tables
        from nianbao.generator import generate

        folder = reg.new_upload_folder()  # private: the preview is not a file the person asked for
        data = _load(src.path)
        result = generate(data, folder / "预览.html")
        return render(source=src, preview=f"/preview/{reg.offer(result.path)}", findings=prose_against_tables(data),
                      notes=result.notes, pdf_missing=pdf_missing(), formats=_formats(src.path))

    return "预览报告", task


def _formats(source: Path) -> list[tuple[str, str, str]]:
    """(suffix, label, the file it goes to): beside the source, never over it."""
    out = []
    for suffix, label in ((".docx", "Word 文档 .docx"), (".html", "网页 .html"), (".pdf", "PDF")):
        target = source.with_suffix(suffix)
        if target.resolve() == source.resolve():
            target = source.with_name(f"{source.stem}-报告{suffix}")
        out.append((suffix, label, target.name))
    return out


def generate_save(reg: Registry, form: Any) -> tuple[str, Task]:
    src = reg.picked(form.get("source"), want_dir=False, suffixes=READABLE)
    wanted = [s for s in form.getlist("format") if s in (".docx", ".html", ".pdf")]
    if not wanted:
        raise Refused("请至少选择一种格式。", "choose at least one format")
    render = _render("_generated.html")

    def task(job: Job) -> str:
        from nianbao.addin.checks.validate import prose_against_tables
        from nianbao.generator import generate

        job.total = len(wanted)
        data = _load(src.path)
        written, failed, findings, notes = [], [], prose_against_tables(data), []
        targets = {s: src.path.with_name(name) for s, _, name in _formats(src.path)}
        for suffix in wanted:
            try:
                result = generate(data, targets[suffix])
            except NianbaoError as e:
                failed.append((suffix, e.zh))
            else:
                written.append({**_offer(reg, result.path), "backup": result.backup.name if result.backup else None,
                                "unchanged": result.written.unchanged})
                notes = result.notes or notes
            job.step()
        return render(written=written, failed=failed, findings=findings, notes=notes, source=src)

    return "生成报告", task


# --- 新建年报 ---------------------------------------------------------------------------------------


def new(reg: Registry, form: Mapping[str, str]) -> tuple[str, Task]:
    last = reg.picked(form.get("last"), want_dir=False, suffixes=READABLE) if form.get("last") else None
    folder = reg.picked(form.get("folder"), want_dir=True) if form.get("folder") else None
    if last is None and folder is None:
        raise Refused("请选择上年的年报，或选择新年报要放的文件夹。", "choose last year's report or a folder")
    agency, year, kind = (form.get("agency") or "").strip(), _year(form), form.get("kind") or None
    render = _render("_new.html")

    def task(job: Job) -> str:
        from nianbao import actions
        from nianbao.addin.excel.ribbon_core import new_workbook

        nonlocal agency, year, kind
        last_data = _load(last.path) if last else None
        if last_data is not None:
            agency = agency or (last_data["meta"].get("agency") or "")
            year = year or ((last_data["meta"].get("year") or default_year()) + 1)
            kind = kind or last_data["meta"].get("agency_kind")
        target_folder = folder.path if folder else last.folder
        path, kept = new_workbook(target_folder, year or default_year(), agency, kind)
        lines: list[str] = []
        if last is not None:
            run = actions.carry_forward_plan(last.path, path)
            lines += run.plan.notes
            if run.plan.refused:  # a fresh template has nothing typed: only another agency or year refuses
                lines.append(f"未结转：{run.plan.wrong_year or '已填数字与上年不同'}")
            elif not run.nothing_to_do:
                lines += [f"已填写 {c.describe(run.this.edition)}" for c in run.plan.changes]
                if run.plan.previous_changed:
                    lines.append(run.previous_message("已"))
                actions.carry_forward_apply(run)
        return render(created=_offer(reg, path), kept=kept, year=year, agency=agency, lines=lines,
                      folder=target_folder)

    return "新建年报", task


# --- 下发 ------------------------------------------------------------------------------------------


def roster_template(reg: Registry) -> Path:
    """The roster's columns (the ones ``read_roster`` reads) with two example rows."""
    from openpyxl import Workbook

    from nianbao.batch.roster import COLUMNS

    target = reg.upload_root / "下发名单模板.xlsx"
    if not target.exists():
        wb = Workbook()
        ws = wb.active
        ws.title = "名单"
        ws.append(list(COLUMNS))
        example = {"名称": "示例市人民政府", "类型": "政府", "联系人": "张三", "联系电话": "0000-0000000", "汇总": "否"}
        ws.append([example.get(c, "") for c in COLUMNS])
        ws.append([{"名称": "示例市教育局", "类型": "部门", "上级": "示例市人民政府"}.get(c, "") for c in COLUMNS])
        for col in "ABCDEFG":
            ws.column_dimensions[col].width = 20
        wb.save(target)
    return target


def distribute(reg: Registry, form: Mapping[str, str]) -> tuple[str, Task]:
    roster = reg.picked(form.get("roster"), want_dir=False, suffixes=ROSTERS)
    parent = reg.picked(form.get("out"), want_dir=True)
    prev = reg.picked(form.get("previous_dir"), want_dir=True) if form.get("previous_dir") else None
    year = _year(form)
    if year is None:
        raise Refused("请填写统计年度。", "the year is required")
    out = reg.subfolder(parent, form.get("name") or f"{year}年度年报下发")
    render = _render("_distribute.html")

    def task(job: Job) -> str:
        from nianbao.batch.distribute import distribute as run
        from nianbao.batch.roster import read_roster

        units = read_roster(roster.path)
        job.total = len(units)
        rows, notes = run(units, year, out, prev.path if prev else None, job.step)
        folder = reg.pick(out, uploaded=parent.uploaded)
        from nianbao.workbook_templates.format.schema import AGENCY_KINDS

        return render(rows=rows, notes=notes, out=folder, year=year, previous=prev, kinds=AGENCY_KINDS,
                      carried=sum(1 for r in rows if r.carried != "无上年数据"))

    return "下发", task


# --- 汇总 ------------------------------------------------------------------------------------------


def collect(reg: Registry, form: Mapping[str, str]) -> tuple[str, Task]:
    from nianbao.batch import collect as C

    returns = reg.picked(form.get("returns"), want_dir=True)
    roster = reg.picked(form.get("roster"), want_dir=False, suffixes=ROSTERS) if form.get("roster") else None
    previous = reg.picked(form.get("previous"), want_dir=False, suffixes=READABLE) if form.get("previous") else None
    out = reg.picked(form.get("out"), want_dir=True) if form.get("out") else returns
    agency, year = (form.get("agency") or "").strip() or None, _year(form)
    output = out.path / "年报汇总.xlsx"
    report = out.path / "汇总报告.docx" if form.get("report") == "1" else None
    render = _render("_collect.html")

    def task(job: Job) -> str:
        from nianbao import actions
        from nianbao.batch import dashboard as D
        from nianbao.batch.consolidation import consolidating_agency
        from nianbao.batch.roster import read_roster
        from nianbao.workbook_templates.format import schema as S
        from nianbao.workbook_templates.xlsx.safe_write import tally

        units = read_roster(roster.path) if roster else None
        files = C.returned_files([returns.path], output)
        job.total = len(files)
        try:
            who = consolidating_agency(units, agency, None)
            done = C.collect(files, units, who, year, output,
                             (lambda y: actions.load_previous(previous.path, y)) if previous else None, job.step,
                             keep_rows=True)
        except NianbaoError as e:
            return render(failed=e.zh, statuses=[])
        written = list(done.written)
        if report is not None:
            from nianbao.generator import generate

            written.append(generate(done.city, report).written)
        feedback = {r.单位: f"/file/{out.id}/{r.feedback}" for r in done.rows if r.feedback}
        files_by_name = {Path(p).name for p in files}
        return render(done=done, headers=D.HEADERS, rows=[(r, r.cells()) for r in done.rows], feedback=feedback,
                      returns=returns, files=files_by_name, out=out, edition=S.get_edition(done.city["edition"]),
                      status_at=D.HEADERS.index("状态"), file_at=D.HEADERS.index("文件"),
                      statuses=sorted({r.状态 for r in done.rows}),
                      links=[_offer(reg, p) for p in (output, done.html, report) if p], written_notes=tally(written))

    return "汇总", task


ACTIONS: dict[str, Callable[[Registry, Any], tuple[str, Task]]] = {
    "validate": validate, "annotate": annotate, "carry-plan": carry_plan, "carry-apply": carry_apply,
    "preview": generate_preview, "generate": generate_save, "new": new, "distribute": distribute,
    "collect": collect,
}


# --- uploads ---------------------------------------------------------------------------------------


def receive_upload(reg: Registry, files: list[Any], want_dir: bool) -> dict[str, Any]:
    """Uploaded files into a private folder; a .zip is unpacked.  Returns the pick (a folder
    when a folder is wanted or several files came, else the one file)."""
    folder = reg.new_upload_folder()
    saved = [reg.save_upload(folder, f.filename, f.stream) for f in files]
    unpacked: list[Path] = []
    for path in list(saved):
        if path.suffix.lower() == ".zip":
            unpacked += reg.extract_zip(path, folder)
            path.unlink()
            saved.remove(path)
    saved += unpacked
    if want_dir or len(saved) != 1:
        if not saved:
            shutil.rmtree(folder, ignore_errors=True)
            raise Refused("上传的压缩文件中没有文件。", "the upload held no file")
        p = reg.pick(folder, uploaded=True)
        return {**p.to_json(), "name": f"上传的 {len(saved)} 个文件", "files": [s.name for s in saved]}
    return {**reg.pick(saved[0], uploaded=True).to_json(), "files": [saved[0].name]}
