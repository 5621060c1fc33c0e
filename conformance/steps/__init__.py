"""Step definitions by area, all speaking to the device through the `Watch` API only."""
