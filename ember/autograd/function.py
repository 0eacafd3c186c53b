"""``Function``: one differentiable operation, its forward and its backward together.

Two calling conventions share this machinery:

* ``Function`` (PyTorch's ``torch.autograd.Function``) for users: ``forward(ctx, *args)``
  receives Tensors and runs with grad recording off; ``backward(ctx, *grads)`` returns
  one gradient per forward argument.
* ``Primitive`` for ember's own ops: ``forward(ctx, *arrays, **attrs)`` receives the raw
  NumPy/CuPy arrays of its positional Tensor arguments (so the hot path skips Tensor
  wrappers), and ``backward`` is written with Tensor ops, so every op has higher-order
  gradients. ``ctx.save_for_backward`` takes arrays there: an input's array is saved
  as that input Tensor, an output's as the output Tensor, anything else as a constant.

Calling ``apply`` records a ``BackwardNode`` (the ``grad_fn`` of the outputs) whose
``next_functions`` point at the inputs' nodes. The engine in ``engine.py`` walks them.
"""

import itertools
import weakref

from .._dtype import _BY_NUMPY
from .._tensor import Tensor
from . import grad_mode
from .anomaly_mode import _state as _anomaly_state
from .anomaly_mode import capture_stack

__all__ = ["Function", "Primitive", "BackwardNode", "FunctionCtx", "AccumulateGrad", "once_differentiable"]

_NONE_EDGE = (None, 0)


_node_sequence = itertools.count()    # creation numbers of BackwardNodes (next() is atomic under the GIL)


class BackwardNode:
    """One recorded call of a Function, seen from backward: a Tensor's ``grad_fn``.

    It is also the ``ctx`` the Function's forward and backward receive, so custom
    attributes set in forward are there in backward.
    """

    _forward_cls = None
    _released = False
    _saved = ()
    _pre_hooks = None          # hooks on this node's incoming gradients (register_prehook)
    _post_hooks = None         # hooks run after backward (register_hook)
    _tensor_hooks = None       # {output_nr: [hook]} from Tensor.register_hook on outputs
    _retained = None           # {output_nr: weakref to Tensor} from Tensor.retain_grad
    _anomaly_trace = None
    _tensor_args = None        # custom Functions with non-Tensor args: (Tensor positions, number of args)
    materialize_grads = True

    def __init__(self):
        self._sequence = next(_node_sequence)
        self.next_functions = ()
        self.needs_input_grad = ()
        self._saved_raw = None
        self._output_meta = ()
        self._non_differentiable = ()
        self._dirty = ()

    def name(self):
        """The node's name, e.g. ``'MulBackward0'``."""
        return type(self).__name__

    def _sequence_nr(self):
        """The node's creation number: later nodes have larger ones (PyTorch's ``Node._sequence_nr``)."""
        return self._sequence

    @property
    def metadata(self):
        """A dict for users' own annotations of this node (as PyTorch's ``grad_fn.metadata``)."""
        if "_metadata" not in self.__dict__:
            self._metadata = {}
        return self._metadata

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    # ------------------------------------------------------------------ ctx API for forward
    def save_for_backward(self, *tensors):
        """Keep tensors (arrays, in a Primitive's forward) for backward; checked for in-place changes."""
        self._saved_raw = tensors

    def mark_non_differentiable(self, *tensors):
        """Declare outputs that have no gradient (e.g. indices); they will not require grad."""
        self._non_differentiable = tuple(tensors)

    def mark_dirty(self, *tensors):
        """Declare inputs the forward modified in place."""
        self._dirty = tuple(tensors)

    def set_materialize_grads(self, value):
        """With False, backward receives None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = bool(value)

    @property
    def saved_tensors(self):
        """The tensors given to ``save_for_backward``, after checking none changed in place."""
        if self._released:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors "
                "after they have already been freed). Saved intermediate values of the graph are freed "
                "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
                "backward through the graph a second time or if you need to access saved tensors after "
                "calling backward.")
        return tuple(_unpack_saved(self, entry) for entry in self._saved)

    saved_variables = saved_tensors

    # ------------------------------------------------------------------ hooks
    def register_hook(self, fn):
        """Run ``fn(grad_inputs, grad_outputs)`` after this node's backward; it may return new grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = []
        return _RemovableHandle(self._post_hooks, fn)

    def register_prehook(self, fn):
        """Run ``fn(grad_outputs)`` before this node's backward; it may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        return _RemovableHandle(self._pre_hooks, fn)

    # ------------------------------------------------------------------ engine API
    def _release(self):
        self._saved = ()
        self._saved_raw = None
        self._released = True

    def _run_backward(self, grads):
        """Call the Function's backward on ``grads`` (one per output); one gradient per input."""
        forward_cls = self._forward_cls
        if self.materialize_grads and (len(grads) != 1 or grads[0] is None):
            grads = tuple(g if g is not None else _zeros_like_meta(meta)
                          for g, meta in zip(grads, self._output_meta))
        if not forward_cls.complex_backward and _any_complex(grads):
            result = _conjugated(forward_cls.backward(self, *_conjugated(grads)))
        else:
            result = forward_cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n_inputs = len(self.next_functions) if self._tensor_args is None else self._tensor_args[1]
        if len(result) != n_inputs:
            if len(result) > n_inputs and all(r is None for r in result[n_inputs:]):
                result = result[:n_inputs]
            else:
                raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                                   f"(expected {n_inputs}, got {len(result)})")
        if self._tensor_args is not None:
            result = self._tensor_gradients(result)
        return result

    def _tensor_gradients(self, result):
        """Keep the gradients of a custom Function's Tensor arguments (the others must be None)."""
        positions = self._tensor_args[0]
        for i, g in enumerate(result):
            if g is not None and i not in positions:
                raise RuntimeError(f"function {self.name()} returned a gradient different than None at position "
                                   f"{i + 1}, but the corresponding forward input was not a Variable")
        return tuple(result[i] for i in positions)


FunctionCtx = BackwardNode       # PyTorch's name for the ctx type (``ctx: FunctionCtx`` annotations)


def _any_complex(grads):
    for g in grads:
        if g is not None and g._data.dtype.kind == "c":
            return True
    return False


def _conjugated(grads):
    """The complex conjugates of a gradient or tuple of gradients (None and real ones pass through)."""
    if not isinstance(grads, (tuple, list)):
        return grads.conj() if grads is not None and grads._data.dtype.kind == "c" else grads
    return tuple(_conjugated(g) for g in grads)


def _zeros_like_meta(meta):
    if meta is None:            # a non-Tensor output of a custom Function
        return None
    shape, dtype = meta
    return Tensor._zeros(shape, dtype)


# ----------------------------------------------------------------------------- saved tensors
# Each entry of ``node._saved`` is (tensor, version, output_nr). An output of the node
# itself is kept as a plain tensor on the same memory (output_nr set), so the node does
# not reference a Tensor that references the node; unpacking gives it its grad_fn back.

def _save_entry(tensor, node, output_nr=None):
    if tensor is None:
        return (None, 0, None)
    if output_nr is not None and tensor._grad_fn is node:
        plain = Tensor._make(tensor._data)
        plain._version_box = tensor._shared_version_box()
        return (plain, plain._version, output_nr)
    return (tensor, tensor._version, None)


def _unpack_saved(node, entry):
    tensor, version, output_nr = entry
    if tensor is None:
        return None
    if tensor._version != version:
        raise RuntimeError(_modified_message(node, tensor, version, output_nr))
    if output_nr is None:
        return tensor
    out = Tensor._make(tensor._data, True)
    out._grad_fn, out._output_nr, out._version_box = node, output_nr, tensor._version_box
    return out


def _short_name(node):
    name = node.name()
    stem = name.rstrip("0123456789")
    return stem[:-len("Backward")] if stem.endswith("Backward") else name


def _modified_message(node, tensor, version, output_nr):
    """PyTorch's error for a saved tensor changed in place after it was saved."""
    from .anomaly_mode import is_anomaly_enabled
    owner = node if output_nr is not None else tensor._grad_fn
    nr = output_nr if output_nr is not None else tensor._output_nr
    which = f", which is output {nr} of {_short_name(owner)}," if owner is not None else ""
    if is_anomaly_enabled():
        hint = ("Hint: the backtrace further above shows the operation that failed to compute its gradient. "
                "The variable in question was changed in there or anywhere later. Good luck!")
    else:
        hint = ("Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
                "with ember.autograd.set_detect_anomaly(True, check_nan=False).")
    return (f"one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [{tensor._type_name()} {list(tensor.shape)}]{which} is at version {tensor._version}; "
            f"expected version {version} instead. {hint}")


class AccumulateGrad:
    """The node that ends each path at a leaf: adds the arriving gradient to ``variable.grad``."""

    next_functions = ()
    _pre_hooks = None
    _post_hooks = None
    _tensor_hooks = None
    _retained = None
    _anomaly_trace = None

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"

    register_hook = BackwardNode.register_hook
    register_prehook = BackwardNode.register_prehook


class _RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` takes the hook away again."""

    def __init__(self, hooks, fn):
        self._hooks = hooks
        self._fn = fn
        hooks.append(fn)

    def remove(self):
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _edge(tensor):
    """The (node, output_nr) pair a gradient for ``tensor`` flows to."""
    if tensor._base is not None and tensor._view_version != tensor._version_box[0]:
        refresh_view(tensor)
    if tensor._grad_fn is not None:
        return (tensor._grad_fn, tensor._output_nr)
    accumulator = tensor._accumulator() if tensor._accumulator is not None else None
    if accumulator is None:
        accumulator = AccumulateGrad(tensor)
        tensor._accumulator = weakref.ref(accumulator)
    return (accumulator, 0)


def refresh_view(tensor):
    """Re-derive a view's grad_fn from its base after an in-place change to their shared memory.

    The view's values now come from the base's latest history, so its gradient must
    flow there too (PyTorch regenerates the grad_fn of such views the same way).
    """
    tensor._view_version = tensor._version_box[0]
    base = tensor._base
    if not (base._requires_grad and tensor._requires_grad):
        return
    with grad_mode.enable_grad():
        fresh = tensor._view_fn(base)
    tensor._grad_fn, tensor._output_nr = fresh._grad_fn, fresh._output_nr


def preserve_saved_values(tensor, result, limit=64):
    """Before ``result`` overwrites ``tensor`` in place, let the op's new nodes keep ``tensor``'s old value.

    ``result`` was computed out of place from ``tensor``; nodes recorded for it that saved
    ``tensor`` (or a view sharing its version counter) get a copy of the value they saw,
    as PyTorch saves ``original_self`` for in-place ops. The walk stops at ``tensor``'s
    own history, whose saved values are left to the version check.
    """
    start, stop = result._grad_fn, tensor._grad_fn
    if start is None or start is stop or isinstance(start, AccumulateGrad):
        return
    box = tensor._version_box
    copies = {}
    todo, seen = [start], {id(start)}
    while todo and len(seen) <= limit:
        node = todo.pop()
        if any(t is tensor or (box is not None and t is not None and t._version_box is box)
               for t, _, _ in node._saved):
            node._saved = tuple(_copied_entry(entry, tensor, box, copies) for entry in node._saved)
        for child, _ in node.next_functions:
            if child is not None and child is not stop and id(child) not in seen \
                    and not isinstance(child, AccumulateGrad):
                seen.add(id(child))
                todo.append(child)


def _copied_entry(entry, tensor, box, copies):
    t, version, output_nr = entry
    if t is None or not (t is tensor or (box is not None and t._version_box is box)):
        return entry
    if id(t) not in copies:
        copy = Tensor._make(t._data.copy(), t._requires_grad)
        copy._grad_fn, copy._output_nr = t._grad_fn, t._output_nr
        copies[id(t)] = copy
    return (copies[id(t)], 0, output_nr)


def _record_anomaly(node):
    if _anomaly_state["enabled"]:
        node._anomaly_trace = capture_stack()


class Function:
    """Base class for custom differentiable operations (PyTorch's ``torch.autograd.Function``).

    >>> class Exp(ember.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         y = x.exp()
    ...         ctx.save_for_backward(y)
    ...         return y
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (y,) = ctx.saved_tensors
    ...         return grad * y
    >>> Exp.apply(ember.ones(2, requires_grad=True)).sum().backward()
    """

    _backward_suffix = "Backward"
    complex_backward = True     # a user's backward receives complex gradients as they are, as in PyTorch

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("grad_fn_name") or cls.__name__ + cls._backward_suffix
        cls._backward_cls = type(name, (BackwardNode,), {"_forward_cls": cls, "__module__": cls.__module__})
        cls._separate_setup = cls.setup_context is not Function.setup_context

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Override to use the two-step style: ``forward(*args)`` without ctx, then this saves what backward needs."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward on ``args`` and, when any input requires grad, record the node for backward."""
        ctx = cls._backward_cls()
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        record = grad_mode.is_grad_enabled() and any(needs)
        with grad_mode.no_grad():
            if cls._separate_setup:
                result = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, result)
            else:
                result = cls.forward(ctx, *args, **kwargs)
        _check_saved_types(ctx._saved_raw)
        is_tuple = isinstance(result, tuple)
        outputs = result if is_tuple else (result,)
        inputs_by_id = {id(a) for a in args if isinstance(a, Tensor)}
        dirty = {id(t) for t in ctx._dirty}
        processed = []
        for out in outputs:
            if isinstance(out, Tensor) and id(out) in inputs_by_id and id(out) not in dirty:
                out = out._alias()           # an input returned unchanged becomes a new output
            processed.append(out)
        for t in ctx._dirty:
            t._bump_version()
        if record:
            ctx.needs_input_grad = needs
            positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
            ctx.next_functions = tuple(_edge(args[i]) if needs[i] else _NONE_EDGE for i in positions)
            if len(positions) != len(args):         # next_functions cover the Tensor arguments only
                ctx._tensor_args = (positions, len(args))
            non_diff = {id(t) for t in ctx._non_differentiable}
            metas = []
            for i, out in enumerate(processed):
                if not isinstance(out, Tensor):
                    metas.append(None)
                    continue
                metas.append((out.shape, out.dtype))
                if id(out) in non_diff or not (out.dtype.is_floating_point or out.dtype.is_complex):
                    continue
                if id(out) in dirty and out._grad_fn is None and out._requires_grad:
                    raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                                       "operation.")
                out._grad_fn, out._output_nr, out._requires_grad = ctx, i, True
            ctx._output_meta = tuple(metas)
            ctx._saved = tuple(_save_entry(t, ctx, _position(t, processed)) for t in ctx._saved_raw or ())
            ctx._saved_raw = None
            _record_anomaly(ctx)
        else:
            ctx.needs_input_grad = needs
            for t in ctx._non_differentiable:
                t._requires_grad = False
        return tuple(processed) if is_tuple else processed[0]


class Primitive(Function):
    """Base class for ember's built-in ops: forward on raw arrays, backward in Tensor ops.

    Positional arguments may be Tensors (their arrays reach forward) or anything else
    (passed through); keyword arguments are attributes that never need gradients.
    A subclass that returns a view of its first input sets ``is_view = True``.

    Backward rules are written for real numbers. When complex gradients arrive, the rule is
    taken as that of a holomorphic function (or a linear map with real coefficients) and
    applied as ``conj(backward(conj(grad)))``, which is PyTorch's convention for complex
    gradients (grad times the conjugate derivative). A subclass whose backward handles
    complex numbers itself (``abs``, ``view_as_complex``, the FFTs) sets ``complex_backward = True``.
    """

    _backward_suffix = "Backward0"
    is_view = False
    complex_backward = False

    @classmethod
    def apply(cls, *args, **attrs):
        ctx = cls._backward_cls()
        arrays = []
        record = False
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a._data)
                if a._requires_grad:
                    record = True
            else:
                arrays.append(a)
        result = cls.forward(ctx, *arrays, **attrs)
        several = type(result) is tuple or type(result) is list
        outputs = tuple(Tensor._make(r) for r in result) if several else (Tensor._make(result),)
        if cls.is_view:
            outputs[0]._become_view_of(args[0], cls, attrs)
        if record and grad_mode._local.enabled:
            _record(ctx, args, outputs, result if several else (result,))
        return outputs if several else outputs[0]


def _record(ctx, args, outputs, raw_outputs):
    """Link a Primitive's node into the graph: edges to its inputs, outputs pointing at it, saved tensors.

    This runs for every recorded op, so it is written with plain loops (cheaper than
    generator expressions) and a separate path for the usual single output.
    """
    edges = []
    needs = []
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            edges.append(_edge(a))
            needs.append(True)
        else:
            edges.append(_NONE_EDGE)
            needs.append(False)
    ctx.next_functions = tuple(edges)
    ctx.needs_input_grad = tuple(needs)
    if len(outputs) == 1:
        ctx._output_meta = (_link_output(ctx, outputs[0], 0),)
    else:
        ctx._output_meta = tuple(_link_output(ctx, out, i) for i, out in enumerate(outputs))
    if ctx._saved_raw is not None:
        ctx._saved = _resolve_saved(ctx, ctx._saved_raw, args, outputs, raw_outputs)
        ctx._saved_raw = None
    if _anomaly_state["enabled"]:
        ctx._anomaly_trace = capture_stack()


def _link_output(ctx, out, output_nr):
    """Make a floating-point or complex output the ``output_nr``-th result of ``ctx``; its (shape, dtype) for the
    engine."""
    data = out._data
    dtype = _BY_NUMPY[data.dtype]
    if dtype.is_floating_point or dtype.is_complex:
        out._grad_fn = ctx
        out._output_nr = output_nr
        out._requires_grad = True
    return (data.shape, dtype)


def _resolve_saved(ctx, raw, args, outputs, raw_outputs):
    """Turn the arrays a primitive saved into saved entries (inputs and outputs keep their graph).

    Outputs are recognised by the object forward returned (``raw_outputs``): a 0-dim
    result may be a NumPy scalar that the output Tensor holds as a new 0-dim array.
    """
    saved = []
    for item in raw:
        if item is None:
            saved.append((None, 0, None))
            continue
        for a in args:
            if isinstance(a, Tensor) and a._data is item:
                box = a._version_box
                saved.append((a, box[0] if box is not None else 0, None))
                break
        else:
            for i, returned in enumerate(raw_outputs):
                if returned is item:
                    saved.append(_save_entry(outputs[i], ctx, i))
                    break
            else:
                tensor = item if isinstance(item, Tensor) else Tensor._make(item)
                saved.append((tensor, tensor._version, None))
    return tuple(saved)


def _position(tensor, outputs):
    """The index of ``tensor`` among ``outputs`` (by identity), or None."""
    for i, out in enumerate(outputs):
        if out is tensor:
            return i
    return None


def _check_saved_types(raw):
    for i, t in enumerate(raw or ()):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                            f"{type(t).__name__}")


def once_differentiable(backward):
    """Decorate a custom Function's backward that cannot itself be differentiated."""
    def wrapper(ctx, *grads):
        with grad_mode.no_grad():
            return backward(ctx, *grads)
    wrapper.__name__ = backward.__name__
    wrapper.__doc__ = backward.__doc__
    return wrapper
