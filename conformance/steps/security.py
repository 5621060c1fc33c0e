"""Steps: security."""
