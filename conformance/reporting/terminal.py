"""The verdict table printed at the end of a run."""

from __future__ import annotations

from conformance.results import RunResults
from conformance.waivers import clause_note, console_lines

_MARK = {"PASS": "ok", "FAIL": "XX", "INCONCLUSIVE": "??", "NOT_APPLICABLE": "--", "ERROR": "!!", "NOT_TESTED": "..", "EVIDENCE_SUPPLIED": "ev", "EVIDENCE_MISSING": "XX"}


def verdict_table(results: RunResults) -> list[str]:
    lines = [f"{'clause':12} {'level':11} {'verdict':17} {'scen':>4}  title", "-" * 100]
    for clause in results.clauses:
        lines.append(f"{clause.id:12} {clause.level:11} {_MARK[clause.verdict.value]} {clause.verdict.value:14} {len(clause.scenarios):>4}  {clause.title['en'][:60]}")
        if clause.verdict.value in ("FAIL", "ERROR", "INCONCLUSIVE", "EVIDENCE_MISSING") and clause.reason:
            lines.append(f"{'':12} -> {clause.reason[:160]}")
        lines.extend(f"{'':12} {'!!' if entry['mandatory'] else '~~'} {clause_note(entry)[:200]}" for entry in clause.waivers)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(results.summary.items()))
    lines += ["-" * 100, *console_lines(results), f"{len(results.clauses)} clauses: {summary}; exit status {results.exit_status}" + _without_waivers(results)]
    return lines


def _without_waivers(results: RunResults) -> str:
    without = results.exit_status_without_waivers
    return f" ({without} without waivers)" if without != results.exit_status else ""
