"""ember.nn.utils against torch.nn.utils: gradient clipping and parameter/vector conversion."""

import math

import numpy as np
import pytest
from helpers import assert_close, randn, requires_torch, same_error, torch

import ember

pytestmark = requires_torch

GRAD_SHAPES = [(3, 4), (5,), (), (2, 0)]


def params_with_grads(m, shapes=GRAD_SHAPES, scale=1.0, dtypes=None):
    """Parameters with fixed gradients, identical for both libraries (same seed per test)."""
    out = []
    for i, shape in enumerate(shapes):
        grad = np.asarray(randn(*shape) * scale).astype(np.float32 if dtypes is None else dtypes[i])
        p = m.nn.Parameter(m.from_numpy(np.zeros_like(grad)))
        p.grad = m.from_numpy(grad.copy())
        out.append(p)
    return out


def compare(fn, **kwargs):
    """Run ``fn(m, params)`` on equal parameters in both libraries; compare result and gradients."""
    from helpers import reseed
    reseed(7)
    e_params = params_with_grads(ember, **kwargs)
    reseed(7)
    t_params = params_with_grads(torch, **kwargs)
    e_out, t_out = fn(ember, e_params), fn(torch, t_params)
    if t_out is None:
        assert e_out is None
    else:
        assert_close(e_out, t_out, rtol=1e-5, atol=1e-6)
    for ep, tp in zip(e_params, t_params):
        assert_close(ep.grad, tp.grad, rtol=1e-5, atol=1e-6)
    return e_out


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, "inf", 0, -math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
@pytest.mark.parametrize("foreach", [None, True, False])
def test_clip_grad_norm(norm_type, max_norm, foreach):
    def clip(m, ps):
        return m.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type, foreach=foreach)
    if float(norm_type) in (math.inf, -math.inf):       # no identity for max/min: empty gradients are an error
        same_error(lambda m: clip(m, params_with_grads(m)))
        compare(clip, shapes=GRAD_SHAPES[:3])
    else:
        compare(clip)


def test_clip_grad_norm_single_tensor_generator_and_mixed_dtypes():
    compare(lambda m, ps: m.nn.utils.clip_grad_norm_(ps[0], 0.1))
    compare(lambda m, ps: m.nn.utils.clip_grad_norm_((p for p in ps), 0.1))
    compare(lambda m, ps: m.nn.utils.clip_grad_norm_(ps, 0.1), dtypes=[np.float32, np.float64, np.float32,
                                                                       np.float64])
    compare(lambda m, ps: m.nn.utils.clip_grad_norm_(ps, 1.0), dtypes=[np.float64] * 4)


def test_clip_grad_norm_skips_missing_grads_and_empty():
    def run(m, ps):
        ps[1].grad = None
        return m.nn.utils.clip_grad_norm_(ps, 0.2)
    compare(run)
    for m in (ember, torch):
        with pytest.warns(UserWarning, match="empty generator"):
            assert m.nn.utils.clip_grad_norm_((p for p in []), 1.0).item() == 0.0
        no_grads = [m.nn.Parameter(m.ones(2))]
        assert m.nn.utils.clip_grad_norm_(no_grads, 1.0).item() == 0.0


def test_clip_grad_norm_nonfinite():
    def with_inf(m, ps, **kwargs):
        ps[0].grad[0, 0] = math.inf
        return m.nn.utils.clip_grad_norm_(ps, 1.0, **kwargs)
    compare(with_inf)
    for value in (math.inf, math.nan):
        def run(m, value=value):
            p = m.nn.Parameter(m.ones(2))
            p.grad = m.tensor([value, 1.0])
            return m.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
        err = same_error(run)
        assert str(err).startswith("The total norm of order 2.0 for gradients from `parameters` is non-finite")


def test_clip_grad_norm_does_not_record_history():
    p = ember.nn.Parameter(ember.ones(3))
    p.grad = ember.full((3,), 4.0)
    total = ember.nn.utils.clip_grad_norm_([p], 1.0)
    assert total.grad_fn is None and not total.requires_grad
    assert p.grad.grad_fn is None


def test_clip_grad_norm_deprecated_name():
    with pytest.warns(FutureWarning):
        compare(lambda m, ps: m.nn.utils.clip_grad_norm(ps, 0.3))


@pytest.mark.parametrize("clip_value", [0.1, 1, 10.0])
@pytest.mark.parametrize("foreach", [None, True])
def test_clip_grad_value(clip_value, foreach):
    compare(lambda m, ps: m.nn.utils.clip_grad_value_(ps, clip_value, foreach=foreach), scale=3.0)
    compare(lambda m, ps: m.nn.utils.clip_grad_value_(ps[0], clip_value), scale=3.0)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_get_total_norm(norm_type):
    grads = [randn(3, 4), randn(7), randn()]
    assert_close(ember.nn.utils.get_total_norm([ember.from_numpy(g) for g in grads], norm_type),
                 torch.nn.utils.get_total_norm([torch.from_numpy(g) for g in grads], norm_type))
    assert_close(ember.nn.utils.get_total_norm(ember.from_numpy(grads[0]), norm_type),
                 torch.nn.utils.get_total_norm(torch.from_numpy(grads[0]), norm_type))
    assert_close(ember.nn.utils.get_total_norm([]), torch.nn.utils.get_total_norm([]))
    same_error(lambda m: m.nn.utils.get_total_norm([m.tensor([math.nan])], error_if_nonfinite=True))


def test_clip_grads_with_norm():
    def run(m, ps):
        total = m.nn.utils.get_total_norm([p.grad for p in ps])
        return m.nn.utils.clip_grads_with_norm_(ps, 0.25, total)
    compare(run)
    compare(lambda m, ps: m.nn.utils.clip_grads_with_norm_(ps[0], 1.0, m.tensor(0.5)))   # coefficient capped at 1


def test_parameters_to_vector_and_back():
    shapes = [(3, 4), (5,), (), (2, 0, 3), (1, 2)]
    arrays = [randn(*s).astype(np.float32) for s in shapes]
    e_params = [ember.nn.Parameter(ember.from_numpy(a.copy())) for a in arrays]
    t_params = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in arrays]
    e_vec, t_vec = ember.nn.utils.parameters_to_vector(e_params), torch.nn.utils.parameters_to_vector(t_params)
    assert_close(e_vec, t_vec)
    assert e_vec.requires_grad and e_vec.grad_fn is not None             # differentiable, as torch
    (e_vec * 2).sum().backward()
    assert all(np.all(p.grad._data == 2) for p in e_params)
    new = randn(e_vec.numel()).astype(np.float32)
    ember.nn.utils.vector_to_parameters(ember.from_numpy(new.copy()), e_params)
    torch.nn.utils.vector_to_parameters(torch.from_numpy(new.copy()), t_params)
    for ep, tp in zip(e_params, t_params):
        assert_close(ep.detach(), tp.detach())
        assert type(ep) is ember.nn.Parameter and ep.requires_grad


def test_vector_to_parameters_errors():
    err = same_error(lambda m: m.nn.utils.vector_to_parameters([1.0, 2.0], [m.nn.Parameter(m.ones(2))]))
    assert str(err) == "expected torch.Tensor, but got: list"
    same_error(lambda m: m.nn.utils.parameters_to_vector([]))
    same_error(lambda m: m.nn.utils.parameters_to_vector([m.ones(3, 4).t()]))      # view(-1) needs contiguity


def test_hooks_removable_handle():
    from collections import OrderedDict

    from ember.nn.utils.hooks import RemovableHandle
    hooks, extra = OrderedDict(), OrderedDict()
    first = RemovableHandle(hooks, extra_dict=extra)
    hooks[first.id] = print
    extra[first.id] = True
    second = RemovableHandle(hooks)
    hooks[second.id] = len
    assert second.id == first.id + 1
    with first:
        assert list(hooks) == [first.id, second.id]
    assert list(hooks) == [second.id] and not extra
    second.remove()
    second.remove()
    assert not hooks
