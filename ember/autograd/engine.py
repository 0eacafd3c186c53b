"""The backward engine: walks the recorded graph from outputs to leaves, iteratively.

One pass: a depth-first search (with an explicit stack, so a 100,000-op chain is
fine) gives the nodes in topological order; each node then runs once, when the
gradients of all its outputs have been summed. Broadcasting is undone here, in one
place: a gradient shaped like a broadcast result is summed back to its input's shape.
"""

import sys
import threading

from .._tensor import Tensor
from . import grad_mode
from .anomaly_mode import is_anomaly_enabled, run_checked
from .function import AccumulateGrad


class _PassState(threading.local):
    """Per-thread facts about the backward pass now running."""

    checkpoint_valid = True     # False during a pass restricted to ``inputs`` (autograd.grad, backward(inputs=))


_pass = _PassState()


def is_checkpoint_valid():
    """Whether a reentrant checkpoint may run its own backward now (PyTorch's ``_is_checkpoint_valid``)."""
    return _pass.checkpoint_valid


def _topological_order(roots):
    """Nodes reachable from ``roots``, each before every node it feeds gradients to."""
    seen = set()
    postorder = []
    for root in roots:
        if root is None or root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root.next_functions))]
        while stack:
            node, children = stack[-1]
            for child, _ in children:
                if child is not None and child not in seen:
                    seen.add(child)
                    stack.append((child, iter(child.next_functions)))
                    break
            else:
                stack.pop()
                postorder.append(node)
    postorder.reverse()
    return postorder


def _needed_nodes(order, targets):
    """Ids of the nodes that lead to a target; the others need not run (``inputs=``/``grad``)."""
    needed = set()
    for node in reversed(order):
        if node in targets or any(child in needed for child, _ in node.next_functions):
            needed.add(node)
    return needed


def _fit_gradient(node, index, grad, meta_tensor_shape, meta_dtype):
    """Sum a broadcast gradient back to its input's shape and cast it to its dtype."""
    if grad.shape != meta_tensor_shape:
        try:
            grad = grad.sum_to_size(meta_tensor_shape)
        except RuntimeError:
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {index} - got "
                               f"{list(grad.shape)} but expected shape compatible with "
                               f"{list(meta_tensor_shape)}") from None
    if grad.dtype is not meta_dtype:
        if grad.dtype.is_complex and not meta_dtype.is_complex:
            grad = grad.real        # a real input's gradient is the real part (PyTorch's engine does the same)
        grad = grad.to(meta_dtype)
    return grad


def _input_meta(node, index):
    """(shape, dtype) of the tensor whose gradient flows along ``node.next_functions[index]``."""
    child, nr = node.next_functions[index]
    if type(child) is AccumulateGrad:
        v = child.variable
        return v._data.shape, v.dtype
    return child._output_meta[nr]


def _apply_tensor_hooks(node, grads):
    """Run Tensor.register_hook hooks and retain_grad for the outputs of ``node``."""
    grads = list(grads)
    if node._tensor_hooks:
        for nr, hooks in node._tensor_hooks.items():
            for hook in hooks:
                if grads[nr] is not None:
                    new = hook(grads[nr])
                    if new is not None:
                        grads[nr] = new
    if node._retained:
        for nr, ref in node._retained.items():
            tensor = ref()
            if tensor is not None and grads[nr] is not None:
                g = grads[nr] if grad_mode.is_grad_enabled() else grads[nr].detach()
                tensor._grad = g.clone() if tensor._grad is None else tensor._grad + g
    return grads


def _sole_reference_count():
    """What ``sys.getrefcount`` says of an object held by one local variable (it varies across Pythons)."""
    held = []
    return sys.getrefcount(held)


_SOLE_REFERENCE = _sole_reference_count()


def _private_copy(leaf, array):
    """A copy of ``array`` for ``leaf.grad``: into the leaf's spare gradient memory when nothing else holds it."""
    spare = leaf._spare_grad
    if spare is not None:
        leaf._spare_grad = None
        if spare.shape == array.shape and spare.dtype == array.dtype and sys.getrefcount(spare) == _SOLE_REFERENCE:
            spare[...] = array
            return spare
    return array.copy()


def _accumulate(leaf, grad, create_graph):
    """Add ``grad`` into ``leaf.grad`` (PyTorch's AccumulateGrad).

    A first gradient is stored as a copy (the engine's buffers may be shared or
    read-only broadcasts), unless it is part of a graph being built (``create_graph``);
    the copy goes into the memory of the gradient ``zero_grad`` dropped, when it is free.
    Later ones add in place, or out of place while building a graph.
    """
    current = leaf._grad
    if current is None:
        keep = create_graph and grad._requires_grad
        leaf._grad = grad if keep else Tensor._make(_private_copy(leaf, grad._data))
    elif create_graph or current._requires_grad or not current._data.flags.writeable:
        leaf._grad = current + (grad if create_graph else grad.detach())
    else:
        current._data += grad._data
        current._bump_version()


def _run_node(node, grads):
    """The gradients ``node`` sends to its inputs: its backward, then its post hooks."""
    if is_anomaly_enabled():
        in_grads = run_checked(node, grads)
    else:
        in_grads = node._run_backward(grads)
    if node._post_hooks:
        for hook in node._post_hooks:
            new = hook(in_grads, grads)
            if new is not None:
                in_grads = tuple(new)
    return in_grads


def _run_pre_hooks(node, grads):
    if node._pre_hooks:
        for hook in node._pre_hooks:
            new = hook(tuple(grads))
            if new is not None:
                grads = list(new)
    return grads


def run_backward(roots, root_grads, retain_graph, create_graph, inputs=None, accumulate=True,
                 allow_unused=False):
    """Run backward from ``roots`` (tensors) seeded with ``root_grads``.

    With ``accumulate`` the leaves' ``.grad`` grow (``Tensor.backward``); otherwise the
    gradients of ``inputs`` are returned (``autograd.grad``) and nothing is accumulated.
    """
    root_edges = []
    for i, t in enumerate(roots):
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        root_edges.append(_edge_of(t))
    targets = {}
    if inputs is not None:
        for i, t in enumerate(inputs):
            if not isinstance(t, Tensor):
                raise TypeError(f"inputs must be Tensors, got {type(t).__name__} at position {i}")
            if not t._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False" if accumulate
                                   else "One of the differentiated Tensors does not require grad")
            node, nr = _edge_of(t)
            targets.setdefault(node, []).append((i, nr))
    order = _topological_order([node for node, _ in root_edges])
    needed = _needed_nodes(order, targets) if inputs is not None else None

    buffers = {}
    for (node, nr), g in zip(root_edges, root_grads):
        slots = buffers.setdefault(node, {})
        slots[nr] = g if nr not in slots else slots[nr] + g

    captured = [None] * (len(inputs) if inputs is not None else 0)
    state = grad_mode._local
    previous = state.enabled
    state.enabled = bool(create_graph)
    previous_valid = _pass.checkpoint_valid
    _pass.checkpoint_valid = inputs is None
    try:
        for node in order:
            slots = buffers.pop(node, None)
            if slots is None or (needed is not None and node not in needed):
                continue
            if type(node) is AccumulateGrad:
                grad = slots[0]
                if node.variable._hooks:
                    grad = _run_leaf_hooks(node.variable, grad)
                if node._pre_hooks:
                    grad = _run_pre_hooks(node, [grad])[0]
                if accumulate:
                    _accumulate(node.variable, grad, create_graph)
                    if node.variable._post_accumulate_hooks:
                        for hook in node.variable._post_accumulate_hooks:
                            hook(node.variable)
                    if node._post_hooks:
                        for hook in node._post_hooks:
                            hook((), (grad,))
                else:
                    for i, _ in targets.get(node, ()):
                        captured[i] = grad
                continue
            n_out = len(node._output_meta)
            grads = [slots.get(0)] if n_out == 1 else [slots.get(i) for i in range(n_out)]
            if node._tensor_hooks or node._retained:
                grads = _apply_tensor_hooks(node, grads)
            if node._pre_hooks:
                grads = _run_pre_hooks(node, grads)
            if needed is not None:
                for i, nr in targets.get(node, ()):
                    if accumulate and grads[nr] is not None:
                        _accumulate(inputs[i], grads[nr], create_graph)
                    captured[i] = grads[nr]
                if not any(child in needed for child, _ in node.next_functions):
                    continue
            in_grads = _run_node(node, tuple(grads))
            index = -1
            for (child, nr), g in zip(node.next_functions, in_grads):
                index += 1
                if child is None or g is None:
                    continue
                if type(child) is AccumulateGrad:
                    expected = child.variable._data
                    shape, np_dtype = expected.shape, expected.dtype
                else:
                    shape, dtype = child._output_meta[nr]
                    np_dtype = dtype.np_dtype
                if g._data.shape != shape or g._data.dtype != np_dtype:
                    g = _fit_gradient(node, index, g, *_input_meta(node, index))
                child_slots = buffers.get(child)
                if child_slots is None:
                    buffers[child] = {nr: g}
                elif nr in child_slots:
                    child_slots[nr] = child_slots[nr] + g
                else:
                    child_slots[nr] = g
            if not retain_graph:
                node._release()
    finally:
        state.enabled = previous
        _pass.checkpoint_valid = previous_valid
    if inputs is not None and not accumulate:
        for i, g in enumerate(captured):
            if g is None and not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
        return tuple(captured)
    return None


def _run_leaf_hooks(leaf, grad):
    if leaf._hooks:
        for hook in leaf._hooks:
            new = hook(grad)
            if new is not None:
                grad = new
    return grad


def _edge_of(tensor):
    from .function import _edge
    return _edge(tensor)
