"""The load's plan and tally as plain data, the command's refusals, and Locust kept out of the harness process."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conformance.load.figures import percentile
from conformance.load.plan import LoadPlan, parse_mix
from conformance.load.tally import Tally, latency_bucket


def test_mix_parsing():
    assert parse_mix("child=4, bot=2,farmer") == {"child": 4, "bot": 2, "farmer": 1}
    assert parse_mix("child=0,bot=1") == {"bot": 1}
    for bad in ("robot=1", "bot=x", "bot=-1", "child=0", ""):
        with pytest.raises(ValueError):
            parse_mix(bad)


def test_friends_stay_below_the_cap_and_strangers_outnumber_the_headroom():
    plan = LoadPlan(population=1000, mix={"child": 4, "farmer": 2, "stranger": 1})
    accounts = plan.accounts_by_class(friend_cap=150)
    assert accounts["child"] + accounts["farmer"] <= 150 - plan.cap_headroom
    assert accounts["stranger"] > plan.cap_headroom
    assert all(n >= users for n, users in zip(accounts.values(), plan.users_by_class().values(), strict=True))


def test_plan_bounds():
    for bad in ({"users": 0}, {"duration_s": 0}, {"crash_at_s": 50.0, "duration_s": 40.0}, {"time_scale": -1}):
        with pytest.raises(ValueError):
            LoadPlan(**bad)


def test_tallies_merge_and_round_trip():
    a, b = Tally(), Tally()
    a.like_sent((1, "x"))
    a.like_answered("bot", (1, "x"), "ok", 100)
    a.timed(100.2, 3.14159, False)
    b.like_sent((2, "y"))
    b.close()  # still in flight when the process stopped
    merged = Tally.from_json(a.to_json())
    merged.merge(Tally.from_json(b.to_json()))
    assert merged.acknowledged == [(1, "x")] and merged.unanswered == [(2, "y")]
    assert merged.count(op="posts.like", outcome="ok") == 1 and merged.latency[100] == {3.1: 1}
    assert latency_bucket(456.0) == 460.0 and latency_bucket(0.0123) == 0.012


def test_percentiles_are_nearest_rank():
    histogram = {1.0: 50, 2.0: 45, 10.0: 4, 100.0: 1}
    assert [percentile(histogram, q) for q in (0.5, 0.95, 0.99, 1.0)] == [1.0, 2.0, 10.0, 100.0]
    assert percentile({}, 0.5) == 0.0


def test_harness_modules_never_import_locust():
    """Locust patches the interpreter with gevent: only its own processes may import it."""
    code = ("import sys; import conformance.cli, conformance.load.runner, conformance.load.report, conformance.load.audit; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('locust', 'gevent')))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_load_refuses_bad_options_and_remote_hosts(tmp_path):
    def load(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "conformance", "load", "--output", str(tmp_path), *args], capture_output=True, text=True, timeout=60)

    assert load("--mix", "robot=1").returncode == 4
    refused = load("--host", "http://192.0.2.10:8765")
    assert refused.returncode == 4 and "not a loopback address" in refused.stderr
