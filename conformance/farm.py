"""The farm file: the devices `conformance run --farm` tests side by side.

A farm file is YAML::

    farm: 1
    devices:
      - device: emulator                 # a shipped device name (fixtures/devices/), or
        name: rw1-conformant             # optional: names the device's run folder and its row in the matrix
      - device: watches/k3-fw2.4.yaml    # a declaration, relative to the farm file
      - device: ble:AA:BB:CC:DD:EE:FF    # the reference declaration over that link, as `--device` takes it

Each device's declaration is loaded and checked here, before any run starts, so a
farm with one broken declaration is refused whole (naming that declaration's file
and line), while a device that merely cannot be reached is reported and skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from conformance.datafile import ConfigError, dotted, line_of, load_yaml, validate
from conformance.declaration import FIXTURES_DIR, Declaration, load_declaration

FARMS_DIR = FIXTURES_DIR / "farms"
SCHEMA = {
    "type": "object",
    "required": ["farm", "devices"],
    "additionalProperties": False,
    "properties": {
        "farm": {"const": 1, "description": "the farm file format version"},
        "devices": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["device"],
                "additionalProperties": False,
                "properties": {"device": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1}},
            },
        },
    },
}
# A device's name names its run folder inside the farm's output folder: no separators, no '..'.
PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class FarmDevice:
    name: str
    given: str  # the `device` value as the farm file gives it
    declaration: Declaration
    line: int | None  # where the entry sits in the farm file

    @property
    def declaration_path(self) -> str:
        return str(self.declaration.path)

    @property
    def radio(self) -> str | None:
        """The radio adapter this device is reached through, when runs must take turns on it; None when it needs none.

        A real BLE watch is reached through the machine's default Bluetooth adapter (the BLE transport picks no
        other), so every `ble` device of a farm shares it. A non-embedded `ble-virtual` device is reached through
        the virtual radio its address names. An embedded `ble-virtual` device brings a virtual radio of its own,
        started for its run alone, so those run in parallel.
        """
        transport, embedded = self.declaration.transport, self.declaration.embedded
        if transport == "ble":
            return "the default Bluetooth adapter"
        if transport == "ble-virtual" and not embedded:
            return f"virtual radio {self.declaration.address}"
        return None


@dataclass(frozen=True)
class Farm:
    path: Path
    devices: list[FarmDevice]


def resolve_farm(value: str) -> Path:
    """A farm file's path, or the name of one shipped in fixtures/farms/ (e.g. 'example')."""
    path = Path(value)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    named = FARMS_DIR / f"{value}.yaml"
    if named.is_file():
        return named
    known = ", ".join(sorted(p.stem for p in FARMS_DIR.glob("*.yaml"))) or "none"
    raise ConfigError(value, "--farm", f"neither a farm file nor a shipped farm (shipped: {known})")


def load_farm(value: str) -> Farm:
    path = resolve_farm(value)
    data = load_yaml(path)
    _check_entry_fields(data, path)
    validate(data, SCHEMA, path)
    devices: list[FarmDevice] = []
    seen: dict[str, int | None] = {}
    for index, entry in enumerate(data["devices"]):
        at = ["devices", index]
        declaration = load_declaration(_declaration_file(entry["device"], path, data, at))
        name = entry.get("name") or _default_name(entry["device"], declaration)
        where = [*at, "name"] if "name" in entry else [*at, "device"]
        if not PLAIN_NAME.fullmatch(name):
            raise ConfigError(path, dotted(where), f"{name!r} is not a plain name: letters, digits, '.', '_' and '-', starting with a letter or digit (it names the device's run folder)", line_of(data, where))
        if name in seen:
            hint = "" if "name" in entry else ": give each a `name`"
            raise ConfigError(path, dotted(where), f"the device name {name!r} is taken by the entry at line {seen[name]}{hint} (it names the device's run folder)", line_of(data, where))
        seen[name] = line_of(data, at)
        devices.append(FarmDevice(name, entry["device"], declaration, line_of(data, at)))
    return Farm(path, devices)


def _check_entry_fields(data: object, path: Path) -> None:
    """A misspelt key names itself (the schema alone would only say that `device` is missing)."""
    entries = data.get("devices") if isinstance(data, dict) else None
    allowed = SCHEMA["properties"]["devices"]["items"]["properties"]
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        for key in entry if isinstance(entry, dict) else []:
            if key not in allowed:
                at = ["devices", index, str(key)]
                raise ConfigError(path, dotted(at), f"is not a field of a farm's device (its fields: {', '.join(allowed)})", line_of(data, at))


def _declaration_file(value: str, farm_path: Path, data: dict, at: list) -> str:
    """The declaration a farm entry names, as `--device` resolves it, but with paths relative to the farm file."""
    from conformance.cli import resolve_device

    field, line = dotted([*at, "device"]), line_of(data, [*at, "device"])
    relative = farm_path.parent / value
    if Path(value).suffix in (".yaml", ".yml") or relative.is_file():
        if not relative.is_file():
            raise ConfigError(farm_path, field, f"{value!r}: no declaration file at {relative} (a path is relative to the farm file's folder)", line)
        return str(relative)
    try:
        return resolve_device(value)
    except ConfigError as exc:
        raise ConfigError(farm_path, field, exc.message, line) from None


def _default_name(value: str, declaration: Declaration) -> str:
    """Without a `name`, the declaration file's name (emulator, leaderboard ...), or the address of a derived one."""
    transport, colon, address = value.partition(":")
    if colon and transport in ("ble", "ble-virtual"):
        return f"{transport}-" + re.sub(r"[^A-Za-z0-9._-]+", "-", address).strip("-")
    return declaration.path.stem
