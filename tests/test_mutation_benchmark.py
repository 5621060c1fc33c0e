"""The mutation benchmark's pure parts: a seed fixes the sample, triage finds its survivors, the score formula.

Nothing here imports cosmic-ray, so these run without the [mutation] extra.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.mutation_scoring import Mutant, load_triage, pick_sample, same_code, score, triage_kind

SITES = [(f"emulator/rules/m{n % 7}.py", f"core/Op{n % 5}", n) for n in range(200)]
MUTANT = Mutant("emulator/rules/apps.py", 42, "core/ReplaceComparisonOperator_Lt_LtE", 3, "if n < cap:", "if n <= cap:", "install")


def test_a_seed_fixes_the_sample_whatever_the_enumeration_order():
    first = pick_sample(SITES, 20, seed=1)
    assert first == pick_sample(list(reversed(SITES)), 20, seed=1)
    assert len(set(first)) == 20
    assert first != pick_sample(SITES, 20, seed=2)
    assert sorted(pick_sample(SITES, 500, seed=1)) == sorted(SITES)  # a sample larger than the whole is the whole


def test_triage_matches_by_key_or_by_place(tmp_path: Path):
    triage = tmp_path / "triage.yaml"
    triage.write_text(
        f"""
- key: {MUTANT.key}
  kind: stricter
  reason: refuses at the cap instead of past it
- path: emulator/rules/apps.py
  line: 50
  operator: core/AddNot
  occurrence: 0
  kind: wording
  reason: only the message changes
""",
        encoding="utf-8",
    )
    entries = load_triage(triage)
    assert triage_kind(MUTANT, entries) == "stricter"
    assert triage_kind(Mutant("emulator/rules/apps.py", 50, "core/AddNot", 0), entries) == "wording"
    assert triage_kind(Mutant("emulator/rules/apps.py", 50, "core/AddNot", 1), entries) is None
    assert load_triage(tmp_path / "absent.yaml") == []


def test_the_key_ignores_line_and_occurrence_but_not_the_change():
    moved = Mutant(MUTANT.path, 60, MUTANT.operator, 5, MUTANT.before, MUTANT.after, MUTANT.function)
    changed = Mutant(MUTANT.path, 42, MUTANT.operator, 3, MUTANT.before, "if n >= cap:", MUTANT.function)
    assert moved.key == MUTANT.key != changed.key


def test_a_triage_entry_needs_a_known_kind_and_a_reason(tmp_path: Path):
    triage = tmp_path / "triage.yaml"
    triage.write_text("- key: abc\n  kind: harmless\n  reason: looks fine\n", encoding="utf-8")
    with pytest.raises(ValueError, match="kind"):
        load_triage(triage)


def test_score_is_caught_over_run_less_set_aside():
    outcomes = ["killed"] * 6 + ["timeout", "incompetent", "annotation-only"] + ["survived"] * 4 + ["not-applied"]
    assert score(outcomes, set_aside=0) == 7 / 11
    assert score(outcomes, set_aside=2) == 7 / 9  # two survivors triaged away
    assert score(["survived"], set_aside=1) is None


def test_a_mutant_of_annotations_only_is_the_same_code():
    source = "from __future__ import annotations\n\ndef f(x: int | None) -> float | None:\n    y: int | None = x\n    return y\n"
    assert same_code(source, source.replace("float | None", "float << None"))
    assert not same_code(source, source.replace("return y", "return None"))
    assert not same_code(source.replace("from __future__ import annotations\n", ""), source.replace("from __future__ import annotations\n", "").replace("int | None) ", "int << None) "))


def test_a_mutant_of_a_refusal_reason_only_is_wording():
    from benchmarks.mutation_scoring import only_reason_text

    source = 'def f(x):\n    if x > 1:\n        raise Refusal("limit_exceeded", f"above {x / 100:g} yuan")\n'
    assert only_reason_text(source, source.replace("x / 100", "x % 100"))
    assert not only_reason_text(source, source.replace("x > 1", "x >= 1")), "the condition is behaviour, not wording"
    assert not only_reason_text(source, source.replace('"limit_exceeded"', '"denied"')), "the code is judged"
    assert score(["killed", "reason-only", "survived"], set_aside=0) == 1 / 2
