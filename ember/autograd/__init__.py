"""Automatic differentiation: ``backward``, ``grad``, ``Function`` and the grad modes."""

import warnings

from .._tensor import Tensor
from . import functional
from .anomaly_mode import detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled, set_detect_anomaly
from .engine import run_backward
from .function import Function, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["backward", "grad", "Function", "once_differentiable", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "is_grad_enabled", "is_inference_mode_enabled",
           "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
           "gradcheck", "gradgradcheck", "GradcheckError", "functional"]


def _as_tuple(value):
    if value is None:
        return None
    if isinstance(value, Tensor):
        return (value,)
    return tuple(value)


def _inputs_tuple(inputs, caller):
    """``inputs`` of backward/grad as a tuple: a Tensor, a sequence of them, or a dict's values."""
    if isinstance(inputs, Tensor):
        return (inputs,)
    if type(inputs) is dict:
        return tuple(inputs.values())
    if isinstance(inputs, dict):
        raise TypeError(f"`inputs` argument to `{caller}()` must be a dict, not {type(inputs).__name__}. Other "
                        "Mapping types are not supported.")
    return tuple(inputs)


def _seed_gradients(outputs, grad_outputs, batched=False):
    """The starting gradient of each output: as given, or ones for a single-element output (PyTorch's rules)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grad_outputs)} gradients")
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor):
            raise TypeError(f"outputs must be Tensors, got {type(out).__name__} at position {i}")
        if g is None:
            if out.requires_grad:
                if out.numel() != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if not out.dtype.is_floating_point:
                    raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                       f"{out.dtype}")
                g = Tensor._make(out._xp.ones(out._data.shape, dtype=out._data.dtype))
        elif not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        else:
            shape = g.shape[1:] if batched else g.shape
            if shape != out.shape:
                if batched:
                    raise RuntimeError(f"If `is_grads_batched=True`, we interpret the first dimension of each "
                                       f"grad_output as the batch dimension. The sizes of the remaining dimensions "
                                       f"are expected to match the shape of corresponding output, but a mismatch "
                                       f"was detected: grad_output[{i}] has a shape of {shape} and output[{i}] has "
                                       f"a shape of {out.shape}. If you only want some tensors in `grad_output` to "
                                       f"be considered batched, consider using vmap.")
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                                   f"has a shape of {out.shape}.")
            if g.dtype is not out.dtype and out.dtype.is_floating_point:
                g = g._cast(out.dtype)
        seeds.append(g)
    return seeds


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the graph's leaves (or of ``inputs``).

    >>> x = ember.ones(3, requires_grad=True)
    >>> ember.autograd.backward((x * 2).sum())
    >>> x.grad
    tensor([2., 2., 2.])
    """
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.", FutureWarning, stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both passed to "
                               "`backward()`. Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    if inputs is not None:
        inputs = _inputs_tuple(inputs, "backward")
        if len(inputs) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    tensors = _as_tuple(tensors)
    grads = _seed_gradients(tensors, _as_tuple(grad_tensors))
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (nothing is accumulated).

    ``inputs`` may be a dict (e.g. ``dict(model.named_parameters())``); the result is then a dict.

    >>> x = ember.tensor(3.0, requires_grad=True)
    >>> ember.autograd.grad(x ** 2, x)
    (tensor(6.),)
    """
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
                         "allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_tuple(outputs)
    input_tuple = _inputs_tuple(inputs, "grad")
    if len(input_tuple) == 0:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To accumulate "
                      "gradient for other parts of the graph, please use torch.autograd.backward.",
                      FutureWarning, stacklevel=2)
    seeds = _seed_gradients(outputs, _as_tuple(grad_outputs), batched=is_grads_batched)
    if retain_graph is None:
        retain_graph = create_graph
    if is_grads_batched:
        result = _batched_grad(outputs, input_tuple, seeds, create_graph, allow_unused)
    else:
        result = run_backward(outputs, seeds, retain_graph, create_graph, inputs=input_tuple, accumulate=False,
                              allow_unused=allow_unused)
    if materialize_grads:
        result = tuple(g if g is not None else _zeros_for(x, create_graph) for g, x in zip(result, input_tuple))
    if type(inputs) is dict:
        return dict(zip(inputs.keys(), result))
    return result


def _zeros_for(tensor, requires_grad):
    zeros = Tensor._zeros(tensor.shape, tensor.dtype)
    zeros._requires_grad = bool(requires_grad)
    return zeros


def _batched_grad(outputs, inputs, seeds, create_graph, allow_unused):
    """``grad`` once per row of the batched ``seeds``, results stacked along a new first dimension."""
    from .functional import _stack
    sizes = {len(s) for s in seeds if s is not None}
    if len(sizes) > 1:
        raise RuntimeError(f"grad_outputs must all have the same batch size, got sizes {sorted(sizes)}")
    rows = []
    for b in range(sizes.pop() if sizes else 1):
        row_seeds = [s.select(0, b) if s is not None else None for s in seeds]
        rows.append(run_backward(outputs, row_seeds, True, create_graph, inputs=inputs, accumulate=False,
                                 allow_unused=allow_unused))
    return tuple(None if column[0] is None else _stack(column) for column in zip(*rows))
