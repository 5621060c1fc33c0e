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
    """features/ or fixtures/: the checkout's own when there is one, else the copy the wheel carries."""
    in_checkout = CHECKOUT / name
    if in_checkout.is_dir() and (CHECKOUT / "pyproject.toml").is_file():
        return in_checkout
    return PACKAGE / "shipped" / name
