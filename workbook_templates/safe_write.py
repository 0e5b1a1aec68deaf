"""The one way this project writes a file: never half-written, never silently lost.

The content goes to a temporary file in the target's folder, is flushed and fsync'ed, and only
then renamed over the target (atomic on POSIX and on NTFS).  When a previous version exists it
is kept as ``<name>.bak`` first.  If anything fails, the temporary file is removed and the target
is untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .errors import OutputError

BACKUP_SUFFIX = ".bak"


def backup_path(target: Path) -> Path:
    return target.with_name(target.name + BACKUP_SUFFIX)


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
        if isinstance(e, OSError):
            raise OutputError(f"写入 {target} 失败：{e.strerror or e}", f"writing {target} failed: {e}") from e
        raise
    return kept
