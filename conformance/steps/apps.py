"""Preinstalled apps and installation: harmful and generative-AI packages, splash-screen ads, side-loading, malware, the guardian's approval.

The package list is read as the tester sees it (every package, hidden or
not): a game hidden from the launcher is the usual way a preinstalled game
escapes a look at the screen.
"""

from __future__ import annotations

from pytest_bdd import parsers, then, when

from conformance.catalogue import Profile
from conformance.steps.common import Context, attempt
from device_adapters.watch import AppInfo, Watch

GENERATIVE_AI = "generative_ai"


def _category(kind: str) -> str:
    """The protocol's category id for a kind written in the feature ("generative-AI" -> generative_ai)."""
    return kind.strip().lower().replace("-", "_").replace(" ", "_")


def _packages(watch: Watch) -> list[AppInfo]:
    """Every package on the device, including those the launcher hides."""
    return watch.apps(include_hidden=True, role="tester")


def _packages_in(watch: Watch, categories: set[str]) -> list[str]:
    return [f"{a['app_id']} ({a['category']}{'' if a['visible'] else ', hidden'})" for a in _packages(watch) if a["category"] in categories]


def _store_install(watch: Watch, ctx: Context, app_id: str, category: str, signature: str = "valid") -> None:
    attempt(ctx, f"installing {app_id} ({category}) from the store", lambda: watch.install_app(app_id, name=app_id, category=category, signature=signature))


# -- what is on the watch --------------------------------------------------------


@then("no package on the watch, hidden from the launcher or not, is of a category the profile deems harmful")
def no_harmful_packages(watch: Watch, profile: Profile) -> None:
    found = _packages_in(watch, set(profile.param("harmful_app_categories")))
    assert not found, f"harmful apps on the watch: {', '.join(found)}"


@then("no package on the watch, hidden from the launcher or not, is a generative-AI app")
def no_generative_ai_packages(watch: Watch) -> None:
    found = _packages_in(watch, {GENERATIVE_AI})
    assert not found, f"generative-AI apps on the watch: {', '.join(found)}"


@then(parsers.parse('"{app_id}" is not installed on the watch'))
def not_installed(watch: Watch, app_id: str) -> None:
    present = [a for a in _packages(watch) if a["app_id"] == app_id]
    assert not present, f"{app_id} is on the watch after being refused: {present[0]}"


# -- installing --------------------------------------------------------------------


@when(parsers.parse('the child tries to install the {kind} app "{app_id}" from the store'))
def child_installs_from_store(watch: Watch, ctx: Context, kind: str, app_id: str) -> None:
    _store_install(watch, ctx, app_id, _category(kind))


@when(parsers.parse('the child tries to install "{app_id}" from the store, a package flagged as malicious'))
def child_installs_malicious(watch: Watch, ctx: Context, app_id: str) -> None:
    _store_install(watch, ctx, app_id, "tool", signature="malicious")


@when(parsers.parse('the child tries to side-load the {kind} app "{app_id}"'))
def child_sideloads(watch: Watch, ctx: Context, kind: str, app_id: str) -> None:
    # A package copied onto the watch from outside the store, as gray-market sellers do.
    attempt(ctx, f"side-loading {app_id}", lambda: watch.install_app(app_id, name=app_id, category=_category(kind), source="sideload"))


@when("the child tries to install from the store an app of each category the profile deems harmful")
def child_installs_harmful(watch: Watch, profile: Profile, ctx: Context) -> None:
    categories = profile.param("harmful_app_categories")
    assert categories, "the profile lists no harmful app category"
    ctx.values["harmful_installs"] = []
    for category in categories:
        app_id = f"conformance.{category}"
        ctx.values["harmful_installs"].append(app_id)
        _store_install(watch, ctx, app_id, category)
    # Judged by the shared "the watch refuses every one of them" (conformance/steps/common.py).
    ctx.values["sweep"] = ctx.attempts[-len(categories):]


@then("none of them is installed on the watch")
def none_installed(watch: Watch, ctx: Context) -> None:
    tried = set(ctx.values.get("harmful_installs", []))
    present = [a["app_id"] for a in _packages(watch) if a["app_id"] in tried]
    assert not present, f"installed after being refused: {', '.join(present)}"


# -- the guardian's approval -------------------------------------------------------


@when(parsers.parse('the guardian approves "{app_id}"'))
def guardian_approves(watch: Watch, app_id: str) -> None:
    watch.approve_app(app_id)


@when(parsers.parse('the child tries to approve "{app_id}" itself'))
def child_approves(watch: Watch, ctx: Context, app_id: str) -> None:
    attempt(ctx, f"the child approving {app_id}", lambda: watch.approve_app(app_id, role="child"))


# -- splash-screen ads -------------------------------------------------------------


@when("the child opens each preinstalled app in the launcher")
def child_opens_each_preinstalled(watch: Watch, ctx: Context) -> None:
    preinstalled = [a["app_id"] for a in watch.apps() if a["preinstalled"]]
    assert preinstalled, "the launcher shows no preinstalled app"
    for app_id in preinstalled:
        attempt(ctx, f"opening {app_id}", lambda app_id=app_id: watch.open_app(app_id))
        watch.close_app()


@then("none of them showed a splash-screen ad")
def no_splash_ads(ctx: Context) -> None:
    opened = [a for a in ctx.attempts if a.allowed]
    # A watch that opened nothing would pass vacuously.
    assert opened, f"no preinstalled app opened: {'; '.join(str(a.refusal) for a in ctx.attempts)}"
    ads = [a.action.removeprefix("opening ") for a in opened if a.result and a.result.get("splash_ad")]
    assert not ads, f"splash-screen ad on opening: {', '.join(ads)}"
