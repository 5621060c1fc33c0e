"""The crash drill: kill -9 the emulator in the middle of a like load, restart it on the same database, and lose nothing acknowledged."""

from __future__ import annotations

from tests.load.running import run_load, verdicts


def test_every_acknowledged_like_survives_a_kill_9(tmp_path):
    # Half a second after the first like the bots' opening burst is at full rate: the kill lands among likes being
    # acknowledged; the children's likes, every few seconds each, keep coming after the restart.
    code, results = run_load(tmp_path / "crash", "--duration", "8", "--users", "24", "--spawn-rate", "100", "--mix", "bot=1,child=2",
                             "--population", "100", "--crash-at", "0.5")
    series, figures = results["series"], results["clauses"][0]["figures"]
    assert any("killed (SIGKILL) and restarted 1 time" in note for note in results["notes"]), results["notes"]
    outage = next(i for i, failed in enumerate(series["failures"]) if failed)  # the first second requests failed
    assert sum(series["likes"][max(0, outage - 1):outage + 1]) > 0, "likes were being acknowledged when the emulator was killed"
    assert sum(series["likes"][outage + 1:]) > 0, "likes were acknowledged after the restart"
    assert figures["unanswered_attempts"] > 0  # the outage really hit requests
    assert verdicts(results)["LOAD-1"] == "PASS", results["clauses"][0]["reason"]
    assert figures["lost"] == 0 and figures["extra_unexplained"] == 0
    assert code in (0, 2)
