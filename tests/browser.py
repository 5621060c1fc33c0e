"""Open a report in Debian's headless chromium with no network, take a screenshot, and say what the page tried to reach.

    screenshot(page)                    -> the PNG's path (beside the page unless `image` is given)
    screenshot(page, query="lang=zh")   the report in Chinese
    page_requests(...)                  the network requests the page itself made (none, for an offline report)
    blank_reason(image)                 why a screenshot shows nothing, or None

Every host name resolves to nothing (--host-resolver-rules), so a page that
tries to reach the network gets no answer, and chromium's net log records the
attempt. Chromium makes requests of its own (component updates, accounts):
those carry no page initiator ("not an origin") and are not the page's.
Set CONFORMANCE_SKIP_BROWSER=<reason> to skip the browser tests on a machine
without chromium; without it, a missing chromium fails them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome:", "chrome-extension:", "devtools:")
WINDOW = (1400, 1800)


def chromium() -> str:
    """The chromium command; fails the test (or skips it, with CONFORMANCE_SKIP_BROWSER=reason) when there is none."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = os.environ.get("CONFORMANCE_SKIP_BROWSER")
    if reason:
        pytest.skip(f"no chromium here, and CONFORMANCE_SKIP_BROWSER says: {reason}")
    pytest.fail("chromium is not installed (Debian: apt-get install chromium fonts-noto-cjk); set CONFORMANCE_SKIP_BROWSER=<reason> to skip the browser tests")


def has_chinese_font() -> bool:
    """Whether fontconfig knows a font for Chinese (without one, chromium draws Chinese text as boxes)."""
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True) if shutil.which("fc-list") else None
    return bool(listed and listed.stdout.strip())


class Shot:
    """A screenshot, the page's DOM once its scripts ran, and the net log of the visit that took them."""

    def __init__(self, image: Path, net_log: Path, dom: str):
        self.image = image
        self.net_log = net_log
        self.dom = dom

    def page_requests(self) -> list[str]:
        return page_requests(self.net_log)


def take(page: Path, image: Path | None = None, *, query: str = "", window: tuple[int, int] = WINDOW, settle_ms: int = 15000) -> Shot:
    """Visit `page` offline; screenshot it and dump its DOM after its scripts have had `settle_ms` of (virtual) time."""
    image = Path(image) if image else page.with_name(page.stem + (f"-{query.replace('=', '-')}" if query else "") + ".png")
    image.unlink(missing_ok=True)
    net_log = image.with_suffix(".netlog.json")
    url = page.resolve().as_uri() + (f"?{query}" if query else "")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        command = [
            chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND", f"--log-net-log={net_log}",
            f"--virtual-time-budget={settle_ms}", f"--window-size={window[0]},{window[1]}", "--hide-scrollbars",
            f"--screenshot={image}", "--dump-dom", url,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if not image.exists():
        raise AssertionError(f"chromium wrote no screenshot of {page} (exit {done.returncode}): {done.stderr[-1500:]}")
    return Shot(image, net_log, done.stdout)


def screenshot(page: Path, image: Path | None = None, *, query: str = "") -> Path:
    """The screenshot of `page`, opened offline in headless chromium; returns the PNG's path."""
    return take(page, image, query=query).image


def page_requests(net_log: Path) -> list[str]:
    """The URLs the page itself asked for over the network (not file:, data: ...), from chromium's net log."""
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in log.get("events", []):
        params = event.get("params") or {}
        url = params.get("url", "")
        if event.get("type") != start_job or not url or url.startswith(LOCAL_SCHEMES):
            continue
        if params.get("initiator") == "not an origin":
            continue  # chromium's own (component updater, accounts), not the page's
        urls.append(url)
    return sorted(set(urls))


def blank_reason(image: Path, *, min_inked: float = 0.01, min_colours: int = 8) -> str | None:
    """Why the screenshot shows nothing (one colour, or almost nothing but the background), or None when it shows a page."""
    from PIL import Image

    with Image.open(image) as opened:
        pixels = opened.convert("RGB")
    colours = pixels.getcolors(maxcolors=1 << 20) or []
    if len(colours) < min_colours:
        return f"{image.name} has only {len(colours)} colour(s)"
    background_count = max(count for count, _ in colours)
    inked = 1 - background_count / (pixels.width * pixels.height)
    if inked < min_inked:
        return f"{image.name} is {100 * (1 - inked):.1f}% background: the page drew almost nothing"
    return None
