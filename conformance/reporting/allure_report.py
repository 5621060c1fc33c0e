"""The Allure 3 report of a run, as one HTML file that opens offline: `conformance report --allure RUN_DIR`.

Allure 3 is the npm package `allure` (Node, no Java). It is installed on first
use into the harness's cache folder, not into the project, so a lab that never
asks for an Allure report never needs Node. Its single-file report embeds a
Google Tag Manager script (ALLURE_NO_ANALYTICS does not stop it): the script
is cut out, and a report that still names Google Tag Manager afterwards is
refused rather than written, so the page never calls out.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from conformance.datafile import ConfigError

ALLURE_VERSION = "3.18.0"
REPORT_NAME = "allure-report.html"  # beside report.html in the run folder, so a clause's link (report.html#<id>) resolves
NODE_HINT = "install Node.js with npm (Debian: apt-get install nodejs npm; otherwise https://nodejs.org) and run this again"

# The analytics loader and the inline script that configures it (the only inline script that calls gtag).
_TAG_LOADER = re.compile(r'<script\b[^>]*\bsrc="https://www\.googletagmanager\.com/[^"]*"[^>]*>\s*</script>\s*', re.IGNORECASE)
_TAG_CONFIG = re.compile(r"<script>(?:(?!</script>).)*?\bgtag\((?:(?!</script>).)*?</script>\s*", re.DOTALL)


class AllureUnavailable(Exception):
    """The Allure report cannot be built here (no Node, npm could not install the package, or Allure failed); says why."""


def cache_dir() -> Path:
    return Path(os.environ.get("CONFORMANCE_CACHE") or Path.home() / ".cache" / "gb46859-conformance")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise AllureUnavailable(f"the Allure report needs Node.js and npm, and {name} is not installed: {NODE_HINT}")
    return path


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def allure_command() -> Path:
    """The `allure` command of ALLURE_VERSION, installed into the cache folder with npm the first time."""
    _tool("node")
    prefix = cache_dir() / f"allure-{ALLURE_VERSION}"
    command = prefix / "node_modules" / ".bin" / "allure"
    package = prefix / "node_modules" / "allure" / "package.json"
    try:
        installed = json.loads(package.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        installed = None
    if installed == ALLURE_VERSION and command.exists():
        return command
    npm = _tool("npm")
    prefix.mkdir(parents=True, exist_ok=True)
    print(f"installing the npm package allure {ALLURE_VERSION} into {prefix} (once)", flush=True)
    done = subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error", f"allure@{ALLURE_VERSION}"],
                          capture_output=True, text=True)
    if done.returncode != 0 or not command.exists():
        raise AllureUnavailable(f"npm could not install allure {ALLURE_VERSION} into {prefix}: {_last_line(done.stderr or done.stdout)}")
    return command


def without_analytics(html: str) -> str:
    """The page with its Google Tag Manager scripts cut out; refused if any reference to it is left."""
    html = _TAG_CONFIG.sub("", _TAG_LOADER.sub("", html))
    if "googletagmanager" in html.lower():
        raise AllureUnavailable(f"the report allure {ALLURE_VERSION} made still loads Google Tag Manager after the analytics script was cut out; nothing was written")
    return html


def results_folder(run_dir: Path) -> Path:
    """The run's allure-results, refused with a plain reason when there is none to build from."""
    if not run_dir.is_dir():
        raise ConfigError(run_dir, "RUN_DIR", "is not a folder (give the folder a run wrote, e.g. reports/<run-id>)")
    results = run_dir / "allure-results"
    if not results.is_dir() or not any(results.glob("*-result.json")):
        raise ConfigError(run_dir, "RUN_DIR", "holds no Allure results (allure-results/*-result.json): `conformance run` writes them")
    return results


def build_allure_report(run_dir: Path, output: Path | None = None) -> Path:
    """Write the run's Allure 3 single-file report (default RUN_DIR/allure-report.html) and return its path."""
    results = results_folder(run_dir)
    output = output or run_dir / REPORT_NAME
    if output.is_dir():
        raise ConfigError(output, "--output", "is a folder; give the path of the HTML file to write")
    command = allure_command()
    with tempfile.TemporaryDirectory(prefix="allure-report-") as work:
        config = Path(work) / "allurerc.json"
        config.write_text(json.dumps({
            "name": f"GB 46859-2025 conformance: {run_dir.name}",
            # The tree a reader of the standard expects: area (epic), then clause (feature), then its scenarios.
            "plugins": {"awesome": {"options": {"singleFile": True, "reportLanguage": "en", "groupBy": ["epic", "feature"]}}},
        }), encoding="utf-8")
        out = Path(work) / "report"
        done = subprocess.run([str(command), "generate", str(results.resolve()), "--config", str(config), "--output", str(out)],
                              capture_output=True, text=True, cwd=work, env=dict(os.environ, ALLURE_NO_ANALYTICS="1", NO_COLOR="1"))
        page = out / "index.html"
        if done.returncode != 0 or not page.exists():
            raise AllureUnavailable(f"allure {ALLURE_VERSION} could not build the report from {results}: {_last_line(done.stderr or done.stdout)}")
        html = without_analytics(page.read_text(encoding="utf-8"))
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.write_text(html, encoding="utf-8")
    os.replace(partial, output)
    return output
