"""The faster ways collect does things (#18) give exactly what the plain ways gave."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from nianbao.addin.consolidate import add_up_figures, summed_paths
from nianbao.batch.returns import Paths, Reading, Spill, _is, figures_as_json, read_all, returned_files
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.report_data import number, report_of

VALUES = (None, 0, 0.0, -0.0, 1, 7, -3, 2.5, 0.1, 1e16, 10**20, True, "x", "引号\"\n")


def _plain_sum(figures, edition):
    """add_up_figures as it was: report by report, cell by cell."""
    paths = summed_paths(edition)
    sums = [None] * len(paths)
    for figs in figures:
        for i, v in enumerate(figs):
            if type(v) in (int, float):
                sums[i] = (0 if sums[i] is None else sums[i]) + v
    return report_of(edition, {p: number(v) if isinstance(v, float) else v for p, v in zip(paths, sums) if v is not None})


@pytest.mark.parametrize("key", sorted(S.EDITIONS))
def test_the_sum_by_columns_is_the_sum_report_by_report(key):
    edition, rnd = S.get_edition(key), random.Random(18)
    width = len(summed_paths(edition))
    for count in (0, 1, 5, 63, 64, 65, 200):
        figures = [tuple(rnd.choice(VALUES) for _ in range(width)) for _ in range(count)]
        assert repr(add_up_figures(iter(figures), edition)) == repr(_plain_sum(figures, edition))
    short = [tuple(rnd.choice(VALUES) for _ in range(width - k)) for k in (0, 3, 0)]  # not of this edition
    assert repr(add_up_figures(iter(short), edition)) == repr(_plain_sum(short, edition))


@pytest.mark.parametrize("key", sorted(S.EDITIONS))
def test_the_ledgers_json_is_json_dumps(key):
    paths, rnd = summed_paths(S.get_edition(key)), random.Random(7)
    for _ in range(100):
        figures = tuple(rnd.choice((*VALUES, float("nan"), float("inf"))) for _ in paths)
        assert figures_as_json(paths, figures) == json.dumps(dict(zip(paths, figures)), ensure_ascii=False)
    assert figures_as_json((), ()) == "{}"
    assert figures_as_json(("a", "a"), (1, 2)) == json.dumps({"a": 2})


def test_a_file_is_the_output_only_where_it_resolves_to_it(tmp_path, monkeypatch):
    folder = tmp_path / "back"
    folder.mkdir()
    output = tmp_path / "out" / "SUMMARY.xlsx"
    output.parent.mkdir()
    output.write_bytes(b"x")
    (folder / "a.xlsx").write_bytes(b"x")
    (folder / "SUMMARY.xlsx").write_bytes(b"x")  # the same name elsewhere: another file
    (folder / "link.xlsx").symlink_to(output)
    (tmp_path / "out-link").symlink_to(tmp_path / "out")
    target = output.resolve()
    for p in [*folder.iterdir(), tmp_path / "out-link" / "SUMMARY.xlsx", tmp_path / "out" / "summary.xlsx"]:
        assert _is(str(p), p.name, target) == (p.resolve() == target), p
    # and what collect reads of that folder: every file but the link to its own output
    assert sorted(os.path.basename(f) for f in returned_files([folder], output)) == ["SUMMARY.xlsx", "a.xlsx"]
    monkeypatch.chdir(folder)  # the folder given as "."
    assert sorted(returned_files([Path(".")], output)) == ["SUMMARY.xlsx", "a.xlsx"]


def test_reading_gives_what_read_all_gives(tmp_path):
    files = [str(tmp_path / f"bad-{i}.xlsx") for i in range(12)]  # enough for the workers
    for f in files:
        Path(f).write_bytes(b"not a workbook")
    with Spill() as spill:
        plain = [(r.path, r.error, r.sha256) for r in read_all(files, spill)]
        with pytest.raises(ValueError, match="one list of files"):  # its returns would be named by the other list
            read_all(files[:2], spill)
    seen = []
    with Reading(files) as reading:
        begun = reading.returns(arrived=seen.append)
        with pytest.raises(AssertionError):
            reading.returns()  # taken in once
        assert [(r.path, r.error, r.sha256) for r in begun] == plain
        assert plain[0][1] and len(plain[0][2]) == 64  # why it could not be read, and its hash
    assert seen == begun
    # the run over, a return keeps its path and name; reading its record then is refused plainly
    assert [(r.path, r.name, r.readable) for r in begun] == [(f, os.path.basename(f), False) for f in files]
    with pytest.raises(RuntimeError, match="Spill is closed"):
        begun[0].errors


def test_paths_hold_what_a_list_of_the_paths_holds(tmp_path):
    folder = tmp_path / "交回"
    folder.mkdir()
    names = ["甲区-2023.xlsx", "b.xlsx", "乙 区.xlsm"]
    for n in names:
        (folder / n).write_bytes(b"x")
    given = tmp_path / "单独" / "丙.xlsx"
    given.parent.mkdir()
    given.write_bytes(b"x")
    paths = returned_files([folder, given], tmp_path / "out" / "SUMMARY.xlsx")
    expected = [os.path.join(str(folder), n) for n in sorted(names)] + [str(given)]
    assert isinstance(paths, Paths) and list(paths) == expected and len(paths) == 4
    assert [paths[i] for i in range(-4, 4)] == expected + expected
    assert paths[1:3] == expected[1:3] and paths[::-1] == expected[::-1]
    assert [paths.name(i) for i in range(4)] == [os.path.basename(p) for p in expected]
    with pytest.raises(IndexError):
        paths[4]
    assert list(Paths.of(expected)) == expected and Paths.of(paths) is paths
    assert list(Paths()) == [] and len(Paths.of([])) == 0
