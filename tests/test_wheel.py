"""A release is a wheel: installed into a fresh environment, it runs from any folder, with no checkout.

The wheel is built from this tree; the fresh venv gets it with `--no-deps`
and borrows the dependencies of the environment running the tests (a .pth
line to its site-packages, appended after the venv's own), so what is
under test is the wheel's own content: its features, fixtures and schemas.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a fresh venv holding only the wheel built from this tree."""
    base = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(base / "dist"), str(CHECKOUT)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (base / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "conformance/shipped/fixtures/devices/emulator.yaml" in names and any(n.startswith("conformance/shipped/features/") and n.endswith(".feature") for n in names)
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    installing = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], capture_output=True, text=True, timeout=300)
    assert installing.returncode == 0, installing.stderr[-2000:]
    own_site = subprocess.run([str(bin_dir / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], capture_output=True, text=True, check=True).stdout.strip()
    (Path(own_site) / "zz-test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return bin_dir


def _outside_checkout(bin_dir: Path, folder: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CONFORMANCE_FEATURES")}
    return subprocess.run([str(bin_dir / "conformance"), *args], cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_installed_package_is_the_wheel_not_the_checkout(installed, tmp_path):
    where = subprocess.run([str(installed / "python"), "-c", "import conformance.shipped as s; print(s.shipped_folder('features'))"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(installed.parent) and Path(where).is_dir(), where


def test_the_wheel_runs_the_whole_suite_from_an_empty_folder(installed, tmp_path):
    ran = _outside_checkout(installed, tmp_path, "run", "--in-process", "--run-id", "from-wheel")
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    results = json.loads((tmp_path / "reports" / "from-wheel" / "results.json").read_text(encoding="utf-8"))
    assert sum(len(c["scenarios"]) for c in results["clauses"]) > 150
    assert {c["verdict"] for c in results["clauses"]} <= {"PASS", "EVIDENCE_SUPPLIED"}


def test_the_wheel_lists_validates_and_serves_from_an_empty_folder(installed, tmp_path):
    listing = _outside_checkout(installed, tmp_path, "list", "--device", "basic", "--json")
    assert listing.returncode == 0, listing.stderr
    rows = json.loads(listing.stdout)
    assert any(row["scenarios"] for row in rows)
    defects = _outside_checkout(installed, tmp_path, "emulator", "--list-defects")
    assert defects.returncode == 0 and "daily_limit_ignored" in defects.stdout, defects.stderr
    caught = _outside_checkout(installed, tmp_path, "run", "--in-process", "--defect", "daily_limit_ignored", "--select", "CSW-ADD-1", "--output", "broken")
    assert caught.returncode == 1, caught.stdout[-2000:] + caught.stderr[-2000:]
    assert "CSW-ADD-1" in caught.stdout and (tmp_path / "broken" / "report.html").is_file()
