"""Personal information: the guardian's consent, who may see the child's data, the processing record."""

from __future__ import annotations

from emulator import clock
from emulator.operations import Refusal, operation
from emulator.store import table
from emulator.watch import Call, ReferenceWatch, on_reset

table("CREATE TABLE IF NOT EXISTS processing_records (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, at TEXT NOT NULL)")


@on_reset
def _baseline(w: ReferenceWatch, args: dict) -> None:
    w.store.put_doc("privacy", {"consent": args.get("setup", "bound") == "bound"})


def consented(w: ReferenceWatch) -> bool:
    return bool(w.store.doc("privacy", {"consent": False})["consent"])


def record_processing(w: ReferenceWatch, kind: str) -> None:
    """Note that the watch processed a kind of personal information (the observed side of PRI-2)."""
    w.store.execute("INSERT INTO processing_records(kind, at) VALUES(?, ?)", (kind, clock.iso(w.now)))


def guard_child_data(w: ReferenceWatch, call: Call, kind: str) -> None:
    """Only the child and the bound guardian see the child's data, and only after the guardian consented."""
    if call.role == "stranger" or (call.role == "child" and not call.is_own_child):
        raise Refusal("denied", f"the child's {kind} is not shown to others")
    if call.role == "guardian" and w.store.doc("binding")["guardian"] is None:
        raise Refusal("denied", "no guardian is bound")
    if not consented(w):
        raise Refusal("consent_required", f"no {kind} is processed before the guardian consents")
    record_processing(w, kind)


@operation("privacy.records", roles=("tester",))
def privacy_records(w: ReferenceWatch, call: Call) -> dict:
    return {"records": [dict(r) for r in w.store.rows("SELECT kind, at FROM processing_records ORDER BY id")]}
