"""Every clause of the catalogue has a scenario, and every clause tag names a clause."""

from __future__ import annotations

from conformance.catalogue import load_profile
from conformance.declaration import FIXTURES_DIR
from conformance.features import scenarios
from conformance.listing import listing


def test_every_clause_has_a_scenario():
    tagged = {c for s in scenarios() for c in s.clauses}
    missing = sorted(set(load_profile().clauses) - tagged)
    assert not missing, f"clauses with no scenario: {missing}"


def test_every_clause_tag_names_a_clause():
    known = set(load_profile().clauses)
    unknown = sorted({(s.feature_file, c) for s in scenarios() for c in s.clauses if c not in known})
    assert not unknown, f"tags naming no clause: {unknown}"


def test_every_scenario_is_tagged_with_a_clause():
    untagged = [f"{s.feature_file}: {s.name}" for s in scenarios() if not s.clauses]
    assert not untagged, f"scenarios with no clause tag: {untagged}"


def test_listing_shows_applicability_for_a_basic_watch():
    rows = {r["id"]: r for r in listing(str(FIXTURES_DIR / "devices" / "basic.yaml"), "gb-2027")}
    assert rows["CSW-PAY-2"]["applies"] is False and "payments" in rows["CSW-PAY-2"]["not_applicable_reason"]
    assert rows["CSW-ADD-1"]["applies"] is True and rows["CSW-ADD-1"]["scenarios"]
