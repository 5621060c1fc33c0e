"""Binds every feature file under the features folder as pytest scenarios.

`conformance run` points pytest at this module; plain pytest can too:
`pytest -p conformance.plugin conformance/suite.py`.
"""

from pytest_bdd import scenarios

from conformance.features import FEATURES_DIR

scenarios(str(FEATURES_DIR))
