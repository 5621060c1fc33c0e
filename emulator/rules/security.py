"""Cybersecurity: firmware updates and their support period, the lock password, supervision and debug interfaces.

The password model: there is no factory password. Setting up the watch (the
'bound' baseline) includes the guardian choosing one, which the harness does
not know; a watch out of the box ('fresh') has none yet, and nothing unlocks
it until the guardian sets one. The watch asks for it at power-on and at the
lock screen; while locked only the basic functions work.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import date

from emulator.defects import defect
from emulator.operations import Refusal, operation
from emulator.rules.apps import supervision_off
from emulator.rules.device import on_reboot
from emulator.rules.privacy import require_bound_guardian
from emulator.watch import BASIC_APPS, Call, ReferenceWatch, gate, on_reset

# The firmware's own constants.
RELEASED = date(2026, 10, 1)  # release of this firmware line
SUPPORT_YEARS = 5  # security updates promised for this many years after release
SHORT_SUPPORT_MONTHS = 2  # a skimping maker: support ends before the watch is even sold (short_update_support)
FACTORY_PASSWORD = "123456"  # the default a careless maker ships (the default_password defect)
PASSWORD_LENGTH = (4, 16)
DEBUG_INTERFACES = ("adb",)  # what an engineering build leaves open
SIGNATURES = ("valid", "invalid", "none")

UNSIGNED = defect("unsigned_firmware_accepted", ["CSW-SEC-1"], "Firmware images are installed without checking the maker's signature.")
DOWNGRADE = defect("downgrade_accepted", ["CSW-SEC-1"], "An older firmware version can be installed over a newer one.")
DOWNGRADE_SHORT = defect("downgrade_by_shorter_version", ["CSW-SEC-1"], "Versions are compared only on the numbers both have, so an older image numbered with fewer parts (1.0 over 1.0.1) installs.")
SHORT_SUPPORT = defect("short_update_support", ["CSW-SEC-1"], "Security updates end two months after release, before the watch is in use.")
DEFAULT_PASSWORD = defect("default_password", ["CSW-SEC-2"], f"The watch ships with the lock password {FACTORY_PASSWORD} and never asks to change it.")
SUPERVISION_OFF = defect("supervision_can_be_disabled", ["CSW-SEC-3"], "The child can switch the guardian's supervision off from the watch's settings.")
NO_POWER_ON_PASSWORD = defect("no_power_on_password", ["CSW-SEC-2"], "The watch powers on unlocked: the password is asked only at the lock screen, though the watch reports it asks at power-on.")
DEBUG_OPEN = defect("debug_port_open", ["CSW-SEC-3"], "The production build leaves adb open and lets the child enable debugging.")


def _hash(password: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), 1000).hex()


def _password_doc(password: str | None, factory_default: bool) -> dict:
    salt = secrets.token_hex(8)
    return {"salt": salt, "hash": _hash(password, salt) if password is not None else None, "factory_default": factory_default}


@on_reset
def _baseline(w: ReferenceWatch, args: dict) -> None:
    if w.defective(DEFAULT_PASSWORD):
        password, factory = FACTORY_PASSWORD, True
    elif args.get("setup", "bound") == "bound":
        password, factory = secrets.token_urlsafe(12), False  # chosen by the guardian at setup, unknown to the harness
    else:
        password, factory = None, False  # first boot: the guardian must set one
    doc = _password_doc(password, factory)
    doc.update(locked=False, debug=list(DEBUG_INTERFACES) if w.defective(DEBUG_OPEN) else [])
    w.store.put_doc("security", doc)


def _security(w: ReferenceWatch) -> dict:
    return w.store.doc("security")


@gate
def _locked(w: ReferenceWatch, call: Call, app_id: str) -> None:
    if app_id not in BASIC_APPS and _security(w).get("locked"):
        raise Refusal("not_allowed", "the watch is locked: unlock it with the password")


@on_reboot
def _power_on_locked(w: ReferenceWatch) -> None:
    """At power-on the watch asks for the password (once there is one), like at the lock screen."""
    doc = _security(w)
    if doc["hash"] is not None and not w.defective(NO_POWER_ON_PASSWORD):
        doc["locked"] = True
        w.store.put_doc("security", doc)


def support_until(w: ReferenceWatch) -> date:
    """The last day this firmware line gets security updates."""
    if w.defective(SHORT_SUPPORT):
        months = RELEASED.month - 1 + SHORT_SUPPORT_MONTHS
        return RELEASED.replace(year=RELEASED.year + months // 12, month=months % 12 + 1)
    return RELEASED.replace(year=RELEASED.year + SUPPORT_YEARS)


@operation("security.status", roles=("tester",))
def security_status(w: ReferenceWatch, call: Call) -> dict:
    doc = _security(w)
    return {
        "firmware": w.store.doc("device")["firmware"],
        "released": RELEASED.isoformat(),
        "update_support_until": support_until(w).isoformat(),
        "debug_interfaces": list(doc["debug"]),
        "power_on_password": True,  # asked at every power-on (or, before one exists, set at first boot)
        "lock_password": True,
        "password_set": doc["hash"] is not None,
        "default_password": bool(doc["factory_default"]),
        "locked": bool(doc["locked"]),
    }


def _version(text: str) -> tuple[int, ...]:
    if not re.fullmatch(r"\d+(\.\d+)*", text):
        raise Refusal("bad_request", f"version must be dotted numbers, not {text!r}")
    return tuple(int(part) for part in text.split("."))


def _newer_or_same(candidate: tuple[int, ...], installed: tuple[int, ...]) -> bool:
    width = max(len(candidate), len(installed))
    return candidate + (0,) * (width - len(candidate)) >= installed + (0,) * (width - len(installed))


@operation("firmware.update", roles=("tester", "child"))
def firmware_update(w: ReferenceWatch, call: Call) -> dict:
    """Install a firmware image: it must carry the maker's signature and must not be older than the installed one."""
    version = call.arg("version", str)
    signature = call.arg("signature", str)
    if signature not in SIGNATURES:
        raise Refusal("bad_request", f"signature must be one of {', '.join(SIGNATURES)}")
    candidate = _version(version)
    device = w.store.doc("device")
    if signature != "valid" and not w.defective(UNSIGNED):
        raise Refusal("invalid_signature", "the image is not signed by the maker" if signature == "none" else "the image's signature does not verify")
    installed = _version(device["firmware"])
    if w.defective(DOWNGRADE_SHORT):
        common = min(len(candidate), len(installed))
        candidate, installed = candidate[:common], installed[:common]
    if not _newer_or_same(candidate, installed) and not w.defective(DOWNGRADE):
        raise Refusal("downgrade", f"{version} is older than the installed {device['firmware']}")
    device["firmware"] = version
    w.store.put_doc("device", device)
    return {"installed": version}


@operation("device.set_password", roles=("guardian",))
def set_password(w: ReferenceWatch, call: Call) -> dict:
    """The bound guardian sets the power-on and lock-screen password."""
    require_bound_guardian(w, call)
    password = call.arg("password", str)
    low, high = PASSWORD_LENGTH
    if not low <= len(password) <= high:
        raise Refusal("bad_request", f"the password must have {low} to {high} characters")
    doc = _security(w)
    doc.update(_password_doc(password, False))
    w.store.put_doc("security", doc)
    return {}


@operation("device.lock", roles=("child",))
def device_lock(w: ReferenceWatch, call: Call) -> dict:
    doc = _security(w)
    doc["locked"] = True
    w.store.put_doc("security", doc)
    device = w.store.doc("device")
    device["foreground"] = None
    w.store.put_doc("device", device)
    return {"locked": True}


@operation("device.unlock", roles=("child",))
def device_unlock(w: ReferenceWatch, call: Call) -> dict:
    password = call.arg("password", str)
    doc = _security(w)
    if doc["hash"] is None:
        raise Refusal("bad_credentials", "no password is set yet: the guardian sets one at first boot")
    if not hmac.compare_digest(_hash(password, doc["salt"]), doc["hash"]):
        raise Refusal("bad_credentials", "wrong password")
    doc["locked"] = False
    w.store.put_doc("security", doc)
    return {"locked": False}


@operation("supervision.disable", roles=("child",))
def supervision_disable(w: ReferenceWatch, call: Call) -> dict:
    """The child tries to switch the guardian's supervision off on the watch."""
    if not w.defective(SUPERVISION_OFF):
        raise Refusal("not_allowed", "only the guardian's app can change supervision")
    supervision_off(w)
    return {"supervised": False}


@operation("debug.enable", roles=("child",))
def debug_enable(w: ReferenceWatch, call: Call) -> dict:
    """The child tries to turn on developer options / debugging."""
    if not w.defective(DEBUG_OPEN):
        raise Refusal("not_allowed", "debug interfaces are closed in production builds")
    doc = _security(w)
    doc["debug"] = sorted(set(doc["debug"]) | set(DEBUG_INTERFACES))
    w.store.put_doc("security", doc)
    return {"debug_interfaces": doc["debug"]}
