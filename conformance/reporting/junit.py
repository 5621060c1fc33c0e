"""JUnit XML for CI: one test suite per area, one test case per clause, its scenarios in the output."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from conformance.results import RunResults
from conformance.waivers import clause_note

_FAILURE = {"FAIL", "EVIDENCE_MISSING"}
_ERROR = {"ERROR", "INCONCLUSIVE", "NOT_TESTED"}
_SKIPPED = {"NOT_APPLICABLE"}


def run_properties(results: RunResults) -> dict[str, str]:
    """What a CI reader must see beside the verdicts: an interrupted run, and a device that was the emulator broken on purpose."""
    properties = {"interrupted": str(results.interrupted).lower(), "exit_status": str(results.exit_status), "audit": str(results.audit).lower()}
    if results.waivers:
        properties.update({"exit_status_without_waivers": str(results.exit_status_without_waivers), "waivers.file": results.waivers["file"], "waivers.applied": ", ".join(e["clause"] for e in results.waivers["applied"])})
        if any(e["mandatory"] for e in results.waivers["applied"]):
            properties["waivers.mandatory"] = "A MANDATORY CLAUSE'S FAIL IS WAIVED: not a certification result"
    if results.rerun_of:
        properties["rerun_of"] = f"{results.rerun_of.get('run_id')} ({', '.join(results.rerun_of.get('only', []))} ran again)"
    for kind, names in (results.emulator_switches or {}).items():
        if names:
            properties[f"emulator.{kind}"] = ", ".join(names)
    return properties


def write_junit(results: RunResults, path: Path) -> None:
    root = ET.Element("testsuites", name=f"conformance {results.profile.name}", time=f"{results.duration_s:.3f}")
    properties = run_properties(results)
    by_area: dict[str, list] = {}
    for clause in results.clauses:
        by_area.setdefault(clause.area, []).append(clause)
    for area, clauses in by_area.items():
        suite = ET.SubElement(
            root, "testsuite", name=f"{area} {results.profile.areas[area].en}", tests=str(len(clauses)),
            failures=str(sum(c.verdict.value in _FAILURE for c in clauses)), errors=str(sum(c.verdict.value in _ERROR for c in clauses)),
            skipped=str(sum(c.verdict.value in _SKIPPED for c in clauses)),
            time=f"{sum(s.duration_s for c in clauses for s in c.scenarios):.3f}",
        )
        # Properties belong to a test suite in the JUnit schema: every suite carries the run's.
        listed = ET.SubElement(suite, "properties")
        for name, value in properties.items():
            ET.SubElement(listed, "property", name=name, value=value)
        for clause in clauses:
            case = ET.SubElement(suite, "testcase", classname=f"{results.profile.name}.{area}", name=f"{clause.id} {clause.title['en']}", time=f"{sum(s.duration_s for s in clause.scenarios):.3f}")
            verdict = clause.verdict.value
            # A waived FAIL stays a failure here too, with the waiver in front of the reason.
            waived = "".join(f"[{clause_note(entry)}] " for entry in clause.waivers)
            if verdict in _FAILURE:
                ET.SubElement(case, "failure", message=f"{verdict}: {waived}{clause.reason[:300]}", type=verdict).text = waived + clause.reason
            elif verdict in _ERROR:
                ET.SubElement(case, "error", message=f"{verdict}: {clause.reason[:300]}", type=verdict).text = clause.reason
            elif verdict in _SKIPPED:
                ET.SubElement(case, "skipped", message=clause.reason[:300])
            lines = [f"{clause.level} {verdict}", *(clause_note(entry) for entry in clause.waivers)]
            for s in clause.scenarios:
                lines.append(f"  {s.verdict.value:14} {s.name}" + (f" -- {s.reason}" if s.reason else ""))
                # A scenario run again after a transport fault: every attempt, so a pass on the second try shows as one.
                lines += [f"    attempt {a['attempt']}: {a['verdict']}" + (f" -- {a['reason']}" if a["reason"] else "") for a in s.attempts if len(s.attempts) > 1]
            ET.SubElement(case, "system-out").text = "\n".join(lines)
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
