"""Reading the features folder: which scenarios exist and which clauses each one tags."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_bdd.parser import FeatureParser

from conformance.shipped import shipped_folder

FEATURES_DIR = Path(os.environ.get("CONFORMANCE_FEATURES", shipped_folder("features")))
CLAUSE_TAG = re.compile(r"^CSW-[A-Z]{3}-\d+$")


@dataclass(frozen=True)
class ScenarioInfo:
    feature_file: str
    feature: str
    name: str
    clauses: tuple[str, ...]
    tags: tuple[str, ...]


def scenarios(features_dir: Path = FEATURES_DIR) -> list[ScenarioInfo]:
    found = []
    for path in sorted(features_dir.rglob("*.feature")):
        relative = str(path.relative_to(features_dir))
        feature = FeatureParser(str(features_dir), relative).parse()
        for scenario in feature.scenarios.values():
            tags = tuple(sorted(set(feature.tags) | set(scenario.tags)))
            found.append(ScenarioInfo(relative, feature.name, scenario.name, tuple(t for t in tags if CLAUSE_TAG.match(t)), tags))
    return found


def scenario_of(item: Any) -> dict[str, str]:
    """feature, feature_file, name and description of a pytest-bdd item, from pytest-bdd's own registry: for a scenario
    settled before its first step (NOT_APPLICABLE), which the step hooks never saw. Not a pytest-bdd item: its own name."""
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    template = scenario_wrapper_template_registry.get(getattr(item, "function", None))
    if template is None:
        return {"feature": "", "feature_file": str(item.path), "name": item.name, "description": ""}
    # As allure-pytest-bdd describes a scenario: the feature's description, then the scenario's own.
    description = "\n\n".join(d.strip() for d in (template.feature.description, template.description) if d and d.strip())
    return {"feature": template.feature.name, "feature_file": os.path.normpath(template.feature.rel_filename), "name": template.name, "description": description}
