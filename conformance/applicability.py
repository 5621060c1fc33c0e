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


@dataclass
class Observation:
    """What the probes of features declared absent showed."""

    present: list[str] = field(default_factory=list)  # answered a probe: the declaration is contradicted
    unjudged: dict[str, str] = field(default_factory=dict)  # feature -> why a probe gave nothing to judge


def observe_features(watch: Watch, features: list[str]) -> Observation:
    """Probe each of `features` (declared absent): served, absent as declared, or not judged (a fault).

    A feature is present as soon as one probe is answered; it is unjudged when no probe showed it and one of
    them faulted (the fault could hide an answer)."""
    observation = Observation()
    for feature in features:
        faults = []
        for probe in FEATURE_PROBES.get(feature, ()):
            outcome = _probe(watch, probe)
            if outcome == "present":
                observation.present.append(feature)
                break
            if outcome != "absent":
                faults.append(outcome)
        else:
            if faults:
                observation.unjudged[feature] = faults[0]
    return observation


def _probe(watch: Watch, probe: Probe) -> str:
    """"present", "absent", or why the probe gave nothing to judge."""
    op, role, args = probe
    try:
        watch.call(op, role, **args)
    except Refused as refusal:
        return "absent" if refusal.code == "unsupported" else "present"  # declined for another reason: the feature exists
    except UnsupportedOperation as fault:
        if fault.code == "unknown_op":
            return "absent"  # docs/protocol.md 6.4: an operation the device does not know shows nothing
        return f"{type(fault).__name__}: {fault}"
    except InconclusiveError as fault:
        return f"{type(fault).__name__}: {fault}"
    return "present"


def unchecked_reason(clause_ids: list[str], unjudged: dict[str, str]) -> str:
    """Why clauses whose feature is declared absent are INCONCLUSIVE: the probe that would check the claim failed."""
    probes = "; ".join(f"the probe of {feature} ({FEATURE_PROBES[feature][0][0]}) got no answer to judge ({why})" for feature, why in unjudged.items())
    return f"{probes}: the declaration's claim that the device lacks {', '.join(unjudged)} is unchecked, so {', '.join(clause_ids) or 'the scenario'} cannot be NOT_APPLICABLE"
