"""Anomaly detection: remember where each op was created, and name the op whose backward made NaN."""

import threading
import traceback
import warnings

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]

_local = threading.local()


def is_anomaly_enabled():
    return getattr(_local, "enabled", False)


def capture_stack():
    return "".join(traceback.format_stack()[:-3])


class detect_anomaly:
    """Context manager (and decorator) that checks every backward for NaN and names the culprit.

    >>> with ember.autograd.detect_anomaly():
    ...     y = (x * 0).log() * 0
    ...     y.sum().backward()    # RuntimeError: Function 'LogBackward0' returned nan values ...
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._previous = is_anomaly_enabled()
        _local.enabled = True
        return self

    def __exit__(self, *exc):
        _local.enabled = self._previous
        return False

    def __call__(self, func):
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return func(*args, **kwargs)
        return wrapper


class set_detect_anomaly(detect_anomaly):
    """Turn anomaly detection on or off; works at once and as a context manager."""

    def __init__(self, mode, check_nan=True):
        super().__init__(check_nan)
        self._previous = is_anomaly_enabled()
        _local.enabled = bool(mode)
        self.mode = bool(mode)

    def __enter__(self):
        _local.enabled = self.mode
        return self


def report_nan(node, grads):
    """Raise RuntimeError naming ``node`` when one of the gradients it produced holds NaN."""
    for i, g in enumerate(grads):
        if g is None:
            continue
        xp_isnan = g.xp.isnan
        if g.dtype.is_floating_point and bool(xp_isnan(g._data).any()):
            if node._anomaly_trace:
                warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the "
                              f"error:\n{node._anomaly_trace}", RuntimeWarning, stacklevel=2)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
