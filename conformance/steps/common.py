"""The shared vocabulary: the watch and its baseline, age bands from the profile, time passing, and attempts.

An *attempt* is an action that a control may refuse. Steps record it; the
Then steps judge it. A refusal is a normal answer; only a transport fault is
inconclusive.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from conformance.catalogue import Profile
from conformance.declaration import BASIC_FUNCTION_APPS, Declaration
from device_adapters.errors import InconclusiveError, Refused
from device_adapters.watch import Watch


@dataclass
class Attempt:
    action: str
    result: dict | None = None
    refusal: Refused | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


@dataclass
class Context:
    """What earlier steps of a scenario leave for later ones."""

    band: dict | None = None
    attempts: list[Attempt] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def last(self) -> Attempt:
        assert self.attempts, "the scenario made no attempt before judging one"
        return self.attempts[-1]


@pytest.fixture
def ctx() -> Context:
    return Context()


def attempt(ctx: Context, action: str, do: Callable[[], Any]) -> Attempt:
    """Run an action a control may refuse, and keep the outcome for the Then steps."""
    try:
        result = do()
        outcome = Attempt(action, result if isinstance(result, dict) else {"value": result})
    except Refused as refusal:
        outcome = Attempt(action, refusal=refusal)
    ctx.attempts.append(outcome)
    return outcome


def attempt_each(ctx: Context, items: list[str], describe: Callable[[str], str], do: Callable[[str], Any]) -> list[Attempt]:
    """Try the same action on every item (every app, every operation): a rule about "no app" is judged on each.

    The attempts are kept as the scenario's sweep, which the "every one of them" Then steps judge.
    """
    sweep = [attempt(ctx, describe(item), lambda item=item: do(item)) for item in items]
    ctx.values["sweep"], ctx.values["sweep_items"] = sweep, list(items)
    return sweep


def another_guardian_account(declaration: Declaration) -> str:
    """A guardian account id that is surely not the bound guardian's: the declared guardian's (IXIT) with something added."""
    return f"{declaration.ixit['guardian']['account']}-someone-else"


def gated_apps(watch: Watch, profile: Profile, *, exempt: tuple[str, ...] | list[str] = ()) -> list[str]:
    """Every package on the watch that a gate must stop: all but the basic functions, the guardian's component and `exempt`.

    Read as the tester sees it (hidden packages too): a package the launcher hides
    can still be reached by a link, and it must be stopped all the same.
    """
    spared = {BASIC_FUNCTION_APPS[f] for f in profile.param("basic_functions") if f in BASIC_FUNCTION_APPS} | {"guardian", *exempt}
    apps = [a["app_id"] for a in watch.apps(include_hidden=True, role="tester") if a["app_id"] not in spared]
    if not apps:
        raise InconclusiveError("the watch lists no app but the basic functions, so there is nothing to try the rule on")
    return apps


def pass_time(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, seconds: int) -> None:
    """Let `seconds` of device time pass: with the test clock where the device has one, else in real time."""
    from conformance.plugin import CLOCK_MODE_KEY

    if declaration.ixit["test_clock"]:
        request.node.stash[CLOCK_MODE_KEY] = "test clock"
        watch.advance_clock(seconds)
        return
    budget = float(declaration.ixit.get("max_wait_s", 900))
    if seconds > budget:
        raise InconclusiveError(f"the step needs {seconds} s of device time; without a test clock the run waits at most {budget:.0f} s (set a shorter limit or a test clock)")
    request.node.stash[CLOCK_MODE_KEY] = "real time"
    time.sleep(seconds)


def band_of(profile: Profile, band_id: str) -> dict:
    try:
        return profile.age_band(band_id)
    except KeyError as exc:
        raise AssertionError(str(exc)) from None


# -- Given ---------------------------------------------------------------------


@given("a watch bound to its guardian")
def bound_watch(watch: Watch) -> None:
    """The `watch` fixture already restored the baseline: guardian bound, consent given."""


@given(parsers.parse('the child is in age band "{band}"'))
def child_in_band(watch: Watch, declaration: Declaration, profile: Profile, ctx: Context, band: str) -> None:
    ctx.band = band_of(profile, band)
    watch.reset(start=declaration.ixit["baseline_start"], child_age=ctx.band["min_age"])


@given("a watch fresh out of the box")
def fresh_watch(watch: Watch, declaration: Declaration) -> None:
    watch.reset(start=declaration.ixit["baseline_start"], child_age=declaration.ixit.get("baseline_child_age", 9), setup="fresh")


# -- When ----------------------------------------------------------------------


@when(parsers.parse("{minutes:d} minutes pass"))
def minutes_pass(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, minutes: int) -> None:
    pass_time(watch, declaration, request, minutes * 60)


# The password the harness sets before a reboot, so that it can answer the power-on password as the child would.
REBOOT_PASSWORD = "Reboot-5317"


@when("the watch reboots")
def watch_reboots(watch: Watch) -> None:
    """Restart the watch and get past the power-on password (docs/protocol.md `device.reboot`), as the child who knows it."""
    try:
        watch.set_lock_password(REBOOT_PASSWORD)
    except Refused:
        watch.reboot()  # no guardian to set one: nothing to unlock with
        return
    watch.reboot()
    watch.unlock(REBOOT_PASSWORD)


# -- Then ----------------------------------------------------------------------


@then("the watch refuses")
def watch_refuses(ctx: Context) -> None:
    last = ctx.last
    assert not last.allowed, f"{last.action} was allowed: {last.result}"


@then("the watch refuses every one of them")
def watch_refuses_each(ctx: Context) -> None:
    sweep = ctx.values.get("sweep")
    assert sweep, "the scenario tried nothing on every app before judging them"
    allowed = [a.action for a in sweep if a.allowed]
    assert not allowed, f"{len(allowed)} of {len(sweep)} were allowed: {', '.join(allowed)}"


@then("the watch allows every one of them")
def watch_allows_each(watch: Watch, ctx: Context) -> None:
    sweep = ctx.values.get("sweep")
    assert sweep, "the scenario tried nothing on every item before judging them"
    # A package the launcher hides (a system service) need not open at all: only what the child is offered must.
    hidden = {a["app_id"] for a in watch.apps(include_hidden=True, role="tester") if not a["visible"]}
    items = ctx.values.get("sweep_items") or [None] * len(sweep)
    refused = [f"{a.action} ({a.refusal})" for a, item in zip(sweep, items, strict=True) if not a.allowed and item not in hidden]
    assert not refused, f"{len(refused)} of {len(sweep)} were refused: {', '.join(refused)}"


@then("the watch allows it")
def watch_allows(ctx: Context) -> None:
    last = ctx.last
    assert last.allowed, f"{last.action} was refused: {last.refusal}"
