"""The pytest plugin: options, the `watch` fixture, clause markers, applicability, and verdict collection.

Loaded by `conformance run`, or by `pytest -p conformance.plugin` on the suite.
"""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conformance import __version__
from conformance.applicability import missing_features, not_applicable_reason, observe_features, unchecked_reason
from conformance.bundle import bundle_at_run_end
from conformance.carry_over import carried_results
from conformance.catalogue import Profile, load_profile
from conformance.datafile import ConfigError
from conformance.declaration import DEFAULT_DECLARATION, Declaration, load_declaration
from conformance.emulator_process import start_emulator
from conformance.features import scenario_of
from conformance.in_process import in_process_transport
from conformance.provenance import run_inputs
from conformance.reporting.allure import mask_allure_results
from conformance.reporting.allure_structure import structure_allure_results
from conformance.reporting.progress import for_terminal
from conformance.results import RunResults, ScenarioResult, StepRecord, judge_clauses, write_json
from conformance.retries import ATTEMPT_KEY
from conformance.run_record import open_scenario_log
from conformance.verdicts import Verdict, from_exception, reason_of
from conformance.waivers import apply_waivers, load_waivers
from device_adapters import registry
from device_adapters.errors import InconclusiveError
from device_adapters.watch import Watch

CLAUSE_ID = re.compile(r"^CSW-[A-Z]{3}-\d+$")
NEEDS_TAG = re.compile(r"^needs_([a-z_]+)$")
# Resume and rerun, and retries after a transport fault: plugins of their own, with their own options.
pytest_plugins = ["conformance.carry_over", "conformance.retries"]
STEP_MODULES = ["conformance.steps.common", "conformance.steps.addiction", "conformance.steps.apps", "conformance.steps.payments", "conformance.steps.content", "conformance.steps.privacy", "conformance.steps.social", "conformance.steps.security", "conformance.steps.safety", "conformance.steps.physical"]

SCENARIO_KEY = pytest.StashKey[dict]()
STEPS_KEY = pytest.StashKey[list]()
OUTCOME_KEY = pytest.StashKey[tuple]()
TRANSCRIPT_SLICE_KEY = pytest.StashKey[list]()
MARK_KEY = pytest.StashKey[int]()
WATCH_KEY = pytest.StashKey[Watch]()
CLOCK_MODE_KEY = pytest.StashKey[str]()
NOTES_KEY = pytest.StashKey[list]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "GB 46859-2025 conformance")
    group.addoption("--device", default=str(DEFAULT_DECLARATION), help="device declaration YAML (default: the embedded reference emulator)")
    group.addoption("--profile", default="gb-2027", help="profile name or YAML path (default gb-2027)")
    group.addoption("--tailoring", action="append", default=[], help="a lab's tailoring layer (YAML), applied last; repeatable")
    group.addoption("--output", default=None, help="directory for results.json and the reports")
    group.addoption("--run-id", default=None, help="name of this run (default: a timestamp)")
    group.addoption("--defect", action="append", default=[], help="start the embedded emulator with this defect (self-validation)")
    group.addoption("--variant", action="append", default=[], help="start the embedded emulator with this conformant variant (self-validation)")
    group.addoption("--in-process", action="store_true", help="run the embedded emulator inside this process, without HTTP (same steps and Watch API)")
    group.addoption("--no-bundle", action="store_true", help="write no evidence bundle (bundle.zip) at the end")
    group.addoption("--sign-key", default=None, help="sign the evidence bundle's manifest with this Ed25519 private key (PEM)")
    group.addoption("--waivers", default=None, help="a waiver file (YAML): a waived FAIL stays FAIL in the reports but does not set the exit status")
    group.addoption("--audit", action="store_true", help="an audit run (what a regulator runs): no waiver is accepted")
    group.addoption("--allow-mandatory-waivers", action="store_true", help="accept waivers on mandatory clauses (marked loudly in every report)")


class ConformanceRun:
    """What one run knows: its profile, declaration, output, and the scenario results so far."""

    def __init__(self, config: pytest.Config):
        opt = config.option
        try:
            self.profile: Profile = load_profile(opt.profile, [Path(p) for p in opt.tailoring])
            self.declaration: Declaration = load_declaration(opt.device)
            self.waivers = load_waivers(opt.waivers, self.profile, audit=opt.audit, allow_mandatory=opt.allow_mandatory_waivers)
        except ConfigError as exc:
            raise pytest.UsageError(str(exc)) from exc
        # The embedded emulator's switches: defects (break a rule) and variants (conformant variations).
        self.defects = list(opt.defect) + list(self.declaration.emulator.get("defects", []))
        self.variants = list(opt.variant) + list(self.declaration.emulator.get("variants", []))
        self.mask = self.declaration.masker  # every piece of evidence goes through it before it is written
        self.run_id = opt.run_id or datetime.now().strftime("%Y%m%d-%H%M%S")
        self.output = Path(opt.output) if opt.output else Path("reports") / self.run_id
        # Made by this run, unless only allure's plugin got there first (it makes its folder at configure time).
        self.made_output = not self.output.exists() or [p.name for p in self.output.iterdir()] == ["allure-results"] and not any((self.output / "allure-results").iterdir())
        self.output.mkdir(parents=True, exist_ok=True)
        # A resumed or rerun run starts from the results it keeps of the earlier one (conformance/carry_over.py).
        self.scenarios: list[ScenarioResult] = list(carried_results(config))
        self.partial = open_scenario_log(self.output / "scenarios.jsonl", self.scenarios)
        self.started = time.time()
        self.device_identity: dict = {}
        self.results: RunResults | None = None
        self.rerun_of: dict | None = None  # set by conformance/carry_over.py for a --rerun run

    def record(self, result: ScenarioResult) -> None:
        """Keep a scenario's verdict, on disk at once, so a broken run loses nothing."""
        self.scenarios.append(result)
        self.partial.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        self.partial.flush()

    def discard(self) -> None:
        """Leave nothing behind but folders that were there before: the run did not happen."""
        self.partial.close()
        for path in (self.output / "scenarios.jsonl", self.output / "pytest.log", self.output / "run.json"):
            path.unlink(missing_ok=True)
        allure = self.output / "allure-results"
        if allure.is_dir() and not any(allure.iterdir()):
            allure.rmdir()
        if self.made_output and not any(self.output.iterdir()):
            self.output.rmdir()

    def finish(self, interrupted: bool) -> RunResults:
        self.partial.close()
        now = time.time()
        iso = lambda t: datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds")  # noqa: E731
        self.results = RunResults(
            run_id=self.run_id, started=iso(self.started), finished=iso(now), duration_s=now - self.started,
            harness_version=__version__, profile=self.profile, declaration=self.declaration.redacted(),
            # The scenarios were masked as they were recorded; the device's own words are masked here.
            device_identity=self.mask(self.device_identity), clauses=judge_clauses(self.profile, self.scenarios), interrupted=interrupted,
            emulator_switches={"defects": self.defects, "variants": self.variants} if self.declaration.embedded else None, rerun_of=self.rerun_of,
            inputs=run_inputs(self.profile, self.declaration, self.waivers.file),
        )
        apply_waivers(self.results, self.waivers)
        return self.results


RUN_KEY = pytest.StashKey[ConformanceRun]()
TERM_HANDLER_KEY = pytest.StashKey[object]()


def run_of(config: pytest.Config) -> ConformanceRun:
    return config.stash[RUN_KEY]


def pytest_configure(config: pytest.Config) -> None:
    run = ConformanceRun(config)
    config.stash[RUN_KEY] = run
    for clause in run.profile.clauses.values():
        config.addinivalue_line("markers", f"{clause.id}: {clause.title_en}")
    for feature in run.declaration.features:
        config.addinivalue_line("markers", f"needs_{feature}: the scenario needs the optional feature {feature}")
    for module in STEP_MODULES:
        config.pluginmanager.import_plugin(module)
    config.pluginmanager.register(InterruptAccount(config), "conformance-interrupt-account")
    mask_allure_results(config, run.mask)
    structure_allure_results(config, run)
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (a CI job's timeout, `kill`) ends the run as Ctrl-C does: reports written, marked interrupted.
        config.stash[TERM_HANDLER_KEY] = signal.signal(signal.SIGTERM, _interrupt)


def pytest_sessionstart(session: pytest.Session) -> None:
    """An expired waiver is ignored, and the person running the suite must hear it before the verdicts."""
    terminal = session.config.pluginmanager.get_plugin("terminalreporter")
    for warning in run_of(session.config).waivers.warnings():
        if terminal is not None:
            console_line(session.config, f"WARNING: {warning}")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


class InterruptAccount:
    """pytest's own account of an interrupt (its traceback) must not stop the reports being written. A signal that
    lands at an unlucky instant leaves a traceback entry without a line number, on which pytest's formatting fails
    (TypeError); the terminal then gets Python's plain account instead, and the run ends as an interrupted one."""

    def __init__(self, config: pytest.Config):
        self.config = config

    @pytest.hookimpl(wrapper=True)
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo):
        try:
            return (yield)
        except Exception:  # noqa: BLE001 - whatever the formatting raised
            terminal = self.config.pluginmanager.get_plugin("terminalreporter")
            if terminal is not None:  # it reports the interrupt at the end from this
                terminal._keyboardinterrupt_memo = excinfo.getrepr(style="native")
            return None


def pytest_unconfigure(config: pytest.Config) -> None:
    if TERM_HANDLER_KEY in config.stash:
        signal.signal(signal.SIGTERM, config.stash[TERM_HANDLER_KEY])


def _clauses_of(item: pytest.Item) -> list[str]:
    return sorted({m.name for m in item.iter_markers() if CLAUSE_ID.match(m.name)})


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    run_of(item.config).profile.read.clear()  # from here on, what this scenario reads of the profile


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    run = run_of(config)
    for item in items:
        unknown = [c for c in _clauses_of(item) if c not in run.profile.clauses]
        if unknown:
            raise pytest.UsageError(f"{item.nodeid}: tag(s) {', '.join(unknown)} name no clause of profile {run.profile.name}")


# -- the device ----------------------------------------------------------------


@pytest.fixture(scope="session")
def profile(request: pytest.FixtureRequest) -> Profile:
    return run_of(request.config).profile


@pytest.fixture(scope="session")
def declaration(request: pytest.FixtureRequest) -> Declaration:
    return run_of(request.config).declaration


@pytest.fixture(scope="session")
def device_watch(request: pytest.FixtureRequest, declaration: Declaration):
    """One connection to the device for the whole run (the embedded emulator is started here)."""
    run = run_of(request.config)
    emulator = None
    transport = None
    if declaration.embedded and request.config.option.in_process:
        transport = in_process_transport(declaration, run.defects + run.variants)
    elif declaration.embedded:
        features = declaration.present_features
        # transport ble-virtual: the emulator serves BLE too, and the transport's address is its radio's HCI (docs/ble.md).
        ble = declaration.transport == "ble-virtual"
        emulator = start_emulator(features=features, defects=run.defects + run.variants, token=declaration.ixit["agent_token"], real_clock=not declaration.ixit["test_clock"],
                                  ble_hci="tcp-server:127.0.0.1:0" if ble else None)
        declaration.address = emulator.ble_hci if ble else emulator.address
    try:
        watch = Watch(transport or registry.open_transport(declaration), auth=declaration.ixit["agent_token"], app_ids=declaration.ixit.get("apps"))
        try:
            run.device_identity = dict(watch.info())
        except InconclusiveError as exc:
            run.device_identity = {"error": str(exc)}
        yield watch
        watch.close()
    finally:
        if emulator is not None:
            emulator.stop()
            declaration.address = "embedded"


@pytest.fixture
def note(request: pytest.FixtureRequest):
    """note(text): record in the scenario's evidence how a step judged (e.g. which rule it fell back on)."""
    notes = request.node.stash.setdefault(NOTES_KEY, [])
    return notes.append


@pytest.fixture
def watch(request: pytest.FixtureRequest, device_watch: Watch, declaration: Declaration) -> Watch:
    """The device, restored to the test baseline; its exchanges from here on are this scenario's evidence."""
    request.node.stash[MARK_KEY] = device_watch.transcript.mark()
    request.node.stash[WATCH_KEY] = device_watch
    device_watch.reset(start=declaration.ixit["baseline_start"], child_age=declaration.ixit.get("baseline_child_age", 9))
    return device_watch


# -- applicability -------------------------------------------------------------


@pytest.fixture(autouse=True)
def applicability(request: pytest.FixtureRequest) -> None:
    """Decide N/A before any step runs; probe features declared absent (declared vs observed)."""
    item = request.node
    run = run_of(item.config)
    clauses = [run.profile.clauses[c] for c in _clauses_of(item)]
    reasons = [r for r in (not_applicable_reason(c, run.declaration) for c in clauses) if r]
    needs = [m.group(1) for m in (NEEDS_TAG.match(mk.name) for mk in item.iter_markers()) if m]
    reasons += [f"the scenario needs {f}, which the declaration says is absent" for f in needs if not run.declaration.has(f)]
    if not reasons:
        return
    absent = sorted({f for c in clauses for f in missing_features(c, run.declaration)} | {f for f in needs if not run.declaration.has(f)})
    device_watch = request.getfixturevalue("device_watch")
    mark = device_watch.transcript.mark()
    observed = observe_features(device_watch, absent)
    item.stash[TRANSCRIPT_SLICE_KEY] = device_watch.transcript.since(mark)
    if observed.present:
        item.stash[OUTCOME_KEY] = (Verdict.FAIL, f"declared absent but observed: {', '.join(observed.present)} answered its probe; the declaration cannot make {', '.join(c.id for c in clauses)} not applicable")
        pytest.skip("declared vs observed mismatch")
    if observed.unjudged:
        item.stash[OUTCOME_KEY] = (Verdict.INCONCLUSIVE, unchecked_reason([c.id for c in clauses], observed.unjudged))
        pytest.skip("INCONCLUSIVE: a feature probe got no answer to judge")
    item.stash[OUTCOME_KEY] = (Verdict.NOT_APPLICABLE, "; ".join(reasons))
    pytest.skip("NOT_APPLICABLE: " + "; ".join(reasons))


# -- evidence of each step -------------------------------------------------------


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature, scenario) -> None:
    request.node.stash[SCENARIO_KEY] = {"feature": feature.name, "feature_file": feature.rel_filename, "name": scenario.name}
    request.node.stash[STEPS_KEY] = []


def pytest_bdd_after_step(request: pytest.FixtureRequest, feature, scenario, step, step_func, step_func_args) -> None:
    request.node.stash[STEPS_KEY].append(StepRecord(step.keyword, step.name, "passed"))


def pytest_bdd_step_error(request: pytest.FixtureRequest, feature, scenario, step, step_func, step_func_args, exception) -> None:
    request.node.stash[STEPS_KEY].append(StepRecord(step.keyword, step.name, "failed", reason_of(exception)))


# -- verdicts ------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        _log_for_debugging(item, report)
    if OUTCOME_KEY in item.stash:
        if report.when == "setup":
            _record(item, *item.stash[OUTCOME_KEY], duration=report.duration)
        return
    failed_in_setup = report.when == "setup" and report.failed
    if report.when == "call" or failed_in_setup:
        exc = call.excinfo.value if call.excinfo else None
        verdict = from_exception(exc)
        reason = "" if exc is None else reason_of(exc)
        if failed_in_setup and verdict == Verdict.FAIL:
            verdict = Verdict.ERROR  # a fixture cannot judge the device
        _record(item, verdict, reason, duration=report.duration)


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config):
    """No dot or letter per scenario: the console gets a line for each scenario that did not pass (see _tell)."""
    if report.when == "call" or report.outcome != "passed":
        return report.outcome, "", ""
    return None


def _log_for_debugging(item: pytest.Item, report: pytest.TestReport) -> None:
    """pytest's full account of a scenario that did not pass, for whoever debugs a step: pytest.log in the run folder."""
    with (run_of(item.config).output / "pytest.log").open("a", encoding="utf-8") as log:
        log.write(f"== {report.nodeid} ({report.when})\n{report.longreprtext}\n\n")


QUIET_VERDICTS = {Verdict.PASS, Verdict.NOT_APPLICABLE, Verdict.EVIDENCE_SUPPLIED}


def _tell(item: pytest.Item, result: ScenarioResult) -> None:
    """One console line for a scenario that did not pass: its verdict, clauses, name and the first line of why."""
    if result.verdict in QUIET_VERDICTS:
        return
    why = result.reason.splitlines()[0] if result.reason else ""
    console_line(item.config, f"{result.verdict.value:13} {' '.join(result.clauses)}  {result.name}" + (f": {why[:200]}" if why else ""))


PROGRESS_KEY = pytest.StashKey[object]()


def console_line(config: pytest.Config, text: str) -> None:
    """A line on the console, below the progress line (which is blanked first and redrawn by the next scenario)."""
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    if terminal is None:
        return
    progress = config.stash.get(PROGRESS_KEY, None)
    if progress is not None:
        progress.clear()
    terminal.write_line(text)


def pytest_collection_finish(session: pytest.Session) -> None:
    progress = for_terminal(session.config.pluginmanager.get_plugin("terminalreporter"), len(session.items))
    if progress is not None:
        session.config.stash[PROGRESS_KEY] = progress


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    progress = item.config.stash.get(PROGRESS_KEY, None)
    if progress is not None:
        progress.starting(_clauses_of(item))
    yield
    if progress is not None:
        progress.finished()


def _record(item: pytest.Item, verdict: Verdict, reason: str, duration: float) -> None:
    run = run_of(item.config)
    info = item.stash.get(SCENARIO_KEY, None) or scenario_of(item)
    exchanges = item.stash.get(TRANSCRIPT_SLICE_KEY, None)
    if exchanges is None and WATCH_KEY in item.stash:
        exchanges = item.stash[WATCH_KEY].transcript.since(item.stash[MARK_KEY])
    transcript = [
        {"request": e.request, "reply": e.reply, "elapsed_ms": round(e.elapsed_ms, 2), "wall_time": e.wall_time, "error": e.error}
        for e in exchanges or []
    ]
    name = info["name"] + (f" [{item.callspec.id}]" if hasattr(item, "callspec") else "")
    result = run.mask(ScenarioResult(
        nodeid=item.nodeid, name=name, feature=info["feature"], feature_file=info["feature_file"], clauses=_clauses_of(item),
        verdict=verdict, reason=reason[:2000], duration_s=round(duration, 4), steps=item.stash.get(STEPS_KEY, []),
        transcript=transcript, clock_mode=item.stash.get(CLOCK_MODE_KEY, ""), notes=item.stash.get(NOTES_KEY, []),
        parameters=dict(run.profile.read),
    ))
    if ATTEMPT_KEY in item.stash:  # conformance/retries.py decides whether this attempt is the last
        item.stash[ATTEMPT_KEY].append(result)
        return
    run.record(result)
    _tell(item, result)


NO_RUN = (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.NO_TESTS_COLLECTED)  # a bad -k or -m, or one that selects nothing


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from conformance.reporting import write_reports

    run = run_of(session.config)
    if exitstatus in NO_RUN and not run.scenarios:
        run.discard()  # no scenario ran: no report may claim a result
        return
    # A second Ctrl-C while the reports are written would lose every verdict of the run: wait for them.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if threading.current_thread() is threading.main_thread() else None
    try:
        results = run.finish(interrupted=bool(session.shouldstop or session.shouldfail) or exitstatus == pytest.ExitCode.INTERRUPTED)
        write_json(results, run.output / "results.json")
        write_reports(results, run.output)
        bundle_at_run_end(session.config, run.output)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    from conformance.reporting.terminal import verdict_table

    run = run_of(config)
    progress = config.stash.get(PROGRESS_KEY, None)
    if progress is not None:
        progress.clear()
    if run.results is not None:
        terminalreporter.write_line("")
        for line in verdict_table(run.results):
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"reports written to {run.output}")
