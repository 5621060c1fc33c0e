"""Payment controls: the guardian's consent to the agreement, limits, age-band caps, the bill, what the store sells.

Payments stay off until the bound guardian consents to the current payment
service agreement; the guardian's consent also sets the payment password, so
the watch never pays without one. Every accepted payment is a row of the bill,
which is the guardian's record and outlives a wipe of the child's data.
Amounts are kept in fen (integer hundredths of a yuan) so limits compare exactly.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets

from emulator import clock
from emulator.defects import defect, variant
from emulator.operations import Refusal, operation
from emulator.rules.device import on_wipe
from emulator.rules.privacy import guard_child_data
from emulator.store import table
from emulator.watch import Call, ReferenceWatch

table(
    """CREATE TABLE IF NOT EXISTS payment_transactions (
        id INTEGER PRIMARY KEY, transaction_id TEXT NOT NULL UNIQUE, amount_fen INTEGER NOT NULL,
        at_epoch REAL NOT NULL, month TEXT NOT NULL, merchant TEXT NOT NULL, kind TEXT NOT NULL, purpose TEXT NOT NULL)"""
)

# The firmware's own payment service agreement; consent names its id, so a new version needs new consent.
AGREEMENT = {
    "agreement_id": "rw-pay-agreement-2027.1",
    "title": "Wallet payment service agreement",
    "text": (
        "The Wallet lets the child pay merchants from the guardian's linked account. "
        "Payments need the guardian's consent and the payment password; there is no password-free payment, "
        "no stored-value top-up and no automatic renewal. The guardian sets the limits, sees every "
        "transaction in the bill and may withdraw consent at any time. Refunds follow the merchant's terms."
    ),
    "fees": "No fee is charged to the payer; merchants pay the provider's service fee of 0.6% per transaction.",
    "provider": "RW Payment Services Co., Ltd. (licensed non-bank payment institution)",
}

# The payment password when the guardian consents without choosing one (payment passwords are 6 digits).
DEFAULT_PAYMENT_PASSWORD = "135790"
KINDS = ("purchase", "top_up", "subscription")
# What money may never buy: social standing (PAY-6).
STATUS_PURPOSES = ("likes", "level", "visibility", "ranking", "followers")
# Age-band caps in yuan as (under age, per transaction, per month); 0 means no paid services at all.
# NPPA 2019 bands: the firmware keeps 8 to under 16 at 50/200, which also covers the watch band 8 to under 14.
AGE_CAPS = ((8, 0, 0), (16, 50, 200), (18, 100, 400))
FEN = 100
# A stricter maker's caps: lower in every band, and a payment exactly at a band's cap already refused.
STRICTER_AGE_CAPS = ((8, 0, 0), (16, 30, 150), (18, 60, 300))

STRICTER = variant("stricter_payments", "Lower age-band caps (30 yuan a transaction and 150 a month from 8 to under 16), and a payment exactly at a band's cap is refused.")

# The firmware's catalogue: (offer_id, title, kind, price_yuan).
OFFERS = (
    ("picture-book-dinosaurs", "Dinosaur picture book", "book", 6.0),
    ("maths-course-grade-3", "Grade 3 maths course", "course", 30.0),
    ("song-pack-nursery", "Nursery songs", "music", 3.0),
    ("sticker-pack-free", "Animal stickers", "sticker", 0.0),
)
# What a watch that sells social standing adds to it, per defect below.
STATUS_OFFERS = {
    "likes": ("likes-100", "100 likes on your next post", "likes", 1.0),
    "level": ("level-up", "Jump to level 10", "level", 12.0),
    "visibility": ("boost-top", "Top of the friends ranking for a day", "visibility", 5.0),
}

NO_CONSENT = defect("payment_without_consent", ["CSW-PAY-1"], "Payments turn on as soon as the child asks; the guardian never consents.")
AGREEMENT_HIDDEN = defect("agreement_not_shown", ["CSW-PAY-1"], "The payment agreement is shown without its text, fees or provider.")
ANY_AGREEMENT = defect("consent_any_agreement", ["CSW-PAY-1"], "The guardian's consent is accepted whatever agreement it names, even one never shown.")
MONTH_IGNORED = defect("cap_per_transaction_only", ["CSW-PAY-2"], "The guardian's monthly limit is stored but not enforced; only the per-transaction limit is.")
GUARDIAN_LIMIT_IGNORED = defect("guardian_limit_ignored", ["CSW-PAY-2"], "The guardian's payment limits are stored but never enforced.")
BILL_SMALL = defect("bill_omits_small", ["CSW-PAY-3"], "Transactions under 1 yuan are missing from the bill.")
BILL_WIPED = defect("bill_erased_by_reset", ["CSW-PAY-3"], "A factory reset (even one the child starts with the guardian's code) erases the bill, so spending can be hidden.")
TOP_UP = defect("top_up_allowed", ["CSW-PAY-4"], "Stored-value top-ups (pre-charging) are accepted.")
PASSWORD_FREE = defect("password_free_payment", ["CSW-PAY-4"], "A payment without the password goes through.")
AUTO_RENEW = defect("auto_renew_allowed", ["CSW-PAY-4"], "Auto-renewing subscriptions are accepted.")
AGE_CAPS_IGNORED = defect("age_caps_ignored", ["CSW-PAY-5"], "No age-band caps: a child under 8 can pay, and older children above 50 yuan.")
AGE_MONTH_IGNORED = defect("age_month_cap_ignored", ["CSW-PAY-5"], "The age band's monthly cap is not enforced, only its per-transaction cap.")
LIKES = defect("likes_for_sale", ["CSW-PAY-6"], "The store offers likes and paying for likes succeeds.")
LEVELS = defect("levels_for_sale", ["CSW-PAY-6"], "The store offers level-ups and paying for a level succeeds.")
VISIBILITY = defect("visibility_for_sale", ["CSW-PAY-6"], "The store offers ranking boosts and paying for visibility or ranking succeeds.")

UNBOUND_SETUP = defect("payment_setup_unbound", ["CSW-PAY-1"], "With no guardian bound (a watch fresh out of the box), whoever acts as the guardian can consent to payments and set limits.")
ROUNDED = defect("limits_rounded_to_yuan", ["CSW-PAY-2", "CSW-PAY-5"], "Limits and caps are compared in whole yuan (the amount rounded), so up to 0.49 yuan over a limit slips through.")
MONTH_EXCLUSIVE = defect("month_limit_exclusive", ["CSW-PAY-2"], "The guardian's monthly limit is compared with `>=`: a payment that brings the month exactly to the limit the guardian set is refused.")
MONTH_PER_DAY = defect("month_counted_per_day", ["CSW-PAY-2", "CSW-PAY-5"], "A month's spending is counted for the current day only, so the monthly limit and cap start afresh every day.")
MONTH_NEVER_RESETS = defect("month_limit_never_resets", ["CSW-PAY-2"], "Spending is summed over all time, not per calendar month: the guardian's monthly limit blocks the next month too.")
GUARDIAN_LIFTS_CAP = defect("guardian_limit_lifts_age_cap", ["CSW-PAY-5"], "Once the guardian sets a limit, it replaces the age band's cap: a guardian's higher limit lets a child of the band pay above its cap.")

# Which defect makes which purpose (and its offers) sellable.
STATUS_DEFECTS = {"likes": LIKES, "level": LEVELS, "visibility": VISIBILITY, "ranking": VISIBILITY}


def _state(w: ReferenceWatch) -> dict:
    return w.store.doc("payments", {
        "requested": False, "enabled": False, "agreement_id": None, "consented_at": None,
        "password_salt": None, "password_hash": None, "per_transaction_fen": None, "per_month_fen": None,
    })


def _hash(salt: str, password: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), 10_000).hex()


def _set_password(state: dict, password: str) -> None:
    state["password_salt"] = secrets.token_hex(8)
    state["password_hash"] = _hash(state["password_salt"], password)


def consented(w: ReferenceWatch) -> bool:
    """Whether the guardian consented to the agreement now in force."""
    return _state(w)["agreement_id"] == AGREEMENT["agreement_id"]


def _require_bound_guardian(w: ReferenceWatch, call: Call) -> None:
    if call.role == "guardian" and w.store.doc("binding")["guardian"] is None and not w.defective(UNBOUND_SETUP):
        raise Refusal("denied", "no guardian is bound")


def _yuan(fen: int | None) -> float | None:
    return None if fen is None else fen / FEN


def _to_fen(value: object, name: str) -> int:
    """Yuan as a number with at most two decimals, into fen."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value * FEN) or value < 0:
        raise Refusal("bad_request", f"{name} must be a non-negative number of yuan")
    fen = round(value * FEN)
    if abs(value * FEN - fen) > 1e-6:
        raise Refusal("bad_request", f"{name} has more than two decimals")
    return fen


def _spent_this_month(w: ReferenceWatch) -> int:
    """Fen paid in the current calendar month of the guardian's time zone, on trusted time."""
    if w.defective(MONTH_NEVER_RESETS):
        return int(w.store.scalar("SELECT coalesce(sum(amount_fen), 0) FROM payment_transactions"))
    if w.defective(MONTH_PER_DAY):
        day = clock.local_day(w.now)
        return int(w.store.scalar("SELECT coalesce(sum(amount_fen), 0) FROM payment_transactions WHERE at_epoch >= ?", (clock.parse_iso(f"{day}T00:00:00"),)))
    month = clock.local_day(w.now)[:7]
    return int(w.store.scalar("SELECT coalesce(sum(amount_fen), 0) FROM payment_transactions WHERE month = ?", (month,)))


def _age_caps(w: ReferenceWatch) -> tuple[int, int] | None:
    """(per transaction, per month) in fen for the child's age band, or None past the last band."""
    age = w.store.doc("device")["child_age"]
    for under, per_transaction, per_month in STRICTER_AGE_CAPS if w.varies(STRICTER) else AGE_CAPS:
        if age < under:
            return per_transaction * FEN, per_month * FEN
    return None


def _check_limits(w: ReferenceWatch, fen: int) -> None:
    """The firmware's age-band caps apply on top of the guardian's limits, even when the guardian set none."""
    spent = _spent_this_month(w)
    if w.defective(ROUNDED):
        fen = round(fen / FEN) * FEN
    state = _state(w)
    guardian_set = state["per_transaction_fen"] is not None or state["per_month_fen"] is not None
    caps = None if w.defective(AGE_CAPS_IGNORED) or (guardian_set and w.defective(GUARDIAN_LIFTS_CAP)) else _age_caps(w)
    if caps is not None:
        per_transaction, per_month = caps
        if w.varies(STRICTER):  # the stricter firmware's caps are exclusive
            per_transaction, per_month = per_transaction - 1, per_month - 1
        if per_transaction <= 0:
            raise Refusal("not_allowed", "no paid services for children under 8")
        if fen > per_transaction:
            raise Refusal("limit_exceeded", f"above {per_transaction / FEN:g} yuan a transaction for the child's age")
        if spent + fen > per_month and not w.defective(AGE_MONTH_IGNORED):
            raise Refusal("limit_exceeded", f"above {per_month / FEN:g} yuan a month for the child's age")
    if w.defective(GUARDIAN_LIMIT_IGNORED):
        return
    if state["per_transaction_fen"] is not None and fen > state["per_transaction_fen"]:
        raise Refusal("limit_exceeded", "above the guardian's limit per transaction")
    # Exactly at the guardian's limit is within it: the guardian allowed that much.
    month = state["per_month_fen"]
    over_month = month is not None and (spent + fen >= month if w.defective(MONTH_EXCLUSIVE) else spent + fen > month)
    if over_month and not w.defective(MONTH_IGNORED):
        raise Refusal("limit_exceeded", "above the guardian's monthly limit")


def _check_password(w: ReferenceWatch, call: Call) -> None:
    password = call.arg("password", str, None)
    if password is None:
        if w.defective(PASSWORD_FREE):
            return
        raise Refusal("not_allowed", "there is no password-free payment")
    state = _state(w)
    if state["password_hash"] is None or not hmac.compare_digest(_hash(state["password_salt"], password), state["password_hash"]):
        raise Refusal("bad_credentials", "wrong payment password")


@operation("payment.agreement", roles=("guardian", "child"), feature="payments")
def payment_agreement(w: ReferenceWatch, call: Call) -> dict:
    """The payment service agreement in force, with its details."""
    if w.defective(AGREEMENT_HIDDEN):
        return {**AGREEMENT, "text": "", "fees": "", "provider": ""}
    return dict(AGREEMENT)


@operation("payment.enable", roles=("child",), feature="payments")
def payment_enable(w: ReferenceWatch, call: Call) -> dict:
    """The child asks for payments; they stay off until the guardian consents."""
    if not call.is_own_child:
        raise Refusal("denied", "only the watch's child may ask for its payments")
    state = _state(w)
    state["requested"] = True
    if w.defective(NO_CONSENT) and not state["enabled"]:
        state["enabled"] = True
        _set_password(state, DEFAULT_PAYMENT_PASSWORD)
    w.store.put_doc("payments", state)
    return {"state": "enabled" if state["enabled"] else "pending_guardian"}


@operation("payment.consent", roles=("guardian",), feature="payments")
def payment_consent(w: ReferenceWatch, call: Call) -> dict:
    """The guardian consents to the agreement they were shown, and sets the payment password (a default if none)."""
    _require_bound_guardian(w, call)
    agreement_id = call.arg("agreement_id", str)
    if agreement_id != AGREEMENT["agreement_id"] and not w.defective(ANY_AGREEMENT):
        raise Refusal("denied", f"agreement {agreement_id!r} is not the agreement in force")
    password = call.arg("password", str, None)
    if password is not None and not (len(password) == 6 and password.isdigit()):
        raise Refusal("bad_request", "the payment password is 6 digits")
    state = _state(w)
    state.update(enabled=True, agreement_id=AGREEMENT["agreement_id"], consented_at=clock.iso(w.now))
    if password is not None or state["password_hash"] is None:
        _set_password(state, password or DEFAULT_PAYMENT_PASSWORD)
    w.store.put_doc("payments", state)
    return {}


@operation("payment.status", roles=("guardian", "child"), feature="payments")
def payment_status(w: ReferenceWatch, call: Call) -> dict:
    state = _state(w)
    return {
        "enabled": bool(state["enabled"]), "consented": consented(w), "requested": bool(state["requested"]),
        "per_transaction_yuan": _yuan(state["per_transaction_fen"]), "per_month_yuan": _yuan(state["per_month_fen"]),
    }


@operation("payment.set_limits", roles=("guardian",), feature="payments")
def payment_set_limits(w: ReferenceWatch, call: Call) -> dict:
    """The guardian's limits in yuan, per transaction and per calendar month; null removes one."""
    _require_bound_guardian(w, call)
    limits = {}
    for name in ("per_transaction_yuan", "per_month_yuan"):
        value = call.arg(name, None)
        limits[name.replace("_yuan", "_fen")] = None if value is None else _to_fen(value, name)
    state = _state(w)
    state.update(limits)
    w.store.put_doc("payments", state)
    return {}


@operation("payment.pay", roles=("child",), app="wallet", feature="payments")
def payment_pay(w: ReferenceWatch, call: Call) -> dict:
    """The child pays a merchant: consent, kind, purpose, password, age caps and limits are checked in that order."""
    if not call.is_own_child:
        raise Refusal("denied", "only the watch's child pays from it")
    merchant, kind, purpose = call.arg("merchant", str), call.arg("kind", str, "purchase"), call.arg("purpose", str, "goods")
    if not merchant.strip() or not purpose.strip():
        raise Refusal("bad_request", "merchant and purpose must not be empty")
    if kind not in KINDS:
        raise Refusal("bad_request", f"kind must be one of {', '.join(KINDS)}")
    fen = _to_fen(call.arg("amount_yuan", None), "amount_yuan")
    if fen == 0:
        raise Refusal("bad_request", "amount_yuan must be at least 0.01")
    if not _state(w)["enabled"]:
        raise Refusal("consent_required", "payments are off until the guardian consents")
    if kind == "top_up" and not w.defective(TOP_UP):
        raise Refusal("not_allowed", "no stored-value top-up from the watch")
    if kind == "subscription" and not w.defective(AUTO_RENEW):
        raise Refusal("not_allowed", "no auto-renewing subscription from the watch")
    if purpose in STATUS_PURPOSES and not (purpose in STATUS_DEFECTS and w.defective(STATUS_DEFECTS[purpose])):
        raise Refusal("not_allowed", f"{purpose} cannot be bought")
    _check_password(w, call)
    _check_limits(w, fen)
    transaction_id = f"tx-{secrets.token_hex(6)}"
    w.store.execute(
        "INSERT INTO payment_transactions(transaction_id, amount_fen, at_epoch, month, merchant, kind, purpose) VALUES(?,?,?,?,?,?,?)",
        (transaction_id, fen, w.now, clock.local_day(w.now)[:7], merchant, kind, purpose),
    )
    return {"transaction_id": transaction_id}


@operation("payment.bill", roles=("guardian",), feature="payments")
def payment_bill(w: ReferenceWatch, call: Call) -> dict:
    """Every transaction, oldest first. Guardian only: it is the guardian's account that pays."""
    guard_child_data(w, call, "bill")
    smallest = FEN if w.defective(BILL_SMALL) else 0
    rows = w.store.rows("SELECT * FROM payment_transactions WHERE amount_fen >= ? ORDER BY id", (smallest,))
    return {"transactions": [
        {"transaction_id": r["transaction_id"], "amount_yuan": r["amount_fen"] / FEN, "at": clock.iso(r["at_epoch"]),
         "merchant": r["merchant"], "kind": r["kind"], "purpose": r["purpose"]}
        for r in rows
    ]}


@operation("store.offers", roles=("child", "guardian"))
def store_offers(w: ReferenceWatch, call: Call) -> dict:
    """What can be bought on the watch; paid offers only on models with payments, and never social standing."""
    if not (w.has("payments") or w.has("social_feed")):
        raise Refusal("unsupported", "this model sells nothing: no payments and no social feed")
    offers = [o for o in OFFERS if o[3] == 0 or w.has("payments")]
    offers += [offer for purpose, offer in STATUS_OFFERS.items() if w.defective(STATUS_DEFECTS[purpose])]
    return {"offers": [{"offer_id": i, "title": t, "kind": k, "price_yuan": p} for i, t, k, p in offers]}


@on_wipe
def _wipe(w: ReferenceWatch) -> None:
    """A wipe of the child's data drops the child's pending request, nothing of the guardian's.

    The bill is the guardian's financial record, held with the payment provider:
    wiping the watch must not let a child hide spending, and payment records are
    kept for disputes and refunds. Consent, password and limits are guardian
    settings the cloud holds, like the time controls.
    """
    state = _state(w)
    if not state["enabled"]:
        state["requested"] = False
        w.store.put_doc("payments", state)
    if w.defective(BILL_WIPED):
        w.store.execute("DELETE FROM payment_transactions")
