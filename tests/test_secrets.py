"""The declaration's secrets never reach the output folder: masked by key and by value in every file a run writes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conformance.declaration import DEFAULT_DECLARATION, load_declaration
from conformance.results import ScenarioResult
from conformance.secrets import MASK, Masker, secret_values
from conformance.steps.payments import _wrong_password
from conformance.validation import run_suite
from conformance.verdicts import Verdict

GUARDIAN_PASSWORD = "Gd-5150-hush"  # declared, not used by any step: it must be masked all the same


def test_secret_values_are_found_under_any_secret_key():
    data = {"agent_token": "t0k", "guardian": {"account": "g-1", "password": "pw"}, "payment_password": 246810, "test_clock": True, "nested": [{"secret_key": "s3"}]}
    assert sorted(secret_values(data)) == sorted(["t0k", "pw", "246810", "s3"])


def test_masking_by_key_covers_values_that_are_not_the_declared_secret():
    mask = Masker(["246810"])
    request = {"op": "payment.pay", "auth": "any-token", "args": {"amount_yuan": 5, "password": "357921", "guardian_password": 4821}}
    assert mask(request) == {"op": "payment.pay", "auth": MASK, "args": {"amount_yuan": 5, "password": MASK, "guardian_password": MASK}}


def test_masking_by_value_reaches_inside_any_text():
    mask = Masker(["246810", "emulator-test-agent-token"])
    assert mask("Declaration(ixit={'payment_password': '246810'}, token emulator-test-agent-token)") == f"Declaration(ixit={{'payment_password': '{MASK}'}}, token {MASK})"
    assert mask(["x246810y", ("246810",)]) == [f"x{MASK}y", (MASK,)]


def test_flags_public_lists_and_verdicts_are_kept():
    mask = Masker(["246810"])
    assert mask({"password_set": True, "lock_password": None, "default_passwords": ["0000", "1234"]}) == {"password_set": True, "lock_password": None, "default_passwords": ["0000", "1234"]}
    scenario = ScenarioResult("n", "name", "f", "f.feature", ["CSW-PAY-1"], Verdict.PASS, reason="paid with 246810")
    masked = mask(scenario)
    assert masked.verdict is Verdict.PASS and masked.reason == f"paid with {MASK}"
    assert scenario.reason == "paid with 246810", "the original is copied, not changed"


def test_the_longest_secret_is_masked_whole():
    assert Masker(["2468", "24681012"])("code 24681012") == f"code {MASK}"


def test_the_declarations_repr_hides_its_secrets():
    declaration = load_declaration(DEFAULT_DECLARATION)
    text = repr(declaration)
    assert "246810" not in text and "emulator-test-agent-token" not in text
    assert "RW-1 reference watch" in text and MASK in text


@pytest.fixture(scope="module")
def declared(tmp_path_factory) -> tuple[Path, list[str]]:
    """The reference declaration with every kind of secret the schema allows (token, payment and guardian passwords)."""
    data = yaml.safe_load(DEFAULT_DECLARATION.read_text(encoding="utf-8"))
    data["ixit"]["guardian"]["password"] = GUARDIAN_PASSWORD
    path = tmp_path_factory.mktemp("declaration") / "device.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    secrets = secret_values(data)
    assert len(secrets) == 3, secrets
    # The wrong password the payment steps derive from the right one gives the right one away.
    return path, [*secrets, _wrong_password(data["ixit"]["payment_password"])]


def test_no_file_of_a_whole_run_holds_a_secret(declared, tmp_path):
    device, secrets = declared
    output = tmp_path / "run"
    data = run_suite(output, device=str(device), in_process=True)
    files = [p for p in output.rglob("*") if p.is_file()]
    assert len(files) > 100 and any(p.parent.name == "allure-results" for p in files), "the run wrote less than a whole run's output"
    leaks = {f"{p.relative_to(output)}: {secret}" for p in files for secret in secrets if secret.encode("utf-8") in p.read_bytes()}
    assert not leaks, sorted(leaks)[:20]
    # Masked, not dropped: the evidence still shows where each secret was.
    ixit = data["declaration"]["ixit"]
    assert ixit["agent_token"] == ixit["payment_password"] == ixit["guardian"]["password"] == MASK
    payments = [e["request"] for c in data["clauses"] for s in c["scenarios"] for e in s["transcript"] if e["request"]["op"] == "payment.pay"]
    assert payments and all(r.get("auth", MASK) == MASK for r in payments) and any("auth" in r for r in payments)
    assert any(r["args"].get("password") == MASK for r in payments)


def test_allure_writes_results_and_attachments_masked(tmp_path):
    """Through Allure's own file logger: a failure message and a captured log that carry secrets reach the disk masked."""
    import allure_commons
    from allure_commons.logger import AllureFileLogger
    from allure_commons.model2 import StatusDetails, TestResult, TestStepResult

    from conformance.reporting.allure import AllureMasking

    plugins = [AllureFileLogger(str(tmp_path)), AllureMasking(Masker(["246810"]), tmp_path)]
    for plugin in plugins:
        allure_commons.plugin_manager.register(plugin)
    try:
        step = TestStepResult(name="pay", statusDetails=StatusDetails(message="refused: password 246810 is wrong"))
        allure_commons.plugin_manager.hook.report_result(result=TestResult(uuid="u-246810", name="scenario", steps=[step]))
        allure_commons.plugin_manager.hook.report_attached_data(body="INFO paying with 246810\n", file_name="a-attachment.txt")
    finally:
        for plugin in plugins:
            allure_commons.plugin_manager.unregister(plugin)
    written = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    assert written["a-attachment.txt"] == f"INFO paying with {MASK}\n"
    result = next(text for name, text in written.items() if name.endswith("-result.json"))
    assert f"password {MASK} is wrong" in result and '"u-246810"' in result  # evidence masked, identifiers kept
    assert not any(name.endswith(".masking") for name in written)
