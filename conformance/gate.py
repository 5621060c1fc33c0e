"""`conformance gate --baseline OLD NEW`: refuse a firmware build whose clause verdicts got worse than the baseline's.

A regression is a clause that was PASS, NOT_APPLICABLE or EVIDENCE_SUPPLIED in OLD and is anything else in NEW, or a
clause of OLD missing from NEW. One reading is made on purpose: NOT_APPLICABLE -> PASS (a feature added, and it
passes) is better, not a regression, while PASS -> NOT_APPLICABLE is one (a clause that was tested no longer is).
A waived FAIL in NEW is still a FAIL here: waivers speak to one run's exit status, not to the baseline.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.datafile import ConfigError, validate
from conformance.verdicts import SEVERITY, Verdict

GOOD = {Verdict.PASS.value, Verdict.NOT_APPLICABLE.value, Verdict.EVIDENCE_SUPPLIED.value}
TESTED_GOOD = {Verdict.PASS.value, Verdict.EVIDENCE_SUPPLIED.value}
RESULTS_FILE = "results.json"
MAX_RESULTS_BYTES = 200_000_000  # a full run's results.json with every transcript is a few megabytes

# Only what the gate reads; the rest of results.json is left to its writer.
SCHEMA = {
    "type": "object",
    "required": ["clauses"],
    "properties": {
        "clauses": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "verdict"],
                "properties": {
                    "id": {"type": "string"},
                    "verdict": {"enum": [v.value for v in Verdict]},
                    "title": {"type": "object"},
                    "waivers": {"type": "array"},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Change:
    clause: str
    title: str
    old: str | None  # None: the clause is new in NEW
    new: str | None  # None: the clause vanished from NEW
    kind: str  # REGRESSION, better, worse (was not passing before either), changed (neither), added (new in NEW)
    waived: bool = False  # NEW's FAIL carries a waiver (it still counts here)


def read_results(path: Path | str) -> dict[str, Any]:
    """results.json from a results file, a run folder or a bundle.zip; ConfigError names the file when it cannot be read."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(path, "(file)", "does not exist: give a results.json, a run folder holding one, or a bundle.zip")
    if path.is_dir():
        inner = path / RESULTS_FILE
        if not inner.is_file():
            raise ConfigError(path, RESULTS_FILE, "is a folder without results.json: give a run folder, its results.json or its bundle.zip")
        return read_results(inner)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as bundle:
                try:
                    info = bundle.getinfo(RESULTS_FILE)
                except KeyError:
                    raise ConfigError(path, RESULTS_FILE, "is a zip file without results.json at its root (is it a bundle of a run?)") from None
                if info.file_size > MAX_RESULTS_BYTES:
                    raise ConfigError(path, RESULTS_FILE, f"is larger than {MAX_RESULTS_BYTES:,} bytes once unpacked: not a run's results")
                raw, where = bundle.read(info), f"{path}!{RESULTS_FILE}"
        else:
            if path.stat().st_size > MAX_RESULTS_BYTES:
                raise ConfigError(path, "(size)", f"is larger than {MAX_RESULTS_BYTES:,} bytes: not a run's results")
            raw, where = path.read_bytes(), str(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ConfigError(path, "(file)", f"cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(where, "(encoding)", "is not UTF-8 text, so not a results.json") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(where, "(syntax)", f"is not JSON: {exc.msg} at column {exc.colno}", exc.lineno) from None
    validate(data, SCHEMA, where)
    seen: set[str] = set()
    for index, clause in enumerate(data["clauses"]):
        if clause["id"] in seen:
            raise ConfigError(where, f"clauses[{index}].id", f"{clause['id']} is given twice: a results.json has one entry per clause")
        seen.add(clause["id"])
    return data


def _title(clause: dict[str, Any]) -> str:
    title = clause.get("title") or {}
    return str(title.get("en") or title.get("zh") or "")


def _kind(old: str, new: str) -> str:
    if old in GOOD and (new not in GOOD or (old in TESTED_GOOD and new == Verdict.NOT_APPLICABLE.value)):
        return "REGRESSION"
    if new in GOOD:
        return "better"
    rank = [v.value for v in SEVERITY]
    return "worse" if rank.index(new) < rank.index(old) else "changed"


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every clause whose verdict differs between OLD and NEW, in OLD's order, then clauses new in NEW."""
    new_by_id = {c["id"]: c for c in new["clauses"]}
    old_ids = {c["id"] for c in old["clauses"]}
    changes = []
    for before in old["clauses"]:
        after = new_by_id.get(before["id"])
        if after is None:
            changes.append(Change(before["id"], _title(before), before["verdict"], None, "REGRESSION"))
        elif after["verdict"] != before["verdict"]:
            changes.append(Change(before["id"], _title(after) or _title(before), before["verdict"], after["verdict"], _kind(before["verdict"], after["verdict"]), bool(after.get("waivers"))))
    changes += [Change(c["id"], _title(c), None, c["verdict"], "added") for c in new["clauses"] if c["id"] not in old_ids]
    return changes


def _notes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What a reader of the table must know about the two runs compared."""
    notes = []
    names = [(r.get("profile") or {}).get("name") for r in (old, new)]
    if names[0] != names[1]:
        notes.append(f"note: the runs used different profiles (baseline {names[0]}, new {names[1]}): some changes may come from the profile")
    for label, run in (("baseline", old), ("new", new)):
        if run.get("interrupted"):
            notes.append(f"note: the {label} run was interrupted: clauses it did not reach are NOT_TESTED")
        defects = (run.get("emulator_switches") or {}).get("defects")
        if defects:
            notes.append(f"note: the {label} run is of the emulator with defects switched on ({', '.join(defects)}), not of a device")
    return notes


def change_lines(changes: list[Change]) -> list[str]:
    lines = [f"{'clause':12} {'change':11} {'old -> new':36} title", "-" * 100]
    for change in changes:
        old = change.old or "(absent)"
        new = (change.new or "(vanished)") + (" (waived)" if change.waived else "")
        lines.append(f"{change.clause:12} {change.kind:11} {old + ' -> ' + new:36} {change.title[:60]}")
    return lines


def summary_line(changes: list[Change]) -> str:
    regressions = [c for c in changes if c.kind == "REGRESSION"]
    named = ", ".join(c.clause + (" vanished" if c.new is None else f" {c.old} -> {c.new}") for c in regressions[:8]) + (" ..." if len(regressions) > 8 else "")
    verdict = f"FAILED: {len(regressions)} regression(s) ({named})" if regressions else "passed: no regression"
    labels = {"better": "better", "worse": "worse but not passing before either", "changed": "other change(s)", "added": "clause(s) new in NEW"}
    others = [f"{n} {label}" for kind, label in labels.items() if (n := sum(c.kind == kind for c in changes))]
    return f"gate {verdict}" + (f"; {', '.join(others)}" if others else "")


def run_gate(baseline: Path | str, new: Path | str) -> int:
    """Print the table of changes and the summary; 1 on a regression, 0 otherwise (ConfigError, exit 4, on unreadable input)."""
    old_results, new_results = read_results(baseline), read_results(new)
    changes = compare(old_results, new_results)
    print(f"baseline {baseline} ({len(old_results['clauses'])} clauses) -> new {new} ({len(new_results['clauses'])} clauses)")
    for note in _notes(old_results, new_results):
        print(note)
    if changes:
        print("\n".join(change_lines(changes)))
    else:
        print("no clause verdict changed")
    print(summary_line(changes))
    return 1 if any(c.kind == "REGRESSION" for c in changes) else 0
