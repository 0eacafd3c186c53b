"""Custom ``autograd.Function``: ctx API, multiple outputs, in-place forward, double backward.

Each scenario defines the same Function against ``m = ember`` and ``m = torch`` and
compares values, gradients and graph facts.
"""

import helpers
import pytest
from helpers import randn, requires_torch, torch

import ember

pytestmark = requires_torch


def same_result(fn):
    return helpers.same_result(fn, rtol=1e-6, atol=1e-8)


def edges(node):
    """``next_functions`` as (type name or None, input number) pairs."""
    return [(None if n is None else type(n).__name__, nr) for n, nr in node.next_functions]


def leaf(m, values):
    return m.tensor(values, dtype=m.float64, requires_grad=True)


def scaled_product(m):
    """f(x, k, y) = (x * k * y, x + y): tensors, a Python number, two outputs."""
    class ScaledProduct(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, y):
            ctx.save_for_backward(x, y)
            ctx.k = k
            return x * k * y, x + y

        @staticmethod
        def backward(ctx, grad_prod, grad_sum):
            x, y = ctx.saved_tensors
            grad_x = grad_prod * ctx.k * y + grad_sum if ctx.needs_input_grad[0] else None
            grad_y = grad_prod * ctx.k * x + grad_sum if ctx.needs_input_grad[2] else None
            return grad_x, None, grad_y
    return ScaledProduct


def test_save_for_backward_multiple_outputs_and_non_tensor_args():
    def scenario(m):
        x, y = leaf(m, [1.0, 2.0]), leaf(m, [3.0, 4.0])
        prod, total = scaled_product(m).apply(x, 2.0, y)
        (prod.sum() * total.sum()).backward()
        node = prod.grad_fn
        return (prod, total, x.grad, y.grad, node.name(), type(node).__name__, total.grad_fn is node,
                prod.output_nr, total.output_nr, node.needs_input_grad, edges(node),
                node.next_functions[1][0].variable is y)
    same_result(scenario)


def test_needs_input_grad_with_constant_input():
    def scenario(m):
        x, y = leaf(m, [1.0, 2.0]), m.tensor([3.0, 4.0], dtype=m.float64)
        prod, _ = scaled_product(m).apply(x, 2.0, y)
        prod.sum().backward()
        return x.grad, prod.grad_fn.needs_input_grad, edges(prod.grad_fn)
    same_result(scenario)


def test_no_graph_when_nothing_requires_grad_or_no_grad():
    def scenario(m):
        f = scaled_product(m)
        plain = f.apply(m.ones(2), 2.0, m.ones(2))
        with m.no_grad():
            quiet = f.apply(leaf(m, [1.0, 2.0]), 2.0, m.ones(2, dtype=m.float64))
        return [t.requires_grad for t in plain + quiet], [t.grad_fn for t in plain + quiet]
    same_result(scenario)


def test_forward_runs_without_grad_recording():
    def scenario(m):
        class Probe(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.inner = (m.is_grad_enabled(), (x * 2).requires_grad)
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return grad * 2
        y = Probe.apply(leaf(m, [1.0]))
        return y.grad_fn.inner, y.requires_grad
    same_result(scenario)


def test_mark_non_differentiable():
    def scenario(m):
        class SortValues(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                order = m.tensor([1, 0])
                values = x * 2
                flags = x * 0
                ctx.mark_non_differentiable(order, flags)
                return values, order, flags

            @staticmethod
            def backward(ctx, grad_values, grad_order, grad_flags):
                return grad_values * 2
        x = leaf(m, [1.0, 2.0])
        values, order, flags = SortValues.apply(x)
        values.sum().backward()
        return values.requires_grad, order.requires_grad, flags.requires_grad, flags.grad_fn, x.grad
    same_result(scenario)


def test_set_materialize_grads_false_gives_none():
    def scenario(m):
        seen = []

        class TwoOutputs(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, materialize):
                ctx.set_materialize_grads(materialize)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, grad_a, grad_b):
                seen.append((grad_a is None, grad_b is None, None if grad_b is None else grad_b.tolist()))
                return grad_a * 2, None
        x = leaf(m, [1.0, 2.0])
        a, _ = TwoOutputs.apply(x, False)
        a.sum().backward()
        c, _ = TwoOutputs.apply(x, True)
        c.sum().backward()
        return seen, x.grad
    same_result(scenario)


def double_in_place(m):
    """f(x) = 2x, written into x itself (``mark_dirty``)."""
    class DoubleInPlace(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2
    return DoubleInPlace


def test_mark_dirty_in_place_forward():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        y = x.clone()
        version = y._version
        z = double_in_place(m).apply(y)
        (z * z).sum().backward()
        return z is y, y._version - version, y.grad_fn.name(), y, x.grad
    same_result(scenario)


def test_mark_dirty_on_leaf_requiring_grad_fails():
    for m in (torch, ember):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            double_in_place(m).apply(leaf(m, [1.0]))


def test_returning_an_input_unchanged():
    def scenario(m):
        class PassFirst(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x, y * 2

            @staticmethod
            def backward(ctx, grad_x, grad_y):
                return grad_x * 10, grad_y * 2
        x, y = leaf(m, [1.0, 2.0]), leaf(m, [3.0, 4.0])
        a, b = PassFirst.apply(x, y)
        (a * 3 + b).sum().backward()
        return a is x, a.is_leaf, a.grad_fn.name(), x.grad, y.grad
    same_result(scenario)


def test_once_differentiable():
    def scenario(m):
        class Square(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @m.autograd.function.once_differentiable
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 2 * x
        x = leaf(m, [1.0, 2.0])
        g, = m.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
        return g, g.requires_grad
    same_result(scenario)


def cube(m):
    class Cube(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x
    return Cube


def test_double_backward_through_custom_function():
    def scenario(m):
        x = leaf(m, [1.0, -2.0])
        y = cube(m).apply(x)
        g, = m.autograd.grad(y.sum(), x, create_graph=True)
        gg, = m.autograd.grad(g.sum(), x, create_graph=True)
        ggg, = m.autograd.grad(gg.sum(), x)
        return y.grad_fn.name(), g, gg, ggg
    same_result(scenario)


def test_custom_function_passes_gradcheck():
    x = ember.tensor(randn(4), requires_grad=True)
    assert ember.autograd.gradcheck(cube(ember).apply, (x,))
    assert ember.autograd.gradgradcheck(cube(ember).apply, (x,))


def test_saved_output_is_restored_with_its_graph():
    def scenario(m):
        class Exp(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x.exp()
                ctx.save_for_backward(y)
                return y

            @staticmethod
            def backward(ctx, grad):
                (y,) = ctx.saved_tensors
                return grad * y
        x = leaf(m, [0.5, 1.0])
        y = Exp.apply(x)
        g, = m.autograd.grad(y.sum(), x, create_graph=True)
        gg, = m.autograd.grad(g.sum(), x)
        return g, gg
    same_result(scenario)


def test_saved_tensor_modified_in_place_errors():
    for m in (torch, ember):
        class Identityish(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 2
        x = leaf(m, [1.0, 2.0])
        h = x * 1
        out = Identityish.apply(h)
        h.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()


def test_setup_context_style():
    def scenario(m):
        class Mul(m.autograd.Function):
            @staticmethod
            def forward(x, y):
                return x * y

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(*inputs)

            @staticmethod
            def backward(ctx, grad):
                x, y = ctx.saved_tensors
                return grad * y, grad * x
        x, y = leaf(m, [1.0, 2.0]), leaf(m, [3.0, 5.0])
        Mul.apply(x, y).sum().backward()
        return x.grad, y.grad
    same_result(scenario)


def test_ctx_attributes_and_wrong_gradient_count():
    for m in (torch, ember):
        class TooMany(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return grad, grad
        with pytest.raises(RuntimeError, match="returned an incorrect number of gradients"):
            TooMany.apply(leaf(m, [1.0])).sum().backward()


def test_wrong_gradient_shape_errors():
    for m in (torch, ember):
        class BadShape(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return grad.new_ones(3)
        with pytest.raises(RuntimeError, match="returned an invalid gradient at index 0"):
            BadShape.apply(leaf(m, [1.0, 2.0])).sum().backward()


def test_save_for_backward_rejects_non_tensors():
    for m in (torch, ember):
        class SavesNumber(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return grad * 2
        with pytest.raises(TypeError, match="save_for_backward can only save variables"):
            SavesNumber.apply(leaf(m, [1.0]))


def test_grad_fn_hooks_on_custom_node():
    def scenario(m):
        x = leaf(m, [1.0, 2.0])
        y = cube(m).apply(x)
        seen = []
        y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append(grad_inputs[0].tolist()))
        y.sum().backward()
        return seen, x.grad
    same_result(scenario)


def test_gradient_for_non_tensor_argument_errors():
    for m in (torch, ember):
        class Scale(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                return x * k

            @staticmethod
            def backward(ctx, grad):
                return grad * 2, grad
        with pytest.raises(RuntimeError, match="returned a gradient different than None at position 2"):
            Scale.apply(leaf(m, [1.0]), 2.0).sum().backward()
