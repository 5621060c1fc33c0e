"""The embedded emulator inside the harness process, for fast self-validation runs."""

from __future__ import annotations

from conformance.declaration import Declaration
from device_adapters.inprocess import InProcessTransport


def in_process_transport(declaration: Declaration, defects: list[str]) -> InProcessTransport:
    from emulator.watch import ReferenceWatch

    features = declaration.present_features
    watch = ReferenceWatch(":memory:", defects=defects, features=features, token=declaration.ixit["agent_token"], real_clock=not declaration.ixit["test_clock"])
    return InProcessTransport(watch.handle, on_close=watch.close, label=f"in-process reference emulator ({declaration.model})")
