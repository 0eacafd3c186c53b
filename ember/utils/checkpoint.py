"""Activation checkpointing (``torch.utils.checkpoint``): trade compute for memory.

``checkpoint(function, *args)`` runs ``function`` without keeping the intermediate
activations its backward would need; backward runs the segment's forward again, with
the random number generator state of the first run (so dropout masks repeat), and
backpropagates through that recomputation. Two variants, chosen by ``use_reentrant``:

* ``use_reentrant=True`` (``CheckpointFunction``): a custom autograd Function whose
  forward runs under ``no_grad``; its backward recomputes on detached inputs and runs
  a nested backward pass. It cannot serve ``autograd.grad`` or ``backward(inputs=)``.
* ``use_reentrant=False``: the forward records its graph as usual, then the tensors
  that graph saved are dropped; the first of its nodes that backward reaches runs the
  forward again and hands each node the tensors its twin in the recomputed graph
  saved. Outputs keep their usual ``grad_fn``, and ``autograd.grad`` works.

Selective checkpointing (``create_selective_checkpoint_contexts``) is not provided.
"""

import contextlib
import warnings

from .. import random as _random
from .._tensor import Tensor
from ..autograd import backward as _autograd_backward
from ..autograd import grad_mode
from ..autograd.engine import is_checkpoint_valid
from ..autograd.function import BackwardNode, Function, _unpack_saved

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction",
           "check_backward_validity", "detach_variable", "noop_context_fn", "set_checkpoint_early_stop",
           "set_checkpoint_debug_enabled"]

_DETERMINISM_CHECKS = ("default", "none")
_debug_enabled = None           # set by set_checkpoint_debug_enabled; None defers to each call's ``debug``


class CheckpointError(RuntimeError):
    """Raised when the recomputation in backward does not match the original forward."""


def noop_context_fn():
    """The default ``context_fn``: two do-nothing context managers (for the forward and the recomputation).

    >>> forward_context, recompute_context = ember.utils.checkpoint.noop_context_fn()
    """
    return contextlib.nullcontext(), contextlib.nullcontext()


@contextlib.contextmanager
def set_checkpoint_early_stop(enable):
    """Accepted for PyTorch compatibility: ember always recomputes the whole checkpointed function.

    >>> with ember.utils.checkpoint.set_checkpoint_early_stop(False):
    ...     pass
    """
    yield


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled):
    """Override every checkpoint's ``debug`` argument inside the block (None: use the argument).

    >>> with ember.utils.checkpoint.set_checkpoint_debug_enabled(True):
    ...     pass
    """
    global _debug_enabled
    previous = _debug_enabled
    _debug_enabled = enabled
    try:
        yield
    finally:
        _debug_enabled = previous


def detach_variable(inputs):
    """Detached copies of the Tensors in the tuple ``inputs``, keeping their ``requires_grad``.

    >>> x = ember.ones(2, requires_grad=True)
    >>> ember.utils.checkpoint.detach_variable((x * 2, 3))[0].grad_fn is None
    True
    """
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    return tuple(_detached(item) if isinstance(item, Tensor) else item for item in inputs)


def _detached(tensor):
    leaf = tensor.detach()
    leaf.requires_grad = tensor.requires_grad
    return leaf


def check_backward_validity(inputs):
    """Warn when no Tensor in ``inputs`` requires grad (a reentrant checkpoint's output then has no gradient).

    >>> ember.utils.checkpoint.check_backward_validity([ember.ones(1, requires_grad=True)])
    """
    if not any(item.requires_grad for item in inputs if isinstance(item, Tensor)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)


@contextlib.contextmanager
def _forward_rng(preserve, state):
    """Run a block with the generator state the forward saw; the surrounding state comes back afterwards."""
    with _random.fork_rng(enabled=preserve):
        if preserve:
            _random.set_rng_state(state)
        yield


# ----------------------------------------------------------------------------- reentrant variant

class CheckpointFunction(Function):
    """The reentrant checkpoint: forward under ``no_grad``, backward recomputes and runs a nested backward."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        ctx.fwd_cpu_state = _random.get_rng_state() if preserve_rng_state else None
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*(a for a in args if isinstance(a, Tensor)))
        with grad_mode.no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        if not is_checkpoint_valid():
            raise RuntimeError("When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or "
                               "passing an `inputs` parameter to .backward(). To resolve this error, you can "
                               "either set use_reentrant=False, or call .backward() without passing the `inputs` "
                               "argument.")
        inputs = list(ctx.inputs)
        for index, tensor in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[index] = tensor
        with _forward_rng(ctx.preserve_rng_state, ctx.fwd_cpu_state):
            leaves = detach_variable(tuple(inputs))
            with grad_mode.enable_grad():
                outputs = ctx.run_function(*leaves)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(out, grad) for out, grad in zip(outputs, grads) if isinstance(out, Tensor) and out.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        _autograd_backward([out for out, _ in pairs], [grad for _, grad in pairs])
        return (None, None) + tuple(leaf.grad if isinstance(leaf, Tensor) else None for leaf in leaves)


# ----------------------------------------------------------------------------- which nodes a region made
# A non-reentrant checkpoint must tell the graph nodes its function created from older
# ones (inputs' histories, tensors the function reads from outside): every node carries
# its creation number, so the nodes of a region are those numbered from its start on.

def _next_sequence_nr():
    """The creation number from which nodes made from now on are numbered (a throwaway node takes the one before)."""
    return BackwardNode()._sequence_nr() + 1


def _is_new(node, first_stamp):
    return isinstance(node, BackwardNode) and node._sequence_nr() >= first_stamp     # (leaves' AccumulateGrad: old)


def _tensors_in(value):
    """The Tensors in a function's result (nested tuples, lists and dict values), in order."""
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in _tensors_in(item)]
    return []


def _region_nodes(result, first_stamp):
    """The nodes stamped since ``first_stamp`` that lead to ``result``, in a fixed depth-first order.

    Two runs of the same function give lists whose nodes correspond position by position.
    """
    order, seen = [], set()
    stack = [t._grad_fn for t in reversed(_tensors_in(result)) if _is_new(t._grad_fn, first_stamp)]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(child for child, _ in reversed(node.next_functions) if _is_new(child, first_stamp))
    return order


# ----------------------------------------------------------------------------- non-reentrant variant

class _Dropped:
    """Stands for a saved tensor a checkpoint dropped; touching it before recomputation is an error."""

    _version_box = None

    @property
    def _version(self):
        raise CheckpointError("torch.utils.checkpoint: a tensor saved inside a checkpointed region was used "
                              "before the region was recomputed.")


_DROPPED = _Dropped()


def _metadata(tensor):
    return {"shape": tensor.shape, "dtype": tensor.dtype, "device": tensor.device}


class _Frame:
    """One non-reentrant checkpointed call: what to rerun, and the nodes whose saved tensors it dropped."""

    def __init__(self, function, args, kwargs, preserve_rng_state, recompute_context, determinism_check):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.preserve_rng_state = preserve_rng_state
        self.rng_state = _random.get_rng_state() if preserve_rng_state else None
        self.recompute_context = recompute_context
        self.determinism_check = determinism_check
        self.arg_versions = [(a, a._version) for a in args if isinstance(a, Tensor)]
        self.nodes = []
        self.metadata = []
        self.recomputed = False

    def drop_saved_tensors(self, result, first_stamp):
        """Free what the region's nodes saved; the first of them backward reaches recomputes it all."""
        self.nodes = _region_nodes(result, first_stamp)
        for node in self.nodes:
            if getattr(node, "_checkpoint_frame", None) is not None or all(t is None for t, _, _ in node._saved):
                continue                            # an inner checkpoint's node (it refills it), or nothing saved
            self.metadata.extend(_metadata(t) for t, _, _ in node._saved if t is not None)
            node._saved = tuple((None if t is None else _DROPPED, 0, nr) for t, _, nr in node._saved)
            node._checkpoint_frame = self
            node.register_prehook(self._before_backward)

    def _before_backward(self, grads):
        if not self.recomputed:
            self._recompute()

    def _recompute(self):
        for tensor, version in self.arg_versions:
            _unpack_saved(None, (tensor, version, None))      # PyTorch's error for an input changed in place
        first_stamp = _next_sequence_nr()
        with _forward_rng(self.preserve_rng_state, self.rng_state), grad_mode.enable_grad(), self.recompute_context:
            result = self.function(*self.args, **self.kwargs)
        twins = _region_nodes(result, first_stamp)
        owned = [(node, twin) for node, twin in zip(self.nodes, twins)
                 if getattr(node, "_checkpoint_frame", None) is self]
        self._check_same_graph(twins, owned)
        for node, twin in owned:
            node._saved = twin._saved
        self.recomputed = True

    def _check_same_graph(self, twins, owned):
        """PyTorch's determinism check: the recomputation must save tensors like those of the forward."""
        same_ops = len(twins) == len(self.nodes) and all(type(a) is type(b) for a, b in zip(self.nodes, twins))
        recomputed = [twin_tensor for _, twin in owned for twin_tensor, _, _ in twin._saved
                      if twin_tensor is not None]
        if self.determinism_check == "none" and same_ops:
            return
        if not same_ops or len(recomputed) != len(self.metadata):
            raise CheckpointError(f"torch.utils.checkpoint: A different number of tensors was saved during the "
                                  f"original forward and recomputation.\nNumber of tensors saved during forward: "
                                  f"{len(self.metadata)}\nNumber of tensors saved during recomputation: "
                                  f"{len(recomputed)}.\n")
        report = ""
        for position, (saved, tensor) in enumerate(zip(self.metadata, recomputed)):
            if saved != _metadata(tensor):
                report += (f"tensor at position {position}:\nsaved metadata: {saved}\n"
                           f"recomputed metadata: {_metadata(tensor)}\n")
        if report:
            raise CheckpointError("torch.utils.checkpoint: Recomputed values for the following tensors have "
                                  f"different metadata than during the forward pass.\n{report}.\n")


def _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check, debug, args, kwargs):
    debug = _debug_enabled if _debug_enabled is not None else debug
    if debug and context_fn is not noop_context_fn:
        raise ValueError("debug=True is incompatible with non-default context_fn")
    if determinism_check not in _DETERMINISM_CHECKS:
        raise ValueError(f"determinism_check should be one of {list(_DETERMINISM_CHECKS)}, but got "
                         f"{determinism_check}")
    forward_context, recompute_context = context_fn()
    if not grad_mode.is_grad_enabled():
        return function(*args, **kwargs)
    frame = _Frame(function, args, kwargs, preserve, recompute_context, determinism_check)
    first_stamp = _next_sequence_nr()
    suppressed = True
    with forward_context:
        result = function(*args, **kwargs)
        suppressed = False
    if suppressed:
        raise RuntimeError("torch.utils.checkpoint: the forward context provided by context_fn suppressed an "
                           "exception raised during the checkpointed forward. This is not supported because "
                           "checkpoint cannot return a value for a failed forward.")
    frame.drop_saved_tensors(result, first_stamp)
    return result


# ----------------------------------------------------------------------------- public entry points

def _explicit_reentrant(use_reentrant, message):
    if use_reentrant is None:
        warnings.warn(message, stacklevel=3)
        return True
    return use_reentrant


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, early_stop=True, **kwargs):
    """Run ``function(*args)`` keeping no intermediate activations; backward recomputes them.

    ``preserve_rng_state`` (default True) may be passed among the keyword arguments, as in PyTorch.

    >>> x = ember.ones(3, requires_grad=True)
    >>> ember.utils.checkpoint.checkpoint(lambda t: (t * 2).sin(), x, use_reentrant=False).sum().backward()
    >>> x.grad.shape
    ember.Size([3])
    """
    use_reentrant = _explicit_reentrant(use_reentrant, (
        "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in PyTorch "
        "2.9, calling checkpoint without use_reentrant will raise an exception. use_reentrant=False is "
        "recommended, but if you need to preserve the current default behavior, you can pass "
        "use_reentrant=True. Refer to docs for more details on the differences between the two variants."))
    preserve = kwargs.pop("preserve_rng_state", True)
    if not use_reentrant:
        return _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check, debug, args, kwargs)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if context_fn is not noop_context_fn or debug is not False:
        raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
    return CheckpointFunction.apply(function, preserve, *args)


def _run_in_order(functions):
    def run(value):
        for fn in functions:
            value = fn(value)
        return value
    return run


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run ``functions`` (an ``nn.Sequential`` or a list) in ``segments`` chunks, checkpointing all but the last.

    >>> net = ember.nn.Sequential(ember.nn.Linear(2, 2), ember.nn.ReLU(), ember.nn.Linear(2, 1))
    >>> out = ember.utils.checkpoint.checkpoint_sequential(net, 2, ember.ones(1, 2), use_reentrant=False)
    >>> out.shape
    ember.Size([1, 1])
    """
    use_reentrant = _explicit_reentrant(use_reentrant, (
        "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed explicitly. "
        "In version 2.9 we will raise an exception if use_reentrant is not passed. use_reentrant=False is "
        "recommended, but if you need to preserve the current default behavior, you can pass "
        "use_reentrant=True. Refer to docs for more details on the differences between the two variants."))
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    from ..nn import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    size = len(functions) // segments               # ZeroDivisionError for 0 segments, as in PyTorch
    if size == 0:
        raise ValueError("range() arg 3 must not be zero")      # PyTorch's error for more segments than functions
    checkpointed = size * max(segments - 1, 0)
    for start in range(0, checkpointed, size):
        input = checkpoint(_run_in_order(functions[start:start + size]), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return _run_in_order(functions[checkpointed:])(input)
