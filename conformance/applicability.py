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

# One harmless operation per feature: a device without the feature answers `unsupported`.
FEATURE_PROBES: dict[str, tuple[str, str, dict]] = {
    "payments": ("payment.status", "guardian", {}),
    "social_feed": ("friends.list", "guardian", {}),
    "content_service": ("content.pool", "guardian", {}),
    "ai_assistant": ("ai.ask", "child", {"prompt": "What is a rainbow?"}),
    "biometrics": ("biometric.verify", "child", {"sample": "live"}),
    # Installing from the store (the baseline reset after the probe removes the app again).
    "app_store": ("apps.install", "child", {"app_id": "probe.stopwatch", "name": "Stopwatch", "category": "tool", "source": "store", "signature": "valid"}),
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
    present = []
    for feature in features:
        probe = FEATURE_PROBES.get(feature)
        if probe is None:
            continue
        op, role, args = probe
        try:
            watch.call(op, role, **args)
        except Refused as refusal:
            if refusal.code == "unsupported":
                continue
            present.append(feature)  # declined for another reason: the feature exists
        except InconclusiveError:
            continue  # unknown operation: nothing observed
        else:
            present.append(feature)
    return present
