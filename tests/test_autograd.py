"""Autograd: backward/grad, the engine, hooks, graph structure, grad modes, versions, views, anomaly mode.

Most tests run one scenario with ``m = ember`` and ``m = torch`` and compare what comes
out (``same_result``); errors are compared by type and message fragment.
"""

import threading
import warnings

import numpy as np
import pytest
from helpers import check_grad, positive, randn, requires_torch, same_result, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

pytestmark = requires_torch


def same_failure(fn, exc_type, fragment):
    """``fn(m)`` raises ``exc_type`` with ``fragment`` in the message, for both libraries."""
    for m in (torch, ember):
        with pytest.raises(exc_type) as info:
            fn(m)
        assert fragment in str(info.value), f"{m.__name__}: {info.value}"


def leaf(m, values, dtype="float32"):
    return m.tensor(values, dtype=getattr(m, dtype), requires_grad=True)


# ----------------------------------------------------------------------------- backward and grad

def test_backward_accumulates_across_calls():
    def scenario(m):
        x = leaf(m, [1.0, 2.0, 3.0])
        (x * x).sum().backward()
        first = x.grad.clone()
        (x * 3).sum().backward()
        return first, x.grad, x.grad.requires_grad
    same_result(scenario)


def test_backward_with_gradient_argument_and_dtypes():
    def scenario(m):
        x = leaf(m, [[1.0, 2.0], [3.0, 4.0]], "float64")
        y = x.exp() * 2
        y.backward(m.tensor([[1.0, 0.5], [2.0, 0.0]], dtype=m.float64))
        return x.grad
    same_result(scenario)


def test_gradient_of_other_dtype_is_cast():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        (x * 2).backward(m.ones(2, dtype=m.float64))
        return x.grad
    same_result(scenario)


def test_grad_returns_without_accumulating():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        y = leaf(m, [3.0, 4.0])
        gx, gy = m.autograd.grad((x * y).sum(), (x, y))
        return gx, gy, x.grad, y.grad
    same_result(scenario)


def test_grad_with_grad_outputs_and_multiple_outputs():
    def scenario(m):
        x = leaf(m, [1.0, 2.0, 3.0])
        a, b = x * 2, x.exp()
        return m.autograd.grad([a, b], [x], [m.tensor([1.0, 2.0, 3.0]), m.tensor([0.5, 0.5, 0.5])])
    same_result(scenario)


def test_grad_dict_inputs():
    def scenario(m):
        x, y = leaf(m, [1.0, 2.0]), leaf(m, [3.0])
        result = m.autograd.grad((x * y).sum(), {"x": x, "y": y})
        return sorted(result), result["x"], result["y"]
    same_result(scenario)


def test_grad_allow_unused_and_materialize():
    def scenario(m):
        x, y = leaf(m, [1.0, 2.0]), leaf(m, [5.0])
        unused = m.autograd.grad((x * 2).sum(), [x, y], allow_unused=True)
        materialized = m.autograd.grad((x * 2).sum(), [x, y], materialize_grads=True)
        return unused, materialized
    same_result(scenario)


def test_grad_unused_input_error():
    def scenario(m):
        x, y = leaf(m, [1.0, 2.0]), leaf(m, [5.0])
        m.autograd.grad((x * 2).sum(), [x, y])
    same_failure(scenario, RuntimeError, "appears to not have been used in the graph")


def test_materialize_with_allow_unused_false_is_value_error():
    def scenario(m):
        x = leaf(m, [1.0])
        m.autograd.grad(x * 2, x, allow_unused=False, materialize_grads=True)
    same_failure(scenario, ValueError, "Expected allow_unused to be True")


def test_grad_of_non_leaf_intermediate():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        h = x * 3
        return m.autograd.grad((h * h).sum(), [h, x])
    same_result(scenario)


def test_grad_with_respect_to_output_itself():
    same_result(lambda m: m.autograd.grad(leaf(m, 2.0), leaf(m, 2.0), allow_unused=True))

    def scenario(m):
        x = leaf(m, 3.0)
        return m.autograd.grad(x, x)
    same_result(scenario)


def test_is_grads_batched():
    def scenario(m):
        x = leaf(m, [1.0, 2.0, 3.0], "float64")
        y = x.exp()
        seeds = m.tensor(np.eye(3))
        return m.autograd.grad(y, x, seeds, is_grads_batched=True)
    same_result(scenario)


@pytest.mark.parametrize("scenario, exc, fragment", [
    (lambda m: (leaf(m, [1.0, 2.0]) * 2).backward(), RuntimeError,
     "grad can be implicitly created only for scalar outputs"),
    (lambda m: (m.ones(2) * 2).sum().backward(), RuntimeError,
     "element 0 of tensors does not require grad and does not have a grad_fn"),
    (lambda m: m.autograd.backward([leaf(m, 1.0) * 2, m.ones(1).sum()]), RuntimeError,
     "element 1 of tensors does not require grad"),
    (lambda m: m.autograd.grad((leaf(m, [1.0]) * 2).sum(), [m.ones(1)]), RuntimeError,
     "One of the differentiated Tensors does not require grad"),
    (lambda m: m.autograd.grad(leaf(m, [1.0]).sum(), []), RuntimeError,
     "`inputs` argument to `grad()` cannot be empty."),
    (lambda m: (leaf(m, [1.0]) * 2).sum().backward(inputs=[]), RuntimeError,
     "`inputs` argument to `backward()` cannot be empty."),
    (lambda m: (leaf(m, [1.0, 2.0]) * 2).backward(m.ones(3)), RuntimeError, "Mismatch in shape"),
    (lambda m: (leaf(m, [1.0, 2.0]) * 2).backward([2.0]), TypeError, "gradients can be either Tensors or None"),
    (lambda m: m.autograd.backward([leaf(m, 1.0) * 2, leaf(m, 1.0) * 3], [m.tensor(1.0)]), RuntimeError,
     "got 2 tensors and 1 gradients"),
])
def test_backward_errors(scenario, exc, fragment):
    same_failure(scenario, exc, fragment)


def test_backward_twice_error_and_retain_graph():
    def twice(m):
        x = leaf(m, [1.0, 2.0])
        y = (x * x).sum()
        y.backward()
        y.backward()
    same_failure(twice, RuntimeError, "Trying to backward through the graph a second time")

    def retained(m):
        x = leaf(m, [1.0, 2.0])
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    same_result(retained)


def test_saved_tensors_access_after_free():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.sum().backward()
    with pytest.raises(RuntimeError, match="after they have already been freed"):
        _ = y.grad_fn.saved_tensors


# ----------------------------------------------------------------------------- higher order

def test_third_derivative_of_cube():
    def scenario(m):
        x = leaf(m, 2.0, "float64")
        g1, = m.autograd.grad(x ** 3, x, create_graph=True)
        g2, = m.autograd.grad(g1, x, create_graph=True)
        g3, = m.autograd.grad(g2, x)
        return g1.detach(), g2.detach(), g3
    same_result(scenario)


def test_higher_order_of_exp_chain():
    def scenario(m):
        x = leaf(m, [0.5, -1.0], "float64")
        y = (x.exp() * x).sum()
        g, = m.autograd.grad(y, x, create_graph=True)
        gg, = m.autograd.grad(g.sum(), x, create_graph=True)
        ggg, = m.autograd.grad(gg.sum(), x)
        return g, gg, ggg
    same_result(scenario)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_create_graph_makes_differentiable_grad():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        (x * x * x).sum().backward(create_graph=True)
        grad = x.grad
        x.grad = None
        grad.sum().backward()
        return grad, x.grad
    same_result(scenario)


def test_plain_backward_after_create_graph_accumulates():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        x.sum().backward(create_graph=True)
        x.sum().backward()
        return x.grad
    same_result(scenario)


def test_double_backward_finite_differences():
    check_grad(lambda x, y: (x * y).exp().sum() * (x / y).sum(), randn(3), positive(3))


# ----------------------------------------------------------------------------- engine

def test_long_chain_is_iterative():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]
    del y                              # freeing a 100,000-node graph must not overflow the C stack


def test_long_chain_deleted_without_backward():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    del y


def test_diamond_graph_accumulates():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        a, b = x * 2, x * 3
        out = (a * b + a).sum()
        out.backward()
        return x.grad
    same_result(scenario)


def test_unused_branch_and_multiple_roots():
    def scenario(m):
        x, y = leaf(m, [1.0, 2.0]), leaf(m, [3.0, 4.0])
        a = x * y
        _unused = y.exp()
        b = x.exp()
        m.autograd.backward([a, b], [m.ones(2), m.tensor([2.0, 3.0])])
        return x.grad, y.grad
    same_result(scenario)


def test_inputs_restricts_accumulation():
    def scenario(m):
        x, y = leaf(m, [1.0, 2.0]), leaf(m, [3.0, 4.0])
        h = x * y
        (h * h).sum().backward(inputs=[x], retain_graph=True)
        first = (x.grad.clone(), y.grad)
        (h * 2).sum().backward(inputs=h)
        return first, h.grad, x.grad
    same_result(scenario)


def test_broadcast_gradients_are_summed():
    def scenario(m):
        x, b = leaf(m, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), leaf(m, [[1.0], [2.0]])
        s = leaf(m, 2.0)
        ((x * b + s) * s).sum().backward()
        return x.grad, b.grad, s.grad
    same_result(scenario)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["mul", "add", "exp", "reuse"]), min_size=1, max_size=12))
def test_random_graphs_match_torch(ops):
    """Random DAGs of a few ops, with reuse of earlier nodes: gradients equal torch's."""
    def scenario(m):
        x = leaf(m, [0.3, -0.2], "float64")
        nodes = [x]
        for i, op in enumerate(ops):
            last = nodes[-1]
            if op == "mul":
                nodes.append(last * nodes[i // 2])
            elif op == "add":
                nodes.append(last + nodes[0] * 0.5)
            elif op == "exp":
                nodes.append((last * 0.1).exp())
            else:
                nodes.append(last + nodes[len(nodes) // 2])
        sum(n.sum() for n in nodes[1:]).backward()
        return x.grad
    same_result(scenario)


def test_zero_size_and_zero_dim():
    def scenario(m):
        e = leaf(m, np.zeros((0, 3)).tolist())
        s = leaf(m, 1.5)
        ((e * 2).sum() + s * s).backward()
        return e.grad, s.grad
    same_result(scenario)


# ----------------------------------------------------------------------------- grad_fn structure and leaves

def test_grad_fn_names_and_next_functions():
    def scenario(m):
        x, y, z = leaf(m, [1.0]), leaf(m, [2.0]), leaf(m, [3.0])
        r = x * y + z
        fn = r.grad_fn
        mul_node, acc = fn.next_functions[0][0], fn.next_functions[1][0]
        return (fn.name(), type(mul_node).__name__, mul_node.name(), type(acc).__name__, acc.variable is z,
                acc.next_functions, fn.next_functions[1][1], len(mul_node.next_functions))
    same_result(scenario)


def test_next_functions_none_for_constants():
    def scenario(m):
        x = leaf(m, [1.0])
        return [(n if n is None else type(n).__name__, nr) for n, nr in (x * m.ones(1)).grad_fn.next_functions]
    same_result(scenario)


def test_accumulate_grad_node_is_shared():
    x = ember.tensor([1.0], requires_grad=True)
    a, b = x * 2, x * 3
    assert a.grad_fn.next_functions[0][0] is b.grad_fn.next_functions[0][0]
    assert a.grad_fn.next_functions[0][0].name() == "torch::autograd::AccumulateGrad"


def test_is_leaf_and_requires_grad_rules():
    def scenario(m):
        x = leaf(m, [1.0])
        c = m.ones(1)
        y = x * 2
        z = c * 2
        with m.no_grad():
            w = x * 2
        return (x.is_leaf, c.is_leaf, y.is_leaf, z.is_leaf, w.is_leaf, y.requires_grad, z.requires_grad,
                w.requires_grad, (x > 0).requires_grad if hasattr(x, "__gt__") else False)
    same_result(scenario)


def test_requires_grad_on_integer_tensor_fails():
    same_failure(lambda m: m.tensor([1, 2]).requires_grad_(), RuntimeError, "only Tensors of floating point")

    def setter(m):
        m.tensor([1, 2]).requires_grad = True
    same_failure(setter, RuntimeError, "only Tensors of floating point")


def test_requires_grad_false_on_non_leaf_fails():
    def scenario(m):
        y = leaf(m, [1.0]) * 2
        y.requires_grad = False
    same_failure(scenario, RuntimeError, "you can only change requires_grad flags of leaf variables")

    def setting_true(m):
        y = leaf(m, [1.0]) * 2
        y.requires_grad = True
    same_failure(setting_true, RuntimeError, "you can only change requires_grad flags of leaf variables.")

    def method_true_is_allowed(m):
        y = leaf(m, [1.0]) * 2
        return y.requires_grad_(True).requires_grad, y.is_leaf
    same_result(method_true_is_allowed)


def test_detach_and_detach_():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        y = x * 2
        d = y.detach()
        d.add_(1)                    # shares memory and version counter with y
        versions = (y._version, d._version)
        y.detach_()
        return d.requires_grad, d.is_leaf, y.requires_grad, y.is_leaf, y.grad_fn, y, versions
    same_result(scenario)


def test_detach_view_in_place_fails():
    same_failure(lambda m: (leaf(m, [1.0, 2.0]) * 2).view(2).detach_(), RuntimeError,
                 "Can't detach views in-place")


# ----------------------------------------------------------------------------- hooks and retain_grad

def test_retain_grad():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        y = x * 2
        y.retain_grad()
        (y * y).sum().backward()
        return y.grad, x.grad, y.retains_grad, x.retains_grad
    same_result(scenario)


def test_tensor_hooks_leaf_and_non_leaf():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        seen = []
        x.register_hook(lambda g: seen.append(g.tolist()))
        handle = x.register_hook(lambda g: g * 10)
        y = x * 3
        y.register_hook(lambda g: g + 1)
        (y * 2).sum().backward()
        first = x.grad.clone()
        handle.remove()
        x.grad = None
        (x * 3).sum().backward()
        return seen, first, x.grad
    same_result(scenario)


def test_hook_replacement_seen_by_retain_grad():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: g * 100)
        (y * y).sum().backward()
        return y.grad, x.grad
    same_result(scenario)


def test_hook_on_tensor_without_grad_fails():
    same_failure(lambda m: m.ones(2).register_hook(lambda g: g), RuntimeError,
                 "cannot register a hook on a tensor that doesn't require gradient")


def test_grad_fn_hooks_and_prehooks():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        y = x * 2
        seen = []
        y.grad_fn.register_prehook(lambda go: seen.append(("pre", go[0].tolist())) or (go[0] * 10,))
        handle = y.grad_fn.register_hook(lambda gi, go: seen.append(("post", gi[0].tolist(), go[0].tolist())))
        acc = y.grad_fn.next_functions[0][0]
        acc.register_prehook(lambda go: seen.append(("acc-pre", go[0].tolist())))
        y.sum().backward(retain_graph=True)
        handle.remove()
        y.sum().backward()
        return seen, x.grad
    same_result(scenario)


def test_hooks_run_with_grad():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        y = x.exp()
        g, = m.autograd.grad(y.sum(), x)
        handle = x.register_hook(lambda grad: grad * 2)
        g2, = m.autograd.grad(x.exp().sum(), x)
        handle.remove()
        return g, g2
    same_result(scenario)


# ----------------------------------------------------------------------------- grad modes

def test_grad_mode_context_managers():
    def scenario(m):
        x = leaf(m, [1.0])
        with m.no_grad():
            a = x * 2
            with m.enable_grad():
                b = x * 2
            inner = m.is_grad_enabled()
        with m.set_grad_enabled(False):
            c = x * 2
        with m.inference_mode():
            d = x * 2
            flags = (m.is_grad_enabled(), m.is_inference_mode_enabled())
        with m.inference_mode(False):
            e = x * 2
        return a.requires_grad, b.requires_grad, inner, c.requires_grad, d.requires_grad, flags, \
            e.requires_grad, m.is_grad_enabled(), m.is_inference_mode_enabled()
    same_result(scenario)


def test_grad_mode_decorators():
    def scenario(m):
        x = leaf(m, [1.0])

        @m.no_grad()
        def f1():
            return (x * 2).requires_grad

        @m.no_grad
        def f2():
            return (x * 2).requires_grad

        @m.enable_grad()
        def f3():
            return (x * 2).requires_grad

        @m.set_grad_enabled(False)
        def f4():
            return (x * 2).requires_grad

        @m.inference_mode()
        def f5():
            return m.is_inference_mode_enabled()

        @m.inference_mode
        def f6():
            return m.is_inference_mode_enabled()

        @m.no_grad()
        def gen():
            yield m.is_grad_enabled()
            yield m.is_grad_enabled()

        with m.no_grad():
            f3_result = f3()
        return f1(), f2(), f3_result, m.is_grad_enabled(), f4(), m.is_grad_enabled(), f5(), f6(), list(gen()), \
            f1.__name__
    same_result(scenario)


def test_set_grad_enabled_as_function():
    def scenario(m):
        x = leaf(m, [1.0])
        m.set_grad_enabled(False)
        try:
            off = (x * 2).requires_grad
        finally:
            m.set_grad_enabled(True)
        return off, (x * 2).requires_grad
    same_result(scenario)


def test_set_grad_enabled_rejects_non_bool():
    same_failure(lambda m: m.set_grad_enabled(1), TypeError, "must be bool")


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with ember.no_grad():
            raise ValueError("boom")
    assert ember.is_grad_enabled()


def test_grad_mode_is_thread_local():
    results = {}
    started, release = threading.Event(), threading.Event()

    def worker():
        with ember.no_grad():
            started.set()
            release.wait(5)
            results["worker"] = ember.is_grad_enabled()

    thread = threading.Thread(target=worker)
    thread.start()
    started.wait(5)
    results["main"] = ember.is_grad_enabled()
    x = ember.ones(1, requires_grad=True)
    results["main_records"] = (x * 2).requires_grad
    release.set()
    thread.join()

    def fresh_thread():
        results["fresh"] = ember.is_grad_enabled()
    with ember.no_grad():
        t2 = threading.Thread(target=fresh_thread)
        t2.start()
        t2.join()
    assert results == {"worker": False, "main": True, "main_records": True, "fresh": True}


# ----------------------------------------------------------------------------- version counter and in-place

def test_modified_saved_tensor_error_message():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        y = x.exp()
        y.mul_(2)
        y.sum().backward()
    for m in (torch, ember):
        with pytest.raises(RuntimeError) as info:
            scenario(m)
        message = str(info.value)
        for fragment in ("modified by an inplace operation", "FloatTensor [2]]", "output 0 of Exp",
                         "is at version 1; expected version 0 instead"):
            assert fragment in message, f"{m.__name__}: {message}"


def test_modified_saved_leaf_error():
    def scenario(m):
        x, w = leaf(m, [1.0, 2.0]), m.ones(2)
        z = x * w
        w.add_(1)
        z.sum().backward()
    same_failure(scenario, RuntimeError, "is at version 1; expected version 0 instead")


def test_in_place_on_leaf_and_view_of_leaf():
    def leaf_case(m):
        leaf(m, [1.0, 2.0]).mul_(2)
    same_failure(leaf_case, RuntimeError, "a leaf Variable that requires grad is being used in an in-place")

    def view_case(m):
        leaf(m, [[1.0, 2.0], [3.0, 4.0]]).select(0, 0).mul_(2)
    same_failure(view_case, RuntimeError, "a view of a leaf Variable that requires grad")

    def under_no_grad(m):
        x = leaf(m, [1.0, 2.0])
        with m.no_grad():
            x.mul_(2)
        return x, x._version
    same_result(under_no_grad)


def test_views_share_version_counter():
    def scenario(m):
        a = leaf(m, [[1.0, 2.0], [3.0, 4.0]])
        b = a * 1
        v = b.view(4)
        t = b.transpose(0, 1)
        before = b._version
        v.mul_(2)
        after_view = (b._version, v._version, t._version)
        b.add_(1)
        return before, after_view, (b._version, v._version, t._version)
    same_result(scenario)


def test_in_place_ops_keep_correct_gradients():
    def scenario(m):
        x = leaf(m, [1.0, 2.0], "float64")
        y = x * 1
        y.mul_(2)
        y.add_(x)
        y.div_(3)
        y.exp_()
        g, = m.autograd.grad(y.sum(), x, create_graph=True)
        gg, = m.autograd.grad(g.sum(), x)
        return y, g, gg, y.grad_fn.name()
    same_result(scenario)


def test_in_place_on_tensor_without_grad_with_grad_operand():
    def scenario(m):
        w = m.ones(2)
        x = leaf(m, [1.0, 2.0])
        w.mul_(x)
        w.sum().backward()
        return x.grad, w.requires_grad, w.is_leaf, w.grad_fn.name()
    same_result(scenario)


# ----------------------------------------------------------------------------- in-place through views

def test_in_place_through_select_view():
    def scenario(m):
        a = leaf(m, [[1.0, 2.0], [3.0, 4.0]])
        b = a.clone()
        b.select(0, 0).mul_(2)
        (b * b).sum().backward()
        return a.grad, b.grad_fn.name(), b
    same_result(scenario)


def test_in_place_through_transpose_with_grad_operand():
    def scenario(m):
        a = leaf(m, [[1.0, 2.0], [3.0, 4.0]])
        w = leaf(m, [[0.5, 1.0], [2.0, 3.0]])
        b = a * 1
        b.transpose(0, 1).mul_(w)
        (b * b).sum().backward()
        return a.grad, w.grad
    same_result(scenario)


def test_in_place_through_view_of_view():
    def scenario(m):
        a = leaf(m, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        b = a * 1
        b.transpose(0, 1).select(0, 2).mul_(10)
        (b * b).sum().backward()
        return a.grad
    same_result(scenario)


def test_copy_into_view_of_plain_tensor():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        buffer = m.zeros(2, 2)
        buffer.select(0, 1).copy_(x * 3)
        (buffer * buffer).sum().backward()
        return x.grad, buffer.requires_grad, buffer.is_leaf
    same_result(scenario)


def test_stale_view_follows_later_base_change():
    def scenario(m):
        a = leaf(m, [[1.0, 2.0], [3.0, 4.0]])
        b = a * 1
        v = b.select(0, 0)
        v.mul_(2)
        w = b.select(0, 1)
        b.mul_(3)                       # v and w now read the tripled values
        (v.sum() * 2 + w.sum()).backward()
        return a.grad, v, w
    same_result(scenario)


def test_in_place_view_double_backward():
    def scenario(m):
        a = leaf(m, [[1.0, 2.0], [3.0, 4.0]], "float64")
        b = a * a
        b.select(1, 0).mul_(a.select(1, 1))
        g, = m.autograd.grad(b.sum(), a, create_graph=True)
        gg, = m.autograd.grad((g * g).sum(), a)
        return g, gg
    same_result(scenario)


# ----------------------------------------------------------------------------- anomaly detection

def test_detect_anomaly_names_op_and_warns_with_trace():
    for m in (torch, ember):
        x = m.tensor([0.0, 1.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with m.autograd.detect_anomaly():
                y = x / x
                with pytest.raises(RuntimeError) as info:
                    y.sum().backward()
        assert "Function 'DivBackward0' returned nan values in its 1th output." in str(info.value), m.__name__
        texts = [str(w.message) for w in caught]
        assert any("Anomaly Detection has been enabled" in t for t in texts)
        assert any("Error detected in DivBackward0" in t and "y = x / x" in t for t in texts), texts


def test_detect_anomaly_zeroth_output():
    for m in (torch, ember):
        x, z = m.tensor([1.0], requires_grad=True), m.tensor([0.0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with m.autograd.detect_anomaly():
                with pytest.raises(RuntimeError, match="Function 'DivBackward0' returned nan values in its 0th output"):
                    ((x / z) * 0).sum().backward()


def test_set_detect_anomaly_and_check_nan_false():
    x = ember.tensor([0.0], requires_grad=True)
    with ember.autograd.set_detect_anomaly(True, check_nan=False):
        assert ember.autograd.is_anomaly_enabled()
        with np.errstate(all="ignore"):
            (x / x).sum().backward()
    assert not ember.autograd.is_anomaly_enabled()
    assert np.isnan(x.grad.tolist()[0])
    ember.autograd.set_detect_anomaly(True)
    try:
        assert ember.autograd.is_anomaly_enabled()
    finally:
        ember.autograd.set_detect_anomaly(False)
    assert not ember.autograd.is_anomaly_enabled()


def test_anomaly_mode_warns_on_backward_errors():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ember.autograd.detect_anomaly():
            y = x.exp()
            y.mul_(2)
            with pytest.raises(RuntimeError, match="The variable in question was changed"):
                y.sum().backward()
    assert any("Error detected in ExpBackward0" in str(w.message) for w in caught)


# ----------------------------------------------------------------------------- gradcheck

class _WrongDouble(ember.autograd.Function):
    """``2 * x`` whose backward claims ``3``: gradcheck must catch it."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 3


class _WrongSecondOrder(ember.autograd.Function):
    """``x ** 2`` whose backward is right at first order but not differentiable correctly (uses a constant)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x.detach()


@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradcheck_passes_for_correct_ops(fast_mode):
    x = ember.tensor(randn(2, 3), requires_grad=True)
    y = ember.tensor(positive(3), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: (a.exp() * b / b.sqrt(), a.sum()), (x, y), fast_mode=fast_mode)
    assert ember.autograd.gradgradcheck(lambda a, b: (a * b).exp() * b.log(), (x, y), fast_mode=fast_mode)


@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradcheck_fails_for_wrong_backward(fast_mode):
    x = ember.tensor(randn(3), requires_grad=True)
    with pytest.raises(ember.autograd.GradcheckError, match="Jacobian mismatch"):
        ember.autograd.gradcheck(_WrongDouble.apply, (x,), fast_mode=fast_mode)
    assert ember.autograd.gradcheck(_WrongDouble.apply, (x,), fast_mode=fast_mode, raise_exception=False) is False
    assert issubclass(ember.autograd.GradcheckError, RuntimeError)


@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradgradcheck_fails_for_wrong_double_backward(fast_mode):
    x = ember.tensor(randn(3), requires_grad=True)
    assert ember.autograd.gradcheck(_WrongSecondOrder.apply, (x,), fast_mode=fast_mode)
    assert ember.autograd.gradgradcheck(_WrongSecondOrder.apply, (x,), fast_mode=fast_mode,
                                        raise_exception=False) is False


def test_gradcheck_input_checks():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        ember.autograd.gradcheck(lambda a: a * 2, (ember.ones(2, dtype=ember.float64),))
    with pytest.warns(UserWarning, match="not a double precision"):
        ember.autograd.gradcheck(lambda a: a * 2, (ember.ones(2, requires_grad=True),), eps=1e-3, atol=1e-2)


def test_gradcheck_with_non_differentiable_output():
    x = ember.tensor(randn(3), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: (a * 2, a.detach() * 3), (x,))


@pytest.mark.parametrize("name", ["exp", "exp2", "expm1", "sqrt", "rsqrt", "reciprocal", "tan", "tanh", "sigmoid",
                                  "relu"])
def test_second_derivatives_of_0dim_outputs_saved_for_backward(name):
    # Ops whose backward reuses their own output: a 0-dim result reaches the engine as a
    # NumPy scalar, and must still be saved as the output (so double backward sees its graph).
    x = ember.tensor(0.7, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda t: getattr(ember, name)(t) * 2, (x,))
    (g,) = ember.autograd.grad(getattr(ember, name)(x) ** 2, x, create_graph=True)
    assert g.requires_grad


def test_post_accumulate_grad_hook_runs_after_accumulation_on_leaves_only():
    x = ember.ones(2, requires_grad=True)
    seen = []
    handle = x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (x * 3).sum().backward()
    (x * 2).sum().backward()
    assert seen == [[3.0, 3.0], [5.0, 5.0]]
    ember.autograd.grad((x * 2).sum(), x)          # grad() accumulates nothing: no call
    assert len(seen) == 2
    handle.remove()
    (x * 2).sum().backward()
    assert len(seen) == 2
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ember.ones(2).register_post_accumulate_grad_hook(lambda t: None)


def test_zero_grad_memory_is_reused_only_when_nobody_holds_it():
    w = ember.ones(3, requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.1)
    (w * 2).sum().backward()
    address = w.grad.data_ptr()
    opt.zero_grad()
    assert w.grad is None
    (w * 3).sum().backward()
    assert w.grad.data_ptr() == address and w.grad.tolist() == [3.0, 3.0, 3.0]

    kept = w.grad                       # the user keeps the old gradient: its memory must stay untouched
    opt.zero_grad()
    (w * 4).sum().backward()
    assert kept.tolist() == [3.0, 3.0, 3.0] and w.grad.tolist() == [4.0, 4.0, 4.0]
    assert w.grad.data_ptr() != kept.data_ptr()


def test_module_zero_grad_reuses_memory_with_the_same_results():
    layer = ember.nn.Linear(3, 2)
    x = ember.ones(4, 3)
    layer(x).sum().backward()
    first = layer.weight.grad.clone()
    address = layer.weight.grad.data_ptr()
    layer.zero_grad()
    layer(x).sum().backward()
    assert layer.weight.grad.data_ptr() == address
    assert ember.equal(layer.weight.grad, first)
