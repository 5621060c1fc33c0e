"""Allure results shaped the way a reader of the standard looks for them.

allure-pytest-bdd labels a scenario with its Gherkin feature and reports
pytest's outcome. A reader of GB 46859 looks instead for the area (epic), the
clause (feature), the scenario (story), how much the clause weighs (severity),
the clause's entry in the harness's own report (a link), the DTP exchanges
that back the verdict, and the verdict itself: INCONCLUSIVE is Allure's
"broken", NOT_APPLICABLE its "skipped".

The harness records its verdict in `pytest_runtest_makereport`; this plugin's
wrapper is outermost, so it runs after both the harness and allure-pytest-bdd
have seen the phase, and restates allure's test result from the verdict.
A scenario settled before its steps ran (NOT_APPLICABLE, a feature probe
that failed) never reaches allure-pytest-bdd, which starts a test result only
when the first step is about to run: for those this plugin writes the result
itself, through Allure's own lifecycle (so masking still applies).
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from allure_commons.lifecycle import AllureLifecycle
from allure_commons.model2 import Label, Link, Status, StatusDetails
from allure_commons.types import AttachmentType, LabelType, Severity
from allure_commons.utils import host_tag, md5, now, platform_label, thread_tag, uuid4

from conformance.catalogue import Clause, Profile
from conformance.features import scenario_of
from conformance.results import ScenarioResult
from conformance.retries import ATTEMPT_KEY
from conformance.verdicts import Verdict

STATUS = {
    Verdict.PASS: Status.PASSED,
    Verdict.EVIDENCE_SUPPLIED: Status.PASSED,
    Verdict.FAIL: Status.FAILED,
    Verdict.EVIDENCE_MISSING: Status.FAILED,
    Verdict.INCONCLUSIVE: Status.BROKEN,
    Verdict.ERROR: Status.BROKEN,
    Verdict.NOT_APPLICABLE: Status.SKIPPED,
    Verdict.NOT_TESTED: Status.SKIPPED,
}
SEVERITY = {"mandatory": Severity.CRITICAL, "recommended": Severity.NORMAL}
# Labels this plugin states from the catalogue; allure-pytest-bdd's own (the Gherkin feature's name) give way.
RESTATED = {LabelType.EPIC, LabelType.FEATURE, LabelType.STORY, LabelType.SEVERITY}
TRANSCRIPT_NAME = "DTP transcript"


def clause_link(clause_id: str) -> str:
    """The clause's entry in the run's own HTML report (report.html sits beside the Allure report in the run folder)."""
    return f"report.html#{clause_id}"


def _area_label(profile: Profile, code: str) -> str:
    area = profile.areas.get(code)
    return f"{code} {area.en} · {area.zh}" if area else code


def _clause_label(clause: Clause) -> str:
    return f"{clause.id} {clause.title_en} · {clause.title_zh}"


def structure(test_result: Any, scenario: ScenarioResult, profile: Profile, story: str | None = None) -> None:
    """State the catalogue's structure and the harness's verdict on one Allure test result (story: the scenario's name)."""
    clauses = [profile.clauses[c] for c in scenario.clauses if c in profile.clauses]
    labels = [label for label in test_result.labels if label.name not in RESTATED]
    for code in dict.fromkeys(c.area for c in clauses):
        labels.append(Label(name=LabelType.EPIC, value=_area_label(profile, code)))
    labels += [Label(name=LabelType.FEATURE, value=_clause_label(c)) for c in clauses]
    labels.append(Label(name=LabelType.STORY, value=story or scenario.name))
    # The weightiest clause decides: a scenario that checks a mandatory clause is critical.
    severity = Severity.CRITICAL if any(c.mandatory for c in clauses) else SEVERITY.get(clauses[0].level if clauses else "", Severity.NORMAL)
    labels.append(Label(name=LabelType.SEVERITY, value=severity.value))
    test_result.labels = labels
    known = {link.url for link in test_result.links}
    test_result.links += [Link(type="link", url=clause_link(c.id), name=f"{c.id} in report.html") for c in clauses if clause_link(c.id) not in known]
    test_result.status = STATUS[scenario.verdict]
    if scenario.verdict in (Verdict.PASS, Verdict.EVIDENCE_SUPPLIED) and not scenario.reason:
        test_result.statusDetails = None
        return
    message = f"{scenario.verdict.value}: {scenario.reason}" if scenario.reason else scenario.verdict.value
    # pytest's traceback helps only with a harness bug; for a verdict on the device, the reason is the account.
    trace = test_result.statusDetails.trace if test_result.statusDetails and scenario.verdict == Verdict.ERROR else None
    test_result.statusDetails = StatusDetails(message=message, trace=trace)


def transcript_json(scenario: ScenarioResult) -> str:
    return json.dumps(scenario.transcript, ensure_ascii=False, indent=2)


def _scenario_source(item: pytest.Item) -> tuple[str, str, str, str]:
    """(feature file, feature name, scenario name, description) of a pytest-bdd item whose steps never ran."""
    info = scenario_of(item)
    name = info["name"] + (f" [{item.callspec.id}]" if hasattr(item, "callspec") else "")
    return info["feature_file"], info["feature"], name, info["description"]


class AllureStructure:
    """The pytest plugin: after each phase that recorded a scenario's verdict, put it and the structure into Allure."""

    def __init__(self, run: Any):
        self.run = run  # the ConformanceRun: its profile, and its scenario results as they are recorded
        self.own_lifecycle = AllureLifecycle()  # for scenarios allure-pytest-bdd never started

    def _listener(self, config: pytest.Config) -> Any:
        from allure_pytest_bdd.pytest_bdd_listener import PytestBDDListener

        return next((p for p in config.pluginmanager.get_plugins() if isinstance(p, PytestBDDListener)), None)

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        recorded = len(self.run.scenarios)
        attempted = len(item.stash.get(ATTEMPT_KEY, []))
        yield
        # Under --retries the plugin hands each attempt's verdict to the retry loop, which records the last one
        # after all attempts: each attempt is an Allure result of its own (Allure shows them as retries).
        attempts = item.stash.get(ATTEMPT_KEY, [])
        if len(attempts) > attempted:
            scenario = attempts[-1]
        elif len(self.run.scenarios) > recorded and self.run.scenarios[-1].nodeid == item.nodeid:
            scenario = self.run.scenarios[-1]
        else:
            return  # this phase recorded no verdict
        listener = self._listener(item.config)
        if listener is None:
            return
        uuid = listener.nodeid_to_uuid.get(item.nodeid)
        with listener.lifecycle.update_test_case(uuid=uuid) as test_result:
            started = test_result is not None and uuid is not None
            if started:
                structure(test_result, scenario, self.run.profile)
        if started:
            listener.lifecycle.attach_data(uuid4(), transcript_json(scenario), name=TRANSCRIPT_NAME, attachment_type=AttachmentType.JSON, parent_uuid=uuid)
        else:
            self._write_settled(item, scenario)

    def _write_settled(self, item: pytest.Item, scenario: ScenarioResult) -> None:
        """A whole Allure result for a scenario settled before its first step (allure-pytest-bdd made none)."""
        feature_file, feature_name, name, description = _scenario_source(item)
        lifecycle = self.own_lifecycle
        stop = now()
        with lifecycle.schedule_test_case() as test_result:
            test_result.name = name
            test_result.description = description or None
            test_result.fullName = f"{feature_file}:{name}"
            test_result.testCaseId = md5(test_result.fullName)
            test_result.historyId = md5(item.nodeid)
            test_result.titlePath = ["features", *os.path.dirname(feature_file).split(os.sep), feature_name or os.path.basename(feature_file)]
            test_result.start = stop - int(scenario.duration_s * 1000)
            test_result.stop = stop
            test_result.labels = [
                Label(name=LabelType.HOST, value=host_tag()), Label(name=LabelType.THREAD, value=thread_tag()),
                Label(name=LabelType.FRAMEWORK, value="pytest-bdd"), Label(name=LabelType.LANGUAGE, value=platform_label()),
                *(Label(name=LabelType.TAG, value=c) for c in scenario.clauses),
            ]
            structure(test_result, scenario, self.run.profile, story=name)
            uuid = test_result.uuid
        lifecycle.attach_data(uuid4(), transcript_json(scenario), name=TRANSCRIPT_NAME, attachment_type=AttachmentType.JSON, parent_uuid=uuid)
        lifecycle.write_test_case(uuid=uuid)


def structure_allure_results(config: pytest.Config, run: Any) -> None:
    """When the run writes Allure results (--alluredir), give them the catalogue's structure and the harness's verdicts."""
    if getattr(config.option, "allure_report_dir", None):
        config.pluginmanager.register(AllureStructure(run), "conformance-allure-structure")
