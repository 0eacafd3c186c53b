"""``ember.cuda``: what a program asks about GPUs. This build has no CUDA backend yet.

``is_available()`` is False and ``device_count()`` is 0, so the usual
``device = "cuda" if ember.cuda.is_available() else "cpu"`` picks the CPU; seeding is
accepted and does nothing (as PyTorch does when no GPU is present).
"""

__all__ = ["is_available", "device_count", "is_initialized", "manual_seed", "manual_seed_all", "current_device"]


def is_available():
    """Whether a CUDA device can be used: always False in this build.

    >>> ember.cuda.is_available()
    False
    """
    return False


def device_count():
    """The number of CUDA devices ember can use (0 in this build)."""
    return 0


def is_initialized():
    """Whether the CUDA state has been initialised (never, in this build)."""
    return False


def manual_seed(seed):
    """Seed the current GPU's generator; without a GPU there is nothing to seed."""
    int(seed)


def manual_seed_all(seed):
    """Seed every GPU's generator; without a GPU there is nothing to seed."""
    int(seed)


def current_device():
    """The index of the current CUDA device; raises, as there is none."""
    from .._device import check_available, device
    check_available(device("cuda"))
