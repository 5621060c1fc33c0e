"""Waivers: a signed-off acceptance of a known FAIL, shown beside it in every report and never turning it into a PASS.

A waiver file is YAML::

    waivers:
      - clause: CSW-PAY-5
        scenario: A child under 8 cannot pay      # optional: only this scenario's FAIL
        justification: The age caps ship in firmware 2.4 (ticket FW-1182).
        approved_by: Li Wei, compliance lead
        expires: 2027-03-31                         # the last day (UTC) it holds

A waived FAIL stays FAIL in results.json, JUnit, HTML and on the console, with the waiver beside it; it only stops
setting the exit status. An expired waiver is ignored with a warning. `--audit` (what a regulator runs) refuses a
waiver file outright, so an audit result can never be a waived one, and a waiver on a mandatory clause needs
`--allow-mandatory-waivers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance.catalogue import Profile
from conformance.datafile import ConfigError, dotted, line_of, load_yaml, validate
from conformance.verdicts import Verdict, for_evidence, worst

if TYPE_CHECKING:
    from conformance.results import ClauseResult, RunResults

FIELDS = ("clause", "scenario", "justification", "approved_by", "expires")
_TEXT = {"type": "string", "pattern": r"\S"}  # not blank
SCHEMA = {
    "type": "object",
    "properties": {
        "waivers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["clause", "justification", "approved_by", "expires"],
                "properties": {"clause": {"type": "string"}, "scenario": _TEXT, "justification": _TEXT, "approved_by": _TEXT, "expires": {}},
            },
        },
    },
}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Waiver:
    clause: str
    scenario: str | None
    justification: str
    approved_by: str
    expires: date
    file: str
    line: int | None
    mandatory: bool  # the clause is mandatory: allowed only with --allow-mandatory-waivers, and marked loudly

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def covers(self, scenario_name: str) -> bool:
        """A scenario outline's examples are named 'name [example]': a waiver naming the outline covers each."""
        return self.scenario is None or scenario_name == self.scenario or scenario_name.startswith(self.scenario + " [")

    def to_json(self) -> dict[str, Any]:
        return {
            "clause": self.clause, "scenario": self.scenario, "justification": self.justification, "approved_by": self.approved_by,
            "expires": self.expires.isoformat(), "file": self.file, "line": self.line, "mandatory": self.mandatory,
        }

    def describe(self) -> str:
        target = self.clause + (f" (scenario '{self.scenario}')" if self.scenario else "")
        return f"{target}: {self.justification} (approved by {self.approved_by}, until {self.expires.isoformat()})"


@dataclass
class WaiverSet:
    """The waivers a run was given: those in force, and those past their expiry (ignored, with a warning)."""

    file: str | None = None
    active: list[Waiver] = field(default_factory=list)
    expired: list[Waiver] = field(default_factory=list)
    audit: bool = False
    allow_mandatory: bool = False

    def warnings(self) -> list[str]:
        return [f"waiver ignored: {w.where}: the waiver for {w.clause} expired on {w.expires.isoformat()}; its FAIL counts as any other" for w in self.expired]


def today_utc() -> date:
    return datetime.now(UTC).date()


def load_waivers(path: Path | str | None, profile: Profile, *, audit: bool = False, allow_mandatory: bool = False,
                 today: date | None = None, scenario_names: dict[str, set[str]] | None = None) -> WaiverSet:
    """Read and check a waiver file for this profile; ConfigError names the file, line and field of the first problem.

    `scenario_names` (clause id -> names of the scenarios tagged with it) lets a waiver's `scenario` be checked;
    by default the features folder is read.
    """
    if path is None:
        return WaiverSet(audit=audit, allow_mandatory=allow_mandatory)
    if audit:
        # A regulator's run must never carry a waived result: refuse rather than quietly drop the file.
        raise ConfigError(path, "--waivers", "is refused under --audit: an audit run judges every clause without waivers (drop --waivers, or --audit)")
    data = load_yaml(path)
    if not isinstance(data, dict) or "waivers" not in data:
        raise ConfigError(path, "(top level)", "must be a mapping with a 'waivers' list, e.g. 'waivers:' then '- clause: CSW-ADD-1' and the other fields", line_of(data, []))
    unknown = [k for k in data if k != "waivers"]
    if unknown:
        raise ConfigError(path, str(unknown[0]), "is not a field of a waiver file (only 'waivers')", line_of(data, [unknown[0]]))
    for index, entry in enumerate(data["waivers"] if isinstance(data["waivers"], list) else []):
        for key in entry if isinstance(entry, dict) else []:
            if key not in FIELDS:
                raise ConfigError(path, dotted(["waivers", index, str(key)]), f"is not a waiver field (known: {', '.join(FIELDS)})", line_of(data, ["waivers", index, key]))
    validate(data, SCHEMA, path)
    scenario_names = _scenario_names() if scenario_names is None else scenario_names
    today = today or today_utc()
    waivers = WaiverSet(file=str(path), audit=audit, allow_mandatory=allow_mandatory)
    seen: dict[tuple[str, str | None], int | None] = {}
    for index, entry in enumerate(data["waivers"]):
        at = ["waivers", index]
        clause = profile.clauses.get(entry["clause"])
        if clause is None:
            raise ConfigError(path, dotted([*at, "clause"]), f"{entry['clause']!r} names no clause of profile {profile.name} (e.g. {next(iter(profile.clauses))})", line_of(data, [*at, "clause"]))
        scenario = entry.get("scenario")
        if scenario is not None and scenario not in scenario_names.get(clause.id, set()):
            known = "; ".join(sorted(scenario_names.get(clause.id, set()))) or "none"
            raise ConfigError(path, dotted([*at, "scenario"]), f"{scenario!r} is not a scenario of {clause.id} (its scenarios: {known})", line_of(data, [*at, "scenario"]))
        line = line_of(data, at)
        if (clause.id, scenario) in seen:
            raise ConfigError(path, dotted(at), f"waives {clause.id}{' ' + repr(scenario) if scenario else ''} again, as the entry at line {seen[clause.id, scenario]} does: keep one", line)
        seen[clause.id, scenario] = line
        waiver = Waiver(clause.id, scenario, entry["justification"].strip(), entry["approved_by"].strip(), _expiry(entry["expires"], path, data, at), str(path), line, clause.mandatory)
        if waiver.expires < today:
            waivers.expired.append(waiver)
            continue
        if waiver.mandatory and not allow_mandatory:
            raise ConfigError(path, dotted([*at, "clause"]), f"{clause.id} is a mandatory clause: waiving it needs --allow-mandatory-waivers, and the reports then say so loudly", line_of(data, [*at, "clause"]))
        waivers.active.append(waiver)
    return waivers


def _expiry(value: Any, path: Path | str, data: Any, at: list) -> date:
    """YAML turns an unquoted 2027-03-31 into a date itself (and 2027-03-31T10:00 into a date and time); a quoted one stays text."""
    where = dotted([*at, "expires"]), line_of(data, [*at, "expires"])
    if isinstance(value, datetime):
        raise ConfigError(path, where[0], f"{value.isoformat()} has a time of day: give the last day the waiver holds, e.g. {value.date().isoformat()}", where[1])
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ConfigError(path, where[0], f"{value!r} is not a real date ({exc})", where[1]) from None
    raise ConfigError(path, where[0], f"{value!r} is not an ISO date such as 2027-03-31 (the last day the waiver holds)", where[1])


def _scenario_names() -> dict[str, set[str]]:
    from conformance.features import scenarios

    names: dict[str, set[str]] = {}
    for scenario in scenarios():
        for cid in scenario.clauses:
            names.setdefault(cid, set()).add(scenario.name)
    return names


def counted_verdict(clause: ClauseResult, waivers: list[Waiver]) -> Verdict:
    """What the exit status counts for a clause: its verdict with each waived FAIL scenario taken as passed."""
    verdicts = [Verdict.PASS if s.verdict == Verdict.FAIL and any(w.covers(s.name) for w in waivers) else s.verdict for s in clause.scenarios]
    counted = worst(verdicts)
    return for_evidence(counted) if clause.kind == "evidence" else counted


def waive_clauses(clauses: list[ClauseResult], waivers: WaiverSet) -> tuple[list[Waiver], list[Waiver]]:
    """Put each waiver in force beside the FAIL it covers (each clause's `waivers` and `counted_verdict`);
    returns the waivers applied and those unused (no FAIL to cover)."""
    applied, unused = [], []
    by_id = {c.id: c for c in clauses}
    for waiver in waivers.active:
        clause = by_id.get(waiver.clause)
        failing = [s for s in clause.scenarios if s.verdict == Verdict.FAIL and waiver.covers(s.name)] if clause else []
        if clause is None or clause.verdict != Verdict.FAIL or not failing:
            unused.append(waiver)
            continue
        clause.waivers.append({**waiver.to_json(), "scenarios": [s.name for s in failing]})
        applied.append(waiver)
    for clause in clauses:
        if clause.waivers:
            clause.counted_verdict = counted_verdict(clause, [w for w in applied if w.clause == clause.id])
    return applied, unused


def apply_waivers(results: RunResults, waivers: WaiverSet) -> None:
    """Put each waiver in force beside the FAIL it covers, and record on the run what was applied, ignored and unused."""
    results.audit = waivers.audit
    applied, unused = waive_clauses(results.clauses, waivers)
    results.waivers = None if waivers.file is None else {
        "file": waivers.file, "allow_mandatory": waivers.allow_mandatory,
        "applied": [w.to_json() for w in applied], "expired": [w.to_json() for w in waivers.expired], "unused": [w.to_json() for w in unused],
    }


def console_lines(results: RunResults) -> list[str]:
    """What the end-of-run table says about waivers: each one applied (loudly when mandatory), expired or unused."""
    record = results.waivers
    if results.audit:
        return ["audit run: no waiver was accepted; every verdict and the exit status stand as judged"]
    if not record:
        return []
    lines = [f"waivers from {record['file']}: {len(record['applied'])} applied, {len(record['expired'])} expired (ignored), {len(record['unused'])} unused"]
    for entry in record["expired"]:
        lines.append(f"  WARNING: expired on {entry['expires']}, ignored: {entry['clause']} ({entry['file']}:{entry['line']})")
    for entry in record["unused"]:
        lines.append(f"  unused: {entry['clause']} did not fail{' in that scenario' if entry['scenario'] else ''} in this run ({entry['file']}:{entry['line']})")
    if any(e["mandatory"] for e in record["applied"]):
        lines.append("  !!! A MANDATORY CLAUSE'S FAIL IS WAIVED (--allow-mandatory-waivers): this is not a certification result !!!")
    without = results.exit_status_without_waivers
    if without != results.exit_status:
        lines.append(f"  exit status {results.exit_status} with waivers; {without} without them")
    return lines


def clause_note(entry: dict[str, Any]) -> str:
    """One line beside a waived clause, in every report."""
    loud = "WAIVED ON A MANDATORY CLAUSE" if entry["mandatory"] else "waived"
    target = f" scenario '{entry['scenario']}'" if entry["scenario"] else ""
    return f"{loud}{target}: {entry['justification']} (approved by {entry['approved_by']}, until {entry['expires']})"
