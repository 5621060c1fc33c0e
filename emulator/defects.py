"""Named defects: switches that make the reference watch break one rule each.

They let the harness prove it catches violations: run the suite with a defect
on, and the clauses it names must FAIL. Rules ask `watch.defective(name)`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Defect:
    name: str
    clauses: tuple[str, ...]
    description: str
    # Other clauses it also breaks, each with the reason (a self-validation run lists any other FAIL as unexplained).
    collateral: tuple[tuple[str, str], ...] = ()


DEFECTS: dict[str, Defect] = {}


def defect(name: str, clauses: tuple[str, ...] | list[str], description: str, collateral: dict[str, str] | None = None) -> str:
    """Register a defect (rules modules call this at import) and return its name."""
    DEFECTS[name] = Defect(name, tuple(clauses), description, tuple((collateral or {}).items()))
    return name


def check_names(names: list[str] | tuple[str, ...]) -> None:
    unknown = [n for n in names if n not in DEFECTS]
    if unknown:
        raise ValueError(f"unknown defect(s): {', '.join(unknown)} (known: {', '.join(sorted(DEFECTS))})")
