"""Steps: social."""
