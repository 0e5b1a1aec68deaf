/* A stand-in of WPS 表格's JS object model, as strict as Excel: only the calls the add-in makes,
 * every other property access throws; writing a locked cell of a protected sheet throws; any
 * formatting (Clear, hyperlinks) on a protected sheet throws; renaming/adding sheets of a book with
 * a protected structure throws.  The book comes from a real workbook (window.STANDIN_BOOK, built by
 * tests/test_wps_addin.py); `standin.dump()` gives back what the add-in left in it.
 */
(function (global) {
  "use strict";
  var spec = global.STANDIN_BOOK;
  var log = [];

  function strict(obj, what) {
    return new Proxy(obj, {
      get: function (t, k) {
        if (typeof k === "symbol" || k === "then" || k === "toJSON") return t[k];
        if (!(k in t)) throw new TypeError("stand-in " + what + " has no member " + String(k));
        return t[k];
      },
      set: function (t, k, v) {
        if (!(k in t)) throw new TypeError("stand-in " + what + " has no settable member " + String(k));
        t[k] = v;
        return true;
      }
    });
  }

  function colIndex(s) { var n = 0; for (var i = 0; i < s.length; i++) n = n * 26 + s.charCodeAt(i) - 64; return n; }
  function colName(n) { var s = ""; while (n > 0) { var m = (n - 1) % 26; s = String.fromCharCode(65 + m) + s; n = Math.floor((n - 1) / 26); } return s; }
  function parseCell(ref) {
    var m = /^\$?([A-Z]+)\$?(\d+)$/.exec(ref);
    if (!m) throw new Error("bad cell reference " + ref);
    return [parseInt(m[2], 10), colIndex(m[1])];
  }
  function parseRange(ref) {
    var parts = ref.split(":"), a = parseCell(parts[0]), b = parseCell(parts[parts.length - 1]);
    return { r1: Math.min(a[0], b[0]), c1: Math.min(a[1], b[1]), r2: Math.max(a[0], b[0]), c2: Math.max(a[1], b[1]) };
  }

  var book;

  function protectedError() {
    return new Error("您试图更改的单元格或图表受保护，因而是只读的。(stand-in: protected sheet)");
  }

  function makeRange(sheet, box) {
    var rows = box.r2 - box.r1 + 1, cols = box.c2 - box.c1 + 1;
    function each(fn) {
      for (var r = box.r1; r <= box.r2; r++) for (var c = box.c1; c <= box.c2; c++) fn(r, c, colName(c) + r);
    }
    function guardValues() {
      if (!sheet._protected) return;
      each(function (r, c, ref) { if (!sheet._unlocked[ref]) throw protectedError(); });
    }
    function guardFormat() { if (sheet._protected) throw protectedError(); }
    function get(ref) { var v = sheet._cells[ref]; return v === undefined ? null : v; }
    function put(ref, v) {
      if (v === null || v === undefined || v === "") delete sheet._cells[ref];
      else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") sheet._cells[ref] = v;
      else throw new TypeError("stand-in: a cell value must be a string, number or boolean, got " + JSON.stringify(v));
      book._saved = false;
    }
    var o = {
      get Value2() {
        log.push("Value2.get");
        if (rows === 1 && cols === 1) return get(colName(box.c1) + box.r1);
        var out = [];
        for (var r = box.r1; r <= box.r2; r++) {
          var row = [];
          for (var c = box.c1; c <= box.c2; c++) row.push(get(colName(c) + r));
          out.push(row);
        }
        return out;
      },
      set Value2(v) {
        log.push("Value2.set");
        guardValues();
        if (Array.isArray(v)) {
          if (v.length !== rows || v.some(function (row) { return !Array.isArray(row) || row.length !== cols; })) {
            throw new Error("stand-in: array of the wrong shape for " + o.Address(false, false));
          }
          each(function (r, c, ref) { put(ref, v[r - box.r1][c - box.c1]); });
        } else {
          each(function (r, c, ref) { put(ref, v); });
        }
      },
      Address: function (rowAbs, colAbs) {
        if (arguments.length !== 2 || rowAbs !== false || colAbs !== false) throw new Error("stand-in: Address(false, false) only");
        var a = colName(box.c1) + box.r1;
        return rows === 1 && cols === 1 ? a : a + ":" + colName(box.c2) + box.r2;
      },
      get Worksheet() { return sheet._api; },
      get Count() { return rows * cols; },
      ClearContents: function () { log.push("ClearContents"); guardValues(); each(function (r, c, ref) { put(ref, null); }); },
      Clear: function () {
        log.push("Clear");
        guardFormat();
        each(function (r, c, ref) { put(ref, null); delete sheet._links[ref]; });
      },
      _box: box, _sheet: sheet
    };
    return strict(o, "Range");
  }

  function makeSheet(s) {
    var sheet = { _name: s.name, _cells: s.cells || {}, _unlocked: {}, _protected: !!s.protected, _links: {},
                  _visible: s.visible === undefined ? -1 : s.visible };
    (s.unlocked || []).forEach(function (ref) { sheet._unlocked[ref] = true; });
    var api = {
      get Name() { return sheet._name; },
      set Name(v) {
        if (book._structure) throw new Error("工作簿有结构保护，不能重命名工作表。(stand-in)");
        if (book._sheets.some(function (x) { return x !== sheet && x._name === v; })) throw new Error("名称已被占用 (stand-in)");
        sheet._name = v;
      },
      get ProtectContents() { return sheet._protected; },
      Range: function (ref) {
        if (arguments.length !== 1 || typeof ref !== "string") throw new Error("stand-in: Range(\"A1\") or Range(\"A1:B2\") only");
        return makeRange(sheet, parseRange(ref));
      },
      get Cells() {
        return strict({ Item: function (r, c) { return makeRange(sheet, { r1: r, c1: c, r2: r, c2: c }); } }, "Cells");
      },
      get UsedRange() {
        var refs = Object.keys(sheet._cells);
        if (!refs.length) return makeRange(sheet, { r1: 1, c1: 1, r2: 1, c2: 1 });
        var box = { r1: 1e9, c1: 1e9, r2: 0, c2: 0 };
        refs.forEach(function (ref) {
          var p = parseCell(ref);
          box.r1 = Math.min(box.r1, p[0]); box.c1 = Math.min(box.c1, p[1]);
          box.r2 = Math.max(box.r2, p[0]); box.c2 = Math.max(box.c2, p[1]);
        });
        return makeRange(sheet, box);
      },
      get Hyperlinks() {
        return strict({
          Add: function (anchor, address, subAddress, tip, text) {
            log.push("Hyperlinks.Add");
            if (sheet._protected) throw protectedError();
            if (anchor._sheet !== sheet) throw new Error("stand-in: the anchor is on another sheet");
            var ref = colName(anchor._box.c1) + anchor._box.r1;
            sheet._links[ref] = subAddress;
            if (text) sheet._cells[ref] = text;
          }
        }, "Hyperlinks");
      },
      Delete: function () {
        if (book._structure) throw new Error("工作簿有结构保护 (stand-in)");
        book._sheets.splice(book._sheets.indexOf(sheet), 1);
      }
    };
    sheet._api = strict(api, "Worksheet");
    return sheet;
  }

  function makeBook(s) {
    var b = { _name: s.name, _path: s.path || "", _full: s.fullName || s.name, _saved: s.saved !== false,
              _structure: !!s.protectStructure, _sheets: [], _names: {}, _saves: 0 };
    book = b;
    b._sheets = s.sheets.map(makeSheet);
    Object.keys(s.names).forEach(function (n) { b._names[n] = s.names[n]; });
    function sheetByName(name) {
      for (var i = 0; i < b._sheets.length; i++) if (b._sheets[i]._name === name) return b._sheets[i];
      return null;
    }
    function resolve(refersTo) {
      var m = /^=?(?:'((?:[^']|'')+)'|([^'!]+))!(.+)$/.exec(refersTo);
      if (!m) throw new Error("引用无效 (stand-in): " + refersTo);
      var sh = sheetByName(m[1] !== undefined ? m[1].replace(/''/g, "'") : m[2]);
      if (!sh) throw new Error("引用无效 (stand-in): " + refersTo);
      return makeRange(sh, parseRange(m[3].replace(/\$/g, "")));
    }
    function nameObj(n) {
      return strict({
        get Name() { return n; },
        get RefersToRange() { return resolve(b._names[n]); }
      }, "Name");
    }
    var sheetsApi = strict({
      get Count() { return b._sheets.length; },
      Item: function (k) {
        var sh = typeof k === "number" ? b._sheets[k - 1] : sheetByName(k);
        if (!sh) throw new Error("下标越界 (stand-in): " + k);
        return sh._api;
      },
      Add: function (before, after) {
        log.push("Worksheets.Add");
        if (book._structure) throw new Error("工作簿有结构保护，不能插入工作表。(stand-in)");
        if (before !== undefined) throw new Error("stand-in: Add(undefined, after) only");
        var sh = makeSheet({ name: "Sheet" + (b._sheets.length + 1), cells: {} });
        var at = b._sheets.findIndex(function (x) { return x._api === after; });
        if (at < 0) throw new Error("stand-in: after must be a sheet of this book");
        b._sheets.splice(at + 1, 0, sh);
        return sh._api;
      }
    }, "Worksheets");
    var namesApi = strict({
      get Count() { return Object.keys(b._names).length; },
      Item: function (i) { var k = Object.keys(b._names)[i - 1]; if (k === undefined) throw new Error("下标越界"); return nameObj(k); },
      Add: function (name, refersTo) { log.push("Names.Add"); resolve(refersTo); b._names[name] = refersTo; b._saved = false; }
    }, "Names");
    b._api = strict({
      get Name() { return b._name; },
      get FullName() { return b._full; },
      get Path() { return b._path; },
      get Saved() { return b._saved; },
      Save: function () { log.push("Save"); if (!b._path) throw new Error("stand-in: Save of a never-saved book"); b._saved = true; b._saves++; },
      get Worksheets() { return sheetsApi; },
      get Names() { return namesApi; }
    }, "Workbook");
    return b;
  }

  var active = spec.book ? makeBook(spec.book) : null;
  var opened = [];
  var storage = {}, panes = {};
  var files = spec.files || {};

  global.Application = strict({
    get ActiveWorkbook() { return active ? active._api : null; },
    get Workbooks() {
      return strict({ Open: function (path) { log.push("Workbooks.Open"); opened.push(path); } }, "Workbooks");
    }
  }, "Application");

  global.wps = strict({
    get Application() { return global.Application; },
    FileSystem: strict({
      Exists: function (p) { return Object.prototype.hasOwnProperty.call(files, p); },
      ReadFile: function (p) { if (!(p in files)) throw new Error("文件不存在 " + p); return files[p]; }
    }, "FileSystem"),
    Env: strict({
      GetHomePath: function () { return spec.home; },
      GetAppDataPath: function () { return spec.appdata; }
    }, "Env"),
    PluginStorage: strict({
      getItem: function (k) { return Object.prototype.hasOwnProperty.call(storage, k) ? storage[k] : null; },
      setItem: function (k, v) { storage[k] = String(v); }
    }, "PluginStorage"),
    CreateTaskPane: function (url) {
      var id = "pane" + (Object.keys(panes).length + 1);
      panes[id] = strict({ ID: id, Visible: false, _url: url }, "TaskPane");
      return panes[id];
    },
    GetTaskPane: function (id) { return panes[id] || null; }
  }, "wps");

  global.standin = {
    dump: function () {
      if (!active) return null;
      return {
        saved: active._saved, saves: active._saves, names: active._names,
        sheets: active._sheets.map(function (s) { return { name: s._name, cells: s._cells, links: s._links }; })
      };
    },
    opened: opened, log: log, storage: storage,
    panes: function () { return Object.keys(panes).map(function (k) { return { id: k, url: panes[k]._url, visible: panes[k].Visible }; }); }
  };
})(window);
