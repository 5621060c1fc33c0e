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


def test_the_shipped_triage_loads_with_one_entry_per_key():
    entries = load_triage(Path(__file__).resolve().parent.parent / "benchmarks" / "mutation_triage.yaml")
    keys = [entry["key"] for entry in entries if "key" in entry]
    assert entries and len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


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


SWITCHED = '''
def rule(w, x):
    if w.defective(LOOSE):
        x = x + 1
    if not w.varies(STRICT):
        x = x * 2
    else:
        x = x * 3
    y = 1 if w.varies(STRICT) else 2
    z = w.defective(A) and x > 3
    q = not w.defective(B) or x < 4
    if x > 1 and w.defective(C):
        return x - 1
    if x > 1 or w.defective(C):
        return x
    if x == 5 and w.defective(D):
        return 0
    if not (x == 6 or not w.defective(E)):
        return 6
    n = x == 7 and w.defective(F)
    return y + z + n


def guarded(w, x):
    if not w.defective(OPEN):
        raise Refusal("not_allowed", "closed")
    x = x + 8
    return x

'''


def _position(source: str, line_text: str, fragment: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """The span of `fragment` on the line that reads `line_text` (stripped)."""
    number, line = next((n, line) for n, line in enumerate(source.splitlines(), start=1) if line.strip() == line_text)
    column = line.index(fragment)
    return (number, column), (number, column + len(fragment))


@pytest.mark.parametrize(("line", "fragment", "switch_only"), [
    ("x = x + 1", "x + 1", True),                            # the body of `if w.defective(...)`
    ("x = x * 2", "x * 2", False),                           # the conformant branch of `if not w.varies(...)`
    ("x = x * 3", "x * 3", True),                            # its else
    ("y = 1 if w.varies(STRICT) else 2", "1", True),         # the value taken when the variant is on
    ("y = 1 if w.varies(STRICT) else 2", "2", False),
    ("z = w.defective(A) and x > 3", "x > 3", True),         # evaluated only after a true switch
    ("q = not w.defective(B) or x < 4", "x < 4", True),      # evaluated only after `not switch` is false
    ("q = not w.defective(B) or x < 4", "not w.defective(B)", False),  # the test itself runs on every watch
    ("return x - 1", "x - 1", True),                         # `x > 1 and switch`: the body needs the switch
    ("return x", "x", False),                                # `x > 1 or switch`: reachable with no switch on
    ("if x > 1 or w.defective(C):", "x > 1", False),
    ("if x == 5 and w.defective(D):", "x == 5", True),       # `... and switch` is false on every conformant watch
    ("if x == 5 and w.defective(D):", "w.defective(D)", False),
    ("if not (x == 6 or not w.defective(E)):", "x == 6", True),  # `... or not switch` is true on every conformant watch
    ("n = x == 7 and w.defective(F)", "x == 7", False),
    ("x = x + 8", "x + 8", True),                            # after `if not switch: raise`, in the same block      # a value, not a condition: it may be False or x == 7's result
])
def test_code_that_runs_only_with_a_switch_on_is_found_by_its_test(line: str, fragment: str, switch_only: bool):
    from benchmarks.mutation_scoring import in_switch_only_code, switch_only_spans

    assert in_switch_only_code(switch_only_spans(SWITCHED), *_position(SWITCHED, line, fragment)) is switch_only


CONSTANTS = '''
STRICT_CAP = 30
CAP = 50
SHARED_CAP = 40


def cap(w):
    if w.varies(STRICT):
        return min(STRICT_CAP, SHARED_CAP)
    return CAP if w.varies(LOOSE) else CAP + 1
'''


@pytest.mark.parametrize(("line", "switch_only"), [
    ("STRICT_CAP = 30", True),     # read only in the variant's branch
    ("CAP = 50", False),           # read by the conformant watch too
    ("SHARED_CAP = 40", False),    # read only in the branch here, but another module names it
])
def test_a_constant_read_only_with_a_switch_on_is_switch_only(line: str, switch_only: bool):
    from benchmarks.mutation_scoring import in_switch_only_code, switch_only_spans

    spans = switch_only_spans(CONSTANTS, elsewhere="from emulator.rules.payments import SHARED_CAP\n")
    assert in_switch_only_code(spans, *_position(CONSTANTS, line, line.split(" = ")[1])) is switch_only


def test_a_mutant_is_reached_when_its_innermost_statement_ran():
    from benchmarks.mutation_scoring import reached, statement_lines

    source = "def f(a):\n    b = g(a,\n          c + 1)\n    if a:\n        return b\n    return 0\n"
    statements = statement_lines(source)
    assert reached(statements, {1, 2, 4, 6}, (3, 10)), "a continuation line counts under its statement's first line"
    assert not reached(statements, {1, 2, 4, 6}, (5, 15))
    assert reached(statements, {1, 2, 4, 5}, (5, 15))
    from benchmarks.mutation_scoring import score
    assert score(["killed", "unreached", "switch-only"], set_aside=0) == 1 / 2
