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
