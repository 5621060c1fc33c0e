"""Device declarations: the shipped ones load, a broken one names its file and field, secrets never leave."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.datafile import ConfigError
from conformance.declaration import DEFAULT_DECLARATION, FIXTURES_DIR, load_declaration
from device_adapters.registry import factories


@pytest.mark.parametrize("path", sorted((FIXTURES_DIR / "devices").glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_declarations_load(path):
    declaration = load_declaration(path)
    assert declaration.model and declaration.transport in factories()


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_DECLARATION.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "watch.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_missing_feature_is_named(tmp_path):
    path = _edited(tmp_path, "  payments: true\n", "")
    with pytest.raises(ConfigError) as caught:
        load_declaration(path)
    assert caught.value.field == "features.payments" and str(path) in str(caught.value)


def test_wrong_type_names_field_and_line(tmp_path):
    path = _edited(tmp_path, "  test_clock: true", "  test_clock: sometimes")
    with pytest.raises(ConfigError) as caught:
        load_declaration(path)
    expected_line = path.read_text(encoding="utf-8").splitlines().index("  test_clock: sometimes") + 1
    assert caught.value.field == "ixit.test_clock" and caught.value.line == expected_line


def test_unknown_feature_is_refused(tmp_path):
    path = _edited(tmp_path, "  ble: false", "  ble: false\n  teleport: true")
    with pytest.raises(ConfigError, match="teleport"):
        load_declaration(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="nowhere.yaml"):
        load_declaration(tmp_path / "nowhere.yaml")


def test_redaction_masks_secrets():
    redacted = load_declaration(DEFAULT_DECLARATION).redacted()
    assert redacted["ixit"]["agent_token"] == "***"
    assert redacted["ixit"]["payment_password"] == "***"
    assert "emulator-test-agent-token" not in str(redacted) and "246810" not in str(redacted)


def _refusal(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_declaration(path)
    return caught.value


def _line(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


def test_a_transport_no_adapter_serves(tmp_path):
    path = _edited(tmp_path, "transport: http", "transport: carrier-pigeon")
    refusal = _refusal(path)
    assert (refusal.field, refusal.line) == ("transport", _line(path, "transport: carrier-pigeon"))
    assert "carrier-pigeon" in refusal.message and "http" in refusal.message


def test_the_embedded_emulator_needs_a_transport_it_serves(tmp_path):
    refusal = _refusal(_edited(tmp_path, "transport: http", "transport: ble"))
    assert refusal.field == "transport" and "http or ble-virtual" in refusal.message


@pytest.mark.parametrize(("old", "new", "field"), [
    ('baseline_start: "2027-01-04T09:00:00+08:00"', 'baseline_start: "next tuesday"', "ixit.baseline_start"),
    ('baseline_start: "2027-01-04T09:00:00+08:00"', 'baseline_start: "2027-01-04"', "ixit.baseline_start"),
    ('baseline_start: "2027-01-04T09:00:00+08:00"', 'baseline_start: "2027-02-30T09:00:00"', "ixit.baseline_start"),
    ('security_update_until: "2031-12-31"', 'security_update_until: "2031-13-45"', "ixit.security_update_until"),
    ('lab: "Reference lab", date: "2026-10-01"}', 'lab: "Reference lab", date: "1st of October"}', "evidence.CSW-PHY-1.date"),
])
def test_dates_must_be_iso(tmp_path, old, new, field):
    path = _edited(tmp_path, old, new)
    refusal = _refusal(path)
    assert refusal.field == field and "is not an ISO date" in refusal.message
    assert refusal.line == next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if new in line)


def test_a_baseline_without_time_zone_is_the_guardians(tmp_path):
    assert load_declaration(_edited(tmp_path, '"2027-01-04T09:00:00+08:00"', '"2027-01-04T09:00:00"')).ixit["baseline_start"] == "2027-01-04T09:00:00"


@pytest.mark.parametrize(("block", "words"), [
    ("  defects: [no_such_defect]", "no defect 'no_such_defect'"),
    ("  variants: [no_such_variant]", "no variant 'no_such_variant'"),
    ("  variants: [daily_limit_ignored]", "one of the emulator's defects"),
    ("  defects: [slow_replies]", "one of the emulator's variants"),
])
def test_the_declarations_emulator_switches_must_exist(tmp_path, block, words):
    path = _edited(tmp_path, "evidence:\n", f"emulator:\n{block}\nevidence:\n")
    refusal = _refusal(path)
    assert refusal.field == f"emulator.{block.split(':')[0].strip()}" and refusal.line == _line(path, block) and words in refusal.message


def test_a_known_variant_in_the_declaration_loads(tmp_path):
    assert load_declaration(_edited(tmp_path, "evidence:\n", "emulator:\n  variants: [slow_replies]\nevidence:\n")).emulator == {"variants": ["slow_replies"]}


def test_the_shortest_daily_limit_lies_within_a_day(tmp_path):
    refusal = _refusal(_edited(tmp_path, "shortest_daily_limit_minutes: 1", "shortest_daily_limit_minutes: 100000"))
    assert refusal.field == "ixit.shortest_daily_limit_minutes" and "1..1440" in refusal.message
