"""The WPS add-in (addin/wps/jsaddon) end to end, without WPS: its main.js runs in headless Chromium
against a stand-in of WPS 表格's object model as strict as Excel (tests/wps_standin.js: only the
calls the add-in makes; locked cells of protected sheets and formatting there throw), loaded from
file:// as WPS loads it, with the real local service (`nianbao ui --serve` on a fake HOME) behind
it.  The book is a real filled template (recalculated by LibreOffice); what the add-in wrote is
put back into the .xlsx and read by our reader, or compared with what the command line writes.
Dialogs are the browser's own (alert/confirm/prompt), answered by a script.  Without Chromium or
LibreOffice these tests fail, never skip.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import REPO, fixture_path, nianbao
from openpyxl.workbook.defined_name import DefinedName
from test_workbench import CHROMIUM_ARGS, start

from nianbao.addin.excel.results_sheet import HEADER_ROW, RESULTS_SHEET
from nianbao.workbook_templates.format.report_data import get_path
from nianbao.workbook_templates.xlsx.reader import read_workbook

ADDIN = REPO / "addin" / "wps" / "jsaddon"
STANDIN = REPO / "tests" / "wps_standin.js"
START_HINT = "没有连上本机的 nianbao 服务"


# --- the pieces: workbooks, the service, the browser ---------------------------------------------------


@pytest.fixture(scope="module")
def books(tmp_path_factory, libreoffice) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("wps")
    made = {"hk2020": tmp / "虹口区-2020.xlsx", "hk2019": tmp / "虹口区-2019.xlsx", "blank2020": tmp / "空白-2020.xlsx"}
    nianbao("import", fixture_path("hongkou-2020"), "-o", made["hk2020"])
    nianbao("import", fixture_path("hongkou-2019"), "-o", made["hk2019"])
    nianbao("new", "--year", "2020", "--agency", "上海市虹口区", "--kind", "government", "-o", made["blank2020"])
    out = libreoffice.recalc(list(made.values()), tmp / "lo")
    return dict(zip(made, out))


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    server = start(tmp_path_factory.mktemp("wpshome"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("Chromium is required for the WPS add-in tests: apt-get install chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


def book_spec(path: Path | None, *, never_saved: bool = False, saved: bool = True) -> dict | None:
    """A workbook as WPS would show it: values (cached results of formulas), protection, locked cells."""
    if path is None:
        return None
    values = openpyxl.load_workbook(path, data_only=True)
    styles = openpyxl.load_workbook(path)
    sheets = []
    for ws in values.worksheets:
        st = styles[ws.title]
        cells, unlocked = {}, []
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None and c.value != "":
                    v = c.value
                    cells[c.coordinate] = float(v) if isinstance(v, int) and not isinstance(v, bool) else v
        for row in st.iter_rows():
            for c in row:
                if c.protection is not None and c.protection.locked is False:
                    unlocked.append(c.coordinate)
        sheets.append({"name": ws.title, "cells": cells, "unlocked": unlocked, "protected": bool(st.protection.sheet),
                       "visible": {"visible": -1, "hidden": 0, "veryHidden": 2}[ws.sheet_state]})
    names = {n: dn.attr_text for n, dn in styles.defined_names.items()}
    where = {"name": "工作簿1", "fullName": "工作簿1", "path": ""} if never_saved else \
        {"name": path.name, "fullName": str(path), "path": str(path.parent)}
    return {**where, "saved": saved, "sheets": sheets, "names": names}


class Pane:
    """One add-in page with the stand-in; dialogs answered from ``answers`` (True/False for
    confirm, a string or None for prompt), all recorded in ``dialogs``."""

    def __init__(self, browser, spec: dict | None, home: Path, files: dict[str, str], addin: Path = ADDIN):
        self.context = browser.new_context(locale="zh-CN")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[tuple[str, str]] = []
        self.answers: list = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        boot = {"book": spec, "home": str(home), "appdata": str(home / "AppData"), "files": files}
        self.page.add_init_script(script="window.STANDIN_BOOK = " + json.dumps(boot, ensure_ascii=False) + ";")
        self.page.add_init_script(path=str(STANDIN))
        self.page.goto((addin / "index.html").as_uri())

    def _dialog(self, d) -> None:
        self.dialogs.append((d.type, d.message))
        if d.type == "alert":
            d.accept()
            return
        answer = self.answers.pop(0) if self.answers else pytest.fail(f"unexpected {d.type}: {d.message}")
        if answer is None or answer is False:
            d.dismiss()
        elif answer is True:  # OK: a prompt keeps what it proposes
            d.accept(d.default_value) if d.type == "prompt" else d.accept()
        else:
            d.accept(answer)

    def click(self, button: str, *answers) -> list[tuple[str, str]]:
        self.answers = list(answers)
        start_at = len(self.dialogs)
        self.page.evaluate(f"ribbon.OnAction({{Id: {json.dumps(button)}}})")
        assert not self.answers, f"unanswered: {self.answers}"
        return self.dialogs[start_at:]

    def alerts(self, dialogs) -> list[str]:
        return [m for t, m in dialogs if t == "alert"]

    def dump(self) -> dict:
        return self.page.evaluate("standin.dump()")

    def close(self) -> None:
        self.context.close()
        assert not self.errors, self.errors


def state_files(service) -> dict[str, str]:
    path = service.home / ".config" / "nianbao" / "workbench.json"
    return {str(path): path.read_text(encoding="utf-8")}


@pytest.fixture
def pane_for(browser, service):
    made: list[Pane] = []

    def make(spec, files=None, addin=ADDIN) -> Pane:
        p = Pane(browser, spec, service.home, state_files(service) if files is None else files, addin)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()


def sheet_of(dump: dict, name: str) -> dict:
    return next(s for s in dump["sheets"] if s["name"] == name)


def written_back(src: Path, spec: dict, dump: dict, dst: Path) -> Path:
    """What the add-in left in the stand-in, saved into the .xlsx as WPS would save it (values)."""
    wb = openpyxl.load_workbook(src)
    before = {s["name"]: s["cells"] for s in spec["sheets"]}
    for s in dump["sheets"]:
        ws = wb[s["name"]] if s["name"] in wb.sheetnames else wb.create_sheet(s["name"])
        old = before.get(s["name"], {})
        for ref in set(old) | set(s["cells"]):
            if old.get(ref) != s["cells"].get(ref):
                v = s["cells"].get(ref)
                ws[ref] = v[1:] if isinstance(v, str) and v.startswith("'") else v  # Excel's text prefix
    for name, target in dump["names"].items():
        if spec["names"].get(name) != target:
            wb.defined_names[name] = DefinedName(name, attr_text=target.lstrip("="))
    wb.save(dst)
    return dst


def results_rows(path: Path) -> list[list]:
    ws = openpyxl.load_workbook(path, data_only=True)[RESULTS_SHEET]
    return [[int(c.value) if isinstance(c.value, float) else (c.value or "") for c in row]
            for row in ws.iter_rows(min_row=1, max_col=8)]


def changed_locked_cells(spec: dict, dump: dict) -> list[str]:
    out = []
    for s in spec["sheets"]:
        if not s["protected"]:
            continue
        after = sheet_of(dump, s["name"])["cells"]
        out += [f"{s['name']}!{r}" for r in set(s["cells"]) | set(after)
                if s["cells"].get(r) != after.get(r) and r not in s["unlocked"]]
    return out


# --- 校验 -----------------------------------------------------------------------------------------------


def check_validate(pane: Pane, spec: dict, books, tmp_path) -> None:
    dialogs = pane.click("nianbaoValidate")
    assert pane.alerts(dialogs) == ["校验完成：错误 1 项，警告 1 项，详见“校验结果”工作表（红色为错误，橙色为警告）。"]
    dump = pane.dump()
    cli = tmp_path / "cli.xlsx"
    shutil.copy(books["hk2020"], cli)
    assert nianbao("validate", cli, "--annotate").code == 1
    ours = sheet_of(dump, RESULTS_SHEET)
    saved = written_back(books["hk2020"], spec, dump, tmp_path / "wps.xlsx")
    assert results_rows(saved) == results_rows(cli)  # the rows a clerk reads, as the command line writes them
    assert '=HYPERLINK("#\'文字部分\'!B11","文字部分!B11")' in ours["cells"].values()  # the link to the cell
    hidden = sheet_of(dump, "_nianbao")["cells"]
    errors = [hidden[f"H{i}"] for i in range(1, 1001) if f"H{i}" in hidden]
    warnings = [hidden[f"I{i}"] for i in range(1, 1001) if f"I{i}" in hidden]
    assert errors == ["文字部分!B11"]  # TXT-03: the oversight text cell
    assert warnings and not set(warnings) & set(errors)
    unlocked = {f"{s['name']}!{r}" for s in spec["sheets"] for r in s["unlocked"]}
    assert set(errors + warnings) <= unlocked  # only input cells are marked
    assert changed_locked_cells(spec, dump) == []
    # the typed figures are what they were
    assert read_workbook(saved).data["applications"] == read_workbook(books["hk2020"]).data["applications"]
    stored = json.loads(pane.page.evaluate("standin.storage['nianbao.findings']"))
    assert [f["rule"] for f in stored["findings"]] == [r[2] for r in results_rows(cli)[HEADER_ROW:]]
    assert [p["visible"] for p in pane.page.evaluate("standin.panes()")] == [True]


def test_validate_writes_results_and_marks_as_the_command_line(pane_for, books, tmp_path):
    spec = book_spec(books["hk2020"])
    pane = pane_for(spec)
    check_validate(pane, spec, books, tmp_path)
    # again: the sheet is replaced, not added twice; a confirmation typed there is kept
    dump = pane.dump()
    rows = sheet_of(dump, RESULTS_SHEET)["cells"]
    r = next(int(ref[1:]) for ref, v in rows.items() if ref.startswith("C") and v == "TXT-04")
    pane.page.evaluate(f"""() => {{ const s = Application.ActiveWorkbook.Worksheets.Item("{RESULTS_SHEET}");
        s.Range("F{r}").Value2 = "王五"; s.Range("G{r}").Value2 = "信息处理费另文说明"; }}""")
    alerts = pane.alerts(pane.click("nianbaoValidate"))
    assert alerts == ["校验完成：错误 1 项，警告 1 项，详见“校验结果”工作表（红色为错误，橙色为警告）。"]  # as the Excel ribbon counts
    dump = pane.dump()
    assert [s["name"] for s in dump["sheets"]].count(RESULTS_SHEET) == 1
    cells = sheet_of(dump, RESULTS_SHEET)["cells"]
    assert (cells.get(f"F{r}"), cells.get(f"G{r}")) == ("王五", "信息处理费另文说明")
    hidden = sheet_of(dump, "_nianbao")["cells"]
    assert "I1" not in hidden and hidden["H1"] == "文字部分!B11"  # the confirmed warning is no longer marked


def test_the_results_sheet_name_is_the_one_of_the_excel_ribbon():
    assert f'var RESULTS_SHEET = "{RESULTS_SHEET}";' in (ADDIN / "main.js").read_text(encoding="utf-8")


# --- 导入上年数据 --------------------------------------------------------------------------------------


def _beside(books, tmp_path, this: str, typed: int | None = None) -> Path:
    folder = tmp_path / "年报"
    folder.mkdir(exist_ok=True)
    shutil.copy(books["hk2019"], folder / "虹口区-2019.xlsx")
    path = folder / "虹口区-2020.xlsx"
    shutil.copy(books[this], path)
    if typed is not None:
        wb = openpyxl.load_workbook(path)
        wb["第三部分"]["D8"] = typed
        wb.save(path)
    return path


def test_carry_forward_fills_and_stores_last_year_as_the_command_line(pane_for, books, tmp_path):
    path = _beside(books, tmp_path, "blank2020")
    spec = book_spec(path)
    pane = pane_for(spec)
    alerts = pane.alerts(pane.click("nianbaoPullPrior"))  # last year's file is found beside this one
    assert len(alerts) == 1 and alerts[0].startswith("已从 虹口区-2019.xlsx 导入上年数据") and "第三部分!D8=70" in alerts[0]
    dump = pane.dump()
    assert changed_locked_cells(spec, dump) == []
    saved = written_back(path, spec, dump, tmp_path / "wps.xlsx")
    cli = tmp_path / "cli.xlsx"
    shutil.copy(path, cli)
    assert nianbao("carry-forward", "--from", tmp_path / "年报" / "虹口区-2019.xlsx", "--to", cli).code == 0
    ours, theirs = read_workbook(saved).data, read_workbook(cli).data
    assert ours["applications"]["carried_over"] == theirs["applications"]["carried_over"]
    assert get_path(ours, "applications.carried_over.natural") == 70 or ours["applications"]["carried_over"]
    assert ours["previous"] == theirs["previous"] and ours["previous"]["meta"]["year"] == 2019
    assert dump["names"]["previous"].startswith("='_nianbao'!$D$1") or dump["names"]["previous"].startswith("=_nianbao!$D$1")
    # a second click: nothing to do
    assert pane.alerts(pane.click("nianbaoPullPrior")) == ["上年结转已与上年一致，无需改动。"]


def test_carry_forward_asks_and_cancel_writes_nothing(pane_for, books, tmp_path):
    path = _beside(books, tmp_path, "blank2020", typed=65)
    spec = book_spec(path)
    pane = pane_for(spec)
    before = pane.dump()
    dialogs = pane.click("nianbaoPullPrior", False)
    assert dialogs[0][0] == "confirm" and "第三部分!D8：已填 65，上年结转下年度为 70" in dialogs[0][1]
    assert pane.alerts(dialogs) == ["已取消，没有做任何改动。"]
    assert pane.dump() == before
    dialogs = pane.click("nianbaoPullPrior", True)
    assert pane.alerts(dialogs)[0].startswith("已从 虹口区-2019.xlsx 导入上年数据")
    assert sheet_of(pane.dump(), "第三部分")["cells"]["D8"] == 70


def test_carry_forward_without_last_year_beside_asks_for_it(pane_for, books, tmp_path):
    spec = book_spec(books["blank2020"], never_saved=True, saved=False)  # never saved: no folder to look in
    pane = pane_for(spec)
    before = pane.dump()
    dialogs = pane.click("nianbaoPullPrior", None)
    assert dialogs[0][0] == "prompt" and "上年年报文件的完整路径" in dialogs[0][1]
    assert pane.alerts(dialogs) == ["已取消，没有做任何改动。"] and pane.dump() == before
    alerts = pane.alerts(pane.click("nianbaoPullPrior", str(books["hk2020"])))  # the wrong year
    assert alerts == ["错误：上年数据是 2020 年度的，本工作簿是 2020 年度：应为 2019 年度，没有做任何改动。"]
    assert pane.dump() == before
    alerts = pane.alerts(pane.click("nianbaoPullPrior", str(books["hk2019"])))
    assert alerts[0].startswith("已从")


# --- 生成报告 --------------------------------------------------------------------------------------------


def test_generate_asks_to_save_first(pane_for, books, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "虹口区-2020.xlsx"
    shutil.copy(books["hk2020"], path)
    pane = pane_for(book_spec(books["hk2020"], never_saved=True, saved=False))
    assert pane.alerts(pane.click("nianbaoGenerate")) == ["请先保存工作簿（文件 → 另存为，保存为 .xlsx），再点“生成报告”。"]
    pane = pane_for(book_spec(path, saved=False))
    dialogs = pane.click("nianbaoGenerate", False)
    assert dialogs[0][0] == "confirm" and pane.alerts(dialogs) == ["已取消：没有保存，也没有生成报告。"]
    assert sorted(p.name for p in folder.iterdir()) == ["虹口区-2020.xlsx"] and pane.dump()["saves"] == 0
    dialogs = pane.click("nianbaoGenerate", True)
    assert pane.dump()["saves"] == 1
    alerts = pane.alerts(dialogs)
    assert alerts[0].startswith(f"已生成：{folder / '虹口区-2020.docx'}\n已生成：{folder / '虹口区-2020.html'}")
    assert sorted(p.name for p in folder.iterdir()) == ["虹口区-2020.docx", "虹口区-2020.html", "虹口区-2020.xlsx"]
    html = (folder / "虹口区-2020.html").read_text(encoding="utf-8")
    assert "上海市虹口区人民政府" in html or "虹口区" in html


# --- 新建年报 --------------------------------------------------------------------------------------------


def test_new_report_creates_and_opens_and_cancel_makes_nothing(pane_for, books, tmp_path):
    folder = tmp_path / "新"
    folder.mkdir()
    path = folder / "虹口区-2020.xlsx"
    shutil.copy(books["hk2020"], path)
    pane = pane_for(book_spec(path))
    dialogs = pane.click("nianbaoNew", None)
    assert [t for t, _ in dialogs] == ["prompt", "alert"] and dialogs[-1][1] == "已取消，没有新建年报。"
    assert sorted(p.name for p in folder.iterdir()) == ["虹口区-2020.xlsx"]
    pane.click("nianbaoNew", True, "2021", True)  # accept the proposals: this agency, next year, this folder
    agency = read_workbook(path).data["meta"]["agency"]
    made = folder / f"{agency}-2021.xlsx"
    assert made.is_file() and pane.page.evaluate("standin.opened") == [str(made)]
    meta = read_workbook(made).data["meta"]
    assert (meta["year"], meta["agency"]) == (2021, agency)
    before = made.read_bytes()
    dialogs = pane.click("nianbaoNew", True, "2021", True)  # the same one again: opened as it is, never replaced
    assert pane.alerts(dialogs) == [f"已打开已有的 {made}（2021 年度，未改动）。"]
    assert pane.page.evaluate("standin.opened") == [str(made), str(made)] and made.read_bytes() == before


# --- edges: no service, no book, bad token -------------------------------------------------------------


def test_service_not_running_gives_the_chinese_alert(pane_for, books, tmp_path, service):
    spec = book_spec(books["hk2020"])
    state = str(service.home / ".config" / "nianbao" / "workbench.json")
    pane = pane_for(spec, files={})  # no workbench.json: never started
    for button in ("nianbaoValidate", "nianbaoPullPrior", "nianbaoGenerate", "nianbaoNew"):
        alerts = pane.alerts(pane.click(button))
        assert len(alerts) == 1 and alerts[0].startswith(START_HINT) and "nianbao ui --serve" in alerts[0]
    stale = json.dumps({"port": 9, "token": "x", "pid": 1})  # a file left behind by a service that died
    pane = pane_for(spec, files={state: stale})
    before = pane.dump()
    alerts = pane.alerts(pane.click("nianbaoValidate"))
    assert len(alerts) == 1 and alerts[0].startswith(START_HINT)
    assert pane.dump() == before
    wrong = json.dumps({"port": service.port, "token": "not-the-token", "pid": 1})
    pane = pane_for(spec, files={state: wrong})
    assert pane.alerts(pane.click("nianbaoValidate"))[0].startswith("错误：没有访问令牌")


def test_no_workbook_open_or_not_ours(pane_for):
    pane = pane_for(None)
    assert pane.alerts(pane.click("nianbaoValidate")) == ["没有打开的工作簿。请先打开年报模板，或点“新建年报”。"]
    other = {"name": "工资表.xlsx", "fullName": "/tmp/工资表.xlsx", "path": "/tmp", "saved": True, "names": {},
             "sheets": [{"name": "Sheet1", "cells": {"A1": "姓名"}, "unlocked": [], "protected": False}]}
    pane = pane_for(other)
    for button in ("nianbaoValidate", "nianbaoPullPrior"):
        alerts = pane.alerts(pane.click(button))
        assert alerts == ["错误：当前工作簿 不是 nianbao 年报模板（找不到定义名称 edition），或模板已损坏。"
                          "请先点“新建年报”，或打开填好的年报模板。"]
    assert pane.dump()["sheets"] == [{"name": "Sheet1", "cells": {"A1": "姓名"}, "links": {}}]


def test_the_api_gate(service):
    h = {"Content-Type": "application/json"}
    code, headers, _ = service.request("OPTIONS", "/api/wps/validate", token=False,
                                       headers={"Origin": "null", "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "content-type,x-nianbao-token"})
    assert code == 204 and headers["access-control-allow-origin"] == "*"
    assert "x-nianbao-token" in headers["access-control-allow-headers"].lower()
    code, headers, body = service.request("POST", "/api/wps/validate", token=False, headers=h, body=b"{}")
    assert code == 403 and headers["access-control-allow-origin"] == "*" and "令牌" in json.loads(body)["error"]
    cookie = {"Cookie": f"nianbao_token_{service.port}={service.token}", **h}
    assert service.request("POST", "/api/wps/validate", token=False, headers=cookie, body=b"{}")[0] == 403
    code, _, _ = service.request("POST", "/api/wps/validate", headers={"Host": f"evil.example:{service.port}", **h},
                                 body=b"{}")
    assert code == 403
    code, _, body = service.request("POST", "/api/wps/generate", headers=h,
                                    body=json.dumps({"fullName": "/etc/passwd"}).encode())
    assert code == 400 and "应为已保存的 .xlsx" in json.loads(body)["error"]
    code, _, body = service.request("POST", "/api/wps/validate", headers=h, body=b"[1]")
    assert code == 400 and json.loads(body)["error"]
    # the pages keep their rule: no CORS header anywhere else
    assert "access-control-allow-origin" not in service.request("GET", "/api/ping")[1]


# --- a broken add-in fails these tests --------------------------------------------------------------------

BROKEN = {
    # colouring the cells instead of listing them on the hidden sheet: formatting a protected sheet
    "formats the marked cells": (
        "w.set(wb.Worksheets.Item(m.sheet).Range(m.range), m.values);",
        "for (var k = 0; k < m.error.length; k++) { var p = m.error[k].split('!');"
        " wb.Worksheets.Item(p[0]).Range(p[1]).Interior.Color = 255; }"),
    # the marks written over the input cells themselves
    "writes marks into the input cells": (
        "w.set(wb.Worksheets.Item(m.sheet).Range(m.range), m.values);",
        "for (var k = 0; k < m.error.length; k++) { var p = m.error[k].split('!');"
        " wb.Worksheets.Item(p[0]).Range(p[1]).Value2 = '!'; }"),
}
FORGETS_CONFIRMATIONS = ("results: res ? rows2d(res.UsedRange.Value2) : null", "results: null")


@pytest.mark.parametrize("mutation", list(BROKEN))
def test_a_broken_addin_fails(mutation, pane_for, books, tmp_path):
    old, new = BROKEN[mutation]
    broken = tmp_path / "jsaddon"
    shutil.copytree(ADDIN, broken)
    text = (broken / "main.js").read_text(encoding="utf-8")
    assert old in text
    (broken / "main.js").write_text(text.replace(old, new), encoding="utf-8")
    spec = book_spec(books["hk2020"])
    pane = pane_for(spec, addin=broken)
    with pytest.raises(AssertionError):
        check_validate(pane, spec, books, tmp_path)


def test_a_broken_addin_loses_the_confirmation(pane_for, books, tmp_path):
    old, new = FORGETS_CONFIRMATIONS
    broken = tmp_path / "jsaddon"
    shutil.copytree(ADDIN, broken)
    (broken / "main.js").write_text((broken / "main.js").read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    with pytest.raises(AssertionError):
        test_validate_writes_results_and_marks_as_the_command_line(
            lambda spec, files=None, addin=ADDIN: pane_for(spec, files, broken), books, tmp_path)


def test_the_task_pane_shows_the_findings_as_text(browser, pane_for, books):
    pane = pane_for(book_spec(books["hk2020"]))
    pane.click("nianbaoValidate")
    stored = pane.page.evaluate("standin.storage['nianbao.findings']")
    url = pane.page.evaluate("standin.panes()")[0]["url"]
    assert url == (ADDIN / "taskpane.html").as_uri()
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(script="window.wps = {PluginStorage: {getItem: () => " + json.dumps(stored) + "}};")
        page.goto(url)
        items = page.locator("#findings li").all_inner_texts()
        assert page.locator("#summary").inner_text().startswith("校验完成：错误 1 项，警告 1 项")
        assert len(items) == len(json.loads(stored)["findings"]) == 3 and items[0].startswith("【错误】TXT-03") and "涉及：文字部分!B11" in items[0]
        assert not errors
    finally:
        context.close()


def test_the_installed_addin_finds_the_service_through_its_config(pane_for, books, service, tmp_path):
    """`nianbao addin install --wps` bakes this user's workbench.json path into config.js: the installed
    add-in finds the service even where WPS's home path would not lead to it."""
    from test_wps_install import home_env, jsaddons

    from nianbao import __version__

    assert nianbao("addin", "install", "--wps", env=home_env(service.home)).code == 0
    installed = jsaddons(service.home) / f"nianbao_{__version__}"
    try:
        pane = pane_for(book_spec(books["hk2020"]), files=state_files(service), addin=installed)
        pane.page.evaluate("() => { wps.Env.GetHomePath = () => '/nowhere'; }")
        assert pane.alerts(pane.click("nianbaoValidate"))[0].startswith("校验完成：错误 1 项")
        pane = pane_for(book_spec(books["hk2020"]), files=state_files(service))  # the repository's copy: no config
        pane.page.evaluate("() => { wps.Env.GetHomePath = () => '/nowhere'; }")
        assert pane.alerts(pane.click("nianbaoValidate"))[0].startswith(START_HINT)
    finally:
        assert nianbao("addin", "uninstall", "--wps", env=home_env(service.home)).code == 0


def test_a_broken_addin_that_ignores_cancel_fails(pane_for, books, tmp_path):
    old = "if (!global.confirm(answer.question)) {"
    broken = tmp_path / "jsaddon"
    shutil.copytree(ADDIN, broken)
    text = (broken / "main.js").read_text(encoding="utf-8")
    assert old in text
    (broken / "main.js").write_text(text.replace(old, "if (!global.confirm(answer.question) && false) {"),
                                    encoding="utf-8")
    with pytest.raises(AssertionError):
        test_carry_forward_asks_and_cancel_writes_nothing(
            lambda spec, files=None, addin=ADDIN: pane_for(spec, files, broken), books, tmp_path)
