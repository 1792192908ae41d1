"""Loopback stand-ins and corpus generators shared by the tests and the benchmarks."""
