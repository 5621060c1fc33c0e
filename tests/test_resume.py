"""Finishing a killed run (--resume), running part of a run again (--rerun ... --only), and retrying a scenario
after a transport fault (--retries): real `conformance run` processes, on small selections.

A resumed run must give the reports an uninterrupted run gives: the same
clause verdicts and the same scenarios, the ones recorded before the kill kept
as they were (not run again).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conformance.cli import main, resolve_device
from conformance.datafile import ConfigError
from conformance.declaration import DEFAULT_DECLARATION
from conformance.emulator_process import start_emulator
from conformance.run_record import RUN_OPTIONS, input_digests, read_scenario_log, write_run_record
from emulator.watch import ALL_FEATURES, DEFAULT_TOKEN
from tests.faults import FaultProxy

ROOT = Path(__file__).resolve().parent.parent
# 13 scenarios; slow_replies (a conformant variant: one reply in eight is late) spreads them over a few seconds, so
# that a kill lands mid-run, and shows that the resumed run keeps the original's options.
SELECT = "CSW-SOC-5 or CSW-PRI-5 or CSW-ADD-8"
OPTIONS = ["--in-process", "--variant", "slow_replies", "--select", SELECT]
BOUND_S = 60.0


def _conformance(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conformance", "run", *args], cwd=ROOT, capture_output=True, text=True, timeout=BOUND_S)


def _verdicts(folder: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each clause's verdict, and the scenarios it was judged on (node ids, in report order)."""
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    return {c["id"]: c["verdict"] for c in data["clauses"]}, {c["id"]: [s["nodeid"] for s in c["scenarios"]] for c in data["clauses"]}


def _lines(log: Path) -> int:
    return log.read_bytes().count(b"\n") if log.exists() else 0


def _kill_after(lines: int, *args: str) -> None:
    """Start `conformance run ARGS` and SIGKILL it (the whole process group: nothing of it may tidy up) once the
    run's folder records `lines` scenarios."""
    output = Path(args[args.index("--resume") + 1] if "--resume" in args else args[args.index("--output") + 1])
    run = subprocess.Popen([sys.executable, "-m", "conformance", "run", *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    log = output / "scenarios.jsonl"
    deadline = time.monotonic() + BOUND_S
    try:
        while _lines(log) < lines:
            assert run.poll() is None, f"the run ended before {lines} scenarios were recorded"
            assert time.monotonic() < deadline, f"fewer than {lines} scenarios in {BOUND_S} s"
            time.sleep(0.005)
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    assert not (output / "results.json").exists(), "the run finished before the kill"


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("clean") / "run"
    done = _conformance(*OPTIONS, "--output", str(output))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return output


def test_a_run_killed_at_three_moments_and_resumed_gives_the_reports_of_a_clean_run(clean, tmp_path):
    """Killed after 2 scenarios; its resume killed after 5; that one's resume killed after 9; the last resume finishes."""
    output = tmp_path / "run"
    _kill_after(2, *OPTIONS, "--output", str(output))
    kept = {r.nodeid: r for r in read_scenario_log(output / "scenarios.jsonl")}
    for moment in (5, 9):
        _kill_after(moment, "--resume", str(output))
        now = {r.nodeid: r for r in read_scenario_log(output / "scenarios.jsonl")}
        assert moment <= len(now) < _lines(clean / "scenarios.jsonl"), (moment, len(now))
        kept.update(now)

    before = read_scenario_log(output / "scenarios.jsonl")
    resumed = _conformance("--resume", str(output))

    assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr[-2000:]
    assert f"{len(before)} scenario results kept" in resumed.stdout, resumed.stdout[:500]
    assert _verdicts(output) == _verdicts(clean)
    after = read_scenario_log(output / "scenarios.jsonl")
    assert len(after) == _lines(output / "scenarios.jsonl") == _lines(clean / "scenarios.jsonl"), "a scenario recorded twice, or one missing"
    for result in after:  # the scenarios recorded before each kill were kept, not run again
        if result.nodeid in kept:
            assert result.transcript == kept[result.nodeid].transcript, result.name
    assert "Traceback" not in resumed.stdout + resumed.stderr

    (output / "results.json").unlink()  # killed while writing its reports: nothing is missing, and a resume rebuilds them
    rebuilt = _conformance("--resume", str(output))
    assert rebuilt.returncode == 0 and "0 scenarios to run" in rebuilt.stdout, rebuilt.stdout[-2000:] + rebuilt.stderr[-2000:]
    assert _verdicts(output) == _verdicts(clean)
    assert json.loads((output / "results.json").read_text(encoding="utf-8"))["device"]["model"] == "RW-1 reference watch"


def test_resume_refuses_a_folder_that_is_not_a_run(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("not a run", encoding="utf-8")
    assert main(["run", "--resume", str(tmp_path)]) == 4
    assert capsys.readouterr().err.strip() == f"conformance: {tmp_path}: field '--resume': is not a run folder: it has no run.json (written when `conformance run` starts; runs of older versions cannot be resumed)"
    assert main(["run", "--resume", str(tmp_path), "--device", "basic"]) == 4
    assert "field '--device': cannot be given with --resume" in capsys.readouterr().err


def test_resume_refuses_a_run_whose_declaration_changed(tmp_path, capsys):
    device = tmp_path / "device.yaml"
    device.write_text(DEFAULT_DECLARATION.read_text(encoding="utf-8"), encoding="utf-8")
    options = {**dict.fromkeys(RUN_OPTIONS), "device": str(device), "profile": "gb-2027", "tailoring": [], "defect": [], "variant": []}
    write_run_record(tmp_path / "run", argparse.Namespace(**options), "x", digests=input_digests(options, resolve_device))
    device.write_text(device.read_text(encoding="utf-8") + "# edited after the run started\n", encoding="utf-8")
    assert main(["run", "--resume", str(tmp_path / "run")]) == 4
    assert capsys.readouterr().err.strip() == f"conformance: {device}: field '--resume': has changed since the run started (its SHA-256 differs from the one in {tmp_path / 'run' / 'run.json'}); start a new run instead"


def test_a_torn_last_line_is_dropped_and_a_broken_middle_line_refused(clean, tmp_path):
    whole = (clean / "scenarios.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    log = tmp_path / "scenarios.jsonl"
    log.write_text("".join(whole[:3]) + whole[3][:40], encoding="utf-8")  # killed while writing the fourth
    assert [r.nodeid for r in read_scenario_log(log)] == [json.loads(line)["nodeid"] for line in whole[:3]]
    log.write_text(whole[0] + whole[1][:40] + "\n" + whole[2], encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        read_scenario_log(log)
    assert refused.value.line == 2


def test_rerun_only_the_failures_into_a_new_folder(tmp_path):
    first = tmp_path / "first"
    done = _conformance("--in-process", "--defect", "no_liveness_check", "--select", "CSW-PRI-5", "--output", str(first))
    assert done.returncode == 1, done.stdout[-2000:]
    old = {r.nodeid: r for r in read_scenario_log(first / "scenarios.jsonl")}
    failed = {n for n, r in old.items() if r.verdict.value == "FAIL"}
    assert failed and len(failed) < len(old)

    second = tmp_path / "second"
    rerun = _conformance("--rerun", str(first), "--only", "FAIL", "--output", str(second))

    assert rerun.returncode == 1, rerun.stdout[-2000:]  # the defect was part of the run's options: it fails again
    assert len(failed) == 3 and len(old) == 4  # CSW-PRI-5: three spoofs get through, de-registering still works
    assert f"rerunning 3 scenarios of {first} that ended FAIL into {second}; 1 other result taken from that run" in rerun.stdout
    assert _verdicts(second) == _verdicts(first)
    new = {r.nodeid: r for r in read_scenario_log(second / "scenarios.jsonl")}
    assert new.keys() == old.keys()
    assert {n for n in new if new[n].transcript != old[n].transcript} == failed, "only the failures ran again"
    assert json.loads((second / "run.json").read_text(encoding="utf-8"))["rerun_of"]["only"] == ["FAIL"]
    said = json.loads((second / "results.json").read_text(encoding="utf-8"))["rerun_of"]
    assert said["only"] == ["FAIL"] and said["run_id"] == json.loads((first / "run.json").read_text(encoding="utf-8"))["run_id"]
    assert "A rerun: only the scenarios with these verdicts ran again" in (second / "report.html").read_text(encoding="utf-8")
    properties = {e.get("name"): e.get("value") for e in ET.parse(second / "junit.xml").iter("property")}
    assert properties["rerun_of"].endswith("(FAIL ran again)")


def test_rerun_refuses_verdicts_no_scenario_has(tmp_path, capsys):
    options = {**dict.fromkeys(RUN_OPTIONS), "device": "emulator", "profile": "gb-2027", "tailoring": [], "defect": [], "variant": []}
    write_run_record(tmp_path, argparse.Namespace(**options), "x")
    assert main(["run", "--rerun", str(tmp_path), "--only", "ERROR"]) == 4
    assert "nothing to rerun" in capsys.readouterr().err
    assert main(["run", "--rerun", str(tmp_path), "--only", "FAILED"]) == 4
    assert "field '--only': FAILED is not a verdict" in capsys.readouterr().err


def test_a_transport_fault_is_retried_and_both_attempts_are_shown(tmp_path):
    """One HTTP 500 to one payment: with --retries 1 the scenario passes on its second attempt; with --retries 0 it stays
    INCONCLUSIVE, and --rerun --only INCONCLUSIVE (the link mended) then passes it."""
    with start_emulator(features=list(ALL_FEATURES), token=DEFAULT_TOKEN) as emulator:
        outcomes = {}
        for retries in ("1", "0"):
            with FaultProxy(emulator.address, "http_500", op="payment.pay", times=1) as proxy:
                device = tmp_path / f"device-{retries}.yaml"
                device.write_text(DEFAULT_DECLARATION.read_text(encoding="utf-8").replace("address: embedded", f"address: {proxy.address}"), encoding="utf-8")
                output = tmp_path / f"retries-{retries}"
                outcomes[retries] = (_conformance("--device", str(device), "--select", "CSW-PAY-3", "--retries", retries, "--output", str(output)), output)
                assert len(proxy.faulted) == 1
                if retries == "0":
                    rerun = _conformance("--rerun", str(output), "--only", "INCONCLUSIVE", "--output", str(tmp_path / "rerun"))

    done, output = outcomes["1"]
    assert done.returncode == 0, done.stdout[-2000:]
    (retried,) = [r for r in read_scenario_log(output / "scenarios.jsonl") if r.attempts]
    assert retried.verdict.value == "PASS"
    assert [(a["verdict"], "HTTP 500" in a["reason"]) for a in retried.attempts] == [("INCONCLUSIVE", True), ("PASS", False)]
    assert all(a["transcript"] for a in retried.attempts) and retried.attempts[-1]["transcript"] == retried.transcript
    assert f"RETRIED       CSW-PAY-3  {retried.name}: attempt 1 INCONCLUSIVE (http://" in done.stdout and "answered HTTP 500 to payment.pay); attempt 2 PASS" in done.stdout
    junit = "\n".join(e.text or "" for e in ET.parse(output / "junit.xml").iter("system-out"))
    assert re.search(r"attempt 1: INCONCLUSIVE -- http://\S+ answered HTTP 500 to payment.pay", junit) and "attempt 2: PASS" in junit
    html = (output / "report.html").read_text(encoding="utf-8")
    assert html.count('<ul class="attempts">') == 1 and "answered HTTP 500 to payment.pay" in html

    control, output = outcomes["0"]
    assert control.returncode == 2, control.stdout[-2000:]
    assert not any(r.attempts for r in read_scenario_log(output / "scenarios.jsonl"))
    assert rerun.returncode == 0, rerun.stdout[-2000:]
    assert "rerunning 1 scenario of" in rerun.stdout
    assert _verdicts(tmp_path / "rerun")[0]["CSW-PAY-3"] == "PASS"
