"""The workbench's web application (Flask): pages, the picker, uploads, jobs, downloads — and
the gate every request passes first.

The gate: the Host header must be this server (127.0.0.1 or localhost on its port: no DNS
rebinding); the run's random token must come with the request (a cookie set by the address the
workbench opened, or the ``X-Nianbao-Token`` header); a POST must carry the page's CSRF token and
no foreign Origin.  No CORS header is ever sent.  Pages escape everything they show (Jinja2
autoescape; the script writes text with ``textContent`` only) and forbid inline scripts (CSP).
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, jsonify, redirect, render_template, request, send_file

from nianbao import __version__
from nianbao.workbench import api
from nianbao.workbench.files import Refused, Registry, places
from nianbao.workbench.jobs import Jobs

APP_ID = "nianbao-workbench"
MAX_UPLOAD_MB = 200
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
PAGES = (("/", "report", "我的年报"), ("/carry-forward", "carry", "导入上年数据"), ("/generate", "generate", "生成报告"),
         ("/new", "new", "新建年报"), ("/distribute", "distribute", "下发"), ("/collect", "collect", "汇总"))


@dataclass
class State:
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    port: int = 0
    registry: Registry = field(default_factory=Registry)
    jobs: Jobs = field(default_factory=Jobs)
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def cookie(self) -> str:
        return f"nianbao_token_{self.port}"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.origin}/?token={self.token}"


def _same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode("utf-8", "replace"), b.encode())


def create_app(state: State, max_upload_mb: float | None = None) -> Flask:
    here = Path(__file__).resolve().parent
    app = Flask(__name__, template_folder=str(here / "templates"), static_folder=str(here / "static"),
                static_url_path="/static")
    if max_upload_mb is None:
        max_upload_mb = float(os.environ.get("NIANBAO_UI_MAX_UPLOAD_MB") or MAX_UPLOAD_MB)
    app.config.update(MAX_CONTENT_LENGTH=int(max_upload_mb * 1024 * 1024), SEND_FILE_MAX_AGE_DEFAULT=0,
                      TEMPLATES_AUTO_RELOAD=False)
    app.jinja_env.autoescape = True  # every template, fragments included
    app.url_map.merge_slashes = False  # "/file/<id>//etc/passwd" stays absolute, and is refused
    app.extensions["nianbao"] = state

    def refuse(status: int, zh: str, en: str) -> Response:
        wants_json = request.path.startswith(("/api/", "/do/"))
        if wants_json:
            resp = jsonify({"error": zh, "en": en})
        else:
            resp = Response(render_template("denied.html", zh=zh, en=en), mimetype="text/html")
        resp.status_code = status
        return resp

    @app.before_request
    def gate() -> Response | None:
        hosts = {f"127.0.0.1:{state.port}", f"localhost:{state.port}"}
        if request.host not in hosts:  # DNS rebinding: a foreign name that resolves to 127.0.0.1
            return refuse(403, "请求的主机名不是本工作台（只接受 127.0.0.1 或 localhost）。", "wrong Host header")
        if api.is_api(request.path):  # the WPS add-in: the token in its header is the boundary
            if request.method == "OPTIONS" or _same(request.headers.get("X-Nianbao-Token"), state.token):
                return None
            return refuse(403, "没有访问令牌：插件读取的 workbench.json 与正在运行的工作台不符，请重启 nianbao ui --serve。",
                          "no valid X-Nianbao-Token header")
        given = request.cookies.get(state.cookie) or request.headers.get("X-Nianbao-Token")
        from_url = request.args.get("token")
        if not _same(given, state.token):
            if request.method == "GET" and _same(from_url, state.token):
                # the address the workbench opened: keep the token in a cookie, drop it from the URL
                resp = redirect(request.path)
                resp.set_cookie(state.cookie, state.token, httponly=True, samesite="Strict", path="/")
                return resp
            return refuse(403, "没有访问令牌：请从 nianbao ui 打开的地址（或桌面快捷方式）进入工作台。",
                          "no valid token: open the address nianbao ui printed")
        if request.method not in ("GET", "HEAD"):
            origin = request.headers.get("Origin")
            if origin is not None and origin not in (state.origin, f"http://localhost:{state.port}"):
                return refuse(403, "拒绝来自其他网站的请求。", "cross-origin request refused")
            if request.headers.get("Sec-Fetch-Site") not in (None, "same-origin", "none"):
                return refuse(403, "拒绝来自其他网站的请求。", "cross-site request refused")
            if not _same(request.headers.get("X-CSRF-Token") or request.form.get("csrf"), state.csrf):
                return refuse(403, "页面已过期（缺少校验码），请刷新页面后重试。", "missing or wrong CSRF token")
        return None

    @app.after_request
    def headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Cache-Control"] = "no-store"
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        resp.headers.pop("Access-Control-Allow-Origin", None)
        if api.is_api(request.path):
            api.cors(resp)
        return resp

    @app.errorhandler(413)
    def too_big(_: Any) -> Response:
        return refuse(413, f"文件太大：上传不能超过 {max_upload_mb:g} MB。", f"upload larger than {max_upload_mb:g} MB")

    @app.errorhandler(Refused)
    def refused(e: Refused) -> Response:
        return refuse(403, e.zh, e.en)

    # -- pages ---------------------------------------------------------------------------------------

    def page(template: str, **kw: Any) -> str:
        return render_template(template, pages=PAGES, here=request.path, csrf=state.csrf, version=__version__, **kw)

    from nianbao.workbench import work

    @app.get("/")
    def report_page() -> str:
        return page("report.html", accept=work.READABLE)

    @app.get("/carry-forward")
    def carry_page() -> str:
        return page("carry.html", accept=work.READABLE)

    @app.get("/generate")
    def generate_page() -> str:
        return page("generate.html", accept=work.READABLE, pdf_missing=work.pdf_missing())

    @app.get("/new")
    def new_page() -> str:
        return page("new.html", accept=work.READABLE, next_year=work.default_year() + 1)

    @app.get("/distribute")
    def distribute_page() -> str:
        return page("distribute.html", year=work.default_year())

    @app.get("/collect")
    def collect_page() -> str:
        return page("collect.html", accept=work.READABLE)

    @app.get("/roster-template.xlsx")
    def roster_template() -> Response:
        return send_file(work.roster_template(state.registry), as_attachment=True, download_name="下发名单模板.xlsx")

    # -- the picker and uploads ---------------------------------------------------------------------

    @app.get("/api/ping")
    def ping() -> Response:
        return jsonify({"app": APP_ID, "version": __version__, "pid": os.getpid()})

    @app.get("/api/browse")
    def browse() -> Response:
        reg = state.registry
        if request.args.get("ref"):
            folder = reg.seen(request.args["ref"])
        elif request.args.get("path"):  # an address typed into the picker: navigation only
            folder = Path(os.path.expanduser(request.args["path"].strip()))
        else:
            folder = Path.home()
        suffixes = tuple(s for s in request.args.get("suffixes", "").split(",") if s)
        want_dir = request.args.get("want") == "dir"
        try:
            folder = folder.resolve()
            entries = sorted(os.scandir(folder), key=lambda e: (not e.is_dir(), e.name.lower()))
        except OSError as e:
            return jsonify({"error": f"无法打开文件夹 {folder}：{e.strerror or e}"}), 404
        items = []
        for e in entries:
            if e.name.startswith((".", "~$")):
                continue
            try:
                is_dir = e.is_dir()
            except OSError:
                continue
            if not is_dir and (want_dir or (suffixes and Path(e.name).suffix.lower() not in suffixes)):
                continue
            items.append({"name": e.name, "dir": is_dir, "ref": reg.ref(Path(e.path))})
        parent = folder.parent if folder.parent != folder else None
        return jsonify({"path": str(folder), "ref": reg.ref(folder), "parent": reg.ref(parent) if parent else None,
                        "entries": items[:2000], "more": max(0, len(items) - 2000),
                        "places": [{"name": n, "ref": reg.ref(p)} for n, p in places()]})

    @app.post("/api/pick")
    def pick() -> Response:
        path = state.registry.seen(request.form.get("ref", ""))
        if not path.exists():
            raise Refused(f"{path} 已不存在。", "the chosen path no longer exists")
        return jsonify(state.registry.pick(path).to_json())

    @app.post("/api/upload")
    def upload() -> Response:
        files = [f for f in request.files.getlist("file") if f.filename]
        if not files:
            raise Refused("没有收到文件。", "no file received")
        return jsonify(work.receive_upload(state.registry, files, request.form.get("want") == "dir"))

    # -- work ----------------------------------------------------------------------------------------

    @app.post("/do/<action>")
    def do(action: str) -> Response:
        fn = work.ACTIONS.get(action)
        if fn is None:
            abort(404)
        label, task = fn(state.registry, request.form)  # picks are resolved (or refused) here, at once
        job = state.jobs.start(label, task, work.error_html)
        return jsonify(job.to_json())

    @app.get("/api/job/<job_id>")
    def job_status(job_id: str) -> Response:
        job = state.jobs.get(job_id)
        if job is None:
            abort(404)
        out = job.to_json()
        if job.state != "running":
            out["html"] = job.html
        return jsonify(out)

    @app.get("/download/<oid>")
    def download(oid: str) -> Response:
        path = state.registry.offered(oid)
        return send_file(path, as_attachment=True, download_name=path.name)

    @app.get("/file/<pick_id>/<path:name>")
    def file_in_folder(pick_id: str, name: str) -> Response:
        path = state.registry.inside(pick_id, name)
        if not path.is_file():
            abort(404)
        return send_file(path, as_attachment=True, download_name=path.name)

    @app.get("/preview/<oid>")
    def preview(oid: str) -> Response:
        path = state.registry.offered(oid)
        resp = Response(path.read_bytes(), mimetype="text/html")
        resp.headers["Content-Security-Policy"] = PREVIEW_CSP
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
        return resp

    api.register(app)

    @app.post("/api/quit")
    def quit_() -> Response:
        state.stop.set()
        return jsonify({"message": "工作台已退出，可以关闭这个页面。"})

    return app
