/* The findings of the last 校验, from the add-in's storage (text only, never HTML). */
(function () {
  "use strict";
  var last = null;
  function render() {
    var text = window.wps && window.wps.PluginStorage.getItem("nianbao.findings");
    if (!text || text === last) return;
    last = text;
    var data = JSON.parse(text), list = document.getElementById("findings");
    document.getElementById("summary").textContent = data.message;
    while (list.firstChild) list.removeChild(list.firstChild);
    data.findings.forEach(function (f) {
      var li = document.createElement("li");
      li.className = f.level;
      li.textContent = "【" + f.severity + "】" + f.rule + "（" + f.part + "）" + f.text;
      if (f.cells.length) {
        var c = document.createElement("div");
        c.className = "cells";
        c.textContent = "涉及：" + f.cells.join("、");
        li.appendChild(c);
      }
      list.appendChild(li);
    });
  }
  render();
  setInterval(render, 1000);
})();
