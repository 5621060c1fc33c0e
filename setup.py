"""The wheel carries the top-level features/ and fixtures/ as package data (conformance/shipped/).

The folders stay where the design card puts them; a checkout reads them in
place (conformance/shipped.py), an installed wheel reads its copies.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("features", "fixtures")


class BuildWithShippedData(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's folders in place
            return
        for name in SHIPPED:
            self.copy_tree(name, str(Path(self.build_lib) / "conformance" / "shipped" / name))


setup(cmdclass={"build_py": BuildWithShippedData})
