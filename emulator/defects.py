"""Named switches of the reference watch: defects, which break one rule each, and variants, which do not.

Defects let the harness prove it catches violations: run the suite with a
defect on, and the clauses it names must FAIL. Variants let it prove it flags
no conformant watch that differs from this one: run the suite with a variant
on (stricter limits, slower replies, other ids and wording ...), and no
clause may get an adverse verdict. Rules ask `watch.defective(name)` or
`watch.varies(name)`; both are switched on the same way.
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
    # "http": the defect shows only to requests that truly arrive together, which the in-process transport cannot send.
    needs_transport: str | None = None
    # The declaration a self-validation runs it with (one that shows it, e.g. without a test clock), and, where that
    # declaration's full run takes long (real-time waits), a pytest keyword for the scenarios that show the defect.
    device: str = "emulator"
    scenarios: str | None = None


DEFECTS: dict[str, Defect] = {}


def defect(name: str, clauses: tuple[str, ...] | list[str], description: str, collateral: dict[str, str] | None = None, *, needs_transport: str | None = None,
           device: str = "emulator", scenarios: str | None = None) -> str:
    """Register a defect (rules modules call this at import) and return its name."""
    DEFECTS[name] = Defect(name, tuple(clauses), description, tuple((collateral or {}).items()), needs_transport, device, scenarios)
    return name


@dataclass(frozen=True)
class Variant:
    name: str
    description: str


VARIANTS: dict[str, Variant] = {}


def variant(name: str, description: str) -> str:
    """Register a conformant variation (rules modules call this at import) and return its name."""
    VARIANTS[name] = Variant(name, description)
    return name


def check_names(names: list[str] | tuple[str, ...]) -> None:
    unknown = [n for n in names if n not in DEFECTS and n not in VARIANTS]
    if unknown:
        raise ValueError(f"unknown defect(s) or variant(s): {', '.join(unknown)} (defects: {', '.join(sorted(DEFECTS))}; variants: {', '.join(sorted(VARIANTS)) or 'none'})")
