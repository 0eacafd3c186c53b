"""How much of PyTorch's public surface ember has: torch.*, Tensor, nn, F, optim and utils.data.

    python scripts/api_coverage.py            # counts
    python scripts/api_coverage.py --missing  # also list what ember lacks

Only public, callable torch.* names and public Tensor attributes are counted; names that
exist only for other subsystems (quantization, sparse, complex, named tensors, ...) are
listed in ``OUT_OF_SCOPE`` prefixes and not counted as missing.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OUT_OF_SCOPE = ("quantize", "q_", "sparse", "to_sparse", "mkldnn", "fbgemm", "_", "is_complex", "complex",
                "conj", "real", "imag", "view_as_real", "view_as_complex", "angle", "polar", "refine_names",
                "rename", "align_", "names", "has_names", "dequantize", "int_repr", "qscheme", "indices",
                "values", "crow_", "col_", "ccol_", "row_indices", "nested", "storage", "untyped_storage",
                "share_memory", "is_shared", "pin_memory", "is_pinned", "ipu", "xpu", "mps", "hpu", "mtia",
                "map_", "apply_", "cuda", "is_cuda", "cudnn", "miopen", "fake_quant", "quantized", "get_device",
                "to_dense", "to_mkldnn", "coalesce", "is_coalesced", "sparse_dim", "dense_dim", "resolve_",
                "is_neg", "is_conj", "chalf", "cfloat", "cdouble")


# Namespaces compared name by name (classes and functions), and their submodules' names, not counted.
NAMESPACES = ("nn", "nn.functional", "nn.init", "nn.utils", "optim", "optim.lr_scheduler", "utils.data")
SUBMODULE_NAMES = {"functional", "init", "utils", "modules", "parameter", "lr_scheduler", "data", "grad",
                   "parametrize", "parametrizations", "rnn", "prune", "stateless", "fusion", "spectral_norm",
                   "weight_norm", "attention", "common_types", "cpp", "intrinsic", "qat", "quantizable",
                   "quantized", "swa_utils", "clip_grad", "convert_parameters", "memory_format", "dataloader",
                   "dataset", "sampler", "distributed", "graph", "datapipes", "backward_compatibility"}


def _resolve(root, path):
    for part in path.split("."):
        root = getattr(root, part)
    return root


def _own_names(namespace, library):
    """Public callables of ``namespace`` defined by ``library`` (not typing helpers it imports)."""
    return {name for name in public_callables(namespace)
            if getattr(getattr(namespace, name), "__module__", library).startswith(library)}


def public_callables(obj, attributes=False):
    names = set()
    for name in dir(obj):
        if name.startswith("_") or name.startswith(OUT_OF_SCOPE):
            continue
        try:
            value = getattr(obj, name)
        except Exception:
            continue
        if attributes or callable(value):
            names.add(name)
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", action="store_true", help="list the names ember lacks")
    args = parser.parse_args()
    import torch

    import ember
    torch_functions = {n for n in public_callables(torch) if not isinstance(getattr(torch, n), type)
                       and getattr(getattr(torch, n), "__module__", "") in ("torch", "torch.functional",
                                                                           "torch._C._VariableFunctions",
                                                                           "torch.random", "torch.serialization",
                                                                           None, "torch._tensor")}
    ember_functions = public_callables(ember)
    torch_methods = public_callables(torch.Tensor, attributes=True)
    ember_methods = public_callables(ember.Tensor, attributes=True)
    comparisons = [("torch functions", torch_functions, ember_functions),
                   ("Tensor methods/attributes", torch_methods, ember_methods)]
    for path in NAMESPACES:
        theirs, ours = (_own_names(_resolve(root, path), root.__name__) for root in (torch, ember))
        comparisons.append((f"torch.{path}", theirs - SUBMODULE_NAMES, ours - SUBMODULE_NAMES))
    for label, theirs, ours in comparisons:
        have = theirs & ours
        print(f"{label}: ember has {len(have)} of {len(theirs)} ({len(ours - theirs)} extra names)")
        if args.missing:
            print("  missing:", " ".join(sorted(theirs - ours)))


if __name__ == "__main__":
    main()
