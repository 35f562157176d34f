"""Reliability and safety: bad input, fuzzing, crash and resume, distributed, determinism."""
