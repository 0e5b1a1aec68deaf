"""`nianbao collect`: read every returned workbook (in parallel), match it to its unit (two levels:
a district's SUMMARY.xlsx is a return too), check it, and write — through one path — the city
report data, SUMMARY.xlsx (the filled template of the sum, with the 汇总情况 dashboard first),
SUMMARY.html, the feedback files and the round in the ledger.  A unit's broken file is a dashboard
finding, never the end of the run."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from nianbao.batch import dashboard as D
from nianbao.batch import dashboard_sheet as S_
from nianbao.batch.consolidation import Agency, city_report, counted, shortfalls
from nianbao.batch.feedback import FEEDBACK, write_feedback
from nianbao.batch.ledger import ledger_path, record
from nianbao.batch.matching import MISSING, UnitStatus, match
from nianbao.batch.returns import RETURNED, Reading, Returned, returned_files, year_of
from nianbao.batch.roster import Unit
from nianbao.workbook_templates.format import schema as S
from nianbao.workbook_templates.format.errors import NianbaoError
from nianbao.workbook_templates.xlsx.safe_write import Written

__all__ = ["RETURNED", "FEEDBACK", "Collected", "collect", "returned_files"]


@dataclass
class Collected:
    """What a collect run made, for the shell to report.  Its statuses' returns keep their path,
    name and edition; the rest of a return is read while the run is open (``Spill``), so what is
    reported of them afterwards is taken here (``bad``)."""

    city: dict[str, Any]
    statuses: list[UnitStatus]
    html: Path
    ledger: Path
    feedback: dict[str, Path]
    shortfalls: list[dict[str, Any]]
    counts: D.Counts
    files: int
    notes: list[str] = field(default_factory=list)
    rows: list[D.DashboardRow] = field(default_factory=list)  # the dashboard, as written
    output: Path | None = None
    written: list[Written] = field(default_factory=list)  # SUMMARY.xlsx, .html, feedback: what the policy did
    made_folder: Path | None = None  # the output folder, when collect had to create it
    bad: list[str] = field(default_factory=list)  # the units whose return has errors or could not be read

    @property
    def missing(self) -> list[str]:
        return [s.name for s in self.statuses if s.status == MISSING]


def _edition_key(year: int | None) -> str | None:
    try:
        return S.edition_for_year(year).key if year else None
    except NianbaoError:
        return None  # said once the returns are read, as before


def collect(files: Sequence[str | Path], units: list[Unit] | None, agency: Agency, year: int | None, output: Path,
            previous: Callable[[int], dict[str, Any] | None] | None = None, progress: Callable[[], None] | None = None,
            now: datetime | None = None, keep_rows: bool = False, reading: Reading | None = None) -> Collected:
    """Read, check, match and sum the returns and write every output; ``keep_rows`` keeps the
    dashboard's rows in the result (for a page that shows them), else they are only written;
    ``reading``: the reading of ``files``, begun by the caller (else begun here)."""
    from nianbao.workbook_templates.xlsx.safe_write import check_writable, make_folder, write_atomic

    check_writable(output)
    with contextlib.ExitStack() as stack:
        if reading is None:
            reading = stack.enter_context(Reading(files))
        spill, workers = reading.spill, reading.workers
        given = _edition_key(year)
        warmed: list[str] = []

        def arrived(r: Returned) -> None:
            # SUMMARY's template built while the returns are read: of the year's edition, else of
            # the first readable return's (the usual one; the layout builds another if it is not)
            if r.edition is not None and not warmed:
                warmed.append(given or r.edition)
                workers.warm(S_.prepare, warmed[0])

        returns = reading.returns(progress, arrived)
        year = year or year_of(returns)
        if year is None:
            raise NianbaoError("没有一份能读取的年报，无法汇总。", "no readable return: nothing to consolidate")
        edition = S.edition_for_year(year)
        statuses = match(returns, units, year)
        found = shortfalls(statuses, edition, spill)
        city = city_report(statuses, edition, agency, year, spill)
        if city is None:
            raise NianbaoError(f"没有一份 {year} 年度的有效年报，无法汇总。"
                               + "；".join(f"{s.name}：{s.status}" for s in statuses[:10]),
                               "no valid return: nothing to consolidate")
        city["previous"] = previous(year) if previous else None
        if found:
            city["source"] = {"format": "xlsx", "aggregate": found, "notes": ["由 nianbao collect 汇总"]}
        now = now or datetime.now()
        counts = D.counts_of(statuses)
        title = D.title_of(agency.name, year)
        package = workers.submit(S_.layout, city, title, counts, now.date())  # while the ledger and feedback are written
        made = make_folder(output.parent)  # only now that there is something to write
        ledger = ledger_path(output)
        rounds = record(ledger, output, year, statuses, spill, now)
        fed = write_feedback(output.parent / FEEDBACK, statuses, year, spill)
        feedback = {key: w.path for key, w in fed.items()}
        html_path = output.with_suffix(".html")
        totals = D.totals_of(city, len(counted(statuses)))

        def rows() -> Iterator[D.DashboardRow]:
            return D.rows_of(statuses, rounds, feedback, html_path.parent)

        kept = list(rows()) if keep_rows else []
        summary = package.result()
        written = [*fed.values(),
                   write_atomic(output, lambda fh: S_.write_with_rows(summary, fh, kept or rows(), len(statuses), totals)),
                   write_atomic(html_path, lambda fh: fh.writelines(
                       part.encode("utf-8") for part in D.page_parts(title, counts, totals, kept or rows(), now.date())))]
        bad = [s.name for s in statuses if s.has_errors]  # while the returns' records can be read
    return Collected(city, statuses, html_path, ledger, feedback, found, counts, len(files), rows=kept, output=output,
                     written=written, made_folder=made, bad=bad)
