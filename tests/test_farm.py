"""`conformance run --farm`: the example farm's matrix cell by cell, an unreachable device, a device run killed
mid-way, BLE devices taking turns on one adapter, and farm files that are refused."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

import emulator.rules  # noqa: F401 - the defects register at import
from conformance.cli import main, resolve_device
from conformance.declaration import FIXTURES_DIR, load_declaration
from conformance.farm import FarmDevice, load_farm
from conformance.farm_run import DeviceRun, FarmRunner, farm_exit_status
from emulator.defects import DEFECTS
from tests import browser

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = FIXTURES_DIR / "farms" / "example.yaml"
EXTRA_CLAUSE = "CSW-SEC-4"  # a clause no example defect breaks: PASS on every device
BOUND_S = 120


def _run_farm(*options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conformance", "run", *options], cwd=ROOT, capture_output=True, text=True, timeout=BOUND_S)


class _Cells(HTMLParser):
    """farm.html's matrix: (device name, clause) -> (verdict class, link)."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], tuple[str, str]] = {}
        self._cls = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "td":
            self._cls = attrs.get("class", "")
        elif tag == "a" and "v-" in self._cls:
            name, clause = attrs["title"].split(":")[0].split(" ")
            self.cells[name, clause] = (self._cls.split("v-")[1], attrs["href"])


def test_the_example_farm_gives_each_device_the_verdicts_its_defects_call_for(tmp_path):
    browser.chromium()  # fails (or skips, with CONFORMANCE_SKIP_BROWSER) before the farm runs when there is no chromium
    farm = load_farm("example")
    broken = {d.name: {c for name in d.declaration.emulator.get("defects", []) for c in DEFECTS[name].clauses} for d in farm.devices}
    assert sorted(len(b) > 0 for b in broken.values()) == [False, True, True, True], "one conformant device, three with defects"
    assert len({frozenset(b) for b in broken.values() if b}) == 3, "three different defects"
    assert any(d.declaration.transport == "ble-virtual" for d in farm.devices if broken[d.name]), "one defective device over the virtual BLE link"
    selected = sorted(set().union(*broken.values()) | {EXTRA_CLAUSE})

    run = _run_farm("--farm", "example", "--select", " or ".join(selected), "--in-process", "--output", str(tmp_path / "farm"))
    assert run.returncode == 1, run.stdout + run.stderr
    record = json.loads((tmp_path / "farm" / "farm.json").read_text(encoding="utf-8"))
    assert record["exit_status"] == 1 and [d["name"] for d in record["devices"]] == [d.name for d in farm.devices]
    cells = _Cells()
    cells.feed((tmp_path / "farm" / "farm.html").read_text(encoding="utf-8"))
    for device in record["devices"]:
        name = device["name"]
        assert device["identity"] == {"model": "RW-1 reference watch", "firmware": "1.0.0", "manufacturer": "Reference emulator"}
        assert device["exit_status"] == (1 if broken[name] else 0) and device["outcome"] == ("FAIL" if broken[name] else "PASS")
        folder = tmp_path / "farm" / device["run_folder"]
        assert (folder / "results.json").is_file() and (folder / "junit.xml").is_file()
        for clause, verdict in device["clause_verdicts"].items():
            wanted = "FAIL" if clause in broken[name] else "PASS" if clause in selected else "NOT_TESTED"
            assert verdict == wanted, (name, clause, verdict)
            if clause not in selected:  # no device tested it: no column
                assert (name, clause) not in cells.cells
                continue
            css, href = cells.cells[name, clause]
            assert css == verdict.lower() and href == f"{device['run_folder']}/report.html#{clause}", (name, clause, css, href)
            assert f'id="{clause}"' in (folder / "report.html").read_text(encoding="utf-8")
    # The page opens offline, drawn, in Chinese when asked (the report's language switch).
    shot = browser.take(tmp_path / "farm" / "farm.html", query="lang=zh")
    assert shot.page_requests() == [] and browser.blank_reason(shot.image) is None
    assert 'data-lang="zh"' in shot.dom and "设备组：判定矩阵" in shot.dom
    # Console: a line per device as it finished, then the clauses that differ between devices.
    lines = run.stdout.splitlines()
    for device in farm.devices:
        assert any(line.startswith(("FAIL" if broken[device.name] else "PASS") + " ") and f" {device.name} " in line for line in lines), run.stdout
    for clause in set().union(*broken.values()):
        row = next(line.split() for line in lines if line.startswith(clause + " "))
        assert row[1:] == ["FAIL" if clause in broken[d.name] else "PASS" for d in farm.devices], row


def _farm_file(tmp_path: Path, entries: str) -> Path:
    path = tmp_path / "farm.yaml"
    path.write_text("farm: 1\ndevices:\n" + entries, encoding="utf-8")
    return path


def test_an_unreachable_device_is_reported_at_the_start_and_the_others_run(tmp_path):
    declaration = (FIXTURES_DIR / "devices" / "emulator.yaml").read_text(encoding="utf-8").replace("address: embedded", "address: http://127.0.0.1:9")
    (tmp_path / "gone.yaml").write_text(declaration, encoding="utf-8")
    farm = _farm_file(tmp_path, "  - device: gone.yaml\n  - device: emulator\n")

    run = _run_farm("--farm", str(farm), "--select", EXTRA_CLAUSE, "--in-process", "--output", str(tmp_path / "out"))
    assert run.returncode == 4, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[1].startswith("UNREACHABLE ") and "gone" in lines[1] and "http://127.0.0.1:9" in lines[1] and f"{tmp_path / 'gone.yaml'}:" in lines[1], lines
    assert lines[2].startswith("PASS ") and " emulator " in lines[2], lines
    gone, reference = json.loads((tmp_path / "out" / "farm.json").read_text(encoding="utf-8"))["devices"]
    assert (gone["outcome"], gone["exit_status"], gone["clause_verdicts"]) == ("UNREACHABLE", 4, {})
    assert reference["outcome"] == "PASS" and reference["clause_verdicts"][EXTRA_CLAUSE] == "PASS"
    assert "cannot be reached" in (tmp_path / "out" / "farm.html").read_text(encoding="utf-8")


def _children(pid: int) -> list[int]:
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()]


def test_a_device_run_killed_mid_way_keeps_the_others_results(tmp_path):
    farm = _farm_file(tmp_path, "  - device: emulator\n    name: victim\n  - device: emulator\n    name: survivor\n")
    output = tmp_path / "out"
    command = [sys.executable, "-m", "conformance", "run", "--farm", str(farm), "--select", "CSW-ADD-1 or CSW-PAY-2", "--in-process", "--jobs", "2", "--output", str(output)]
    farm_process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    victim_log = output / "victim" / "scenarios.jsonl"
    deadline = time.monotonic() + BOUND_S
    while not (victim_log.exists() and victim_log.read_text(encoding="utf-8").count("\n") >= 1):  # mid-way: a scenario done
        assert time.monotonic() < deadline and farm_process.poll() is None, "the victim's run never got going"
        time.sleep(0.02)
    victim = [c for c in _children(farm_process.pid) if str(output / "victim") in Path(f"/proc/{c}/cmdline").read_text().split("\0")]
    assert len(victim) == 1, victim
    subprocess.run(["kill", "-KILL", str(victim[0])], check=True)
    out, _ = farm_process.communicate(timeout=BOUND_S)

    assert farm_process.returncode == 3, out
    killed, survivor = json.loads((output / "farm.json").read_text(encoding="utf-8"))["devices"]
    assert killed["outcome"] == "CRASHED" and killed["exit_status"] == 3 and "SIGKILL" in killed["message"] and "--resume" in killed["message"], killed
    assert survivor["outcome"] == "PASS" and survivor["clause_verdicts"]["CSW-ADD-1"] == "PASS" and (output / "survivor" / "report.html").is_file()
    assert any(line.startswith("CRASHED ") and " victim " in line for line in out.splitlines()), out


def test_ble_devices_on_one_adapter_take_turns_and_embedded_virtual_radios_do_not(tmp_path):
    def device(name: str, value: str) -> FarmDevice:
        return FarmDevice(name, value, load_declaration(resolve_device(value)), None)

    devices = [device("ble-a", "ble:AA:BB:CC:DD:EE:01"), device("http", "emulator"), device("ble-b", "ble:AA:BB:CC:DD:EE:02"),
               device("virtual-a", "emulator-ble"), device("virtual-b", "emulator-ble")]
    runner = FarmRunner(None, None, tmp_path, 4)
    assert [[d.name for d in group] for group in runner.groups(devices)] == [["ble-a", "ble-b"], ["http"], ["virtual-a"], ["virtual-b"]]


@pytest.mark.parametrize(("statuses", "worst"), [([0, 2, 0], 2), ([2, 1, 0], 1), ([1, 3, 2], 3), ([3, 4, 1], 4), ([0, 0], 0)])
def test_the_farm_exit_status_is_the_worst_of_the_devices(statuses, worst):
    assert farm_exit_status([DeviceRun(None, Path("."), status, "") for status in statuses]) == worst


BAD_FARMS = [
    ("devices:\n  - device: emulator\n", "farm.yaml:1: field 'farm': is required"),
    ("farm: 1\ndevices: []\n", "farm.yaml:2: field 'devices': [] should be non-empty"),
    ("farm: 1\ndevices:\n  - device: emulator\n  - devcie: basic\n", "farm.yaml:4: field 'devices[1].devcie': is not a field of a farm's device (its fields: device, name)"),
    ("farm: 1\ndevices:\n  - device: emulator\n  - device: watches/k3.yaml\n", "farm.yaml:4: field 'devices[1].device': 'watches/k3.yaml': no declaration file at"),
    ("farm: 1\ndevices:\n  - device: no-such-watch\n", "farm.yaml:3: field 'devices[0].device': neither a declaration file nor a shipped device"),
    ("farm: 1\ndevices:\n  - device: emulator\n  - device: emulator\n", "farm.yaml:4: field 'devices[1].device': the device name 'emulator' is taken by the entry at line 3: give each a `name`"),
    ("farm: 1\ndevices:\n  - device: emulator\n    name: ../up\n", "farm.yaml:4: field 'devices[0].name': '../up' is not a plain name"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FARMS, ids=["no-version", "empty", "misspelt-key", "missing-file", "unknown-device", "same-name", "bad-name"])
def test_a_bad_farm_file_is_refused_naming_file_line_and_field(tmp_path, capsys, text, message):
    path = tmp_path / "farm.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["run", "--farm", str(path), "--output", str(tmp_path / "out")]) == 4
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err
    assert not (tmp_path / "out").exists(), "a farm that cannot run writes nothing"


def test_a_broken_declaration_in_a_farm_names_the_declaration(tmp_path, capsys):
    broken = (FIXTURES_DIR / "devices" / "emulator.yaml").read_text(encoding="utf-8").replace("test_clock: true", "test_clock: maybe")
    (tmp_path / "broken.yaml").write_text(broken, encoding="utf-8")
    path = _farm_file(tmp_path, "  - device: emulator\n  - device: broken.yaml\n")
    assert main(["run", "--farm", str(path)]) == 4
    err = capsys.readouterr().err
    assert f"{tmp_path / 'broken.yaml'}:" in err and "ixit.test_clock" in err, err


@pytest.mark.parametrize(("options", "message"), [
    (["--farm", "no-such-farm"], "no-such-farm: field '--farm': neither a farm file nor a shipped farm (shipped: example)"),
    (["--farm", "example", "--device", "basic"], "field '--device': cannot go with --farm"),
    (["--farm", "example", "--defect", "likes_leaderboard"], "field '--defect': cannot go with --farm"),
    (["--farm", "example", "--jobs", "0"], "field '--jobs': is the number of devices run at once"),
    (["--jobs", "2"], "field '--jobs': goes with --farm"),
])
def test_farm_options_that_cannot_work_are_refused(capsys, options, message):
    assert main(["run", *options]) == 4
    assert message in capsys.readouterr().err


def test_a_sigterm_to_the_farm_stops_every_device_run_with_its_reports(tmp_path):
    farm = _farm_file(tmp_path, "  - device: emulator\n    name: one\n  - device: emulator\n    name: two\n  - device: emulator\n    name: three\n")
    output = tmp_path / "out"
    command = [sys.executable, "-m", "conformance", "run", "--farm", str(farm), "--jobs", "2", "--output", str(output), "--in-process"]
    farm_process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + BOUND_S
    started = [output / name / "scenarios.jsonl" for name in ("one", "two")]
    while not all(log.exists() and log.read_text(encoding="utf-8").count("\n") >= 1 for log in started):  # under way: a scenario done
        assert time.monotonic() < deadline and farm_process.poll() is None, "the runs never got going"
        time.sleep(0.05)
    farm_process.send_signal(signal.SIGTERM)
    out, _ = farm_process.communicate(timeout=BOUND_S)
    assert farm_process.returncode == 3, out
    devices = {d["name"]: d for d in json.loads((output / "farm.json").read_text(encoding="utf-8"))["devices"]}
    assert devices["one"]["outcome"] == devices["two"]["outcome"] == "INTERRUPTED", devices
    assert devices["three"]["outcome"] == "NOT STARTED"
    assert (output / "one" / "report.html").is_file()
