"""Steps: safety."""
