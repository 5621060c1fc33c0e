"""Steps: privacy."""
