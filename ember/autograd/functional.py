"""``ember.autograd.functional``: Jacobians, Hessians and their products with vectors.

Everything is built on reverse mode (``ember.autograd.grad``). Forward-mode
products (``jvp``, ``hvp``, ``strategy="forward-mode"``) use the double-backward
trick: the vector-Jacobian product ``u -> J^T u`` is linear in ``u``, so
differentiating it with respect to ``u`` along ``v`` gives ``J v``.

Inputs and outputs are a Tensor or a tuple of Tensors; results are nested the way
PyTorch nests them (``jacobian(f, (x, y))[i][j]`` is d output_i / d input_j).
"""

from .._device import array_module
from .._tensor import Tensor
from . import grad_mode
from .function import Primitive

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

_STRATEGIES = ("forward-mode", "reverse-mode")


# ----------------------------------------------------------------------------- helpers

class _Stack(Primitive):
    """Stack same-shaped tensors along a new first dimension (private: rows of a Jacobian)."""

    grad_fn_name = "StackBackward0"

    @staticmethod
    def forward(ctx, *arrays):
        ctx.count = len(arrays)
        return array_module(arrays[0]).stack(arrays)

    @staticmethod
    def backward(ctx, grad):
        return tuple(grad.select(0, i) for i in range(ctx.count))


def _stack(tensors):
    return _Stack.apply(*tensors)


def _as_tuple(value, what, fn_name):
    """(was it a tuple, the Tensors as a tuple); TypeError naming ``what`` for anything else."""
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, item in enumerate(items):
        if not isinstance(item, Tensor):
            where = f"the value at index {i} has type" if is_tuple else f"the given {what} has type"
            raise TypeError(f"The {what} given to {fn_name} must be either a Tensor or a tuple of Tensors but "
                            f"{where} {type(item)}.")
    return is_tuple, items


def _unpack(result, is_tuple):
    """A one-level result as the caller gave it: the tuple, or its only element."""
    return result if is_tuple else result[0]


def _unpack_nested(result, outer_is_tuple, inner_is_tuple):
    """A two-level result (outer: outputs, inner: inputs) unpacked the way PyTorch does."""
    if not inner_is_tuple:
        result = tuple(row[0] for row in result)
    return result if outer_is_tuple else result[0]


def _prepare_inputs(inputs, create_graph, need_graph):
    """Tensors to differentiate with respect to: fresh leaves, or (create_graph) aliases kept in the graph."""
    prepared = []
    for x in inputs:
        if create_graph and x.requires_grad:
            prepared.append(x.view(tuple(x.shape)))
        else:
            prepared.append(x.detach().requires_grad_(need_graph))
    return tuple(prepared)


def _finish(tensors, create_graph):
    """Detach results unless the caller asked to differentiate them further (nested tuples allowed)."""
    if create_graph:
        return tensors
    return tuple(_finish(t, False) if isinstance(t, tuple) else t.detach() for t in tensors)


def _zeros_like(tensor, requires_grad=False):
    zeros = Tensor._zeros(tensor.shape, tensor.dtype)
    zeros._requires_grad = requires_grad
    return zeros


def _check_v(v, others, others_is_tuple):
    if len(v) != len(others):
        if others_is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(others)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (vi, other) in enumerate(zip(v, others)):
        if vi.shape != other.shape:
            prefix = f"Entry {i} in " if others_is_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {other.shape} but got {vi.shape}.")


def _prepare_v(v, others, others_is_tuple, fn_name, create_graph, none_message):
    """Validate the vector ``v`` against ``others`` (the tensors it must match), or allow None for one scalar."""
    if v is None:
        if len(others) != 1 or others[0].numel() != 1:
            raise RuntimeError(none_message)
        return None
    _, v = _as_tuple(v, "v", fn_name)
    v = _prepare_inputs(v, create_graph, need_graph=False)
    _check_v(v, others, others_is_tuple)
    return v


_STRICT_MESSAGES = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs must be "
               "computed in a differentiable manner from the input when running in strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the user-provided "
                   "function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided function with respect "
                "to input {i} is independent of the input. This is not allowed in strict mode. You should ensure "
                "that your function is twice differentiable and that the jacobian depends on the inputs (this "
                "would be violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is independent of the input. "
               "This is not allowed in strict mode. You should ensure that your function is thrice differentiable "
               "and that the hessian depends on the inputs.",
}


def _check_requires_grad(tensors, kind, strict):
    """In strict mode, every tensor must exist and depend on the inputs."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is not "
                               "allowed in strict mode.")
        if not t.requires_grad:
            raise RuntimeError(_STRICT_MESSAGES[kind].format(i=i))


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` over the outputs that require grad; None for every input when none does."""
    from . import grad
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    kept = [(out, g) for out, g in zip(outputs, grad_outputs) if out is not None and out.requires_grad]
    if not kept:
        return (None,) * len(inputs)
    return grad([out for out, _ in kept], inputs, [g for _, g in kept], retain_graph=retain_graph,
                create_graph=create_graph, allow_unused=True)


_ZERO_FILL_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in "
            "strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in "
                  "strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed "
                   "in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the double "
                         "backward trick to replace forward mode AD.",
}


def _fill_zeros(grads, refs, strict, create_graph, stage):
    """Replace missing gradients by zeros shaped like ``refs`` (strict mode refuses them instead)."""
    filled = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_ZERO_FILL_MESSAGES[stage].format(i=i))
            g = _zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input {i}. This is "
                               "not allowed in strict mode when create_graph=True.")
        filled.append(g)
    return tuple(filled)


def _outer_grad_mode(create_graph):
    return grad_mode.set_grad_enabled(True if create_graph else grad_mode.is_grad_enabled())


def _differentiable_inputs(inputs, fn_name, create_graph):
    """The user's inputs, checked and ready to differentiate: (was it a tuple, the Tensors)."""
    inputs_is_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    return inputs_is_tuple, _prepare_inputs(inputs, create_graph, need_graph=True)


def _outputs(func, inputs, fn_name, strict):
    """``func(*inputs)``, checked: (did it return a tuple, its Tensors)."""
    outputs_is_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    return outputs_is_tuple, outputs


def _vector_product(of, wrt, v, refs, strict, create_graph, stage):
    """The last pass of a vector product: ``v`` taken back from ``of`` to ``wrt``, with zeros shaped like ``refs``
    for the gradients that do not exist."""
    with _outer_grad_mode(create_graph):
        grads = _grad(of, wrt, v, create_graph=create_graph)
        return _fill_zeros(grads, refs, strict, create_graph, stage)


def _results(outputs, outputs_is_tuple, product, product_is_tuple, create_graph):
    """``(func(inputs), product)`` nested as the caller gave them, detached unless ``create_graph``."""
    return (_unpack(_finish(outputs, create_graph), outputs_is_tuple),
            _unpack(_finish(product, create_graph), product_is_tuple))


def _inputs_and_vector(inputs, v, fn_name, create_graph):
    """``_differentiable_inputs`` and the vector ``v`` checked against them: (inputs was a tuple, inputs, v)."""
    inputs_is_tuple, inputs = _differentiable_inputs(inputs, fn_name, create_graph)
    v = _prepare_v(v, inputs, inputs_is_tuple, fn_name, create_graph,
                   "The vector v can only be None if the input to the user-provided function is a single Tensor "
                   "with a single element.")
    return inputs_is_tuple, inputs, v


# ----------------------------------------------------------------------------- products with vectors

def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``func(inputs)`` and the vector-Jacobian product ``v^T J`` at ``inputs``.

    >>> out, g = ember.autograd.functional.vjp(lambda x: x ** 2, ember.tensor([1., 2.]), ember.ones(2))
    >>> g
    tensor([2., 4.])
    """
    with grad_mode.enable_grad():
        inputs_is_tuple, inputs = _differentiable_inputs(inputs, "vjp", create_graph)
        outputs_is_tuple, outputs = _outputs(func, inputs, "vjp", strict)
        v = _prepare_v(v, outputs, outputs_is_tuple, "vjp", create_graph,
                       "The vector v can only be None if the user-provided function returns a single Tensor "
                       "with a single element.")
    result = _vector_product(outputs, inputs, v, inputs, strict, create_graph, "back")
    return _results(outputs, outputs_is_tuple, result, inputs_is_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``func(inputs)`` and the Jacobian-vector product ``J v`` at ``inputs`` (by the double-backward trick).

    >>> out, jv = ember.autograd.functional.jvp(lambda x: x ** 2, ember.tensor([1., 2.]), ember.ones(2))
    >>> jv
    tensor([2., 4.])
    """
    with grad_mode.enable_grad():
        inputs_is_tuple, inputs, v = _inputs_and_vector(inputs, v, "jvp", create_graph)
        outputs_is_tuple, outputs = _outputs(func, inputs, "jvp", strict)
        dummies = tuple(_zeros_like(out, requires_grad=True) for out in outputs)
        grad_inputs = _grad(outputs, inputs, dummies, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    result = _vector_product(grad_inputs, dummies, v, outputs, strict, create_graph, "back_trick")
    return _results(outputs, outputs_is_tuple, result, outputs_is_tuple, create_graph)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``func(inputs)`` (a scalar) and the vector-Hessian product ``v^T H`` at ``inputs``.

    >>> out, h = ember.autograd.functional.vhp(lambda x: (x ** 3).sum(), ember.tensor([1., 2.]), ember.ones(2))
    >>> h
    tensor([ 6., 12.])
    """
    with grad_mode.enable_grad():
        inputs_is_tuple, inputs, v = _inputs_and_vector(inputs, v, "vhp", create_graph)
        outputs_is_tuple, outputs, jac = _scalar_gradient(func, inputs, "vhp", strict)
    result = _vector_product(jac, inputs, v, inputs, strict, create_graph, "double_back")
    return _results(outputs, outputs_is_tuple, result, inputs_is_tuple, create_graph)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``func(inputs)`` (a scalar) and the Hessian-vector product ``H v`` at ``inputs``.

    >>> out, h = ember.autograd.functional.hvp(lambda x: (x ** 3).sum(), ember.tensor([1., 2.]), ember.ones(2))
    >>> h
    tensor([ 6., 12.])
    """
    with grad_mode.enable_grad():
        inputs_is_tuple, inputs, v = _inputs_and_vector(inputs, v, "hvp", create_graph)
        outputs_is_tuple, outputs, jac = _scalar_gradient(func, inputs, "hvp", strict)
        dummies = tuple(_zeros_like(x, requires_grad=True) for x in inputs)
        double_back = _grad(jac, inputs, dummies, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    result = _vector_product(double_back, dummies, v, inputs, strict, create_graph, "double_back_trick")
    return _results(outputs, outputs_is_tuple, result, inputs_is_tuple, create_graph)


def _scalar_gradient(func, inputs, fn_name, strict):
    """For Hessian products: ``func``'s scalar output and its gradient, kept in the graph."""
    outputs_is_tuple, outputs = _scalar_output(func, inputs, fn_name, strict)
    jac = _grad(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict)
    return outputs_is_tuple, outputs, jac


def _scalar_output(func, inputs, fn_name, strict):
    """Call ``func`` and check it returned one single-element Tensor (for Hessian products)."""
    outputs_is_tuple, outputs = _outputs(func, inputs, fn_name, strict)
    if outputs_is_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should contain a single "
                           "element")
    return outputs_is_tuple, outputs


# ----------------------------------------------------------------------------- whole matrices

def _one_hot(tensor, k):
    """A tensor shaped like ``tensor`` with a single 1 at flat position ``k``."""
    flat = tensor._xp.zeros(tensor.numel(), dtype=tensor._data.dtype)
    flat[k] = 1
    return Tensor._make(flat.reshape(tensor._data.shape))


def _assemble(rows, out_shape, inp):
    """Stack per-element gradient rows into a block shaped ``out_shape + inp.shape``."""
    shape = tuple(out_shape) + tuple(inp.shape)
    if not rows:
        return Tensor._zeros(shape, inp.dtype)
    return _stack(rows).reshape(shape)


def _reverse_jacobian(outputs, inputs, create_graph, strict):
    """Rows of the Jacobian, one reverse pass per output element: result[i][j] = d out_i / d in_j."""
    jacobian = []
    for i, out in enumerate(outputs):
        rows = [[] for _ in inputs]
        for k in range(out.numel()):
            grads = _grad((out,), inputs, (_one_hot(out, k),), create_graph=create_graph, retain_graph=True)
            for j, (g, inp) in enumerate(zip(grads, inputs)):
                if g is None:
                    if strict:
                        raise RuntimeError(f"Output {i} of the user-provided function is independent of input "
                                           f"{j}. This is not allowed in strict mode.")
                    g = _zeros_like(inp)
                elif strict and create_graph and not g.requires_grad:
                    raise RuntimeError(f"The jacobian of the user-provided function is independent of input {i}. "
                                       "This is not allowed in strict mode when create_graph=True.")
                rows[j].append(g)
        jacobian.append(tuple(_assemble(r, out.shape, inp) for r, inp in zip(rows, inputs)))
    return tuple(jacobian)


def _forward_jacobian(func, inputs):
    """Columns of the Jacobian, one Jacobian-vector product per input element (the double-backward trick)."""
    columns = None
    outputs = None
    for j, inp in enumerate(inputs):
        for k in range(inp.numel()):
            tangent = tuple(_one_hot(x, k) if i == j else _zeros_like(x) for i, x in enumerate(inputs))
            outs, jv = jvp(func, inputs, tangent)
            outputs_is_tuple = isinstance(outs, tuple)
            outputs = outs if outputs_is_tuple else (outs,)
            jv = jv if outputs_is_tuple else (jv,)
            if columns is None:
                columns = [[[] for _ in inputs] for _ in outputs]
            for i, col in enumerate(jv):
                columns[i][j].append(col)
    if outputs is None:             # no input elements at all: outputs still decide the shapes
        outputs_is_tuple, outputs = _outputs(func, inputs, "jacobian", strict=False)
        columns = [[[] for _ in inputs] for _ in outputs]
    jacobian = []
    for i, out in enumerate(outputs):
        blocks = []
        for j, inp in enumerate(inputs):
            if columns[i][j]:
                block = _stack(columns[i][j])           # (input elements, *output shape)
                block = block.permute(tuple(range(1, block.ndim)) + (0,))
                block = block.reshape(tuple(out.shape) + tuple(inp.shape))
            else:
                block = Tensor._zeros(tuple(out.shape) + tuple(inp.shape), out.dtype)
            blocks.append(block)
        jacobian.append(tuple(blocks))
    return outputs_is_tuple, tuple(jacobian)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: each block shaped ``output.shape + input.shape``.

    With tuple inputs and/or outputs the blocks come as PyTorch nests them:
    ``jacobian(f, (x, y))[i][j]`` is d output_i / d input_j. ``vectorize`` is accepted
    (the result is the same); ``strategy="forward-mode"`` builds columns instead of rows.

    >>> ember.autograd.functional.jacobian(lambda x: x ** 2, ember.tensor([1., 2.]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    if strategy not in _STRATEGIES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        return _jacobian_forward_mode(func, inputs, create_graph, strict, vectorize)
    with grad_mode.enable_grad():
        inputs_is_tuple, inputs = _differentiable_inputs(inputs, "jacobian", create_graph)
        outputs_is_tuple, outputs = _outputs(func, inputs, "jacobian", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                               "supported together. Please either set `strict=False` or `vectorize=False`.")
        result = _reverse_jacobian(outputs, inputs, create_graph, strict)
    return _unpack_nested(_finish(result, create_graph), outputs_is_tuple, inputs_is_tuple)


def _jacobian_forward_mode(func, inputs, create_graph, strict, vectorize):
    if create_graph:
        raise NotImplementedError("torch.autograd.functional.jacobian: `create_graph=True` and "
                                  '`strategy="forward-mode"` are not supported together (yet). Please either set '
                                  '`create_graph=False` or `strategy="reverse-mode"`.')
    if strict:
        raise RuntimeError('torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` are '
                           'not supported together (yet). Please either set `strict=False` or '
                           '`strategy="reverse-mode"`.')
    if not vectorize:
        raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is only "
                                  "implemented for `vectorize=True`.")
    inputs_is_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    outputs_is_tuple, result = _forward_jacobian(func, inputs)
    # PyTorch's forward-mode path nests lists rather than tuples; so does this one.
    result = [[block.detach() for block in row] for row in result]
    if not inputs_is_tuple:
        result = tuple(row[0] for row in result)
    return result if outputs_is_tuple else result[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of the scalar function ``func`` at ``inputs``.

    With a tuple of inputs the result is a tuple of tuples: ``hessian(f, (x, y))[i][j]``
    holds the second derivatives with respect to input i and input j.

    >>> ember.autograd.functional.hessian(lambda x: (x ** 3).sum(), ember.tensor([1., 2.]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    inputs_is_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in _STRATEGIES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def single_output(*args):
        _, out = _scalar_output(func, args, "hessian", strict)
        return out[0].squeeze()

    def gradient(*args):
        jac = jacobian(single_output, args, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                      strategy=outer_jacobian_strategy)
    return _unpack_nested(result, inputs_is_tuple, inputs_is_tuple)
