"""Steps: apps."""
