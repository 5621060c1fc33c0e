"""The device declaration: the ICS (which optional features exist) and the IXIT (facts the tests need)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.catalogue import FEATURES
from conformance.datafile import ConfigError, line_of, load_yaml, validate
from conformance.lab_evidence import check_evidence_files
from conformance.secrets import Masker, secret_values
from conformance.shipped import shipped_folder

FIXTURES_DIR = shipped_folder("fixtures")
DEFAULT_DECLARATION = FIXTURES_DIR / "devices" / "emulator.yaml"
EMBEDDED = "embedded"  # address meaning: start the reference emulator for this run
# The links the harness can start the emulator behind: its HTTP face, or its BLE face on a virtual radio.
EMBEDDED_TRANSPORTS = ("http", "ble-virtual")
# The apps the scenarios name, by the protocol's reference ids: the basic functions (calling the guardian,
# the emergency call, location), the guardian's supervision component, two ordinary preinstalled apps, and an
# ordinary app the watch's store offers.
APP_ROLES = ("phone", "sos", "locate", "guardian", "maths", "camera", "pocket.dictionary")
# The profile's basic functions (parameter basic_functions) and the app that serves each.
BASIC_FUNCTION_APPS = {"call_guardian": "phone", "emergency_call": "sos", "location": "locate"}

DECLARATION_SCHEMA = {
    "type": "object",
    "required": ["declaration", "model", "manufacturer", "firmware", "features", "transport", "address", "ixit"],
    "additionalProperties": False,
    "properties": {
        "declaration": {"const": 1},
        "model": {"type": "string", "minLength": 1},
        "manufacturer": {"type": "string", "minLength": 1},
        "firmware": {"type": "string", "minLength": 1},
        "features": {
            "type": "object",
            "required": list(FEATURES),
            "additionalProperties": False,
            "properties": {name: {"type": "boolean"} for name in FEATURES},
        },
        "transport": {"type": "string", "pattern": "^[a-z0-9_-]+$"},
        "address": {"type": "string", "minLength": 1},
        "timeout_s": {"type": "number", "exclusiveMinimum": 0},
        "ixit": {
            "type": "object",
            "required": ["agent_token", "test_clock", "baseline_start", "guardian"],
            "additionalProperties": False,
            "properties": {
                "agent_token": {"type": "string"},
                "test_clock": {"type": "boolean", "description": "whether the tester can drive the device's trusted clock"},
                "shortest_daily_limit_minutes": {"type": "integer", "minimum": 1, "maximum": 1440, "description": "minutes within a day, 1..1440"},
                "baseline_start": {"type": "string", "format": "date-time", "description": "ISO time the test baseline starts at"},
                "guardian": {
                    "type": "object",
                    "required": ["account"],
                    "additionalProperties": False,
                    "properties": {"account": {"type": "string"}, "password": {"type": "string"}, "number": {"type": "string"}},
                },
                "security_update_until": {"type": "string", "format": "date"},
                "payment_password": {"type": "string", "description": "the payment password the guardian sets on consent"},
                "baseline_child_age": {"type": "integer", "minimum": 3, "maximum": 13},
                "max_wait_s": {"type": "number", "minimum": 0, "description": "longest real-time wait a step may take without a test clock"},
                "apps": {
                    "type": "object",
                    "description": "the device's own package id for each app the scenarios name (docs/protocol.md 7.3); unnamed ones keep the scenario's id",
                    "propertyNames": {"enum": list(APP_ROLES)},
                    "additionalProperties": {"type": "string", "minLength": 1},
                },
            },
        },
        "evidence": {
            "type": "object",
            "propertyNames": {"pattern": "^CSW-PHY-[0-9]+$"},
            "additionalProperties": {
                "type": "object",
                "required": ["report", "lab"],
                "properties": {
                    "report": {"type": "string", "minLength": 1}, "lab": {"type": "string", "minLength": 1}, "date": {"type": "string", "format": "date"},
                    "file": {"type": "string", "minLength": 1, "description": "the lab report itself, relative to the declaration's folder; it goes into the evidence bundle"},
                    "sha256": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$", "description": "the file's SHA-256 (64 hex digits), checked before the run"},
                },
            },
        },
        "emulator": {
            "type": "object",
            "additionalProperties": False,
            "description": "only for address 'embedded': how to start the reference emulator",
            "properties": {"defects": {"type": "array", "items": {"type": "string"}}, "variants": {"type": "array", "items": {"type": "string"}}},
        },
    },
}


@dataclass(repr=False)
class Declaration:
    path: Path
    model: str
    manufacturer: str
    firmware: str
    features: dict[str, bool]
    transport: str
    address: str
    timeout_s: float
    ixit: dict[str, Any]
    evidence: dict[str, dict]
    emulator: dict[str, Any] = field(default_factory=dict)
    address_line: int | None = None  # where `address` sits in the file, for a device that cannot be reached

    @property
    def embedded(self) -> bool:
        return self.address == EMBEDDED

    def has(self, feature: str) -> bool:
        return self.features.get(feature, False)

    @property
    def present_features(self) -> list[str]:
        """The optional features declared present (what the embedded emulator is started with)."""
        return [f for f, present in self.features.items() if present]

    @property
    def masker(self) -> Masker:
        """Masks this declaration's secrets (the IXIT's token and passwords) wherever evidence is written."""
        return Masker(secret_values({"ixit": self.ixit, "evidence": self.evidence}))

    def __repr__(self) -> str:
        # Reports show fixtures' reprs (Allure's step parameters, tracebacks): never a secret in them.
        mask = self.masker
        return f"Declaration({', '.join(f'{f.name}={mask(getattr(self, f.name))!r}' for f in fields(self))})"

    def redacted(self) -> dict[str, Any]:
        """The declaration as exported with the results, secrets masked."""
        return self.masker({
            "path": str(self.path), "model": self.model, "manufacturer": self.manufacturer, "firmware": self.firmware,
            "features": self.features, "transport": self.transport, "address": self.address, "ixit": self.ixit,
            "evidence": self.evidence, "emulator": self.emulator,
        })


def load_declaration(path: Path | str) -> Declaration:
    path = Path(path)
    data = load_yaml(path)
    validate(data, DECLARATION_SCHEMA, path)
    if data.get("emulator") and data["address"] != EMBEDDED:
        raise ConfigError(path, "emulator", "only an 'embedded' address starts the emulator", line_of(data, ["emulator"]))
    _check_transport(data, path)
    check_evidence_files(data, path)
    for kind in ("defects", "variants"):
        names = (data.get("emulator") or {}).get(kind, [])
        check_switches(names, kind, path, f"emulator.{kind}", line_of(data, ["emulator", kind]))
    return Declaration(
        path=path,
        model=data["model"],
        manufacturer=data["manufacturer"],
        firmware=data["firmware"],
        features=dict(data["features"]),
        transport=data["transport"],
        address=data["address"],
        timeout_s=float(data.get("timeout_s", 10)),
        ixit=dict(data["ixit"]),
        evidence={k: dict(v) for k, v in (data.get("evidence") or {}).items()},
        emulator=dict(data.get("emulator") or {}),
        address_line=line_of(data, ["address"]),
    )


def _check_transport(data: dict, path: Path) -> None:
    """An adapter must serve the transport, or every scenario would end in ERROR for want of one."""
    from device_adapters.registry import factories

    transport, line = data["transport"], line_of(data, ["transport"])
    installed = sorted(factories())
    if transport not in installed:
        raise ConfigError(path, "transport", f"no adapter serves transport '{transport}' (installed: {', '.join(installed)})", line)
    if data["address"] == EMBEDDED and transport not in EMBEDDED_TRANSPORTS:
        raise ConfigError(path, "transport", f"the embedded emulator is reached over {' or '.join(EMBEDDED_TRANSPORTS)}, not '{transport}'", line)
    if transport == "http" and data["address"] != EMBEDDED:
        problem = http_address_problem(data["address"])
        if problem:
            raise ConfigError(path, "address", problem, line_of(data, ["address"]))


def http_address_problem(address: str) -> str | None:
    """What keeps `address` from being a device's HTTP endpoint (docs/protocol.md 2), or None."""
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https"):
        return f"'{address}' is not an http:// or https:// URL (for example http://192.168.1.20:8765)"
    if not parts.hostname:
        return f"'{address}' names no host"
    try:
        port = parts.port  # reading it checks the range
    except ValueError:
        port = 0
    return f"'{address}' has no valid port: a port is 1..65535" if port == 0 else None


def check_switches(names: list[str] | tuple[str, ...], kind: str, path: Path | str, field: str, line: int | None = None) -> None:
    """Refuse names that are no defect (kind 'defects') or no variant ('variants') of the emulator, before any scenario runs."""
    if not names:
        return
    import emulator.rules  # noqa: F401 - defects and variants register at import
    from emulator.defects import DEFECTS, VARIANTS

    known, other = (DEFECTS, VARIANTS) if kind == "defects" else (VARIANTS, DEFECTS)
    for name in names:
        if name in other:
            raise ConfigError(path, field, f"'{name}' is one of the emulator's {'variants' if kind == 'defects' else 'defects'}, not of its {kind}", line)
        if name not in known:
            raise ConfigError(path, field, f"the emulator has no {kind.removesuffix('s')} '{name}' (`conformance emulator --list-defects` lists them)", line)
