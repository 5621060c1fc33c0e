"""`conformance report --allure`: installs allure on first use, cuts out the analytics script, and says plainly what is missing.

These use stand-in `node`, `npm` and `allure` commands (shell scripts on PATH), so they need no Node; the real
Allure 3 build, opened in chromium, is tests/test_browser.py's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.reporting.allure_report import ALLURE_VERSION, AllureUnavailable, without_analytics

ROOT = Path(__file__).resolve().parent.parent

# What allure 3.18.0 puts in its single-file page, cut down: the analytics loader and its inline configuration.
ANALYTICS = """    <script async src="https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
        gtag('config', 'G-LNDJ3J7WT0', {"report": "awesome"});
    </script>
"""
PAGE = f'<html><head><script src="data:text/javascript;base64,AAAA"></script>\n{ANALYTICS}    <script async>window.allureReportData = {{}};</script></head><body></body></html>'

# A stand-in npm: `npm install --prefix DIR allure@V` makes DIR/node_modules/.bin/allure, which writes PAGE as index.html.
FAKE_NPM = """#!/bin/sh
echo "$@" >> "$NPM_CALLS"
[ -n "$NPM_FAILS" ] && { echo "npm ERR! network request to https://registry.npmjs.org/allure failed" >&2; exit 1; }
prefix=$3
mkdir -p "$prefix/node_modules/.bin" "$prefix/node_modules/allure"
echo '{"name": "allure", "version": "%(version)s"}' > "$prefix/node_modules/allure/package.json"
cat > "$prefix/node_modules/.bin/allure" <<'SCRIPT'
#!/bin/sh
# generate RESULTS --config FILE --output DIR
echo "$@" >> "$ALLURE_CALLS"
cp "$4" "$ALLURE_CONFIG_COPY"
mkdir -p "$6" && cp "$PAGE_FILE" "$6/index.html"
SCRIPT
chmod +x "$prefix/node_modules/.bin/allure"
"""


@pytest.fixture
def tools(tmp_path) -> dict:
    """PATH with stand-in node and npm only, a fresh cache folder, and a run folder holding one Allure result."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "node").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "npm").write_text(FAKE_NPM % {"version": ALLURE_VERSION})
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    core = tmp_path / "core"  # the few system commands the stand-ins use, and nothing else (no real node or npm)
    core.mkdir()
    for name in ("mkdir", "cp", "chmod", "cat"):
        (core / name).symlink_to(f"/bin/{name}")
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    run = tmp_path / "run"
    (run / "allure-results").mkdir(parents=True)
    (run / "allure-results" / "1-result.json").write_text('{"name": "a scenario", "status": "passed"}', encoding="utf-8")
    env = dict(os.environ, PATH=f"{bin_dir}:{core}", CONFORMANCE_CACHE=str(tmp_path / "cache"),
               NPM_CALLS=str(tmp_path / "npm-calls"), ALLURE_CALLS=str(tmp_path / "allure-calls"), PAGE_FILE=str(tmp_path / "page.html"),
               ALLURE_CONFIG_COPY=str(tmp_path / "allurerc.json"), PYTHONPATH=str(ROOT))
    return {"env": env, "run": run, "tmp": tmp_path, "bin": bin_dir}


def _report(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conformance", "report", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)


def test_first_use_installs_allure_into_the_cache_then_builds_one_file_without_analytics(tools):
    done = _report(tools["env"], "--allure", str(tools["run"]))
    assert done.returncode == 0, done.stderr
    prefix = tools["tmp"] / "cache" / f"allure-{ALLURE_VERSION}"
    assert f"installing the npm package allure {ALLURE_VERSION} into {prefix} (once)" in done.stdout
    assert done.stdout.strip().endswith(f"Allure report written to {tools['run'] / 'allure-report.html'} (one file, opens offline)")
    npm_calls = (tools["tmp"] / "npm-calls").read_text().splitlines()
    assert npm_calls == [f"install --prefix {prefix} --no-audit --no-fund --loglevel=error allure@{ALLURE_VERSION}"]
    config = json.loads((tools["tmp"] / "allurerc.json").read_text())
    assert config["plugins"]["awesome"]["options"]["singleFile"] is True
    page = (tools["run"] / "allure-report.html").read_text(encoding="utf-8")
    assert "googletagmanager" not in page and "gtag" not in page
    assert "window.allureReportData" in page and "data:text/javascript" in page, "more than the analytics was cut out"
    # The second time the cached package is used, and --output puts the file where asked.
    elsewhere = tools["tmp"] / "out" / "allure.html"
    again = _report(tools["env"], "--allure", str(tools["run"]), "--output", str(elsewhere))
    assert again.returncode == 0 and "installing" not in again.stdout, again.stdout + again.stderr
    assert elsewhere.exists() and len((tools["tmp"] / "npm-calls").read_text().splitlines()) == 1


def test_without_node_it_says_how_to_get_it_in_one_line(tools):
    (tools["bin"] / "node").unlink()
    done = _report(tools["env"], "--allure", str(tools["run"]))
    assert done.returncode == 4
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert "node is not installed" in done.stderr and "apt-get install nodejs npm" in done.stderr and "https://nodejs.org" in done.stderr
    assert not (tools["run"] / "allure-report.html").exists()


def test_an_npm_that_cannot_install_is_named_with_its_reason(tools):
    done = _report(dict(tools["env"], NPM_FAILS="1"), "--allure", str(tools["run"]))
    assert done.returncode == 4
    assert done.stderr.count("\n") == 1, done.stderr
    assert f"npm could not install allure {ALLURE_VERSION}" in done.stderr and "registry.npmjs.org/allure failed" in done.stderr


@pytest.mark.parametrize("problem", ["no folder", "no results", "no --allure"])
def test_bad_input_names_the_folder_and_field(tools, problem):
    run = tools["run"]
    args = ["--allure", str(run)]
    if problem == "no folder":
        args = ["--allure", str(run / "missing")]
    elif problem == "no results":
        (run / "allure-results" / "1-result.json").unlink()
    else:
        args = [str(run)]
    done = _report(tools["env"], *args)
    assert done.returncode == 4
    assert done.stderr.startswith(f"conformance: {run}") and "field '" in done.stderr and done.stderr.count("\n") == 1, done.stderr


def test_a_page_still_loading_analytics_is_refused():
    """Should a later allure load the tag another way, nothing is written rather than a page that calls out."""
    other_way = PAGE.replace(ANALYTICS, '<link rel="preload" href="https://www.googletagmanager.com/gtag/js">')
    with pytest.raises(AllureUnavailable, match="still loads Google Tag Manager"):
        without_analytics(other_way)
