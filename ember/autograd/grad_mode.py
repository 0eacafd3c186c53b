"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

The mode is thread-local, as in PyTorch: turning gradients off in one thread leaves
the others recording. Each works as a context manager and as a decorator (of plain
functions and of generator functions, whose every step then runs in the mode).
``no_grad``, ``enable_grad`` and ``inference_mode`` may also decorate without
parentheses (``@ember.no_grad``).
"""

import functools
import inspect
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled"]



class _GradState(threading.local):
    """Per-thread grad mode; the class attributes are each new thread's starting values."""

    enabled = True
    inference = False


_local = _GradState()


def is_grad_enabled():
    """True while operations are being recorded for backward.

    >>> ember.is_grad_enabled()
    True
    """
    return _local.enabled


def is_inference_mode_enabled():
    """True inside ``inference_mode()``.

    >>> with ember.inference_mode():
    ...     ember.is_inference_mode_enabled()
    True
    """
    return _local.inference


def _current_mode():
    return is_grad_enabled(), is_inference_mode_enabled()


def _restore_mode(mode):
    _local.enabled, _local.inference = mode


def _wrap_generator(make_context, func):
    """Decorate a generator function: each resumption runs inside a fresh context."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        generator = func(*args, **kwargs)
        try:
            with make_context():
                request = generator.send(None)
            while True:
                try:
                    response = yield request
                except GeneratorExit:
                    with make_context():
                        generator.close()
                    raise
                except BaseException as error:
                    with make_context():
                        request = generator.throw(error)
                else:
                    with make_context():
                        request = generator.send(response)
        except StopIteration as stop:
            return stop.value
    return wrapper


def _decorate(make_context, func):
    """Run ``func`` (a function or generator function) inside contexts made by ``make_context``."""
    if not callable(func):
        raise TypeError(f"a grad-mode decorator expects a function, got {type(func).__name__}")
    if inspect.isgeneratorfunction(func):
        return _wrap_generator(make_context, func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with make_context():
            return func(*args, **kwargs)
    return wrapper


class _GradModeContext:
    """Base for the grad-mode context managers: sets a mode on enter, restores it on exit."""

    def _enter_mode(self):
        raise NotImplementedError(f"{type(self).__name__} must define _enter_mode")

    def __enter__(self):
        self._previous = _current_mode()
        self._enter_mode()
        return self

    def __exit__(self, *exc):
        _restore_mode(self._previous)
        return False

    def __call__(self, func):
        return _decorate(self.clone, func)

    def clone(self):
        return type(self)()

    def __repr__(self):
        return f"ember.autograd.grad_mode.{type(self).__name__}()"


class _NoArgumentContext(_GradModeContext):
    """A mode that also decorates without parentheses: ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __init__(self, orig_func=None):
        """Nothing to set up: a decorated function was already handled by ``__new__``."""


class no_grad(_NoArgumentContext):
    """Stop recording operations for backward inside the block or decorated function.

    >>> x = ember.ones(2, requires_grad=True)
    >>> with ember.no_grad():
    ...     (x * 2).requires_grad
    False
    """

    def _enter_mode(self):
        _local.enabled = False


class enable_grad(_NoArgumentContext):
    """Record operations for backward again, e.g. inside a ``no_grad`` block.

    >>> x = ember.ones(2, requires_grad=True)
    >>> with ember.no_grad(), ember.enable_grad():
    ...     (x * 2).requires_grad
    True
    """

    def _enter_mode(self):
        _local.enabled = True


class set_grad_enabled(_GradModeContext):
    """Turn recording on or off; takes effect at once, and also works as a context manager or decorator.

    >>> with ember.set_grad_enabled(False):
    ...     ember.is_grad_enabled()
    False
    """

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, not "
                            f"{type(mode).__name__}")
        self.mode = mode
        self._previous = _current_mode()
        _local.enabled = mode

    def __enter__(self):
        # The constructor already set the mode and saved the previous one.
        _local.enabled = self.mode
        return self

    def _enter_mode(self):
        _local.enabled = self.mode

    def __call__(self, func):
        # Used as a decorator the constructor's immediate effect is undone: the mode applies to calls only.
        _restore_mode(self._previous)
        return super().__call__(func)

    def clone(self):
        return set_grad_enabled(self.mode)

    def __repr__(self):
        return f"ember.autograd.grad_mode.set_grad_enabled(mode={self.mode})"


class inference_mode(_GradModeContext):
    """Like ``no_grad``, for code that will never run backward; ``inference_mode(False)`` records again.

    >>> with ember.inference_mode():
    ...     ember.is_grad_enabled(), ember.is_inference_mode_enabled()
    (False, True)
    """

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode=True):
        self.mode = mode

    def _enter_mode(self):
        _local.enabled = not self.mode
        _local.inference = self.mode

    def clone(self):
        return inference_mode(self.mode)

    def __repr__(self):
        return f"ember.autograd.grad_mode.inference_mode(mode={self.mode})"
