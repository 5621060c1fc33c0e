"""Which clauses apply to a device, and whether a feature declared absent really is.

A clause whose feature the declaration lacks is NOT_APPLICABLE, with the
reason. But a declaration cannot hide a clause: each optional feature has a
probe, and a feature declared absent that answers its probe is a finding.
"""

from __future__ import annotations

from conformance.catalogue import Clause
from conformance.declaration import Declaration
from device_adapters.errors import InconclusiveError, Refused
from device_adapters.watch import Watch

# Harmless operations per feature: a device without the feature answers `unsupported` to each.
Probe = tuple[str, str, dict]
FEATURE_PROBES: dict[str, tuple[Probe, ...]] = {
    "payments": (("payment.status", "guardian", {}),),
    "social_feed": (("friends.list", "guardian", {}),),
    "content_service": (("content.pool", "guardian", {}),),
    "ai_assistant": (("ai.ask", "child", {"prompt": "What is a rainbow?"}),),
    "biometrics": (("biometric.verify", "child", {"sample": "live"}),),
    # Installing from the store, naming it and by the protocol's default source, which is the store too
    # (the baseline reset after the probe removes the app again).
    "app_store": (
        ("apps.install", "child", {"app_id": "probe.stopwatch", "name": "Stopwatch", "category": "tool", "source": "store", "signature": "valid"}),
        ("apps.install", "child", {"app_id": "probe.stopwatch", "name": "Stopwatch", "category": "tool"}),
    ),
}


def missing_features(clause: Clause, declaration: Declaration) -> list[str]:
    """The declared-absent features that make `clause` not applicable (empty: it applies)."""
    missing = [f for f in clause.requires if not declaration.has(f)]
    if clause.requires_any and not any(declaration.has(f) for f in clause.requires_any):
        missing += list(clause.requires_any)
    return missing


def not_applicable_reason(clause: Clause, declaration: Declaration) -> str | None:
    missing = missing_features(clause, declaration)
    if not missing:
        return None
    joined = " or ".join(missing) if clause.requires_any and set(missing) >= set(clause.requires_any) else ", ".join(missing)
    return f"{clause.id}: the declaration ({declaration.path.name}) says the device has no {joined}"


def observed_features(watch: Watch, features: list[str]) -> list[str]:
    """Of `features` (declared absent), those the device nevertheless serves."""
    return [feature for feature in features if any(_answers(watch, probe) for probe in FEATURE_PROBES.get(feature, ()))]


def _answers(watch: Watch, probe: Probe) -> bool:
    """Whether the device serves `probe`: a success, or a refusal other than `unsupported` (declined for another reason: the feature exists)."""
    op, role, args = probe
    try:
        watch.call(op, role, **args)
    except Refused as refusal:
        return refusal.code != "unsupported"
    except InconclusiveError:
        return False  # unknown operation: nothing observed
    return True
