"""Which files the workbench may touch: only those the person picked in its own file and folder
picker during this run, files they uploaded (kept in a private temporary folder), and the files
the workbench itself wrote for them.

A browser never tells a server where an uploaded file lives, and a request must never be enough
to make the workbench read or write a path: requests carry only the ids handed out here.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import tempfile
import threading
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from nianbao.batch.roster import safe_file_stem
from nianbao.workbook_templates.format.errors import NianbaoError

MAX_ZIP_ENTRIES = 5000
MAX_ZIP_BYTES = 1 << 30  # uncompressed, in all
MAX_SEEN = 20000  # listing refs kept for navigation


class Refused(NianbaoError):
    """A request named a file or folder the person did not choose in this run."""

    exit_code = 2


@dataclass(frozen=True)
class Picked:
    id: str
    path: Path
    is_dir: bool
    uploaded: bool = False  # lives in the private temporary folder

    @property
    def folder(self) -> Path:
        return self.path if self.is_dir else self.path.parent

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.path.name or str(self.path), "path": str(self.path),
                "dir": self.is_dir, "uploaded": self.uploaded}


def _contained(folder: Path, name: str) -> Path:
    """``folder/name`` if it stays inside ``folder`` after resolving links and ``..``; else refuse."""
    if not name or "\x00" in name or Path(name).is_absolute() or name.startswith(("/", "\\")) or ":" in name:
        raise Refused("路径不在所选的文件夹中，已拒绝。", "the path is outside the chosen folder")
    base = folder.resolve()
    target = (base / name).resolve()
    if target != base and base not in target.parents:
        raise Refused("路径不在所选的文件夹中，已拒绝。", "the path is outside the chosen folder")
    return target


def gbk_aware_name(info: zipfile.ZipInfo) -> str:
    """A zip member's name: UTF-8 when flagged (or when it decodes), else GBK — what Windows'
    built-in compressor writes on a Chinese system."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def safe_member_name(name: str) -> str:
    """The file name of a zip member or an upload: no folders, nothing Windows forbids."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = "".join(ch for ch in suffix if ch.isalnum())[:10]
    return safe_file_stem(stem) + (f".{suffix}" if suffix else "")


class Registry:
    """This run's picks, uploads and offered outputs, by id."""

    def __init__(self, root: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, Path] = {}
        self._picked: dict[str, Picked] = {}
        self._offered: dict[str, Path] = {}
        self.upload_root = Path(tempfile.mkdtemp(prefix="nianbao-ui-", dir=root))
        os.chmod(self.upload_root, stat.S_IRWXU)

    def close(self) -> None:
        shutil.rmtree(self.upload_root, ignore_errors=True)

    # -- the picker ----------------------------------------------------------------------------------

    def ref(self, path: Path) -> str:
        """An id for a path the picker showed (navigation and picking go by these ids)."""
        with self._lock:
            if len(self._seen) > MAX_SEEN:
                self._seen.clear()
            ref = secrets.token_urlsafe(9)
            self._seen[ref] = path
            return ref

    def seen(self, ref: str) -> Path:
        with self._lock:
            path = self._seen.get(ref)
        if path is None:
            raise Refused("这个位置不是在本次的选择窗口中显示的，请重新选择。",
                          "this location was not shown by the picker in this run")
        return path

    def pick(self, path: Path, *, uploaded: bool = False) -> Picked:
        p = Picked(secrets.token_urlsafe(12), path, path.is_dir(), uploaded)
        with self._lock:
            self._picked[p.id] = p
        return p

    def picked(self, pick_id: str | None, *, want_dir: bool | None = None, suffixes: tuple[str, ...] = ()) -> Picked:
        """The pick behind an id from a form; refuses anything not picked in this run."""
        with self._lock:
            p = self._picked.get(pick_id or "")
        if p is None:
            raise Refused("只能使用在本工作台中选择或上传的文件和文件夹，请先点“选择…”。",
                          "only files and folders picked or uploaded in this workbench run are accepted")
        if want_dir is True and not p.is_dir:
            raise Refused(f"这里要选择一个文件夹，而“{p.path.name}”是文件。", "a folder is needed here")
        if want_dir is False and p.is_dir:
            raise Refused(f"这里要选择一个文件，而“{p.path.name}”是文件夹。", "a file is needed here")
        if suffixes and not p.is_dir and p.path.suffix.lower() not in suffixes:
            raise Refused(f"这里要选择 {' / '.join(suffixes)} 文件，“{p.path.name}”不是。",
                          f"a {' / '.join(suffixes)} file is needed here")
        return p

    def inside(self, pick_id: str, name: str) -> Path:
        """A file inside a picked folder (a relative name from a link), never outside it."""
        p = self.picked(pick_id, want_dir=True)
        return _contained(p.path, name)

    def subfolder(self, p: Picked, name: str) -> Path:
        """A new folder the person named inside a folder they picked."""
        if not name.strip() or safe_file_stem(name) != name.strip() or name.strip() in (".", ".."):
            raise Refused(f"文件夹名称“{name}”不能含有路径或 Windows 不允许的字符。",
                          "the folder name must not contain a path or characters Windows forbids")
        return _contained(p.folder, name.strip())

    # -- files we wrote ------------------------------------------------------------------------------

    def offer(self, path: Path) -> str:
        oid = secrets.token_urlsafe(12)
        with self._lock:
            self._offered[oid] = path
        return oid

    def offered(self, oid: str) -> Path:
        with self._lock:
            path = self._offered.get(oid)
        if path is None or not path.is_file():
            raise Refused("没有这个文件可供下载。", "no such download")
        return path

    # -- uploads -------------------------------------------------------------------------------------

    def new_upload_folder(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="upload-", dir=self.upload_root))
        os.chmod(folder, stat.S_IRWXU)
        return folder

    def save_upload(self, folder: Path, filename: str, stream) -> Path:
        target = _unique(folder / safe_member_name(filename or "上传的文件"))
        with open(target, "xb") as fh:
            shutil.copyfileobj(stream, fh, 1 << 20)
        return target

    def extract_zip(self, archive: Path, folder: Path) -> list[Path]:
        """Every file of a .zip into ``folder`` (flat), names decoded as Windows writes them."""
        try:
            z = zipfile.ZipFile(archive)
        except (zipfile.BadZipFile, OSError):
            raise NianbaoError(f"{archive.name} 不是有效的 .zip 压缩文件。", f"{archive.name} is not a valid .zip") from None
        out: list[Path] = []
        total = 0
        with z:
            members = [i for i in z.infolist() if not i.is_dir()]
            if len(members) > MAX_ZIP_ENTRIES:
                raise NianbaoError(f"{archive.name} 中的文件太多（{len(members)} 个）。", "too many files in the zip")
            for info in members:
                name = gbk_aware_name(info)
                if name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1].startswith("._"):
                    continue
                total += info.file_size
                if total > MAX_ZIP_BYTES:
                    raise NianbaoError(f"{archive.name} 解压后太大。", "the zip is too large when unpacked")
                target = _unique(folder / safe_member_name(name))
                try:
                    with z.open(info) as src, open(target, "xb") as dst:
                        written = 0
                        while chunk := src.read(1 << 20):
                            written += len(chunk)
                            if written > info.file_size:  # a lying header
                                raise NianbaoError(f"{archive.name} 已损坏。", "the zip is damaged")
                            dst.write(chunk)
                except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as e:
                    raise NianbaoError(f"{archive.name} 中的 {name} 无法解压（{type(e).__name__}）。",
                                       f"cannot unpack {name}") from None
                out.append(target)
        return out


def _unique(target: Path) -> Path:
    k = 2
    candidate = target
    while candidate.exists():
        candidate = target.with_name(f"{target.stem}-{k}{target.suffix}")
        k += 1
    return candidate


def places() -> list[tuple[str, Path]]:
    """Where the picker starts: home, desktop and documents, and the drives or the root."""
    home = Path.home()
    out = [("主目录", home)]
    for label, names in (("桌面", ("Desktop", "桌面")), ("文档", ("Documents", "文档"))):
        for n in names:
            if (home / n).is_dir():
                out.append((label, home / n))
                break
    if os.name == "nt":
        import string

        out += [(f"{d}:", Path(f"{d}:\\")) for d in string.ascii_uppercase if Path(f"{d}:\\").exists()]
    else:
        out.append(("根目录 /", Path("/")))
    return out
