"""Preinstalled apps and installation: harmful and generative-AI packages, splash-screen ads, side-loading, malware, the guardian's approval.

The package list is read as the tester sees it (every package, hidden or
not): a game hidden from the launcher is the usual way a preinstalled game
escapes a look at the screen. What a package is, is judged on what can be
seen of it: its package id and name against the harness's versioned catalogue
of harmful apps (fixtures/app_catalogue/harmful-apps.yaml), besides the
category the watch reports, which is only the watch's word.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import yaml
from pytest_bdd import parsers, then, when

from conformance.catalogue import Profile
from conformance.declaration import FIXTURES_DIR
from conformance.steps.common import Context, attempt, attempt_each
from device_adapters.errors import InconclusiveError
from device_adapters.watch import AppInfo, Watch

GENERATIVE_AI = "generative_ai"
CATALOGUE_FILE = FIXTURES_DIR / "app_catalogue" / "harmful-apps.yaml"
_CJK = re.compile(r"[\u3400-\u9fff]")


# -- the harmful-app catalogue ------------------------------------------------------


@dataclass(frozen=True)
class HarmfulApps:
    """The catalogue as loaded: per category, package-id patterns, names and examples."""

    label: str  # name, version, date and sha256, for every finding
    categories: dict[str, dict]

    def matches(self, app: AppInfo, categories: set[str]) -> list[str]:
        """What in the catalogue `app` matches, restricted to `categories` ("game: package com.tencent.tmgp.*")."""
        app_id = str(app.get("app_id", "")).lower()
        name = unicodedata.normalize("NFKC", str(app.get("name", ""))).lower()
        found = []
        for category in sorted(categories & set(self.categories)):
            entry = self.categories[category]
            found += [f"{category}: package {p}" for p in entry.get("packages", []) if fnmatch.fnmatchcase(app_id, p.lower())]
            names = entry.get("names", {})
            found += [f"{category}: name {n}" for n in names.get("zh", []) if n.lower() in name.replace(" ", "")]
            found += [f"{category}: name {n}" for n in names.get("en", []) if re.search(rf"(?<![a-z0-9]){re.escape(n.lower())}(?![a-z0-9])", name)]
        return found

    def examples(self, category: str) -> list[dict]:
        return list(self.categories.get(category, {}).get("examples", []))


@lru_cache(maxsize=1)
def harmful_apps() -> HarmfulApps:
    raw = CATALOGUE_FILE.read_bytes()
    data = yaml.safe_load(raw)
    label = f"catalogue {data['catalogue']} v{data['version']} of {data['date']}, sha256 {hashlib.sha256(raw).hexdigest()}"
    return HarmfulApps(label, data["categories"])


def _category(kind: str) -> str:
    """The protocol's category id for a kind written in the feature ("generative-AI" -> generative_ai)."""
    return kind.strip().lower().replace("-", "_").replace(" ", "_")


def _packages(watch: Watch) -> list[AppInfo]:
    """Every package on the device, including those the launcher hides."""
    return watch.apps(include_hidden=True, role="tester")


def _packages_in(watch: Watch, categories: set[str]) -> list[str]:
    """Every package that is harmful by what can be seen of it (id, name) or by the category the watch reports."""
    found = []
    for app in _packages(watch):
        reasons = harmful_apps().matches(app, categories)
        if app["category"] in categories:
            reasons.append(f"reported category {app['category']}")
        if reasons:
            found.append(f"{app['app_id']} '{app.get('name')}' ({app['category']}{'' if app['visible'] else ', hidden'}; {'; '.join(reasons)})")
    return found


def _judged_how(note, clause: str) -> None:
    note(
        f"{clause} judged on every package's id and name against the {harmful_apps().label}, and on the category the watch reports "
        "(its own word); what an app does once opened is not observable through the protocol, so a harmful app under an unknown id and an innocent name is not found"
    )


def _store_install(watch: Watch, ctx: Context, app_id: str, category: str, signature: str = "valid") -> None:
    attempt(ctx, f"installing {app_id} ({category}) from the store", lambda: watch.install_app(app_id, name=app_id, category=category, signature=signature))


# -- what is on the watch --------------------------------------------------------


@then("no package on the watch, hidden from the launcher or not, is of a category the profile deems harmful")
def no_harmful_packages(watch: Watch, profile: Profile, note) -> None:
    found = _packages_in(watch, set(profile.param("harmful_app_categories")))
    _judged_how(note, "CSW-APP-1")
    assert not found, f"harmful apps on the watch ({harmful_apps().label}): {', '.join(found)}"


@then("no package on the watch, hidden from the launcher or not, is a generative-AI app")
def no_generative_ai_packages(watch: Watch, note) -> None:
    found = _packages_in(watch, {GENERATIVE_AI})
    _judged_how(note, "CSW-APP-5")
    assert not found, f"generative-AI apps on the watch ({harmful_apps().label}): {', '.join(found)}"


@then(parsers.parse('"{app_id}" is not installed on the watch'))
def not_installed(watch: Watch, app_id: str) -> None:
    present = [a for a in _packages(watch) if a["app_id"] == app_id]
    assert not present, f"{app_id} is on the watch after being refused: {present[0]}"


# -- installing --------------------------------------------------------------------


@when(parsers.parse('the child tries to install the {kind} app "{app_id}" from the store'))
def child_installs_from_store(watch: Watch, ctx: Context, kind: str, app_id: str) -> None:
    _store_install(watch, ctx, app_id, _category(kind))


@when(parsers.parse('the child installs the tool app "{app_id}" from the store'))
def child_installs_ordinary(watch: Watch, ctx: Context, app_id: str) -> None:
    """An ordinary app the approval rule is tried on. A store may not offer it (its catalogue is its own): then there is nothing to judge."""
    outcome = attempt(ctx, f"installing {app_id} (tool) from the store", lambda: watch.install_app(app_id, name=app_id, category="tool"))
    if not outcome.allowed:
        raise InconclusiveError(f"the store refused the ordinary app {app_id} ({outcome.refusal}): the approval rule cannot be tried on it")


@when(parsers.parse('the child uninstalls "{app_id}" and installs it again from the store'))
def child_reinstalls_pending(watch: Watch, ctx: Context, app_id: str) -> None:
    watch.uninstall_app(app_id)
    attempt(ctx, f"reinstalling {app_id} (tool) from the store", lambda: watch.install_app(app_id, name=app_id, category="tool"))


@when(parsers.parse('the child tries to install "{app_id}" from the store, a package flagged as malicious'))
def child_installs_malicious(watch: Watch, ctx: Context, app_id: str) -> None:
    _store_install(watch, ctx, app_id, "tool", signature="malicious")


# Ways a package reaches the watch from outside its store (docs/protocol.md `apps.install`: any source but "store"):
# the watch's own package installer, a file copied from a computer, a link sent by a seller.
OFF_STORE_SOURCES = ("sideload", "usb", "web")


@when(parsers.parse('the child tries to side-load the {kind} app "{app_id}" through each channel outside the store'))
def child_sideloads(watch: Watch, ctx: Context, kind: str, app_id: str) -> None:
    """As gray-market sellers do; a watch that blocks one channel and not another is open all the same."""
    attempt_each(ctx, list(OFF_STORE_SOURCES), lambda source: f"side-loading {app_id} from {source}",
                 lambda source: watch.install_app(app_id, name=app_id, category=_category(kind), source=source))


@when("the child tries to install from the store an app of each category the profile deems harmful")
def child_installs_harmful(watch: Watch, profile: Profile, ctx: Context) -> None:
    categories = profile.param("harmful_app_categories")
    assert categories, "the profile lists no harmful app category"
    ctx.values["harmful_installs"] = []
    for category in categories:
        app_id = f"conformance.{category}"
        ctx.values["harmful_installs"].append(app_id)
        _store_install(watch, ctx, app_id, category)
    # Judged by the shared "the watch refuses every one of them" (conformance/steps/common.py): any refusal will do.
    ctx.values["sweep"] = ctx.attempts[-len(categories):]


@when(parsers.parse("the child tries to install from the store every example of the catalogue's harmful kinds, each declared as {kind}"))
def child_installs_disguised(watch: Watch, profile: Profile, ctx: Context, kind: str) -> None:
    """The store judges a package by what it is (its id and name), not by the category the request claims."""
    category = _category(kind)
    examples = {e["id"]: e for c in profile.param("harmful_app_categories") for e in harmful_apps().examples(c)}
    assert examples, f"the {harmful_apps().label} has no example for the profile's harmful categories"
    ctx.values["harmful_installs"] = list(examples)
    attempt_each(ctx, list(examples), lambda i: f"installing {i} '{examples[i]['name']}' declared as {category}",
                 lambda i: watch.install_app(i, name=examples[i]["name"], category=category))


@then("none of them is installed on the watch")
def none_installed(watch: Watch, ctx: Context) -> None:
    tried = {t.lower() for t in ctx.values.get("harmful_installs", [])}
    present = [a["app_id"] for a in _packages(watch) if str(a["app_id"]).lower() in tried]
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
    # At the test baseline every app in the launcher came with the watch, whatever its `preinstalled` flag says.
    preinstalled = [a["app_id"] for a in watch.apps()]
    assert preinstalled, "the launcher shows no preinstalled app"
    for app_id in preinstalled:
        attempt(ctx, f"opening {app_id}", lambda app_id=app_id: watch.open_app(app_id))
        watch.close_app()


@then("none of them showed a splash-screen ad")
def no_splash_ads(ctx: Context, note) -> None:
    opened = [a for a in ctx.attempts if a.allowed]
    # A watch that opened nothing would pass vacuously.
    assert opened, f"no preinstalled app opened: {'; '.join(str(a.refusal) for a in ctx.attempts)}"
    ads = [a.action.removeprefix("opening ") for a in opened if a.result and a.result.get("splash_ad")]
    note("CSW-APP-2 judged on the `splash_ad` flag apps.open returns, the watch's own word: what the screen shows on opening is not observable through the protocol")
    assert not ads, f"splash-screen ad on opening: {', '.join(ads)}"
