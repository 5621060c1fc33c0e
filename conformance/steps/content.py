"""Steps: content."""
