"""Which clauses apply to a device, and whether a feature declared absent really is.

A clause whose feature the declaration lacks is NOT_APPLICABLE, with the
reason. But a declaration cannot hide a clause: each optional feature has a
probe, and a feature declared absent that answers its probe is a finding.
A probe that gets no answer to judge (a timeout, a broken reply) leaves the
declaration unchecked, so the clauses it guards are INCONCLUSIVE, never
NOT_APPLICABLE.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.catalogue import Clause
from conformance.declaration import Declaration
from device_adapters.errors import InconclusiveError, Refused, UnsupportedOperation
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


@dataclass
class Observation:
    """What the probes of features declared absent showed."""

    present: list[str] = field(default_factory=list)  # answered the probe: the declaration is contradicted
    unjudged: dict[str, str] = field(default_factory=dict)  # feature -> why its probe gave nothing to judge


def observe_features(watch: Watch, features: list[str]) -> Observation:
    """Probe each of `features` (declared absent): served, absent as declared, or not judged (a fault)."""
    observation = Observation()
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
            observation.present.append(feature)  # declined for another reason: the feature exists
        except UnsupportedOperation as fault:
            if fault.code == "unknown_op":
                continue  # docs/protocol.md 6.4: an operation the device does not know shows nothing
            observation.unjudged[feature] = f"{type(fault).__name__}: {fault}"
        except InconclusiveError as fault:
            observation.unjudged[feature] = f"{type(fault).__name__}: {fault}"
        else:
            observation.present.append(feature)
    return observation


def unchecked_reason(clause_ids: list[str], unjudged: dict[str, str]) -> str:
    """Why clauses whose feature is declared absent are INCONCLUSIVE: the probe that would check the claim failed."""
    probes = "; ".join(f"the probe of {feature} ({FEATURE_PROBES[feature][0]}) got no answer to judge ({why})" for feature, why in unjudged.items())
    return f"{probes}: the declaration's claim that the device lacks {', '.join(unjudged)} is unchecked, so {', '.join(clause_ids) or 'the scenario'} cannot be NOT_APPLICABLE"
