"""What a run folder keeps of its run while it runs: the options it started with (run.json) and each scenario's
result as it ends (scenarios.jsonl, one JSON line per scenario).

Both are what `conformance run --resume` and `--rerun` read back: run.json so
that a resumed run needs none of its options repeated, scenarios.jsonl so that
a run killed at any moment (SIGKILL included) loses at most the scenario it was
in, whose line may be torn.
"""

from __future__ import annotations

import hashlib
import json
import os
from argparse import Namespace
from pathlib import Path
from typing import Any

from conformance.datafile import ConfigError
from conformance.results import ScenarioResult

RUN_RECORD = "run.json"
SCENARIO_LOG = "scenarios.jsonl"
RUN_SCHEMA_ID = "conformance-run/1"

# The options of `conformance run` that decide what ran and against what; resume and rerun reuse them.
RUN_OPTIONS = ("device", "profile", "tailoring", "defect", "variant", "in_process", "select", "keyword", "retries", "waivers", "audit", "allow_mandatory_waivers")


def _absolute(value: str) -> str:
    """A path given relative to where the run started, made absolute so that a resume from elsewhere finds it."""
    path = Path(value)
    return str(path.resolve()) if path.is_file() else value


def input_digests(options: dict[str, Any], resolve_device: Any) -> dict[str, dict[str, str]]:
    """The data files the run judges by (declaration, and profile and tailoring files given as paths), by role:
    each one's path and SHA-256."""
    files = {"device": resolve_device(options["device"]), "profile": options["profile"]}
    files.update({f"tailoring {i + 1}": path for i, path in enumerate(options["tailoring"])})
    if options.get("waivers"):
        files["waivers"] = options["waivers"]
    return {role: {"path": str(path), "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest()} for role, path in files.items() if Path(path).is_file()}


def write_run_record(output: Path, args: Namespace, run_id: str, **extra: Any) -> None:
    options = {name: getattr(args, name) for name in RUN_OPTIONS}
    options["device"] = _absolute(options["device"])
    options["profile"] = _absolute(options["profile"])
    options["tailoring"] = [_absolute(p) for p in options["tailoring"]]
    if options["waivers"]:
        options["waivers"] = _absolute(options["waivers"])
    record = {"schema": RUN_SCHEMA_ID, "run_id": run_id, "options": options, **extra}
    output.mkdir(parents=True, exist_ok=True)
    temporary = output / f".{RUN_RECORD}.tmp"
    temporary.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, output / RUN_RECORD)  # whole or absent, never half-written


def read_run_record(folder: Path, option: str) -> dict[str, Any]:
    """run.json of a run folder; `option` names the command-line option that pointed at it, for the error."""
    if not folder.is_dir():
        raise ConfigError(folder, option, "is not a folder; give the folder a run wrote its reports to")
    path = folder / RUN_RECORD
    if not path.exists():
        raise ConfigError(folder, option, f"is not a run folder: it has no {RUN_RECORD} (written when `conformance run` starts; runs of older versions cannot be resumed)")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(path, "(file)", f"cannot be read as a run record: {getattr(exc, 'msg', exc)}", getattr(exc, "lineno", None)) from None
    if not isinstance(record, dict) or record.get("schema") != RUN_SCHEMA_ID or not isinstance(record.get("options"), dict):
        raise ConfigError(path, "schema", f"is not a run record of this harness (expected schema {RUN_SCHEMA_ID!r})")
    missing = [name for name in RUN_OPTIONS if name not in record["options"]]
    if missing:
        raise ConfigError(path, f"options.{missing[0]}", "is missing")
    return record


def read_scenario_log(path: Path) -> list[ScenarioResult]:
    """Each scenario's latest result in the log, in the order they first ran.

    A torn last line (the run was killed while writing it) is dropped: that
    scenario did not finish. A broken line anywhere else means the file was
    changed by hand, and is refused.
    """
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    results: dict[str, ScenarioResult] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            result = ScenarioResult.from_json(json.loads(line))
        except (ValueError, TypeError, KeyError) as exc:
            if number == len(lines):  # no newline after it: the write never finished
                break
            raise ConfigError(path, "(line)", f"is not a scenario result ({exc}); only the last line may be cut short by a killed run", number) from None
        results[result.nodeid] = result
    return list(results.values())


def open_scenario_log(path: Path, kept: list[ScenarioResult]) -> Any:
    """The log, rewritten to hold just `kept` (no torn line), open for appending the scenarios still to run.

    The rewrite goes through a temporary file, so a run killed during it still
    has the old log.
    """
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as out:
        for result in kept:
            out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    return path.open("a", encoding="utf-8")
