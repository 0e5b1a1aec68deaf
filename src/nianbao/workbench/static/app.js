/* nianbao 工作台: the picker, uploads, actions with progress, sortable tables, 退出.
   Text from the server is written with textContent only; HTML comes only from our own
   server-rendered (autoescaped) fragments.  No inline script (CSP), no external asset. */
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf"]').getAttribute("content");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function post(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"X-CSRF-Token": csrf}}).then(answer);
  }

  function answer(r) {
    return r.json().catch(function () { return {error: "服务器没有正常回答（" + r.status + "）。"}; })
      .then(function (j) { if (!r.ok && !j.error) j.error = "请求失败（" + r.status + "）。"; return j; });
  }

  function showError(target, text) {
    target.textContent = "";
    var box = el("div", "message error", text);
    box.setAttribute("role", "alert");
    target.appendChild(box);
  }

  /* ---------- the picker ---------- */
  var picker = document.getElementById("picker");
  var current = null;  // {field, ref}

  function setPick(field, pick) {
    field.querySelector(".pick-id").value = pick.id;
    var shown = field.querySelector(".chosen");
    shown.textContent = pick.uploaded ? (pick.name + "（已上传）") : pick.path;
    shown.title = pick.path;
    field.classList.add("has-pick");
    field.dispatchEvent(new CustomEvent("picked", {bubbles: true, detail: pick}));
  }

  function openPicker(field) {
    current = {field: field, ref: null};
    picker.querySelector(".picker-title").textContent =
      field.dataset.want === "dir" ? "选择文件夹" : "选择文件";
    picker.querySelector(".pick-here").hidden = field.dataset.want !== "dir";
    picker.hidden = false;
    browse("");
  }

  var browsing = 0;  // answers can come back out of order: only the latest request's is shown
  var typed = false;  // the person is in the address box: an answer still on its way must not overwrite it

  function browse(query) {
    var mine = ++browsing;
    typed = false;
    var f = current.field;
    var url = "/api/browse?want=" + encodeURIComponent(f.dataset.want) +
      "&suffixes=" + encodeURIComponent(f.dataset.suffixes || "") + query;
    var list = picker.querySelector(".entries");
    fetch(url, {credentials: "same-origin"}).then(answer).then(function (j) {
      if (mine !== browsing) { return; }  // a later click has asked for another folder
      if (j.error) { showError(list, j.error); return; }
      current.ref = j.ref;
      if (!typed) picker.querySelector(".address").value = j.path;
      var up = picker.querySelector(".up");
      up.disabled = !j.parent;
      up.dataset.ref = j.parent || "";
      var placesBox = picker.querySelector(".places");
      placesBox.textContent = "";
      j.places.forEach(function (p) {
        var b = el("button", "place", p.name);
        b.type = "button";
        b.addEventListener("click", function () { browse("&ref=" + encodeURIComponent(p.ref)); });
        placesBox.appendChild(b);
      });
      list.textContent = "";
      if (!j.entries.length) list.appendChild(el("li", "empty", "（没有可选的项目）"));
      j.entries.forEach(function (e) {
        var li = el("li");
        var b = el("button", e.dir ? "entry dir" : "entry file", e.name);
        b.type = "button";
        b.dataset.name = e.name;
        b.addEventListener("click", function () {
          if (e.dir) browse("&ref=" + encodeURIComponent(e.ref)); else choose(e.ref);
        });
        li.appendChild(b);
        list.appendChild(li);
      });
      if (j.more) list.appendChild(el("li", "empty", "另有 " + j.more + " 项未显示"));
    });
  }

  function choose(ref) {
    var body = new FormData();
    body.append("ref", ref);
    post("/api/pick", body).then(function (j) {
      if (j.error) { showError(picker.querySelector(".entries"), j.error); return; }
      setPick(current.field, j);
      picker.hidden = true;
    });
  }

  if (picker) {
    picker.querySelector(".up").addEventListener("click", function (ev) {
      if (ev.currentTarget.dataset.ref) browse("&ref=" + encodeURIComponent(ev.currentTarget.dataset.ref));
    });
    picker.querySelector(".go").addEventListener("click", function () {
      browse("&path=" + encodeURIComponent(picker.querySelector(".address").value));
    });
    picker.querySelector(".address").addEventListener("input", function () { typed = true; });
    // gone into the box (to select what is there and type over it): a listing that comes back now
    // must not change it under the person's hands (its text would be typed after, not over)
    picker.querySelector(".address").addEventListener("focus", function () { typed = true; });
    picker.querySelector(".address").addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { ev.preventDefault(); picker.querySelector(".go").click(); }
    });
    picker.querySelector(".pick-here").addEventListener("click", function () { choose(current.ref); });
    picker.querySelector(".cancel").addEventListener("click", function () { picker.hidden = true; });
  }

  document.addEventListener("click", function (ev) {
    var b = ev.target.closest(".pick .browse");
    if (b) openPicker(b.closest(".pick"));
    var clear = ev.target.closest(".pick .clear");
    if (clear) {
      var f = clear.closest(".pick");
      f.querySelector(".pick-id").value = "";
      f.querySelector(".chosen").textContent = "未选择";
      f.classList.remove("has-pick");
    }
  });

  document.addEventListener("change", function (ev) {
    var input = ev.target.closest(".pick input[type=file]");
    if (!input || !input.files.length) return;
    var field = input.closest(".pick");
    var body = new FormData();
    for (var i = 0; i < input.files.length; i++) body.append("file", input.files[i]);
    body.append("want", field.dataset.want);
    var shown = field.querySelector(".chosen");
    shown.textContent = "正在上传…";
    post("/api/upload", body).then(function (j) {
      input.value = "";
      if (j.error) { shown.textContent = "未选择"; showError(field.querySelector(".pick-error"), j.error); return; }
      field.querySelector(".pick-error").textContent = "";
      setPick(field, j);
    });
  });

  /* ---------- actions with progress ---------- */
  document.addEventListener("submit", function (ev) {
    var form = ev.target.closest("form.action");
    if (!form) return;
    ev.preventDefault();
    var target = document.querySelector(form.dataset.target || "#result");
    var missing = Array.prototype.filter.call(form.querySelectorAll(".pick.required"), function (f) {
      return !f.querySelector(".pick-id").value;
    });
    if (missing.length) {
      showError(target, "请先选择：" + Array.prototype.map.call(missing, function (f) {
        return f.querySelector(".label").textContent; }).join("、"));
      return;
    }
    var buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach(function (b) { b.disabled = true; });
    delete target.dataset.state;
    target.textContent = "";
    var box = el("div", "progress");
    box.setAttribute("role", "status");
    var bar = el("progress");
    var label = el("span", "progress-label", "正在处理…");
    box.appendChild(bar); box.appendChild(label);
    target.appendChild(box);
    post("/do/" + form.dataset.action, new FormData(form)).then(function (j) {
      if (j.error) { buttons.forEach(function (b) { b.disabled = false; }); showError(target, j.error); return; }
      poll(j.id, target, bar, label, buttons);
    });
  });

  function poll(id, target, bar, label, buttons) {
    fetch("/api/job/" + encodeURIComponent(id), {credentials: "same-origin"}).then(answer).then(function (j) {
      if (j.error) { showError(target, j.error); return; }
      if (j.state === "running") {
        var text = "正在" + j.label + "…";
        if (j.total) { bar.max = j.total; bar.value = j.done; text += " " + j.done + " / " + j.total; }
        label.textContent = text + "（" + j.seconds + " 秒）";
        setTimeout(function () { poll(id, target, bar, label, buttons); }, 250);
        return;
      }
      buttons.forEach(function (b) { b.disabled = false; });
      target.innerHTML = j.html;  // our own fragment, rendered with autoescape
      target.dataset.state = j.state;
      target.querySelectorAll("table.sortable").forEach(sortable);
      var focus = target.querySelector("[data-autofocus]");
      if (focus) focus.focus();
    });
  }

  /* ---------- sortable, filterable tables ---------- */
  function sortable(table) {
    var tbody = table.tBodies[0];
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var b = el("button", "sort", th.textContent);
      b.type = "button";
      th.textContent = "";
      th.appendChild(b);
      b.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(tbody.rows);
        rows.sort(function (a, b2) {
          var x = a.cells[col].textContent.trim(), y = b2.cells[col].textContent.trim();
          var nx = parseFloat(x), ny = parseFloat(y);
          var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "zh-CN");
          return asc ? c : -c;
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
      });
    });
    var box = table.parentNode.querySelector(".table-tools");
    if (!box) return;
    var text = box.querySelector(".filter-text"), status = box.querySelector(".filter-status");
    function apply() {
      var q = text.value.trim(), s = status.value, shown = 0;
      Array.prototype.forEach.call(tbody.rows, function (r) {
        var ok = (!q || r.textContent.indexOf(q) >= 0) && (!s || r.dataset.status === s);
        r.hidden = !ok;
        if (ok) shown++;
      });
      box.querySelector(".filter-count").textContent = "显示 " + shown + " / " + tbody.rows.length;
    }
    text.addEventListener("input", apply);
    status.addEventListener("change", apply);
    apply();
  }
  document.querySelectorAll("table.sortable").forEach(sortable);

  /* ---------- 退出 ---------- */
  var quit = document.getElementById("quit");
  if (quit) quit.addEventListener("click", function () {
    post("/api/quit", new FormData()).then(function (j) {
      document.body.textContent = "";
      var main = el("main", "stopped");
      main.appendChild(el("h1", null, j.message || j.error));
      main.appendChild(el("p", null, "需要时可从开始菜单、桌面快捷方式或命令 nianbao ui 重新打开。"));
      document.body.appendChild(main);
    });
  });
})();
