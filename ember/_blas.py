"""Choosing OpenBLAS's AVX-512 kernels on AMD processors it does not recognise.

NumPy's wheels bundle OpenBLAS, which picks its matrix-product kernels from the processor's
family and model when it loads. Processors newer than the OpenBLAS release (AMD's Zen 5, family
26, under OpenBLAS 0.3.31) fall back to the AVX2 ("Haswell") kernels although they run AVX-512:
float32 products then reach about half their speed (a 1024^3 product: 240 against 460 GFLOP/s
on two Zen 5 cores), and every convolution and linear layer with them.

OpenBLAS reads the ``OPENBLAS_CORETYPE`` variable once, when NumPy loads it, so the choice must
be made before NumPy is imported: ``import ember`` does it first thing, and only when nothing
has decided yet (NumPy not imported, the variable unset). Importing NumPy before ember, or
setting ``OPENBLAS_CORETYPE`` yourself, keeps OpenBLAS's own choice.
"""

import os
import sys

# The AVX-512 subsets OpenBLAS's SkylakeX kernels use.
SKYLAKEX_FLAGS = frozenset({"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})
CPUINFO = "/proc/cpuinfo"


def cpu_description(path=CPUINFO):
    """The vendor and the feature flags of the first processor in ``path`` (Linux), or ("", set()) elsewhere."""
    vendor, flags = "", set()
    try:
        with open(path, encoding="ascii", errors="replace") as lines:
            for line in lines:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "vendor_id":
                    vendor = value.strip()
                elif key == "flags":
                    flags = set(value.split())
                    break
    except OSError:
        pass
    return vendor, flags


def preferred_coretype(vendor, flags):
    """The OpenBLAS core type to ask for, or None to keep OpenBLAS's own choice.

    AMD processors with the full AVX-512 set get the SkylakeX kernels (OpenBLAS's choice for
    Zen 4 too); Intel processors are left alone: OpenBLAS knows its AVX-512 models by name.
    """
    if vendor == "AuthenticAMD" and SKYLAKEX_FLAGS <= set(flags):
        return "SkylakeX"
    return None


def choose_kernels(environ=os.environ, modules=sys.modules, path=CPUINFO):
    """Set ``OPENBLAS_CORETYPE`` before NumPy loads OpenBLAS, where that helps; returns what was set, or None."""
    if "numpy" in modules or "OPENBLAS_CORETYPE" in environ:
        return None
    coretype = preferred_coretype(*cpu_description(path))
    if coretype is not None:
        environ["OPENBLAS_CORETYPE"] = coretype
    return coretype
