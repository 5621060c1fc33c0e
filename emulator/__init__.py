"""The reference watch: a conformant children's watch and its cloud side, speaking DTP v1."""
