"""Module: the base class of every layer."""

__all__ = []
