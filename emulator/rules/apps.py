"""Apps: what is preinstalled, installing (store and side-loading), the guardian's approval, disabling, opening."""

from __future__ import annotations

import unicodedata

from emulator.defects import defect, variant
from emulator.operations import Refusal, operation
from emulator.store import table
from emulator.watch import BASIC_APPS, Call, ReferenceWatch, gate, on_reset

table(
    """CREATE TABLE IF NOT EXISTS apps (
        app_id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL,
        preinstalled INTEGER NOT NULL, visible INTEGER NOT NULL, enabled INTEGER NOT NULL,
        state TEXT NOT NULL, source TEXT NOT NULL, splash_ad INTEGER NOT NULL DEFAULT 0,
        system INTEGER NOT NULL DEFAULT 0)"""
)

HARMFUL_CATEGORIES = ("game", "web_novel", "short_video", "live_streaming")
# The store's own knowledge of what a package is, whatever category its listing claims:
# publishers' package prefixes and words in names (the store's data, not the harness's catalogue).
STORE_KNOWN_HARMFUL_PREFIXES = (
    "com.tencent.tmgp.", "com.happyelements.", "com.king.", "com.supercell.", "com.mihoyo.", "com.roblox.",
    "com.dragon.read", "com.qq.reader", "com.webnovel.", "com.ss.android.ugc.", "com.zhiliaoapp.", "com.smile.gifmaker", "com.kuaishou.",
    "com.duowan.kiwi", "air.tv.douyu.", "tv.twitch.",
)
STORE_KNOWN_HARMFUL_WORDS = ("消消乐", "王者荣耀", "小说", "抖音", "快手", "直播", "candy crush", "webnovel", "tiktok", "twitch")

HIDDEN_GAME = defect("preinstalled_game_hidden", ["CSW-APP-1"], "A game is preinstalled but hidden from the launcher.")
SHORT_VIDEO = defect("preinstalled_short_video", ["CSW-APP-1"], "A short-video app is preinstalled and visible.")
SPLASH_AD = defect("splash_ad", ["CSW-APP-2"], "The preinstalled content app opens with a splash-screen advertisement.")
SIDELOAD = defect("sideload_allowed", ["CSW-APP-3"], "Apps can be side-loaded from outside the store.")
SIDELOAD_ONE_CHANNEL = defect("sideload_blocked_on_one_channel_only", ["CSW-APP-3"], "Only the watch's own package installer is blocked: a package pushed over USB or opened from a web link installs.")
MALWARE = defect("malware_not_detected", ["CSW-APP-3"], "A package flagged as malicious installs like any other.")
NO_APPROVAL = defect("install_without_approval", ["CSW-APP-4"], "A newly installed app is usable before the guardian approves it.", collateral={'CSW-APP-5': 'a generative-AI app the child installs becomes usable without the guardian like any other'})
AI_CHAT = defect("preinstalled_ai_chat", ["CSW-APP-5"], "A generative-AI chat app is preinstalled.")
AI_INSTALL = defect("ai_install_unblockable", ["CSW-APP-5"], "The guardian's approval of generative-AI apps is skipped: they install ready to use.")
DISABLE_IGNORED = defect("app_disable_ignored", ["CSW-ADD-7"], "An app the guardian disabled still opens.", collateral={"CSW-ADD-8": "that disabled apps survive a factory reset is judged by their still not opening, which a disabling never enforced cannot do"})
STORE_HARMFUL = defect("store_installs_harmful_apps", ["CSW-APP-1"], "The app store installs games, web novels, short video and live streaming like any other app.")
REINSTALL_RESETS = defect("reinstall_resets_usage", ["CSW-ADD-6"], "Used time is kept in the app's own data, so uninstalling and reinstalling the app clears today's count.")
GAME_AS_EDUCATION = defect("preinstalled_game_as_education", ["CSW-APP-1"], "A match-three game is preinstalled under the category education with a study-like name (单词消消乐, com.tencent.tmgp.wordmatch).")
STORE_TRUSTS_CATEGORY = defect("store_trusts_declared_category", ["CSW-APP-1"], "The store judges an app only by the category its listing claims: a game listed as education installs.")
REINSTALL_SKIPS_APPROVAL = defect("reinstall_skips_approval", ["CSW-APP-4"], "An app the child uninstalls and installs again is usable at once, even one the guardian never approved.")
BASIC_REMOVABLE = defect("phone_removable", ["CSW-ADD-1"], "The phone app is not protected as a system app: the child can uninstall it, and calling the guardian is gone.")
REINSTALL_REENABLES = defect("reinstall_reenables_app", ["CSW-ADD-7"], "An app the guardian disabled comes back enabled when the child uninstalls and reinstalls it.")
REENABLE_FORGOTTEN = defect("reinstall_forgets_reenabling", ["CSW-ADD-7"], "The watch remembers every app the guardian ever disabled but not its enabling it again: such an app comes back disabled when the child reinstalls it.")
STORELESS_DEFAULT_INSTALLS = defect(
    "storeless_model_installs_by_default",
    ["CSW-APP-4"],
    "On the model without an app store only a request naming the store is answered unsupported: an install by the default source is served from the store anyway, so the declaration hides the store's clauses.",
    collateral={c: "its store scenarios cannot be set aside on a model whose declaration hides the store it has" for c in ("CSW-ADD-6", "CSW-ADD-7", "CSW-APP-1", "CSW-APP-3", "CSW-APP-5", "CSW-PRI-3")},
    device="basic",
)
GUARDIAN_REMOVABLE = defect("guardian_component_removable", ["CSW-SEC-3"], "The child can uninstall or force-stop the guardian component.")
STOP_ANY_STOPS_SUPERVISION = defect("supervision_in_shared_process", ["CSW-SEC-3"], "Supervision runs in the preinstalled apps' shared process: force-stopping any of them (the stopwatch, maths ...) switches it off.")
UNINSTALL_ANY_DROPS_SUPERVISION = defect(
    "uninstall_drops_supervision",
    ["CSW-SEC-3"],
    "Uninstalling any app re-provisions the device and drops the guardian's profile with it.",
    collateral={"CSW-ADD-6": "uninstalling an app to reinstall it drops the guardian's daily limit with supervision, so the day's time comes back"},
)

STRICTER = variant("stricter_apps", "The store offers only its own catalogue: an app it does not list is refused (not_found), harmful ones as not_allowed; every reinstalled app waits for the guardian's approval again.")
# What the stricter store lists besides the preinstalled apps: the ordinary apps the scenarios install.
STORE_CATALOGUE = ("pocket.dictionary", "ai.chat.buddy", "cleaner.boost")

# (app_id, name, category, system, feature)
PREINSTALLED = [
    ("phone", "Phone", "basic", 1, None),
    ("sos", "Emergency", "basic", 1, None),
    ("locate", "Location", "basic", 1, None),
    ("guardian", "Guardian service", "system", 1, None),
    ("settings", "Settings", "system", 1, None),
    ("camera", "Camera", "tool", 0, None),
    ("stopwatch", "Stopwatch", "tool", 0, None),
    ("maths", "Maths practice", "education", 0, None),
    ("social", "Friends", "social", 0, "social_feed"),
    ("content", "Kids' library", "content", 0, "content_service"),
    ("wallet", "Wallet", "payment", 0, "payments"),
    ("assistant", "Voice helper", "assistant", 0, "ai_assistant"),
    ("store", "App store", "store", 0, "app_store"),
]


@on_reset
def _preinstall(w: ReferenceWatch, args: dict) -> None:
    for app_id, name, category, system, feature in PREINSTALLED:
        if app_id == "phone" and w.defective(BASIC_REMOVABLE):
            system = 0
        if feature is None or w.has(feature):
            _insert(w, app_id, name, category, preinstalled=1, visible=1, state="installed", source="factory", system=system)
    if w.defective(HIDDEN_GAME):
        _insert(w, "fun.game.pets", "Pet party", "game", preinstalled=1, visible=0, state="installed", source="factory")
    if w.defective(SHORT_VIDEO):
        _insert(w, "video.shorts", "Shorts", "short_video", preinstalled=1, visible=1, state="installed", source="factory")
    if w.defective(AI_CHAT):
        _insert(w, "ai.chat", "Chat with AI", "generative_ai", preinstalled=1, visible=1, state="installed", source="factory")
    if w.defective(GAME_AS_EDUCATION):
        _insert(w, "com.tencent.tmgp.wordmatch", "单词消消乐", "education", preinstalled=1, visible=1, state="installed", source="factory")
    if w.defective(SPLASH_AD):
        w.store.execute("UPDATE apps SET splash_ad = 1 WHERE app_id = 'content' OR app_id = 'maths'")


def _insert(w: ReferenceWatch, app_id: str, name: str, category: str, *, preinstalled: int, visible: int, state: str, source: str, system: int = 0, enabled: int = 1) -> None:
    w.store.execute(
        "INSERT OR REPLACE INTO apps(app_id, name, category, preinstalled, visible, enabled, state, source, system) VALUES(?,?,?,?,?,?,?,?,?)",
        (app_id, name, category, preinstalled, visible, enabled, state, source, system),
    )


def _disabled_by_guardian(w: ReferenceWatch) -> list[str]:
    """Apps the guardian made unavailable: a guardian's control, so it outlives the app's removal."""
    return w.store.doc("disabled_apps", {"apps": []})["apps"]


def _remember_disabled(w: ReferenceWatch, app_id: str, disabled: bool) -> None:
    apps = [a for a in _disabled_by_guardian(w) if a != app_id] + ([app_id] if disabled else [])
    w.store.put_doc("disabled_apps", {"apps": apps})


def app_row(w: ReferenceWatch, app_id: str):
    row = w.store.one("SELECT * FROM apps WHERE app_id = ?", (app_id,))
    if row is None:
        raise Refusal("not_found", f"no app {app_id}")
    return row


@gate
def _installed_and_enabled(w: ReferenceWatch, call: Call, app_id: str) -> None:
    row = w.store.one("SELECT enabled, state FROM apps WHERE app_id = ?", (app_id,))
    if row is None:
        raise Refusal("not_found", f"no app {app_id}")
    if row["state"] == "pending" and not w.defective(NO_APPROVAL):
        raise Refusal("approval_required", f"{app_id} waits for the guardian's approval")
    if not row["enabled"] and not w.defective(DISABLE_IGNORED):
        raise Refusal("disabled", f"the guardian made {app_id} unavailable")


def _describe(row) -> dict:
    return {
        "app_id": row["app_id"], "name": row["name"], "category": row["category"], "preinstalled": bool(row["preinstalled"]),
        "visible": bool(row["visible"]), "enabled": bool(row["enabled"]), "state": row["state"],
    }


@operation("apps.list", roles=("child", "guardian", "tester"))
def apps_list(w: ReferenceWatch, call: Call) -> dict:
    # Only the tester (inspecting the package manager) sees hidden packages.
    everything = call.role == "tester" and call.arg("include_hidden", bool, False)
    rows = w.store.rows("SELECT * FROM apps" + ("" if everything else " WHERE visible = 1") + " ORDER BY app_id")
    return {"apps": [_describe(r) for r in rows]}


@operation("apps.install", roles=("child",))
def apps_install(w: ReferenceWatch, call: Call) -> dict:
    app_id, name, category = call.arg("app_id", str), call.arg("name", str), call.arg("category", str)
    source, signature = call.arg("source", str, "store"), call.arg("signature", str, "valid")
    off_store = source == "sideload" if w.defective(SIDELOAD_ONE_CHANNEL) else source != "store"
    if off_store and not w.defective(SIDELOAD):
        raise Refusal("not_allowed", "apps install only from the store")
    if source == "store" and not w.has("app_store") and ("source" in call.args or not w.defective(STORELESS_DEFAULT_INSTALLS)):
        raise Refusal("unsupported", "this model has no app store")
    if signature == "malicious" and not w.defective(MALWARE):
        raise Refusal("blocked", f"{app_id} was identified as malicious")
    known = {a for (a, *_) in PREINSTALLED} | set(STORE_CATALOGUE)
    if source == "store" and w.varies(STRICTER) and app_id not in known and not _known_harmful(app_id, name):
        raise Refusal("not_found", f"the store does not offer {app_id}")
    harmful = category in HARMFUL_CATEGORIES or (not w.defective(STORE_TRUSTS_CATEGORY) and _known_harmful(app_id, name))
    if harmful and not w.defective(STORE_HARMFUL):
        raise Refusal("not_allowed" if w.varies(STRICTER) else "blocked", f"{app_id} is not offered to children")
    reinstalled = _installed_before(w, app_id)
    ready = w.defective(NO_APPROVAL) or (category == "generative_ai" and w.defective(AI_INSTALL)) or (reinstalled and w.defective(REINSTALL_SKIPS_APPROVAL))
    if reinstalled == "approved" and not w.varies(STRICTER):
        ready = True  # the guardian approved this app before: the reference watch remembers it
    _remember_install(w, app_id)
    enabled = 0 if app_id in _disabled_by_guardian(w) and not w.defective(REINSTALL_REENABLES) else 1
    _insert(w, app_id, name, category, preinstalled=0, visible=1, state="installed" if ready else "pending", source=source, enabled=enabled)
    return {"app_id": app_id, "state": "installed" if ready else "pending"}


def _known_harmful(app_id: str, name: str) -> bool:
    name = unicodedata.normalize("NFKC", name).lower()
    return app_id.lower().startswith(STORE_KNOWN_HARMFUL_PREFIXES) or any(word in name for word in STORE_KNOWN_HARMFUL_WORDS)


def _install_history(w: ReferenceWatch) -> dict:
    return w.store.doc("install_history") or {}


def _installed_before(w: ReferenceWatch, app_id: str) -> str | None:
    """'approved' or 'pending' if the child installed this app before (and since removed it), else None."""
    return _install_history(w).get(app_id)


def _remember_install(w: ReferenceWatch, app_id: str, state: str | None = None) -> None:
    history = _install_history(w)
    history[app_id] = state or history.get(app_id, "pending")
    w.store.put_doc("install_history", history)


@operation("apps.approve", roles=("guardian",))
def apps_approve(w: ReferenceWatch, call: Call) -> dict:
    app_row(w, call.arg("app_id", str))
    w.store.execute("UPDATE apps SET state = 'installed' WHERE app_id = ?", (call.args["app_id"],))
    if call.args["app_id"] in _install_history(w):
        _remember_install(w, call.args["app_id"], "approved")
    return {}


def _protect_system(w: ReferenceWatch, row, action: str) -> None:
    if row["system"] and not (row["app_id"] == "guardian" and w.defective(GUARDIAN_REMOVABLE)):
        raise Refusal("not_allowed", f"{row['app_id']} is part of the system and cannot be {action}")


@operation("apps.uninstall", roles=("child", "guardian"))
def apps_uninstall(w: ReferenceWatch, call: Call) -> dict:
    row = app_row(w, call.arg("app_id", str))
    _protect_system(w, row, "uninstalled")
    w.store.execute("DELETE FROM apps WHERE app_id = ?", (row["app_id"],))
    if w.defective(REINSTALL_RESETS):
        w.store.execute("DELETE FROM documents WHERE name = 'usage'")
    if row["app_id"] == "guardian" or w.defective(UNINSTALL_ANY_DROPS_SUPERVISION):
        supervision_off(w)
    return {}


@operation("apps.force_stop", roles=("child",))
def apps_force_stop(w: ReferenceWatch, call: Call) -> dict:
    row = app_row(w, call.arg("app_id", str))
    _protect_system(w, row, "stopped")
    if row["app_id"] == "guardian" or w.defective(STOP_ANY_STOPS_SUPERVISION):
        supervision_off(w)
    return {}


def supervision_off(w: ReferenceWatch) -> None:
    """The guardian component is gone: nothing enforces the guardian's controls any more."""
    w.store.execute("DELETE FROM documents WHERE name = 'controls'")
    binding = w.store.doc("binding")
    binding["guardian"] = None
    w.store.put_doc("binding", binding)


@operation("apps.open", roles=("child",))
def apps_open(w: ReferenceWatch, call: Call) -> dict:
    app_id = call.arg("app_id", str)
    row = app_row(w, app_id)
    w.check_app(call, app_id)
    device = w.store.doc("device")
    device["foreground"] = app_id
    w.store.put_doc("device", device)
    return {"app_id": app_id, "splash_ad": bool(row["splash_ad"])}


@operation("apps.close", roles=("child",))
def apps_close(w: ReferenceWatch, call: Call) -> dict:
    device = w.store.doc("device")
    device["foreground"] = None
    w.store.put_doc("device", device)
    return {}


@operation("apps.set_enabled", roles=("guardian",))
def apps_set_enabled(w: ReferenceWatch, call: Call) -> dict:
    row = app_row(w, call.arg("app_id", str))
    enabled = call.arg("enabled", bool)
    if row["app_id"] in BASIC_APPS and not enabled:
        raise Refusal("not_allowed", "basic functions stay available")
    w.store.execute("UPDATE apps SET enabled = ? WHERE app_id = ?", (int(enabled), row["app_id"]))
    if not enabled or not w.defective(REENABLE_FORGOTTEN):
        _remember_disabled(w, row["app_id"], not enabled)
    return {}
