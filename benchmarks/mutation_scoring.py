"""The pure half of the mutation benchmark: which mutants to run, how survivors are triaged, the score.

No cosmic-ray here, so the project's tests can check it without the [mutation] extra.
"""

from __future__ import annotations

import ast
import hashlib
import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

# equivalent: no observable change; stricter: the watch refuses more than it must; conformant: another watch the standard
# and docs/protocol.md allow (a choice they leave to the maker); wording: only a refusal's text changes.
TRIAGE_KINDS = ("equivalent", "stricter", "conformant", "wording")
KILLED_OUTCOMES = ("killed", "timeout")  # a mutant that hangs the run is caught too
# Not scored: a mutant that does not compile is no program, and one that changes only annotations is no change.
UNSCORED_OUTCOMES = ("incompetent", "annotation-only", "not-applied")
# Set aside without a run, like triaged survivors: the mutant changes only the words of a refusal's reason.
REASON_ONLY = "reason-only"
# Set aside without a run: the mutant sits in code that runs only when a defect or variant is switched on,
# so the conformant watch the suite is run against is unchanged (equivalent by construction).
SWITCH_ONLY = "switch-only"
# Counted as a survivor without a run: the conformant run never executes the mutated lines, so no run could
# catch it (until a scenario reaches that code).
UNREACHED = "unreached"
SWITCH_CALLS = ("defective", "varies")  # Watch.defective(name), Watch.varies(name)


@dataclass(frozen=True)
class Mutant:
    path: str  # relative to the repository, with forward slashes
    line: int
    operator: str  # cosmic-ray's name, e.g. core/ReplaceComparisonOperator_Lt_LtE
    occurrence: int  # cosmic-ray's count of this operator's sites in the module
    before: str = ""  # the changed source line(s), stripped
    after: str = ""
    function: str = ""  # the enclosing definition, if any
    start: tuple[int, int] = (0, 0)  # (line, column) of the mutated node, as cosmic-ray gives it; not part of the key
    end: tuple[int, int] = (0, 0)

    @property
    def key(self) -> str:
        """A key that survives edits elsewhere in the module (line and occurrence shift; the changed text does not)."""
        text = "|".join((self.path, self.function, self.operator, self.before, self.after))
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]

    def describe(self) -> str:
        return f"{self.path}:{self.line} {self.operator} (occurrence {self.occurrence}): {self.before} -> {self.after}  [key {self.key}]"


def pick_sample(items: list, size: int, seed: int) -> list:
    """A seeded random sample; sorting first makes it independent of the order enumeration gave."""
    population = sorted(items)
    return random.Random(seed).sample(population, min(size, len(population)))


def load_triage(path: Path) -> list[dict]:
    """Entries that set survivors aside: {key} or {path, line, operator, occurrence}, with kind and reason."""
    if not path.exists():
        return []
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for entry in entries:
        if entry.get("kind") not in TRIAGE_KINDS or not entry.get("reason"):
            raise ValueError(f"{path}: each entry needs kind (one of {', '.join(TRIAGE_KINDS)}) and a reason: {entry}")
    return entries


def triage_kind(mutant: Mutant, entries: list[dict]) -> str | None:
    for entry in entries:
        by_key = entry.get("key") == mutant.key
        by_place = (entry.get("path"), entry.get("line"), entry.get("operator"), entry.get("occurrence")) == (mutant.path, mutant.line, mutant.operator, mutant.occurrence)
        if by_key or by_place:
            return entry["kind"]
    return None


def _normalised(source: str, *, annotations: bool, reasons: bool) -> str:
    """The module's AST with annotations and/or the reason text of `Refusal(code, reason)` blanked out."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if annotations and isinstance(node, ast.arg):
            node.annotation = None
        elif annotations and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.returns = None
        elif annotations and isinstance(node, ast.AnnAssign):
            node.annotation = ast.Constant(None)
        elif reasons and isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Refusal" and len(node.args) >= 2:
            node.args[1] = ast.Constant("")
    return ast.dump(tree)


def same_code(original: str, mutated: str) -> bool:
    """Whether two module sources differ only in annotations (never evaluated under `from __future__ import annotations`)."""
    if "from __future__ import annotations" not in original:
        return original == mutated
    return _normalised(original, annotations=True, reasons=False) == _normalised(mutated, annotations=True, reasons=False)


def only_reason_text(original: str, mutated: str) -> bool:
    """Whether a mutant changes nothing but the words of a refusal's reason, which the protocol never judges (docs/protocol.md section 2)."""
    return original != mutated and _normalised(original, annotations=False, reasons=True) == _normalised(mutated, annotations=False, reasons=True)


def score(outcomes: list[str], set_aside: int) -> float | None:
    """Caught / (mutants judged - survivors set aside as equivalent, stricter or wording); unscored outcomes count for neither."""
    set_aside += sum(outcome in (REASON_ONLY, SWITCH_ONLY) for outcome in outcomes)
    caught = sum(outcome in KILLED_OUTCOMES for outcome in outcomes)
    judged = sum(outcome in (*KILLED_OUTCOMES, "survived", UNREACHED, REASON_ONLY, SWITCH_ONLY) for outcome in outcomes) - set_aside
    return caught / judged if judged > 0 else None


Position = tuple[int, int]  # (line, column), as ast and cosmic-ray give them


def _is_switch(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SWITCH_CALLS


def _true_needs_switch(test: ast.AST) -> bool:
    """Whether `test` can be truthy only while some defect or variant is on."""
    if _is_switch(test):
        return True
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _false_needs_switch(test.operand)
    if isinstance(test, ast.BoolOp):
        pick = any if isinstance(test.op, ast.And) else all
        return pick(_true_needs_switch(value) for value in test.values)
    return False


def _false_needs_switch(test: ast.AST) -> bool:
    """Whether `test` can be falsy only while some defect or variant is on."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _true_needs_switch(test.operand)
    if isinstance(test, ast.BoolOp):
        pick = all if isinstance(test.op, ast.And) else any
        return pick(_false_needs_switch(value) for value in test.values)
    return False


def _span(nodes: list[ast.AST]) -> tuple[Position, Position]:
    return (nodes[0].lineno, nodes[0].col_offset), (nodes[-1].end_lineno, nodes[-1].end_col_offset)


def _has_switch(node: ast.AST) -> bool:
    return any(_is_switch(inner) for inner in ast.walk(node))


def _conditions(tree: ast.AST) -> list[ast.AST]:
    """Expressions whose truth alone is used: tests of if, while and `a if t else b`, operands of `not`, and,
    within those, the operands of and/or."""
    found = [node.test for node in ast.walk(tree) if isinstance(node, ast.If | ast.IfExp | ast.While)]
    found += [node.operand for node in ast.walk(tree) if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)]
    for condition in list(found):
        found += [inner for outer in ast.walk(condition) if isinstance(outer, ast.BoolOp) for inner in outer.values]
    return found


def _blocks(node: ast.AST) -> list[list[ast.stmt]]:
    return [block for field in ("body", "orelse", "finalbody") if isinstance(block := getattr(node, field, None), list) and block]


def _exits_unless_switched(statement: ast.stmt) -> bool:
    """`if not w.defective(D): raise ...` (or return): what follows runs only with a switch on."""
    return (isinstance(statement, ast.If) and not statement.orelse and isinstance(statement.body[-1], ast.Raise | ast.Return)
            and _false_needs_switch(statement.test))


def switch_only_spans(source: str, elsewhere: str = "") -> list[tuple[Position, Position]]:
    """The stretches of a module that change the watch only while a defect or variant is on:
    - the branch of an `if` (or of `a if test else b`) that its test reaches only with a switch on;
    - the operands of and/or evaluated only after such a test;
    - the statements after `if not w.defective(D): raise ...` (or return), in the same block;
    - in a condition that can be true only with a switch on (`kind == "x" and w.defective(D)`), or false only
      with one on, the operands that hold no switch: whatever they become, the condition is what it was;
    - a module constant read only in those stretches, and named in no other source (`elsewhere`)."""
    tree = ast.parse(source)
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If | ast.IfExp):
            body = node.body if isinstance(node.body, list) else [node.body]
            orelse = node.orelse if isinstance(node.orelse, list) else [node.orelse]
            if _true_needs_switch(node.test):
                spans.append(_span(body))
            if orelse and _false_needs_switch(node.test):
                spans.append(_span(orelse))
        elif isinstance(node, ast.BoolOp):
            guard = _true_needs_switch if isinstance(node.op, ast.And) else _false_needs_switch
            for n, value in enumerate(node.values[1:], start=1):
                if any(guard(earlier) for earlier in node.values[:n]):
                    spans.append(_span([value]))
    for node in ast.walk(tree):
        for block in _blocks(node):
            for n, statement in enumerate(block[:-1]):
                if _exits_unless_switched(statement):
                    spans.append(_span(block[n + 1:]))
                    break
    for condition in _conditions(tree):
        if isinstance(condition, ast.BoolOp) and (_true_needs_switch(condition) if isinstance(condition.op, ast.And) else _false_needs_switch(condition)):
            spans += [_span([value]) for value in condition.values if not _has_switch(value)]
    return spans + _constants_read_only_in(tree, spans, elsewhere)


def _constants_read_only_in(tree: ast.Module, spans: list[tuple[Position, Position]], elsewhere: str) -> list[tuple[Position, Position]]:
    """Module constants (`NAME = ...` at the top level) that the module reads only inside `spans` and no other
    source names: whatever value they get, the watch with every switch off is the same."""
    found = []
    for statement in tree.body:
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target] if isinstance(statement, ast.AnnAssign) else []
        if len(targets) != 1 or not isinstance(targets[0], ast.Name) or not targets[0].id.isupper():
            continue
        name = targets[0].id
        reads = [(node.lineno, node.col_offset) for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)]
        if reads and all(in_switch_only_code(spans, read, read) for read in reads) and not re.search(rf"\b{name}\b", elsewhere):
            found.append(_span([statement]))
    return found


def in_switch_only_code(spans: list[tuple[Position, Position]], start: Position, end: Position) -> bool:
    return any(first <= start and end <= last for first, last in spans)


def statement_lines(source: str) -> list[tuple[Position, Position, int]]:
    """Each statement's span and the line a line-coverage tool records it under (its first)."""
    return [((node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset), node.lineno) for node in ast.walk(ast.parse(source)) if isinstance(node, ast.stmt)]


def reached(statements: list[tuple[Position, Position, int]], executed_lines: set[int], start: Position) -> bool:
    """Whether the conformant run executed the innermost statement holding the mutant (any statement
    if none holds it, e.g. a decorator: such a mutant is run rather than guessed)."""
    holding = [(first, line) for first, last, line in statements if first <= start <= last]
    return not holding or max(holding)[1] in executed_lines
