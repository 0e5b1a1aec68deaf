"""The one way this project writes a file: never half-written, never silently lost, never two at once.

The content goes to a temporary file in the target's folder, is flushed and fsync'ed, and only
then renamed over the target (atomic on POSIX and on NTFS).  When a previous version exists it
is kept first as ``<name>.<YYYYmmdd-HHMMSS>.bak`` (then ``-2``, ``-3`` …).  Backup names are
created exclusively — a hard link made with ``link(2)``, or a file opened with ``O_EXCL`` — so
a name that exists, whoever made it and however close in time, is never replaced.

Writers of one target take an advisory lock first (``locked``: ``flock`` on a hidden lock file
beside the target, removed afterwards), so two runs on one workbook — even started in the same
second — cannot interleave: the second waits (up to ``LOCK_TIMEOUT`` seconds, or
``NIANBAO_LOCK_TIMEOUT``) and then works on the first one's result.  A command that reads, changes
and writes a workbook holds the lock for the whole of it.

A symlinked target is resolved: the real file gets the content, the link stays a link, and the
backup sits beside the real file.  A link loop is refused with a message.  If anything fails, the
temporary file is removed and the target is untouched.  A target that is read-only, or open in
Excel/WPS (its ``~$`` lock file is present), is refused with a message before anything is written.

One overwrite policy for every command (``Written.said`` words it the same way everywhere):

- a missing output folder is created (and said);
- a result equal to the file already there is not rewritten and leaves no backup (nor is it refused
  when the file is open elsewhere) — "equal" ignores only the moment of saving: in .xlsx/.docx packages
  the zip's timestamps and the created/modified stamps of ``docProps/core.xml`` (every part's content
  is read and compared), in a PDF its creation/modification dates and its ``/ID``; so re-running a
  command on unchanged input changes nothing;
- a different result replaces the file only after the old one is kept as a visible backup;
- a file open in Excel/WPS, or read-only, is refused and left as it is.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from nianbao.workbook_templates.format.errors import OutputError

BACKUP_SUFFIX = ".bak"
# the moment of saving, which is not what a file says: stamps blanked before files are compared
SAVE_STAMPS = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")
PDF_STAMPS = re.compile(rb"/(?:CreationDate|ModDate)\s*\((?:[^()\\]|\\.)*\)|/ID\s*\[\s*<[0-9A-Fa-f]*>\s*<[0-9A-Fa-f]*>\s*\]"
                        rb"|/DocChecksum\s*/[0-9A-Fa-f]+")  # LibreOffice's checksum covers its dates


@dataclass(frozen=True)
class Written:
    """What a write did: where, which backup it kept, whether it left an equal file alone, and the
    folder it had to create."""

    path: Path
    backup: Path | None = None
    unchanged: bool = False
    made_folder: Path | None = None

    def said(self, done: str = "已写入") -> str:
        """The one wording for every command: ``{done} {path}``, then what happened to the old file."""
        name = str(self.path)
        if self.unchanged:
            return f"{name} 与已有文件内容相同，未重写"
        notes = []
        if self.made_folder is not None:
            notes.append(f"新建了文件夹 {self.made_folder}")
        if self.backup is not None:
            notes.append(f"原文件保留为 {self.backup.name}")
        gap = "" if done.endswith(("：", ":")) else " "
        return f"{done}{gap}{name}" + (f"（{'；'.join(notes)}）" if notes else "")


def tally(written: list[Written]) -> list[str]:
    """What the policy did to files that were already there, for a command writing many files."""
    same = sum(w.unchanged for w in written)
    kept = [w.backup for w in written if w.backup is not None]
    return ([f"{same} 个文件与已有文件内容相同，未重写"] if same else []) + (
        [f"{len(kept)} 个已有文件内容不同，已替换，原文件保留为 .bak（如 {kept[0].name}）"] if kept else [])


def _same_stream(a: BinaryIO, b: BinaryIO) -> bool:
    """The two read to their ends give the same bytes (64 KB at a time: a summary of ten thousand
    units is 5 MB of HTML and 20 MB of sheet XML, which read whole, twice, made its memory)."""
    while True:
        x, y = a.read(1 << 16), b.read(1 << 16)
        if x != y:
            return False
        if not x:
            return True


def _same_parts(new: Path, old: Path) -> bool:
    """The two packages hold the same parts with the same bytes, stamps blanked; every part read
    to its end (its CRC checked, so a damaged one is never judged equal)."""
    try:
        with zipfile.ZipFile(new) as a, zipfile.ZipFile(old) as b:
            names = sorted(i.filename for i in a.infolist())
            if names != sorted(i.filename for i in b.infolist()) or len(set(names)) != len(names):
                return False
            for name in names:
                if name == "docProps/core.xml":
                    if SAVE_STAMPS.sub(b"", a.read(name)) != SAVE_STAMPS.sub(b"", b.read(name)):
                        return False
                    continue
                with a.open(name) as x, b.open(name) as y:
                    if not _same_stream(x, y):
                        return False
            return True
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError):
        return False


def same_content(new: Path, old: Path) -> bool:
    """``new`` says what ``old`` says (see the policy above): the same bytes, the same package
    parts, or the same PDF but for its save stamps."""
    try:
        with open(new, "rb") as a, open(old, "rb") as b:
            size = os.fstat(a.fileno()).st_size
            if size == os.fstat(b.fileno()).st_size and _same_stream(a, b):
                return True
            a.seek(0)
            b.seek(0)
            head, other = a.read(5), b.read(5)
            if head[:4] == other[:4] == b"PK\x03\x04":
                return _same_parts(new, old)
            if head == other == b"%PDF-" and size == os.fstat(b.fileno()).st_size:  # the stamps have a fixed length: so does the file
                return PDF_STAMPS.sub(b"", head + a.read()) == PDF_STAMPS.sub(b"", head + b.read())
    except OSError:
        return False
    return False


LOCK_TIMEOUT = 60.0  # seconds a writer waits for another writer of the same target
_held: dict[str, list[int]] = {}  # lock files this process holds -> [fd, depth]


def _backup_names(target: Path) -> Iterator[Path]:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    yield target.with_name(f"{target.name}.{stamp}{BACKUP_SUFFIX}")
    k = 2
    while True:
        yield target.with_name(f"{target.name}.{stamp}-{k}{BACKUP_SUFFIX}")
        k += 1


def keep_backup(target: Path) -> Path:
    """Keep the current ``target`` under a fresh backup name, created exclusively (never replacing)."""
    for candidate in _backup_names(target):
        try:
            os.link(target, candidate)  # atomic, fails if the name exists, and copies nothing
            return candidate
        except FileExistsError:
            continue
        except OSError as e:  # no hard links here (FAT, some network shares): an exclusive copy
            if e.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.EACCES,
                               errno.ENOSYS):
                raise
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as out, open(target, "rb") as src:
                shutil.copyfileobj(src, out)
                out.flush()
                os.fsync(out.fileno())
            shutil.copystat(target, candidate)
        except BaseException:
            candidate.unlink(missing_ok=True)
            raise
        return candidate
    raise AssertionError("unreachable")


def real_target(target: str | os.PathLike[str]) -> Path:
    """The file a write to ``target`` must change: a symlink resolved to what it points at."""
    target = Path(target)
    if not target.is_symlink():
        return target
    try:
        return Path(os.path.realpath(target, strict=True))
    except FileNotFoundError:  # a link to a file not yet there: create it where the link points
        return Path(os.path.realpath(target))
    except OSError as e:
        raise OutputError(f"{target.name} 是一个无法解析的链接（链接循环或无法访问）：{e.strerror}；没有写入。",
                          f"{target} is a symbolic link that cannot be resolved: {e}") from e


def lock_path(target: str | os.PathLike[str]) -> Path:
    real = real_target(target)
    return real.with_name(f".{real.name}.nianbao-lock")


def _try_lock(fd: int) -> bool:
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as e:
        if e.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK):
            return False
        raise


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    here = os.fstat(fd)
    return (st.st_ino, st.st_dev) == (here.st_ino, here.st_dev) or os.name == "nt"


@contextlib.contextmanager
def locked(target: str | os.PathLike[str], timeout: float | None = None) -> Iterator[Path]:
    """Hold the advisory lock of ``target`` (re-entrant in one process); yields the real target."""
    real = real_target(target)
    lock = real.with_name(f".{real.name}.nianbao-lock")
    key = os.path.abspath(lock)
    if key in _held:
        _held[key][1] += 1
        try:
            yield real
        finally:
            _held[key][1] -= 1
        return
    if timeout is None:
        timeout = float(os.environ.get("NIANBAO_LOCK_TIMEOUT", LOCK_TIMEOUT))
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        except FileNotFoundError:
            raise OutputError(f"输出文件夹不存在：{real.parent}", f"output folder does not exist: {real.parent}") from None
        except OSError as e:
            raise OutputError(f"无法在 {real.parent} 中写入文件：{e.strerror}", f"cannot write in {real.parent}: {e}") from e
        if _try_lock(fd):
            if _same_file(fd, lock):  # not a lock file its last holder removed meanwhile
                break
        os.close(fd)
        if time.monotonic() > deadline:
            raise OutputError(f"{real.name} 正在写入（另一个 nianbao 正在改写它），请稍后重试；原文件未改动。",
                              f"{real.name} is being written by another nianbao run; try again later")
        time.sleep(0.05)
    _held[key] = [fd, 1]
    try:
        yield real
    finally:
        del _held[key]
        with contextlib.suppress(OSError):
            os.unlink(lock)  # while still holding it: a waiter that opened it sees it is gone and retries
        os.close(fd)  # closing releases the lock


def lock_files(target: Path) -> list[Path]:
    """Owner files Excel and WPS create beside an open workbook: ~$name (WPS, short names) or
    ~$ replacing the first two characters (Excel, longer names)."""
    return [target.with_name("~$" + target.name), target.with_name("~$" + target.name[2:])]


def check_writable(target: Path) -> None:
    """Refuse, before any work, a target that is open elsewhere or read-only."""
    if target.exists() and any(o.exists() for o in lock_files(target) if o.name != "~$"):
        office = "Excel 或 WPS" if target.suffix.lower() in (".xlsx", ".xlsm") else "Word、WPS 或其他程序"
        raise OutputError(f"{target.name} 似乎正在 {office} 中打开（存在锁定文件 ~$…），请关闭后重试；原文件未改动。",
                          f"{target.name} seems to be open in another program (a ~$ lock file exists); close it and retry")
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
) -> Written:
    """Write ``content`` (bytes, text as UTF-8, or a function writing to a binary file) to
    ``target`` atomically, by the policy above.  ``backup=False`` only for files nianbao owns and
    regenerates (the add-in in XLSTART, installer records, the 退回修改 feedback, whose every round
    the ledger keeps), never for a file a person asked for."""
    shown = Path(target)
    target = real_target(target)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(f"输出路径是一个文件夹：{target}", f"output path is a folder: {target}")
    made = make_folder(folder)
    with locked(target):
        kept, unchanged = _write_locked(target, folder, content, backup)
    return Written(shown, kept, unchanged, made)


def make_folder(folder: Path) -> Path | None:
    """Create a missing output folder (the policy for every command); the folder, if it was made."""
    if folder.is_dir():
        return None
    if folder.exists():
        raise OutputError(f"输出文件夹的位置已有一个同名文件：{folder}", f"not a folder: {folder}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"无法新建输出文件夹 {folder}：{e.strerror or e}", f"cannot create {folder}: {e}") from e
    return folder


def _write_locked(target: Path, folder: Path, content: bytes | str | Callable[[BinaryIO], None],
                  backup: bool) -> tuple[Path | None, bool]:
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise OutputError(f"无法在 {folder} 中写入文件：{e.strerror}", f"cannot write in {folder}: {e}") from e
    tmp = Path(tmp_name)
    kept: Path | None = None
    replaced = False
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
        if target.exists() and same_content(tmp, target):
            tmp.unlink()
            return None, True
        check_writable(target)
        if backup and target.exists():
            kept = keep_backup(target)
        os.replace(tmp, target)
        replaced = True
        _fsync_dir(folder)
    except BaseException as e:
        tmp.unlink(missing_ok=True)
        if kept is not None and not replaced:
            kept.unlink(missing_ok=True)  # the target was not replaced: it still is what the backup holds
        if isinstance(e, PermissionError):
            raise OutputError(f"无法写入 {target}（没有权限，或文件正被其他程序打开）；原文件未改动。",
                              f"cannot write {target} (no permission, or open in another program): {e}") from e
        if isinstance(e, OSError):
            raise OutputError(f"写入 {target} 失败：{e.strerror or e}；原文件未改动。", f"writing {target} failed: {e}") from e
        raise
    return kept, False
