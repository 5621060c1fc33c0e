"""The run's own HTML report and the Allure single file open offline in headless chromium and draw a page.

Fails when chromium is missing (Debian: apt-get install chromium fonts-noto-cjk), unless
CONFORMANCE_SKIP_BROWSER=<reason> is set; the Allure page also needs Node and npm (as `conformance report --allure` does).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.declaration import FIXTURES_DIR
from conformance.validation import run_suite
from tests import browser

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A small real run: passing, failing and not-applicable scenarios on a basic watch with one defect."""
    browser.chromium()
    folder = tmp_path_factory.mktemp("browser") / "run"
    run_suite(folder, device=str(FIXTURES_DIR / "devices" / "basic.yaml"), defects=("downgrade_accepted",), select="CSW-SAF-4 or CSW-SEC-1 or CSW-APP-4", in_process=True, timeout_s=120)
    return folder


def _offline_and_drawn(shot: browser.Shot) -> None:
    assert shot.page_requests() == [], f"the page asked the network for {shot.page_requests()}"
    problem = browser.blank_reason(shot.image)
    assert problem is None, problem


def test_html_report_opens_offline_in_english_and_chinese(run):
    _offline_and_drawn(browser.take(run / "report.html"))
    assert browser.has_chinese_font(), "no font for Chinese: the report's Chinese would be boxes (Debian: apt-get install fonts-noto-cjk)"
    _offline_and_drawn(browser.take(run / "report.html", query="lang=zh"))


def test_allure_single_file_opens_offline(run):
    if not (shutil.which("node") and shutil.which("npm")):
        # The same rule as for chromium: a missing tool fails the check unless it is skipped on purpose.
        reason = os.environ.get("CONFORMANCE_SKIP_BROWSER")
        if reason:
            pytest.skip(f"no Node here, and CONFORMANCE_SKIP_BROWSER says: {reason}")
        pytest.fail("the Allure report needs Node.js and npm (Debian: apt-get install nodejs npm)")
    done = subprocess.run([sys.executable, "-m", "conformance", "report", "--allure", str(run)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    page = run / "allure-report.html"
    assert done.stdout.strip().endswith(f"Allure report written to {page} (one file, opens offline)"), done.stdout
    shot = browser.take(page)
    _offline_and_drawn(shot)
    # Allure drew the run, grouped as the standard reads: the areas that ran, by code and name.
    for area in ("SEC Cybersecurity · 网络安全", "SAF Safety core · 安全核心功能", "APP Preinstalled apps, ads and installation · 预装应用、广告与安装"):
        assert area in shot.dom, f"the Allure page does not show the area {area}"


def test_a_page_that_calls_out_is_caught(tmp_path):
    """The net-log check is not blind: an image and a fetch from the network are both reported."""
    browser.chromium()
    page = tmp_path / "calls-out.html"
    page.write_text('<h1>calls out</h1><img src="https://example.com/pixel.png"><script>fetch("http://example.org/beacon")</script>', encoding="utf-8")
    shot = browser.take(page, settle_ms=3000)
    assert shot.page_requests() == ["http://example.org/beacon", "https://example.com/pixel.png"]


def test_a_blank_page_is_caught(tmp_path):
    browser.chromium()
    page = tmp_path / "blank.html"
    page.write_text("<html><body></body></html>", encoding="utf-8")
    assert browser.blank_reason(browser.screenshot(page)) is not None


def test_missing_chromium_fails_unless_skipped_on_purpose(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CONFORMANCE_SKIP_BROWSER", raising=False)
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium"):
        browser.chromium()
    monkeypatch.setenv("CONFORMANCE_SKIP_BROWSER", "no browser on this runner")
    with pytest.raises(pytest.skip.Exception, match="no browser on this runner"):
        browser.chromium()


def test_waivers_and_retries_are_visible_in_the_report(tmp_path):
    """One run with a waived FAIL and a scenario that passed on its retry: the page, opened offline, shows both."""
    from conformance.emulator_process import start_emulator
    from emulator.watch import ALL_FEATURES
    from tests.faults import FaultProxy

    browser.chromium()
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - clause: CSW-ADD-1\n    justification: The limit ships in firmware 2.4 (ticket FW-1182).\n"
        "    approved_by: Li Wei, compliance lead\n    expires: 2999-12-31\n", encoding="utf-8")
    features = [f for f in ALL_FEATURES if f != "ble"]
    with start_emulator(features=features, defects=["daily_limit_ignored"], token="emulator-test-agent-token") as emulator, \
            FaultProxy(emulator.address, "http_500", op="payment.pay", times=1) as proxy:
        device = tmp_path / "device.yaml"
        device.write_text((FIXTURES_DIR / "devices" / "emulator.yaml").read_text(encoding="utf-8").replace("address: embedded", f"address: {proxy.address}"), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "conformance", "run", "--device", str(device), "--select", "CSW-ADD-1 or CSW-PAY-3", "--waivers", str(waivers),
                               "--allow-mandatory-waivers", "--output", str(tmp_path / "run")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]  # the only FAIL is waived
    shot = browser.take(tmp_path / "run" / "report.html")
    _offline_and_drawn(shot)
    page = shot.dom
    assert "FW-1182" in page and "Li Wei" in page, "the waiver is not on the page"
    assert 'class="attempts"' in page and "HTTP 500" in page, "the retried scenario's attempts are not on the page"
    assert '<span class="retried"' in page, "the clause row does not say a scenario of it was retried"
