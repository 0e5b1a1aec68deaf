/* 政务公开年报 — the WPS 表格 add-in (WPS 加载项).
 *
 * The four buttons of the Excel ribbon.  Python does the work in the local workbench service
 * (`nianbao ui --serve`, started at login); this file only reads the open workbook in one sweep,
 * sends it to http://127.0.0.1:<port>/api/wps/<button> with the token from the user-only
 * workbench.json, and writes back what Excel would allow under protection: values into unlocked
 * input cells, the hidden sheet (mark lists, last year's data) and the 校验结果 sheet.  The red and
 * orange marks come from the template's conditional formats keyed to the hidden sheet's lists.
 * Everything is asked and computed before the first write; if a write fails, those already made
 * are put back.
 */
(function (global) {
  "use strict";

  var RESULTS_SHEET = "校验结果"; // = addin/excel/results_sheet.RESULTS_SHEET (a test holds them equal)
  var START_HINT = "没有连上本机的 nianbao 服务。\n\n" +
    "请先启动它：在终端（命令行）运行\n    nianbao ui --serve\n" +
    "（安装插件时已设置为登录后自动启动；重新登录电脑也会启动它。）\n启动后再点一次按钮。";
  var ICONS = {
    nianbaoValidate: "icons/validate.png", nianbaoPullPrior: "icons/carry.png",
    nianbaoGenerate: "icons/generate.png", nianbaoNew: "icons/new.png"
  };
  var busy = false;

  function ServiceDown(detail) { this.detail = detail; }
  function ApiError(zh, en) { this.zh = zh; this.en = en; }

  function wpsApi() { return global.wps; }
  function app() { return global.Application || (global.wps && global.wps.Application); }

  // --- the service: where it is, and one call -------------------------------------------------------

  function isWindows() { return /^Win/i.test(global.navigator && global.navigator.platform || ""); }

  function statePath() {
    var cfg = global.NIANBAO_CONFIG || {};
    if (cfg.stateFile) return cfg.stateFile;
    var env = wpsApi().Env;
    if (isWindows()) return env.GetAppDataPath() + "\\nianbao\\workbench.json";
    return env.GetHomePath() + "/.config/nianbao/workbench.json";
  }

  function serviceInfo() {
    var fs = wpsApi().FileSystem, path = statePath(), text;
    try {
      if (!fs.Exists(path)) throw new ServiceDown("no " + path);
      text = fs.ReadFile(path);
    } catch (e) {
      if (e instanceof ServiceDown) throw e;
      throw new ServiceDown(String(e));
    }
    var info;
    try { info = JSON.parse(text); } catch (e) { throw new ServiceDown("unreadable " + path); }
    if (!info || typeof info.port !== "number" || !info.token) throw new ServiceDown("incomplete " + path);
    return info;
  }

  function call(action, body) {
    var info = serviceInfo();
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "http://127.0.0.1:" + info.port + "/api/wps/" + action, true);
      xhr.setRequestHeader("Content-Type", "application/json");
      xhr.setRequestHeader("X-Nianbao-Token", info.token);
      xhr.timeout = 180000;
      xhr.onload = function () {
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { /* below */ }
        if (xhr.status === 200 && answer) resolve(answer);
        else if (answer && answer.error) reject(new ApiError(answer.error, answer.en || ""));
        else reject(new ApiError("本机服务返回了无法识别的答复（HTTP " + xhr.status + "）。", "bad answer"));
      };
      xhr.onerror = function () { reject(new ServiceDown("connection failed")); };
      xhr.ontimeout = function () { reject(new ApiError("本机服务在 3 分钟内没有答复，请稍后再试。", "timeout")); };
      xhr.send(JSON.stringify(body));
    });
  }

  // --- the workbook: one sweep in, guarded writes out -----------------------------------------------

  function activeBook() {
    var wb = app().ActiveWorkbook;
    if (!wb) {
      global.alert("没有打开的工作簿。请先打开年报模板，或点“新建年报”。");
      return null;
    }
    return wb;
  }

  function address(rng) {
    var a = typeof rng.Address === "function" ? rng.Address(false, false) : rng.Address;
    return String(a).replace(/\$/g, "");
  }

  function findSheet(wb, name) {
    var sheets = wb.Worksheets;
    for (var i = 1; i <= sheets.Count; i++) {
      if (sheets.Item(i).Name === name) return sheets.Item(i);
    }
    return null;
  }

  function rows2d(value) {
    if (value === null || value === undefined) return [];
    return Array.isArray(value) ? value : [[value]];
  }

  function savedPath(wb) { return wb.Path ? wb.FullName : ""; }

  /* The values of every workbook-scope name, the sheets and their protection, and the 校验结果
     sheet's rows (for the confirmations typed there): everything 校验 and 导入上年数据 need. */
  function sweep(wb) {
    var sheets = {}, names = {}, ws = wb.Worksheets, ns = wb.Names, i;
    for (i = 1; i <= ws.Count; i++) sheets[ws.Item(i).Name] = { "protected": !!ws.Item(i).ProtectContents };
    for (i = 1; i <= ns.Count; i++) {
      var n = ns.Item(i), name = n.Name, rng;
      if (name.indexOf("!") >= 0) continue; // a sheet-scope name: not ours
      try { rng = n.RefersToRange; } catch (e) { continue; } // a constant or #REF!
      if (!rng) continue;
      names[name] = { sheet: rng.Worksheet.Name, ref: address(rng), value: rng.Value2 };
    }
    var res = findSheet(wb, RESULTS_SHEET);
    return { name: wb.Name, fullName: savedPath(wb), names: names, sheets: sheets,
             results: res ? rows2d(res.UsedRange.Value2) : null };
  }

  function Writes() { this.done = []; }
  Writes.prototype.set = function (rng, value) {
    this.done.push([rng, rng.Value2]);
    if (value === null || value === undefined) rng.ClearContents();
    else rng.Value2 = value;
  };
  Writes.prototype.undo = function () {
    for (var i = this.done.length - 1; i >= 0; i--) {
      try { this.done[i][0].Value2 = this.done[i][1]; } catch (e) { /* keep undoing the rest */ }
    }
    this.done = [];
  };

  function column(n) {
    var s = "";
    while (n > 0) { var m = (n - 1) % 26; s = String.fromCharCode(65 + m) + s; n = Math.floor((n - 1) / 26); }
    return s;
  }

  // --- the buttons ------------------------------------------------------------------------------------

  function validate() {
    var wb = activeBook();
    if (!wb) return Promise.resolve();
    return call("validate", sweep(wb)).then(function (answer) {
      var r = answer.results, m = answer.marks, w = new Writes(), added = null;
      try {
        w.set(wb.Worksheets.Item(m.sheet).Range(m.range), m.values); // the marks: values on the hidden sheet
        var sheet = findSheet(wb, r.sheet);
        if (!sheet) {
          sheet = added = wb.Worksheets.Add(undefined, wb.Worksheets.Item(wb.Worksheets.Count));
          sheet.Name = r.sheet;
        } else {
          w.set(sheet.UsedRange, null); // our own sheet: the old rows go (its formats stay)
        }
        sheet.Range("A1:" + column(r.width) + r.rows.length).Value2 = r.rows; // one block; links are HYPERLINK formulas
      } catch (e) {
        w.undo();
        if (added) { try { added.Delete(); } catch (e2) { /* nothing more to do */ } }
        throw e;
      }
      showFindings(answer);
      global.alert(answer.message);
    });
  }

  function carryForward() {
    var wb = activeBook();
    if (!wb) return Promise.resolve();
    var body = sweep(wb);
    function ask(answer) {
      if (answer.status === "ask_last") {
        var last = global.prompt(answer.question, "");
        if (last === null || !last.trim()) { global.alert("已取消，没有做任何改动。"); return null; }
        body.last = last.trim();
        return call("carry-forward", body).then(ask);
      }
      if (answer.status === "conflicts") {
        if (!global.confirm(answer.question)) { global.alert("已取消，没有做任何改动。"); return null; }
        body.last = answer.last;
        body.overwrite = true;
        return call("carry-forward", body).then(ask);
      }
      if (answer.status === "nothing") { global.alert(answer.message); return null; }
      var w = new Writes();
      try {
        for (var i = 0; i < answer.writes.length; i++) {
          var x = answer.writes[i];
          w.set(wb.Worksheets.Item(x.sheet).Range(x.ref), x.value);
        }
        for (var j = 0; j < answer.names.length; j++) wb.Names.Add(answer.names[j].name, answer.names[j].refersTo);
      } catch (e) {
        w.undo();
        throw e;
      }
      global.alert(answer.message);
      return null;
    }
    return call("carry-forward", body).then(ask);
  }

  /* 生成报告 and 新建年报 work on the saved file: ask to save first. */
  function saved(wb, what) {
    if (!wb.Path) {
      global.alert("请先保存工作簿（文件 → 另存为，保存为 .xlsx），再点“" + what + "”。");
      return false;
    }
    if (!wb.Saved) {
      if (!global.confirm("工作簿有未保存的修改，“" + what + "”用的是已保存的文件。\n现在保存吗？")) {
        global.alert("已取消：没有保存，也没有" + what + "。");
        return false;
      }
      wb.Save();
    }
    return true;
  }

  function generate() {
    var wb = activeBook();
    if (!wb || !saved(wb, "生成报告")) return Promise.resolve();
    return call("generate", { fullName: wb.FullName }).then(function (answer) { global.alert(answer.message); });
  }

  function newReport() {
    var wb = app().ActiveWorkbook;
    var from = wb && wb.Path ? wb.FullName : "";
    return call("new", { fullName: from }).then(function (d) {
      var agency = global.prompt("新年报的机关名称：", d.agency);
      if (agency === null) return cancelled();
      var year = global.prompt("年度（如 " + d.year + "）：", String(d.year));
      if (year === null) return cancelled();
      var folder = global.prompt("新年报保存到哪个文件夹？", d.folder);
      if (folder === null) return cancelled();
      return call("new", { create: true, agency: agency, year: year, folder: folder }).then(function (made) {
        app().Workbooks.Open(made.path);
        global.alert(made.message);
      });
    });
  }

  function cancelled() { global.alert("已取消，没有新建年报。"); return null; }

  // --- findings in a task pane ------------------------------------------------------------------------

  function showFindings(answer) {
    var w = wpsApi();
    w.PluginStorage.setItem("nianbao.findings", JSON.stringify({ message: answer.message, findings: answer.findings }));
    var id = w.PluginStorage.getItem("nianbao.taskpane");
    var pane = id ? w.GetTaskPane(id) : null;
    if (!pane) {
      var here = String(global.location.href).replace(/[^\/]*$/, "");
      pane = w.CreateTaskPane(here + "taskpane.html");
      w.PluginStorage.setItem("nianbao.taskpane", pane.ID);
    }
    pane.Visible = true;
  }

  // --- ribbon callbacks -------------------------------------------------------------------------------

  var ACTIONS = { nianbaoValidate: validate, nianbaoPullPrior: carryForward, nianbaoGenerate: generate, nianbaoNew: newReport };

  function report(e) {
    if (e instanceof ServiceDown) global.alert(START_HINT);
    else if (e instanceof ApiError) global.alert("错误：" + e.zh);
    else global.alert("写入工作簿时出错，本次写入已撤销：" + (e && e.message ? e.message : e));
  }

  global.ribbon = {
    OnAddinLoad: function (ribbonUI) {
      global.ribbonUI = ribbonUI;
      return true;
    },
    OnAction: function (control) {
      var fn = ACTIONS[control.Id];
      if (!fn) return Promise.resolve();
      if (busy) { global.alert("上一个操作还没有完成，请稍候。"); return Promise.resolve(); }
      busy = true;
      var done = function () { busy = false; };
      var p;
      try { p = Promise.resolve(fn()); } catch (e) { p = Promise.reject(e); }
      return p.catch(report).then(done, done);
    },
    GetImage: function (control) {
      return ICONS[control.Id] || "";
    }
  };
})(window);
