"""The one results model of a run; every report is a writer over it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from conformance.catalogue import Profile
from conformance.verdicts import Verdict, exit_status, for_evidence, worst

RESULTS_SCHEMA_ID = "conformance-results/1"


@dataclass
class StepRecord:
    keyword: str
    text: str
    status: str  # passed, failed
    message: str = ""


@dataclass
class ScenarioResult:
    nodeid: str
    name: str
    feature: str
    feature_file: str
    clauses: list[str]
    verdict: Verdict
    reason: str = ""
    duration_s: float = 0.0
    steps: list[StepRecord] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    clock_mode: str = ""
    notes: list[str] = field(default_factory=list)  # how a step judged, where the profile left it a choice
    parameters: dict[str, Any] = field(default_factory=dict)  # the profile's values the steps read (conformance rejudge)
    # Each attempt when a transport fault made the harness run the scenario again (verdict, reason, transcript);
    # empty when it ran once (conformance/retries.py).
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScenarioResult:
        """The inverse of to_json: a result read back from scenarios.jsonl (a resumed or rerun run)."""
        fields = {**data, "verdict": Verdict(data["verdict"]), "steps": [StepRecord(**s) for s in data.get("steps", [])]}
        return cls(**fields)


@dataclass
class ClauseResult:
    id: str
    area: str
    level: str
    kind: str
    title: dict[str, str]
    verdict: Verdict
    reason: str
    scenarios: list[ScenarioResult]
    parameters: dict[str, dict[str, Any]]
    waivers: list[dict[str, Any]] = field(default_factory=list)  # the waivers beside its FAIL (conformance/waivers.py)
    counted_verdict: Verdict | None = None  # what the exit status counts once waivers apply; None: the verdict itself

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "area": self.area, "level": self.level, "kind": self.kind, "title": self.title,
            "verdict": self.verdict.value, "reason": self.reason, "parameters": self.parameters,
            "waivers": self.waivers, "counted_verdict": (self.counted_verdict or self.verdict).value,
            "scenarios": [s.to_json() for s in self.scenarios],
        }


def judge_clauses(profile: Profile, scenarios: list[ScenarioResult]) -> list[ClauseResult]:
    """Each clause's verdict is the worst of its scenarios'; physical clauses speak of evidence."""
    by_clause: dict[str, list[ScenarioResult]] = {cid: [] for cid in profile.clauses}
    for scenario in scenarios:
        for cid in scenario.clauses:
            by_clause.setdefault(cid, []).append(scenario)
    results = []
    for cid, clause in profile.clauses.items():
        own = by_clause[cid]
        verdict = worst([s.verdict for s in own])
        if clause.kind == "evidence":
            verdict = for_evidence(verdict)
        reasons = [f"{s.name}: {s.reason}" for s in own if s.verdict == verdict and s.reason]
        if not own:
            reasons = ["no scenario ran for this clause"]
        parameters = {n: {"value": profile.parameters[n].value, "layer": profile.parameters[n].layer, "direction": profile.parameters[n].direction} for n in clause.parameters if n in profile.parameters}
        results.append(ClauseResult(cid, clause.area, clause.level, clause.kind, {"en": clause.title_en, "zh": clause.title_zh}, verdict, "; ".join(reasons), own, parameters))
    return results


@dataclass
class RunResults:
    run_id: str
    started: str
    finished: str
    duration_s: float
    harness_version: str
    profile: Profile
    declaration: dict[str, Any]
    device_identity: dict[str, Any]
    clauses: list[ClauseResult]
    interrupted: bool = False
    # The embedded emulator's switches, when it was the device: a report of a broken emulator must say so.
    emulator_switches: dict[str, list[str]] | None = None
    inputs: dict[str, Any] | None = None  # the files behind the verdicts and their digests (conformance/provenance.py)
    audit: bool = False  # --audit: a regulator's run, which accepts no waiver
    waivers: dict[str, Any] | None = None  # the waiver file's record: applied, expired, unused (conformance/waivers.py)
    # A `--rerun` run: the run it reran part of, and which verdicts ran again (the other results are that run's).
    rerun_of: dict[str, Any] | None = None

    @property
    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for clause in self.clauses:
            counts[clause.verdict.value] = counts.get(clause.verdict.value, 0) + 1
        return counts

    @property
    def exit_status(self) -> int:
        """The run's exit status: a waived FAIL stays FAIL in every report but does not set it."""
        return exit_status([(c.level == "mandatory", c.counted_verdict or c.verdict) for c in self.clauses], self.interrupted)

    @property
    def exit_status_without_waivers(self) -> int:
        return exit_status([(c.level == "mandatory", c.verdict) for c in self.clauses], self.interrupted)

    def to_json(self) -> dict[str, Any]:
        p = self.profile
        return {
            "schema": RESULTS_SCHEMA_ID,
            "run_id": self.run_id,
            "started": self.started,
            "finished": self.finished,
            "duration_s": round(self.duration_s, 3),
            "interrupted": self.interrupted,
            "harness": {"version": self.harness_version},
            "profile": {
                "name": p.name, "standard": p.standard, "title": {"en": p.title_en, "zh": p.title_zh},
                "parameters": {n: {"value": v.value, "layer": v.layer, "source": v.source, "direction": v.direction} for n, v in p.parameters.items()},
            },
            "areas": {code: {"en": a.en, "zh": a.zh} for code, a in p.areas.items()},
            "declaration": self.declaration,
            "device": self.device_identity,
            "emulator_switches": self.emulator_switches,
            "rerun_of": self.rerun_of,
            "summary": self.summary,
            "exit_status": self.exit_status,
            "exit_status_without_waivers": self.exit_status_without_waivers,
            "audit": self.audit,
            "waivers": self.waivers,
            "clauses": [c.to_json() for c in self.clauses],
            "inputs": self.inputs,
        }


def write_json(results: RunResults, path: Path) -> None:
    path.write_text(json.dumps(results.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
