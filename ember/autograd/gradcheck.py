"""``gradcheck``/``gradgradcheck``: compare autograd's gradients with finite differences."""

import numpy as np

from .._tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else tuple(x) if isinstance(x, list) else (x,)


def _differentiable_outputs(func, inputs):
    outputs = _as_tuple(func(*inputs))
    return tuple(o for o in outputs if isinstance(o, Tensor) and o.requires_grad)


def _evaluate(func, inputs):
    """The float64 values of func's differentiable outputs, flattened and joined."""
    outputs = _as_tuple(func(*inputs))
    parts = [np.asarray(o._data, dtype=np.float64).ravel() for o in outputs
             if isinstance(o, Tensor) and o.dtype.is_floating_point]
    return np.concatenate(parts) if parts else np.zeros(0)


def _numerical_jacobians(func, inputs, wrt, eps):
    """One (n_outputs x n_input_elements) matrix per input in ``wrt``, by central differences."""
    jacobians = []
    for i in wrt:
        data = inputs[i]._data
        flat = data.reshape(-1)           # inputs are contiguous copies, so this is a view
        columns = []
        for k in range(flat.size):
            original = flat[k].copy()
            flat[k] = original + eps
            plus = _evaluate(func, inputs)
            flat[k] = original - eps
            minus = _evaluate(func, inputs)
            flat[k] = original
            columns.append((plus - minus) / (2 * eps))
        n_out = _evaluate(func, inputs).size
        jacobians.append(np.stack(columns, axis=1) if columns else np.zeros((n_out, 0)))
    return jacobians


def _analytical_jacobians(func, inputs, wrt, create_graph=False):
    from . import grad as autograd_grad
    outputs = _differentiable_outputs(func, inputs)
    sizes = [o.numel() for o in outputs]
    total = sum(sizes)
    jacobians = [np.zeros((total, inputs[i].numel())) for i in wrt]
    row = 0
    for out, size in zip(outputs, sizes):
        for k in range(size):
            seed = np.zeros(size, dtype=out._data.dtype)
            seed[k] = 1
            grads = autograd_grad(out, [inputs[i] for i in wrt], Tensor._make(seed.reshape(out._data.shape)),
                                  retain_graph=True, allow_unused=True)
            for j, g in enumerate(grads):
                if g is not None:
                    jacobians[j][row] = np.asarray(g._data, dtype=np.float64).ravel()
            row += 1
    return jacobians


def _prepare(inputs):
    """Contiguous leaf copies of the inputs (so finite differences can write into them)."""
    prepared = []
    for x in _as_tuple(inputs):
        if isinstance(x, Tensor):
            copy = Tensor._make(np.array(x._data, copy=True))
            copy._requires_grad = x.requires_grad
            prepared.append(copy)
        else:
            prepared.append(x)
    return prepared


def _fail(message, raise_exception):
    if raise_exception:
        raise GradcheckError(message)
    return False


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """True when the gradients of ``func`` at ``inputs`` match central finite differences.

    Use float64 inputs with ``requires_grad=True``; ``fast_mode`` compares one random
    projection instead of whole Jacobians.

    >>> x = ember.randn(3, dtype=ember.float64, requires_grad=True)
    >>> ember.autograd.gradcheck(ember.exp, (x,))
    True
    """
    inputs = _prepare(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")
    if fast_mode:
        return _fast_gradcheck(func, inputs, wrt, eps, atol, rtol, raise_exception)
    numerical = _numerical_jacobians(func, inputs, wrt, eps)
    analytical = _analytical_jacobians(func, inputs, wrt)
    for j, (num, ana) in enumerate(zip(numerical, analytical)):
        if num.shape != ana.shape or not np.allclose(ana, num, rtol=rtol, atol=atol):
            return _fail(f"Jacobian mismatch for output 0 with respect to input {wrt[j]},\nnumerical:{num}\n"
                         f"analytical:{ana}\n", raise_exception)
    return True


def _fast_gradcheck(func, inputs, wrt, eps, atol, rtol, raise_exception):
    """Compare v^T J u computed by autograd (a vjp) and by one directional finite difference."""
    from . import grad as autograd_grad
    rng = np.random.default_rng(0)
    directions = [rng.standard_normal(inputs[i]._data.shape) for i in wrt]
    originals = [inputs[i]._data.copy() for i in wrt]

    def shifted(sign):
        for i, u, orig in zip(wrt, directions, originals):
            inputs[i]._data[...] = orig + sign * eps * u
        values = _evaluate(func, inputs)
        for i, orig in zip(wrt, originals):
            inputs[i]._data[...] = orig
        return values

    numerical_ju = (shifted(1) - shifted(-1)) / (2 * eps)
    outputs = _differentiable_outputs(func, inputs)
    vs = [rng.standard_normal(o._data.shape) for o in outputs]
    numerical = float(np.dot(np.concatenate([v.ravel() for v in vs]) if vs else np.zeros(0), numerical_ju))
    grads = autograd_grad(outputs, [inputs[i] for i in wrt],
                          [Tensor._make(v.astype(o._data.dtype)) for v, o in zip(vs, outputs)],
                          allow_unused=True)
    analytical = sum(float(np.sum(np.asarray(g._data, dtype=np.float64) * u))
                     for g, u in zip(grads, directions) if g is not None)
    if not np.isclose(analytical, numerical, rtol=rtol, atol=atol):
        return _fail(f"Jacobian mismatch (fast mode): analytical v^T J u = {analytical}, numerical = "
                     f"{numerical}\n", raise_exception)
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """True when the second derivatives of ``func`` match finite differences of its first derivatives.

    >>> x = ember.randn(3, dtype=ember.float64, requires_grad=True)
    >>> ember.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (x,))
    True
    """
    from . import grad as autograd_grad
    inputs = _prepare(inputs)
    outputs = _differentiable_outputs(func, inputs)
    rng = np.random.default_rng(1)
    if grad_outputs is None:
        grad_outputs = [Tensor._make(rng.standard_normal(o._data.shape).astype(o._data.dtype)).requires_grad_()
                        for o in outputs]
    else:
        grad_outputs = _prepare(grad_outputs)
    n_inputs = len(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_derivatives(*args):
        ins, gos = args[:n_inputs], args[n_inputs:]
        outs = _differentiable_outputs(func, ins)
        grads = autograd_grad(outs, [ins[i] for i in wrt], gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, fast_mode=fast_mode)
