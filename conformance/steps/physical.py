"""Physical requirements: evidence, not tests. The declaration must cite a lab's report for each clause.

The verdict of a scenario here becomes EVIDENCE_SUPPLIED or EVIDENCE_MISSING
for its clause (the clause's kind is "evidence"); nothing here touches the
device.
"""

from __future__ import annotations

import pytest
from pytest_bdd import given, then

from conformance.declaration import Declaration
from conformance.plugin import CLAUSE_ID


@given("the maker's device declaration")
def maker_declaration(declaration: Declaration) -> None:
    """The `declaration` fixture is the file the run was started with."""


@then("it cites a lab's test report for this requirement")
def cites_lab_report(declaration: Declaration, request: pytest.FixtureRequest) -> None:
    # The clause is the scenario's own tag, so the text and the tag cannot disagree.
    clauses = sorted({m.name for m in request.node.iter_markers() if CLAUSE_ID.match(m.name)})
    assert clauses, "the scenario is tagged with no clause"
    for clause in clauses:
        cited = declaration.evidence.get(clause)
        assert cited, f"{declaration.path.name} cites no lab report for {clause} (evidence.{clause})"
        # The schema only asks for strings; a blank one is no citation.
        missing = [key for key in ("report", "lab") if not str(cited.get(key) or "").strip()]
        assert not missing, f"{declaration.path.name}: evidence.{clause} has an empty {' and '.join(missing)}"
