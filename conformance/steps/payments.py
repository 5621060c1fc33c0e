"""Steps: payments."""
