"""The one way this project writes a file: never half-written, never silently lost.

The content goes to a temporary file in the target's folder, is flushed and fsync'ed, and only
then renamed over the target (atomic on POSIX and on NTFS).  When a previous version exists it
is kept first as ``<name>.<YYYYmmdd-HHMMSS>.bak`` — a name no later run reuses, so a backup is
never overwritten.  If anything fails, the temporary file is removed and the target is untouched.
A target that is read-only, or open in Excel/WPS (its ``~$`` lock file is present), is refused
with a message before anything is written.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from nianbao.workbook_templates.format.errors import OutputError

BACKUP_SUFFIX = ".bak"


def backup_path(target: Path) -> Path:
    """A fresh backup name beside ``target``: name.YYYYmmdd-HHMMSS.bak (then -2, -3 …)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate = target.with_name(f"{target.name}.{stamp}{BACKUP_SUFFIX}")
    k = 2
    while candidate.exists():
        candidate = target.with_name(f"{target.name}.{stamp}-{k}{BACKUP_SUFFIX}")
        k += 1
    return candidate


def lock_files(target: Path) -> list[Path]:
    """Owner files Excel and WPS create beside an open workbook: ~$name (WPS, short names) or
    ~$ replacing the first two characters (Excel, longer names)."""
    return [target.with_name("~$" + target.name), target.with_name("~$" + target.name[2:])]


def check_writable(target: Path) -> None:
    """Refuse, before any work, a target that is open elsewhere or read-only."""
    if target.exists() and any(o.exists() for o in lock_files(target) if o.name != "~$"):
        raise OutputError(f"{target.name} 似乎正在 Excel 或 WPS 中打开（存在锁定文件 ~$…），请关闭后重试；原文件未改动。",
                          f"{target.name} seems to be open in Excel or WPS (a ~$ lock file exists); close it and retry")
    if target.exists() and not (target.stat().st_mode & stat.S_IWUSR and os.access(target, os.W_OK)):
        raise OutputError(f"{target.name} 是只读文件，无法写入；原文件未改动。",
                          f"{target.name} is read-only; nothing was written")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(
    target: str | os.PathLike[str],
    content: bytes | str | Callable[[BinaryIO], None],
    *,
    backup: bool = True,
) -> Path | None:
    """Write ``content`` (bytes, text as UTF-8, or a function writing to a binary file) to
    ``target`` atomically.  Returns the backup's path when a previous version was kept."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"输出文件夹不存在：{folder}", f"output folder does not exist: {folder}")
    if target.is_dir():
        raise OutputError(f"输出路径是一个文件夹：{target}", f"output path is a folder: {target}")
    check_writable(target)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise OutputError(f"无法在 {folder} 中写入文件：{e.strerror}", f"cannot write in {folder}: {e}") from e
    tmp = Path(tmp_name)
    kept: Path | None = None
    try:
        # mkstemp creates 0600; give the file the mode a normal write would (or the old one's)
        os.chmod(tmp, (target.stat().st_mode & 0o7777) if target.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            if isinstance(content, str):
                fh.write(content.encode("utf-8"))
            elif isinstance(content, bytes):
                fh.write(content)
            else:
                content(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if backup and target.exists():
            kept = backup_path(target)
            bak_tmp = tmp.with_name(tmp.name + BACKUP_SUFFIX)
            shutil.copy2(target, bak_tmp)
            os.replace(bak_tmp, kept)
        os.replace(tmp, target)
        _fsync_dir(folder)
    except BaseException as e:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + BACKUP_SUFFIX).unlink(missing_ok=True)
        if isinstance(e, PermissionError):
            raise OutputError(f"无法写入 {target}（没有权限，或文件正被其他程序打开）；原文件未改动。",
                              f"cannot write {target} (no permission, or open in another program): {e}") from e
        if isinstance(e, OSError):
            raise OutputError(f"写入 {target} 失败：{e.strerror or e}；原文件未改动。", f"writing {target} failed: {e}") from e
        raise
    return kept
