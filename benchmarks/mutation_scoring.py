"""The pure half of the mutation benchmark: which mutants to run, how survivors are triaged, the score.

No cosmic-ray here, so the project's tests can check it without the [mutation] extra.
"""

from __future__ import annotations

import ast
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

TRIAGE_KINDS = ("equivalent", "stricter", "wording")
KILLED_OUTCOMES = ("killed", "timeout")  # a mutant that hangs the run is caught too
# Not scored: a mutant that does not compile is no program, and one that changes only annotations is no change.
UNSCORED_OUTCOMES = ("incompetent", "annotation-only", "not-applied")
# Set aside without a run, like triaged survivors: the mutant changes only the words of a refusal's reason.
REASON_ONLY = "reason-only"


@dataclass(frozen=True)
class Mutant:
    path: str  # relative to the repository, with forward slashes
    line: int
    operator: str  # cosmic-ray's name, e.g. core/ReplaceComparisonOperator_Lt_LtE
    occurrence: int  # cosmic-ray's count of this operator's sites in the module
    before: str = ""  # the changed source line(s), stripped
    after: str = ""
    function: str = ""  # the enclosing definition, if any

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
    set_aside += sum(outcome == REASON_ONLY for outcome in outcomes)
    caught = sum(outcome in KILLED_OUTCOMES for outcome in outcomes)
    judged = sum(outcome in (*KILLED_OUTCOMES, "survived", REASON_ONLY) for outcome in outcomes) - set_aside
    return caught / judged if judged > 0 else None
