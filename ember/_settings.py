"""Process-wide settings of the ``torch.*`` namespace: threads, determinism, default device, matmul
precision, warnings and denormals.

ember's math runs in NumPy, so most of these are recorded for code that reads them
back, and act where NumPy lets them:

* ``set_num_threads`` limits the BLAS thread pool NumPy's matrix products use, through
  ``threadpoolctl`` when that package is importable; without it the number is only
  recorded. Elementwise NumPy code is single-threaded either way.
* ``set_num_interop_threads`` is recorded (ember runs no inter-op thread pool); like
  PyTorch it may be called only once.
* ember's ops are deterministic already, so ``use_deterministic_algorithms`` changes no
  result; ``set_float32_matmul_precision`` is recorded (NumPy always multiplies float32
  in full precision).
* The default device can only be the CPU; ``'cuda'`` raises as every CUDA request does
  in a build without a GPU backend.
* NumPy cannot flush denormal numbers to zero, so ``set_flush_denormal`` returns False.
"""

import os
import warnings

from ._device import CPU, check_available, to_device

__all__ = ["set_num_threads", "get_num_threads", "set_num_interop_threads", "get_num_interop_threads",
           "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_default_device", "get_default_device",
           "set_float32_matmul_precision", "get_float32_matmul_precision", "set_warn_always",
           "is_warn_always_enabled", "set_flush_denormal"]


class _Settings:
    """The current values; one instance, ``_settings``, for the whole process (as PyTorch's globals)."""

    def __init__(self):
        self.num_threads = None            # None: whatever the BLAS library chose
        self.num_interop_threads = None    # None: not set yet
        self.deterministic = False
        self.deterministic_warn_only = False
        self.default_device = CPU
        self.matmul_precision = "highest"
        self.warn_always = False


_settings = _Settings()

_MATMUL_PRECISIONS = ("highest", "high", "medium")
_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def _check_type(value, kind, message):
    """PyTorch's RuntimeError for a setting given a value of the wrong Python type (bools are not ints)."""
    if not isinstance(value, kind) or kind is int and isinstance(value, bool):
        raise RuntimeError(f"{message}, but got {type(value).__name__}")


def _check_thread_count(value, fn):
    _check_type(value, int, f"{fn} expects an int")
    if value <= 0:
        raise RuntimeError(f"{fn} expects a positive integer")


def _default_threads():
    """What a fresh process would use: OMP_NUM_THREADS when set, else one thread per CPU."""
    try:
        return max(int(os.environ.get("OMP_NUM_THREADS", "")), 1)
    except ValueError:
        return os.cpu_count() or 1


def _blas_limits():
    """threadpoolctl's module, or None when it is not installed."""
    try:
        import threadpoolctl
    except ImportError:
        return None
    return threadpoolctl


def _blas_threads():
    """The threads NumPy's BLAS uses (as threadpoolctl reports them), else what a fresh process would use."""
    threadpoolctl = _blas_limits()
    if threadpoolctl is not None:
        counts = [pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]
        if counts:
            return max(counts)
    return _default_threads()


def _recorded(value, default):
    """A setting's recorded value, or ``default()`` when it was never set."""
    return default() if value is None else value


# ----------------------------------------------------------------------------- threads

def set_num_threads(num_threads, /):
    """Use ``num_threads`` threads for intra-op parallelism (NumPy's BLAS, through threadpoolctl when installed).

    >>> ember.set_num_threads(2)
    >>> ember.get_num_threads()
    2
    """
    _check_thread_count(num_threads, "set_num_threads")
    threadpoolctl = _blas_limits()
    if threadpoolctl is not None:
        threadpoolctl.threadpool_limits(limits=num_threads, user_api="blas")
    _settings.num_threads = num_threads


def get_num_threads():
    """The number of threads used for intra-op parallelism (the last ``set_num_threads``, or the BLAS default).

    >>> ember.get_num_threads() >= 1
    True
    """
    return _recorded(_settings.num_threads, _blas_threads)


def set_num_interop_threads(num_threads, /):
    """Record the number of inter-op threads; allowed once per process, as in PyTorch.

    >>> ember.get_num_interop_threads() >= 1
    True
    """
    _check_thread_count(num_threads, "set_num_interop_threads")
    if _settings.num_interop_threads is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has started or "
                           "set_num_interop_threads called")
    _settings.num_interop_threads = num_threads


def get_num_interop_threads():
    """The number of inter-op threads (the value set, else one per CPU).

    >>> ember.get_num_interop_threads() >= 1
    True
    """
    return _recorded(_settings.num_interop_threads, _default_threads)


# ----------------------------------------------------------------------------- determinism

def use_deterministic_algorithms(mode, *, warn_only=False):
    """Ask for deterministic algorithms only (ember's are all deterministic, so results do not change).

    >>> ember.use_deterministic_algorithms(True)
    >>> ember.are_deterministic_algorithms_enabled()
    True
    >>> ember.use_deterministic_algorithms(False)
    """
    for name, value in (("mode", mode), ("warn_only", warn_only)):
        if not isinstance(value, bool):
            where = " (position 1)" if name == "mode" else ""
            raise TypeError(f"use_deterministic_algorithms(): argument '{name}'{where} must be bool, not "
                            f"{type(value).__name__}")
    _settings.deterministic = mode
    _settings.deterministic_warn_only = warn_only


def are_deterministic_algorithms_enabled():
    """Whether ``use_deterministic_algorithms(True)`` is in effect.

    >>> ember.are_deterministic_algorithms_enabled()
    False
    """
    return _settings.deterministic


def is_deterministic_algorithms_warn_only_enabled():
    """Whether deterministic mode only warns (``use_deterministic_algorithms(True, warn_only=True)``).

    >>> ember.is_deterministic_algorithms_warn_only_enabled()
    False
    """
    return _settings.deterministic_warn_only


def set_deterministic_debug_mode(debug_mode):
    """The deterministic setting as one value: 'default' (0, off), 'warn' (1) or 'error' (2).

    >>> ember.set_deterministic_debug_mode("warn")
    >>> ember.get_deterministic_debug_mode()
    1
    >>> ember.set_deterministic_debug_mode(0)
    """
    if isinstance(debug_mode, bool) or not isinstance(debug_mode, (int, str)):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    """The deterministic setting as a number: 0 off, 1 warn only, 2 error.

    >>> ember.get_deterministic_debug_mode()
    0
    """
    if not _settings.deterministic:
        return 0
    return 1 if _settings.deterministic_warn_only else 2


# ----------------------------------------------------------------------------- default device, precision, warnings

def set_default_device(device):
    """Make ``device`` the default for new tensors; only the CPU exists in this build (None resets it).

    >>> ember.set_default_device("cpu")
    >>> ember.get_default_device()
    device(type='cpu')
    """
    chosen = CPU if device is None else to_device(device)
    check_available(chosen)
    _settings.default_device = chosen


def get_default_device():
    """The device new tensors are made on: the CPU.

    >>> ember.get_default_device()
    device(type='cpu')
    """
    return _settings.default_device


def set_float32_matmul_precision(precision):
    """Record the float32 matmul precision ('highest', 'high' or 'medium'); NumPy always computes at 'highest'.

    >>> ember.set_float32_matmul_precision("high")
    >>> ember.get_float32_matmul_precision()
    'high'
    >>> ember.set_float32_matmul_precision("highest")
    """
    _check_type(precision, str, "set_float32_matmul_precision expects a str")
    if precision not in _MATMUL_PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "set_float32_matmul_precision call has no effect.", UserWarning, stacklevel=2)
        return
    _settings.matmul_precision = precision


def get_float32_matmul_precision():
    """The float32 matmul precision last set ('highest' by default).

    >>> ember.get_float32_matmul_precision()
    'highest'
    """
    return _settings.matmul_precision


def set_warn_always(b):
    """With True, warnings PyTorch gives once per process are given every time.

    >>> ember.set_warn_always(True)
    >>> ember.is_warn_always_enabled()
    True
    >>> ember.set_warn_always(False)
    """
    _check_type(b, bool, "setWarnOnlyOnce expects a bool")
    _settings.warn_always = b


def is_warn_always_enabled():
    """Whether once-only warnings are given every time (``set_warn_always(True)``).

    >>> ember.is_warn_always_enabled()
    False
    """
    return _settings.warn_always


def set_flush_denormal(mode):
    """Ask to flush denormal floats to zero; NumPy cannot, so this returns False (not supported).

    >>> ember.set_flush_denormal(True)
    False
    """
    _check_type(mode, bool, "flush_denormal expects a bool")
    return False
