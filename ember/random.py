"""Random number generation: ``Generator``, seeding, RNG state, and the random samplers."""

__all__ = []

TENSOR_METHODS = {}
