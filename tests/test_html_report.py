"""The self-contained HTML report: content, escaping, languages, and no way out to the network."""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conformance.catalogue import Profile, load_profile
from conformance.reporting import write_reports
from conformance.reporting.html import render_html, write_html
from conformance.results import ClauseResult, RunResults, ScenarioResult, StepRecord, judge_clauses
from conformance.verdicts import Verdict

HOSTILE = '<script>alert("pwned")</script>'
MULTI_MARKER = "only-once-7f3a"  # appears in one transcript only; it must be rendered once


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile()


def exchange(op: str, role: str = "child", ok: bool = True, **result: object) -> dict:
    reply = {"dtp": 1, "id": "1", "ok": ok, "result": result} if ok else {"dtp": 1, "id": "1", "ok": False, "error": {"code": "denied", "reason": str(result)}}
    return {"request": {"dtp": 1, "id": "1", "op": op, "role": role, "args": {}, "auth": "***"}, "reply": reply, "elapsed_ms": 12.5, "wall_time": 0.0, "error": None if ok else "Refused: denied"}


def scenario(name: str, clauses: list[str], verdict: Verdict, reason: str = "", transcript: list[dict] | None = None, **kw: object) -> ScenarioResult:
    return ScenarioResult(
        nodeid=f"conformance/suite.py::{name.replace(' ', '_')}", name=name, feature="A feature", feature_file="area/some.feature",
        clauses=clauses, verdict=verdict, reason=reason, duration_s=0.25, transcript=transcript if transcript is not None else [exchange("apps.open")],
        steps=kw.pop("steps", [StepRecord("Given", "a watch bound to its guardian", "passed")]), **kw,  # type: ignore[arg-type]
    )


def run_of(profile: Profile, scenarios: list[ScenarioResult], **kw: object) -> RunResults:
    declaration = {
        "model": "RW-1 reference watch", "manufacturer": "Reference emulator", "firmware": "1.0.0", "transport": "http",
        "features": {"payments": False, "social_feed": True}, "ixit": {"agent_token": "***", "payment_password": "246810"},
        "evidence": {"CSW-PHY-1": {"report": "Battery report No. EMU-1", "lab": "Reference lab", "date": "2026-10-01"}},
    }
    defaults: dict[str, object] = dict(
        run_id="run-1", started="2026-11-23T18:41:27+00:00", finished="2026-11-23T18:41:34+00:00", duration_s=7.0, harness_version="0.1.0",
        profile=profile, declaration=declaration, device_identity={"model": "RW-1 reference watch", "firmware": "1.0.1", "protocol": 1, "features": ["social_feed"]},
        clauses=judge_clauses(profile, scenarios),
    )
    defaults.update(kw)
    return RunResults(**defaults)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def results(profile: Profile) -> RunResults:
    failing_steps = [StepRecord("Given", "a watch", "passed"), StepRecord("Then", "the watch refuses", "failed", f"AssertionError: {HOSTILE}")]
    return run_of(profile, [
        scenario("Apps close when the daily time is used up", ["CSW-ADD-1"], Verdict.PASS, clock_mode="test clock"),
        scenario("Time used in one app counts", ["CSW-ADD-6"], Verdict.FAIL, f"AssertionError: {HOSTILE}", steps=failing_steps,
                 transcript=[exchange("apps.open", note=f"</pre>{HOSTILE}"), exchange("controls.set_daily_limit", ok=False)]),
        scenario("The emergency call works while charging", ["CSW-SAF-1", "CSW-SAF-2"], Verdict.PASS, transcript=[exchange("calls.emergency", marker=MULTI_MARKER)]),
        scenario("Payments stay off", ["CSW-PAY-1"], Verdict.NOT_APPLICABLE, "the declaration says the watch has no payments"),
        scenario("The agent answers", ["CSW-SEC-4"], Verdict.INCONCLUSIVE, "InconclusiveError: no reply within 5 s"),
        scenario("A fixture breaks", ["CSW-SEC-1"], Verdict.ERROR, "KeyError: 'oops'"),
        scenario("Lithium-ion battery safety", ["CSW-PHY-1"], Verdict.PASS, transcript=[]),
        scenario("Fire enclosure", ["CSW-PHY-2"], Verdict.FAIL, "no evidence declared", transcript=[]),
    ])


@pytest.fixture(scope="module")
def page(results: RunResults) -> str:
    return render_html(results)


class Balance(HTMLParser):
    """Checks that every non-void element is closed in order."""

    VOID = {"meta", "br", "input", "img", "hr", "link", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]} at {self.getpos()}")
        else:
            self.stack.pop()


def test_every_clause_appears_with_its_anchor(page: str, results: RunResults) -> None:
    for clause in results.clauses:
        assert f'id="{clause.id}"' in page
        assert f'data-verdict="{clause.verdict.value}"' in page


def test_hostile_text_is_escaped_everywhere(page: str) -> None:
    assert HOSTILE not in page
    assert "&lt;script&gt;alert" in page
    assert "&lt;/pre&gt;" in page  # from the transcript reply
    assert page.count("<script") == 1  # the report's own script and nothing else


def test_the_page_is_well_formed(page: str) -> None:
    checker = Balance()
    checker.feed(page)
    assert checker.errors == []
    assert checker.stack == []


def test_chinese_titles_and_area_names_are_present(page: str, profile: Profile, results: RunResults) -> None:
    for clause in results.clauses:
        assert clause.title["zh"] in page
        assert escape(clause.title["en"]) in page
    for area in profile.areas.values():
        assert area.zh in page
    assert profile.title_zh in page


def test_a_language_switch_offers_english_chinese_and_both(page: str) -> None:
    for lang in ("en", "zh", "both"):
        assert f'data-set-lang="{lang}"' in page
    assert 'html[data-lang=en] .zh,html[data-lang=zh] .en{display:none}' in page


def test_nothing_is_loaded_from_outside(page: str) -> None:
    assert not re.search(r"""\b(src|href|action|poster|data)\s*=\s*["']?\s*(https?:|//|ftp:)""", page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert "@import" not in page
    assert not re.search(r"url\(", page, re.I)
    assert not re.search(r"\bfetch\(|XMLHttpRequest|WebSocket|import\(", page)


def test_the_content_security_policy_allows_only_the_inline_style_and_script(page: str) -> None:
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1).replace("&#x27;", "'")
    assert "default-src 'none'" in csp
    for tag in ("style", "script"):
        body = re.search(rf"<{tag}>(.*?)</{tag}>", page, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert f"{tag}-src 'sha256-{digest}'" in csp


def test_every_verdict_gets_its_badge(page: str) -> None:
    for verdict in ("pass", "fail", "inconclusive", "error", "not_applicable", "not_tested", "evidence_supplied", "evidence_missing"):
        assert f'class="b b-{verdict}"' in page


def test_not_applicable_clauses_show_their_reason_in_the_row(page: str) -> None:
    row = page[page.index('id="CSW-PAY-1"'):]
    row = row[:row.index("</summary>")]
    assert "the declaration says the watch has no payments" in row


def test_non_pass_reasons_are_in_the_row_and_pass_reasons_are_not(page: str) -> None:
    row = page[page.index('id="CSW-SEC-4"'):]
    assert "no reply within 5 s" in row[:row.index("</summary>")]
    row = page[page.index('id="CSW-ADD-1"'):]
    assert '<span class="c-reason"></span>' in row[:row.index("</summary>")]


def test_a_scenario_with_several_clauses_has_one_transcript_linked_from_each(page: str) -> None:
    assert page.count(MULTI_MARKER) == 1
    anchor = re.search(r'<details class="tx" id="(scn-\d+)"><summary>[^\n]*?The emergency call works while charging', page).group(1)
    for clause_id in ("CSW-SAF-1", "CSW-SAF-2"):
        body = page[page.index(f'id="{clause_id}"'):]
        body = body[:body.index("</details>")]
        assert f'href="#{anchor}"' in body


def test_scenario_details_show_steps_clock_mode_and_failure_message(page: str) -> None:
    assert "test clock" in page
    assert "<b>Then</b> the watch refuses" in page
    assert 'class="st-failed"' in page
    assert "area/some.feature" in page


def test_transcript_exchanges_are_pretty_printed_with_timing(page: str) -> None:
    assert '"op": "controls.set_daily_limit"' in page
    assert "12.5 ms" in page
    assert "Refused: denied" in page
    assert 'class="r-no"' in page


def test_evidence_clauses_show_the_declared_report(page: str) -> None:
    body = page[page.index('id="CSW-PHY-1"'):]
    assert "Battery report No. EMU-1" in body[:body.index("</details>")]


def test_the_header_tells_the_run_device_and_outcome(page: str) -> None:
    for text in ("run-1", "2026-11-23 18:41:27+00:00", "7.00 s", "0.1.0", "RW-1 reference watch", "Reference emulator", "http", "gb-2027", "GB 46859-2025"):
        assert text in page
    assert "A mandatory clause fails" in page and "exit status" in page
    assert "(<span class=\"en\">device reports</span>" in page and "1.0.1" in page  # the firmware the device reports differs


def test_secrets_and_the_ixit_are_not_shown(page: str) -> None:
    assert "246810" not in page


def test_the_profile_parameters_table_lists_every_parameter(page: str, profile: Profile) -> None:
    table = page[page.index('<h2 id="parameters"'):]
    for name, parameter in profile.parameters.items():
        assert f'id="param-{name}"' in table
        assert parameter.layer in table
    assert "not set (not publicly known)" in table or all(p.value is not None for p in profile.parameters.values())


def test_filters_cover_each_verdict_present(page: str, results: RunResults) -> None:
    for verdict, count in results.summary.items():
        assert f'data-v="{verdict}"' in page
        assert f'data-v="{verdict}" checked> ' in page and f'<span class="n">{count}</span>' in page


@pytest.mark.parametrize(("verdict", "status", "words"), [
    (Verdict.PASS, 0, "Every mandatory clause tested passes or does not apply"),
    (Verdict.FAIL, 1, "A mandatory clause fails"),
    (Verdict.INCONCLUSIVE, 2, "some could not be judged"),
])
def test_the_outcome_follows_the_exit_status(profile: Profile, verdict: Verdict, status: int, words: str) -> None:
    clause = ClauseResult("CSW-ADD-1", "ADD", "mandatory", "automated", {"en": "Title", "zh": "标题"}, verdict, "", [], {})
    results = run_of(profile, [], clauses=[clause])
    assert results.exit_status == status
    assert words in render_html(results)


def test_untested_mandatory_clauses_are_called_out(page: str, results: RunResults) -> None:
    untested = sum(c.level == "mandatory" and c.verdict == Verdict.NOT_TESTED for c in results.clauses)
    assert untested > 0
    assert f'<div class="note">{untested} <span class="en">mandatory clauses had no scenario run' in page


def test_an_interrupted_run_says_so(profile: Profile) -> None:
    page = render_html(run_of(profile, [], interrupted=True))
    assert "results are incomplete" in page and "The run was interrupted before it ended" in page


def test_an_empty_run_still_renders(profile: Profile) -> None:
    page = render_html(run_of(profile, [], declaration={}, device_identity={}))
    assert "No exchange with the device was recorded." in page
    checker = Balance()
    checker.feed(page)
    assert checker.errors == [] and checker.stack == []


def test_a_sixty_scenario_run_stays_small(profile: Profile) -> None:
    ids = list(profile.clauses)
    transcript = [exchange("apps.open", app_id="maths", splash_ad=False) for _ in range(6)]
    steps = [StepRecord("Given", f"step {i}", "passed") for i in range(6)]
    scenarios = [scenario(f"Scenario {i}", [ids[i % len(ids)]], Verdict.PASS, transcript=transcript, steps=steps) for i in range(60)]
    size = len(render_html(run_of(profile, scenarios)).encode("utf-8"))
    assert size < 400_000


def test_write_reports_writes_the_html_beside_the_junit(results: RunResults, tmp_path: Path) -> None:
    write_reports(results, tmp_path)
    assert (tmp_path / "junit.xml").exists()
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == render_html(results)


def test_write_html_writes_utf8(results: RunResults, tmp_path: Path) -> None:
    write_html(results, tmp_path / "r.html")
    assert "监护人" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_area_tallies_and_untested_clauses_speak_both_languages(page: str) -> None:
    """A Chinese reader's page says 通过/不通过 in each area's tally, and why a clause has no verdict, in Chinese too."""
    tallies = re.findall(r'<span class="tally">(.*?)</span></h3>', page)
    assert tallies and all('lang="zh-CN"' in t for t in tallies), tallies[:2]
    assert '<span class="zh" lang="zh-CN">通过</span>' in page
    if "no scenario ran for this clause" in page:
        assert "没有针对该条款运行任何场景" in page
