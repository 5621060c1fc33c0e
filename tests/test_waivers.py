"""Waivers: a waived FAIL stays FAIL in every report and leaves only the exit status; expired waivers are ignored aloud;
--audit refuses them; a mandatory clause needs --allow-mandatory-waivers; a bad waiver file names file, line and field."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest

from conformance import cli
from conformance.catalogue import load_profile
from conformance.datafile import ConfigError
from conformance.results import ClauseResult, ScenarioResult
from conformance.verdicts import Verdict
from conformance.waivers import Waiver, counted_verdict, load_waivers, today_utc

ROOT = Path(__file__).resolve().parent.parent
TODAY = today_utc()  # the day waivers expire by, whatever the machine's time zone
SOON, YESTERDAY = TODAY + timedelta(days=30), TODAY - timedelta(days=1)
# Two defects that make real FAILs in a few seconds: CSW-ADD-1 is mandatory, CSW-PAY-5 recommended.
DEFECTS = ("--defect", "daily_limit_ignored", "--defect", "age_caps_ignored")
SELECT = ("--select", "CSW-ADD-1 or CSW-PAY-5")


def _waiver_file(tmp_path: Path, *entries: str, name: str = "waivers.yaml") -> Path:
    path = tmp_path / name
    path.write_text("waivers:\n" + "".join(entries), encoding="utf-8")
    return path


def _entry(clause: str, expires: date | str, *, scenario: str | None = None, why: str = "The fix ships in firmware 2.4 (ticket FW-1182).") -> str:
    lines = [f"  - clause: {clause}\n"] + ([f"    scenario: {scenario}\n"] if scenario else [])
    return "".join(lines) + f"    justification: {why}\n    approved_by: Li Wei, compliance lead\n    expires: {expires}\n"


class Done:
    """A finished `conformance run`: its exit status, console and results.json (None when it wrote none)."""

    def __init__(self, process: subprocess.Popen, output: Path):
        self.stdout, self.stderr = process.communicate(timeout=180)
        self.returncode = process.returncode
        results = output / "results.json"
        self.data = json.loads(results.read_text(encoding="utf-8")) if results.exists() else None
        assert self.data is not None, self.stderr


def _start(output: Path, *arguments: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "conformance", "run", "--in-process", "--output", str(output), *arguments],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[Done, Path]]:
    """The real runs the tests read, started together to save wall time:
    waived: CSW-ADD-1's FAIL waived (a mandatory clause, so with the flag), CSW-PAY-5's waiver expired, and a waiver
    for CSW-CON-3, which the run does not select (unused); expired: the only waiver of CSW-ADD-1 is past its day;
    audit: an --audit run without waivers."""
    folder = tmp_path_factory.mktemp("waivers")
    waived = _waiver_file(folder, _entry("CSW-ADD-1", SOON), _entry("CSW-PAY-5", YESTERDAY), _entry("CSW-CON-3", SOON))
    expired = _waiver_file(folder, _entry("CSW-ADD-1", YESTERDAY), name="expired.yaml")
    started = {
        "waived": _start(folder / "waived", *DEFECTS, *SELECT, "--waivers", str(waived), "--allow-mandatory-waivers"),
        "expired": _start(folder / "expired", "--defect", "daily_limit_ignored", "--select", "CSW-ADD-1", "--waivers", str(expired)),
        "audit": _start(folder / "audit", "--defect", "daily_limit_ignored", "--select", "CSW-ADD-1", "--audit"),
    }
    return {name: (Done(process, folder / name), folder / name) for name, process in started.items()}


@pytest.fixture(scope="module")
def waived_run(runs):
    done, folder = runs["waived"]
    return done, done.data, folder


def test_a_waived_fail_stays_fail_and_leaves_the_exit_status(waived_run):
    done, data, _ = waived_run
    clauses = {c["id"]: c for c in data["clauses"]}
    add = clauses["CSW-ADD-1"]
    assert add["verdict"] == "FAIL" and add["counted_verdict"] == "PASS"
    assert [w["approved_by"] for w in add["waivers"]] == ["Li Wei, compliance lead"] and add["waivers"][0]["mandatory"]
    assert len(add["waivers"][0]["scenarios"]) == sum(s["verdict"] == "FAIL" for s in add["scenarios"]) > 0
    assert data["exit_status"] == done.returncode == 0
    assert data["exit_status_without_waivers"] == 1 and data["audit"] is False
    assert [w["clause"] for w in data["waivers"]["applied"]] == ["CSW-ADD-1"]
    assert [w["clause"] for w in data["waivers"]["unused"]] == ["CSW-CON-3"]


def test_an_expired_waiver_is_ignored_with_a_warning(waived_run):
    done, data, _ = waived_run
    pay = next(c for c in data["clauses"] if c["id"] == "CSW-PAY-5")
    assert pay["verdict"] == "FAIL" and pay["waivers"] == [] and pay["counted_verdict"] == "FAIL"
    assert [w["clause"] for w in data["waivers"]["expired"]] == ["CSW-PAY-5"]
    assert "WARNING: waiver ignored: " in done.stdout and f"expired on {YESTERDAY.isoformat()}" in done.stdout


def test_every_report_shows_the_waiver_and_a_mandatory_one_loudly(waived_run):
    done, _, run = waived_run
    assert "WAIVED ON A MANDATORY CLAUSE: The fix ships in firmware 2.4" in done.stdout
    assert "not a certification result" in done.stdout and "exit status 0 with waivers; 1 without them" in done.stdout
    assert done.stdout.splitlines()[-3].endswith("exit status 0 (1 without waivers)")
    suites = ET.parse(run / "junit.xml").getroot()
    case = next(c for c in suites.iter("testcase") if c.get("name").startswith("CSW-ADD-1 "))
    failure = case.find("failure")
    assert failure is not None, "a waived FAIL must stay a JUnit failure"
    assert "WAIVED ON A MANDATORY CLAUSE" in failure.get("message") and "Li Wei" in failure.get("message")
    properties = {p.get("name"): p.get("value") for p in suites.iter("property")}
    assert properties["exit_status_without_waivers"] == "1" and "MANDATORY" in properties["waivers.mandatory"]
    html = (run / "report.html").read_text(encoding="utf-8")
    assert 'class="waiver loud"' in html and "The fix ships in firmware 2.4" in html
    assert "this is not a certification result" in html and "强制性条款的不通过已被豁免" in html
    # The outcome states the device's result: a mandatory clause fails, whatever the waiver does to the exit status.
    assert "A mandatory clause fails" in html


def test_an_expired_waiver_on_a_mandatory_clause_lets_its_fail_count(runs):
    done, _ = runs["expired"]
    assert done.returncode == done.data["exit_status"] == 1
    assert done.data["waivers"]["applied"] == [] and "expired on" in done.stdout


def test_an_audit_run_refuses_waivers_and_says_it_was_an_audit(runs, tmp_path, capsys):
    waivers = _waiver_file(tmp_path, _entry("CSW-PAY-5", SOON))
    assert cli.main(["run", "--in-process", "--output", str(tmp_path / "refused"), "--waivers", str(waivers), "--audit"]) == 4
    err = capsys.readouterr().err
    assert "is refused under --audit" in err and str(waivers) in err and "Traceback" not in err
    assert not (tmp_path / "refused").exists()
    done, _ = runs["audit"]
    assert done.data["audit"] is True and done.data["waivers"] is None and done.returncode == 1
    assert "audit run: no waiver was accepted" in done.stdout


def test_a_mandatory_clause_needs_the_flag(tmp_path, capsys):
    waivers = _waiver_file(tmp_path, _entry("CSW-PAY-5", SOON), _entry("CSW-ADD-1", SOON))
    assert cli.main(["run", "--in-process", "--output", str(tmp_path / "refused"), "--waivers", str(waivers)]) == 4
    err = capsys.readouterr().err.strip()
    assert err == (f"conformance: {waivers}:6: field 'waivers[1].clause': CSW-ADD-1 is a mandatory clause: "
                   "waiving it needs --allow-mandatory-waivers, and the reports then say so loudly")
    assert not (tmp_path / "refused").exists()


@pytest.fixture(scope="module")
def profile():
    return load_profile("gb-2027")


def test_a_waiver_holds_through_its_expiry_day(tmp_path, profile):
    path = _waiver_file(tmp_path, _entry("CSW-PAY-5", "2027-03-31"))
    assert [w.clause for w in load_waivers(path, profile, today=date(2027, 3, 31)).active] == ["CSW-PAY-5"]
    later = load_waivers(path, profile, today=date(2027, 4, 1))
    assert later.active == [] and [w.clause for w in later.expired] == ["CSW-PAY-5"]
    assert "expired on 2027-03-31" in later.warnings()[0]


SCENARIO = "A payment one fen above the band's per-transaction cap is refused"


@pytest.mark.parametrize("body, field, line, words", [
    (_entry("CSW-PAY-5", "2027-03-31") + "    approved_on: 2027-01-01\n", "waivers[0].approved_on", 6, "is not a waiver field"),
    (_entry("CSW-XYZ-9", "2027-03-31"), "waivers[0].clause", 2, "names no clause of profile gb-2027"),
    ("  - clause: CSW-PAY-5\n    justification: x\n    expires: 2027-03-31\n", "waivers[0].approved_by", 2, "is required"),
    (_entry("CSW-PAY-5", "2027-02-30"), "waivers[0].expires", 5, "'2027-02-30' is not a real date"),
    (_entry("CSW-PAY-5", "'2027-13-01'"), "waivers[0].expires", 5, "'2027-13-01' is not a real date"),
    (_entry("CSW-PAY-5", "next spring"), "waivers[0].expires", 5, "is not an ISO date such as 2027-03-31"),
    (_entry("CSW-PAY-5", "2027-03-31T10:00:00"), "waivers[0].expires", 5, "has a time of day"),
    (_entry("CSW-PAY-5", "2027-03-31", why="'  '"), "waivers[0].justification", 3, "does not match"),
    (_entry("CSW-PAY-5", "2027-03-31", scenario="A scenario nobody wrote"), "waivers[0].scenario", 3, f"is not a scenario of CSW-PAY-5 (its scenarios: {SCENARIO}"),
    (_entry("CSW-PAY-5", "2027-03-31") + _entry("CSW-PAY-5", "2027-06-30"), "waivers[1]", 6, "waives CSW-PAY-5 again, as the entry at line 2 does"),
])
def test_a_bad_waiver_file_names_its_line_and_field(tmp_path, profile, body, field, line, words):
    path = _waiver_file(tmp_path, body)
    with pytest.raises(ConfigError) as refused:
        load_waivers(path, profile, today=date(2027, 1, 1))
    assert (refused.value.field, refused.value.line) == (field, line), str(refused.value)
    assert words in refused.value.message, refused.value.message


def test_a_waiver_file_must_be_a_list_under_waivers(tmp_path, profile):
    path = tmp_path / "w.yaml"
    path.write_text("- clause: CSW-PAY-5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a mapping with a 'waivers' list"):
        load_waivers(path, profile)
    path.write_text("waivers: []\nowner: me\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not a field of a waiver file") as refused:
        load_waivers(path, profile)
    assert refused.value.line == 2


def _scenario(name: str, verdict: Verdict) -> ScenarioResult:
    return ScenarioResult(nodeid=name, name=name, feature="f", feature_file="f.feature", clauses=["CSW-PAY-5"], verdict=verdict)


def _waiver(scenario: str | None) -> Waiver:
    return Waiver("CSW-PAY-5", scenario, "why", "who", date(2027, 3, 31), "w.yaml", 2, False)


def test_a_scenario_waiver_covers_only_that_scenario():
    """The clause's FAIL is left out of the exit status only when every failing scenario is waived."""
    clause = ClauseResult("CSW-PAY-5", "PAY", "recommended", "automated", {}, Verdict.FAIL, "", [
        _scenario(f"{SCENARIO} [age-3-7]", Verdict.FAIL), _scenario("Payments cannot add up past the band's monthly cap", Verdict.FAIL),
        _scenario("Another", Verdict.INCONCLUSIVE)], {})
    assert counted_verdict(clause, [_waiver(SCENARIO)]) == Verdict.FAIL
    both = [_waiver(SCENARIO), _waiver("Payments cannot add up past the band's monthly cap")]
    assert counted_verdict(clause, both) == Verdict.INCONCLUSIVE  # what is left once the FAILs are waived
    assert counted_verdict(clause, [_waiver(None)]) == Verdict.INCONCLUSIVE
