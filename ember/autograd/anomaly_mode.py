"""Anomaly detection: remember where each op was created, and name the op whose backward failed.

While it is on, every recorded op keeps the traceback of its forward call. When a
backward step raises, or (with ``check_nan``) returns NaN, a warning shows that
forward traceback, and a NaN becomes a RuntimeError naming the op. As in PyTorch
the switch is process-wide, not per thread.
"""

import traceback
import warnings

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]

_state = {"enabled": False, "check_nan": True}


def is_anomaly_enabled():
    """True while anomaly detection is on.

    >>> ember.autograd.is_anomaly_enabled()
    False
    """
    return _state["enabled"]


def is_anomaly_check_nan_enabled():
    """True when anomaly detection also turns NaN gradients into errors.

    >>> ember.autograd.anomaly_mode.is_anomaly_check_nan_enabled()
    True
    """
    return _state["check_nan"]


def _set_anomaly_enabled(enabled, check_nan=True):
    _state["enabled"] = bool(enabled)
    _state["check_nan"] = bool(check_nan)


def capture_stack():
    """The current Python stack, as text, without the autograd frames that record it."""
    return "".join(traceback.format_stack()[:-3])


class detect_anomaly:
    """Context manager (and decorator) that checks every backward step and names the op that failed.

    >>> x = ember.tensor([0.0], requires_grad=True)
    >>> with ember.autograd.detect_anomaly():
    ...     (x / x).sum().backward()
    Traceback (most recent call last):
    RuntimeError: Function 'DivBackward0' returned nan values in its 0th output.
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only "
                      "be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        self._previous = (is_anomaly_enabled(), is_anomaly_check_nan_enabled())
        _set_anomaly_enabled(True, self.check_nan)
        return self

    def __exit__(self, *exc):
        _set_anomaly_enabled(*self._previous)
        return False

    def __call__(self, func):
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        wrapper.__name__ = getattr(func, "__name__", "wrapper")
        wrapper.__doc__ = getattr(func, "__doc__", None)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off; works at once, and as a context manager restores the old setting.

    >>> with ember.autograd.set_detect_anomaly(True):
    ...     ember.autograd.is_anomaly_enabled()
    True
    """

    def __init__(self, mode, check_nan=True):
        self._previous = (is_anomaly_enabled(), is_anomaly_check_nan_enabled())
        _set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _set_anomaly_enabled(*self._previous)
        return False


def _warn_forward_trace(node):
    if node._anomaly_trace:
        warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                      f"{node._anomaly_trace}", UserWarning, stacklevel=3)


def run_checked(node, grads):
    """Run ``node``'s backward on ``grads`` under anomaly detection: failures name the forward call."""
    try:
        in_grads = node._run_backward(grads)
    except Exception:
        _warn_forward_trace(node)
        raise
    if is_anomaly_check_nan_enabled():
        report_nan(node, in_grads)
    return in_grads


def report_nan(node, grads):
    """Raise RuntimeError naming ``node`` when one of the gradients it produced holds NaN."""
    for i, g in enumerate(grads):
        if g is None or not (g.dtype.is_floating_point or g.dtype.is_complex):
            continue
        if bool(g._xp.isnan(g._data).any()):
            _warn_forward_trace(node)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
