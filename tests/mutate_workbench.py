"""Break the workbench on purpose, one way at a time, and check that tests/test_workbench.py notices
(run: .venv/bin/python tests/mutate_workbench.py [name-fragment ...]; every line must say CAUGHT).
Each mutation is undone right after its run."""
import subprocess, sys, pathlib
R = pathlib.Path(__file__).resolve().parents[1]
W = "src/nianbao/workbench/"
cases = [
 ("no token check", W+"app.py", "if not _same(given, state.token):", "if False:", "no_token"),
 ("no Host check", W+"app.py", "if request.host not in hosts:", "if False:", "foreign_host"),
 ("no CSRF check", W+"app.py", 'if not _same(request.headers.get("X-CSRF-Token") or request.form.get("csrf"), state.csrf):', "if False:", "csrf"),
 ("CORS header", W+"app.py", 'resp.headers.pop("Access-Control-Allow-Origin", None)', 'resp.headers["Access-Control-Allow-Origin"] = "*"', "cors"),
 ("no containment", W+"files.py", "    if target != base and base not in target.parents:", "    if False:", "outside"),
 ("raw paths accepted", W+"files.py", "            p = self._picked.get(pick_id or \"\")", "            p = self._picked.get(pick_id or \"\") or (Picked('x', Path(pick_id), Path(pick_id).is_dir()) if pick_id else None)", "outside"),
 ("no upload limit", W+"app.py", "MAX_CONTENT_LENGTH=int(max_upload_mb * 1024 * 1024)", "MAX_CONTENT_LENGTH=None", "oversized"),
 ("unescaped agency", W+"templates/_validate.html", '{{ meta.agency or "未填机关名称" }}', '{{ (meta.agency or "未填机关名称")|safe }}', "script_in"),
 ("cells dropped", W+"work.py", '"cells": [f"{cells[p][0]}!{cells[p][1]}" for p in f.paths if p in cells]', '"cells": [f"{cells[p][0]}!{cells[p][1]}" for p in f.paths if p in cells][:1]', "my_report_validates"),
 ("annotate does not write", W+"work.py", "        backup = actions.annotate(v)\n", "        backup = None\n", "my_report_validates"),
 ("conflict overwritten without asking", W+"work.py", "            if not overwrite:", "            if False:", "carry_forward_shows"),
 ("wrong year not refused", W+"templates/_carry.html", "拒绝：{{ refused }}。", "{{ refused }}", "wrong_year"),
 ("generate skips docx", W+"work.py", 'wanted = [s for s in form.getlist("format") if s in (".docx", ".html", ".pdf")]', 'wanted = [s for s in form.getlist("format") if s in (".html", ".pdf")]', "generate_previews"),
 ("pdf hint missing", W+"templates/generate.html", '{% if pdf_missing %}<p class="message warn pdf-missing">{{ pdf_missing }}</p>{% endif %}', '', "without_libreoffice"),
 ("new without carry-forward", W+"work.py", "        if last is not None:\n            run = actions.carry_forward_plan(last.path, path)", "        if False:\n            run = actions.carry_forward_plan(last.path, path)", "new_report"),
 ("dashboard unsorted", W+"work.py", "return render(done=done, headers=C.HEADERS, rows=done.rows,", "return render(done=done, headers=C.HEADERS, rows=sorted(done.rows, key=lambda r: r[0]),", "twenty_units"),
 ("zip names as cp437", W+"files.py", '    for encoding in ("utf-8", "gb18030"):', '    for encoding in ():', "twenty_units"),
 ("quit ignored", W+"app.py", "        state.stop.set()\n", "        pass\n", "quit_button"),
 ("no reuse", W+"server.py", "    existing = running()\n", "    existing = None\n", "reuses"),
 ("state file world-readable", W+"server.py", "os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)", "os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)", "reuses"),
 ("shortcut without python", W+"shortcut.py", 'f"Exec={_quote(python)} -m nianbao ui"', '"Exec=nianbao ui"', "install_shortcut"),
]
only = sys.argv[1:] 
for name, f, old, new, k in cases:
    if only and not any(o in name for o in only): continue
    p = R / f; src = p.read_text(encoding="utf-8")
    assert src.count(old) == 1, (name, old)
    p.write_text(src.replace(old, new), encoding="utf-8")
    try:
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "tests/test_workbench.py", "-k", k],
                           cwd=R, capture_output=True, text=True, timeout=900)
        last = [l for l in r.stdout.splitlines() if "passed" in l or "failed" in l or "error" in l][-1:]
        print(f"{'CAUGHT' if r.returncode else 'MISSED'}  {name}  ({k}): {last}", flush=True)
    finally:
        p.write_text(src, encoding="utf-8")
