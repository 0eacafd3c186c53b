"""``gradcheck``/``gradgradcheck``: compare autograd's gradients with finite differences."""

import warnings

import numpy as np

from .._tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else tuple(x) if isinstance(x, list) else (x,)


def _differentiable_outputs(func, inputs):
    """The differentiable outputs of ``func(*inputs)``: the ones whose Jacobians are compared."""
    outputs = _as_tuple(func(*inputs))
    return tuple(o for o in outputs if isinstance(o, Tensor) and o.dtype.is_floating_point and o.requires_grad)


def _evaluate(func, inputs):
    """The float64 values of func's floating-point outputs, one flat array per output."""
    # copies, because an output may be a view of the input that is being perturbed
    return [np.array(o._data, dtype=np.float64).ravel() for o in _differentiable_outputs(func, inputs)]


def _numerical_jacobians(func, inputs, wrt, eps):
    """``jacobians[i][j]``: d output_i / d input wrt[j], an (output size x input size) matrix, by central
    differences."""
    n_outputs = [v.size for v in _evaluate(func, inputs)]
    jacobians = [[np.zeros((n, inputs[j].numel())) for j in wrt] for n in n_outputs]
    for col, j in enumerate(wrt):
        flat = inputs[j]._data.reshape(-1)           # inputs are contiguous copies, so this is a view
        for k in range(flat.size):
            original = flat[k].copy()
            flat[k] = original + eps
            plus = _evaluate(func, inputs)
            flat[k] = original - eps
            minus = _evaluate(func, inputs)
            flat[k] = original
            for i, (p, m) in enumerate(zip(plus, minus)):
                jacobians[i][col][:, k] = (p - m) / (2 * eps)
    return jacobians


def _analytical_jacobians(func, inputs, wrt, check_grad_dtypes):
    """The same matrices from autograd: one backward pass per output element."""
    from . import grad as autograd_grad
    outputs = _differentiable_outputs(func, inputs)
    targets = [inputs[j] for j in wrt]
    jacobians = [[np.zeros((o.numel(), t.numel())) for t in targets] for o in outputs]
    for i, out in enumerate(outputs):
        for k in range(out.numel()):
            seed = out._xp.zeros(out.numel(), dtype=out._data.dtype)
            seed[k] = 1
            grads = autograd_grad(out, targets, Tensor._make(seed.reshape(out._data.shape)), retain_graph=True,
                                  allow_unused=True)
            for col, (g, t) in enumerate(zip(grads, targets)):
                if g is None:
                    continue
                if check_grad_dtypes and g.dtype is not t.dtype:
                    raise GradcheckError("Gradient has dtype mismatch")
                jacobians[i][col][k] = np.asarray(g._data, dtype=np.float64).ravel()
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


def _differentiable_positions(inputs):
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")
    for i in wrt:
        if inputs[i].dtype.name != "float64":
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating point "
                          "or complex. ", UserWarning, stacklevel=3)
    return wrt


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """True when the gradients of ``func`` at ``inputs`` match central finite differences.

    Use float64 inputs with ``requires_grad=True``; ``fast_mode`` compares one random
    projection ``v^T J u`` instead of whole Jacobians. A mismatch raises GradcheckError,
    or returns False with ``raise_exception=False``.

    >>> x = ember.randn(3, dtype=ember.float64, requires_grad=True)
    >>> ember.autograd.gradcheck(ember.exp, (x,))
    True
    """
    inputs = _prepare(inputs)
    wrt = _differentiable_positions(inputs)
    if fast_mode:
        return _fast_gradcheck(func, inputs, wrt, eps, atol, rtol, raise_exception)
    numerical = _numerical_jacobians(func, inputs, wrt, eps)
    analytical = _analytical_jacobians(func, inputs, wrt, check_grad_dtypes)
    for i, (num_row, ana_row) in enumerate(zip(numerical, analytical)):
        for col, (num, ana) in enumerate(zip(num_row, ana_row)):
            if not np.allclose(ana, num, rtol=rtol, atol=atol):
                return _fail(f"Jacobian mismatch for output {i} with respect to input {wrt[col]},\n"
                             f"numerical:{num}\nanalytical:{ana}\n", raise_exception)
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
        return np.concatenate(values) if values else np.zeros(0)

    numerical_ju = (shifted(1) - shifted(-1)) / (2 * eps)
    outputs = [o for o in _differentiable_outputs(func, inputs)]
    vs = [rng.standard_normal(o._data.shape) for o in outputs]
    numerical = float(np.dot(np.concatenate([v.ravel() for v in vs]) if vs else np.zeros(0), numerical_ju))
    pairs = list(zip(outputs, vs))
    analytical = 0.0
    if pairs:
        grads = autograd_grad([o for o, _ in pairs], [inputs[i] for i in wrt],
                              [Tensor._make(v.astype(o._data.dtype)) for o, v in pairs], allow_unused=True)
        analytical = sum(float(np.sum(np.asarray(g._data, dtype=np.float64) * u))
                         for g, u in zip(grads, directions) if g is not None)
    if not np.isclose(analytical, numerical, rtol=rtol, atol=atol):
        return _fail(f"Jacobian mismatch for output 0 with respect to input 0,\nnumerical:{numerical}\n"
                     f"analytical:{analytical}\n\nThe above quantities relating the numerical and analytical "
                     "jacobians are computed in fast mode (v^T J u for random u and v).\n", raise_exception)
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
    outputs = list(_differentiable_outputs(func, inputs))
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
        outs = list(_differentiable_outputs(func, ins))
        grads = autograd_grad(outs, [ins[i] for i in wrt], gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, check_grad_dtypes=check_grad_dtypes, fast_mode=fast_mode)
