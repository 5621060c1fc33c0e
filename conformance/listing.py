"""`conformance list`: the catalogue, each clause's scenarios, and whether it applies to a declared device."""

from __future__ import annotations

import json

from conformance.applicability import not_applicable_reason
from conformance.catalogue import load_profile
from conformance.declaration import load_declaration
from conformance.features import scenarios


def listing(device: str, profile_name: str) -> list[dict]:
    profile = load_profile(profile_name)
    declaration = load_declaration(device)
    by_clause: dict[str, list[str]] = {cid: [] for cid in profile.clauses}
    for scenario in scenarios():
        for cid in scenario.clauses:
            by_clause.setdefault(cid, []).append(f"{scenario.feature_file}: {scenario.name}")
    rows = []
    for cid, clause in profile.clauses.items():
        reason = not_applicable_reason(clause, declaration)
        rows.append({
            "id": cid, "area": clause.area, "level": clause.level, "kind": clause.kind, "title": {"en": clause.title_en, "zh": clause.title_zh},
            "applies": reason is None, "not_applicable_reason": reason, "scenarios": by_clause[cid],
        })
    return rows


def print_listing(device: str, profile_name: str, *, as_json: bool = False) -> int:
    rows = listing(device, profile_name)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        applies = "applies" if row["applies"] else "N/A"
        print(f"{row['id']:11} {row['level']:11} {applies:7} {len(row['scenarios']):3} scenario(s)  {row['title']['en']}")
        print(f"{'':11} {row['title']['zh']}")
        if not row["applies"]:
            print(f"{'':11} N/A: {row['not_applicable_reason']}")
        for scenario in row["scenarios"]:
            print(f"{'':11}   - {scenario}")
    untested = [r["id"] for r in rows if not r["scenarios"]]
    print(f"\n{len(rows)} clauses, {sum(len(r['scenarios']) for r in rows)} scenario tags, {len(untested)} clause(s) without a scenario{': ' + ' '.join(untested) if untested else ''}")
    return 0
