"""The one guard every reader passes a file through: what kind of file, how big, how big unpacked.

- Only regular files are read: a device (``z.txt`` linked to ``/dev/urandom``), a FIFO or a socket
  is refused before it is opened for reading (opening a FIFO would wait for a writer for ever), and
  checked again on the open descriptor.
- Each kind of input has a byte limit (``LIMITS``), and no more than the limit is ever read, even
  from a file that grows or lies about its size.
- A zip package (.xlsx .xlsm .docx) is refused when it holds too many parts, when a part would
  unpack to more than ``MAX_PART_BYTES``, or all of them to more than ``MAX_UNPACKED_BYTES`` —
  before anything is inflated (Python's zipfile never inflates past a part's declared size).

Real reports are small (a filled workbook 24 KB, a published page well under 2 MB, a PDF a few MB):
the limits are far above them and low enough that every reader finishes in seconds.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
import zlib
from pathlib import Path

from nianbao.workbook_templates.format.errors import CorruptWorkbook, UnreadableFile

MB = 1024 * 1024
LIMITS: dict[str, int] = {
    ".xlsx": 100 * MB, ".xlsm": 100 * MB, ".docx": 100 * MB, ".pdf": 100 * MB,
    ".html": 20 * MB, ".htm": 20 * MB, ".txt": 20 * MB, ".md": 20 * MB, ".json": 20 * MB, ".csv": 20 * MB,
}
DEFAULT_LIMIT = 100 * MB
MAX_PART_BYTES = 200 * MB  # one part of a zip package, unpacked
MAX_UNPACKED_BYTES = 400 * MB  # all parts together
MAX_PARTS = 10_000
MAX_PDF_PAGES = 500
# what reading a damaged zip raises: a broken archive, bad deflate data, an unsupported version or
# compression method (NotImplementedError), an encrypted member (RuntimeError)
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)


def _kind_refusal(path: Path, mode: int) -> UnreadableFile:
    if stat.S_ISDIR(mode):
        return UnreadableFile(f"不是文件，是文件夹：{path}", f"not a file but a folder: {path}")
    what = "设备" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "管道或套接字"
    en = "a device" if what == "设备" else "a pipe or socket"
    return UnreadableFile(f"{path.name} 不是普通文件（是{what}），拒绝读取。", f"{path.name} is not a regular file but {en}")


def limit_for(path: Path) -> int:
    return LIMITS.get(path.suffix.lower(), DEFAULT_LIMIT)


def _too_large(path: Path, limit: int) -> UnreadableFile:
    return UnreadableFile(f"{path.name} 过大（超过 {limit // MB} MB），不像是一份年报，拒绝读取。",
                          f"{path.name} is larger than {limit // MB} MB; refused")


def check_file(path: str | os.PathLike[str]) -> os.stat_result:
    """The file's status, or the refusal of a missing file, a folder, a device, a FIFO, a huge file."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UnreadableFile(f"找不到文件：{path}", f"file not found: {path}") from None
    except OSError as e:
        raise UnreadableFile(f"无法打开 {path}：{e.strerror}", f"cannot open {path}: {e}") from e
    if not stat.S_ISREG(st.st_mode):
        raise _kind_refusal(path, st.st_mode)
    limit = limit_for(path)
    if st.st_size > limit:
        raise _too_large(path, limit)
    return st


def read_input(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The bytes of an input file, through every check above; never more than its limit."""
    path = Path(path)
    check_file(path)
    limit = limit or limit_for(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise UnreadableFile(f"无法打开 {path}：{e.strerror}", f"cannot open {path}: {e}") from e
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped between the check and the open
            raise _kind_refusal(path, st.st_mode)
        try:
            # as many bytes as the file says it holds, and one more: a read of the limit itself
            # would set aside the whole limit for every small file
            data = fh.read(min(st.st_size, limit) + 1)
            if len(data) > st.st_size:  # it grew, or says less than it holds (/proc): the rest, to the limit
                data += fh.read(limit + 1 - len(data)) if len(data) <= limit else b""
        except OSError as e:
            raise UnreadableFile(f"读取 {path} 失败：{e.strerror}", f"reading {path} failed: {e}") from e
    if len(data) > limit:
        raise _too_large(path, limit)
    return data


def check_zip(z: zipfile.ZipFile, name: str) -> None:
    """Refuse a package with too many parts, or parts that would unpack to too much."""
    infos = z.infolist()
    if len(infos) > MAX_PARTS:
        raise CorruptWorkbook(f"{name} 中的部件过多（{len(infos)} 个），拒绝读取。",
                              f"{name} holds too many parts ({len(infos)})")
    total = 0
    for info in infos:
        if info.file_size > MAX_PART_BYTES:
            raise CorruptWorkbook(f"{name} 中的 {info.filename} 解压后过大（{info.file_size // MB} MB），拒绝读取。",
                                  f"{info.filename} in {name} is too large when unpacked ({info.file_size} bytes)")
        total += info.file_size
    if total > MAX_UNPACKED_BYTES:
        raise CorruptWorkbook(f"{name} 解压后过大（{total // MB} MB），拒绝读取。",
                              f"{name} is too large when unpacked ({total} bytes)")


def open_zip(path: str | os.PathLike[str], damaged: tuple[str, str]) -> zipfile.ZipFile:
    """A checked zip package from an input file (``damaged``: the zh/en message of a broken zip)."""
    path = Path(path)
    raw = read_input(path)
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
    except ZIP_ERRORS as e:
        raise CorruptWorkbook(damaged[0], f"{damaged[1]}: {e}") from e
    try:
        check_zip(z, path.name)
    except BaseException:
        z.close()
        raise
    return z
