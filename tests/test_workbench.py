"""The workbench (`nianbao ui`) in a real browser: Playwright drives Debian's Chromium (no browser
download) against the real server started as a user would start it, on real files; each test
checks what the page shows and what lands on disk.  Without Chromium these tests fail, never skip.

One browser for the module and one server for the session keep the time modest.  Screenshots for
the README are written to docs/workbench/ when NIANBAO_SCREENSHOTS=1.
"""

from __future__ import annotations

import configparser
import copy
import http.client
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, load_fixture, nianbao

from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import get_path
from nianbao.workbook_templates.xlsx.reader import read_workbook
from nianbao.workbook_templates.xlsx.writer import write_workbook

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
UPLOAD_LIMIT_MB = 5
SHOTS = REPO / "docs" / "workbench"


# --- the server, as a user starts it --------------------------------------------------------------


@dataclass
class Workbench:
    proc: subprocess.Popen
    home: Path
    port: int
    token: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def request(self, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None,
                token: bool = True) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = {"X-Nianbao-Token": self.token} if token else {}
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        out = r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        conn.close()
        return out

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc.communicate()  # and close the pipes
        return self.proc.wait()


def server_env(home: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "APPDATA")}
    env.update({"HOME": str(home), "NIANBAO_UI_MAX_UPLOAD_MB": str(UPLOAD_LIMIT_MB), "BROWSER": "true"}, **extra)
    return env


def state_file(home: Path) -> Path:
    return home / ".config" / "nianbao" / "workbench.json"


def start(home: Path, *args: str, **env: str) -> Workbench:
    home.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "nianbao", "ui", *(args or ("--serve",))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=server_env(home, **env))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            info = json.loads(state_file(home).read_text(encoding="utf-8"))
            if info["pid"] == proc.pid:
                return Workbench(proc, home, info["port"], info["token"])
        except (OSError, ValueError, KeyError):
            pass
        if proc.poll() is not None:
            pytest.fail(f"nianbao ui exited: {proc.stdout.read()} {proc.stderr.read()}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail("nianbao ui did not write its port file within 20 s")


@pytest.fixture(scope="session")
def wb(tmp_path_factory):
    server = start(tmp_path_factory.mktemp("home"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # a busy shared machine: patience, not flakiness

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("Chromium is required for the workbench tests: apt-get install chromium (bash .ci/run installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, wb):
    context = browser.new_context(accept_downloads=True, locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(wb.url)
    pg.wb_home = wb.home
    yield pg
    context.close()
    assert not errors, errors  # no script error on any page


@pytest.fixture
def work(wb, request):
    """A folder of this test's files inside the server's home (where the picker starts)."""
    folder = wb.home / re.sub(r"\W", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder


def shot(page, name: str) -> None:
    if os.environ.get("NIANBAO_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


# --- driving the page -----------------------------------------------------------------------------


def pick(page, field: str, path: Path, *, by_address: bool = True) -> None:
    """Choose a file or folder in the workbench's own picker, as a person would."""
    from playwright.sync_api import expect

    f = page.locator(f'.pick[data-name="{field}"]')
    f.locator("button.browse").click()
    dlg = page.locator("#picker")
    expect(dlg).to_be_visible()
    folder = path if path.is_dir() else path.parent
    if by_address:
        dlg.locator(".address").fill(str(folder))
        dlg.locator(".go").click()
    else:  # from 主目录, folder by folder
        dlg.locator(".place", has_text="主目录").click()
        here = Path(page.wb_home)
        expect(dlg.locator(".address")).to_have_value(str(here))
        for part in folder.relative_to(page.wb_home).parts:
            entry = dlg.locator(f'.entry.dir[data-name="{part}"]')
            expect(entry).to_be_visible()
            entry.click()
            here = here / part
            expect(dlg.locator(".address")).to_have_value(str(here))  # one level at a time, as the page answers
    expect(dlg.locator(".address")).to_have_value(str(folder.resolve()))
    if path.is_dir():
        dlg.locator(".pick-here").click()
    else:
        dlg.locator(f'.entry.file[data-name="{path.name}"]').click()
    expect(dlg).to_be_hidden()
    expect(f.locator(".chosen")).to_have_text(str(path.resolve()))


def run(page, button: str, target: str = "#result", timeout: float = 60_000, state: str = "done"):
    from playwright.sync_api import expect

    box = page.locator(target)
    box.evaluate("e => e.removeAttribute('data-state')")  # never mistake the last answer for this one
    page.locator("form.action button[type=submit]", has_text=button).last.click()
    expect(box).to_have_attribute("data-state", re.compile("done|failed"), timeout=timeout)
    assert box.get_attribute("data-state") == state, box.inner_text()
    return box


def goto(page, wb, label: str) -> None:
    page.locator("nav a", has_text=label).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == label


# --- real files -----------------------------------------------------------------------------------


def haining_with_error(folder: Path) -> Path:
    """Haining's real 2023 report, with 5 more 自然人 applications typed in 一 (一＋二≠三＋四)."""
    data = load_fixture("haining-2023")
    data["applications"]["new"]["natural_person"] += 5
    src = folder / "haining.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = folder / "海宁市人民政府-2023.xlsx"
    assert nianbao("import", src, "-o", out).code == 0
    src.unlink()
    return out


def haining_2023(folder: Path, carried_forward: int = 0) -> Path:
    """Haining's real 2023 workbook; with ``carried_forward`` of its granted 自然人 applications
    still open at the year's end (so 结转下年度 is not all 0; the table still balances)."""
    data = load_fixture("haining-2023")
    a = data["applications"]
    for key in ("natural_person", "total"):
        a["granted"][key] -= carried_forward
        a["total_handled"][key] -= carried_forward
        a["carried_forward"][key] += carried_forward
    src = folder / "haining.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = folder / "海宁市人民政府-2023.xlsx"
    run_ = nianbao("import", src, "-o", out)
    assert run_.code == 0, run_.err
    src.unlink()
    return out


# --- 我的年报 --------------------------------------------------------------------------------------


def test_my_report_validates_a_workbook_with_an_error_and_writes_the_results_sheet(page, wb, work):
    book = haining_with_error(work)
    expected = json.loads(nianbao("validate", book, "--format", "json").out)
    before = read_workbook(book).data
    pick(page, "source", book)
    result = run(page, "校验")
    # what the page shows: the CLI's findings, every one, with its figures and cells; errors first
    shown = result.locator(".finding")
    assert shown.count() == len(expected["findings"])
    texts = [t for t in result.locator(".finding .text").all_inner_texts()]
    assert sorted(texts) == sorted(f["message"] for f in expected["findings"])
    ari = next(f for f in expected["findings"] if f["rule"] == "ARI-01" and "自然人" in f["message"])
    assert "前者多5件" in ari["message"]
    first_group = result.locator(".group").first
    assert first_group.get_attribute("data-part") == "第三部分"
    assert first_group.locator(".finding").first.get_attribute("class") == "finding error"
    card = result.locator('.finding[data-rule="ARI-01"]', has_text="自然人")
    assert card.locator(".text").inner_text() == ari["message"]
    assert card.locator(".cells").inner_text() == "单元格：" + "、".join(f"{c['sheet']}!{c['cell']}" for c in ari["cells"])
    assert card.locator(".fix").inner_text().startswith("怎么改：")
    assert result.locator(".n-error").inner_text() == str(sum(f["severity"] == "error" for f in expected["findings"]))
    shot(page, "我的年报")
    # 写入校验结果: the same sheet as validate --annotate, safely written, figures untouched
    run(page, "写入校验结果")
    assert "已写入“校验结果”工作表" in result.locator(".written").inner_text()
    assert list(work.glob("海宁市人民政府-2023.xlsx.*.bak")), "the previous version is kept"
    import openpyxl

    sheet = openpyxl.load_workbook(book)["校验结果"]
    values = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(values) if r[0] == "序号")  # a title row stands above it
    rows = [r for r in values[header + 1:] if r[0] is not None]
    assert 1 <= len(rows) <= len(expected["findings"])  # one line per cause; the JSON keeps every finding
    keys = "\n".join(str(r[7]) for r in rows)
    assert all(f"{f['rule']}|{','.join(c['path'] for c in f['cells'])}" in keys for f in expected["findings"])
    assert any("ARI-01" in str(r[2]) and ari["fix"] in r[4] for r in rows)  # 说明, then 怎么改
    after = read_workbook(book).data
    assert after["applications"] == before["applications"] and after["meta"] == before["meta"]


def _picker_with_a_late_first_listing(page, wb, late_ms: int):
    """我的年报's picker opened, its first listing (主目录) held back ``late_ms`` (a busy machine);
    the picker, and an event set once that listing has gone on its way."""
    from playwright.sync_api import expect

    import threading

    answered = threading.Event()

    def slow_first(route):
        if "path=" not in route.request.url and not answered.is_set():
            page.wait_for_timeout(late_ms)
            answered.set()
        route.continue_()

    page.route("**/api/browse*", slow_first)
    goto(page, wb, "我的年报")
    page.locator('.pick[data-name="source"] button.browse').click()
    dlg = page.locator("#picker")
    expect(dlg).to_be_visible()
    return dlg, answered


def test_an_address_typed_while_the_first_listing_is_slow_is_not_overwritten(page, wb, work):
    """The picker opens on 主目录; its listing may arrive after the person has typed another folder
    (a busy machine): the typed address must stay and be the one 前往 goes to."""
    from playwright.sync_api import expect

    dlg, answered = _picker_with_a_late_first_listing(page, wb, 1500)
    dlg.locator(".address").fill(str(work))
    page.wait_for_timeout(2000)  # the late answer for 主目录 arrives now
    assert answered.is_set()
    expect(dlg.locator(".address")).to_have_value(str(work))
    dlg.locator(".go").click()
    expect(dlg.locator(".address")).to_have_value(str(work.resolve()))
    page.unroute("**/api/browse*")


def test_an_address_selected_to_type_over_is_not_changed_by_a_late_listing(page, wb, work):
    """The person clicks into the address and selects it to type another folder, and then the
    listing of 主目录 comes back (a busy machine; CI met it): what they type replaces the selection,
    never follows a path the page put there meanwhile (before: 主目录's path and theirs, run together)."""
    from playwright.sync_api import expect

    dlg, answered = _picker_with_a_late_first_listing(page, wb, 1000)
    address = dlg.locator(".address")
    address.click()
    address.press("Control+a")  # selected, to be typed over
    page.wait_for_timeout(1500)  # the late answer arrives now
    assert answered.is_set()
    page.keyboard.insert_text(str(work))
    expect(address).to_have_value(str(work))
    dlg.locator(".go").click()
    expect(address).to_have_value(str(work.resolve()))
    expect(dlg.locator(".entries")).not_to_contain_text("无法打开")
    page.unroute("**/api/browse*")


def test_my_report_reads_an_uploaded_published_report(page, wb):
    page.locator('.pick[data-name="source"] input[type=file]').set_input_files(
        str(REPO / "tests" / "fixtures" / "published" / "shanghai-2020.txt"))
    from playwright.sync_api import expect

    expect(page.locator('.pick[data-name="source"] .chosen')).to_contain_text("已上传")
    result = run(page, "校验")
    ari = result.locator('.finding.error[data-rule="ARI-01"]')
    assert ari.count() == 5  # the five columns the published 2020 Shanghai report fails
    assert "不能写入校验结果" in result.inner_text()
    assert result.locator("form.action[data-action=annotate]").count() == 0


# --- 导入上年数据 -----------------------------------------------------------------------------------


def test_carry_forward_shows_the_conflict_side_by_side_and_writes_only_when_confirmed(page, wb, work):
    last = haining_2023(work, carried_forward=12)
    this = work / "海宁市人民政府-2024.xlsx"
    data = load_fixture("haining-2023")
    data = {"schema": data["schema"], "edition": "2021",
            "meta": {**data["meta"], "year": 2024, "published": None},
            "applications": {"carried_over": {"natural_person": 7}}}
    src = work / "typed.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert nianbao("import", src, "-o", this).code == 0
    src.unlink()
    untouched = this.read_bytes()
    goto(page, wb, "导入上年数据")
    pick(page, "this", this)
    pick(page, "last", last)
    result = run(page, "查看计划")
    row = result.locator("table.conflicts tbody tr")
    assert row.count() == 1
    cells = row.first.locator("td").all_inner_texts()
    assert cells[0].startswith("第三部分!") and "自然人" in cells[1] and cells[2:] == ["7", "12"]
    changes = result.locator("table.changes tbody tr")
    assert changes.count() == 5  # the other five columns: blank → 0
    assert this.read_bytes() == untouched, "nothing is written before the person confirms"
    shot(page, "导入上年数据")
    run(page, "确认写入", state="failed")  # conflicts, not confirmed: refused as the CLI refuses
    assert "1 个已填数字与上年不同" in result.inner_text() and this.read_bytes() == untouched
    result = run(page, "查看计划")
    result.locator("input[name=overwrite]").check()
    run(page, "确认写入")
    assert "已写入" in result.locator(".done").inner_text()
    after = read_workbook(this).data
    last_data = read_workbook(last).data
    for col in S.EDITION_2021.application_columns:
        assert after["applications"]["carried_over"][col.key] == last_data["applications"]["carried_forward"][col.key]
    assert after["applications"]["carried_over"]["natural_person"] == 12
    assert after["previous"]["meta"]["year"] == 2023


def test_carry_forward_refuses_the_wrong_year_as_the_cli_does(page, wb, work):
    last = haining_2023(work)
    other = work / "other"
    other.mkdir()
    this = haining_2023(other)  # 2023 again: not the year after
    cli = nianbao("carry-forward", "--from", last, "--to", this)
    assert cli.code == 1
    reason = re.search(r"拒绝：(.*?)。确认无误", cli.err).group(1)
    untouched = this.read_bytes()
    goto(page, wb, "导入上年数据")
    pick(page, "this", this)
    pick(page, "last", last)
    result = run(page, "查看计划")
    assert result.locator(".refused").inner_text() == f"拒绝：{reason}。{this.name} 未改动。"
    assert result.locator("form.action[data-action=carry-apply]").count() == 0
    assert this.read_bytes() == untouched


# --- 生成报告 ---------------------------------------------------------------------------------------


def _docx_text(path: Path) -> list[str]:
    import docx

    return [p.text for p in docx.Document(str(path)).paragraphs if p.text.strip()]


def test_generate_previews_then_saves_word_html_and_pdf_beside_the_workbook(page, wb, work, tmp_path):
    book = haining_2023(work)
    oracle = tmp_path / "cli.docx"
    assert nianbao("generate", book, "-o", oracle).code == 0
    goto(page, wb, "生成报告")
    assert page.locator(".pdf-missing").count() == 0  # LibreOffice is installed here
    pick(page, "source", book)
    run(page, "预览")
    frame = page.frame_locator("iframe.preview")
    body = frame.locator("body")
    from playwright.sync_api import expect

    expect(body).to_contain_text("海宁市人民政府")
    preview = body.inner_text()
    expected = _docx_text(oracle)
    sentence = next(p for p in expected if "523" in p)  # 新收申请 523件 (the real report's figure)
    assert sentence in preview
    shot(page, "生成报告")
    page.locator("input[name=format][value='.pdf']").check()
    saved = run(page, "保存", target="#saved", timeout=180_000)
    names = saved.locator("ul.written a").all_inner_texts()
    assert sorted(names) == sorted(f"海宁市人民政府-2023{s}" for s in (".docx", ".html", ".pdf"))
    docx_path = work / "海宁市人民政府-2023.docx"
    assert _docx_text(docx_path) == expected  # the report as the CLI writes it, figures and all
    html = (work / "海宁市人民政府-2023.html").read_text(encoding="utf-8")
    assert sentence in re.sub(r"<[^>]+>", "", html)
    assert (work / "海宁市人民政府-2023.pdf").read_bytes()[:5] == b"%PDF-"
    with page.expect_download() as dl:
        saved.locator("ul.written a", has_text=".docx").click()
    assert Path(dl.value.path()).read_bytes() == docx_path.read_bytes()


def test_generate_without_libreoffice_says_how_to_get_a_pdf(browser, tmp_path):
    bin_dir = tmp_path / "bin"  # a PATH with Python but without soffice
    bin_dir.mkdir()
    server = start(tmp_path / "home", PATH=str(bin_dir))
    try:
        context = browser.new_context()
        pg = context.new_page()
        pg.goto(server.url)
        pg.locator("nav a", has_text="生成报告").click()
        note = pg.locator("p.pdf-missing")
        assert "另存为 PDF" in note.inner_text() and "LibreOffice" in note.inner_text()
        book = haining_2023(server.home)
        pg.wb_home = server.home
        pick(pg, "source", book)
        run(pg, "预览")
        assert pg.locator("input[name=format][value='.pdf']").is_disabled()
        run(pg, "保存", target="#saved")
        assert (server.home / "海宁市人民政府-2023.docx").exists() and not (server.home / "海宁市人民政府-2023.pdf").exists()
        context.close()
    finally:
        server.stop()


# --- 新建年报 ---------------------------------------------------------------------------------------


def test_new_report_is_next_years_template_carried_forward(page, wb, work):
    last = haining_2023(work, carried_forward=12)
    goto(page, wb, "新建年报")
    pick(page, "last", last)
    result = run(page, "新建")
    created = work / "海宁市人民政府-2024.xlsx"
    assert "已新建 海宁市人民政府-2024.xlsx" in result.locator(".created").inner_text()
    data = read_workbook(created).data
    assert data["meta"]["year"] == 2024 and data["meta"]["agency"] == "海宁市人民政府"
    assert data["applications"]["carried_over"]["natural_person"] == 12
    assert data["applications"]["carried_over"]["commercial"] == 0
    assert data["previous"]["meta"]["year"] == 2023
    assert data["applications"]["new"]["natural_person"] is None  # this year's figures are left to fill
    assert any("12" in li for li in result.locator("ul.carried li").all_inner_texts())
    shot(page, "新建年报")
    before = created.read_bytes()
    result = run(page, "新建")  # the same agency's workbook of the year: kept as it is, never replaced
    assert "保留了已有的文件" in result.locator(".created").inner_text() and created.read_bytes() == before


# --- 下发 and 汇总: a 20-unit round ----------------------------------------------------------------

UNITS = ["海宁市教育局", "海宁市民政局", "海宁市财政局", "海宁市人力资源和社会保障局", "海宁市自然资源和规划局",
         "海宁市生态环境局", "海宁市住房和城乡建设局", "海宁市交通运输局", "海宁市水利局", "海宁市农业农村局",
         "海宁市商务局", "海宁市文化和广电旅游体育局", "海宁市卫生健康局", "海宁市应急管理局", "海宁市审计局",
         "海宁市市场监督管理局", "海宁市统计局", "海宁市医疗保障局", "海宁市硖石街道办事处", "海宁市海昌街道办事处"]
MISSING, WRONG = "海宁市统计局", "海宁市民政局"


class _GbkInfo(zipfile.ZipInfo):
    """A zip entry named the way Windows' built-in compressor names it: GBK, no UTF-8 flag."""

    def _encodeFilenameFlags(self):  # noqa: N802 (the standard library's name)
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def test_distribute_then_collect_twenty_units(page, wb, work):
    from playwright.sync_api import expect

    roster = work / "名单.csv"
    roster.write_bytes(("名称,类型,上级,联系人,联系电话,汇总\n" + "\n".join(
        f"{u},{'其他' if '街道' in u else '部门'},,联系人{i},0573-{i:04d},否" for i, u in enumerate(UNITS)) + "\n")
        .encode("gbk"))
    (work / "下发").mkdir()
    goto(page, wb, "下发")
    pick(page, "roster", roster)
    page.locator("input[name=year]").fill("2023")
    pick(page, "out", work / "下发", by_address=False)
    page.locator("input[name=name]").fill("2023年度")
    result = run(page, "下发", timeout=120_000)
    out = work / "下发" / "2023年度"
    assert f"已为 {len(UNITS)} 个单位生成模板" in result.locator(".done").inner_text()
    assert result.locator("table.manifest tbody tr").count() == len(UNITS)
    sent = sorted(p.name for p in out.glob("*.xlsx") if p.name != "下发清单.xlsx")
    assert sent == sorted(f"{u}-2023.xlsx" for u in UNITS)
    manifest = (out / "下发清单.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(manifest) == len(UNITS) + 1
    shot(page, "下发")
    # the units fill their templates and send them back in a .zip made on Windows (GBK names)
    haining = load_fixture("haining-2023")
    archive = work / "交回.zip"
    figures = {}
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for i, unit in enumerate(UNITS):
            if unit == MISSING:
                continue
            data = copy.deepcopy(haining)
            data["meta"] = read_workbook(out / f"{unit}-2023.xlsx").data["meta"]
            a = data["applications"]
            a["new"]["natural_person"] += i  # each unit its own figures; the table still balances
            a["granted"]["natural_person"] += i
            data["text"]["overview"]["requests"] = "本年度收到政府信息公开申请{新收申请}件，办理完毕{答复总数}件。"
            if unit == WRONG:
                a["carried_forward"]["natural_person"] = 3  # 一＋二 ≠ 三＋四
            back = work / f"{unit}.xlsx"
            write_workbook(data, back)
            figures[unit] = read_workbook(back).data
            z.writestr(_GbkInfo(f"{unit}-2023.xlsx", date_time=(2024, 1, 20, 10, 0, 0)), back.read_bytes())
            back.unlink()
    with zipfile.ZipFile(archive) as z:
        assert not any(i.flag_bits & 0x800 for i in z.infolist())  # really GBK, as Windows writes it
    goto(page, wb, "汇总")
    page.locator('.pick[data-name="returns"] input[type=file]').set_input_files(str(archive))
    expect(page.locator('.pick[data-name="returns"] .chosen')).to_contain_text(f"上传的 {len(figures)} 个文件")
    pick(page, "roster", roster)
    page.locator("input[name=agency]").fill("海宁市人民政府")  # the roster has no single top unit
    result = run(page, "汇总", timeout=120_000)
    rows = result.locator("table.dashboard-table tbody tr")
    assert rows.count() == len(UNITS)
    names = [r.locator("td").first.inner_text() for r in rows.all()]
    statuses = {r.locator("td").first.inner_text(): r.get_attribute("data-status") for r in rows.all()}
    assert names[0] == WRONG and names[1] == MISSING  # errors first, then the missing, as the CLI's dashboard
    assert statuses[MISSING] == "未收到" and sum(s == "已收到" for s in statuses.values()) == len(UNITS) - 1
    assert MISSING in result.locator(".missing-list").inner_text()
    assert WRONG in result.locator(".bad-list").inner_text()
    col = list(S.EDITION_2021.application_columns)
    from nianbao.batch.dashboard import HEADERS

    new_col, file_col, errors_col = (HEADERS.index(h) for h in ("新收申请", "文件", "错误"))
    row_of = {r.locator("td").first.inner_text(): r for r in rows.all()}
    for unit, data in figures.items():
        assert row_of[unit].locator("td").nth(new_col).inner_text() == str(data["applications"]["new"]["total"])
        assert row_of[unit].locator("td").nth(file_col).inner_text() == f"{unit}-2023.xlsx"  # the GBK name, read right
    assert int(row_of[WRONG].locator("td").nth(errors_col).inner_text()) >= 1
    # the sum on disk: every figure of 第三部分 is the sum over the 19 returns
    summary = Path(result.locator("ul.links li", has_text="年报汇总.xlsx").locator(".hint").inner_text())
    assert summary.name == "年报汇总.xlsx" and summary.parent.parent.name.startswith("nianbao-ui-")
    total = read_workbook(summary).data
    for r in S.EDITION_2021.application_rows:
        for c in col:
            path = f"applications.{r.key}.{c.key}"
            values = [get_path(d, path) for d in figures.values()]
            assert get_path(total, path) == sum(v or 0 for v in values), path
    assert (summary.parent / "汇总报告.docx").exists() and summary.with_suffix(".html").exists()
    # sortable and filterable
    page.locator("table.dashboard-table th button", has_text="新收申请").click()
    first = [int(t) for t in [rows.nth(i).locator("td").nth(new_col).inner_text() for i in range(3)] if t]
    assert first == sorted(first) and first[0] == min(d["applications"]["new"]["total"] for d in figures.values())
    page.locator(".filter-status").select_option("未收到")
    visible = [r for r in rows.all() if r.is_visible()]
    assert [r.locator("td").first.inner_text() for r in visible] == [MISSING]
    page.locator(".filter-status").select_option("")
    page.locator(".filter-text").fill("街道")
    assert sum(r.is_visible() for r in rows.all()) == 2
    page.locator(".filter-text").fill("")
    shot(page, "汇总")
    # the unit's feedback, downloaded from its row
    with page.expect_download() as dl:
        rows.filter(has_text=WRONG).locator("a.feedback").click()  # rows moved: find it by name
    text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith(f"{WRONG}：2023年度") and "ARI-01" in text and "自然人" in text
    with page.expect_download() as dl:
        result.locator("ul.links a", has_text="年报汇总.xlsx").click()
    assert read_workbook(dl.value.path()).data["applications"] == total["applications"]


# --- security -------------------------------------------------------------------------------------


def _csrf(wb: Workbench) -> str:
    status, _, body = wb.request("GET", "/")
    assert status == 200
    return re.search(rb'name="csrf" content="([^"]+)"', body).group(1).decode()


def _form(fields: dict) -> tuple[bytes, dict]:
    from urllib.parse import urlencode

    return urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"}


def test_no_token_is_refused(wb):
    for path in ("/", "/static/app.js", "/api/browse", "/api/ping", "/collect", "/download/x"):
        status, headers, body = wb.request("GET", path, token=False)
        assert status == 403, path
        text = json.loads(body)["error"] if path.startswith("/api/") else body.decode("utf-8")
        assert "没有访问令牌" in text, path
    status, _, _ = wb.request("GET", "/", token=False, headers={"Cookie": f"nianbao_token_{wb.port}=wrong"})
    assert status == 403
    status, _, _ = wb.request("GET", "/?token=wrong", token=False)
    assert status == 403
    body, h = _form({"source": "x"})
    status, _, _ = wb.request("POST", "/do/validate", token=False, body=body, headers=h)
    assert status == 403
    # the opened address sets the cookie and drops the token from the address
    status, headers, _ = wb.request("GET", f"/?token={wb.token}", token=False)
    assert status == 302 and headers["location"] == "/" and "httponly" in headers["set-cookie"].lower()
    assert "samesite=strict" in headers["set-cookie"].lower()


def test_foreign_host_is_refused(wb):
    for host in ("evil.example", f"evil.example:{wb.port}", f"127.0.0.1.nip.io:{wb.port}", "127.0.0.1"):
        status, _, body = wb.request("GET", "/", headers={"Host": host})
        assert status == 403, host
        assert "主机名" in body.decode("utf-8")
    assert wb.request("GET", "/", headers={"Host": f"localhost:{wb.port}"})[0] == 200


def test_no_cors_and_csrf_required(wb):
    status, headers, _ = wb.request("OPTIONS", "/do/validate", token=False,
                                    headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert status == 403 and not any(k.startswith("access-control-") for k in headers)
    status, headers, _ = wb.request("GET", "/api/ping", headers={"Origin": "http://evil.example"})
    assert status == 200 and not any(k.startswith("access-control-") for k in headers)
    body, h = _form({"source": "x"})
    status, _, answer = wb.request("POST", "/do/validate", body=body, headers=h)  # token, no CSRF
    assert status == 403 and "校验码" in json.loads(answer)["error"]
    status, _, _ = wb.request("POST", "/do/validate", body=body,
                              headers={**h, "X-CSRF-Token": _csrf(wb), "Origin": "http://evil.example"})
    assert status == 403
    status, _, _ = wb.request("GET", "/do/validate")  # state changes are POST only
    assert status == 405


def test_paths_not_picked_or_outside_the_chosen_folder_are_refused(page, wb, work):
    csrf = _csrf(wb)
    secret = wb.home / "secret.txt"
    secret.write_text("不该被读到")
    (work / "ok.txt").write_text("可以")
    (work / "link.txt").symlink_to(secret)
    # a path in the request instead of a pick: refused
    body, h = _form({"source": str(haining_2023(work))})
    status, _, answer = wb.request("POST", "/do/validate", body=body, headers={**h, "X-CSRF-Token": csrf})
    assert status == 403 and "只能使用在本工作台中选择" in json.loads(answer)["error"]
    # pick the folder in the page, then try to leave it
    goto(page, wb, "汇总")
    pick(page, "returns", work)
    pick_id = page.locator('.pick[data-name="returns"] .pick-id').input_value()
    assert wb.request("GET", f"/file/{pick_id}/ok.txt")[2].decode() == "可以"
    for name in ("../secret.txt", "..%2Fsecret.txt", "%2E%2E/secret.txt", "link.txt", str(secret).lstrip("/"),
                 "%2F" + str(secret).lstrip("/")):
        status, _, body = wb.request("GET", f"/file/{pick_id}/{name}")
        assert status in (403, 404), name
        assert "不该被读到" not in body.decode("utf-8", "replace")
    status, _, _ = wb.request("GET", "/file/not-a-pick/ok.txt")
    assert status == 403
    # a new folder named with a path, inside a folder the person picked
    roster = work / "名单.csv"
    roster.write_text("名称,类型\n海宁市教育局,部门\n", encoding="utf-8")
    goto(page, wb, "下发")
    pick(page, "roster", roster)
    pick(page, "out", work)
    page.locator("input[name=name]").fill("../逃出去")
    page.locator("form.action button[type=submit]").click()
    from playwright.sync_api import expect

    expect(page.locator("#result .message.error")).to_contain_text("不能含有路径")
    assert not (wb.home / "逃出去").exists()


def test_an_oversized_upload_is_refused(wb):
    boundary = "nianbao-test-boundary"
    payload = os.urandom(UPLOAD_LIMIT_MB * 1024 * 1024 + 1024)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.xlsx\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + payload + f"\r\n--{boundary}--\r\n".encode()
    status, _, answer = wb.request("POST", "/api/upload", body=body,
                                   headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                                            "X-CSRF-Token": _csrf(wb)})
    assert status == 413 and f"不能超过 {UPLOAD_LIMIT_MB} MB" in json.loads(answer)["error"]
    uploads = [p for p in Path("/tmp").glob("nianbao-ui-*/upload-*/*") if p.stat().st_size > UPLOAD_LIMIT_MB << 20]
    assert not uploads


def test_a_script_in_the_agency_name_or_the_prose_is_shown_as_text(page, wb, work):
    agency = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">海宁市'
    prose = "<script>window.__pwned=3</script>问题是<b>没有</b>"
    data = load_fixture("haining-2023")
    data["meta"]["agency"] = agency
    data["text"]["problems"] = prose
    src = work / "x.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    book = work / "x.xlsx"
    assert nianbao("import", src, "-o", book).code == 0
    pick(page, "source", book)
    result = run(page, "校验")
    assert agency in result.locator(".summary").inner_text()
    assert result.locator("img, script").count() == 0 and result.locator("b:not([class])").count() == 0
    goto(page, wb, "生成报告")
    pick(page, "source", book)
    run(page, "预览")
    from playwright.sync_api import expect

    body = page.frame_locator("iframe.preview").locator("body")
    expect(body).to_contain_text(prose)
    assert body.locator("script, b, img[src=x]").count() == 0
    assert page.evaluate("window.__pwned") is None


# --- starting, reusing, stopping, the shortcut ------------------------------------------------------


def test_ui_prints_its_address_reuses_the_running_one_and_keeps_the_token_private(wb):
    info = state_file(wb.home)
    assert oct(info.stat().st_mode & 0o777) == "0o600" and oct(info.parent.stat().st_mode & 0o777) == "0o700"
    p = subprocess.run([sys.executable, "-m", "nianbao", "ui", "--no-browser"], capture_output=True, text=True,
                       env=server_env(wb.home), timeout=30)
    assert p.returncode == 0
    assert f"工作台已在运行：{wb.url}" in p.stdout
    assert json.loads(info.read_text())["pid"] == wb.proc.pid  # still the first one
    status, _, body = wb.request("GET", "/api/ping")
    assert status == 200 and json.loads(body)["app"] == "nianbao-workbench"


def test_the_quit_button_and_ctrl_c_stop_it(browser, tmp_path):
    server = start(tmp_path / "a", "--no-browser")
    out = server.proc.stdout.readline()
    assert out.strip() == f"工作台已启动：{server.url}"
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(server.url)
    pg.locator("#quit").click()
    from playwright.sync_api import expect

    expect(pg.locator("h1")).to_have_text("工作台已退出，可以关闭这个页面。")
    assert server.proc.wait(15) == 0
    assert not state_file(server.home).exists()
    context.close()
    other = start(tmp_path / "b")
    other.proc.send_signal(signal.SIGINT)
    assert other.proc.wait(15) == 0
    assert not state_file(other.home).exists()
    assert "工作台已退出" in other.proc.communicate()[0]
    server.stop()


def test_install_shortcut_writes_a_desktop_entry_that_starts_the_workbench(tmp_path):
    home = tmp_path / "home"
    (home / "桌面").mkdir(parents=True)
    p = subprocess.run([sys.executable, "-m", "nianbao", "ui", "--install-shortcut"], capture_output=True, text=True,
                       env=server_env(home), timeout=30)
    assert p.returncode == 0, p.stderr
    menu = home / ".local" / "share" / "applications" / "nianbao-workbench.desktop"
    desk = home / "桌面" / "nianbao-workbench.desktop"
    for f in (menu, desk):
        assert f"已创建快捷方式 {f}" in p.stderr
        assert f.stat().st_mode & 0o100
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(menu, encoding="utf-8")
    e = entry["Desktop Entry"]
    assert e["Type"] == "Application" and e["Name"] == "政务公开年报工作台" and e["Terminal"] == "false"
    assert Path(e["Icon"]).read_text(encoding="utf-8").startswith("<svg")
    validate = shutil.which("desktop-file-validate")
    if validate:
        assert subprocess.run([validate, str(menu)], capture_output=True, text=True).returncode == 0
    # what the desktop runs when the icon is clicked: the workbench starts, for this user
    argv = shlex.split(e["Exec"])
    assert argv[0] == sys.executable and argv[1:] == ["-m", "nianbao", "ui"]
    proc = subprocess.Popen(argv + ["--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=server_env(home))
    try:
        assert proc.stdout.readline().startswith("工作台已启动：http://127.0.0.1:")
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(15) == 0
        proc.communicate()
