"""Reports: each is a small writer over the one results model."""

from __future__ import annotations

from pathlib import Path

from conformance.results import RunResults


def write_reports(results: RunResults, output: Path) -> None:
    from conformance.reporting.junit import write_junit

    write_junit(results, output / "junit.xml")
    try:
        from conformance.reporting.html import write_html
    except ImportError:  # the HTML writer is optional until it exists
        return
    write_html(results, output / "report.html")
