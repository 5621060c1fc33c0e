"""docs/protocol.md cannot fall behind: every operation either side knows is documented there.

The two sides are the reference watch's registry (emulator.operations.OPERATIONS,
filled when emulator.rules is imported) and the operations the harness sends
(every `.call("op"` in device_adapters/watch.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import emulator.rules  # noqa: F401 - registers every operation
from device_adapters import watch as watch_module
from emulator.operations import OPERATIONS

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "protocol.md"


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _documented_headings() -> set[str]:
    """Operations with their own section: a heading of the form #### `op.name`."""
    return set(re.findall(r"^#{3,5} `([a-z_]+(?:\.[a-z_]+)+)`", _doc(), flags=re.MULTILINE))


def _sent_by_watch_api() -> set[str]:
    return set(watch_module.known_operations())


def test_the_scan_finds_the_watch_api_operations():
    sent = _sent_by_watch_api()
    assert {"agent.reset", "apps.open", "payment.pay", "device.info"} <= sent
    assert len(sent) >= 50


@pytest.mark.parametrize("side, ops", [("emulator registry", lambda: set(OPERATIONS)), ("Watch API", _sent_by_watch_api)])
def test_every_operation_is_documented(side, ops):
    text = _doc()
    missing = sorted(op for op in ops() if f"`{op}`" not in text)
    assert not missing, f"docs/protocol.md does not mention these operations of the {side}: {', '.join(missing)}"


def test_every_operation_has_its_own_section():
    headings = _documented_headings()
    missing = sorted((set(OPERATIONS) | _sent_by_watch_api()) - headings)
    assert not missing, f"docs/protocol.md has no #### `op` section for: {', '.join(missing)}"


def test_the_doc_documents_no_operation_neither_side_has():
    invented = sorted(_documented_headings() - set(OPERATIONS) - _sent_by_watch_api())
    assert not invented, f"docs/protocol.md documents operations that neither the emulator nor the Watch API has: {', '.join(invented)}"


def test_every_refusal_code_and_protocol_fault_is_documented():
    from device_adapters.protocol import PROTOCOL_FAULTS, REFUSAL_CODES

    text = _doc()
    missing = sorted(code for code in set(REFUSAL_CODES) | PROTOCOL_FAULTS if f"`{code}`" not in text)
    assert not missing, f"docs/protocol.md does not list these error codes: {', '.join(missing)}"
