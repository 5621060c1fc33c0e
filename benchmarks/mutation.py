"""Mutation testing of the emulator's rules, with the conformance suite as the test.

    .venv/bin/pip install -e ".[mutation]"     # cosmic-ray 8.7, coverage
    .venv/bin/python benchmarks/mutation.py --sample 300 --seed 1 --workers 2 --timeout 60 --json mutation.json

(those are the defaults, but --json; --triage FILE reads another triage file; --again JSON runs the sample of
an earlier run once more on the tree as it is now: its survivors again, found by key, the others as they were.)

cosmic-ray enumerates every mutant of emulator/rules/*.py and emulator/watch.py
(its `init`, into a session sqlite); a seeded random sample of them runs on
--workers copies of the tree (conformance/, device_adapters/, emulator/,
features/, fixtures/), each mutant under `python -m conformance run
--in-process` with PYTHONPATH on its copy, on the full model and, while it
survives, on the basic model (fixtures/devices/basic.yaml). A mutant is killed when a run
exits non-zero or any clause is other than PASS, NOT_APPLICABLE or
EVIDENCE_SUPPLIED; a timeout (a module that fails to import makes the harness
hang) counts as killed and is reported apart.

Some mutants are judged without a run:
- one that does not compile (incompetent) or changes only annotations is not scored;
- one that changes only the reason text of a `Refusal` is set aside as wording;
- one inside code that runs only with a defect or variant switched on (the branch
  of an `if w.defective(...)`, `w.varies(...)` and the like) is set aside as
  switch-only: the conformant watch the suite runs against is unchanged;
- one on a line the conformant run never executes (measured once, under
  coverage, before the mutants) is a survivor: no run could catch it.
Survivors listed in benchmarks/mutation_triage.yaml as equivalent, stricter
(the watch refuses more), conformant (another watch the standard and
docs/protocol.md allow: a choice they leave to the maker) or wording are set
aside too:
score = caught / (caught + survived + never executed - set aside).
Prints the figures and every untriaged survivor; asserts nothing (the score is
read, not tested).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mutation_scoring import (
    REASON_ONLY,
    SWITCH_ONLY,
    TRIAGE_KINDS,
    UNREACHED,
    Mutant,
    in_switch_only_code,
    load_triage,
    only_reason_text,
    pick_sample,
    reached,
    same_code,
    score,
    statement_lines,
    switch_only_spans,
    triage_kind,
)

ROOT = Path(__file__).resolve().parent.parent
TREE = ("conformance", "device_adapters", "emulator", "features", "fixtures")
TRIAGE = Path(__file__).with_name("mutation_triage.yaml")
ACCEPTED = {"PASS", "NOT_APPLICABLE", "EVIDENCE_SUPPLIED"}


def target_modules() -> list[Path]:
    return sorted((ROOT / "emulator" / "rules").glob("*.py")) + [ROOT / "emulator" / "watch.py"]


def enumerate_mutants(session: Path) -> list[tuple[str, str, int, tuple[int, int], tuple[int, int], str]]:
    """Every (path, operator, occurrence, start, end, function) cosmic-ray's init finds, with its default operators."""
    from cosmic_ray.commands.init import init
    from cosmic_ray.work_db import WorkDB

    work_db = WorkDB(str(session), WorkDB.Mode.create)
    try:
        init(target_modules(), work_db, {})
        specs = [m for item in work_db.work_items for m in item.mutations]
    finally:
        work_db.close()
    return [(Path(m.module_path).relative_to(ROOT).as_posix(), m.operator_name, m.occurrence, tuple(m.start_pos), tuple(m.end_pos), m.definition_name or "")
            for m in specs]


class Reach:
    """Where each module's code runs in the conformant run: the lines it executed (from coverage) and the
    stretches that run only with a defect or variant on (from the module's own tests of its switches)."""

    def __init__(self, executed: dict[str, set[int]]):
        self.executed = executed
        self._sources = {path: (ROOT / path).read_text(encoding="utf-8") for path in executed}
        # A constant of one module that another source names may be read there outside any switch.
        project = {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8") for folder in ("emulator", "conformance", "device_adapters") for path in (ROOT / folder).rglob("*.py")}
        self._spans = {path: switch_only_spans(source, "\n".join(text for other, text in project.items() if other != path)) for path, source in self._sources.items()}
        self._statements = {path: statement_lines(source) for path, source in self._sources.items()}

    def outcome_without_a_run(self, path: str, start: tuple[int, int], end: tuple[int, int]) -> str | None:
        if in_switch_only_code(self._spans[path], start, end):
            return SWITCH_ONLY
        if not reached(self._statements[path], self.executed[path], start):
            return UNREACHED
        return None


def measure_reach(copy: Path, timeout: float) -> Reach:
    """Run the conformant suite once under coverage on `copy`, and read which target lines it executed."""
    import coverage

    data_file = copy / ".coverage"
    command = [sys.executable, "-m", "coverage", "run", f"--data-file={data_file}", f"--source={copy / 'emulator'}",
               "-m", "conformance", "run", "--in-process", "--output", str(copy / "run")]
    subprocess.run(command, cwd=copy, env=suite_env(copy), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout * 3, check=False)
    measured = coverage.Coverage(data_file=str(data_file))
    measured.load()
    data = measured.get_data()
    executed = {}
    for module in target_modules():
        path = module.relative_to(ROOT).as_posix()
        executed[path] = set(data.lines(str(copy / path)) or ())
    if not any(executed.values()):
        raise SystemExit(f"mutation: coverage recorded no line of the emulator's rules in {copy}")
    return Reach(executed)


def mutate(path: str, operator_name: str, occurrence: int, start: tuple[int, int], end: tuple[int, int], function: str) -> tuple[Mutant, str | None]:
    """The mutant, described by its changed lines, and the mutated module source (None if nothing changed)."""
    import cosmic_ray.plugins
    from cosmic_ray.mutating import mutate_code

    source = (ROOT / path).read_text(encoding="utf-8")
    mutated = mutate_code(source, cosmic_ray.plugins.get_operator(operator_name)(), occurrence)
    old, new = source.splitlines(), (mutated or source).splitlines()
    before, after = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag != "equal":
            before += old[i1:i2]
            after += new[j1:j2]
    return Mutant(path, start[0], operator_name, occurrence, _joined(before), _joined(after) or "(removed)", function, start, end), mutated


def _joined(lines: list[str]) -> str:
    return " / ".join(text.strip() for text in lines)


def make_copy(scratch: Path) -> Path:
    for name in TREE:
        shutil.copytree(ROOT / name, scratch / name, ignore=shutil.ignore_patterns("__pycache__"))
    return scratch


def suite_env(copy: Path) -> dict[str, str]:
    # The copy first on the path, so its (mutated) modules shadow the editable install; no .pyc, since a
    # mutant and the restored module can share a size and an mtime second.
    env = dict(os.environ, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    env.pop("CONFORMANCE_FEATURES", None)
    return env


def check_copy_is_imported(copy: Path) -> None:
    probe = "import conformance, emulator.watch; print(conformance.__file__); print(emulator.watch.__file__)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=copy, env=suite_env(copy), capture_output=True, text=True, check=True).stdout
    if not all(Path(line).is_relative_to(copy) for line in out.split()):
        raise SystemExit(f"mutation: the copy in {copy} is not what gets imported:\n{out}")


# The declarations the suite runs on, in turn, while a mutant survives: the full model, then the model with none of
# the optional features (its paths, e.g. the store's offers without payments, the full model never takes).
DEVICES = ("emulator", "basic")


def run_suite(copy: Path, timeout: float, devices: tuple[str, ...] = DEVICES) -> tuple[str, str]:
    """(killed, survived or timeout; why) for the tree in `copy` as it is now: killed on the first device that shows it."""
    for device in devices:
        outcome, why = _run_suite_on(copy, timeout, device)
        if outcome != "survived":
            return outcome, f"{device}: {why}"
    return "survived", ""


def _run_suite_on(copy: Path, timeout: float, device: str) -> tuple[str, str]:
    output = copy / "run"
    shutil.rmtree(output, ignore_errors=True)
    command = [sys.executable, "-m", "conformance", "run", "--in-process", "--device", device, "--output", str(output)]
    # Own session, so that a timeout kills the whole group, not only the first process.
    process = subprocess.Popen(command, cwd=copy, env=suite_env(copy), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return "timeout", f"no result in {timeout:g} s"
    results = output / "results.json"
    if not results.exists():
        return "killed", f"exit {process.returncode}, no results.json: {stderr.decode(errors='replace').strip()[-300:]}"
    report = json.loads(results.read_text(encoding="utf-8"))
    adverse = [f"{clause['id']} {clause['verdict']}" for clause in report["clauses"] if clause["verdict"] not in ACCEPTED]
    if process.returncode != 0 or report["exit_status"] != 0 or adverse:
        return "killed", f"exit {process.returncode}: {', '.join(adverse) or 'no adverse clause'}"
    return "survived", ""


def run_mutant(copy: Path, mutant: Mutant, mutated: str | None, reach: Reach, timeout: float) -> tuple[str, str]:
    if mutated is None:
        return "not-applied", "cosmic-ray found no such site"
    try:
        compile(mutated, mutant.path, "exec")
    except SyntaxError as error:
        return "incompetent", f"SyntaxError: {error.msg}"
    module = copy / mutant.path
    original = module.read_bytes()
    if same_code(original.decode("utf-8"), mutated):
        return "annotation-only", "changes only annotations, which are never evaluated"
    if only_reason_text(original.decode("utf-8"), mutated):
        return REASON_ONLY, "changes only a refusal's reason text (wording)"
    without_a_run = reach.outcome_without_a_run(mutant.path, mutant.start, mutant.end)
    if without_a_run == SWITCH_ONLY:
        return SWITCH_ONLY, "in code that runs only with a defect or variant on"
    if without_a_run == UNREACHED:
        return UNREACHED, "the conformant run never executes this line"
    module.write_text(mutated, encoding="utf-8")
    try:
        return run_suite(copy, timeout)
    finally:
        module.write_bytes(original)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per mutant")
    parser.add_argument("--triage", type=Path, default=TRIAGE)
    parser.add_argument("--json", type=Path, help="write the figures and every sampled mutant here")
    parser.add_argument("--again", type=Path, metavar="JSON", help="the sample of an earlier run (its --json) on the tree as it is now: "
                        "its survivors, found again by key, run again; the other mutants keep the outcome they had")
    args = parser.parse_args()
    try:
        import cosmic_ray  # noqa: F401
    except ImportError:
        print("mutation: cosmic-ray is not installed: pip install -e '.[mutation]'", file=sys.stderr)
        return 2
    triage = load_triage(args.triage)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        tmp = Path(tmp)
        everything = enumerate_mutants(tmp / "session.sqlite")
        if args.again:
            previous = json.loads(args.again.read_text(encoding="utf-8"))
            args.seed, args.sample = previous["seed"], previous["sample"]
            chosen, kept = sample_again(previous, everything)
        else:
            chosen, kept = [mutate(*site) for site in pick_sample(everything, args.sample, args.seed)], {}
        copies = queue.Queue()
        for n in range(args.workers):
            copy = make_copy(tmp / f"copy{n}")
            check_copy_is_imported(copy)
            copies.put(copy)
        with ThreadPoolExecutor(args.workers) as pool:
            baselines = list(pool.map(lambda _: _on_a_copy(copies, run_suite, args.timeout), range(args.workers)))
            if any(outcome != "survived" for outcome, _, _ in baselines):
                print(f"mutation: the unmutated tree does not pass the suite ({baselines}); nothing to measure", file=sys.stderr)
                return 1
            reach = _on_a_copy(copies, lambda copy: (measure_reach(copy, args.timeout), ""))[0]
            mutants_started = time.perf_counter()
            progress = _Progress(len(chosen) - len(kept))
            runs = list(pool.map(lambda pair: kept.get(id(pair[0])) or progress.tell(pair[0], _on_a_copy(copies, run_mutant, pair[0], pair[1], reach, args.timeout)), chosen))
        mutants_wall = time.perf_counter() - mutants_started
    report = summarise(len(everything), args, chosen, runs, triage, mutants_wall, time.perf_counter() - started)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def sample_again(previous: dict, everything: list) -> tuple[list[tuple[Mutant, str | None]], dict[int, tuple[str, str, float]]]:
    """The sample of an earlier run: its survivors as mutants of the tree now (found by key, which survives edits
    elsewhere in a module), to run again; every other mutant with the outcome it had (id of the mutant -> outcome).
    A survivor whose code was rewritten since is no mutant of this tree: it keeps its outcome too, a survivor still."""
    survivors = [m for m in previous["mutants"] if m["outcome"] in ("survived", UNREACHED)]
    wanted = {(m["path"], m["operator"]) for m in survivors}
    current = {mutant.key: (mutant, mutated) for mutant, mutated in (mutate(*site) for site in everything if (site[0], site[1]) in wanted)}
    chosen, kept = [], {}
    for record in previous["mutants"]:
        if record in survivors and record["key"] in current:
            chosen.append(current[record["key"]])
            continue
        mutant = Mutant(record["path"], record["line"], record["operator"], record["occurrence"], record["before"], record["after"], record["function"],
                        tuple(record["start"]), tuple(record["end"]))
        why = record["why"] if record not in survivors else "no longer in its module (the code was rewritten): kept as the survivor it was"
        chosen.append((mutant, None))
        kept[id(mutant)] = (record["outcome"], why, record["seconds"])
    return chosen, kept


class _Progress:
    """One stderr line per mutant as it ends, so a long run shows where it is."""

    def __init__(self, total: int):
        self.total, self.done = total, 0

    def tell(self, mutant: Mutant, run: tuple[str, str, float]) -> tuple[str, str, float]:
        self.done += 1  # pool.map's threads: a count off by one in a race only misnumbers a progress line
        print(f"[{self.done}/{self.total}] {run[0]:<12} {run[2]:5.1f} s  {mutant.path}:{mutant.line} {mutant.operator}", file=sys.stderr, flush=True)
        return run


def _on_a_copy(copies: queue.Queue, work, *args) -> tuple[str, str, float]:
    """work(copy, ...)'s outcome and why, and its seconds; each worker holds one copy for the length of one run."""
    copy = copies.get()
    started = time.perf_counter()
    try:
        return *work(copy, *args), time.perf_counter() - started
    finally:
        copies.put(copy)


def summarise(total: int, args, chosen, runs, triage, mutants_wall: float, wall: float) -> dict:
    outcomes = [outcome for outcome, _, _ in runs]
    survivor = ("survived", UNREACHED)
    kinds = [triage_kind(mutant, triage) if outcome in survivor else None for (mutant, _), outcome in zip(chosen, outcomes, strict=True)]
    set_aside, counts = Counter(filter(None, kinds)), Counter(outcomes)
    untriaged = [mutant.describe() + (" (never executed by the conformant run)" if outcome == UNREACHED else "")
                 for (mutant, _), outcome, kind in zip(chosen, outcomes, kinds, strict=True) if outcome in survivor and not kind]
    return {
        "enumerated": total, "sample": len(chosen), "seed": args.seed, "workers": args.workers, "timeout_s": args.timeout,
        "killed": counts["killed"], "timeouts": counts["timeout"], "incompetent": counts["incompetent"], "survived": counts["survived"],
        "unreached": counts[UNREACHED], "not_applied": counts["not-applied"], "annotation_only": counts["annotation-only"],
        "set_aside": {kind: set_aside[kind] for kind in TRIAGE_KINDS} | {"wording (reason text, not run)": counts[REASON_ONLY],
                                                                         "switch-only (defect or variant code, not run)": counts[SWITCH_ONLY]},
        "score": score(outcomes, sum(set_aside.values())), "wall_s": round(wall, 1), "mutants_wall_s": round(mutants_wall, 1),
        "mutant_seconds_summed": round(sum(seconds for _, _, seconds in runs), 1),
        "untriaged_survivors": untriaged,
        "mutants": [dict(vars(mutant), start=list(mutant.start), end=list(mutant.end), key=mutant.key, outcome=outcome, why=why, seconds=round(seconds, 1), triage=kind) for (mutant, _), (outcome, why, seconds), kind in zip(chosen, runs, kinds, strict=True)],
    }


def print_report(report: dict) -> None:
    r = report
    print(f"mutants enumerated: {r['enumerated']}; sample: {r['sample']} (seed {r['seed']}); workers: {r['workers']}; timeout {r['timeout_s']:g} s")
    print(f"killed: {r['killed']}; timeouts: {r['timeouts']}; survived: {r['survived']} run + {r['unreached']} never executed (not run); not scored: incompetent {r['incompetent']}, annotation-only {r['annotation_only']}"
          + (f", not applied {r['not_applied']}" if r["not_applied"] else ""))
    print("set aside: " + ", ".join(f"{kind} {n}" for kind, n in r["set_aside"].items()))
    print(f"score: {'n/a' if r['score'] is None else format(r['score'], '.3f')} ((killed + timeouts) / (killed + timeouts + survived + never executed - set aside))")
    print(f"wall time: {r['wall_s']} s in all; {r['mutants_wall_s']} s running the mutants, whose own times sum to {r['mutant_seconds_summed']} s")
    print(f"untriaged survivors ({len(r['untriaged_survivors'])}):")
    for line in r["untriaged_survivors"]:
        print(f"  {line}")


if __name__ == "__main__":
    sys.exit(main())
