"""Where the suite's own data lives: the feature files and the fixtures (declarations, corpus, app catalogue).

In a checkout they are the top-level folders features/ and fixtures/. A wheel
carries copies of them inside the package (setup.py puts them in
conformance/shipped/), so that an installed harness runs from any folder.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent


def shipped_folder(name: str) -> Path:
    """features/ or fixtures/: the copy an installed wheel carries, else the checkout's own (a checkout, an editable
    install, or a copy of the tree such as benchmarks/mutation.py makes, has no conformance/shipped/)."""
    in_wheel = PACKAGE / "shipped" / name
    return in_wheel if in_wheel.is_dir() else CHECKOUT / name
