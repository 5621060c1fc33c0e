"""Conformance harness for GB 46859-2025, the children's smartwatch standard."""

__version__ = "0.1.0"
