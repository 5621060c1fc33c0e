"""Re-judging a bundle: every clause verdict recomputed from the recorded scenario results, without a device.

Under the bundle's own profile the verdicts must come out as recorded (a
record edited by hand, or judged by other code, shows here). Under another
profile or extra tailoring, each clause either gets its new verdict, or the
reason it cannot be recomputed from the record: a scenario that read a
parameter whose value changed would drive the device differently, so it must
be run again; a clause whose applicability changes was decided from the
declaration's features and the device's answer to a probe
(conformance/applicability.py), which the record cannot answer for.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from conformance.applicability import missing_features
from conformance.bundle import open_bundle, read_member, verify_bundle
from conformance.catalogue import Profile, load_profile
from conformance.datafile import ConfigError
from conformance.results import ScenarioResult, StepRecord, judge_clauses
from conformance.verdicts import Verdict, exit_status, for_evidence
from conformance.waivers import load_waivers, waive_clauses

SCENARIO_FIELDS = {f.name for f in fields(ScenarioResult)}
SHOWN_VALUE = 80  # characters of a parameter's value in a message


@dataclass
class ClauseRejudgement:
    id: str
    recorded: str  # the verdict results.json holds ("" when the clause is not in the record)
    recomputed: str | None  # None: it cannot be recomputed from the record
    why: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.recomputed != self.recorded


@dataclass
class Rejudgement:
    bundle: Path
    run_id: str
    scenarios: int
    profile: str  # which profile judged, in words
    reproduced: list[ClauseRejudgement]  # under the bundle's own profile
    what_if: list[ClauseRejudgement] | None = None  # under --profile / --tailoring
    waived: WaiverOutcome | None = None  # under --waivers
    problems: list[str] = field(default_factory=list)  # the record contradicts itself, or the bundle does not verify

    @property
    def ok(self) -> bool:
        waivers_change = self.waived is not None and self.waived.exit_status != self.waived.recorded_exit_status
        return not self.problems and not any(c.changed for c in self.reproduced) and not any(c.changed for c in self.what_if or []) and not waivers_change


@dataclass
class WaiverOutcome:
    """What a waiver file would do to the record: a waived FAIL stays FAIL, and only the exit status leaves it out."""

    file: str
    lines: list[str]  # each waiver in force, expired or unused, in words
    exit_status: int  # with the waivers
    exit_status_without: int
    recorded_exit_status: int | None


def _with_waivers(profile: Profile, scenarios: list[ScenarioResult], path: Path, allow_mandatory: bool, recorded_exit: int | None) -> WaiverOutcome:
    names: dict[str, set[str]] = {}
    for scenario in scenarios:
        for cid in scenario.clauses:
            names.setdefault(cid, set()).add(scenario.name)
    waivers = load_waivers(path, profile, allow_mandatory=allow_mandatory, scenario_names=names)
    clauses = judge_clauses(profile, scenarios)
    applied, unused = waive_clauses(clauses, waivers)  # the same placing of waivers as a run's
    counted = {c.id: c.counted_verdict or c.verdict for c in clauses}
    lines = [f"expired on {w.expires.isoformat()}, ignored: {w.clause} ({w.where})" for w in waivers.expired]
    for waiver in applied:
        loud = "ON A MANDATORY CLAUSE, " if waiver.mandatory else ""
        lines.append(f"waived {loud}{waiver.clause} FAIL stays FAIL, counted {counted[waiver.clause].value}: {waiver.justification} (approved by {waiver.approved_by}, until {waiver.expires.isoformat()})")
    lines += [f"unused: {w.clause} has no FAIL it covers ({w.where})" for w in unused]
    mandatory = [c.level == "mandatory" for c in clauses]
    return WaiverOutcome(str(path), lines, exit_status([(m, counted[c.id]) for m, c in zip(mandatory, clauses, strict=True)]),
                         exit_status([(m, c.verdict) for m, c in zip(mandatory, clauses, strict=True)]), recorded_exit)


class _RecordedFeatures:
    """The declaration's features as the record holds them (all applicability needs to know)."""

    def __init__(self, declaration: dict[str, Any]):
        self.features = dict(declaration.get("features") or {})

    def has(self, feature: str) -> bool:
        return bool(self.features.get(feature, False))


def _scenario(data: dict[str, Any]) -> ScenarioResult:
    known = {k: v for k, v in data.items() if k in SCENARIO_FIELDS}
    known["verdict"] = Verdict(known["verdict"])
    known["steps"] = [StepRecord(**s) for s in known.get("steps", [])]
    return ScenarioResult(**known)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 3] + "..."


def _load_record(bundle: Path) -> tuple[dict, list[dict], dict, dict[str, bytes]]:
    with open_bundle(bundle) as archive:
        raw = {name: read_member(archive, name) for name in archive.namelist()}
    try:
        results = json.loads(raw["results.json"])
        lines = [json.loads(line) for line in raw["scenarios.jsonl"].decode("utf-8").splitlines() if line.strip()]
        provenance = json.loads(raw["provenance.json"])
        results["clauses"], provenance["profile"]  # noqa: B018 - both must be there
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ConfigError(bundle, "BUNDLE", "lacks a readable results.json, scenarios.jsonl or provenance.json: not an evidence bundle of this harness") from None
    return results, lines, provenance, raw


def _bundle_profile(bundle: Path, provenance: dict, raw: dict[str, bytes], folder: Path, extra_tailoring: list[Path]) -> Profile:
    """The profile as the run used it, loaded from the bundle's own files (plus any extra tailoring)."""
    profile_path, tailoring = None, []
    for entry in provenance["profile"]:
        name = entry["name"]
        if name not in raw or raw[name] is None or ".." in Path(name).parts or Path(name).is_absolute():
            raise ConfigError(bundle, name, "is named in provenance.json but not readable in the bundle")
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw[name])
        if entry["role"] == "profile":
            profile_path = target
        elif entry["role"] == "tailoring":
            tailoring.append(target)
    if profile_path is None:
        raise ConfigError(bundle, "provenance.json", "names no profile file")
    try:
        return load_profile(profile_path, tailoring + extra_tailoring, data_dir=folder / "profile")
    except ConfigError as exc:
        if not exc.path.startswith(str(folder)):
            raise
        raise ConfigError(f"{bundle}:{Path(exc.path).relative_to(folder)}", exc.field, exc.message, exc.line) from None


def _consistency(results: dict, scenarios: list[ScenarioResult]) -> list[str]:
    """Where results.json and scenarios.jsonl disagree about a scenario's verdict."""
    recorded = {s.nodeid: s.verdict.value for s in scenarios}
    problems = []
    for clause in results["clauses"]:
        for scenario in clause.get("scenarios", []):
            jsonl = recorded.get(scenario.get("nodeid"))
            if jsonl is None:
                problems.append(f"results.json lists scenario '{scenario.get('name')}' under {clause['id']}, and scenarios.jsonl has no such scenario")
            elif jsonl != scenario.get("verdict"):
                problems.append(f"scenario '{scenario.get('name')}' is {scenario.get('verdict')} in results.json under {clause['id']} but {jsonl} in scenarios.jsonl")
    return problems


def _reproduce(profile: Profile, scenarios: list[ScenarioResult], recorded: dict[str, str]) -> list[ClauseRejudgement]:
    out = []
    judged = {c.id: c for c in judge_clauses(profile, scenarios)}
    for cid in dict.fromkeys([*recorded, *judged]):
        again = judged.get(cid)
        verdict = again.verdict.value if again else None
        why = [] if verdict == recorded.get(cid) else [f"the record's scenarios give {verdict or 'no verdict'}, results.json says {recorded.get(cid) or 'nothing'}"]
        out.append(ClauseRejudgement(cid, recorded.get(cid, ""), verdict, why))
    return out


def _unrecomputable(scenario: ScenarioResult, old: Profile, new: Profile, features: _RecordedFeatures) -> list[str]:
    """Why this scenario's verdict would not stand under `new` without asking the device again (empty: it stands).

    Each reason speaks of "the scenario"; the caller names the scenarios that share it."""
    why = []
    for cid in scenario.clauses:
        before, after = old.clauses.get(cid), new.clauses.get(cid)
        if after is None:
            why.append(f"the scenario is also tagged {cid}, which the new profile's catalogue lacks, so it would not run at all")
        elif before is not None and missing_features(before, features) != missing_features(after, features):
            why.append(f"{cid} needs other features under the new catalogue, so whether it applies is decided anew from the declaration and the device's answer to a feature probe")
    read = scenario.parameters
    if not read and scenario.verdict not in (Verdict.NOT_APPLICABLE,):
        # A record without the values read (an older harness): the clause's declared parameters stand in for them.
        read = {n: old.parameters[n].value for cid in scenario.clauses if cid in old.clauses for n in old.clauses[cid].parameters if n in old.parameters}
    for name, value in read.items():
        now = new.parameters.get(name)
        if now is None:
            why.append(f"the scenario ran with {name} = {_shown(value)}, which the new profile does not set")
        elif now.value != value:
            why.append(f"the scenario ran with {name} = {_shown(value)}; the new profile sets {_shown(now.value)} (layer {now.layer}), so the device would have to be asked again")
    return why


def _grouped(reasons_by_scenario: dict[str, list[str]]) -> list[str]:
    """One line per reason, naming the scenarios it holds for (the first few)."""
    names: dict[str, list[str]] = {}
    for scenario, reasons in reasons_by_scenario.items():
        for reason in reasons:
            names.setdefault(reason, []).append(scenario)
    lines = []
    for reason, scenarios in names.items():
        shown = ", ".join(f"'{n}'" for n in scenarios[:2]) + (f" and {len(scenarios) - 2} more" if len(scenarios) > 2 else "")
        lines.append(f"{reason.replace('the scenario', f'{len(scenarios)} scenarios' if len(scenarios) > 1 else 'its scenario', 1)}: {shown}")
    return lines


def _what_if(old: Profile, new: Profile, scenarios: list[ScenarioResult], recorded: dict[str, str], features: _RecordedFeatures) -> list[ClauseRejudgement]:
    judged = {c.id: c for c in judge_clauses(new, scenarios)}
    out = []
    for cid in dict.fromkeys([*recorded, *new.clauses]):
        clause = new.clauses.get(cid)
        if clause is None:
            out.append(ClauseRejudgement(cid, recorded.get(cid, ""), None, ["the new profile's catalogue has no such clause"]))
            continue
        own = [s for s in scenarios if cid in s.clauses]
        blocked = {s.nodeid: _unrecomputable(s, old, new, features) for s in own}
        why = _grouped({s.name: blocked[s.nodeid] for s in own})
        before = old.clauses.get(cid)
        notes = [f"its level changes from {before.level} to {clause.level}"] if before and before.level != clause.level else []
        if not why:
            out.append(ClauseRejudgement(cid, recorded.get(cid, ""), judged[cid].verdict.value, notes))
            continue
        standing = [s.verdict for s in own if not blocked[s.nodeid]]
        if Verdict.FAIL in standing:  # the worst verdict there is: the clause fails whatever the scenarios run again give
            verdict = for_evidence(Verdict.FAIL) if clause.kind == "evidence" else Verdict.FAIL
            out.append(ClauseRejudgement(cid, recorded.get(cid, ""), verdict.value, [*notes, "a scenario whose verdict stands failed, whatever the others give when run again"]))
        else:
            out.append(ClauseRejudgement(cid, recorded.get(cid, ""), None, [*notes, *why]))
    return out


def rejudge(bundle: Path, profile: str | None = None, tailoring: list[Path] | None = None, waivers: Path | None = None, allow_mandatory: bool = False) -> Rejudgement:
    """Recompute the bundle's clause verdicts under its own profile and, when asked, under another one or with waivers."""
    tailoring = list(tailoring or [])
    check = verify_bundle(bundle)
    unverified = [f"the bundle does not verify: {p}" for p in check.problems]
    try:
        return _rejudge(bundle, profile, tailoring, unverified, waivers, allow_mandatory)
    except ConfigError as exc:
        if not unverified or not exc.path.startswith(str(bundle)):  # a bad --profile or --tailoring stays bad input
            raise
        return Rejudgement(bundle, "?", 0, "", [], problems=[*unverified, f"so it cannot be rejudged: {exc}"])


def _rejudge(bundle: Path, profile: str | None, tailoring: list[Path], unverified: list[str], waivers: Path | None = None, allow_mandatory: bool = False) -> Rejudgement:
    results, lines, provenance, raw = _load_record(bundle)
    scenarios = [_scenario(line) for line in lines]
    recorded = {c["id"]: c["verdict"] for c in results["clauses"]}
    with tempfile.TemporaryDirectory(prefix="rejudge-") as folder:
        old = _bundle_profile(bundle, provenance, raw, Path(folder), [])
        verdict = Rejudgement(bundle, str(results.get("run_id")), len(scenarios), f"{old.name} as the run used it", _reproduce(old, scenarios, recorded))
        verdict.problems = unverified + _consistency(results, scenarios)
        if profile or tailoring:
            new = load_profile(profile, tailoring) if profile else _bundle_profile(bundle, provenance, raw, Path(folder) / "new", tailoring)
            verdict.profile = f"{new.name}" + (" (the harness's own)" if profile else " as the run used it") + "".join(f" + {t}" for t in tailoring)
            verdict.what_if = _what_if(old, new, scenarios, recorded, _RecordedFeatures(results.get("declaration") or {}))
        if waivers is not None:
            # Waivers act on verdicts the record can give: under the run's own profile (a new one may need the device).
            verdict.waived = _with_waivers(old, scenarios, waivers, allow_mandatory, results.get("exit_status_without_waivers", results.get("exit_status")))
    return verdict


def print_rejudgement(result: Rejudgement, out: Any = None) -> int:
    """The table a reader checks: what reproduces, what would change and why. 0: nothing differs; 1: something does."""
    out = out or sys.stdout
    about = f" (run {result.run_id}, {result.scenarios} recorded scenarios)" if result.reproduced else ""
    print(f"Rejudging {result.bundle}{about}, without a device", file=out)
    for problem in result.problems:
        print(f"  PROBLEM: {problem}", file=out)
    differ = [c for c in result.reproduced if c.changed]
    if not result.reproduced:
        pass  # nothing could be rejudged: the problems above say why
    elif differ:
        print(f"  under the run's own profile, {len(differ)} clause verdict(s) differ from the record:", file=out)
        _table(differ, out)
    else:
        print(f"  under the run's own profile: all {len(result.reproduced)} clause verdicts equal the recorded ones", file=out)
    if result.what_if is not None:
        changes = [c for c in result.what_if if c.changed or c.why]
        unknown = sum(1 for c in result.what_if if c.recomputed is None)
        print(f"  under {result.profile}: {sum(1 for c in changes if c.changed and c.recomputed is not None)} clause verdict(s) would change, "
              f"{unknown} cannot be recomputed from the record, {len(result.what_if) - len(changes)} unchanged", file=out)
        _table(changes, out)
    if result.waived is not None:
        w = result.waived
        print(f"  with the waivers of {w.file} (under the run's own profile):", file=out)
        for line in w.lines or ["no waiver in the file"]:
            print(f"    {line}", file=out)
        recorded = "" if w.recorded_exit_status is None else f"; the run recorded {w.recorded_exit_status} without waivers"
        print(f"    exit status {w.exit_status} with them, {w.exit_status_without} without{recorded}", file=out)
    return 0 if result.ok else 1


def _table(rows: list[ClauseRejudgement], out: Any) -> None:
    for row in rows:
        after = row.recomputed or "cannot be recomputed from the record (run it again)"
        print(f"  {row.id:11} {row.recorded or '(not recorded)':17} -> {after}", file=out)
        for why in row.why:
            print(f"  {'':11}   {why}", file=out)
