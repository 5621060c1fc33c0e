"""The reference watch's core: authentication, roles, the shared gates, and dispatch.

A request is handled in one SQLite transaction: authenticate, find the
operation, check the feature and the role, apply the gates of the app it
belongs to, run the handler, commit, reply. Rules live in emulator/rules/.
"""

from __future__ import annotations

import hmac
import random
import reprlib
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from device_adapters.protocol import ROLES
from emulator import arguments, clock, variants
from emulator.defects import check_names, defect
from emulator.operations import OPERATIONS, Refusal
from emulator.store import Store

ALL_FEATURES = ("payments", "social_feed", "app_store", "ai_assistant", "ble", "biometrics", "content_service")
DEFAULT_TOKEN = "emulator-test-agent-token"
CHILD = "child-1"
GUARDIAN = "guardian-1"

# Functions that every gate lets through (calls with the guardian, emergency call, location).
BASIC_APPS = ("phone", "sos", "locate")

ACTIVE_STEP_S = 60.0
IDLE_STEP_S = 600.0

Gate = Callable[["ReferenceWatch", "Call", str], None]
TickHook = Callable[["ReferenceWatch", float, float], None]
ResetHook = Callable[["ReferenceWatch", dict], None]
GATES: list[Gate] = []
TICK_HOOKS: list[TickHook] = []
RESET_HOOKS: list[ResetHook] = []

SETTINGS_ON_WATCH = defect("guardian_settings_on_watch", ["CSW-SEC-2", "CSW-ADD-1", "CSW-ADD-2", "CSW-ADD-7", "CSW-PAY-2", "CSW-SOC-1"], "The watch's own settings app can change the guardian's controls (limits, disabled apps, payment limits).")
# The guardian's controls that the defect above exposes on the watch.
GUARDIAN_CONTROLS = ("controls.set_daily_limit", "controls.set_periods", "apps.set_enabled", "payment.set_limits", "social.set_enabled")
# Shows only without a test clock: validate it with the no-test-clock declaration.
REAL_CLOCK_STALLS = defect("real_clock_stalls", ["CSW-ADD-1"], "Without a test clock, trusted time stalls after the first request: the daily time never runs out.", device="emulator-no-test-clock", scenarios="every_app_closes_when_the_daily_time_is_used_up", collateral={"CSW-SOC-4": "the like pace is judged on trusted time: with it stalled, likes spread over minutes all fall within one minute and are throttled", "CSW-ADD-6": "the tricks are tried after the daily time is used up, which never happens"})
AGENT_ACCEPTS_ANYONE = defect("agent_accepts_unauthenticated", ["CSW-SEC-4"], "The test agent answers requests that carry no token.")
OTA_SKIPS_TOKEN = defect("firmware_update_skips_token", ["CSW-SEC-4"], "The token is checked on every operation but firmware.update: the update path shares the agent's port and trusts the image signature alone.")
ANY_GUARDIAN_ACCOUNT = defect("any_guardian_account_acts", ["CSW-SEC-2"], "A guardian-role request from any account acts as the bound guardian: only the operations on the child's data check the account, so another account changes the guardian's settings.")

MAX_ID_CHARS = 64  # an envelope's `id`: 1 to 64 characters (device_adapters/schema/dtp-v1.schema.json)


def gate(fn: Gate) -> Gate:
    """Register a check run before every operation that belongs to an app."""
    GATES.append(fn)
    return fn


def on_tick(fn: TickHook) -> TickHook:
    """Register a hook run as trusted time moves forward, one step at a time."""
    TICK_HOOKS.append(fn)
    return fn


def on_reset(fn: ResetHook) -> ResetHook:
    """Register a hook that writes a rules module's part of the test baseline."""
    RESET_HOOKS.append(fn)
    return fn


@dataclass
class Call:
    op: str
    role: str
    account: str | None
    args: dict[str, Any]

    def arg(self, name: str, kind: arguments.Kind = None, default: Any = ..., **checks: Any) -> Any:
        """The argument `name`, checked as emulator/arguments.py `read` describes (a wrong one is `bad_request`)."""
        return arguments.read(self.op, self.args, name, kind, default, **checks)

    @property
    def is_own_child(self) -> bool:
        return self.role == "child" and self.account in (None, CHILD)


class ReferenceWatch:
    """One watch, its guardian's app and the platform behind them."""

    def __init__(self, db_path: Path | str = ":memory:", *, defects: tuple[str, ...] | list[str] = (), features: tuple[str, ...] | list[str] = ALL_FEATURES, token: str = DEFAULT_TOKEN, model: str = "RW-1 reference watch", firmware: str = "1.0.0", real_clock: bool = False):
        from emulator import rules  # noqa: F401 - registers operations, gates, defects

        check_names(list(defects))
        # Defects and variants alike: the switches this watch runs with.
        self.defects = frozenset(defects)
        self._variant_rng = random.Random(46859)
        self.features = frozenset(features)
        self.token = token
        self.model = model
        self.firmware = firmware
        self.store = Store(db_path)
        # Values a rule read once for the batch being handled (only the batch-race defects use it).
        self.batch_memo: dict = {}
        # Without a test clock, trusted time follows the wall clock, caught up at each request.
        self.real_clock = real_clock
        self._wall = time.monotonic()
        if self.store.scalar("SELECT count(*) FROM documents") == 0:
            self.store.begin()
            self.reset({"start": "2027-01-04T09:00:00+08:00", "child_age": 9, "setup": "bound"})
            self.store.commit()

    # -- facts rules share ---------------------------------------------------------

    def defective(self, name: str) -> bool:
        return name in self.defects

    def varies(self, name: str) -> bool:
        """Whether a conformant variant is on (emulator/variants.py and the rules' own)."""
        return name in self.defects

    def has(self, feature: str) -> bool:
        return feature in self.features

    @property
    def now(self) -> float:
        return self.store.doc("clock")["trusted"]

    def day(self, epoch: float | None = None) -> str:
        return clock.local_day(self.now if epoch is None else epoch)

    def reset(self, args: dict) -> None:
        self.store.wipe()
        start = clock.parse_iso(args["start"])
        self.store.put_doc("clock", {"trusted": start, "display_offset": 0.0, "display_tz": "+08:00"})
        self.store.put_doc("device", {"child_age": int(args["child_age"]), "charging": False, "foreground": None, "firmware": self.firmware})
        for hook in RESET_HOOKS:
            hook(self, args)

    def advance(self, seconds: float) -> None:
        """Move trusted time forward in steps, letting each rule react at every step.

        Steps are a minute while an app is in use (usage, limits and reminders
        are judged to the minute) and ten minutes when the watch is idle.
        """
        remaining = seconds
        while remaining > 0:
            idle = self.store.doc("device").get("foreground") is None
            step = min(IDLE_STEP_S if idle else ACTIVE_STEP_S, remaining)
            doc = self.store.doc("clock")
            before = doc["trusted"]
            doc["trusted"] = before + step
            self.store.put_doc("clock", doc)
            for hook in TICK_HOOKS:
                hook(self, before, step)
            remaining -= step

    def _follow_wall_clock(self) -> None:
        now = time.monotonic()
        elapsed, self._wall = now - self._wall, now
        if not self.defective(REAL_CLOCK_STALLS):
            self.advance(elapsed)

    def check_app(self, call: Call, app_id: str) -> None:
        """Raise the refusal a gate gives for using `app_id` now."""
        for check in GATES:
            check(self, call, app_id)

    # -- dispatch ------------------------------------------------------------------

    def handle(self, message: Any) -> dict[str, Any]:
        """Handle one request: a batch of one, so there is a single path from message to reply."""
        return self.handle_batch([message])[0]

    def handle_batch(self, messages: list[Any]) -> list[dict[str, Any]]:
        """Handle several requests in one transaction with one commit (group commit); replies come in request order.

        Each admitted request runs in its own SAVEPOINT, so a refused or failed
        request undoes only its own writes and the batch commits the rest. The
        replies exist only once the commit is done: a server that sends them
        after this returns acknowledges nothing that a crash could lose.
        """
        messages = [variants.incoming(self.defects, m) for m in messages]
        replies: list[dict[str, Any] | None] = [None] * len(messages)
        admitted: list[tuple[int, Call, Any]] = []
        for index, message in enumerate(messages):
            try:
                call, operation = self._admit(message)
                admitted.append((index, call, operation))
            except Refusal as refusal:
                replies[index] = refusal_reply(message, refusal)
        self.batch_memo = {}
        if admitted:
            self.store.begin()
            try:
                if self.real_clock:
                    self._follow_wall_clock()  # once: the batch commits at one instant
                for index, call, operation in admitted:
                    replies[index] = self._run_in_savepoint(messages[index], call, operation)
                self.store.commit()
            except BaseException:
                self.store.rollback()
                raise
        return [variants.outgoing(self.defects, reply, self._variant_rng) for reply in replies]  # type: ignore[arg-type] - every slot is filled above

    def _run_in_savepoint(self, message: dict, call: Call, operation: Any) -> dict[str, Any]:
        self.store.execute("SAVEPOINT request")
        try:
            self._check_guardian_account(call, operation)
            if operation.app and call.is_own_child:
                self.check_app(call, operation.app)
            result = operation.handler(self, call) or {}
        except Refusal as refusal:
            self.store.execute("ROLLBACK TO request")
            return refusal_reply(message, refusal)
        except Exception as exc:
            # One request's bug must not cost the batch its commit: it alone is undone and answered `internal`.
            self.store.execute("ROLLBACK TO request")
            traceback.print_exc()
            return refusal_reply(message, Refusal("internal", f"{type(exc).__name__}: {exc}"))
        finally:
            self.store.execute("RELEASE request")
        return {"dtp": 1, "id": str(message["id"]), "ok": True, "result": result}

    def _check_guardian_account(self, call: Call, operation: Any) -> None:
        """Only the bound guardian's account acts as the guardian: a guardian-role request naming any other is refused.

        In the transaction, not at admission: a re-binding earlier in the same batch changes who is bound.
        """
        if call.role != "guardian" or call.account is None or operation.guardian_account != "bound" or self.defective(ANY_GUARDIAN_ACCOUNT):
            return
        if call.account != self.store.doc("binding")["guardian"]:
            raise Refusal("denied", f"account {reprlib.repr(call.account)} is not the guardian this watch is bound to")

    def _admit(self, message: Any) -> tuple[Call, Any]:
        check_envelope(message)
        unchecked = self.defective(AGENT_ACCEPTS_ANYONE) or (message["op"] == "firmware.update" and self.defective(OTA_SKIPS_TOKEN))
        if not self._token_matches(message.get("auth")) and not unchecked:
            raise Refusal("unauthenticated", "missing or wrong test-agent token")
        operation = OPERATIONS.get(message["op"])
        if operation is None:
            raise Refusal("unknown_op", f"no operation {message['op']}")
        if operation.feature and not self.has(operation.feature):
            raise Refusal("unsupported", f"this model has no {operation.feature}")
        args = message.get("args", {})
        if not isinstance(args, dict):
            raise Refusal("bad_request", "'args' must be an object")
        call = Call(message["op"], message["role"], message.get("account"), args)
        if self.defective(SETTINGS_ON_WATCH) and call.is_own_child and call.op in GUARDIAN_CONTROLS:
            call = Call(call.op, "guardian", None, args)
        if call.role not in operation.roles:
            raise Refusal("denied", f"{call.role} may not {call.op}")
        return call, operation

    def _token_matches(self, auth: Any) -> bool:
        """Whether `auth` is the test-agent token, compared in constant time (as bytes: any text, any length)."""
        return isinstance(auth, str) and hmac.compare_digest(auth.encode("utf-8", "surrogatepass"), self.token.encode("utf-8"))

    def close(self) -> None:
        self.store.close()


def check_envelope(message: Any) -> None:
    """The envelope as docs/protocol.md section 2 has it, exactly: anything else is `bad_request` naming the key."""
    if not isinstance(message, dict):
        raise Refusal("bad_request", "not a DTP v1 request: the message is not a JSON object")
    dtp = message.get("dtp")
    if type(dtp) is not int or dtp != 1:  # not `== 1`: true and 1.0 are equal to 1 in Python, and are not version 1
        raise Refusal("bad_request", f"not a DTP v1 request: 'dtp' must be the integer 1, not {reprlib.repr(dtp)}")
    if not _is_id(message.get("id")):
        raise Refusal("bad_request", f"'id' must be a string of 1 to {MAX_ID_CHARS} characters")
    for key in ("op", "role"):
        if not isinstance(message.get(key), str):
            raise Refusal("bad_request", f"'{key}' must be a string")
    if message["role"] not in ROLES:
        raise Refusal("bad_request", f"'role' must be one of {', '.join(ROLES)}, not {reprlib.repr(message['role'])}")
    if "account" in message and not (isinstance(message["account"], str) and arguments.is_text(message["account"])):
        raise Refusal("bad_request", "'account' must be a string of Unicode text when it is given")


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= MAX_ID_CHARS


def refusal_reply(message: Any, refusal: Refusal) -> dict[str, Any]:
    """The error reply to `message`. Its id is the request's when that is a valid id, else "?" (a reply's id has the same 1-64 characters)."""
    message_id = message["id"] if isinstance(message, dict) and _is_id(message.get("id")) else "?"
    return {"dtp": 1, "id": message_id, "ok": False, "error": {"code": refusal.code, "reason": refusal.reason}}
