"""Payment controls: the guardian's consent to the agreement, payment limits, age-band caps, the bill, and what money may buy.

Every payment the watch accepts is remembered in `ctx.values["payments"]`, so
the Then steps can hold the guardian's bill against what really happened.
Amounts are compared to the fen (hundredth of a yuan).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from conformance.declaration import Declaration
from conformance.steps.common import Attempt, Context, attempt, pass_time
from device_adapters.errors import InconclusiveError
from device_adapters.watch import Watch

# A merchant for payments whose merchant does not matter to the scenario.
EVERYDAY_MERCHANT = "Xinhua Bookstore"
# A payment's time in the bill may differ from the moment it was made by the time the exchange takes.
BILL_TIME_SLACK_S = 60
# What each phrase of the features asks to buy, as the watch names the purpose of a payment.
STANDING = {"likes": "likes", "a higher level": "level", "more visibility": "visibility", "a better ranking": "ranking"}
WEEK_S = 7 * 86400
# The smallest amount there is: limits are judged to it.
FEN = 0.01
# Offer kinds that sell social standing (PAY-6): the `purpose` words of payment.pay (docs/protocol.md `store.offers`).
STANDING_KINDS = frozenset(STANDING.values()) | {"followers"}


def _password(declaration: Declaration) -> str:
    """The payment password the guardian sets on consent: the harness must know it to pay at all."""
    password = declaration.ixit.get("payment_password")
    if not password:
        raise InconclusiveError("the declaration gives no IXIT payment_password, so the harness cannot pay")
    return password


def _wrong_password(right: str) -> str:
    """A password of the same form that is certainly not the right one."""
    return "".join(str((int(c) + 1) % 10) if c.isdigit() else "x" for c in right)


def _payments(ctx: Context) -> list[dict[str, Any]]:
    return ctx.values.setdefault("payments", [])


def _pay(watch: Watch, ctx: Context, action: str, amount: float, *, merchant: str = EVERYDAY_MERCHANT, **how: Any) -> Attempt:
    """Attempt a payment; one the watch accepts is kept, with the trusted time it was made, for the bill checks."""
    paid_at = datetime.fromisoformat(watch.clock()["trusted"])
    outcome = attempt(ctx, action, lambda: watch.pay(merchant=merchant, amount_yuan=amount, **how))
    if outcome.allowed:
        _payments(ctx).append({
            "attempt": outcome, "transaction_id": (outcome.result or {}).get("transaction_id"),
            "amount_yuan": amount, "merchant": merchant, "at": paid_at,
        })
    return outcome


def _same(row: dict, paid: dict[str, Any]) -> bool:
    """Whether a row of the bill is this payment: by transaction id when the watch gave one, else by amount and merchant."""
    if paid["transaction_id"] and row.get("transaction_id") != paid["transaction_id"]:
        return False
    return round(float(row["amount_yuan"]) * 100) == round(paid["amount_yuan"] * 100) and row["merchant"] == paid["merchant"]


# -- Given / When: consent and limits -----------------------------------------------


@given("the guardian consents to the payment agreement shown")
@when("the guardian consents to the payment agreement shown")
def guardian_consents(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    """The guardian reads the agreement in force and consents to exactly that one, choosing the declared password."""
    agreement = watch.payment_agreement()
    ctx.values["agreement"] = agreement
    watch.consent_payments(agreement_id=agreement["agreement_id"], password=_password(declaration))


@given(parsers.parse("the guardian limits payments to {per_transaction:g} yuan a transaction and {per_month:g} yuan a month"))
def guardian_sets_payment_limits(watch: Watch, per_transaction: float, per_month: float) -> None:
    watch.set_payment_limits(per_transaction_yuan=per_transaction, per_month_yuan=per_month)


@when("the child asks to turn on payments")
def child_requests_payments(watch: Watch) -> None:
    watch.request_payments()


@when("the guardian opens the payment agreement")
def guardian_opens_agreement(watch: Watch, ctx: Context) -> None:
    ctx.values["agreement"] = watch.payment_agreement()


@when("the child tries to consent to the payment agreement itself")
def child_consents(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    # The child can read the same agreement, so it knows the id the guardian would name.
    agreement = watch.payment_agreement(role="child")
    attempt(ctx, "the child consenting to payments", lambda: watch.consent_payments(agreement_id=agreement["agreement_id"], password=_password(declaration), role="child"))


@when("the guardian's consent names an agreement the watch did not show")
def guardian_consents_to_unshown(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    """What counts is the outcome, judged by the Then steps: the consent is refused and payments stay off."""
    # An id that is certainly not the agreement in force, as an outdated app or a reseller's script would send.
    unshown = f"{watch.payment_agreement()['agreement_id']}-not-shown"
    attempt(ctx, "consenting to an agreement never shown", lambda: watch.consent_payments(agreement_id=unshown, password=_password(declaration)))


@when("the child tries to raise the payment limits")
def child_raises_limits(watch: Watch, ctx: Context) -> None:
    # Lifting both limits is what a child would want: no limit at all.
    attempt(ctx, "the child changing the payment limits", lambda: watch.set_payment_limits(per_transaction_yuan=None, per_month_yuan=None, role="child"))


# -- When: payments --------------------------------------------------------------------


@when(parsers.parse("the child tries to pay {amount:g} yuan with the payment password"))
def child_tries_to_pay(watch: Watch, declaration: Declaration, ctx: Context, amount: float) -> None:
    _pay(watch, ctx, f"paying {amount:g} yuan", amount, password=_password(declaration))


@when(parsers.parse('the child pays {amount:g} yuan to "{merchant}"'))
def child_pays(watch: Watch, declaration: Declaration, ctx: Context, amount: float, merchant: str) -> None:
    # A payment the scenario needs made: a refusal here fails the scenario.
    outcome = _pay(watch, ctx, f"paying {amount:g} yuan to {merchant}", amount, merchant=merchant, password=_password(declaration))
    assert outcome.allowed, f"paying {amount:g} yuan to {merchant} was refused: {outcome.refusal}"


@when(parsers.parse("the child tries to pay {amount:g} yuan without the payment password"))
def child_pays_without_password(watch: Watch, ctx: Context, amount: float) -> None:
    _pay(watch, ctx, f"paying {amount:g} yuan without the password", amount)


@when(parsers.parse("the child tries to pay {amount:g} yuan with a wrong payment password"))
def child_pays_wrong_password(watch: Watch, declaration: Declaration, ctx: Context, amount: float) -> None:
    _pay(watch, ctx, f"paying {amount:g} yuan with a wrong password", amount, password=_wrong_password(_password(declaration)))


@when(parsers.parse("the child tries to top up the wallet with {amount:g} yuan"))
def child_tops_up(watch: Watch, declaration: Declaration, ctx: Context, amount: float) -> None:
    # With the right password, so only the top-up itself can be the reason to refuse.
    _pay(watch, ctx, f"a top-up of {amount:g} yuan", amount, kind="top_up", password=_password(declaration))


@when(parsers.parse("the child tries to start an auto-renewing subscription of {amount:g} yuan a month"))
def child_subscribes(watch: Watch, declaration: Declaration, ctx: Context, amount: float) -> None:
    _pay(watch, ctx, f"an auto-renewing subscription of {amount:g} yuan", amount, kind="subscription", password=_password(declaration))


@when(parsers.parse("the child tries to pay {amount:g} yuan for {standing}"))
def child_buys_standing(watch: Watch, declaration: Declaration, ctx: Context, amount: float, standing: str) -> None:
    purpose = STANDING[standing]
    _pay(watch, ctx, f"paying {amount:g} yuan for {standing}", amount, purpose=purpose, password=_password(declaration))


def _yuan(amount: float) -> float:
    """An amount to the fen, without float dust (20.000000001 is not an amount a watch is asked to pay)."""
    return round(amount, 2)


def _spent(ctx: Context) -> float:
    """What the child paid this calendar month, by the payments the watch accepted."""
    return _yuan(sum(p["amount_yuan"] for p in _payments(ctx) if not p.get("earlier_month")))


@when("the child tries to pay one fen above the band's per-transaction cap")
def child_pays_above_band_cap(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    assert ctx.band, "no age band given"
    amount = _yuan(ctx.band["payment_per_transaction_yuan"] + FEN)
    _pay(watch, ctx, f"paying {amount:g} yuan (one fen above the band's per-transaction cap)", amount, password=_password(declaration))


@when("the child pays the band's per-transaction cap again and again, up to the band's monthly cap")
def child_pays_up_to_band_month(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    """The realistic way around a monthly cap: payments each within the per-transaction cap.

    The band's caps are ceilings (at_most): a stricter watch may refuse one of
    these sooner, which ends the run; what it must refuse is the fen past the
    month's cap, tried next.
    """
    assert ctx.band, "no age band given"
    per_transaction, per_month = ctx.band["payment_per_transaction_yuan"], ctx.band["payment_per_month_yuan"]
    while per_transaction and _spent(ctx) + per_transaction <= per_month:
        outcome = _pay(watch, ctx, f"paying {per_transaction:g} yuan with {_spent(ctx):g} yuan spent this month", per_transaction, password=_password(declaration))
        if not outcome.allowed:
            return


@when("the child tries to pay one fen past the band's monthly cap")
def child_pays_past_band_month(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    assert ctx.band, "no age band given"
    amount = _yuan(ctx.band["payment_per_month_yuan"] - _spent(ctx) + FEN)
    _pay(watch, ctx, f"paying {amount:g} yuan with {_spent(ctx):g} yuan spent this month (one fen past the band's monthly cap)", amount, password=_password(declaration))


@when("the guardian sets payment limits above the band's caps")
def guardian_limits_above_band(watch: Watch, ctx: Context) -> None:
    assert ctx.band, "no age band given"
    watch.set_payment_limits(per_transaction_yuan=ctx.band["payment_per_transaction_yuan"] + 100, per_month_yuan=ctx.band["payment_per_month_yuan"] + 1000)


def _guardian_now(watch: Watch) -> datetime:
    """Trusted time as the guardian's calendar reads it (the trusted clock's own offset)."""
    return datetime.fromisoformat(watch.clock()["trusted"])


@when("the next day of the same month comes")
def next_day_same_month(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest) -> None:
    now = _guardian_now(watch)
    if (now + timedelta(days=1)).month != now.month:
        raise InconclusiveError(f"the baseline starts on the last day of its month ({now.date()}): there is no next day in the same month")
    pass_time(watch, declaration, request, 86400)


@when("the first day of the next month comes")
def first_day_next_month(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context) -> None:
    now = _guardian_now(watch)
    first = (now.replace(day=1) + timedelta(days=32)).replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    remaining = int((first - now).total_seconds())
    while remaining > 0:  # the test agent moves time at most a week at a time
        step = min(remaining, WEEK_S)
        pass_time(watch, declaration, request, step)
        remaining -= step
    # The payments of the last month no longer count toward this month's spending.
    for paid in _payments(ctx):
        paid["earlier_month"] = True


@when("the guardian's app tries to consent to the payment agreement shown")
def unbound_consent(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    agreement = watch.payment_agreement()
    attempt(ctx, "consenting to payments as the guardian with no guardian bound", lambda: watch.consent_payments(agreement_id=agreement["agreement_id"], password=_password(declaration)))


@when("the guardian's app tries to set payment limits")
def unbound_limits(watch: Watch, ctx: Context) -> None:
    attempt(ctx, "setting payment limits as the guardian with no guardian bound", lambda: watch.set_payment_limits(per_transaction_yuan=500, per_month_yuan=5000))


@when("the child factory-resets the watch with the guardian's code")
def child_resets_with_code(watch: Watch) -> None:
    # The code the guardian's app shows: a child who gets hold of it can wipe the watch to hide spending.
    code = watch.guardian_verification_code()
    watch.factory_reset(guardian_password=code)


# -- Then ------------------------------------------------------------------------------


@then("payments are off until the guardian consents")
def payments_off(watch: Watch) -> None:
    status = watch.payment_status()
    assert not status["enabled"] and not status["consented"], f"without the guardian's consent the payment status is {status}"


@then("the agreement shows its title, text, fees and provider")
def agreement_has_details(ctx: Context) -> None:
    agreement = ctx.values["agreement"]
    blank = [key for key in ("agreement_id", "title", "text", "fees", "provider") if not str(agreement.get(key) or "").strip()]
    assert not blank, f"the payment agreement shown has no {', '.join(blank)}: {agreement}"
    # A text that is only its title again tells the guardian nothing.
    assert agreement["text"].strip() != agreement["title"].strip(), f"the agreement's text is only its title: {agreement['text']!r}"


@then("no payment limits are set")
def no_limits(watch: Watch) -> None:
    status = watch.payment_status()
    now = (status.get("per_transaction_yuan"), status.get("per_month_yuan"))
    assert now == (None, None), f"with no guardian bound, payment limits were set: {now[0]} yuan a transaction, {now[1]} yuan a month"


@then(parsers.parse("the guardian's payment limits are still {per_transaction:g} yuan a transaction and {per_month:g} yuan a month"))
def payment_limits_still(watch: Watch, per_transaction: float, per_month: float) -> None:
    status = watch.payment_status()
    now = (status.get("per_transaction_yuan"), status.get("per_month_yuan"))
    assert now == (per_transaction, per_month), f"the payment limits are now {now[0]} yuan a transaction and {now[1]} yuan a month"


@then("the refused payment is not in the bill")
def refused_not_billed(watch: Watch, ctx: Context) -> None:
    # The bill may hold exactly the payments accepted before the one just judged.
    expected = [p for p in _payments(ctx) if p["attempt"] is not ctx.last]
    bill = watch.bill()
    assert len(bill) == len(expected), f"after {ctx.last.action} the bill holds {len(bill)} transaction(s), expected {len(expected)}: {bill}"


@then("the guardian's bill lists every payment the child made with its amount, time and merchant")
def bill_lists_payments(watch: Watch, ctx: Context) -> None:
    payments = _payments(ctx)
    assert payments, "the scenario made no payment"
    bill = watch.bill()
    unmatched = list(bill)
    for paid in payments:
        row = next((t for t in unmatched if _same(t, paid)), None)
        assert row is not None, f"the bill lacks the payment of {paid['amount_yuan']:g} yuan to {paid['merchant']} at {paid['at'].isoformat()}: {bill}"
        unmatched.remove(row)
        at = datetime.fromisoformat(row["at"])
        assert abs((at - paid["at"]).total_seconds()) <= BILL_TIME_SLACK_S, f"the bill dates the payment to {paid['merchant']} {row['at']}, but it was made at {paid['at'].isoformat()}"
    assert not unmatched, f"the bill has transactions the child did not make: {unmatched}"


@then("the store offers no likes, levels, visibility or ranking")
def no_standing_offers(watch: Watch, note) -> None:
    offers = watch.store_offers()
    standing = [o for o in offers if str(o.get("kind", "")).lower() in STANDING_KINDS]
    note("CSW-PAY-6 offers judged on the `kind` each offer gives (the watch's own word); paying for standing is judged by behaviour in the other scenarios")
    assert not standing, f"the store sells social standing: {standing}"
