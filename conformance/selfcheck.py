"""`conformance validate`: the detection matrix of the suite over the emulator's defects, and its conformant variations.

The conformant emulator must get no adverse verdict, and neither may any
conformant variation of it (each emulator variant, other declarations); each
defect must be caught by a clause it declares; other FAILs are collateral,
to be justified by the defect or removed.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from conformance.declaration import FIXTURES_DIR
from conformance.validation import ADVERSE, Detection, Variation, Violation, detection_matrix, emulator_violations, run_suite, variation_runs

NO_EVIDENCE = FIXTURES_DIR / "validation" / "no-evidence.yaml"
# A variant that needs its own declaration (the IXIT that maps the scenarios' apps to its packages).
VARIANT_DEVICES = {"other_app_catalogue": str(FIXTURES_DIR / "validation" / "other-catalogue.yaml")}
# Shipped declarations of other conformant models: fewer features, no test clock.
OTHER_MODELS = {
    "basic_model": ("basic", "A model with none of the optional features.", None),
    # Real-time waits make its full run take long: one daily-limit scenario shows limits run out on the wall clock.
    "no_test_clock": ("emulator-no-test-clock", "The reference watch without a test clock: the daily limit runs out in real time.", "every_app_closes_when_the_daily_time_is_used_up"),
}


def all_variations() -> list[Variation]:
    from emulator import rules  # noqa: F401 - variants register at import
    from emulator.defects import VARIANTS

    variations = [Variation(v.name, () if v.name in VARIANT_DEVICES else (v.name,), VARIANT_DEVICES.get(v.name, "emulator"), v.description) for v in sorted(VARIANTS.values(), key=lambda v: v.name)]
    # A real maker's watch differs in many ways at once: every variant together, on the other catalogue
    # (but the slow replies, which run on their own: together they would only add minutes of waiting).
    together = tuple(sorted(name for name in VARIANTS if name not in VARIANT_DEVICES and name != "slow_replies"))
    variations.append(Variation("every_variant_at_once", together, VARIANT_DEVICES["other_app_catalogue"], "Every variant at once, on another maker's catalogue."))
    return variations + [Variation(name, device=str(FIXTURES_DIR / "devices" / f"{device}.yaml"), description=text, keyword=keyword) for name, (device, text, keyword) in OTHER_MODELS.items()]


def all_violations() -> list[Violation]:
    phy = tuple(f"CSW-PHY-{n}" for n in range(1, 7))
    return [*emulator_violations(), Violation("declaration_without_evidence", phy, device=str(NO_EVIDENCE), description="The declaration cites no lab report, or a blank one, for physical clauses.")]


def sample(violations: list[Violation]) -> list[Violation]:
    """A representative few: the first violation (by name) of each area, so every area is exercised."""
    chosen: dict[str, Violation] = {}
    for violation in violations:
        area = violation.clauses[0].split("-")[1]
        chosen.setdefault(area, violation)
    return list(chosen.values())


def validate(output: Path, *, names: list[str] | None = None, use_sample: bool = False, jobs: int | None = None, in_process: bool = True) -> dict:
    violations, variations = all_violations(), all_variations()
    if names:
        unknown = sorted(set(names) - {v.name for v in violations} - {v.name for v in variations})
        if unknown:
            raise ValueError(f"unknown defect(s) or variation(s): {', '.join(unknown)}")
        violations = [v for v in violations if v.name in names]
        variations = [v for v in variations if v.name in names]
    elif use_sample:
        violations = sample(violations)
    output.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    conformant = run_suite(output / "runs" / "conformant", in_process=in_process)
    false_verdicts = {c["id"]: c["verdict"] for c in conformant["clauses"] if c["verdict"] in ADVERSE}
    rows: list[Detection] = detection_matrix(violations, output / "runs", jobs=jobs, declared_only=False, in_process=in_process)
    varied = variation_runs(variations, output / "runs", jobs=jobs, in_process=in_process)
    wall = time.perf_counter() - started
    detected = sum(r.detected for r in rows)
    matrix = {
        "schema": "conformance-detection/1",
        "violations": len(rows),
        "detected": detected,
        "detection_rate": round(detected / len(rows), 4) if rows else None,
        "conformant_adverse_verdicts": false_verdicts,
        "false_fail_count": sum(v in ("FAIL", "EVIDENCE_MISSING") for v in false_verdicts.values()),
        "unexplained_collateral_count": sum(len(r.unexplained_collateral) for r in rows),
        "variations": len(varied),
        "variations_with_adverse_verdicts": sum(not r.clean for r in varied),
        "wall_time_s": round(wall, 1),
        "jobs": jobs or os.cpu_count(),
        "transport": "in-process" if in_process else "http",
        "clauses": [c["id"] for c in conformant["clauses"]],
        "rows": [r.to_json() | {"verdicts": r.clause_verdicts} for r in rows],
        "variation_runs": [r.to_json() for r in varied],
    }
    (output / "detection.json").write_text(json.dumps(matrix, ensure_ascii=False, indent=2), encoding="utf-8")
    from conformance.reporting.detection import write_detection_html

    write_detection_html(matrix, output / "detection.html")
    return matrix


def passed(matrix: dict) -> bool:
    return (matrix["detected"] == matrix["violations"] and not matrix["conformant_adverse_verdicts"] and matrix["unexplained_collateral_count"] == 0
            and matrix["variations_with_adverse_verdicts"] == 0)


def print_summary(matrix: dict) -> None:
    for row in matrix["rows"]:
        mark = "caught" if row["detected"] else "MISSED"
        extra = f"  (in {row['attempts']} runs: a race)" if row.get("attempts", 1) > 1 else ""
        extra += f"  collateral: {', '.join(c['clause'] + ('' if c['justification'] else '(!)') for c in row['collateral'])}" if row["collateral"] else ""
        print(f"{mark:7} {row['violation']:38} {' '.join(row['declared_clauses'])}{extra}{'  ERROR: ' + row['error'][:200] if row['error'] else ''}")
    for run in matrix["variation_runs"]:
        mark = "clean" if run["clean"] else "ADVERSE"
        found = ", ".join(f"{c} {v}" for c, v in run["adverse_verdicts"].items())
        print(f"{mark:7} {run['variation']:38} (conformant variation){'  ' + found if found else ''}{'  ERROR: ' + run['error'][:200] if run['error'] else ''}")
        for scenario in run["adverse_scenarios"][:5]:
            print(f"          {scenario[:220]}")
    print(
        f"\n{matrix['violations']} violations, {matrix['detected']} detected (rate {matrix['detection_rate']}); "
        f"false FAILs on the conformant emulator: {matrix['false_fail_count']} (adverse verdicts: {matrix['conformant_adverse_verdicts'] or 'none'}); "
        f"unexplained collateral: {matrix['unexplained_collateral_count']}; "
        f"conformant variations with an adverse verdict: {matrix['variations_with_adverse_verdicts']} of {matrix['variations']}; wall time {matrix['wall_time_s']} s on {matrix['jobs']} jobs ({matrix['transport']})"
    )
