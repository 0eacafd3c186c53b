"""Ordinary PyTorch programs, each a module with ``run(torch)``, run unchanged on torch and on ember.

Every program draws its data with NumPy from a fixed seed (ember's random stream differs
from torch's on purpose) and returns a dict of named results (tensors, numbers, loss
curves) that ``tests/test_programs.py`` compares between the two libraries.
"""
