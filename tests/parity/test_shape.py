"""Parity of the shape/view family: values, dtypes, gradients, memory sharing and errors."""

import warnings

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randint, randn, same_error, same_result, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember


def _root(array):
    while getattr(array, "base", None) is not None:      # through NumPy's stride-trick wrappers too
        array = array.base
    return array


def _shares(out, source):
    """Whether ``out`` (ember or torch) uses ``source``'s memory (empty views included)."""
    if torch is not None and isinstance(out, torch.Tensor):
        return out.untyped_storage().data_ptr() == source.untyped_storage().data_ptr()
    return _root(out._data) is _root(source._data)


def _outputs(result):
    if isinstance(result, (tuple, list)):
        return [t for r in result for t in _outputs(r)]
    return [result]


def _check_memory(fn, array, expect_view):
    """``fn``'s outputs share the input's memory in ember exactly when they do in torch (and as expected)."""
    for lib in (ember, torch):
        x = lib.from_numpy(array.copy())
        for out in _outputs(fn(lib, x)):
            assert _shares(out, x) == expect_view, f"{lib.__name__}: view={not expect_view} for {out.shape}"


# ----------------------------------------------------------------------------- views: values, grads, memory

VIEWS = {
    "view": (lambda m, x: x.view(4, -1), (2, 3, 4)),
    "view_size": (lambda m, x: x.view(m.Size([6, 4])), (2, 3, 4)),
    "view_as": (lambda m, x: x.view_as(m.zeros(6, 4)), (2, 3, 4)),
    "reshape": (lambda m, x: m.reshape(x, (3, -1)), (2, 3, 4)),
    "reshape_method": (lambda m, x: x.reshape(-1), (2, 3, 4)),
    "reshape_as": (lambda m, x: x.reshape_as(m.zeros(4, 6)), (2, 3, 4)),
    "flatten": (lambda m, x: m.flatten(x, 1), (2, 3, 4)),
    "flatten_neg": (lambda m, x: x.flatten(-3, -2), (2, 3, 4)),
    "flatten_same": (lambda m, x: x.flatten(1, 1), (2, 3, 4)),
    "unflatten": (lambda m, x: m.unflatten(x, -1, (2, -1)), (2, 3, 4)),
    "unflatten_method": (lambda m, x: x.unflatten(0, (1, 2)), (2, 3, 4)),
    "ravel": (lambda m, x: m.ravel(x), (2, 3, 4)),
    "expand": (lambda m, x: x.expand(2, -1, 4), (3, 1)),
    "expand_as": (lambda m, x: x.expand_as(m.zeros(5, 3, 4)), (3, 1)),
    "broadcast_to": (lambda m, x: m.broadcast_to(x, (2, 3, 4)), (3, 1)),
    "broadcast_tensors": (lambda m, x: m.broadcast_tensors(x, x.select(1, 0).unsqueeze(0)), (3, 1)),
    "permute": (lambda m, x: m.permute(x, (2, 0, 1)), (2, 3, 4)),
    "permute_method": (lambda m, x: x.permute(-1, 0, -2), (2, 3, 4)),
    "transpose": (lambda m, x: m.transpose(x, 0, -1), (2, 3, 4)),
    "swapaxes": (lambda m, x: m.swapaxes(x, 1, 2), (2, 3, 4)),
    "swapdims": (lambda m, x: x.swapdims(0, 1), (2, 3, 4)),
    "t": (lambda m, x: m.t(x), (3, 4)),
    "t_method_1d": (lambda m, x: x.t(), (4,)),
    "movedim": (lambda m, x: m.movedim(x, 0, -1), (2, 3, 4)),
    "movedim_tuple": (lambda m, x: m.movedim(x, (0, 1), (2, 0)), (2, 3, 4)),
    "moveaxis": (lambda m, x: x.moveaxis(-1, 0), (2, 3, 4)),
    "adjoint": (lambda m, x: m.adjoint(x), (2, 3, 4)),
    "T": (lambda m, x: x.T, (3, 4)),
    "mT": (lambda m, x: x.mT, (2, 3, 4)),
    "H": (lambda m, x: x.H, (3, 4)),
    "mH": (lambda m, x: x.mH, (2, 3, 4)),
    "squeeze": (lambda m, x: m.squeeze(x), (1, 3, 1, 4)),
    "squeeze_dim": (lambda m, x: x.squeeze(-2), (1, 3, 1, 4)),
    "squeeze_tuple": (lambda m, x: x.squeeze((0, 1)), (1, 3, 1, 4)),
    "unsqueeze": (lambda m, x: m.unsqueeze(x, -1), (3, 4)),
    "atleast_1d": (lambda m, x: m.atleast_1d(x), (3, 4)),
    "atleast_2d": (lambda m, x: m.atleast_2d(x), (4,)),
    "atleast_3d": (lambda m, x: m.atleast_3d(x), (3, 4)),
    "select": (lambda m, x: m.select(x, 1, -1), (2, 3, 4)),
    "narrow": (lambda m, x: m.narrow(x, -1, 1, 2), (2, 3, 4)),
    "narrow_negative_start": (lambda m, x: x.narrow(1, -2, 2), (2, 3, 4)),
    "unbind": (lambda m, x: m.unbind(x, 1), (2, 3, 4)),
    "chunk": (lambda m, x: m.chunk(x, 3, -1), (2, 3, 4)),
    "split": (lambda m, x: m.split(x, 3, 2), (2, 3, 4)),
    "split_sizes": (lambda m, x: x.split([1, 0, 3], dim=-1), (2, 3, 4)),
    "split_keywords": (lambda m, x: (x.split(split_size=2, dim=1), m.split(x, split_size_or_sections=[1, 1])),
                       (2, 3, 4)),
    "tensor_split": (lambda m, x: m.tensor_split(x, 3, dim=2), (2, 3, 4)),
    "tensor_split_indices": (lambda m, x: x.tensor_split([1, -1, 9], 2), (2, 3, 4)),
    "hsplit": (lambda m, x: m.hsplit(x, [1]), (2, 3, 4)),
    "vsplit": (lambda m, x: m.vsplit(x, 2), (2, 3, 4)),
    "dsplit": (lambda m, x: x.dsplit(2), (2, 3, 4)),
    "diagonal": (lambda m, x: m.diagonal(x), (3, 4)),
    "diagonal_offset": (lambda m, x: x.diagonal(-1, 2, 0), (3, 2, 4)),
    "diagonal_far": (lambda m, x: x.diagonal(7), (3, 4)),
    "unfold": (lambda m, x: x.unfold(-1, 2, 1), (2, 3, 4)),
    "unfold_step": (lambda m, x: x.unfold(1, 2, 2), (3, 5)),
    "as_strided": (lambda m, x: m.as_strided(x, (3, 3), (1, 2), 1), (3, 4)),
    "as_strided_method": (lambda m, x: x.as_strided((2, 2), (4, 1)), (3, 4)),
    "meshgrid": (lambda m, x: m.meshgrid(x, x.narrow(0, 0, 2), indexing="ij"), (3,)),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_values_gradients_and_memory(name):
    fn, shape = VIEWS[name]
    x = randn(*shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        parity(fn, x)
        _check_memory(fn, x, expect_view=True)


NONCONTIGUOUS_VIEWS = ["reshape", "flatten", "permute", "transpose", "select", "narrow", "unbind", "split",
                       "diagonal", "unfold", "as_strided", "expand", "squeeze_dim", "unsqueeze", "movedim",
                       "chunk", "tensor_split_indices", "T", "ravel", "unflatten"]


@pytest.mark.parametrize("name", NONCONTIGUOUS_VIEWS)
def test_views_of_noncontiguous_input(name):
    fn, shape = VIEWS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        parity(fn, noncontiguous(randn(*shape)))


def test_reshape_views_exactly_when_torch_does():
    x = randn(3, 4)
    _check_memory(lambda m, a: a.t().reshape(12), x, expect_view=False)
    _check_memory(lambda m, a: a.t().reshape(4, 3, 1), x, expect_view=True)
    _check_memory(lambda m, a: a.t().flatten(), x, expect_view=False)
    _check_memory(lambda m, a: a.t().ravel(), x, expect_view=False)
    _check_memory(lambda m, a: a.narrow(1, 0, 2).reshape(3, 2, 1), x, expect_view=True)
    _check_memory(lambda m, a: a.narrow(1, 0, 2).reshape(6), x, expect_view=False)
    _check_memory(lambda m, a: m.atleast_3d(a.narrow(0, 0, 1)), x, expect_view=True)


def test_flatten_with_one_dim_returns_input_itself():
    x = ember.zeros(2, 3)
    assert x.flatten(1, -1) is x
    assert ember.atleast_1d(x) is x and ember.atleast_2d(x) is x


def test_view_raises_when_memory_layout_forbids_it():
    x = randn(3, 4)
    same_error(lambda m, a: a.t().view(12), x, match="view size is not compatible")
    same_error(lambda m, a: a.t().view(2, 6), x)
    same_error(lambda m, a: a.narrow(1, 0, 2).view(-1), x)
    same_error(lambda m, a: m.unflatten(a.t(), 1, (3, 1)).view(-1), x)
    parity(lambda m, a: a.t().view(4, 1, 3), x)   # adding size-1 dims is always possible


def test_view_dtype():
    a = randn(3, 4, dtype=np.float32)
    parity(lambda m, x: x.view(m.int32), a, grad=False)
    parity(lambda m, x: x.view(m.int16), a, grad=False)
    parity(lambda m, x: x.view(dtype=m.uint8), a, grad=False)
    parity(lambda m, x: x.view(m.float64), randn(3, 4, dtype=np.float32), grad=False)
    parity(lambda m, x: x.view(m.float32), randn(0, 2, dtype=np.float32), grad=False)
    parity(lambda m, x: x.view(m.bool), randint(0, 2, 5, dtype=np.uint8), grad=False)
    _check_memory(lambda m, x: x.view(m.int32), a, expect_view=True)
    e = ember.ones(3, requires_grad=True)
    assert not e.view(ember.float32).requires_grad
    same_error(lambda m, x: x.view(m.float64), randn(3, 3, dtype=np.float32))
    same_error(lambda m, x: x.t().view(m.int16), a)
    same_error(lambda m, x: x.view(m.int16), randn(dtype=np.float32))
    same_error(lambda m, x: x.narrow(1, 1, 2).view(m.float64), a)


# ----------------------------------------------------------------------------- 0-dim and zero-size tensors

ZERO_DIM = {
    "view": lambda m, x: x.view(1, 1),
    "view_empty_shape": lambda m, x: x.view(()),
    "reshape": lambda m, x: x.reshape(-1),
    "flatten": lambda m, x: m.flatten(x),
    "ravel": lambda m, x: x.ravel(),
    "expand": lambda m, x: x.expand(2, 3),
    "unsqueeze": lambda m, x: x.unsqueeze(-1),
    "squeeze": lambda m, x: x.squeeze(0),
    "transpose": lambda m, x: x.transpose(0, -1),
    "t": lambda m, x: x.t(),
    "permute": lambda m, x: x.permute(()),
    "movedim": lambda m, x: m.movedim(x, 0, 0),
    "atleast": lambda m, x: (m.atleast_1d(x), m.atleast_2d(x), m.atleast_3d(x)),
    "flip": lambda m, x: m.flip(x, (0,)),
    "roll": lambda m, x: m.roll(x, 3),
    "repeat": lambda m, x: x.repeat(2, 3),
    "tile": lambda m, x: m.tile(x, (2,)),
    "repeat_interleave": lambda m, x: m.repeat_interleave(x, 3),
    "unfold": lambda m, x: (x.unfold(0, 1, 1), x.unfold(-1, 0, 2)),
    "as_strided": lambda m, x: m.as_strided(x, (2,), (0,)),
    "stack": lambda m, x: m.stack([x, x * 2], dim=-1),
    "hstack": lambda m, x: m.hstack([x, x]),
    "vstack": lambda m, x: m.vstack([x, x]),
    "dstack": lambda m, x: m.dstack([x, x]),
    "column_stack": lambda m, x: m.column_stack([x, x]),
    "meshgrid": lambda m, x: m.meshgrid(x, x, indexing="xy"),
    "broadcast_tensors": lambda m, x: m.broadcast_tensors(x, m.ones(2, dtype=x.dtype)),
}


@pytest.mark.parametrize("name", sorted(ZERO_DIM))
def test_zero_dim_input(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        parity(ZERO_DIM[name], randn())


ZERO_SIZE = {
    "view": (lambda m, x: x.view(3, 0), (0, 3)),
    "reshape": (lambda m, x: x.reshape(0, 3, 1), (0, 3)),
    "flatten": (lambda m, x: x.flatten(), (2, 0, 3)),
    "expand": (lambda m, x: x.expand(0, 3), (1, 3)),
    "permute": (lambda m, x: x.permute(1, 0), (0, 3)),
    "select": (lambda m, x: x.select(1, 2), (0, 3)),
    "split": (lambda m, x: m.split(x, 2), (0, 3)),
    "split_zero": (lambda m, x: m.split(x, 0), (0, 3)),
    "chunk": (lambda m, x: m.chunk(x, 3), (0, 3)),
    "tensor_split": (lambda m, x: m.tensor_split(x, 2), (0, 3)),
    "unbind": (lambda m, x: m.unbind(x, 1), (0, 3)),
    "narrow": (lambda m, x: x.narrow(1, 3, 0), (2, 3)),
    "diagonal": (lambda m, x: m.diagonal(x), (0, 3)),
    "unfold": (lambda m, x: x.unfold(1, 1, 1), (0, 3)),
    "unfold_empty_window": (lambda m, x: x.unfold(0, 0, 1), (0, 3)),
    "as_strided": (lambda m, x: m.as_strided(x, (0, 3), (100, 100), 12), (3, 4)),
    "repeat": (lambda m, x: x.repeat(0, 2), (2, 3)),
    "repeat_interleave": (lambda m, x: x.repeat_interleave(2, 0), (0, 3)),
    "flip": (lambda m, x: m.flip(x, (0, 1)), (0, 3)),
    "roll": (lambda m, x: m.roll(x, 1, 0), (0, 3)),
    "rot90": (lambda m, x: m.rot90(x), (0, 3)),
    "cat": (lambda m, x: m.cat([x, x], 1), (0, 3)),
    "stack": (lambda m, x: m.stack([x, x]), (0,)),
    "diag": (lambda m, x: m.diag(x), (0,)),
    "diag_embed": (lambda m, x: m.diag_embed(x, 1), (2, 0)),
    "tril": (lambda m, x: m.tril(x), (0, 3)),
    "meshgrid": (lambda m, x: m.meshgrid(x, m.ones(2, dtype=x.dtype), indexing="ij"), (0,)),
}


@pytest.mark.parametrize("name", sorted(ZERO_SIZE))
def test_zero_size_input(name):
    fn, shape = ZERO_SIZE[name]
    parity(fn, randn(*shape))


# ----------------------------------------------------------------------------- copies: values, grads, memory

COPIES = {
    "repeat": (lambda m, x: x.repeat(2, 1, 3), (3, 2)),
    "tile": (lambda m, x: m.tile(x, (2,)), (3, 2)),
    "tile_method": (lambda m, x: x.tile(2, 1, 1), (3, 2)),
    "repeat_interleave": (lambda m, x: m.repeat_interleave(x, 2), (3, 2)),
    "repeat_interleave_dim": (lambda m, x: x.repeat_interleave(3, dim=-1), (3, 2)),
    "repeat_interleave_tensor": (lambda m, x: m.repeat_interleave(x, m.tensor([2, 0, 1]), dim=0), (3, 2)),
    "repeat_interleave_one_count": (lambda m, x: m.repeat_interleave(x, m.tensor([2]), dim=1), (3, 2)),
    "repeat_interleave_output_size": (lambda m, x: m.repeat_interleave(x, m.tensor([1, 2, 1]), 0,
                                                                       output_size=4), (3, 2)),
    "flip": (lambda m, x: m.flip(x, (0, -1)), (2, 3, 4)),
    "flip_method": (lambda m, x: x.flip(1), (2, 3, 4)),
    "flip_none": (lambda m, x: m.flip(x, ()), (2, 3)),
    "fliplr": (lambda m, x: m.fliplr(x), (2, 3, 4)),
    "flipud": (lambda m, x: x.flipud(), (3,)),
    "roll": (lambda m, x: m.roll(x, 2), (3, 4)),
    "roll_dims": (lambda m, x: x.roll((1, -5), (0, -1)), (3, 4)),
    "roll_repeated_dim": (lambda m, x: m.roll(x, (1, 1), (1, 1)), (3, 4)),
    "rot90": (lambda m, x: m.rot90(x), (3, 4)),
    "rot90_k2": (lambda m, x: x.rot90(2, (1, 2)), (2, 3, 4)),
    "rot90_k3": (lambda m, x: m.rot90(x, 3, (-1, 0)), (2, 3, 4)),
    "rot90_negative": (lambda m, x: m.rot90(x, -1), (3, 4)),
    "rot90_k0": (lambda m, x: m.rot90(x, 4), (3, 4)),
    "cat": (lambda m, x: m.cat([x, x * 2, x], 1), (2, 3)),
    "concat": (lambda m, x: m.concat((x, x), dim=-1), (2, 3)),
    "concatenate": (lambda m, x: m.concatenate([x, x.narrow(0, 0, 1)], 0), (2, 3)),
    "stack": (lambda m, x: m.stack([x, x * 2]), (2, 3)),
    "stack_last": (lambda m, x: m.stack((x, x), dim=-1), (2, 3)),
    "hstack": (lambda m, x: m.hstack([x, x]), (2, 3)),
    "hstack_1d": (lambda m, x: m.hstack([x, x]), (3,)),
    "vstack": (lambda m, x: m.vstack([x, x]), (3,)),
    "row_stack": (lambda m, x: m.row_stack([x, x]), (2, 3)),
    "dstack": (lambda m, x: m.dstack([x, x]), (2, 3)),
    "column_stack": (lambda m, x: m.column_stack([x, x.sum(1), x.narrow(1, 0, 1)]), (2, 3)),
    "diag_vector": (lambda m, x: m.diag(x), (3,)),
    "diag_vector_offset": (lambda m, x: m.diag(x, -2), (3,)),
    "diag_matrix": (lambda m, x: m.diag(x, 1), (3, 4)),
    "diag_matrix_method": (lambda m, x: x.diag(-1), (3, 4)),
    "diag_embed": (lambda m, x: m.diag_embed(x), (2, 3)),
    "diag_embed_dims": (lambda m, x: x.diag_embed(-1, 0, 2), (2, 3)),
    "tril": (lambda m, x: m.tril(x), (3, 4)),
    "tril_batched": (lambda m, x: x.tril(-1), (2, 3, 4)),
    "triu": (lambda m, x: m.triu(x, 1), (3, 4)),
    "triu_batched": (lambda m, x: x.triu(-2), (2, 4, 3)),
}


@pytest.mark.parametrize("name", sorted(COPIES))
def test_copy_values_gradients_and_memory(name):
    fn, shape = COPIES[name]
    x = randn(*shape)
    parity(fn, x)
    parity(fn, noncontiguous(x))
    _check_memory(fn, x, expect_view=False)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, np.bool_, np.float16, np.float32])
def test_integer_bool_and_low_precision_dtypes(dtype):
    x = randint(0, 3, 3, 4).astype(dtype)
    parity(lambda m, a: (a.flip(0), a.roll(1), a.repeat(2, 1), a.repeat_interleave(2), a.tril(), a.triu(1),
                         a.diagonal(), m.diag(a), a.diag_embed(), a.unfold(1, 2, 1), a.T, a.view(2, 6),
                         m.cat([a, a]), m.stack([a, a]), m.rot90(a), a.as_strided((2, 2), (1, 1)),
                         m.meshgrid(a.select(0, 0), a.select(1, 0), indexing="xy")), x, grad=False)


# ----------------------------------------------------------------------------- cat and stack rules

@pytest.mark.parametrize("left,right", [(np.int32, np.float64), (np.uint8, np.int8), (np.bool_, np.int16),
                                        (np.float16, np.float32), (np.bool_, np.bool_), (np.int64, np.float16)])
def test_cat_and_stack_promote_like_torch(left, right):
    a, b = randint(0, 3, 2, 3).astype(left), randint(0, 3, 2, 3).astype(right)
    parity(lambda m, x, y: (m.cat([x, y], 1), m.stack([x, y]), m.hstack([x, y]), m.vstack([y, x])), a, b)


def test_cat_skips_legacy_empty_1d_tensors():
    empty = np.zeros(0)
    parity(lambda m, x, e: m.cat([x, e, x], 1), randn(2, 3), empty)
    parity(lambda m, e, x: m.cat([e, x], -1), empty, randn(2, 3))
    parity(lambda m, e: m.cat([e, e], dim=5), empty)
    parity(lambda m, x, e: m.cat([x, e]), randint(0, 3, 2, 3, dtype=np.int32), empty.astype(np.float32))
    same_error(lambda m, x, e, y: m.cat([x, e, y], 1), randn(2, 3), empty, randn(3, 2),
               match="Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for "
                     "tensor number 2 in the list.")


def test_cat_error_messages():
    same_error(lambda m, x, y: m.cat([x, y], 1), randn(2, 3), randn(3, 2),
               match="Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for "
                     "tensor number 1 in the list.")
    same_error(lambda m, x, y: m.cat([x, y], dim=1), randn(3, 2), randn(2, 2),
               match="Sizes of tensors must match except in dimension 1. Expected size 3 but got size 2 for "
                     "tensor number 1 in the list.")
    same_error(lambda m, x, y: m.cat([x, y]), randn(2, 3), randn(2, 3, 1),
               match="Tensors must have same number of dimensions: got 2 and 3")
    same_error(lambda m, x: m.cat([x, x]), randn(), match=r"zero-dimensional tensor \(at position 0\)")
    same_error(lambda m: m.cat([]), match="expected a non-empty list of Tensors")
    same_error(lambda m, x: m.cat([x, 3]), randn(2), match="expected Tensor as element 1")
    same_error(lambda m, x: m.cat(x), randn(2, 3))
    same_error(lambda m, x: m.cat([x, x], 2), randn(2, 3))


def test_cat_out_argument():
    x = randn(2, 3)
    parity(lambda m, a: m.cat([a, a], out=m.empty(0, dtype=m.float64)), x, grad=False)
    parity(lambda m, a: m.stack([a, a], out=m.zeros(2, 2, 3, dtype=m.float32)), x, grad=False)
    parity(lambda m, a: m.tril(a, out=m.empty(0, dtype=m.float64)), x, grad=False)
    out = ember.empty(0)
    result = ember.cat([ember.ones(2), ember.ones(1)], out=out)
    assert result is out and out.tolist() == [1.0, 1.0, 1.0]
    with pytest.warns(UserWarning, match="resized"):
        ember.cat([ember.ones(2), ember.ones(2)], out=ember.empty(5))
    same_error(lambda m, a: m.cat([a, a], out=m.empty(6, dtype=m.int32)), randn(3, dtype=np.float32))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        ember.cat([ember.ones(2, requires_grad=True)], out=ember.empty(2))


# ----------------------------------------------------------------------------- T, mT, H, mH

def test_transpose_properties_warn_and_fail_like_torch():
    with pytest.warns(UserWarning, match="other than 2"):
        parity(lambda m, x: x.T, randn(2, 3, 4))
    with pytest.warns(UserWarning, match="0-D"):
        parity(lambda m, x: (x.T, x.mT, x.H, x.mH), randn())
    with pytest.warns(UserWarning, match="other than 2"):
        assert ember.zeros(3).T.shape == (3,)
    for fn in (lambda m, x: x.mT, lambda m, x: x.H, lambda m, x: x.mH, lambda m, x: m.adjoint(x)):
        same_error(fn, randn(3))
    same_error(lambda m, x: x.H, randn(2, 3, 4), match="consider using tensor.mH")
    same_error(lambda m, x: x.t(), randn(2, 3, 4), match=r"t\(\) expects a tensor with <= 2 dimensions")
    assert isinstance(vars(ember.Tensor)["mT"], property) and isinstance(vars(ember.Tensor)["T"], property)


def test_meshgrid_indexing():
    a, b, c = randn(3), randn(2), randn(4)
    parity(lambda m, x, y, z: m.meshgrid(x, y, z, indexing="xy"), a, b, c)
    parity(lambda m, x, y: m.meshgrid([x, y], indexing="ij"), a, b)
    parity(lambda m, x: m.meshgrid(x, indexing="xy"), a)
    with pytest.warns(UserWarning, match="indexing argument"):
        parity(lambda m, x, y: m.meshgrid(x, y), a, b)


# ----------------------------------------------------------------------------- errors

ERRORS = [
    (lambda m, x: x.view(5, -1), (3, 4)),
    (lambda m, x: x.view(-1, -1), (3, 4)),
    (lambda m, x: x.view(-1, 0), (0, 3)),
    (lambda m, x: x.view(-1, 0), (3, 4)),
    (lambda m, x: x.reshape(0, -1, 3), (0, 3)),
    (lambda m, x: x.expand(2, -1, 3, 4), (3, 1)),
    (lambda m, x: x.view(2.0, 6), (3, 4)),
    (lambda m, x: x.reshape(5, 5), (3, 4)),
    (lambda m, x: m.flatten(x, 1, 0), (3, 4)),
    (lambda m, x: m.flatten(x, 2), (3, 4)),
    (lambda m, x: m.unflatten(x, 1, (3, -1)), (3, 4)),
    (lambda m, x: m.unflatten(x, 1, ()), (3, 4)),
    (lambda m, x: m.unflatten(x, 1, (-1, -1)), (3, 4)),
    (lambda m, x: m.unflatten(x, 0, (1,)), ()),
    (lambda m, x: x.expand(4), (3, 4)),
    (lambda m, x: x.expand(2, 3), (3, 4)),
    (lambda m, x: x.expand(-1, 3, 4), (3, 4)),
    (lambda m, x: x.expand(-2, 4), (1, 4)),
    (lambda m, x: m.broadcast_to(x, (3, 5)), (3, 4)),
    (lambda m, x: m.broadcast_tensors(x, x.t()), (3, 4)),
    (lambda m, x: x.permute(0), (3, 4)),
    (lambda m, x: x.permute(0, 0), (3, 4)),
    (lambda m, x: x.permute(0, 2), (3, 4)),
    (lambda m, x: m.transpose(x, 0, 2), (3, 4)),
    (lambda m, x: m.transpose(x, 0, 1), ()),
    (lambda m, x: m.movedim(x, (0, 1), (2,)), (2, 3, 4)),
    (lambda m, x: m.movedim(x, (0, 0), (2, 1)), (2, 3, 4)),
    (lambda m, x: m.movedim(x, (0, 1), (2, 2)), (2, 3, 4)),
    (lambda m, x: m.movedim(x, 3, 0), (2, 3, 4)),
    (lambda m, x: x.squeeze(5), (3, 4)),
    (lambda m, x: x.squeeze((0, 0)), (1, 3)),
    (lambda m, x: x.unsqueeze(3), (3, 4)),
    (lambda m, x: x.select(0, 0), ()),
    (lambda m, x: x.select(1, 4), (3, 4)),
    (lambda m, x: x.select(2, 0), (3, 4)),
    (lambda m, x: m.narrow(x, 0, 0, 1), ()),
    (lambda m, x: m.narrow(x, 0, 4, 0), (3, 4)),
    (lambda m, x: m.narrow(x, 0, -4, 1), (3, 4)),
    (lambda m, x: m.narrow(x, 0, 2, 2), (3, 4)),
    (lambda m, x: m.narrow(x, 0, 0, -1), (3, 4)),
    (lambda m, x: m.narrow(x, 0, m.tensor([1]), 1), (3, 4)),
    (lambda m, x: m.unbind(x), ()),
    (lambda m, x: m.split(x, 1), ()),
    (lambda m, x: m.split(x, 0), (3, 4)),
    (lambda m, x: m.split(x, -1), (3, 4)),
    (lambda m, x: m.split(x, [1, 1]), (3, 4)),
    (lambda m, x: m.split(x, [-1, 4]), (3, 4)),
    (lambda m, x: m.split(x, [1]), ()),
    (lambda m, x: m.chunk(x, 0), (3, 4)),
    (lambda m, x: m.chunk(x, 2), ()),
    (lambda m, x: m.tensor_split(x, 0), (3, 4)),
    (lambda m, x: m.tensor_split(x, 2), ()),
    (lambda m, x: m.tensor_split(x, m.tensor([1.0])), (3, 4)),
    (lambda m, x: m.tensor_split(x, m.tensor([[1]])), (3, 4)),
    (lambda m, x: m.tensor_split(x, [1], dim=5), (3, 4)),
    (lambda m, x: m.hsplit(x, 3), (3, 4)),
    (lambda m, x: m.hsplit(x, 0), (3, 4)),
    (lambda m, x: m.hsplit(x, 2), ()),
    (lambda m, x: m.vsplit(x, 2), (4,)),
    (lambda m, x: m.dsplit(x, 2), (3, 4)),
    (lambda m, x: m.stack([]), None),
    (lambda m, x: m.stack([x, x.t()]), (3, 4)),
    (lambda m, x: m.stack([x, x], 3), (3, 4)),
    (lambda m, x: m.flip(x, (0, 0)), (3, 4)),
    (lambda m, x: m.flip(x, (0, -2)), (3, 4)),
    (lambda m, x: m.flip(x, 0), (3, 4)),
    (lambda m, x: m.flip(x, (2,)), (3, 4)),
    (lambda m, x: m.fliplr(x), (3,)),
    (lambda m, x: m.flipud(x), ()),
    (lambda m, x: m.roll(x, (1, 2)), (3, 4)),
    (lambda m, x: m.roll(x, (1, 2), (0,)), (3, 4)),
    (lambda m, x: m.roll(x, 1, (0, 1)), (3, 4)),
    (lambda m, x: m.roll(x, (), ()), (3, 4)),
    (lambda m, x: m.roll(x, 1, 0), ()),
    (lambda m, x: m.roll(x, 1, 2), (3, 4)),
    (lambda m, x: m.rot90(x, 1, (0,)), (3, 4)),
    (lambda m, x: m.rot90(x), (3,)),
    (lambda m, x: m.rot90(x, 1, (0, -2)), (3, 4)),
    (lambda m, x: m.rot90(x, 1, (0, 2)), (3, 4)),
    (lambda m, x: m.diagonal(x, 0, 0, -2), (3, 4)),
    (lambda m, x: m.diagonal(x), (3,)),
    (lambda m, x: m.diag_embed(x, 0, 0, 0), (2, 3)),
    (lambda m, x: m.diag_embed(x, 0, 0, 3), (2, 3)),
    (lambda m, x: m.diag_embed(x), ()),
    (lambda m, x: m.diag(x), ()),
    (lambda m, x: m.diag(x), (2, 2, 2)),
    (lambda m, x: m.tril(x), (3,)),
    (lambda m, x: m.triu(x), ()),
    (lambda m, x: m.meshgrid(x, x.view(2, 2), indexing="ij"), (4,)),
    (lambda m, x: m.meshgrid(x, x.float(), indexing="ij"), (4,)),
    (lambda m, x: m.meshgrid(x, indexing="foo"), (4,)),
    (lambda m, x: m.meshgrid(indexing="ij"), None),
    (lambda m, x: x.unfold(1, 5, 1), (3, 4)),
    (lambda m, x: x.unfold(1, 2, 0), (3, 4)),
    (lambda m, x: x.unfold(1, -1, 1), (3, 4)),
    (lambda m, x: x.unfold(0, 2, 1), ()),
    (lambda m, x: x.unfold(2, 1, 1), (3, 4)),
    (lambda m, x: m.as_strided(x, (3, 3), (4, 4), 1), (3, 4)),
    (lambda m, x: m.as_strided(x, (3, 3), (-1, 1)), (3, 4)),
    (lambda m, x: m.as_strided(x, (3, 3), (1,)), (3, 4)),
    (lambda m, x: m.as_strided(x, (3, 3), (1, 1), -1), (3, 4)),
    (lambda m, x: m.as_strided(x, (-1, 3), (1, 1)), (3, 4)),
    (lambda m, x: m.as_strided(x.narrow(0, 1, 2), (3, 4), (4, 1)), (3, 4)),
    (lambda m, x: x.repeat(2), (3, 4)),
    (lambda m, x: x.repeat(2, -1), (3, 4)),
    (lambda m, x: x.repeat(), (3, 4)),
    (lambda m, x: m.tile(x, (-1,)), (3, 4)),
    (lambda m, x: m.repeat_interleave(x, -1, dim=0), (3, 4)),
    (lambda m, x: m.repeat_interleave(x, m.tensor([1, 2]), dim=0), (3, 4)),
    (lambda m, x: m.repeat_interleave(x, m.tensor([1, -2, 0]), dim=0), (3, 4)),
    (lambda m, x: m.repeat_interleave(x, m.tensor([1.0, 2.0, 0.0]), dim=0), (3, 4)),
    (lambda m, x: m.repeat_interleave(x, m.tensor([True, False, True]), dim=0), (3, 4)),
    (lambda m, x: m.repeat_interleave(x, m.tensor([[1, 2, 0]]), dim=0), (3, 4)),
    (lambda m, x: m.repeat_interleave(x, m.tensor([1, 2, 0]), dim=0, output_size=5), (3, 4)),
    (lambda m, x: m.repeat_interleave(x, 2, dim=0, output_size=5), (3, 4)),
    (lambda m, x: m.repeat_interleave(x, 2, dim=2), (3, 4)),
    (lambda m, x: m.repeat_interleave(x, 2, dim=0), ()),
    (lambda m, x: m.repeat_interleave(x, [1, 2, 0], dim=0), (3, 4)),
    (lambda m, x: m.repeat_interleave(m.tensor([[1, 2]])), None),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_torch(case):
    fn, shape = ERRORS[case]
    if shape is None:
        same_error(lambda m: fn(m, None))
    else:
        same_error(fn, randn(*shape))


def test_expand_error_message_names_sizes():
    same_error(lambda m, x: x.expand(2, 3), randn(3, 4),
               match=r"The expanded size of the tensor \(3\) must match the existing size \(4\) at non-singleton "
                     r"dimension 1.  Target sizes: \[2, 3\].  Tensor sizes: \[3, 4\]")


def test_repeat_interleave_repeats_only_overload():
    parity(lambda m, r: m.repeat_interleave(r), np.array([1, 0, 3]), grad=False)
    parity(lambda m, x, r: m.repeat_interleave(x, r.int(), dim=1), randn(2, 3), np.array([1, 0, 3]))


def test_tensor_split_with_tensor_argument():
    parity(lambda m, x: m.tensor_split(x, m.tensor(2), 1), randn(3, 5))
    parity(lambda m, x: m.tensor_split(x, m.tensor([1, 4]), dim=-1), randn(3, 5))


def test_narrow_with_tensor_start():
    parity(lambda m, x: m.narrow(x, 1, m.tensor(1), 2), randn(3, 4))


# ----------------------------------------------------------------------------- in-place through views

INPLACE_VIEWS = {
    "transpose_select": lambda v: v.transpose(0, 1).select(0, 0),
    "select": lambda v: v.select(1, 2),
    "narrow": lambda v: v.narrow(0, 1, 2),
    "diagonal": lambda v: v.diagonal(),
    "view": lambda v: v.view(-1),
    "permute": lambda v: v.permute(1, 0),
    "unsqueeze": lambda v: v.unsqueeze(0),
    "unfold": lambda v: v.unfold(1, 2, 2),
    "as_strided": lambda v: v.as_strided((2, 2), (4, 1), 1),
    "movedim_diagonal": lambda v: v.movedim(0, 1).diagonal(1),
    "mT": lambda v: v.mT,
}


@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("name", sorted(INPLACE_VIEWS))
def test_inplace_through_view_updates_base_and_gradient(name, weighted):
    take = INPLACE_VIEWS[name]
    a_np, w_np = randn(3, 4), randn(3, 4)

    def run(m):
        a = m.tensor(a_np, requires_grad=True)
        b = a.clone()
        take(b).mul_(2)
        loss = (b * m.tensor(w_np)).sum() if weighted else b.sum()   # sum's gradient is a broadcast view
        loss.backward()
        return b.detach(), a.grad

    (eb, eg), (tb, tg) = run(ember), run(torch)
    np.testing.assert_allclose(eb.numpy(), tb.numpy())
    np.testing.assert_allclose(eg.numpy(), tg.numpy())


@pytest.mark.parametrize("piece", [lambda m, v: m.split(v, 2, 1)[1], lambda m, v: v.unbind(1)[0],
                                   lambda m, v: v.t().chunk(2)[0]])
def test_inplace_through_split_pieces(piece):
    # torch refuses in-place changes to outputs of multi-view functions when they require grad; ember allows
    # them and gets the gradient right: the same as torch's for doubling the piece out of place
    a_np, w_np = randn(3, 4), randn(3, 4)
    a = ember.tensor(a_np, requires_grad=True)
    b = a.clone()
    piece(ember, b).mul_(2)
    (b * ember.tensor(w_np)).sum().backward()
    ta = torch.tensor(a_np, requires_grad=True)
    doubled = torch.ones(3, 4, dtype=torch.float64)
    piece(torch, doubled).fill_(2.0)
    tb = ta * doubled
    (tb * torch.tensor(w_np)).sum().backward()
    np.testing.assert_allclose(b.detach().numpy(), tb.detach().numpy())
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy())


def test_inplace_view_of_leaf_requiring_grad_raises():
    a = ember.ones(3, 4, requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        a.t().select(0, 0).mul_(2)


def test_tril_triu_in_place():
    a = randn(3, 4)
    parity(lambda m, x: x.clone().tril_(), a)
    parity(lambda m, x: x.clone().triu_(-1), a)
    parity(lambda m, x: x.clone().t().tril_(1), a)
    b = ember.from_numpy(a.copy())
    assert b.triu_(1) is b and np.shares_memory(b._data, b.triu_(1)._data)
    np.testing.assert_array_equal(b.numpy(), np.triu(a, 1))


# ----------------------------------------------------------------------------- finite differences

GRADS = {
    "view_reshape": (lambda x: x.view(6, 2).reshape(3, 4).t().reshape(-1), (3, 4)),
    "flatten_unflatten": (lambda x: x.flatten().unflatten(0, (2, 6)), (3, 4)),
    "expand": (lambda x: x.unsqueeze(1).expand(3, 2, 4), (3, 4)),
    "broadcast_tensors": (lambda x: ember.broadcast_tensors(x, x.select(0, 1)), (3, 4)),
    "permute_movedim": (lambda x: x.permute(2, 0, 1).movedim(0, -1).mT, (2, 3, 2)),
    "squeeze": (lambda x: x.squeeze(1).unsqueeze(-1), (3, 1, 2)),
    "select_narrow": (lambda x: (x.select(0, 1), x.narrow(1, 1, 2)), (3, 4)),
    "splits": (lambda x: x.split([1, 3], 1) + x.chunk(2) + x.tensor_split(3, 1), (3, 4)),
    "unbind": (lambda x: x.unbind(1), (3, 4)),
    "diagonal": (lambda x: (x.diagonal(1), x.diagonal(-1, 1, 0)), (3, 4)),
    "unfold_overlapping": (lambda x: x.unfold(1, 3, 1), (2, 5)),
    "as_strided_overlapping": (lambda x: x.as_strided((3, 3), (1, 2), 1), (3, 4)),
    "repeat_tile": (lambda x: (x.repeat(2, 1, 3), x.tile((2,))), (3, 2)),
    "repeat_interleave": (lambda x: (x.repeat_interleave(2, 1), x.repeat_interleave(ember.tensor([1, 0, 3]), 0)),
                          (3, 2)),
    "flip_roll_rot90": (lambda x: (x.flip(0), ember.roll(x, (1, 2), (0, 1)), ember.roll(x, 5), x.rot90(3)), (3, 4)),
    "cat_stack": (lambda x: (ember.cat([x, x.t().t() * 2], 1), ember.stack([x, x], 1)), (3, 2)),
    "stacks": (lambda x: (ember.hstack([x, x]), ember.vstack([x, x]), ember.dstack([x, x]),
                          ember.column_stack([x.select(1, 0), x])), (3, 2)),
    "diag": (lambda x: (ember.diag(x.select(0, 0), 1), ember.diag(x, -1), ember.diag_embed(x, 1, 0, 2)), (2, 3)),
    "tril_triu": (lambda x: (x.tril(), x.triu(1)), (3, 4)),
    "meshgrid": (lambda x: ember.meshgrid(x.select(1, 0), x.select(1, 1), indexing="xy"), (3, 2)),
    "properties": (lambda x: (x.T, x.mT, x.H, x.mH), (3, 2)),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_finite_differences(name):
    fn, shape = GRADS[name]
    check_grad(fn, randn(*shape))


# ----------------------------------------------------------------------------- property-based round trips

@settings(max_examples=25, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4), data=st.data())
def test_reshape_permute_flatten_round_trips(shape, data):
    values = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    x, tx = ember.from_numpy(values.copy()), torch.from_numpy(values.copy())
    order = data.draw(st.permutations(range(len(shape))))
    back = tuple(int(i) for i in np.argsort(order))
    permuted = x.permute(order)
    np.testing.assert_array_equal(permuted.permute(back).numpy(), values)
    assert np.shares_memory(permuted._data, x._data) or x.numel() == 0
    flat, t_flat = permuted.reshape(-1), tx.permute(order).reshape(-1)
    np.testing.assert_array_equal(flat.numpy(), t_flat.numpy())
    if x.numel():
        assert np.shares_memory(flat._data, x._data) == (t_flat.data_ptr() == tx.data_ptr() or
                                                         t_flat._base is not None)
    np.testing.assert_array_equal(flat.reshape(permuted.shape).permute(back).numpy(), values)
    if len(shape) >= 1:
        start = data.draw(st.integers(-len(shape), len(shape) - 1))
        end = data.draw(st.integers(start % len(shape), len(shape) - 1))
        merged = x.flatten(start, end)
        assert merged.shape == tx.flatten(start, end).shape
        np.testing.assert_array_equal(merged.reshape(shape).numpy(), values)


def test_inplace_on_overlapping_view_raises():
    same_error(lambda m, x: x.expand(2, 3).add_(1), randn(1, 3), match="refers to a single memory location")
    same_error(lambda m, x: x.as_strided((2, 2), (0, 1)).mul_(2), randn(3, 3))
    same_error(lambda m, x: m.broadcast_to(x, (4,)).copy_(m.ones(4, dtype=x.dtype)), randn(1))


# ----------------------------------------------------------------------------- in-place metadata changes

INPLACE_METADATA = {
    "squeeze_": (lambda m, x: (x * 1).squeeze_(), (1, 3, 1)),
    "squeeze_dim": (lambda m, x: (x * 1).squeeze_(-1), (1, 3, 1)),
    "squeeze_tuple": (lambda m, x: (x * 1).squeeze_((0, 2)), (1, 3, 1)),
    "unsqueeze_": (lambda m, x: (x * 1).unsqueeze_(1), (2, 3)),
    "transpose_": (lambda m, x: (x * 1).transpose_(0, -1), (2, 3, 4)),
    "swapaxes_": (lambda m, x: (x * 1).swapaxes_(0, 1), (2, 3)),
    "swapdims_": (lambda m, x: (x * 1).swapdims_(1, 2), (2, 3, 4)),
    "t_": (lambda m, x: (x * 1).t_(), (2, 3)),
    "t_1d": (lambda m, x: (x * 1).t_(), (3,)),
    "as_strided_": (lambda m, x: (x * 1).as_strided_((2, 2), (1, 2), 1), (2, 3)),
    "torch.as_strided_": (lambda m, x: m.as_strided_(x * 1, (3,), (2,)), (2, 3)),
    "on_a_view": (lambda m, x: (x * 1)[1].unsqueeze_(0).t_(), (2, 3)),
    "chain": (lambda m, x: (x * 1).unsqueeze_(0).transpose_(0, 2).squeeze_(), (2, 3)),
}


@pytest.mark.parametrize("name", sorted(INPLACE_METADATA))
def test_inplace_metadata_values_and_gradients(name):
    fn, shape = INPLACE_METADATA[name]
    parity(fn, randn(*shape))
    if "as_strided" not in name:                    # torch's x * 1 keeps a transposed layout, ember's is C order
        parity(fn, noncontiguous(randn(*shape)))


def test_inplace_metadata_keeps_identity_memory_and_base():
    for lib in (ember, torch):
        x = lib.arange(6.0).reshape(2, 3)
        same = x.t_()
        assert same is x and x.shape == (3, 2) and x.stride() == (1, 3) and x._version == 1
        base = lib.arange(6.0).reshape(2, 3)
        row = base[1]
        row.unsqueeze_(0)
        base[1, 0] = 100.0
        assert row.shape == (1, 3) and row[0, 0].item() == 100.0


def test_inplace_metadata_through_a_view_reaches_the_base():
    def fn(m, x):
        y = x * 1
        row = y[0]
        row.unsqueeze_(0)
        row.mul_(2)
        return y
    parity(fn, randn(2, 3))


def test_inplace_metadata_errors():
    same_error(lambda m, x: x.requires_grad_().squeeze_(), randn(1, 2))
    same_error(lambda m, x: x.requires_grad_()[0].unsqueeze_(0), randn(2, 3))
    same_error(lambda m, x: x.t_(), randn(2, 3, 4))
    same_error(lambda m, x: x.transpose_(0, 5), randn(2, 3, 4))
    same_error(lambda m, x: x.squeeze_(3), randn(2, 3))
    same_error(lambda m, x: x.as_strided_((2, 2), (1, 2), 10), randn(2, 3))

    def saved_then_changed(m, x):
        y = x.requires_grad_() * 3
        z = y * y                                   # saves y
        y.unsqueeze_(0)
        z.sum().backward()
    same_error(saved_then_changed, randn(2, 1))


def test_inplace_metadata_on_a_leaf_without_grad_mode():
    for lib in (ember, torch):
        x = lib.ones(2, 1, requires_grad=True)
        with lib.no_grad():
            x.squeeze_()
        assert x.shape == (2,) and x.requires_grad and x.is_leaf


# ----------------------------------------------------------------------------- resize_ and resize_as_

def _check_resize(data, *shape):
    """``resize_`` gives the same shape, strides and defined elements in both libraries (new ones are unset)."""
    results = []
    for lib in (ember, torch):
        x = lib.tensor(data)
        if isinstance(data, np.ndarray) and data.ndim == 2 and not data.flags.c_contiguous:
            x = lib.tensor(np.ascontiguousarray(data.T)).t()
        old = x.numel()
        assert x.resize_(*shape) is x
        known = min(old, x.numel())
        results.append((tuple(x.shape), x.stride(), x.reshape(-1)[:known].tolist()))
    assert results[0] == results[1]


@pytest.mark.parametrize("shape", [(2, 2), (6,), (3, 3), (0,), (2, 3), (1, 1, 7)])
def test_resize(shape):
    _check_resize(randn(2, 3), *shape)
    _check_resize(noncontiguous(randn(3, 2)), shape)
    _check_resize(randint(0, 9, 5), list(shape))


def test_resize_shares_memory_and_counts_versions():
    for lib in (ember, torch):
        x = lib.arange(6.0)
        y = x[:4]
        y.resize_(2, 2)
        assert y._version == 1
        x[3] = 30.0
        assert y[1, 1].item() == 30.0
        same = lib.arange(4.0).reshape(2, 2).t()
        same.resize_(2, 2)                          # the same shape: nothing changes, strides included
        assert same.stride() == (1, 2) and same._version == 0


def test_resize_as():
    parity(lambda m, x: x.resize_as_(m.zeros(2, 2)), randn(6), grad=False)
    parity(lambda m, x: m.resize_as_(x, m.zeros(3)), randn(2, 3), grad=False)
    same_error(lambda m, x: x.resize_as_(3), randn(2))


def test_resize_errors():
    same_error(lambda m, x: x.requires_grad_().resize_(3, 2), randn(2, 3))
    same_error(lambda m, x: (x.requires_grad_() * 1).resize_(3), randn(2, 3))
    same_error(lambda m, x: x.resize_(-1), randn(2))
    with pytest.raises(RuntimeError, match="require grad"):
        with ember.no_grad():
            ember.ones(2, requires_grad=True).resize_(3)


# ----------------------------------------------------------------------------- split_with_sizes and the unsafe splits

SPLITS = {
    "split_with_sizes": (lambda m, x: m.split_with_sizes(x, [1, 0, 3], dim=-1), True),
    "split_with_sizes_method": (lambda m, x: x.split_with_sizes((2, 1), 1), True),
    "unsafe_split": (lambda m, x: m.unsafe_split(x, 3, 2), False),
    "unsafe_split_method": (lambda m, x: x.unsafe_split(1), False),
    "unsafe_chunk": (lambda m, x: m.unsafe_chunk(x, 3, -1), False),
    "unsafe_chunk_method": (lambda m, x: x.unsafe_chunk(2), False),
    "unsafe_split_with_sizes": (lambda m, x: m.unsafe_split_with_sizes(x, [3, 1], 2), False),
    "unsafe_split_with_sizes_method": (lambda m, x: x.unsafe_split_with_sizes([1, 2], dim=1), False),
}


@pytest.mark.parametrize("name", sorted(SPLITS))
def test_splits(name):
    fn, _ = SPLITS[name]
    parity(fn, randn(2, 3, 4))
    parity(fn, noncontiguous(randn(2, 3, 4)))
    _check_memory(fn, randn(2, 3, 4), expect_view=True)


@pytest.mark.parametrize("name", sorted(SPLITS))
def test_unsafe_pieces_are_not_autograd_views(name):
    fn, tracked = SPLITS[name]
    for lib in (ember, torch):
        x = lib.ones(2, 3, 4, requires_grad=True)
        piece = fn(lib, x * 1)[0]
        assert (piece._base is not None) == tracked


def test_unsafe_split_piece_changes_in_place():
    def fn(m, x):
        y = x * 1
        first = m.unsafe_split(y, 2)[0]
        first.mul_(3)                               # not tracked back into y, as in torch
        return first, y
    parity(fn, randn(4, 2))


def test_split_with_sizes_errors():
    same_error(lambda m, x: m.split_with_sizes(x, [1, 1]), randn(3))
    same_error(lambda m, x: m.split_with_sizes(x, [4, -1]), randn(3))
    same_error(lambda m, x: m.split_with_sizes(x, [3]), np.array(1.0))
    same_error(lambda m, x: m.unsafe_chunk(x, 0), randn(3))
    same_error(lambda m, x: m.unsafe_split(x, -1), randn(3))


# ----------------------------------------------------------------------------- *_copy

COPY_VARIANTS = {
    "view_copy": (lambda m, x: m.view_copy(x, (4, -1)), (2, 3, 4)),
    "view_copy_dtype": (lambda m, x: m.view_copy(x, m.int64), (2, 3)),
    "permute_copy": (lambda m, x: m.permute_copy(x, (2, 0, 1)), (2, 3, 4)),
    "expand_copy": (lambda m, x: m.expand_copy(x, (2, 3, 4)), (3, 1)),
    "squeeze_copy": (lambda m, x: m.squeeze_copy(x), (1, 3, 1)),
    "squeeze_copy_dim": (lambda m, x: m.squeeze_copy(x, 0), (1, 3, 1)),
    "unsqueeze_copy": (lambda m, x: m.unsqueeze_copy(x, 1), (2, 3)),
    "transpose_copy": (lambda m, x: m.transpose_copy(x, 0, 1), (2, 3)),
    "t_copy": (lambda m, x: m.t_copy(x), (2, 3)),
    "diagonal_copy": (lambda m, x: m.diagonal_copy(x, 1), (3, 4)),
    "select_copy": (lambda m, x: m.select_copy(x, 1, -1), (2, 3)),
    "slice_copy": (lambda m, x: m.slice_copy(x, 1, 1, None, 2), (2, 5)),
    "slice_copy_default": (lambda m, x: m.slice_copy(x), (2, 5)),
    "narrow_copy": (lambda m, x: m.narrow_copy(x, 0, 1, 1), (2, 3)),
    "narrow_copy_method": (lambda m, x: x.narrow_copy(1, 0, 2), (2, 3)),
    "unfold_copy": (lambda m, x: m.unfold_copy(x, 1, 2, 1), (2, 3)),
    "as_strided_copy": (lambda m, x: m.as_strided_copy(x, (2, 2), (1, 2)), (2, 3)),
    "alias_copy": (lambda m, x: m.alias_copy(x), (2, 3)),
    "detach_copy": (lambda m, x: m.detach_copy(x), (2, 3)),
    "split_copy": (lambda m, x: m.split_copy(x, 2, 1), (2, 3)),
    "split_with_sizes_copy": (lambda m, x: m.split_with_sizes_copy(x, [2, 1], 1), (2, 3)),
    "unbind_copy": (lambda m, x: m.unbind_copy(x, 1), (2, 3)),
}


@pytest.mark.parametrize("name", sorted(COPY_VARIANTS))
def test_copy_variants(name):
    fn, shape = COPY_VARIANTS[name]
    x = randn(*shape)
    no_grad = ("view_copy_dtype", "detach_copy")     # torch's detach_copy output requires grad but has no derivative
    parity(fn, x, grad=name not in no_grad)
    if len(shape) > 1 and not name.startswith(("as_strided", "view")):
        parity(fn, noncontiguous(x), grad=name not in no_grad)
    _check_memory(fn, x, expect_view=False)


def test_copy_variants_out_and_errors():
    parity(lambda m, x: m.t_copy(x, out=m.zeros(3, 2, dtype=x.dtype)), randn(2, 3), grad=False)
    same_error(lambda m, x: m.view_copy(x, (4, 4)), randn(2, 3))
    same_error(lambda m, x: m.slice_copy(x, 0, 0, 2, 0), randn(3))
    same_error(lambda m, x: m.select_copy(x, 0, 5), randn(3))


def test_stack_records_one_stack_node():
    """stack is one StackBackward0 node fed by its inputs directly (no unsqueeze nodes), as in PyTorch."""
    def graph(m):
        a, b = (m.from_numpy(randn(2, 3)).requires_grad_() for _ in range(2))
        node = m.stack([a, b], 1).grad_fn
        return node.name(), [type(n).__name__ for n, _ in node.next_functions]
    same_result(graph)
