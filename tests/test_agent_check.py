"""`conformance init` writes a declaration to fill in; `conformance check` brings up a test agent before a run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conformance.agent_check import PROBLEM, check_agent
from conformance.declaration import DECLARATION_SCHEMA, FIXTURES_DIR, load_declaration
from conformance.emulator_process import start_emulator
from emulator.watch import ALL_FEATURES
from tests.faults import FaultProxy

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "emulator-test-agent-token"
WITHOUT_BLE = [f for f in ALL_FEATURES if f != "ble"]  # what fixtures/devices/emulator.yaml declares
CJK = re.compile(r"[\u4e00-\u9fff]")


def _conformance(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conformance", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _declaration(tmp_path: Path, source: Path, address: str) -> Path:
    path = tmp_path / "device.yaml"
    path.write_text(source.read_text(encoding="utf-8").replace("address: embedded", f"address: {address}"), encoding="utf-8")
    return path


def _problems(findings) -> dict[str, str]:
    return {f.subject: f.en for f in findings if f.status == PROBLEM}


# -- init --------------------------------------------------------------------------


def _schema_keys(schema: dict, prefix: str = "") -> list[str]:
    keys = []
    for name, sub in schema.get("properties", {}).items():
        keys.append(prefix + name)
        keys += _schema_keys(sub, f"{prefix}{name}.")
    return keys


def test_init_writes_a_declaration_that_loads_with_every_field_explained_in_both_languages(tmp_path):
    made = _conformance("init", "lab", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    written = tmp_path / "lab" / "watch.yaml"
    declaration = load_declaration(written)  # valid as written: the maker changes values, not shape
    assert declaration.address.startswith("http://") and set(declaration.ixit["apps"]) == set(DECLARATION_SCHEMA["properties"]["ixit"]["properties"]["apps"]["propertyNames"]["enum"])
    lines = written.read_text(encoding="utf-8").splitlines()
    data = yaml.safe_load("\n".join(lines))
    for dotted in _schema_keys(DECLARATION_SCHEMA):
        if dotted.startswith("emulator"):  # only for the embedded reference watch
            continue
        node: object = data
        for part in dotted.split("."):
            assert isinstance(node, dict) and part in node, f"the template lacks {dotted}"
            node = node[part]
        leaf = dotted.rsplit(".", 1)[-1]
        at = next(i for i, line in enumerate(lines) if re.match(rf"\s*{re.escape(leaf)}:", line))
        above = at
        while above > 0 and lines[above - 1].strip().startswith("#"):
            above -= 1
        comment = " ".join(lines[above:at])
        assert CJK.search(comment) and re.search("[A-Za-z]{3}", comment), f"{dotted} has no comment in both languages above it"


def test_init_never_overwrites_a_declaration(tmp_path):
    assert _conformance("init", cwd=tmp_path).returncode == 0
    (tmp_path / "watch.yaml").write_text("# mine\n", encoding="utf-8")
    again = _conformance("init", cwd=tmp_path)
    assert again.returncode == 4 and "already exists" in again.stderr and "Traceback" not in again.stderr
    assert (tmp_path / "watch.yaml").read_text(encoding="utf-8") == "# mine\n"


# -- check -------------------------------------------------------------------------


def test_check_passes_the_reference_watch_and_probes_every_operation(tmp_path):
    done = _conformance("check", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ready for a run" in done.stdout and re.search(r"(\d+) of \1 operations the suite sends are there", done.stdout)


def test_check_accepts_a_model_without_optional_features():
    findings = check_agent(load_declaration(FIXTURES_DIR / "devices" / "basic.yaml"))
    assert not _problems(findings)
    assert any("unsupported" in f.en and "payment.pay" in f.en for f in findings)


def test_check_finds_an_agent_that_takes_requests_without_its_token(tmp_path):
    path = tmp_path / "device.yaml"
    path.write_text((FIXTURES_DIR / "devices" / "emulator.yaml").read_text(encoding="utf-8") + "emulator:\n  defects: [agent_accepts_unauthenticated]\n", encoding="utf-8")
    problems = _problems(check_agent(load_declaration(path)))
    assert set(problems) == {"token"} and "no token" in problems["token"]


def test_check_finds_features_declared_other_than_the_device_reports(tmp_path):
    with start_emulator(features=list(ALL_FEATURES), token=TOKEN) as emulator:
        findings = check_agent(load_declaration(_declaration(tmp_path, FIXTURES_DIR / "devices" / "basic.yaml", emulator.address)))
    problems = _problems(findings)
    assert "feature payments" in problems and "declared absent, and the device reports it present" in problems["feature payments"]


@pytest.mark.parametrize("fault, expected", [("dtp_error", "Missing (unknown_op): payment.pay"), ("missing_result", "Reply out of schema: payment.pay")])
def test_check_names_a_missing_or_malformed_operation(tmp_path, fault, expected):
    with start_emulator(features=WITHOUT_BLE, token=TOKEN) as emulator, FaultProxy(emulator.address, fault, op="payment.pay", code="unknown_op") as proxy:
        findings = check_agent(load_declaration(_declaration(tmp_path, FIXTURES_DIR / "devices" / "emulator.yaml", proxy.address)))
    problems = _problems(findings)
    assert set(problems) == {"operations"} and expected in problems["operations"], problems


def test_check_of_a_device_nobody_answers_says_so_in_one_line(tmp_path):
    path = _declaration(tmp_path, FIXTURES_DIR / "devices" / "emulator.yaml", "http://127.0.0.1:9")
    done = _conformance("check", "--device", str(path), cwd=tmp_path)
    assert done.returncode != 0 and "Traceback" not in done.stdout + done.stderr
    assert "127.0.0.1:9" in done.stdout + done.stderr
