"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

The mode is thread-local, as in PyTorch: turning gradients off in one thread leaves
the others recording. Each works as a context manager and as a decorator.
"""

import functools
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled"]

_local = threading.local()


def is_grad_enabled():
    """True while operations are being recorded for backward."""
    return getattr(_local, "enabled", True)


def is_inference_mode_enabled():
    """True inside ``inference_mode()``."""
    return getattr(_local, "inference", False)


def _set_enabled(mode):
    _local.enabled = bool(mode)


class _GradModeContext:
    """Base for the grad-mode context managers: sets a mode on enter, restores it on exit."""

    def _enter_mode(self):
        raise TypeError(f"{type(self).__name__} must define _enter_mode")

    def __enter__(self):
        self._previous = (is_grad_enabled(), is_inference_mode_enabled())
        self._enter_mode()
        return self

    def __exit__(self, *exc):
        _local.enabled, _local.inference = self._previous
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_GradModeContext):
    """Stop recording operations for backward inside the block or decorated function.

    >>> with ember.no_grad():
    ...     y = x * 2          # y.requires_grad is False
    """

    def _enter_mode(self):
        _local.enabled = False


class enable_grad(_GradModeContext):
    """Record operations for backward again, e.g. inside a ``no_grad`` block."""

    def _enter_mode(self):
        _local.enabled = True


class set_grad_enabled(_GradModeContext):
    """Turn recording on or off; takes effect at once, and also works as a context manager."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._previous = (is_grad_enabled(), is_inference_mode_enabled())
        _local.enabled = self.mode

    def __enter__(self):
        # The mode was already set (and the previous one saved) by the constructor.
        _local.enabled = self.mode
        return self

    def _enter_mode(self):
        _local.enabled = self.mode

    def clone(self):
        previous = is_grad_enabled()
        ctx = set_grad_enabled(self.mode)
        _local.enabled = previous
        return ctx


class inference_mode(_GradModeContext):
    """Like ``no_grad``, for code that will never run backward (``mode=False`` turns it off)."""

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def _enter_mode(self):
        if self.mode:
            _local.enabled = False
            _local.inference = True

    def clone(self):
        return inference_mode(self.mode)
