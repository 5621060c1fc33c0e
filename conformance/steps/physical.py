"""Steps: physical."""
