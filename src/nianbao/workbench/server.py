"""`nianbao ui`: serve the workbench on 127.0.0.1 (a free port) with waitress, or reuse the one
already running for this user.

The port and the token go to a file only this user can read — ``workbench.json`` in the user's
configuration folder (``$XDG_CONFIG_HOME/nianbao`` or ``~/.config/nianbao`` on Linux,
``%APPDATA%\\nianbao`` on Windows, ``~/Library/Application Support/nianbao`` on macOS) — which the
WPS add-in reads to find the service.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

STATE_FILE = "workbench.json"


def config_dir() -> Path:
    if os.name == "nt":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "nianbao"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "nianbao"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "nianbao"


def state_path() -> Path:
    return config_dir() / STATE_FILE


def write_state(info: dict[str, Any]) -> Path:
    """The port and token, readable by this user only (0600 in a 0700 folder; on Windows the
    profile's own ACL keeps other users out)."""
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(folder, stat.S_IRWXU)
    target = folder / STATE_FILE
    tmp = folder / f".{STATE_FILE}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(info, fh, ensure_ascii=False, indent=2)
    os.replace(tmp, target)
    return target


def read_state() -> dict[str, Any] | None:
    try:
        return json.loads(state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def remove_state(token: str) -> None:
    info = read_state()
    if info and info.get("token") == token:
        try:
            state_path().unlink()
        except OSError:
            pass


def running() -> dict[str, Any] | None:
    """The workbench this user already runs, if it answers."""
    from nianbao.workbench.app import APP_ID

    info = read_state()
    if not info or not isinstance(info.get("port"), int) or not info.get("token"):
        return None
    req = urllib.request.Request(f"http://127.0.0.1:{info['port']}/api/ping",
                                 headers={"X-Nianbao-Token": str(info["token"])})
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=2) as resp:
            answer = json.loads(resp.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    return info if answer.get("app") == APP_ID else None


def serve(*, open_browser: bool = True, say: Callable[[str], None] = print, serve_only: bool = False) -> int:
    """Start (or reuse) the workbench; returns when it stops (退出, Ctrl+C)."""
    existing = running()
    if existing is not None:
        say(f"工作台已在运行：{existing['url']}")
        if open_browser and not serve_only:
            _open(existing["url"], say)
        return 0

    from waitress import create_server

    from nianbao.workbench.app import State, create_app

    state = State()
    app = create_app(state)
    server = create_server(app, host="127.0.0.1", port=0, threads=6, ident="nianbao",
                           clear_untrusted_proxy_headers=True)
    state.port = int(server.effective_port)
    try:
        _run(server, state, open_browser and not serve_only, say)
    except KeyboardInterrupt:
        pass
    finally:
        _drain(server)
        server.close()
        remove_state(state.token)
        state.registry.close()
    say("工作台已退出。Workbench stopped.")
    return 0


def _run(server: Any, state: Any, open_browser: bool, say: Callable[[str], None]) -> None:
    from nianbao import __version__

    write_state({"app": "nianbao-workbench", "version": __version__, "pid": os.getpid(), "port": state.port,
                 "token": state.token, "url": state.url, "started": time.strftime("%Y-%m-%dT%H:%M:%S")})
    say(f"工作台已启动：{state.url}")
    say(f"（端口和令牌已写入 {state_path()}；按 Ctrl+C 或在页面上点“退出”停止。）")
    say(f"Workbench running at {state.url} (Ctrl+C to stop)")
    if open_browser:
        _open(state.url, say)
    while not state.stop.is_set():
        server.asyncore.loop(timeout=0.2, map=server._map, use_poll=True, count=1)


def _drain(server: Any) -> None:
    """Let requests in progress finish and their answers go out before closing."""
    deadline = time.monotonic() + 2.0
    try:
        while time.monotonic() < deadline and (getattr(server.task_dispatcher, "active_count", 0) or any(
                getattr(ch, "total_outbufs_len", 0) for ch in server._map.values())):
            server.asyncore.loop(timeout=0.05, map=server._map, use_poll=True, count=1)
    except (KeyboardInterrupt, OSError):
        pass


def _open(url: str, say: Callable[[str], None]) -> None:
    import webbrowser

    try:
        if not webbrowser.open(url):
            say("没有找到浏览器，请把上面的地址复制到浏览器中打开。")
    except Exception:
        say("没有找到浏览器，请把上面的地址复制到浏览器中打开。")
