"""Binds every feature file under the features folder as pytest scenarios.

`conformance run` points pytest at this module; plain pytest can too:
`pytest -p conformance.plugin --pyargs conformance.suite`.
"""

import os
from pathlib import Path

from pytest_bdd import scenarios

FEATURES_DIR = Path(os.environ.get("CONFORMANCE_FEATURES", Path(__file__).resolve().parent.parent / "features"))

scenarios(str(FEATURES_DIR))
