"""The `Watch` API: the only way conformance steps talk to a device.

Typed, transport-free: each method sends one Device Test Protocol operation
through whatever `Transport` the adapter gave it, checks the reply's shape,
and returns the result. A device that declines raises `Refused`; anything that
stops a proper answer raises an `InconclusiveError`. Every exchange is kept in
`transcript` as evidence.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from device_adapters import protocol
from device_adapters.errors import MalformedReply
from device_adapters.transport import Transport


class DeviceInfo(TypedDict):
    model: str
    firmware: str
    protocol: int
    features: list[str]


class ClockState(TypedDict):
    trusted: str
    local: str
    timezone: str


class AppInfo(TypedDict):
    app_id: str
    name: str
    category: str
    preinstalled: bool
    visible: bool
    enabled: bool
    state: str


class AppOpened(TypedDict):
    app_id: str
    splash_ad: bool


class UsageState(TypedDict):
    used_seconds: int
    limit_seconds: int | None
    continuous_seconds: int
    reminders: list[dict]


class PaymentStatus(TypedDict):
    enabled: bool
    consented: bool


class Transaction(TypedDict):
    transaction_id: str
    amount_yuan: float
    at: str
    merchant: str
    kind: str


class Post(TypedDict):
    post_id: str
    author: str
    text: str
    likes: int


class Location(TypedDict):
    lat: float
    lon: float
    accuracy_m: float
    at: str


@dataclass
class Exchange:
    """One request and its reply, as kept in the evidence."""

    request: dict[str, Any]
    reply: Any
    elapsed_ms: float
    wall_time: float
    error: str | None = None


@dataclass
class Outcome:
    """What one of several concurrent calls gave: its value, or the exception it raised (a refusal, a fault)."""

    value: Any = None
    error: Exception | None = None


def _outcome(action: Callable[[], Any]) -> Outcome:
    try:
        return Outcome(value=action())
    except Exception as exc:
        return Outcome(error=exc)


@dataclass
class Transcript:
    exchanges: list[Exchange] = field(default_factory=list)

    def mark(self) -> int:
        return len(self.exchanges)

    def since(self, mark: int) -> list[Exchange]:
        return self.exchanges[mark:]


def _shaped(result: dict[str, Any], shape: type, op: str) -> Any:
    missing = [key for key in getattr(shape, "__required_keys__", ()) if key not in result]
    if missing:
        raise MalformedReply(f"reply to {op} lacks {', '.join(sorted(missing))}")
    return result


def _field(result: dict[str, Any], key: str) -> Any:
    """One field of a result; a reply without it is malformed (INCONCLUSIVE), not a harness error."""
    if key not in result:
        raise MalformedReply(f"reply lacks '{key}' (has {', '.join(sorted(result)) or 'nothing'})")
    return result[key]


def _items(result: dict[str, Any], key: str, shape: type, op: str) -> list[Any]:
    items = result.get(key)
    if not isinstance(items, list):
        raise MalformedReply(f"reply to {op} has no list '{key}'")
    return [_shaped(item, shape, op) if isinstance(item, dict) else _shaped({}, shape, op) for item in items]


class Watch:
    """A children's watch under test, reached through one transport."""

    def __init__(self, transport: Transport, auth: str | None = None, app_ids: dict[str, str] | None = None):
        self.transport = transport
        self.auth = auth
        self.transcript = Transcript()
        # The scenarios name apps by role ("maths", "camera"); the device has its own package ids (IXIT `apps`).
        self.to_device = dict(app_ids or {})
        self.to_scenario = {device_id: role for role, device_id in self.to_device.items()}

    # -- the one exchange every method goes through --------------------------

    def call(self, op: str, role: str = "child", account: str | None = None, **args: Any) -> dict[str, Any]:
        """Send `op` as `role` (and `account`, when several of that role exist)."""
        message = protocol.request(op, role, protocol.rename_app_ids(args, self.to_device), account=account, auth=self.auth)
        started = time.perf_counter()
        reply: Any = None
        failure: str | None = None
        try:
            reply = self.transport.exchange(message)
            return protocol.rename_app_ids(protocol.result_of(message, reply), self.to_scenario)
        except Exception as exc:
            failure = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            self.transcript.exchanges.append(Exchange(message, reply, elapsed_ms, time.time(), failure))

    def concurrently(self, actions: list[Callable[[], Any]]) -> list[Outcome]:
        """Run several actions (each calling methods of this Watch) at the same instant; outcomes in the order given.

        On a transport with parallel connections each action runs on a thread and
        a connection of its own, all released together, so the requests reach the
        device truly at once. A transport without them (one radio link, the
        in-process emulator) carries them one after another, with no device time
        between. Every exchange is in the transcript either way.
        """
        if not self.transport.parallel or len(actions) < 2:
            return [_outcome(action) for action in actions]
        start = self.transport.start_line(len(actions))

        def run(action: Callable[[], Any]) -> Outcome:
            # The transport holds the action's first request at the start line, ready to send.
            self.transport.open_lane(start)
            try:
                return _outcome(action)
            finally:
                self.transport.close_lane()

        with ThreadPoolExecutor(max_workers=len(actions), thread_name_prefix="dtp-lane") as pool:
            return list(pool.map(run, actions))

    def close(self) -> None:
        self.transport.close()

    # -- test agent: baseline, clock, simulated world ------------------------

    def reset(self, *, start: str, child_age: int, setup: str = "bound", child_birthdate: str | None = None) -> None:
        """Restore the test baseline. setup 'bound': guardian bound and privacy consent given; 'fresh': out of the box.

        child_birthdate (optional, ISO date) lets a watch that keeps the child's birth date age the child as trusted time moves.
        """
        args: dict[str, Any] = {"start": start, "child_age": child_age, "setup": setup}
        if child_birthdate is not None:
            args["child_birthdate"] = child_birthdate
        self.call("agent.reset", "tester", **args)

    def advance_clock(self, seconds: int) -> ClockState:
        """Move trusted (network) time forward, as if the watch had been in use that long."""
        return _shaped(self.call("clock.advance", "tester", seconds=seconds), ClockState, "clock.advance")

    def set_charging(self, charging: bool) -> None:
        self.call("charging.set", "tester", charging=charging)

    def simulate_location(self, lat: float, lon: float) -> None:
        self.call("location.simulate", "tester", lat=lat, lon=lon)

    def processing_records(self) -> list[dict]:
        """What personal information the device has processed or uploaded (observed, not declared)."""
        return _field(self.call("privacy.records", "tester"), "records")

    # -- device -----------------------------------------------------------------

    def info(self) -> DeviceInfo:
        return _shaped(self.call("device.info", "tester"), DeviceInfo, "device.info")

    def clock(self) -> ClockState:
        return _shaped(self.call("clock.get", "child"), ClockState, "clock.get")

    def set_local_clock(self, local: str, timezone: str | None = None, *, role: str = "child") -> None:
        """The child changes the watch's own clock or time zone."""
        args: dict[str, Any] = {"local": local}
        if timezone:
            args["timezone"] = timezone
        self.call("clock.set_local", role, **args)

    def reboot(self) -> None:
        self.call("device.reboot", "child")

    def factory_reset(self, *, role: str = "child", guardian_password: str | None = None) -> dict:
        args = {"guardian_password": guardian_password} if guardian_password else {}
        return self.call("device.factory_reset", role, **args)

    def guardian_binding(self) -> dict:
        return self.call("guardian.binding", "tester")

    # -- apps -------------------------------------------------------------------

    def apps(self, *, include_hidden: bool = False, role: str = "child") -> list[AppInfo]:
        """Installed apps: the launcher's view, or every package on the device."""
        return _items(self.call("apps.list", role, include_hidden=include_hidden), "apps", AppInfo, "apps.list")

    def install_app(self, app_id: str, *, name: str, category: str, source: str = "store", signature: str = "valid", role: str = "child") -> dict:
        return self.call("apps.install", role, app_id=app_id, name=name, category=category, source=source, signature=signature)

    def approve_app(self, app_id: str, *, role: str = "guardian") -> None:
        self.call("apps.approve", role, app_id=app_id)

    def uninstall_app(self, app_id: str, *, role: str = "child") -> None:
        self.call("apps.uninstall", role, app_id=app_id)

    def force_stop_app(self, app_id: str, *, role: str = "child") -> None:
        self.call("apps.force_stop", role, app_id=app_id)

    def open_app(self, app_id: str, *, role: str = "child") -> AppOpened:
        return _shaped(self.call("apps.open", role, app_id=app_id), AppOpened, "apps.open")

    def close_app(self) -> None:
        self.call("apps.close", "child")

    def set_app_enabled(self, app_id: str, enabled: bool, *, role: str = "guardian") -> None:
        self.call("apps.set_enabled", role, app_id=app_id, enabled=enabled)

    # -- time limits ------------------------------------------------------------

    def set_daily_limit(self, minutes: int | None, *, exempt: list[str] | None = None, role: str = "guardian") -> None:
        self.call("controls.set_daily_limit", role, minutes=minutes, exempt=exempt or [])

    def set_usable_periods(self, periods: list[dict[str, str]] | None, *, role: str = "guardian") -> None:
        """periods: [{"start": "HH:MM", "end": "HH:MM"}] in the guardian's time zone; None clears."""
        self.call("controls.set_periods", role, periods=periods)

    def controls(self, *, role: str = "guardian") -> dict:
        return self.call("controls.get", role)

    def usage(self, *, role: str = "guardian") -> UsageState:
        return _shaped(self.call("usage.get", role), UsageState, "usage.get")

    # -- payments ---------------------------------------------------------------

    def payment_agreement(self, *, role: str = "guardian") -> dict:
        return self.call("payment.agreement", role)

    def request_payments(self, *, role: str = "child") -> dict:
        return self.call("payment.enable", role)

    def consent_payments(self, *, agreement_id: str, password: str | None = None, role: str = "guardian") -> None:
        """The guardian consents to the agreement shown, setting the payment password when given."""
        args: dict[str, Any] = {"agreement_id": agreement_id}
        if password is not None:
            args["password"] = password
        self.call("payment.consent", role, **args)

    def payment_status(self, *, role: str = "guardian") -> PaymentStatus:
        return _shaped(self.call("payment.status", role), PaymentStatus, "payment.status")

    def set_payment_limits(self, *, per_transaction_yuan: float | None, per_month_yuan: float | None, role: str = "guardian") -> None:
        self.call("payment.set_limits", role, per_transaction_yuan=per_transaction_yuan, per_month_yuan=per_month_yuan)

    def pay(self, *, merchant: str, amount_yuan: float, kind: str = "purchase", password: str | None = None, purpose: str = "goods", role: str = "child") -> dict:
        """kind: purchase, top_up or subscription; purpose: what is bought (goods, likes, level, visibility ...)."""
        args: dict[str, Any] = {"merchant": merchant, "amount_yuan": amount_yuan, "kind": kind, "purpose": purpose}
        if password is not None:
            args["password"] = password
        return self.call("payment.pay", role, **args)

    def bill(self, *, role: str = "guardian") -> list[Transaction]:
        return _items(self.call("payment.bill", role), "transactions", Transaction, "payment.bill")

    def store_offers(self) -> list[dict]:
        return _field(self.call("store.offers", "child"), "offers")

    # -- content ----------------------------------------------------------------

    def content_pool(self, *, role: str = "guardian") -> dict:
        return self.call("content.pool", role)

    def content_feed(self) -> list[dict]:
        return _field(self.call("content.feed", "child"), "items")

    def search(self, query: str) -> list[dict]:
        return _field(self.call("content.search", "child", query=query), "items")

    def search_result(self, query: str) -> tuple[list[dict], bool]:
        """The items found, and whether the watch says it blocked the query (`blocked`)."""
        result = self.call("content.search", "child", query=query)
        return _field(result, "items"), _field(result, "blocked") is True

    def open_link(self, url: str, *, role: str = "child") -> dict:
        return self.call("content.open_link", role, url=url)

    def approve_link(self, url: str, *, role: str = "guardian") -> None:
        self.call("content.approve_link", role, url=url)

    def report_content(self, item_id: str, *, role: str = "guardian") -> None:
        self.call("content.report", role, item_id=item_id)

    def publish_content(self, *, title: str, text: str, min_age: int = 3) -> dict:
        """The platform's editors add an item to the children's pool (tester side)."""
        return self.call("content.publish", "tester", title=title, text=text, min_age=min_age)

    def send_message(self, text: str, *, sender_role: str, sender: str | None = None, to: str = "child") -> None:
        self.call("messages.send", sender_role, account=sender, to=to, text=text)

    def inbox(self) -> list[dict]:
        return _field(self.call("messages.inbox", "child"), "messages")

    def ask_assistant(self, prompt: str) -> dict:
        return self.call("ai.ask", "child", prompt=prompt)

    # -- personal information and permissions -----------------------------------

    def bind_guardian(self, *, role: str = "guardian", account: str | None = None) -> None:
        """A guardian binds the watch in the guardian's app; `account` names which guardian (default: the declared one)."""
        self.call("guardian.bind", role, account=account)

    def privacy_rules(self, *, role: str = "guardian") -> dict:
        return self.call("privacy.rules", role)

    def consent_privacy(self, *, role: str = "guardian") -> None:
        self.call("privacy.consent", role)

    def export_data(self, *, role: str = "guardian") -> dict:
        return self.call("privacy.export", role)

    def delete_data(self, *, role: str = "guardian") -> None:
        self.call("privacy.delete", role)

    def close_account(self, *, role: str = "guardian") -> None:
        self.call("account.close", role)

    def permissions(self, app_id: str, *, role: str = "guardian") -> dict[str, bool]:
        return _field(self.call("permissions.get", role, app_id=app_id), "permissions")

    def request_permission(self, app_id: str, permission: str, *, role: str = "child") -> dict:
        return self.call("permissions.request", role, app_id=app_id, permission=permission)

    def grant_permission(self, app_id: str, permission: str, *, role: str = "guardian") -> None:
        self.call("permissions.grant", role, app_id=app_id, permission=permission)

    def enroll_biometric(self) -> None:
        self.call("biometric.enroll", "child")

    def verify_biometric(self, sample: str) -> dict:
        """sample: 'live' (the enrolled child) or a presentation attack ('photo', 'mask', 'replay')."""
        return self.call("biometric.verify", "child", sample=sample)

    def deregister_biometric(self) -> None:
        self.call("biometric.deregister", "child")

    def profile_of_child(self, *, role: str, account: str | None = None) -> dict:
        return self.call("profile.get", role, account=account)

    def location(self, *, role: str = "guardian", account: str | None = None) -> Location:
        return _shaped(self.call("location.get", role, account=account), Location, "location.get")

    # -- social -----------------------------------------------------------------

    def create_account(self, nickname: str, *, kind: str = "child", befriend: bool = False) -> str:
        """Another user of the platform (a classmate, a stranger, a buyer), made by the tester."""
        return _field(self.call("accounts.create", "tester", nickname=nickname, kind=kind, befriend=befriend), "account")

    def set_social_enabled(self, enabled: bool, *, role: str = "guardian") -> None:
        self.call("social.set_enabled", role, enabled=enabled)

    def request_friend(self, *, role: str, account: str | None = None, target: str = "child", method: str = "nearby") -> dict:
        """method: 'nearby' (watches bumped together) or 'remote' (by id or search)."""
        return self.call("friends.request", role, account=account, target=target, method=method)

    def approve_friend(self, account: str, *, role: str = "guardian") -> None:
        self.call("friends.approve", role, account=account)

    def friends(self, *, role: str = "guardian") -> list[str]:
        return _field(self.call("friends.list", role), "friends")

    def remove_friend(self, account: str, *, role: str = "guardian") -> None:
        self.call("friends.remove", role, account=account)

    def create_post(self, text: str, *, role: str = "child", account: str | None = None) -> str:
        return _field(self.call("posts.create", role, account=account, text=text), "post_id")

    def feed(self, *, role: str = "child", account: str | None = None) -> list[Post]:
        return _items(self.call("posts.feed", role, account=account), "posts", Post, "posts.feed")

    def like(self, post_id: str, *, role: str = "child", account: str | None = None) -> dict:
        return self.call("posts.like", role, account=account, post_id=post_id)

    def social_surfaces(self) -> list[dict]:
        """Every screen of the social app with its entries, as the child sees them."""
        return _field(self.call("social.surfaces", "child"), "surfaces")

    def rebind(self, *, new_guardian: str, verification: str | None = None, role: str = "stranger") -> dict:
        args: dict[str, Any] = {"new_guardian": new_guardian}
        if verification is not None:
            args["verification"] = verification
        return self.call("account.rebind", role, account=new_guardian, **args)

    def guardian_verification_code(self) -> str:
        """The code the current guardian's app shows to approve a re-binding."""
        return _field(self.call("guardian.verification_code", "guardian"), "code")

    def set_contact_exchange(self, enabled: bool, *, role: str = "guardian") -> None:
        self.call("contacts.set_exchange", role, enabled=enabled)

    def exchange_contact(self, *, peer_number: str, peer_nickname: str, peer_brand: str) -> dict:
        """Exchange number and nickname with a watch of another brand (clause 4.18)."""
        return self.call("contacts.exchange", "child", peer_number=peer_number, peer_nickname=peer_nickname, peer_brand=peer_brand)

    def contacts(self, *, role: str = "guardian") -> list[dict]:
        return _field(self.call("contacts.list", role), "contacts")

    def add_contact(self, number: str, name: str, *, role: str = "guardian") -> None:
        self.call("contacts.add", role, number=number, name=name)

    # -- cybersecurity ----------------------------------------------------------

    def security_status(self) -> dict:
        return self.call("security.status", "tester")

    def update_firmware(self, *, version: str, signature: str, role: str = "tester") -> dict:
        """signature: 'valid', 'invalid' or 'none'."""
        return self.call("firmware.update", role, version=version, signature=signature)

    def set_lock_password(self, password: str, *, role: str = "guardian") -> None:
        self.call("device.set_password", role, password=password)

    def lock(self) -> None:
        self.call("device.lock", "child")

    def unlock(self, password: str) -> None:
        self.call("device.unlock", "child", password=password)

    def disable_supervision(self, *, role: str = "child") -> None:
        self.call("supervision.disable", role)

    def enable_debug(self, *, role: str = "child") -> None:
        self.call("debug.enable", role)

    # -- safety core ------------------------------------------------------------

    def emergency_call(self) -> dict:
        return self.call("emergency.call", "child")

    def incoming_call(self, number: str) -> dict:
        """A call arrives from `number`; the reply says whether the watch rang."""
        return self.call("calls.incoming", "tester", number=number)

    def call_number(self, number: str) -> dict:
        return self.call("calls.place", "child", number=number)


_CALL = re.compile(r"""\.call\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""")


def known_operations() -> list[str]:
    """Every operation this API sends: each `.call("op"` below, read from this module's own source so none is forgotten."""
    return sorted(set(_CALL.findall(Path(__file__).read_text(encoding="utf-8"))))
