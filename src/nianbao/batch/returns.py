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
import sys
import tempfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

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
_SHARED_META = tuple(key in ("year", "agency_kind", "parent") for key in META_KEYS)


@dataclass(frozen=True)
class Bulk:
    """What a return holds beyond what matching needs, put aside on arrival (``Spill``)."""

    figures: tuple[Any, ...]  # the summed figures (summed_paths)
    figures_json: str  # the same as the ledger keeps them: {path: value}
    messages: tuple[str, ...]  # its findings as the feedback and the dashboard say them


@dataclass(slots=True, eq=False)
class Returned:
    """What one worker learned from one file: small, so that a thousand of them stay small."""

    path: str
    mtime: float
    digest: bytes = b""  # the file's SHA-256 (32 bytes: half the size of its hex text, kept for every unit)
    edition: str | None = None  # None: the file could not be read
    meta_values: tuple[Any, ...] = ()  # the meta, by META_KEYS
    error: str | None = None  # the file could not be read: why, in Chinese
    errors: int = 0
    warnings: int = 0
    key_packed: bytes = b""  # KEY_FIGURES of this return, marshalled (``key``): a quarter of the tuple's size
    is_summary: bool = False  # a SUMMARY.xlsx written by nianbao collect (a district's sum)
    untouched: bool = False  # every figure still blank: the template came back unfilled
    first: str = ""  # the first of its messages (the dashboard's 说明), kept so the dashboard need not read the bulk back
    bulk: bytes | None = None  # in transit from the worker: the Bulk, marshalled and compressed in two parts …
    split: int = 0  # … the figures (bulk[:split]: what the sum needs) and the rest (the ledger's, the feedback's)
    at: int = -1  # where the Spill put the bulk aside (offset, length)
    size: int = 0

    @property
    def name(self) -> str:
        # Path(self.path).name without making a Path: the paths are str() of Paths (normalised),
        # where the two agree; asked for several times a unit by the ledger and the dashboard
        return os.path.basename(self.path)

    @property
    def sha256(self) -> str:
        """The file's SHA-256 as hex text (what the ledger keeps); "" when it was not hashed."""
        return self.digest.hex()

    @property
    def key(self) -> tuple[Any, ...]:
        """KEY_FIGURES of this return (() when it was not read)."""
        return marshal.loads(self.key_packed) if self.key_packed else ()

    @property
    def has_messages(self) -> bool:
        return bool(self.errors or self.warnings)

    @property
    def readable(self) -> bool:
        """``data is not None``, without making the dict."""
        return self.edition is not None

    @property
    def data(self) -> dict[str, Any] | None:
        """The edition and the meta as report data; None when the file could not be read."""
        return None if self.edition is None else {"edition": self.edition, "meta": dict(zip(META_KEYS, self.meta_values))}

    def share_meta(self, **values: str) -> None:
        """Hold these meta values as the given strings where they are equal (the roster's own)."""
        if self.edition is not None:
            self.meta_values = tuple(values[k] if k in values and v == values[k] else v
                                     for k, v in zip(META_KEYS, self.meta_values))

    def meta(self, key: str) -> Any:
        return self.meta_values[META_KEYS.index(key)] if self.edition is not None else None


class Spill:
    """The bulk of every return (figures, messages) in a temporary file, read back when the sum,
    the ledger, the feedback and the dashboard need it: collect's memory does not grow with the
    number of returns.  Only what nianbao's own workers wrote is read back (marshal)."""

    def __init__(self) -> None:
        self._fh = tempfile.TemporaryFile()
        self._end = 0
        self._shared: dict[Any, Any] = {}  # the meta values many returns have, one object each

    def put(self, r: Returned, path: str | None = None) -> Returned:
        """Put ``r``'s bulk aside (and share the strings many returns have, ``path`` the caller's own)."""
        if path is not None:
            r.path = path
        if r.edition is not None:
            r.edition = sys.intern(r.edition)
            # the year, the kind and the 上级 repeat from unit to unit: one object each for the run; a
            # unit's own name and id are its alone (sharing them would only add an entry each)
            shared = self._shared
            r.meta_values = tuple(shared.setdefault(v, v) if share and type(v) in (str, int) else v
                                  for v, share in zip(r.meta_values, _SHARED_META))
        if r.bulk is not None:
            self._fh.seek(self._end)
            self._fh.write(r.bulk)
            r.at, r.size, r.bulk = self._end, len(r.bulk), None
            self._end += r.size
        return r

    def _read(self, r: Returned, start: int, end: int | None = None) -> bytes:
        """``r``'s bulk[start:end], wherever it is."""
        if r.bulk is not None:
            return r.bulk[start:end]
        assert r.at >= 0, "a readable return has its bulk"
        self._fh.seek(r.at + start)
        return self._fh.read((r.size if end is None else end) - start)

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
    r = Returned(path, os.path.getmtime(path))
    try:
        with XlsxPackage(path) as pkg:
            r.digest = hashlib.sha256(pkg.raw).digest()  # the bytes read: the file hashed once
            data = bind(FileCells(pkg)).data
            r.is_summary = DASHBOARD in pkg.sheets
    except NianbaoError as e:
        r.digest = r.digest or _hash_if_regular(path)
        r.error = e.zh
        return r
    except Exception as e:  # a defect must not end a run over hundreds of files
        r.digest = r.digest or _hash_if_regular(path)
        r.error = f"读取时出错：{type(e).__name__}"
        return r
    edition = S.get_edition(data["edition"])
    paths = summed_paths(edition)
    values = flat_values(data, edition)  # made once: the rules are given it below
    figures = tuple(values[p] for p in paths)
    r.untouched = all(v is None for v in figures)
    r.edition, r.meta_values = data["edition"], tuple(data["meta"].get(k) for k in META_KEYS)
    r.key_packed = marshal.dumps(tuple(NF.value(data, name) for name in KEY_FIGURES))
    messages: list[str] = []
    if not r.untouched:
        for f in validate(data, r.name, values=values).findings:  # the values made above, not again
            if f.severity not in ("error", "warning"):
                continue
            if r.is_summary and CATALOGUE[f.rule].family == PROSE:
                continue  # a summary holds the tables only; its prose is written by whoever publishes it
            messages.append(str(Message(f.severity, f.rule, f.message)))
            if f.severity == "error":
                r.errors += 1
            else:
                r.warnings += 1
    r.first = messages[0] if messages else ""
    figures_json = figures_as_json(paths, figures)
    head = zlib.compress(marshal.dumps(figures), 1)
    r.bulk, r.split = head + zlib.compress(marshal.dumps((figures_json, tuple(messages))), 1), len(head)  # the paths repeat: ~7×
    return r


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
        return ""


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


def _started(paths: list[str], workers: Workers) -> Iterable[Returned]:
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


def _ahead(pool: ProcessPoolExecutor, paths: list[str], chunk: int) -> Iterator[Returned]:
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


def _taken_in(paths: list[str], results: Iterable[Returned], spill: Spill, progress: Callable[[], None] | None,
              arrived: Callable[[Returned], None] | None) -> list[Returned]:
    out: list[Returned] = []
    for path, r in zip(paths, results):
        out.append(spill.put(r, path))
        if arrived:
            arrived(r)
        if progress:
            progress()
    return out


def read_all(files: Sequence[str | Path], spill: Spill, progress: Callable[[], None] | None = None,
             workers: Workers | None = None, arrived: Callable[[Returned], None] | None = None) -> list[Returned]:
    """Every file read and checked (in worker processes when there are many), its bulk put aside;
    ``arrived`` is told of each as it comes in (what can be done before all are in)."""
    paths = [str(p) for p in files]
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
        self.paths = [str(p) for p in files]
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


def returned_files(inputs: list[Path], output: Path) -> list[str]:
    """The files to read: folders' returned workbooks (not our outputs, manifests, locks or backups),
    as plain strings (a thousand Path objects weigh more than the returns read from them; making
    them one at a time still fills pathlib's table of interned names)."""
    from nianbao.batch.distribute import MANIFEST, candidate_names
    from nianbao.workbook_templates.format.errors import OutputError

    files: list[str] = []
    target = output.resolve()
    for item in inputs:
        if item.is_dir():
            folder = str(item)
            files += [path for name in candidate_names(item, RETURNED) if name != f"{MANIFEST}.xlsx"
                      and not _is(path := name if folder == "." else os.path.join(folder, name), name, target)]
        elif item.exists():
            files.append(str(item))
        else:
            raise OutputError(f"找不到：{item}", f"not found: {item}")
    return files


def _is(path: str, name: str, target: Path) -> bool:
    """``Path(path).resolve() == target`` (``target`` resolved), resolving only where it can be
    true: a file listed in a folder that is not a link resolves to its folder's place and its name."""
    return (name.lower() == target.name.lower() or os.path.islink(path)) and Path(path).resolve() == target


def year_of(returns: list[Returned]) -> int | None:
    years = [y for r in returns if isinstance(y := r.meta("year"), int)]
    return max(set(years), key=years.count) if years else None
