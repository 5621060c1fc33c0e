"""Allure results: allure-pytest-bdd writes them; this makes it write them with the declaration's secrets masked.

allure-pytest-bdd records what pytest knows (step parameters as reprs, failure
messages and tracebacks, captured logs and output as attachments), none of it
through the harness's results model. So the run's `Masker` sits in Allure's
own plugin manager: a result or container is masked just before Allure's file
logger writes it, and an attachment is masked just after it is written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import allure_commons
import attr
import pytest

from conformance.secrets import Masker

# Identifiers and file names: never evidence, and other files refer to them.
_KEPT = frozenset({"uuid", "historyId", "testCaseId", "children", "source"})


class AllureMasking:
    def __init__(self, mask: Masker, report_dir: Path):
        self.mask = mask
        self.report_dir = report_dir

    def _masked(self, value: Any) -> Any:
        if attr.has(type(value)):
            for field in attr.fields(type(value)):
                if field.name not in _KEPT:
                    setattr(value, field.name, self._masked(getattr(value, field.name)))
            return value
        if isinstance(value, list):
            return [self._masked(item) for item in value]
        return self.mask(value)

    def _mask_file(self, file_name: str) -> None:
        path = self.report_dir / file_name
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return  # not written, or not text (an image holds no declared secret as text)
        masked = self.mask.text(text)
        if masked != text:
            partial = path.with_name(path.name + ".masking")
            partial.write_text(masked, encoding="utf-8")
            os.replace(partial, path)

    # Before the file logger writes a result (tryfirst); after it writes an attachment (trylast).
    @allure_commons.hookimpl(tryfirst=True)
    def report_result(self, result: Any) -> None:
        self._masked(result)

    @allure_commons.hookimpl(tryfirst=True)
    def report_container(self, container: Any) -> None:
        self._masked(container)

    @allure_commons.hookimpl(trylast=True)
    def report_attached_data(self, body: Any, file_name: str) -> None:
        self._mask_file(file_name)

    @allure_commons.hookimpl(trylast=True)
    def report_attached_file(self, source: Any, file_name: str) -> None:
        self._mask_file(file_name)


def mask_allure_results(config: pytest.Config, mask: Masker) -> None:
    """When the run writes Allure results (--alluredir), mask the declaration's secrets in them."""
    report_dir = getattr(config.option, "allure_report_dir", None)
    if not report_dir:
        return
    masking = AllureMasking(mask, Path(os.path.abspath(report_dir)))
    allure_commons.plugin_manager.register(masking)
    config.add_cleanup(lambda: allure_commons.plugin_manager.unregister(masking))
