"""Allure results of a real small run: the catalogue's structure, the harness's verdicts, the transcript of each scenario.

One in-process run on a basic watch whose clock cannot be driven, with one defect on: it gives a PASS (CSW-SAF-4),
a FAIL (CSW-SEC-1, downgrade_accepted), an INCONCLUSIVE (CSW-ADD-4: night hours need the test clock) and
NOT_APPLICABLE scenarios settled before their steps ran (CSW-APP-4: the basic watch has no app store).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conformance.catalogue import load_profile
from conformance.declaration import FIXTURES_DIR
from conformance.validation import run_suite

SELECTION = "CSW-SAF-4 or CSW-SEC-1 or CSW-ADD-4 or CSW-APP-4"


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("allure")
    declaration = yaml.safe_load((FIXTURES_DIR / "devices" / "basic.yaml").read_text(encoding="utf-8"))
    declaration["ixit"].update(test_clock=False, shortest_daily_limit_minutes=1, max_wait_s=5)
    device = folder / "basic-no-test-clock.yaml"
    device.write_text(yaml.safe_dump(declaration, allow_unicode=True), encoding="utf-8")
    run_suite(folder / "run", device=str(device), defects=("downgrade_accepted",), select=SELECTION, in_process=True, timeout_s=120)
    return folder / "run"


def _allure_results(run: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((run / "allure-results").glob("*-result.json"))]


def _scenarios(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "scenarios.jsonl").read_text(encoding="utf-8").splitlines()]


def _labels(result: dict, name: str) -> list[str]:
    return [label["value"] for label in result["labels"] if label["name"] == name]


def _clause(result: dict) -> str:
    [tag] = [t for t in _labels(result, "tag") if t.startswith("CSW-")]
    return tag


def test_every_scenario_gets_one_result_even_when_settled_before_its_steps(run):
    scenarios = _scenarios(run)
    results = _allure_results(run)
    assert len(results) == len(scenarios), f"{len(scenarios)} scenarios ran, {len(results)} Allure results"
    assert {s["verdict"] for s in scenarios} == {"PASS", "FAIL", "INCONCLUSIVE", "NOT_APPLICABLE"}, "the run did not give the four verdicts it is meant to"
    settled = [r for r in results if _clause(r) == "CSW-APP-4"]
    assert settled and all(not r["name"].startswith("test_") for r in settled), "a settled scenario is named after its test function"
    assert all(r.get("description") for r in settled), "a settled scenario lost its description"


def test_verdicts_map_to_allure_statuses(run):
    expected = {"PASS": "passed", "FAIL": "failed", "INCONCLUSIVE": "broken", "NOT_APPLICABLE": "skipped"}
    by_clause: dict[str, set[str]] = {}
    for result in _allure_results(run):
        by_clause.setdefault(_clause(result), set()).add(result["status"])
    verdicts: dict[str, set[str]] = {}
    for scenario in _scenarios(run):
        verdicts.setdefault(scenario["clauses"][0], set()).add(expected[scenario["verdict"]])
    assert by_clause == verdicts
    inconclusive = next(r for r in _allure_results(run) if r["status"] == "broken")
    assert inconclusive["statusDetails"]["message"].startswith("INCONCLUSIVE: ") and "test clock" in inconclusive["statusDetails"]["message"]
    assert "trace" not in inconclusive["statusDetails"], "a verdict on the device carries pytest's traceback"


def test_epic_feature_story_severity_and_link_follow_the_catalogue(run):
    profile = load_profile("gb-2027")
    anchors = (run / "report.html").read_text(encoding="utf-8")
    for result in _allure_results(run):
        clause = profile.clauses[_clause(result)]
        area = profile.areas[clause.area]
        assert _labels(result, "epic") == [f"{area.code} {area.en} · {area.zh}"]
        assert _labels(result, "feature") == [f"{clause.id} {clause.title_en} · {clause.title_zh}"]
        [story] = _labels(result, "story")
        assert story == result["name"] or story.startswith(result["name"] + " ["), (story, result["name"])  # an outline's row follows its name
        assert _labels(result, "severity") == ["critical" if clause.level == "mandatory" else "normal"]
        [link] = result["links"]
        assert link["url"] == f"report.html#{clause.id}"
        assert f'id="{clause.id}"' in anchors, f"report.html has no anchor for {clause.id}"
    assert {"critical", "normal"} <= {s for r in _allure_results(run) for s in _labels(r, "severity")}


def test_each_scenario_carries_its_dtp_transcript(run):
    transcripts = {}
    for scenario in _scenarios(run):
        transcripts.setdefault(scenario["clauses"][0], []).append(scenario["transcript"])
    for result in _allure_results(run):
        [attachment] = [a for a in result["attachments"] if a["name"] == "DTP transcript"]
        assert attachment["type"] == "application/json"
        exchanges = json.loads((run / "allure-results" / attachment["source"]).read_text(encoding="utf-8"))
        assert exchanges, f"{result['name']}: empty transcript"
        assert exchanges in transcripts[_clause(result)]
        assert all("request" in e and "reply" in e for e in exchanges)
