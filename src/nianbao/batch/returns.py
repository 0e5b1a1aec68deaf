"""What came back: one returned file read and checked (in a worker process), packed small.

A worker reads the workbook, validates it and hands the parent only what collect needs — the
unit's meta, the counts of its findings, the file's hash — and, marshalled, the summed figures and
the messages, which the parent puts aside in a temporary file (``Spill``) until the sum, the ledger,
the feedback and the dashboard read them back: memory stays flat in the number of returns."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import marshal
import os
import stat
import struct
import sys
import tempfile
import zlib
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from nianbao.addin.consolidate import summed_paths
from nianbao.workbook_templates.format import figures as NF
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import NianbaoError
from nianbao.workbook_templates.format.report_data import flat_values, set_path

RETURNED = (".xlsx", ".xlsm", ".xls", ".xlsb", ".et", ".ods")
DASHBOARD = "汇总情况"  # the first sheet of a SUMMARY.xlsx: a return that has it is a summary
# The dashboard's figures, by their names in the catalogue of named figures.
CHUNK = 8  # returns a worker reads before it hands them back
AHEAD = 64  # chunks handed to the workers and not yet taken back (512 returns: a second's reading)
WORKER_MODULES = ("nianbao.addin.checks.validate", "nianbao.workbook_templates.xlsx.reader")
KEY_FIGURES = (NF.NEW, NF.HANDLED, NF.CARRIED_FORWARD, NF.REVIEW, NF.LITIGATION)


@dataclass(frozen=True)
class Message:
    """One finding of a return, as the unit's feedback and the dashboard say it."""

    severity: str  # error | warning
    rule: str
    text: str

    def __str__(self) -> str:
        return f"【{'错误' if self.severity == 'error' else '警告'} {self.rule}】{self.text}"


# What matching, the dashboard and the ledger need of a return's meta: the rest stays in the file.
META_KEYS = ("agency", "year", "agency_kind", "unit_id", "parent")


@dataclass(frozen=True)
class Bulk:
    """What a return holds beyond what matching needs, put aside on arrival (``Spill``)."""

    figures: tuple[Any, ...]  # the summed figures (summed_paths)
    figures_json: str  # the same as the ledger keeps them: {path: value}
    messages: tuple[str, ...]  # its findings as the feedback and the dashboard say them


# What one return keeps for the whole run, packed into one record: the fixed fields (mtime, where
# its bulk is in the Spill, its place in the run's Paths, its counts, its SHA-256, its flags), then
# its key figures, its meta, why it could not be read and its first message, marshalled.  While the
# run works the record is in the Spill's file (``Spill.put``), read back when it is asked for: ten
# thousand returns as objects with a field each weighed 4.5 MB (an int, a float, a tuple, a bytes
# apiece), as records in memory 2.7 MB, as handles to their records 1 MB.
_FIXED = struct.Struct("<dqIIIII32sB")
_FIXED_NAMES = ("mtime", "at", "size", "split", "index", "errors", "warnings", "digest", "flags")
_TAIL_NAMES = ("key", "meta", "error", "first")  # marshalled after the fixed fields
_SUMMARY, _UNTOUCHED, _HASHED = 1, 2, 4
_LEN, _INDEX = 16, 32  # a record in the Spill: (offset << 48) | (index << 16) | length


class Fields(NamedTuple):
    """A return's record read once, for whoever asks for many of its fields (a dashboard row, a ledger row)."""

    mtime: float
    at: int
    size: int
    split: int
    index: int
    errors: int
    warnings: int
    digest: bytes  # b"" when the file was not hashed
    is_summary: bool
    untouched: bool
    key: tuple[Any, ...]
    meta: tuple[Any, ...]
    error: str | None
    first: str


def _fixed_field(name: str, doc: str) -> Any:
    """A property reading one of the record's fixed fields."""
    i = _FIXED_NAMES.index(name)
    return property(lambda self: _FIXED.unpack_from(self._record())[i], doc=doc)


def _tail_field(name: str, doc: str) -> Any:
    """A property reading one of the record's marshalled fields."""
    i = _TAIL_NAMES.index(name)
    return property(lambda self: marshal.loads(memoryview(self._record())[_FIXED.size:])[i], doc=doc)


class Returned:
    """What one worker learned from one file: small, so that ten thousand of them stay small.
    Made by ``returned`` (in a worker), placed by the parent (``Spill.put``); read-only otherwise."""

    __slots__ = ("_src", "_rec", "edition", "bulk")

    def __init__(self, path: str, rec: bytes, edition: str | None = None, bulk: bytes | None = None) -> None:
        self._src: str | Spill = path  # the path (in the worker); the run's Spill, that has the Paths (in the parent)
        self._rec: bytes | int = rec  # the record, or where it is in the Spill
        self.edition = edition  # None: the file could not be read
        self.bulk = bulk  # in transit from the worker: the Bulk, marshalled and compressed in two parts (``split``)

    def __getstate__(self) -> tuple[Any, ...]:
        return self.path, self._record(), self.edition, self.bulk

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self._src, self._rec, self.edition, self.bulk = state

    def _record(self) -> bytes:
        rec = self._rec
        return rec if type(rec) is bytes else self._src.record(rec)  # type: ignore[union-attr, arg-type]

    def fields(self) -> Fields:
        """Every field of the record, read once."""
        rec = self._record()
        mtime, at, size, split, index, errors, warnings, digest, flags = _FIXED.unpack_from(rec)
        return Fields(mtime, at, size, split, index, errors, warnings, digest if flags & _HASHED else b"",
                      bool(flags & _SUMMARY), bool(flags & _UNTOUCHED), *marshal.loads(memoryview(rec)[_FIXED.size:]))

    def _index(self) -> int:
        rec = self._rec
        return (rec >> _LEN) & ((1 << _INDEX) - 1) if type(rec) is int else _FIXED.unpack_from(rec)[_FIXED_NAMES.index("index")]

    @property
    def path(self) -> str:
        src = self._src
        return src if type(src) is str else src.paths[self._index()]  # type: ignore[union-attr]

    @property
    def name(self) -> str:
        """The file's name (asked for several times a unit by the ledger, the dashboard, the feedback)."""
        src = self._src
        return os.path.basename(src) if type(src) is str else src.paths.name(self._index())  # type: ignore[union-attr]

    mtime = _fixed_field("mtime", "The file's modification time.")
    at = _fixed_field("at", "Where the Spill put the bulk aside (-1: not yet), and its length (``size``).")
    size = _fixed_field("size", "The bulk's length in the Spill.")
    split = _fixed_field("split", "The bulk's figures (bulk[:split]: what the sum needs), then the rest "
                                  "(the ledger's, the feedback's).")
    errors = _fixed_field("errors", "How many errors its findings have.")
    warnings = _fixed_field("warnings", "How many warnings its findings have.")
    key = _tail_field("key", "KEY_FIGURES of this return (() when it was not read).")
    meta_values = _tail_field("meta", "The meta, by META_KEYS (() when it was not read).")
    error = _tail_field("error", "Why the file could not be read, in Chinese (None: it was read).")
    first = _tail_field("first", "The first of its messages (the dashboard's 说明), kept so that the bulk "
                                 "need not be read back.")

    def _flags(self) -> int:
        return _FIXED.unpack_from(self._record())[_FIXED_NAMES.index("flags")]

    @property
    def digest(self) -> bytes:
        """The file's SHA-256 (32 bytes); b"" when it was not hashed."""
        return self.fields().digest

    @property
    def sha256(self) -> str:
        """The file's SHA-256 as hex text (what the ledger keeps); "" when it was not hashed."""
        return self.digest.hex()

    @property
    def is_summary(self) -> bool:
        """A SUMMARY.xlsx written by nianbao collect (a district's sum)."""
        return bool(self._flags() & _SUMMARY)

    @property
    def untouched(self) -> bool:
        """Every figure still blank: the template came back unfilled."""
        return bool(self._flags() & _UNTOUCHED)

    @property
    def has_messages(self) -> bool:
        f = self.fields()
        return bool(f.errors or f.warnings)

    @property
    def readable(self) -> bool:
        """``data is not None``, without making the dict."""
        return self.edition is not None

    @property
    def data(self) -> dict[str, Any] | None:
        """The edition and the meta as report data; None when the file could not be read."""
        return None if self.edition is None else {"edition": self.edition, "meta": dict(zip(META_KEYS, self.meta_values))}

    def meta(self, key: str) -> Any:
        return self.meta_values[META_KEYS.index(key)] if self.edition is not None else None


def returned(path: str, mtime: float, digest: bytes = b"", edition: str | None = None, meta: tuple[Any, ...] = (),
             error: str | None = None, errors: int = 0, warnings: int = 0, key: tuple[Any, ...] = (),
             is_summary: bool = False, untouched: bool = False, first: str = "", bulk: bytes | None = None,
             split: int = 0) -> Returned:
    flags = (_SUMMARY if is_summary else 0) | (_UNTOUCHED if untouched else 0) | (_HASHED if digest else 0)
    rec = _FIXED.pack(mtime, -1, 0, split, 0, errors, warnings, digest, flags) + marshal.dumps((key, meta, error, first))
    return Returned(path, rec, sys.intern(edition) if edition is not None else None, bulk)

class Paths(Sequence[str]):
    """The run's file paths, held small: each folder once, and the names of the files in one string
    (ten thousand paths as str weigh 1.6 MB; so, 0.5 MB); a path is made when it is asked for."""

    def __init__(self, entries: Iterable[tuple[str, str]] = ()) -> None:
        """``entries``: (folder, name) — the path is ``os.path.join(folder, name)``; a folder of ""
        for a path given whole."""
        self._dirs: list[str] = []
        self._which = array("I")  # each path's folder, by its place in _dirs
        self._ends = array("I")  # where each name ends in _text
        seen: dict[str, int] = {}
        names: list[str] = []
        end = 0
        for folder, name in entries:
            prefix = os.path.join(folder, "") if folder else ""
            if (i := seen.get(prefix)) is None:
                i = seen[prefix] = len(self._dirs)
                self._dirs.append(prefix)
            end += len(name)
            self._which.append(i)
            self._ends.append(end)
            names.append(name)
        self._text = "".join(names)

    @classmethod
    def of(cls, files: Iterable[str | os.PathLike[str]]) -> Paths:
        return files if isinstance(files, Paths) else cls(("", str(p)) for p in files)

    def __len__(self) -> int:
        return len(self._ends)

    def _name(self, i: int) -> str:
        return self._text[self._ends[i - 1] if i else 0:self._ends[i]]

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = range(len(self._ends))[i]  # an IndexError past the end, as a list's
        return self._dirs[self._which[i]] + self._name(i)

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))

    def name(self, i: int) -> str:
        """``os.path.basename(self[i])``, without making the path."""
        return os.path.basename(self._name(i))

    def __repr__(self) -> str:
        return f"Paths({list(self)!r})"


class Spill:
    """The bulk of every return (figures, messages) and its record in a temporary file, read back
    when matching, the sum, the ledger, the feedback and the dashboard need them: collect's memory
    does not grow with the number of returns but by a handle each.  A record is read while the
    Spill is open (the run); once it is closed, a return still has its path, its name and its
    edition.  Only what nianbao's own workers wrote is read back (marshal)."""

    def __init__(self) -> None:
        # unbuffered: what is written is there to be read at once (by seek and read: os.pread is not on Windows)
        self._fh = tempfile.TemporaryFile(buffering=0)
        self._end = 0
        self.paths = Paths()  # the run's files (``put``)

    def _write(self, data: bytes) -> int:
        at = self._end
        self._fh.seek(at)
        view = memoryview(data)
        while view:  # a raw file may take less than it is given
            view = view[self._fh.write(view):]
        self._end += len(data)
        return at

    def _read_at(self, size: int, at: int) -> bytes:
        self._fh.seek(at)
        return self._fh.read(size)

    def put(self, r: Returned, paths: Paths | None = None, index: int = 0) -> Returned:
        """Put ``r``'s bulk and its record aside; ``r`` the ``index``-th of ``paths`` (the run's files)."""
        at, size = -1, 0
        if r.bulk is not None:
            at, size, r.bulk = self._write(r.bulk), len(r.bulk), None
        old = r._record()
        fixed = dict(zip(_FIXED_NAMES, _FIXED.unpack_from(old)), at=at, size=size, index=index)
        rec = _FIXED.pack(*fixed.values()) + old[_FIXED.size:]
        if r.edition is not None:
            r.edition = sys.intern(r.edition)  # one string for the run (unpickling made one a chunk)
        if paths is None or len(rec) >= 1 << _LEN:
            r._rec = rec  # kept as it is: no Paths to name the file by, or a record of unheard-of length
            return r
        if paths is not self.paths:
            if self._end and len(self.paths):
                raise ValueError("a Spill holds the returns of one list of files (its Paths)")
            self.paths = paths
        r._src, r._rec = self, (self._write(rec) << (_LEN + _INDEX)) | (index << _LEN) | len(rec)
        return r

    def record(self, where: int) -> bytes:
        """A return's record, from where ``put`` wrote it."""
        if self._fh.closed:  # said plainly (the file would say only that it is closed)
            raise RuntimeError("a return's record is read while its run is open (the Spill is closed)")
        return self._read_at(where & ((1 << _LEN) - 1), where >> (_LEN + _INDEX))

    def _read(self, r: Returned, start: int, end: int | None = None) -> bytes:
        """``r``'s bulk[start:end], wherever it is."""
        if r.bulk is not None:
            return r.bulk[start:end]
        f = r.fields()
        assert f.at >= 0, "a readable return has its bulk"
        return self._read_at((f.size if end is None else end) - start, f.at + start)

    def get(self, r: Returned) -> Bulk:
        return Bulk(self.figures_of(r), *self.notes_of(r))

    def figures_of(self, r: Returned) -> tuple[Any, ...]:
        """The return's summed figures (summed_paths), without the rest of its bulk."""
        return marshal.loads(zlib.decompress(self._read(r, 0, r.split)))

    def notes_of(self, r: Returned) -> tuple[str, tuple[str, ...]]:
        """The return's figures as the ledger keeps them, and its messages: the bulk but its figures."""
        figures_json, messages = marshal.loads(zlib.decompress(self._read(r, r.split)))
        return figures_json, messages

    def figures(self, r: Returned) -> dict[str, Any]:
        """The return's figures as report data (for summing and comparing)."""
        assert r.edition is not None
        return unpack(S.get_edition(r.edition), self.figures_of(r), r.data["meta"] if r.data else None)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def unpack(edition: S.Edition, figures: tuple[Any, ...], meta: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"edition": edition.key, "meta": meta or {}}
    for path, value in zip(summed_paths(edition), figures):
        set_path(out, path, value)
    return out


def file_hash(path: str) -> bytes:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.digest()


def read_one(path: str | bytes) -> Returned:
    """Read and validate one returned file (runs in a worker process; the path given as bytes by
    ``_started``)."""
    from nianbao.addin.checks.registry import CATALOGUE, PROSE
    from nianbao.addin.checks.validate import validate
    from nianbao.workbook_templates.xlsx.package import XlsxPackage
    from nianbao.workbook_templates.xlsx.reader import FileCells, bind

    path = os.fsdecode(path)
    mtime = os.path.getmtime(path)
    digest = b""
    try:
        with XlsxPackage(path) as pkg:
            digest = hashlib.sha256(pkg.raw).digest()  # the bytes read: the file hashed once
            data = bind(FileCells(pkg)).data
            is_summary = DASHBOARD in pkg.sheets
    except NianbaoError as e:
        return returned(path, mtime, digest or _hash_if_regular(path), error=e.zh)
    except Exception as e:  # a defect must not end a run over hundreds of files
        return returned(path, mtime, digest or _hash_if_regular(path), error=f"读取时出错：{type(e).__name__}")
    edition = S.get_edition(data["edition"])
    paths = summed_paths(edition)
    values = flat_values(data, edition)  # made once: the rules are given it below
    figures = tuple(values[p] for p in paths)
    untouched = all(v is None for v in figures)
    messages: list[str] = []
    errors = warnings = 0
    if not untouched:
        for f in validate(data, os.path.basename(path), values=values).findings:  # the values made above, not again
            if f.severity not in ("error", "warning"):
                continue
            if is_summary and CATALOGUE[f.rule].family == PROSE:
                continue  # a summary holds the tables only; its prose is written by whoever publishes it
            messages.append(str(Message(f.severity, f.rule, f.message)))
            if f.severity == "error":
                errors += 1
            else:
                warnings += 1
    figures_json = figures_as_json(paths, figures)
    head = zlib.compress(marshal.dumps(figures), 1)
    bulk = head + zlib.compress(marshal.dumps((figures_json, tuple(messages))), 1)  # the paths repeat: ~7×
    return returned(path, mtime, digest, data["edition"], tuple(data["meta"].get(k) for k in META_KEYS),
                    errors=errors, warnings=warnings, key=tuple(NF.value(data, name) for name in KEY_FIGURES),
                    is_summary=is_summary, untouched=untouched, first=messages[0] if messages else "",
                    bulk=bulk, split=len(head))


@lru_cache(maxsize=8)
def _json_keys(paths: tuple[str, ...]) -> tuple[str, ...] | None:
    """Each path as a JSON key with its separator; None when a path repeats (a dict keeps one)."""
    if not paths or len(set(paths)) != len(paths):
        return None
    return tuple(json.dumps(p, ensure_ascii=False) + ": " for p in paths)


def figures_as_json(paths: tuple[str, ...], figures: tuple[Any, ...]) -> str:
    """``json.dumps(dict(zip(paths, figures)), ensure_ascii=False)`` — the ledger's form of the
    figures — with the keys, the same for every return of an edition, encoded once, and whole
    numbers and blanks (nearly every figure) written directly."""
    keys = _json_keys(paths)
    if keys is None or len(figures) != len(paths):
        return json.dumps(dict(zip(paths, figures)), ensure_ascii=False)
    return "{" + ", ".join(key + (str(v) if type(v) is int else "null" if v is None else json.dumps(v, ensure_ascii=False))
                           for key, v in zip(keys, figures)) + "}"


def _hash_if_regular(path: str) -> bytes:
    """The hash of a file that could not be read as a workbook (never of a pipe or a device)."""
    try:
        return file_hash(path) if stat.S_ISREG(os.stat(path).st_mode) else b""
    except OSError:
        return b""


class Workers:
    """The worker processes of a run (none for a handful of files): they read the returns; and one
    more process (``side``) that does what costs the same however many units there are (SUMMARY's
    layout): it gets ready while the returns are read (``warm``) and lays out while the parent
    writes the rest.  Being a single process, what ``warm`` made there is there for ``submit``."""

    def __init__(self, files: int) -> None:
        self.pool: ProcessPoolExecutor | None = None
        self.side: ProcessPoolExecutor | None = None
        if files > 8 and (os.cpu_count() or 1) > 1:
            for module in WORKER_MODULES:  # imported once here, before the workers fork, not in each of them
                importlib.import_module(module)
            self.pool = ProcessPoolExecutor()
            self.side = ProcessPoolExecutor(1)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        for pool in (self.pool, self.side):
            if pool is not None:
                pool.shutdown()

    def warm(self, fn: Callable[..., None], *args: Any) -> None:
        """``fn(*args)`` in the side process, for a ``submit`` to come (nothing without workers:
        there the work is done when it is needed)."""
        if self.side is not None:
            self.side.submit(fn, *args)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """``fn(*args)`` in the side process (here, at once, without workers)."""
        if self.side is not None:
            return self.side.submit(fn, *args)
        done: Future[Any] = Future()
        done.set_result(fn(*args))
        return done


def _started(paths: Paths, workers: Workers) -> Iterable[Returned]:
    """The reading of ``paths`` handed to the workers at once (or, without workers, to be done
    here one by one as they are taken in): the results, in the order of ``paths``."""
    if workers.pool is None:
        return map(read_one, paths)
    # small chunks: a finished chunk waits in the parent until the ones before it are in,
    # so its size bounds what is held in memory at once
    chunk = max(1, min(CHUNK, len(paths) // ((os.cpu_count() or 1) * 8)))
    return _ahead(workers.pool, paths, chunk)


def _read_chunk(paths: list[bytes]) -> list[Returned]:
    return [read_one(p) for p in paths]


def _ahead(pool: ProcessPoolExecutor, paths: Paths, chunk: int) -> Iterator[Returned]:
    """``pool.map(read_one, paths, chunksize=chunk)``, but never more than ``AHEAD`` chunks handed
    out and not yet taken back: ``map`` hands out every chunk at once, a future and a copy of its
    paths each (4 MB for 10,000 returns).  The first ``AHEAD`` are handed out at once, so the
    workers read while the parent gets ready to take them in; one more for each taken back."""
    # the paths as bytes: sent as they are, not as text that would keep its UTF-8 form cached beside
    # it in the parent for the whole run (every path is written in Chinese)
    batches = (list(map(os.fsencode, paths[i:i + chunk])) for i in range(0, len(paths), chunk))
    out: deque[Future[list[Returned]]] = deque(pool.submit(_read_chunk, b) for b in islice(batches, AHEAD))
    try:
        while out:
            done = out.popleft().result()
            for b in islice(batches, 1):
                out.append(pool.submit(_read_chunk, b))
            yield from done
    finally:
        for f in out:  # taken in no further (an error, an interrupt): the rest need not be read
            f.cancel()


def _taken_in(paths: Paths, results: Iterable[Returned], spill: Spill, progress: Callable[[], None] | None,
              arrived: Callable[[Returned], None] | None) -> list[Returned]:
    out: list[Returned] = []
    for i, r in enumerate(results):
        out.append(spill.put(r, paths, i))
        if arrived:
            arrived(r)
        if progress:
            progress()
    return out


def read_all(files: Sequence[str | Path], spill: Spill, progress: Callable[[], None] | None = None,
             workers: Workers | None = None, arrived: Callable[[Returned], None] | None = None) -> list[Returned]:
    """Every file read and checked (in worker processes when there are many), its bulk put aside;
    ``arrived`` is told of each as it comes in (what can be done before all are in)."""
    paths = Paths.of(files)
    with contextlib.ExitStack() as stack:
        if workers is None:
            workers = stack.enter_context(Workers(len(paths)))
        return _taken_in(paths, _started(paths, workers), spill, progress, arrived)


class Reading:
    """The returns being read from the moment the files are known: ``Reading(files)`` sets the
    workers to read them at once, so that what the parent still has to do before it takes them
    in (import the rest of collect, set up the progress bar) is done while they read.  Holds the
    run's Spill and Workers until it is closed."""

    def __init__(self, files: Sequence[str | Path]) -> None:
        self.paths = Paths.of(files)
        self.spill = Spill()
        try:
            self.workers = Workers(len(self.paths))
            self._results: Iterable[Returned] | None = _started(self.paths, self.workers)
        except BaseException:
            self.spill.close()
            raise

    def returns(self, progress: Callable[[], None] | None = None,
                arrived: Callable[[Returned], None] | None = None) -> list[Returned]:
        """Every return, taken in as it comes (``read_all``'s ``progress`` and ``arrived``); once."""
        assert self._results is not None, "the returns are taken in once"
        results, self._results = self._results, None
        return _taken_in(self.paths, results, self.spill, progress, arrived)

    def close(self) -> None:
        try:
            self.workers.__exit__(None, None, None)
        finally:
            self.spill.close()

    def __enter__(self) -> Reading:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def returned_files(inputs: list[Path], output: Path) -> Paths:
    """The files to read: folders' returned workbooks (not our outputs, manifests, locks or backups),
    as a Paths (ten thousand Path objects weigh more than the returns read from them; making them
    one at a time still fills pathlib's table of interned names; as str, 1.6 MB)."""
    from nianbao.batch.distribute import MANIFEST, candidate_names
    from nianbao.workbook_templates.format.errors import OutputError

    entries: list[tuple[str, str]] = []
    target = output.resolve()
    for item in inputs:
        if item.is_dir():
            folder = "" if str(item) == "." else str(item)
            entries += [(folder, name) for name in candidate_names(item, RETURNED) if name != f"{MANIFEST}.xlsx"
                        and not _is(os.path.join(folder, name), name, target)]
        elif item.exists():
            entries.append(("", str(item)))
        else:
            raise OutputError(f"找不到：{item}", f"not found: {item}")
    return Paths(entries)


def _is(path: str, name: str, target: Path) -> bool:
    """``Path(path).resolve() == target`` (``target`` resolved), resolving only where it can be
    true: a file listed in a folder that is not a link resolves to its folder's place and its name."""
    return (name.lower() == target.name.lower() or os.path.islink(path)) and Path(path).resolve() == target


def year_of(returns: list[Returned]) -> int | None:
    years = [y for r in returns if isinstance(y := r.meta("year"), int)]
    return max(set(years), key=years.count) if years else None
