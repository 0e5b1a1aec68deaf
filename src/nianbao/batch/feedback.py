"""Feedback to units: one file per unit, named so that no two units' files can collide, saying
“请修改后重新报送” when the return has errors and “请核实” when it has warnings only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from nianbao.batch.matching import FAILED, UnitStatus
from nianbao.batch.returns import Spill
from nianbao.batch.roster import norm_name, safe_file_stem
from nianbao.workbook_templates.xlsx.safe_write import Written, write_atomic

FEEDBACK = "退回修改"
FIX = "请修改后重新报送。"
VERIFY = "请核实；如确认无误，可不再报送。"


def needs_feedback(s: UnitStatus) -> bool:
    c = s.chosen
    return bool(c and (not c.readable or c.has_messages or s.status in FAILED
                       or any(n.startswith("AGG-01") for n in s.notes)))


def file_names(statuses: list[UnitStatus], wanted: Callable[[UnitStatus], bool] | None = None) -> dict[str, str]:
    """unit key -> its feedback file name, for the units ``wanted`` picks (else every unit): the
    unit's name; parent and name where names repeat; the unit id (or a number) where even those
    clean to the same file name.  Whether names repeat is asked of every unit, wanted or not, so a
    unit's file keeps its name whichever other units get feedback."""
    def stem(s: UnitStatus, level: int) -> str:
        if level == 0:
            return safe_file_stem(s.name)
        if level == 1:
            return safe_file_stem(f"{s.parent}-{s.name}" if s.parent else s.name)
        return safe_file_stem(f"{s.parent}-{s.name}" if s.parent else s.name) + "-" + (
            s.unit.unit_id if s.unit else safe_file_stem(s.key)[-10:])

    names: dict[str, str] = {}
    pending = list(statuses)
    for level in range(3):
        # only the folded names are kept, to be counted (ten thousand stems beside them weigh 1 MB);
        # the stem of a unit that is named is made again
        folded = [norm_name(stem(s, level)).lower() for s in pending]
        counts = Counter(folded)
        rest = []
        for s, key in zip(pending, folded):
            if counts[key] > 1:
                rest.append(s)
            elif wanted is None or wanted(s):
                names[s.key] = stem(s, level)
        pending = rest
    if pending and wanted is not None:  # (never from a roster) numbered against every unit's name, as below
        every = file_names(statuses)
        return {s.key: every[s.key] for s in statuses if wanted(s)}
    used = {n.lower() for n in names.values()}
    for s in pending:  # same parent, name and id: cannot happen in a roster, but never overwrite
        base, k = stem(s, 2), 2
        while f"{base}-{k}".lower() in used:
            k += 1
        names[s.key] = f"{base}-{k}"
        used.add(names[s.key].lower())
    return {k: f"{v}-{FEEDBACK}.txt" for k, v in names.items()}


def feedback_text(s: UnitStatus, year: int | None, messages: tuple[str, ...]) -> str:
    c = s.chosen
    assert c is not None
    errors = not c.readable or c.errors > 0 or s.status in FAILED
    title = "退回修改意见" if errors else "核实意见"
    lines = [f"{s.name}：{year or ''}年度政府信息公开工作年度报告{title}", ""]
    if not c.readable:
        lines.append(f"报送的文件 {c.name} 无法读取：{c.error}")
    lines += [f"{i}. {m}" for i, m in enumerate(messages, start=1)]
    lines += [f"说明：{n}" for n in s.notes if n]
    lines += ["", FIX if errors else VERIFY]
    return "\n".join(lines) + "\n"


def write_feedback(folder: Path, statuses: list[UnitStatus], year: int | None, spill: Spill) -> dict[str, Written]:
    """Write every feedback file; unit key -> what was written.  Feedback is regenerated every run
    and every round's findings are in the ledger, so a changed one keeps no backup (a .bak in the
    folder the clerk sends out would only confuse); an unchanged one is left as it is."""
    names = file_names(statuses, needs_feedback)
    written: dict[str, Written] = {}
    for s in statuses:
        if needs_feedback(s):
            messages = spill.notes_of(s.chosen)[1] if s.chosen and s.chosen.readable else ()
            written[s.key] = write_atomic(folder / names[s.key], feedback_text(s, year, messages).encode("utf-8-sig"),
                                          backup=False)
    return written
