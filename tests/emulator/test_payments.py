"""The reference watch's payment controls, and their defects."""

from __future__ import annotations

import pytest

from emulator.rules.payments import AGREEMENT, DEFAULT_PAYMENT_PASSWORD

AGREEMENT_ID = AGREEMENT["agreement_id"]
PIN = DEFAULT_PAYMENT_PASSWORD


def consent(device, **extra) -> None:
    device.ok("payment.consent", "guardian", agreement_id=AGREEMENT_ID, **extra)


def pay(device, amount: float, *, kind: str = "purchase", purpose: str = "goods", password: str | None = PIN, merchant: str = "Book shop") -> dict:
    args = {"merchant": merchant, "amount_yuan": amount, "kind": kind, "purpose": purpose}
    if password is not None:
        args["password"] = password
    return device.send("payment.pay", "child", **args)


def has(result: dict, expected: dict) -> bool:
    return result.items() >= expected.items()


def code(reply: dict) -> str:
    assert not reply["ok"], reply
    return reply["error"]["code"]


def paid(reply: dict) -> str:
    assert reply["ok"], reply
    return reply["result"]["transaction_id"]


@pytest.fixture
def consented(device):
    consent(device)
    return device


# -- PAY-1: consent and the agreement ---------------------------------------------------


def test_agreement_has_its_details_for_guardian_and_child(device):
    for role in ("guardian", "child"):
        agreement = device.ok("payment.agreement", role)
        assert agreement["agreement_id"] == AGREEMENT_ID
        assert agreement["title"] and agreement["text"] and agreement["fees"] and agreement["provider"]
    assert device.refused("payment.agreement", "stranger") == "denied"


def test_child_request_waits_for_the_guardian(device):
    assert device.ok("payment.enable")["state"] == "pending_guardian"
    assert has(device.ok("payment.status", "guardian"), {"enabled": False, "consented": False, "requested": True})
    assert code(pay(device, 5)) == "consent_required"
    consent(device)
    assert device.ok("payment.status", "child")["enabled"] is True
    assert device.ok("payment.status", "guardian")["consented"] is True
    assert device.ok("payment.enable")["state"] == "enabled"
    paid(pay(device, 5))


def test_consent_must_name_the_current_agreement_and_only_the_guardian_gives_it(device):
    assert device.refused("payment.consent", "guardian", agreement_id="old-agreement") == "denied"
    assert device.refused("payment.consent", "guardian") == "bad_request"
    assert device.refused("payment.consent", "child", agreement_id=AGREEMENT_ID) == "denied"
    assert device.ok("payment.status", "guardian")["enabled"] is False


def test_consent_needs_a_bound_guardian(device):
    device.ok("agent.reset", "tester", start="2027-01-04T09:00:00+08:00", child_age=9, setup="fresh")
    assert device.refused("payment.consent", "guardian", agreement_id=AGREEMENT_ID) == "denied"


def test_guardian_chooses_the_payment_password(device):
    assert device.refused("payment.consent", "guardian", agreement_id=AGREEMENT_ID, password="12ab") == "bad_request"
    consent(device, password="424242")
    assert code(pay(device, 5)) == "bad_credentials"
    paid(pay(device, 5, password="424242"))
    status = device.ok("payment.status", "child")
    assert not any("password" in key for key in status)


def test_payment_without_consent_defect(make_device):
    device = make_device(defects=["payment_without_consent"])
    assert device.ok("payment.enable")["state"] == "enabled"
    assert has(device.ok("payment.status", "guardian"), {"enabled": True, "consented": False})
    paid(pay(device, 5))


def test_agreement_not_shown_defect(make_device):
    agreement = make_device(defects=["agreement_not_shown"]).ok("payment.agreement", "guardian")
    assert agreement["text"] == "" and not agreement["fees"] and not agreement["provider"]


def test_consent_any_agreement_defect(make_device):
    device = make_device(defects=["consent_any_agreement"])
    device.ok("payment.consent", "guardian", agreement_id="never-shown")
    assert device.ok("payment.status", "guardian")["enabled"] is True


# -- PAY-2: the guardian's limits -------------------------------------------------------


def test_guardian_limits_per_transaction_and_month(consented):
    device = consented
    device.ok("payment.set_limits", "guardian", per_transaction_yuan=20, per_month_yuan=30.5)
    assert device.ok("payment.status", "guardian")["per_month_yuan"] == 30.5
    assert code(pay(device, 20.01)) == "limit_exceeded"
    paid(pay(device, 20))
    paid(pay(device, 10.5))
    assert code(pay(device, 0.01)) == "limit_exceeded"
    device.ok("payment.set_limits", "guardian", per_transaction_yuan=None, per_month_yuan=None)
    paid(pay(device, 0.01))


def test_monthly_limit_renews_with_the_guardian_month(consented):
    device = consented
    device.ok("agent.reset", "tester", start="2027-01-31T21:00:00+08:00", child_age=9)
    consent(device)
    device.ok("payment.set_limits", "guardian", per_transaction_yuan=None, per_month_yuan=10)
    paid(pay(device, 10))
    assert code(pay(device, 1)) == "limit_exceeded"
    device.ok("clock.advance", "tester", seconds=10 * 3600)  # 07:00 on 1 February here, still January in UTC
    paid(pay(device, 10))


def test_limits_are_validated_and_guardian_only(device):
    assert device.refused("payment.set_limits", "guardian", per_transaction_yuan=-1, per_month_yuan=None) == "bad_request"
    assert device.refused("payment.set_limits", "guardian", per_transaction_yuan=1.234, per_month_yuan=None) == "bad_request"
    assert device.refused("payment.set_limits", "guardian", per_transaction_yuan="5", per_month_yuan=None) == "bad_request"
    assert device.refused("payment.set_limits", "guardian", per_transaction_yuan=True, per_month_yuan=None) == "bad_request"
    assert device.refused("payment.set_limits", "guardian", per_transaction_yuan=5) == "bad_request"
    assert device.refused("payment.set_limits", "child", per_transaction_yuan=None, per_month_yuan=None) == "denied"


def test_cap_per_transaction_only_defect(make_device):
    device = make_device(defects=["cap_per_transaction_only"])
    consent(device)
    device.ok("payment.set_limits", "guardian", per_transaction_yuan=20, per_month_yuan=30)
    paid(pay(device, 20))
    paid(pay(device, 20))
    assert code(pay(device, 21)) == "limit_exceeded"


def test_guardian_limit_ignored_defect(make_device):
    device = make_device(defects=["guardian_limit_ignored"])
    consent(device)
    device.ok("payment.set_limits", "guardian", per_transaction_yuan=5, per_month_yuan=5)
    paid(pay(device, 10))


# -- PAY-3: the bill --------------------------------------------------------------------


def test_bill_lists_every_transaction(consented):
    device = consented
    first = paid(pay(device, 0.5, merchant="Sticker stall"))
    device.ok("clock.advance", "tester", seconds=60)
    second = paid(pay(device, 12.3, merchant="Book shop"))
    bill = device.ok("payment.bill", "guardian")["transactions"]
    assert [t["transaction_id"] for t in bill] == [first, second]
    assert has(bill[0], {"amount_yuan": 0.5, "merchant": "Sticker stall", "kind": "purchase", "at": "2027-01-04T09:00:00+08:00"})
    assert bill[1]["at"] == "2027-01-04T09:01:00+08:00" and bill[1]["amount_yuan"] == 12.3


def test_refused_payments_are_not_billed_and_bill_is_guardian_only(consented):
    device = consented
    code(pay(device, 500))
    assert device.ok("payment.bill", "guardian")["transactions"] == []
    assert device.refused("payment.bill", "child") == "denied"
    assert device.refused("payment.bill", "stranger") == "denied"


def test_bill_survives_factory_reset(consented):
    device = consented
    paid(pay(device, 3))
    code_ = device.ok("guardian.verification_code", "guardian")["code"]
    device.ok("device.factory_reset", "guardian")
    device.ok("device.factory_reset", "child", guardian_password=code_)
    assert len(device.ok("payment.bill", "guardian")["transactions"]) == 1
    assert device.ok("payment.status", "guardian")["enabled"] is True


def test_wipe_drops_a_pending_request(device):
    device.ok("payment.enable")
    device.ok("device.factory_reset", "guardian")
    assert device.ok("payment.status", "guardian")["requested"] is False


def test_bill_omits_small_defect(make_device):
    device = make_device(defects=["bill_omits_small"])
    consent(device)
    paid(pay(device, 0.99))
    paid(pay(device, 1))
    assert [t["amount_yuan"] for t in device.ok("payment.bill", "guardian")["transactions"]] == [1]


def test_bill_erased_by_reset_defect(make_device):
    device = make_device(defects=["bill_erased_by_reset"])
    consent(device)
    paid(pay(device, 3))
    device.ok("device.factory_reset", "guardian")
    assert device.ok("payment.bill", "guardian")["transactions"] == []


# -- PAY-4: no top-up, no auto-renewal, no password-free payment -------------------------


def test_no_top_up_no_subscription_no_password_free(consented):
    device = consented
    assert code(pay(device, 10, kind="top_up")) == "not_allowed"
    assert code(pay(device, 10, kind="subscription")) == "not_allowed"
    assert code(pay(device, 10, password=None)) == "not_allowed"
    assert code(pay(device, 10, password="000000")) == "bad_credentials"
    assert code(pay(device, 10, kind="gift")) == "bad_request"
    assert device.ok("payment.bill", "guardian")["transactions"] == []


@pytest.mark.parametrize(("name", "kind", "password"), [
    ("top_up_allowed", "top_up", PIN),
    ("auto_renew_allowed", "subscription", PIN),
    ("password_free_payment", "purchase", None),
])
def test_pay4_defects(make_device, name, kind, password):
    device = make_device(defects=[name])
    consent(device)
    paid(pay(device, 10, kind=kind, password=password))
    assert device.ok("payment.bill", "guardian")["transactions"][0]["kind"] == kind


# -- PAY-5: age-band caps ---------------------------------------------------------------


def _aged(make_device, age: int, defects: tuple[str, ...] = ()):
    device = make_device(defects=list(defects))
    device.ok("agent.reset", "tester", start="2027-01-04T09:00:00+08:00", child_age=age)
    consent(device)
    return device


def test_no_paid_services_under_eight(make_device):
    device = _aged(make_device, 7)
    assert code(pay(device, 0.01)) == "not_allowed"
    assert [o["price_yuan"] for o in device.ok("store.offers")["offers"]]  # the catalogue is still shown


def test_age_band_caps_apply_without_guardian_limits(make_device):
    device = _aged(make_device, 9)
    assert code(pay(device, 50.01)) == "limit_exceeded"
    for _ in range(4):
        paid(pay(device, 50))
    assert code(pay(device, 0.01)) == "limit_exceeded"


def test_guardian_limit_above_the_age_cap_does_not_lift_it(make_device):
    device = _aged(make_device, 12)
    device.ok("payment.set_limits", "guardian", per_transaction_yuan=500, per_month_yuan=5000)
    assert code(pay(device, 60)) == "limit_exceeded"


def test_older_band(make_device):
    device = _aged(make_device, 16)
    paid(pay(device, 100))
    assert code(pay(device, 100.01)) == "limit_exceeded"


def test_age_caps_ignored_defect(make_device):
    paid(pay(_aged(make_device, 6, ("age_caps_ignored",)), 5))
    paid(pay(_aged(make_device, 9, ("age_caps_ignored",)), 80))


def test_age_month_cap_ignored_defect(make_device):
    device = _aged(make_device, 9, ("age_month_cap_ignored",))
    for _ in range(5):
        paid(pay(device, 50))
    assert code(pay(device, 51)) == "limit_exceeded"


# -- PAY-6: no buying of social standing ------------------------------------------------


def test_social_standing_cannot_be_bought(consented):
    device = consented
    for purpose in ("likes", "level", "visibility", "ranking", "followers"):
        assert code(pay(device, 1, purpose=purpose)) == "not_allowed"
    offers = device.ok("store.offers")["offers"]
    assert offers and all(o.keys() >= {"offer_id", "title", "kind", "price_yuan"} for o in offers)
    assert not {o["kind"] for o in offers} & {"likes", "level", "visibility", "ranking"}


@pytest.mark.parametrize(("name", "purpose"), [("likes_for_sale", "likes"), ("levels_for_sale", "level"), ("visibility_for_sale", "visibility"), ("visibility_for_sale", "ranking")])
def test_pay6_defects(make_device, name, purpose):
    device = make_device(defects=[name])
    consent(device)
    assert {o["kind"] for o in device.ok("store.offers")["offers"]} & {"likes", "level", "visibility"}
    paid(pay(device, 1, purpose=purpose))


# -- features, roles, gates -------------------------------------------------------------


def test_models_without_payments(make_device):
    device = make_device(features=["social_feed", "app_store"])
    assert device.refused("payment.agreement", "guardian") == "unsupported"
    assert device.refused("payment.pay", "child", merchant="x", amount_yuan=1, kind="purchase", purpose="goods") == "unsupported"
    assert all(o["price_yuan"] == 0 for o in device.ok("store.offers")["offers"])
    assert make_device(features=["app_store"]).refused("store.offers") == "unsupported"


def test_payment_arguments_and_other_children(consented):
    device = consented
    assert code(pay(device, 0)) == "bad_request"
    assert code(pay(device, 1.005)) == "bad_request"
    assert code(pay(device, float("inf"))) == "bad_request"
    assert code(pay(device, 1, merchant=" ")) == "bad_request"
    assert device.refused("payment.pay", "child", account="child-2", merchant="x", amount_yuan=1, password=PIN) == "denied"
    assert device.refused("payment.enable", "child", account="child-2") == "denied"
    assert device.refused("payment.pay", "guardian", merchant="x", amount_yuan=1, password=PIN) == "denied"


def test_wallet_follows_the_app_gates(consented):
    device = consented
    device.ok("apps.set_enabled", "guardian", app_id="wallet", enabled=False)
    assert code(pay(device, 1)) == "disabled"
    device.ok("apps.set_enabled", "guardian", app_id="wallet", enabled=True)
    device.ok("clock.advance", "tester", seconds=13 * 3600 + 60)  # 22:01
    assert code(pay(device, 1)) == "curfew"
