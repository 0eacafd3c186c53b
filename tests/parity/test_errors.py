"""Bad input across the whole library: the exception type PyTorch raises, with a message naming the culprit.

Each row of the tables below is one bad call, written once as ``lambda m, *inputs: ...`` and run with
``m = torch`` and ``m = ember``. ``same_error`` checks that ember raises torch's exception type; a
row's ``match`` (a regex of the offending sizes or values) must be found in both messages, so ember
names what torch names. No row may let a NumPy exception (``AxisError``...) or NumPy's wording through.
"""

import re
import warnings

import numpy as np
import pytest
from helpers import same_error, same_result, torch

import ember

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def f(*shape):
    """A float64 array of ``shape`` with distinct values (1, 2, 3, ...)."""
    return np.arange(1, int(np.prod(shape)) + 1, dtype=np.float64).reshape(shape)


def f32(*shape):
    return f(*shape).astype(np.float32)


def i(*shape):
    """An int64 array of ``shape`` holding 0, 1, 2, ..."""
    return np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)


def b(*shape):
    """A bool array of ``shape`` (alternating True and False)."""
    return (np.arange(int(np.prod(shape))) % 2 == 0).reshape(shape)


def row(name, fn, *inputs, match=None):
    """One bad call: ``fn(m, *inputs)`` must raise torch's exception type in ember, with ``match`` in both messages."""
    return pytest.param(fn, inputs, match, id=name)


def leaf(m, *shape):
    """A float leaf tensor that requires grad."""
    return m.ones(*shape, dtype=m.float64, requires_grad=True)


# ============================================================================= elementwise

ELEMENTWISE = [
    row("add-broadcast", lambda m, x, y: x + y, f(2, 3), f(3, 2), match=r"a \(3\).*b \(2\).*dimension 1$"),
    row("mul-broadcast", lambda m, x, y: m.mul(x, y), f(4), f(3), match=r"\(4\).*\(3\).*dimension 0"),
    row("sub-broadcast-3d", lambda m, x, y: m.sub(x, y), f(2, 3, 4), f(5, 4), match=r"a \(3\).*b \(5\).*dimension 1$"),
    row("mul-broadcast-left-short", lambda m, x, y: x * y, f(3), f(2, 3, 4), match=r"a \(3\).*b \(4\).*dimension 2$"),
    row("div-broadcast", lambda m, x, y: x / y, f(2, 3), f(2), match=r"\(3\).*\(2\)"),
    row("maximum-broadcast", lambda m, x, y: m.maximum(x, y), f(3), f(4), match=r"\(3\).*\(4\)"),
    row("atan2-broadcast", lambda m, x, y: m.atan2(x, y), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("pow-broadcast", lambda m, x, y: m.pow(x, y), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("fmod-broadcast", lambda m, x, y: m.fmod(x, y), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("remainder-broadcast", lambda m, x, y: m.remainder(x, y), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("eq-broadcast", lambda m, x, y: m.eq(x, y), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("lt-broadcast", lambda m, x, y: x < y, f(3), f(2), match=r"\(3\).*\(2\)"),
    row("logical_and-broadcast", lambda m, x, y: m.logical_and(x, y), b(3), b(2), match=r"\(3\).*\(2\)"),
    row("bitwise_and-broadcast", lambda m, x, y: x & y, i(3), i(2), match=r"\(3\).*\(2\)"),
    row("hypot-broadcast", lambda m, x, y: m.hypot(x, y), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("xlogy-broadcast", lambda m, x, y: m.xlogy(x, y), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("lerp-broadcast", lambda m, x, y: m.lerp(x, y, 0.5), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("lerp-weight-broadcast", lambda m, x, y, w: m.lerp(x, y, w), f(3), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("addcmul-broadcast", lambda m, x, y, z: m.addcmul(x, y, z), f(3), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("addcdiv-broadcast", lambda m, x, y, z: m.addcdiv(x, y, z), f(3), f(2), f(2), match=r"\(3\).*\(2\)"),
    row("clamp-tensor-broadcast", lambda m, x, y: m.clamp(x, min=y), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("isclose-broadcast", lambda m, x, y: m.isclose(x, y), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("add_-broadcast-grows", lambda m, x, y: x.add_(y), f(3, 1), f(3, 4), match=r"\[3, 1\].*\[3, 4\]"),
    row("mul_-broadcast-grows", lambda m, x, y: x.mul_(y), f(4), f(2, 4), match=r"\[4\].*\[2, 4\]"),
    row("iadd-broadcast", lambda m, x, y: x.__iadd__(y), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("bool-sub", lambda m, x, y: x - y, b(2), b(2), match="Subtraction.*bool"),
    row("bool-rsub-scalar", lambda m, x: True - x, b(2), match="Subtraction.*bool"),
    row("bool-neg", lambda m, x: -x, b(2), match="Negation.*bool"),
    row("int-pow-negative", lambda m, x: x ** -1, i(3) + 1, match="negative integer powers"),
    row("int-add_-float", lambda m, x: x.add_(1.5), i(3), match="Float can't be cast.*Long"),
    row("int-mul_-float-tensor", lambda m, x, y: x.mul_(y), i(3), f(3), match="Double can't be cast.*Long"),
    row("int-div_", lambda m, x: x.div_(2), i(3), match="can't be cast.*Long"),
    row("int-sqrt_", lambda m, x: x.sqrt_(), i(3), match="can't be cast.*Long"),
    row("bool-add_-int", lambda m, x: x.add_(2), b(3), match="Long can't be cast.*Bool"),
    row("int8-add_-float", lambda m, x: x.add_(np.float64(1.5)), i(3).astype(np.int8),
        match="can't be cast.*Char"),
    row("bitwise_and-float", lambda m, x, y: m.bitwise_and(x, y), f(3), f(3), match="bitwise_and.*Double"),
    row("bitwise_or-float-int", lambda m, x, y: x | y, f(3), i(3), match="bitwise_or.*Double"),
    row("bitwise_xor-float", lambda m, x: x ^ 1, f(3), match="bitwise_xor.*Double"),
    row("invert-float", lambda m, x: ~x, f(3), match="integer and Boolean"),
    row("bitwise_not-float", lambda m, x: m.bitwise_not(x), f(3), match="bitwise_not.*Double"),
    row("lshift-float", lambda m, x: m.bitwise_left_shift(x, 1), f(3), match="Double"),
    row("and-float32", lambda m, x: x & x, f32(3), match="bitwise_and.*Float"),
    row("floor_divide-int-zero", lambda m, x: m.floor_divide(x, 0), i(3), match="ZeroDivisionError"),
    row("remainder-int-zero", lambda m, x: m.remainder(x, 0), i(3), match="ZeroDivisionError"),
    row("div-floor-int-zero", lambda m, x: m.div(x, 0, rounding_mode="floor"), i(3), match="ZeroDivisionError"),
    row("div-bad-rounding", lambda m, x: m.div(x, 2, rounding_mode="round"), f(3), match="round"),
    row("add-float-alpha-int", lambda m, x: m.add(x, x, alpha=1.5), i(3), match="alpha"),
    row("sub-float-alpha-int", lambda m, x: m.sub(x, 1, alpha=0.5), i(3), match="alpha"),
    row("add-string", lambda m, x: x + "a", f(3)),
    row("add-none", lambda m, x: x + None, f(3)),
    row("add-fn-string", lambda m, x: m.add(x, "a"), f(3)),
    row("exp-list", lambda m: m.exp([1.0, 2.0]), match="list"),
    row("exp-string", lambda m: m.exp("a"), match="str"),
    row("sin-none", lambda m: m.sin(None), match="NoneType"),
    row("abs-int", lambda m: m.abs(3), match="int"),
    row("clamp-no-bounds", lambda m, x: m.clamp(x), f(3), match="min.*max"),
    row("lerp-dtype", lambda m, x, y: m.lerp(x, y, 0.5), f(3), f32(3), match="double.*float|float.*double"),
    row("polygamma-negative", lambda m, x: m.polygamma(-1, x), f(3), match="negative n"),
    row("isclose-dtype", lambda m, x, y: m.isclose(x, y), f(3), f32(3), match="Double|Float"),
    row("isclose-negative-rtol", lambda m, x: m.isclose(x, x, rtol=-1.0), f(3), match="rtol"),
    row("where-cond-float", lambda m, c, x: m.where(c, x, x), f(3), f(3), match="bool"),
    row("where-broadcast", lambda m, c, x, y: m.where(c, x, y), b(3), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("where-cond-broadcast", lambda m, c, x: m.where(c, x, x), b(2), f(3), match=r"\(2\)|\(3\)"),
    row("nan_to_num-string", lambda m, x: m.nan_to_num(x, nan="a"), f(3)),
    row("float-power-int-inplace", lambda m, x: x.float_power_(2), f32(3), match="Double|double"),
    row("round-decimals-int", lambda m, x: m.round(x, decimals=1), i(3)),
    row("copysign_-int", lambda m, x: x.copysign_(x), i(3), match="can't be cast.*Long"),
]


# ============================================================================= reductions

REDUCTION = [
    row("sum-dim", lambda m, x: x.sum(2), f(2, 3), match=r"\[-2, 1\].*got 2"),
    row("sum-dim-negative", lambda m, x: m.sum(x, -3), f(2, 3), match=r"\[-2, 1\].*got -3"),
    row("sum-dims-repeated", lambda m, x: x.sum((0, 0)), f(2, 3), match="dim 0 appears multiple times"),
    row("sum-dims-repeated-negative", lambda m, x: x.sum((1, -1)), f(2, 3), match="dim 1 appears multiple times"),
    row("sum-dim-float", lambda m, x: x.sum(1.0), f(2, 3), match="float"),
    row("sum-dim-0d", lambda m, x: x.sum(1), f(), match=r"\[-1, 0\].*got 1"),
    row("mean-dim", lambda m, x: x.mean(2), f(2, 3), match=r"got 2"),
    row("mean-int", lambda m, x: x.mean(), i(3), match="Long"),
    row("nanmean-int", lambda m, x: m.nanmean(x), i(3), match="Long"),
    row("prod-dim", lambda m, x: x.prod(3), f(2, 3), match=r"got 3"),
    row("max-dim", lambda m, x: x.max(5), f(2, 3), match=r"got 5"),
    row("min-dim", lambda m, x: m.min(x, -4), f(2, 3), match=r"got -4"),
    row("max-empty", lambda m, x: x.max(), f(0, 3), match="numel\\(\\) == 0|reduction dim"),
    row("min-empty", lambda m, x: m.min(x), f(0), match="numel\\(\\) == 0|reduction dim"),
    row("max-dim-empty", lambda m, x: x.max(0), f(0, 3), match="dim 0"),
    row("amax-empty", lambda m, x: m.amax(x, 0), f(0, 3), match="dim 0"),
    row("amax-repeated", lambda m, x: m.amax(x, (0, -2)), f(2, 3), match="dim 0 appears multiple times"),
    row("amin-dim", lambda m, x: m.amin(x, 2), f(2, 3), match=r"got 2"),
    row("argmax-dim", lambda m, x: x.argmax(2), f(2, 3), match=r"got 2"),
    row("argmax-empty", lambda m, x: x.argmax(), f(0), match="argmax"),
    row("argmin-empty-dim", lambda m, x: m.argmin(x, 0), f(0, 2), match="argmin"),
    row("aminmax-empty", lambda m, x: m.aminmax(x), f(0), match="aminmax"),
    row("cumsum-dim", lambda m, x: x.cumsum(3), f(2, 3), match=r"got 3"),
    row("cumsum-no-dim", lambda m, x: m.cumsum(x), f(3), match="dim"),
    row("cumprod-dim", lambda m, x: m.cumprod(x, -3), f(2, 3), match=r"got -3"),
    row("cummax-dim", lambda m, x: m.cummax(x, 2), f(2, 3), match=r"got 2"),
    row("logcumsumexp-dim", lambda m, x: m.logcumsumexp(x, 2), f(2, 3), match=r"got 2"),
    row("logsumexp-dim", lambda m, x: m.logsumexp(x, 2), f(2, 3), match=r"got 2"),
    row("std-dim", lambda m, x: x.std(2), f(2, 3), match=r"got 2"),
    row("var-int", lambda m, x: m.var(x), i(3), match="floating point"),
    row("std-int", lambda m, x: x.std(), i(3), match="floating point"),
    row("var_mean-dim", lambda m, x: m.var_mean(x, 4), f(2, 3), match=r"got 4"),
    row("norm-dim", lambda m, x: x.norm(dim=2), f(2, 3), match=r"got 2"),
    row("norm-int", lambda m, x: x.norm(), i(3), match="Long"),
    row("all-dim", lambda m, x: x.all(2), b(2, 3), match=r"got 2"),
    row("any-dim", lambda m, x: m.any(x, -3), b(2, 3), match=r"got -3"),
    row("count_nonzero-dim", lambda m, x: m.count_nonzero(x, 2), f(2, 3), match=r"got 2"),
    row("median-dim", lambda m, x: x.median(2), f(2, 3), match=r"got 2"),
    row("median-dim-empty", lambda m, x: x.median(0), f(0, 3), match="dim 0"),
    row("nanmedian-dim", lambda m, x: m.nanmedian(x, 3), f(2, 3), match=r"got 3"),
    row("mode-dim", lambda m, x: m.mode(x, 2), f(2, 3), match=r"got 2"),
    row("diff-negative-n", lambda m, x: m.diff(x, n=-1), f(3), match="-1"),
    row("diff-dim", lambda m, x: m.diff(x, dim=2), f(2, 3), match=r"got 2"),
    row("diff-0d", lambda m, x: m.diff(x), f(), match="diff"),
    row("diff-prepend-shape", lambda m, x, p: m.diff(x, dim=1, prepend=p), f(2, 3), f(3, 1), match=r"2.*3|3.*2"),
    row("sum_to_size-bad", lambda m, x: x.sum_to_size(3, 3), f(2, 3), match=r"\[3, 3\].*\[2, 3\]"),
    row("sum-string", lambda m: m.sum("abc")),
    row("softmax-dim", lambda m, x: m.softmax(x, 2), f(2, 3), match=r"got 2"),
    row("log_softmax-dim", lambda m, x: x.log_softmax(-3), f(2, 3), match=r"got -3"),
    row("softmax-int", lambda m, x: m.softmax(x, 0), i(3), match="Long"),
    row("softmax-str", lambda m: m.softmax("abc", 0), match="str"),
    row("softmax-float-dim", lambda m, x: m.softmax(x, 0.5), f(3), match="float"),
]


# ============================================================================= shape and views

SHAPE = [
    row("view-numel", lambda m, x: x.view(4, 4), f(3, 4), match=r"\[4, 4\].*size 12"),
    row("view-two-minus-ones", lambda m, x: x.view(-1, -1), f(3, 4), match="only one dimension can be inferred"),
    row("view-bad-minus-one", lambda m, x: x.view(-1, 5), f(3, 4), match=r"\[-1, 5\].*size 12"),
    row("view-minus-two", lambda m, x: x.view(-2, 6), f(3, 4), match="-2"),
    row("view-noncontiguous", lambda m, x: x.t().view(12), f(3, 4), match="view size is not compatible"),
    row("view-float-size", lambda m, x: x.view(2.0, 6), f(3, 4), match="float"),
    row("view-as", lambda m, x, y: x.view_as(y), f(3, 4), f(5), match=r"\[5\].*size 12"),
    row("reshape-numel", lambda m, x: x.reshape(5), f(3, 4), match=r"\[5\].*size 12"),
    row("reshape-bad-minus-one", lambda m, x: m.reshape(x, (-1, 7)), f(3, 4), match=r"\[-1, 7\].*size 12"),
    row("reshape-minus-one-zero", lambda m, x: x.reshape(0, -1), f(3, 4), match=r"\[0, -1\].*size 12"),
    row("reshape-as", lambda m, x, y: x.reshape_as(y), f(3, 4), f(5), match=r"\[5\].*size 12"),
    row("reshape-string", lambda m, x: x.reshape("a"), f(3, 4)),
    row("expand-mismatch", lambda m, x: x.expand(2, 4), f(3), match=r"\(4\).*\(3\).*dimension 1"),
    row("expand-fewer-dims", lambda m, x: x.expand(3), f(2, 3), match=r"\(1\).*\(2\)"),
    row("expand-new-minus-one", lambda m, x: x.expand(-1, 3), f(3), match="-1"),
    row("expand-as", lambda m, x, y: x.expand_as(y), f(3), f(2, 4), match=r"\(4\).*\(3\)"),
    row("broadcast_to-mismatch", lambda m, x: m.broadcast_to(x, (2, 4)), f(3), match=r"\(4\).*\(3\)"),
    row("broadcast_tensors-mismatch", lambda m, x, y: m.broadcast_tensors(x, y), f(3), f(4), match=r"\(3\).*\(4\)"),
    row("broadcast_shapes-mismatch", lambda m: m.broadcast_shapes((3,), (4,)), match=r"4"),
    row("permute-count", lambda m, x: x.permute(0, 1, 2), f(2, 3), match=r"2.*3"),
    row("permute-repeated", lambda m, x: x.permute(0, 0), f(2, 3), match="duplicate dims"),
    row("permute-range", lambda m, x: m.permute(x, (0, 2)), f(2, 3), match=r"got 2"),
    row("transpose-dim", lambda m, x: x.transpose(0, 2), f(2, 3), match=r"got 2"),
    row("transpose_-dim", lambda m, x: x.transpose_(-3, 0), f(2, 3), match=r"got -3"),
    row("swapaxes-dim", lambda m, x: m.swapaxes(x, 0, 5), f(2, 3), match=r"got 5"),
    row("t-3d", lambda m, x: x.t(), f(2, 3, 4), match="3D"),
    row("mT-1d", lambda m, x: x.mT, f(3), match="1-D"),
    row("movedim-range", lambda m, x: m.movedim(x, 0, 2), f(2, 3), match=r"got 2"),
    row("movedim-repeated", lambda m, x: m.movedim(x, (0, 0), (0, 1)), f(2, 3), match="repeated dim"),
    row("movedim-length", lambda m, x: m.movedim(x, (0, 1), (0,)), f(2, 3), match=r"\[0, 1\].*\[0\]"),
    row("moveaxis-range", lambda m, x: x.moveaxis(-3, 0), f(2, 3), match=r"got -3"),
    row("unsqueeze-dim", lambda m, x: x.unsqueeze(3), f(2, 3), match=r"\[-3, 2\].*got 3"),
    row("unsqueeze-negative", lambda m, x: m.unsqueeze(x, -4), f(2, 3), match=r"got -4"),
    row("unsqueeze_-dim", lambda m, x: x.unsqueeze_(3), f(2, 3), match=r"got 3"),
    row("squeeze-dim", lambda m, x: x.squeeze(5), f(2, 3), match=r"got 5"),
    row("squeeze-dims", lambda m, x: m.squeeze(x, (0, 2)), f(2, 3), match=r"got 2"),
    row("squeeze_-dim", lambda m, x: x.squeeze_(2), f(2, 3), match=r"got 2"),
    row("flatten-order", lambda m, x: x.flatten(1, 0), f(2, 3), match="start_dim cannot come after end_dim"),
    row("flatten-dim", lambda m, x: m.flatten(x, 0, 3), f(2, 3), match=r"got 3"),
    row("unflatten-sizes", lambda m, x: x.unflatten(1, (2, 2)), f(2, 3), match=r"3"),
    row("unflatten-dim", lambda m, x: x.unflatten(2, (1, 3)), f(2, 3), match=r"got 2"),
    row("select-index", lambda m, x: x.select(0, 5), f(3, 4), match=r"index 5.*\[3, 4\].*dimension 0"),
    row("select-negative-index", lambda m, x: m.select(x, 1, -5), f(3, 4), match=r"index -5"),
    row("select-dim", lambda m, x: x.select(2, 0), f(3, 4), match=r"got 2"),
    row("select-0d", lambda m, x: x.select(0, 0), f(), match="0-dim|select"),
    row("narrow-length", lambda m, x: x.narrow(0, 2, 3), f(4), match=r"start \(2\) \+ length \(3\).*\(4\)"),
    row("narrow-negative-length", lambda m, x: m.narrow(x, 0, 0, -1), f(4), match="-1|negative"),
    row("narrow-start", lambda m, x: x.narrow(0, 5, 0), f(4), match=r"5"),
    row("narrow-dim", lambda m, x: x.narrow(1, 0, 1), f(4), match=r"got 1"),
    row("narrow-0d", lambda m, x: x.narrow(0, 0, 1), f(), match="0-dim|narrow"),
    row("split-sizes-sum", lambda m, x: x.split([2, 3]), f(6), match=r"sum exactly to 6.*\[2, 3\]"),
    row("split_with_sizes-sum", lambda m, x: m.split_with_sizes(x, [4, 4]), f(6), match=r"6.*\[4, 4\]"),
    row("split-zero", lambda m, x: m.split(x, 0), f(6), match="0"),
    row("split-negative", lambda m, x: x.split(-1), f(6), match="-1"),
    row("split-dim", lambda m, x: x.split(2, dim=1), f(6), match=r"got 1"),
    row("split-negative-size", lambda m, x: x.split([7, -1]), f(6), match="-1"),
    row("chunk-zero", lambda m, x: x.chunk(0), f(6), match="greater than 0.*0"),
    row("chunk-negative", lambda m, x: m.chunk(x, -2), f(6), match="-2"),
    row("chunk-dim", lambda m, x: x.chunk(2, 1), f(6), match=r"got 1"),
    row("tensor_split-zero", lambda m, x: m.tensor_split(x, 0), f(6), match="0"),
    row("tensor_split-float-indices", lambda m, x, s: m.tensor_split(x, s), f(6), f(2), match="Double|Float|long"),
    row("hsplit-indivisible", lambda m, x: m.hsplit(x, 4), f(2, 6), match=r"6.*4"),
    row("vsplit-1d", lambda m, x: m.vsplit(x, 2), f(6), match="1"),
    row("dsplit-2d", lambda m, x: m.dsplit(x, 2), f(2, 6), match="2"),
    row("unbind-dim", lambda m, x: x.unbind(2), f(2, 3), match=r"got 2"),
    row("unbind-0d", lambda m, x: m.unbind(x), f(), match="0"),
    row("diagonal-same-dims", lambda m, x: x.diagonal(0, 0, 0), f(3, 3), match="identical 0, 0"),
    row("diagonal-dim", lambda m, x: m.diagonal(x, 0, 0, 2), f(3, 3), match=r"got 2"),
    row("diagonal-1d", lambda m, x: m.diagonal(x), f(3), match=r"got 1"),
    row("repeat-fewer-dims", lambda m, x: x.repeat(2), f(2, 3), match="repeat dims can not be smaller"),
    row("repeat-negative", lambda m, x: x.repeat(2, -1), f(2, 3), match="-1|negative"),
    row("tile-negative", lambda m, x: m.tile(x, (-1,)), f(3), match="-1|negative"),
    row("repeat_interleave-negative", lambda m, x: x.repeat_interleave(-1), f(3), match="negative"),
    row("repeat_interleave-shape", lambda m, x, r: m.repeat_interleave(x, r), f(3), i(2), match=r"3|2"),
    row("repeat_interleave-float-repeats", lambda m, x, r: m.repeat_interleave(x, r), f(3), f(3)),
    row("roll-length", lambda m, x: m.roll(x, (1, 2), (0,)), f(2, 3), match=r"2.*1|shifts and dimensions"),
    row("roll-dim", lambda m, x: x.roll(1, 2), f(2, 3), match=r"got 2"),
    row("rot90-dims-length", lambda m, x: m.rot90(x, 1, (0,)), f(2, 3), match="2.*1|1"),
    row("rot90-same-dims", lambda m, x: x.rot90(1, (0, 0)), f(2, 3), match="0"),
    row("rot90-dim", lambda m, x: m.rot90(x, 1, (0, 2)), f(2, 3), match=r"got 2|2"),
    row("flip-repeated", lambda m, x: x.flip(0, 0), f(2, 3), match="dim 0 appears multiple times"),
    row("flip-dim", lambda m, x: m.flip(x, (2,)), f(2, 3), match=r"got 2"),
    row("fliplr-1d", lambda m, x: m.fliplr(x), f(3), match=r"2|>= 2"),
    row("flipud-0d", lambda m, x: m.flipud(x), f(), match=r"1|>= 1"),
    row("cat-sizes", lambda m, x, y: m.cat([x, y], 1), f(2, 3), f(3, 3),
        match=r"dimension 1.*Expected size 2 but got size 3 for tensor number 1"),
    row("cat-ndim", lambda m, x, y: m.cat([x, y]), f(2, 3), f(3), match="got 2 and 1"),
    row("cat-empty", lambda m: m.cat([]), match="non-empty"),
    row("cat-dim", lambda m, x, y: m.cat((x, y), 2), f(2, 3), f(2, 3), match=r"got 2"),
    row("cat-tensor-not-list", lambda m, x: m.cat(x), f(2, 3), match="Tensor"),
    row("cat-list-with-number", lambda m, x: m.cat([x, 1.0]), f(2, 3), match="float"),
    row("cat-0d", lambda m, x: m.cat([x, x]), f(), match="zero-dimensional.*0"),
    row("cat-out-int", lambda m, x: m.cat([x, x], out=m.zeros(4, dtype=m.int64)), f(2), match="Long"),
    row("concat-sizes", lambda m, x, y: m.concat([x, y], dim=0), f(2, 3), f(2, 4), match=r"size 3 but got size 4"),
    row("stack-sizes", lambda m, x, y: m.stack([x, y]), f(2, 3), f(3, 3),
        match=r"\[2, 3\] at entry 0 and \[3, 3\] at entry 1"),
    row("stack-empty", lambda m: m.stack([]), match="non-empty"),
    row("stack-dim", lambda m, x: m.stack([x, x], 3), f(2, 3), match=r"\[-3, 2\].*got 3"),
    row("stack-tensor-not-list", lambda m, x: m.stack(x), f(2, 3), match="Tensor"),
    row("hstack-sizes", lambda m, x, y: m.hstack([x, y]), f(2, 3), f(3, 3), match=r"size 2 but got size 3"),
    row("vstack-sizes", lambda m, x, y: m.vstack([x, y]), f(2, 3), f(2, 4), match=r"size 3 but got size 4"),
    row("dstack-sizes", lambda m, x, y: m.dstack([x, y]), f(2, 3), f(2, 4), match=r"size 3 but got size 4"),
    row("column_stack-sizes", lambda m, x, y: m.column_stack([x, y]), f(2), f(3), match=r"size 2 but got size 3"),
    row("tril-1d", lambda m, x: m.tril(x), f(3), match="at least 2 dimensions"),
    row("triu_-1d", lambda m, x: x.triu_(), f(3), match="at least 2 dimensions"),
    row("diag-3d", lambda m, x: m.diag(x), f(2, 2, 2), match="3D"),
    row("diag_embed-same-dims", lambda m, x: m.diag_embed(x, 0, 0, 0), f(3), match="identical"),
    row("diag_embed-dim", lambda m, x: m.diag_embed(x, 0, 0, 3), f(3), match=r"got 3"),
    row("meshgrid-2d", lambda m, x: m.meshgrid(x, x, indexing="ij"), f(2, 2), match="0D or 1D"),
    row("meshgrid-indexing", lambda m, x: m.meshgrid(x, x, indexing="yx"), f(2), match="yx"),
    row("unfold-size", lambda m, x: x.unfold(0, 5, 1), f(3), match=r"3.*5"),
    row("unfold-step", lambda m, x: x.unfold(0, 2, 0), f(3), match="step"),
    row("unfold-dim", lambda m, x: x.unfold(1, 1, 1), f(3), match=r"got 1"),
    row("as_strided-negative", lambda m, x: m.as_strided(x, (2,), (-1,)), f(3), match="-1|negative"),
    row("resize_as_-leaf", lambda m: leaf(m, 3).resize_(4), match="requires_grad|grad"),
]


# ============================================================================= indexing

INDEXING = [
    row("getitem-int", lambda m, x: x[5], f(3), match=r"index 5.*dimension 0 with size 3"),
    row("getitem-negative", lambda m, x: x[:, -6], f(2, 5), match=r"index -6.*dimension 1 with size 5"),
    row("getitem-too-many", lambda m, x: x[0, 0, 0], f(2, 3), match="too many indices.*2"),
    row("getitem-0d", lambda m, x: x[0], f(), match="0-dim"),
    row("getitem-float-tensor", lambda m, x, k: x[k], f(3), f(2), match="long, int, byte or bool"),
    row("getitem-long-out", lambda m, x, k: x[k], f(3), np.array([0, 10]), match=r"10.*size 3"),
    row("getitem-long-negative-out", lambda m, x, k: x[k], f(3), np.array([-4]), match=r"-4.*size 3"),
    row("getitem-list-out", lambda m, x: x[[0, 7]], f(3), match=r"7.*size 3"),
    row("getitem-mask-shape", lambda m, x, k: x[k], f(3), b(2), match=r"\[2\].*\[3\]"),
    row("getitem-mask-2d-shape", lambda m, x, k: x[k], f(3, 4), b(3, 3), match=r"\[3, 3\].*\[3, 4\]|\[3\]"),
    row("getitem-string", lambda m, x: x["a"], f(3), match="str"),
    row("getitem-float", lambda m, x: x[1.5], f(3), match="float"),
    row("getitem-negative-step", lambda m, x: x[::-1], f(3), match="step"),
    row("getitem-zero-step", lambda m, x: x[::0], f(3), match="step"),
    row("getitem-advanced-broadcast", lambda m, x: x[[0, 1], [0, 1, 2]], f(3, 3), match=r"\[2\].*\[3\]"),
    row("setitem-shape", lambda m, x, v: x.__setitem__(0, v), f(2, 3), f(2), match=r"\(3\).*\(2\)"),
    row("setitem-mask-shape", lambda m, x, v: x.__setitem__(x > 2, v), f(2, 3), f(2), match=r"\[2\]"),
    row("setitem-out-of-range", lambda m, x: x.__setitem__(4, 1.0), f(3), match=r"index 4.*size 3"),
    row("setitem-leaf", lambda m: leaf(m, 3).__setitem__(0, 1.0), match="leaf Variable"),
    row("setitem-string", lambda m, x: x.__setitem__(0, "a"), f(3)),
    row("index_select-float", lambda m, x, k: m.index_select(x, 0, k), f(3), f(2), match="int32 or int64"),
    row("index_select-out", lambda m, x, k: x.index_select(0, k), f(3), np.array([3]), match="index out of range"),
    row("index_select-2d-index", lambda m, x, k: x.index_select(0, k), f(3), i(1, 2), match="vector"),
    row("index_select-dim", lambda m, x, k: x.index_select(2, k), f(3, 2), i(1), match=r"got 2"),
    row("gather-ndim", lambda m, x, k: m.gather(x, 1, k), f(2, 3), i(2), match="same number of dimensions"),
    row("gather-shape", lambda m, x, k: x.gather(1, k), f(2, 3), np.zeros((3, 1), np.int64),
        match=r"dimension 0.*\[3, 1\].*\[2, 3\]"),
    row("gather-out", lambda m, x, k: x.gather(1, k), f(2, 3), np.full((2, 1), 5), match=r"index 5.*size 3"),
    row("gather-negative", lambda m, x, k: x.gather(0, k), f(2, 3), np.full((1, 3), -1), match=r"-1.*size 2"),
    row("gather-float", lambda m, x, k: x.gather(1, k), f(2, 3), f(2, 1), match="int64"),
    row("gather-dim", lambda m, x, k: x.gather(2, k), f(2, 3), i(2, 3), match=r"got 2"),
    row("scatter-src-dtype", lambda m, x, k, s: x.scatter(0, k, s), f(3), i(2), f32(2), match="dtype"),
    row("scatter-out", lambda m, x, k: x.scatter(0, k, 1.0), f(3), np.array([4]), match=r"index 4.*size 3"),
    row("scatter-index-larger", lambda m, x, k, s: m.scatter(x, 0, k, s), f(3), i(3), f(2),
        match=r"\[3\].*\[2\]|\[2\].*\[3\]"),
    row("scatter-ndim", lambda m, x, k, s: m.scatter(x, 0, k, s), f(3, 2), i(2), f(2), match="same number of dim"),
    row("scatter-float-index", lambda m, x, k: x.scatter(0, k, 1.0), f(3), f(2), match="int64"),
    row("scatter_-leaf", lambda m, k: leaf(m, 3).scatter_(0, k, 1.0), i(2), match="leaf Variable"),
    row("scatter_add-out", lambda m, x, k: x.scatter_add(0, k, x), f(3), np.array([0, 1, 3]), match=r"3"),
    row("scatter_reduce-reduce", lambda m, x, k: x.scatter_reduce(0, k, x, "median"), f(3), i(3),
        match="median|reduce"),
    row("take-out", lambda m, x, k: m.take(x, k), f(2, 3), np.array([6]), match=r"index 6.*6 elements"),
    row("take-negative-out", lambda m, x, k: x.take(k), f(2, 3), np.array([-7]), match=r"-7.*6 elements"),
    row("take-float", lambda m, x, k: x.take(k), f(2, 3), f(1), match="Long|long|Double|Float"),
    row("take_along_dim-shape", lambda m, x, k: m.take_along_dim(x, k, 1), f(2, 3), i(3, 1), match=r"2.*3|3.*2"),
    row("put-out", lambda m, x, k, s: x.put(k, s), f(3), np.array([3]), f(1), match=r"3"),
    row("put_-sizes", lambda m, x, k, s: x.put_(k, s), f(3), i(2), f(3), match=r"2.*3|3.*2"),
    row("masked_fill-float-mask", lambda m, x, k: x.masked_fill(k, 0.0), f(3), f(3), match="bool.*float|bool"),
    row("masked_fill-shape", lambda m, x, k: x.masked_fill(k, 0.0), f(3), b(2), match=r"\([23]\).*\([23]\)"),
    row("masked_fill_-mask-larger", lambda m, x, k: x.masked_fill_(k, 0.0), f(3), b(2, 3), match=r"\[3\].*\[2, 3\]"),
    row("masked_fill-value-1d", lambda m, x, k, v: x.masked_fill(k, v), f(3), b(3), f(1), match="1 dimension"),
    row("masked_fill-int-mask", lambda m, x, k: m.masked_fill(x, k, 1.0), f(3), i(3), match="bool"),
    row("masked_select-shape", lambda m, x, k: m.masked_select(x, k), f(3), b(2), match=r"\([23]\).*\([23]\)"),
    row("masked_select-float", lambda m, x, k: x.masked_select(k), f(3), f(3), match="Bool|bool"),
    row("masked_scatter-source", lambda m, x, k, s: x.masked_scatter(k, s), f(3), np.ones(3, bool), f(2),
        match="source|elements"),
    row("where-x-string", lambda m, c, x: m.where(c, x, "a"), b(3), f(3)),
    row("topk-k-over-size", lambda m, x: x.topk(4), f(3), match="k"),
    row("topk-k-too-large", lambda m, x: m.topk(x, 5, 1), f(2, 3), match="k|range"),
    row("topk-negative", lambda m, x: x.topk(-1), f(3), match="k|range"),
    row("topk-dim", lambda m, x: x.topk(1, 2), f(2, 3), match=r"got 2"),
    row("kthvalue-k", lambda m, x: x.kthvalue(4), f(3), match="k|range"),
    row("kthvalue-zero", lambda m, x: m.kthvalue(x, 0), f(3), match="k|range"),
    row("kthvalue-dim", lambda m, x: x.kthvalue(1, 2), f(2, 3), match=r"got 2"),
    row("sort-dim", lambda m, x: x.sort(2), f(2, 3), match=r"got 2"),
    row("sort-dim-negative", lambda m, x: m.sort(x, -3), f(2, 3), match=r"got -3"),
    row("argsort-dim", lambda m, x: x.argsort(5), f(2, 3), match=r"got 5"),
    row("unique-dim", lambda m, x: m.unique(x, dim=2), f(2, 3), match=r"got 2|2"),
    row("unique_consecutive-dim", lambda m, x: m.unique_consecutive(x, dim=2), f(2, 3), match=r"got 2|2"),
    row("searchsorted-dims", lambda m, s, v: m.searchsorted(s, v), f(2, 3), f(3, 1), match="same dimensions|1"),
    row("searchsorted-side", lambda m, s, v: m.searchsorted(s, v, side="middle"), f(3), f(2), match="middle"),
    row("searchsorted-side-right-conflict", lambda m, s, v: m.searchsorted(s, v, right=True, side="left"), f(3),
        f(2), match="side|right"),
    row("bucketize-2d", lambda m, v, s: m.bucketize(v, s), f(2), f(2, 2), match="1 dimension"),
    row("bincount-negative", lambda m, x: m.bincount(x), np.array([1, -1]), match="non-negative"),
    row("bincount-float", lambda m, x: x.bincount(), f(3), match="integral|Double|Float|long"),
    row("bincount-2d", lambda m, x: m.bincount(x), i(2, 2), match="1-d"),
    row("bincount-weights", lambda m, x, w: m.bincount(x, w), i(3), f(2), match="same length|length"),
    row("bincount-minlength", lambda m, x: m.bincount(x, minlength=-1), i(3), match="minlength|non-negative"),
    row("index_add-source-shape", lambda m, x, k, s: x.index_add(0, k, s), f(3, 2), i(2), f(2, 3),
        match=r"2.*3|3.*2|source"),
    row("index_add-dtype", lambda m, x, k, s: x.index_add(0, k, s), f(3), i(2), f32(2), match="dtype|Float|Double"),
    row("index_add-index-out", lambda m, x, k, s: x.index_add(0, k, s), f(3), np.array([0, 3]), f(2),
        match=r"index|3"),
    row("index_add-float-index", lambda m, x, k, s: x.index_add(0, k, s), f(3), f(2), f(2), match="int"),
    row("index_copy-length", lambda m, x, k, s: x.index_copy(0, k, s), f(3), i(2), f(3), match=r"2|3"),
    row("index_copy-out", lambda m, x, k, s: m.index_copy(x, 0, k, s), f(3), np.array([5]), f(1), match=r"5|index"),
    row("index_fill-float-index", lambda m, x, k: x.index_fill(0, k, 1.0), f(3), f(1), match="Long|long|int"),
    row("index_fill-out", lambda m, x, k: x.index_fill(0, k, 1.0), f(3), np.array([3]), match=r"3|index"),
    row("index_put-float-index", lambda m, x, k, v: x.index_put((k,), v), f(3), f(1), f(1),
        match="long, int, byte or bool"),
    row("index_put-shape", lambda m, x, k, v: m.index_put(x, (k,), v), f(3), i(2), f(3), match=r"\[3\].*\[2\]"),
    row("index_reduce-reduce", lambda m, x, k: x.index_reduce(0, k, x, "sum"), f(3), i(3), match="sum|reduce"),
    row("select_scatter-shape", lambda m, x, s: m.select_scatter(x, s, 0, 0), f(2, 3), f(2),
        match=r"\[3\].*\[2\]|\[2\]"),
    row("slice_scatter-shape", lambda m, x, s: m.slice_scatter(x, s, 0, 0, 1), f(2, 3), f(2, 2),
        match=r"\[1, 3\].*\[2, 2\]|\[2, 2\]"),
    row("diagonal_scatter-shape", lambda m, x, s: m.diagonal_scatter(x, s), f(3, 3), f(2), match=r"\[3\].*\[2\]|\[2\]"),
    row("fill_diagonal_-1d", lambda m, x: x.fill_diagonal_(1.0), f(3), match="dimensions must larger than 1"),
    row("fill_diagonal_-unequal", lambda m, x: x.fill_diagonal_(1.0), f(2, 3, 4), match="equal"),
]


# ============================================================================= linear algebra

LINALG = [
    row("matmul-shapes", lambda m, x, y: x @ y, f(2, 3), f(4, 5), match=r"\(2x3 and 4x5\)"),
    row("matmul-fn-shapes", lambda m, x, y: m.matmul(x, y), f(2, 3), f(2, 3), match=r"\(2x3 and 2x3\)"),
    row("matmul-0d", lambda m, x, y: m.matmul(x, y), f(), f(3), match="0D and 1D"),
    row("matmul-dtype", lambda m, x, y: x @ y, f(2, 3), f32(3, 2), match="double != float|float != double"),
    row("matmul-int-float", lambda m, x, y: x @ y, i(2, 3), f(3, 2), match="long int != double|Long|double"),
    row("matmul-batch-broadcast", lambda m, x, y: x @ y, f(2, 2, 3), f(3, 3, 2), match=r"\(2\).*\(3\)"),
    row("matmul-1d-1d", lambda m, x, y: x @ y, f(3), f(4), match=r"3.*4"),
    row("matmul-2d-1d", lambda m, x, y: x @ y, f(2, 3), f(4), match=r"2x3.*4|3.*4"),
    row("matmul-1d-2d", lambda m, x, y: x @ y, f(4), f(3, 2), match=r"4.*3x2|4.*3"),
    row("matmul-batch-inner", lambda m, x, y: x @ y, f(2, 2, 3), f(2, 4, 2), match=r"3.*4"),
    row("matmul-list", lambda m, x: m.matmul(x, [[1.0]]), f(2, 3), match="list"),
    row("rmatmul-scalar", lambda m, x: 2.0 @ x, f(2, 2)),
    row("mm-1d", lambda m, x, y: m.mm(x, y), f(3), f(3, 2), match="matrix"),
    row("mm-shapes", lambda m, x, y: x.mm(y), f(2, 3), f(2, 3), match=r"\(2x3 and 2x3\)"),
    row("mm-dtype", lambda m, x, y: m.mm(x, y), f32(2, 3), f(3, 2), match="float != double"),
    row("bmm-2d", lambda m, x, y: m.bmm(x, y), f(2, 3), f(3, 2), match="3D"),
    row("bmm-batches", lambda m, x, y: x.bmm(y), f(2, 2, 3), f(3, 3, 2), match=r"\[2, 3\].*\[3, 3\]"),
    row("bmm-inner", lambda m, x, y: m.bmm(x, y), f(2, 2, 3), f(2, 4, 2), match=r"\[2, 3\].*\[2, 4\]"),
    row("bmm-dtype", lambda m, x, y: m.bmm(x, y), f(2, 2, 3), f32(2, 3, 2), match="Double but found Float"),
    row("mv-shapes", lambda m, x, y: m.mv(x, y), f(2, 3), f(4), match=r"2x3.*4"),
    row("mv-2d-vec", lambda m, x, y: x.mv(y), f(2, 3), f(3, 1), match=r"1, 2, 2"),
    row("mv-dtype", lambda m, x, y: m.mv(x, y), f(2, 3), f32(3), match="Double|Float|double|float"),
    row("dot-length", lambda m, x, y: m.dot(x, y), f(3), f(4), match=r"\[3\].*\[4\].*3 and 4"),
    row("dot-2d", lambda m, x, y: x.dot(y), f(2, 2), f(2, 2), match="2D and 2D"),
    row("dot-dtype", lambda m, x, y: m.dot(x, y), f32(3), f(3), match="Float and Double"),
    row("vdot-length", lambda m, x, y: m.vdot(x, y), f(3), f(4), match=r"3 and 4"),
    row("inner-shapes", lambda m, x, y: m.inner(x, y), f(2, 3), f(2, 4), match=r"3.*4|2x3"),
    row("ger-2d", lambda m, x, y: m.ger(x, y), f(2, 2), f(2), match="1D|1-D|vec"),
    row("addmm-shapes", lambda m, a, x, y: m.addmm(a, x, y), f(2, 2), f(2, 3), f(4, 2), match=r"2x3 and 4x2"),
    row("addmm-bias-broadcast", lambda m, a, x, y: m.addmm(a, x, y), f(3, 3), f(2, 3), f(3, 2),
        match=r"\[3, 3\]|\[2, 2\]|2"),
    row("addmv-shapes", lambda m, a, x, y: m.addmv(a, x, y), f(2), f(2, 3), f(4), match=r"2x3.*4|3.*4"),
    row("addr-2d", lambda m, a, x, y: m.addr(a, x, y), f(2, 2), f(2, 1), f(2), match="1D|1-D|vec"),
    row("baddbmm-batches", lambda m, a, x, y: m.baddbmm(a, x, y), f(2, 2, 2), f(2, 2, 3), f(3, 3, 2),
        match=r"2 and 3|3"),
    row("addbmm-inner", lambda m, a, x, y: m.addbmm(a, x, y), f(2, 2), f(2, 2, 3), f(2, 4, 2), match=r"3.*4|4"),
    row("einsum-operands", lambda m, x: m.einsum("ij,jk->ik", x), f(2, 2), match="2.*1|operands"),
    row("einsum-size", lambda m, x, y: m.einsum("ij,jk->ik", x, y), f(2, 3), f(4, 2), match=r"3.*4|4.*3"),
    row("einsum-subscripts", lambda m, x: m.einsum("ijk->i", x), f(2, 3), match="3|2|subscripts"),
    row("einsum-output-label", lambda m, x: m.einsum("ij->k", x), f(2, 3), match="k|output"),
    row("tensordot-sizes", lambda m, x, y: m.tensordot(x, y, dims=([1], [0])), f(2, 3), f(4, 2),
        match=r"size 3.*size 4|3.*4"),
    row("tensordot-dim", lambda m, x, y: m.tensordot(x, y, dims=([2], [0])), f(2, 3), f(3, 2), match=r"got 2"),
    row("tensordot-negative-dims", lambda m, x, y: m.tensordot(x, y, dims=-1), f(2, 3), f(3, 2), match="-1"),
    row("cross-size", lambda m, x, y: m.linalg.cross(x, y), f(4), f(4), match=r"length 3.*4"),
    row("cross-broadcast", lambda m, x, y: m.cross(x, y, dim=1), f(2, 3), f(3, 3), match=r"\(2\).*\(3\)|2.*3"),
    row("trace-1d", lambda m, x: m.trace(x), f(3), match="matrix|1"),
    row("chain_matmul-shapes", lambda m, x, y: m.linalg.multi_dot([x, y]), f(2, 3), f(2, 3), match=r"2x3|3.*2"),
    row("multi_dot-one", lambda m, x: m.linalg.multi_dot([x]), f(2, 3), match="at least 2 tensors.*1"),
    row("linalg-inv-nonsquare", lambda m, x: m.linalg.inv(x), f(2, 3), match="square.*2 by 3"),
    row("linalg-inv-int", lambda m, x: m.linalg.inv(x), i(2, 2), match="Long"),
    row("linalg-inv-1d", lambda m, x: m.linalg.inv(x), f(3), match="at least 2 dimensions"),
    row("linalg-det-nonsquare", lambda m, x: m.linalg.det(x), f(2, 3), match="2 by 3"),
    row("linalg-slogdet-int", lambda m, x: m.linalg.slogdet(x), i(2, 2), match="Long"),
    row("linalg-solve-shapes", lambda m, a, y: m.linalg.solve(a, y), f(3, 3), f(2), match=r"3|2"),
    row("linalg-solve-nonsquare", lambda m, a, y: m.linalg.solve(a, y), f(2, 3), f(2), match="2 by 3"),
    row("linalg-solve-dtype", lambda m, a, y: m.linalg.solve(a, y), f(2, 2), f32(2), match="double|float|Float"),
    row("linalg-cholesky-nonsquare", lambda m, x: m.linalg.cholesky(x), f(2, 3), match="2 by 3"),
    row("linalg-qr-mode", lambda m, x: m.linalg.qr(x, mode="full"), f(2, 3), match="full"),
    row("linalg-eigh-1d", lambda m, x: m.linalg.eigh(x), f(3), match="at least 2 dimensions"),
    row("linalg-eigh-uplo", lambda m, x: m.linalg.eigh(x, UPLO="X"), f(2, 2), match="UPLO|X"),
    row("linalg-svd-1d", lambda m, x: m.linalg.svd(x), f(3), match="at least 2|2"),
    row("linalg-matrix_power-nonsquare", lambda m, x: m.linalg.matrix_power(x, 2), f(2, 3), match="2 by 3"),
    row("linalg-matrix_power-int-negative", lambda m, x: m.linalg.matrix_power(x, -1), i(2, 2), match="Long"),
    row("linalg-norm-ord", lambda m, x: m.linalg.norm(x, ord="abc"), f(2, 2), match="abc"),
    row("linalg-vector_norm-dim", lambda m, x: m.linalg.vector_norm(x, dim=2), f(2, 2), match=r"got 2"),
    row("linalg-vector_norm-int", lambda m, x: m.linalg.vector_norm(x), i(3), match="Long"),
    row("linalg-matrix_norm-1d", lambda m, x: m.linalg.matrix_norm(x), f(3), match="2-D|2D|dim"),
    row("linalg-matrix_norm-ord", lambda m, x: m.linalg.matrix_norm(x, ord=3), f(2, 2), match="3"),
    row("linalg-pinv-1d", lambda m, x: m.linalg.pinv(x), f(3), match="at least 2|2"),
    row("linalg-vecdot-sizes", lambda m, x, y: m.linalg.vecdot(x, y), f(2, 3), f(2, 4), match=r"\(3\).*\(4\)"),
    row("linalg-matrix_rank-1d", lambda m, x: m.linalg.matrix_rank(x), f(3), match="at least 2|2"),
    row("linalg-cond-p", lambda m, x: m.linalg.cond(x, p=3), f(2, 2), match="3"),
]


# ============================================================================= creation and random

CREATION = [
    row("zeros-negative", lambda m: m.zeros(-1), match=r"negative"),
    row("ones-negative", lambda m: m.ones(2, -3), match=r"negative dimension -3.*\[2, -3\]"),
    row("empty-negative", lambda m: m.empty((-2,)), match=r"negative dimension -2"),
    row("full-negative", lambda m: m.full((-1,), 1.0), match=r"negative dimension -1"),
    row("full-string-value", lambda m: m.full((2,), "a")),
    row("zeros-float-size", lambda m: m.zeros(2.5), match="float"),
    row("zeros-float-in-tuple", lambda m: m.zeros((2, 2.5)), match="float"),
    row("zeros-string-dtype", lambda m: m.zeros(2, dtype="float32"), match="str|dtype"),
    row("zeros-int-requires-grad", lambda m: m.zeros(2, dtype=m.int64, requires_grad=True),
        match="floating point"),
    row("randn-negative", lambda m: m.randn(-1), match=r"negative dimension -1"),
    row("rand-negative", lambda m: m.rand(2, -2), match=r"negative dimension -2"),
    row("eye-negative", lambda m: m.eye(-1), match=r"n must be greater or equal to 0, got -1"),
    row("eye-negative-m", lambda m: m.eye(2, -1), match=r"m must be greater or equal to 0, got -1"),
    row("arange-zero-step", lambda m: m.arange(0, 10, 0), match="step must be nonzero"),
    row("arange-sign", lambda m: m.arange(10, 0, 1), match="inconsistent with step sign"),
    row("arange-negative-end", lambda m: m.arange(-3), match="inconsistent with step sign"),
    row("arange-inf", lambda m: m.arange(0, float("inf")), match="inf"),
    row("arange-nan", lambda m: m.arange(0, float("nan")), match="nan"),
    row("arange-string", lambda m: m.arange("a")),
    row("range-zero-step", lambda m: m.range(0, 3, 0), match="step must be nonzero"),
    row("linspace-negative-steps", lambda m: m.linspace(0, 1, -1), match="non-negative"),
    row("logspace-negative-steps", lambda m: m.logspace(0, 1, -2), match="non-negative"),
    row("linspace-float-steps", lambda m: m.linspace(0, 1, 2.5), match="float"),
    row("tensor-string", lambda m: m.tensor("a"), match="str"),
    row("tensor-ragged", lambda m: m.tensor([[1, 2], [3]]), match=r"length 2 at dim 1 \(got 1\)"),
    row("tensor-mixed", lambda m: m.tensor([1, "a"]), match="str"),
    row("tensor-none", lambda m: m.tensor([1, None]), match="NoneType"),
    row("tensor-int-requires-grad", lambda m: m.tensor([1, 2], requires_grad=True), match="floating point"),
    row("tensor-dtype-string", lambda m: m.tensor([1.0], dtype="float"), match="str|dtype"),
    row("as_tensor-string", lambda m: m.as_tensor("abc"), match="str"),
    row("from_numpy-list", lambda m: m.from_numpy([1, 2]), match="list"),
    row("from_numpy-object", lambda m: m.from_numpy(np.array([1, "a"], dtype=object)), match="object"),
    row("empty_strided-lengths", lambda m: m.empty_strided((2, 3), (1,)), match=r"sizes \(2\).*strides \(1\)"),
    row("scalar_tensor-list", lambda m: m.scalar_tensor([1.0]), match="list"),
    row("full_like-string", lambda m, x: m.full_like(x, "a"), f(2)),
    row("zeros_like-list", lambda m: m.zeros_like([1.0]), match="list"),
    row("tensor-legacy-float-size", lambda m: m.Tensor(2.5), match="float"),
    row("rand-int-dtype", lambda m: m.rand(2, dtype=m.int64), match="Long"),
    row("randn-int-dtype", lambda m: m.randn(2, dtype=m.int64), match="Long"),
    row("randint-range", lambda m: m.randint(5, 2, (3,)), match=r"from=5 >= to=2"),
    row("randint-no-size", lambda m: m.randint(0, 5)),
    row("randint-negative-size", lambda m: m.randint(0, 5, (-1,)), match=r"negative dimension -1"),
    row("randperm-negative", lambda m: m.randperm(-1), match=r"-1"),
    row("multinomial-negative", lambda m, p: m.multinomial(p, 1), np.array([0.5, -0.1, 0.6]),
        match="element < 0|inf"),
    row("multinomial-zero-sum", lambda m, p: m.multinomial(p, 1), np.zeros(3), match="sum of probabilities"),
    row("multinomial-nan", lambda m, p: m.multinomial(p, 1), np.array([0.5, np.nan]), match="nan"),
    row("multinomial-too-many", lambda m, p: m.multinomial(p, 4), np.ones(3), match="without replacement"),
    row("multinomial-3d", lambda m, p: p.multinomial(1), np.ones((2, 2, 2)), match="1 or 2 dim"),
    row("multinomial-zero-samples", lambda m, p: m.multinomial(p, 0), np.ones(3), match="n_sample|0"),
    row("multinomial-int", lambda m, p: m.multinomial(p, 1), i(3), match="float|Long"),
    row("normal-negative-std", lambda m: m.normal(0.0, -1.0, (2,)), match=r"std >= 0.0.*-1"),
    row("normal-tensor-negative-std", lambda m, s: m.normal(0.0, s), -np.ones(2), match="std >= 0.0"),
    row("bernoulli-p", lambda m, x: m.bernoulli(x), np.array([0.5, 1.5]), match="0 <= p <= 1|p_in|1"),
    row("bernoulli_-p", lambda m, x: x.bernoulli_(2.0), f(2), match="p"),
    row("poisson-negative", lambda m, x: m.poisson(x), -np.ones(2), match="rate|non-negative|>= 0"),
    row("poisson-int", lambda m, x: m.poisson(x), i(2), match="Long"),
    row("manual_seed-string", lambda m: m.manual_seed("a")),
    row("random_-range", lambda m, x: x.random_(5, 2), f(3), match=r"from=5 >= to=2"),
    row("uniform_-range", lambda m, x: x.uniform_(2.0, 1.0), f(3), match=r"from.*to|2.*1"),
    row("normal_-std", lambda m, x: x.normal_(0.0, -1.0), f(3), match="std >= 0.0"),
    row("exponential_-lambda", lambda m, x: x.exponential_(-1.0), f(3), match="lambd|-1"),
    row("rand_like-int", lambda m, x: m.rand_like(x), i(3), match="Long"),
    row("randint_like-range", lambda m, x: m.randint_like(x, 3, 1), f(3), match=r"from=3 >= to=1"),
]


# ============================================================================= conversion, autograd, Python protocols

def _backward_twice(m):
    x = leaf(m, 3)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _backward_non_scalar(m):
    (leaf(m, 3) * 2).backward()


def _backward_no_grad(m):
    m.ones(3).sum().backward()


def _backward_bad_gradient_shape(m):
    (leaf(m, 2) * 2).backward(m.ones(3, dtype=m.float64))


def _grad_unused(m):
    x, y = leaf(m, 2), leaf(m, 2)
    m.autograd.grad((x * 2).sum(), [x, y])


def _saved_modified(m):
    x = leaf(m, 3)
    y = x * 1
    z = y * y
    y.add_(1)
    z.sum().backward()


def _inplace_view_of_leaf(m):
    x = leaf(m, 3)
    x[:2].mul_(2)


def _non_leaf_requires_grad_false(m):
    y = leaf(m, 2) * 2
    y.requires_grad = False


def _grad_bad_shape(m):
    x = leaf(m, 2)
    x.grad = m.ones(3, dtype=m.float64)


def _out_with_grad(m):
    m.add(leaf(m, 2), 1.0, out=m.zeros(2, dtype=m.float64))


def _grad_of_non_scalar(m):
    x = leaf(m, 2)
    m.autograd.grad(x * 2, x)


AUTOGRAD = [
    row("add_-leaf", lambda m: leaf(m, 3).add_(1), match="leaf Variable that requires grad"),
    row("mul_-leaf", lambda m: leaf(m, 3).mul_(2), match="leaf Variable that requires grad"),
    row("zero_-leaf", lambda m: leaf(m, 3).zero_(), match="leaf Variable that requires grad"),
    row("fill_-leaf", lambda m: leaf(m, 3).fill_(1.0), match="leaf Variable that requires grad"),
    row("copy_-leaf", lambda m, y: leaf(m, 3).copy_(y), f(3), match="leaf Variable that requires grad"),
    row("clamp_-leaf", lambda m: leaf(m, 3).clamp_(0, 1), match="leaf Variable that requires grad"),
    row("iadd-leaf", lambda m: leaf(m, 3).__iadd__(1), match="leaf Variable that requires grad"),
    row("inplace-view-of-leaf", _inplace_view_of_leaf, match="view of a leaf Variable"),
    row("requires_grad-int", lambda m, x: x.requires_grad_(), i(3), match="floating point"),
    row("requires_grad-bool-attr", lambda m, x: setattr(x, "requires_grad", True), b(3), match="floating point"),
    row("requires_grad-non-leaf", _non_leaf_requires_grad_false, match="leaf variables"),
    row("backward-twice", _backward_twice, match="backward through the graph a second time"),
    row("backward-non-scalar", _backward_non_scalar, match="scalar outputs"),
    row("backward-no-grad", _backward_no_grad, match="does not require grad"),
    row("backward-gradient-shape", _backward_bad_gradient_shape, match=r"\[3\].*\[2\]|\(\[3\]\).*\(\[2\]\)"),
    row("grad-unused", _grad_unused, match="allow_unused"),
    row("grad-non-scalar", _grad_of_non_scalar, match="scalar outputs"),
    row("saved-tensor-modified", _saved_modified, match="modified by an inplace operation"),
    row("grad-assign-shape", _grad_bad_shape, match=r"size '\[3\]'.*size '\[2\]'"),
    row("grad-assign-type", lambda m: setattr(leaf(m, 2), "grad", [1.0, 2.0]), match="list"),
    row("out-with-grad", _out_with_grad, match="automatic differentiation"),
    row("retain_grad-no-grad", lambda m, x: x.retain_grad(), f(3), match="requires_grad=False"),
    row("register_hook-no-grad", lambda m, x: x.register_hook(print), f(3), match="doesn't require gradient"),
    row("numpy-requires-grad", lambda m: leaf(m, 2).numpy(), match="requires grad"),
    row("item-multi", lambda m, x: x.item(), f(3), match="3 elements"),
    row("item-empty", lambda m, x: x.item(), f(0), match="0 elements"),
    row("float-multi", lambda m, x: float(x), f(3), match="one element"),
    row("int-multi", lambda m, x: int(x), f(2), match="one element"),
    row("bool-multi", lambda m, x: bool(x), f(3), match="more than one value"),
    row("bool-empty", lambda m, x: bool(x), f(0), match="no values"),
    row("index-float", lambda m, x: [1, 2, 3][x], f()),
    row("len-0d", lambda m, x: len(x), f(), match="0-d"),
    row("iter-0d", lambda m, x: iter(x), f(), match="0-d"),
    row("size-dim", lambda m, x: x.size(2), f(2, 3), match=r"got 2"),
    row("stride-dim", lambda m, x: x.stride(-3), f(2, 3), match=r"got -3"),
    row("copy_-shape", lambda m, x, y: x.copy_(y), f(3), f(2), match=r"\(3\).*\(2\)|\(2\).*\(3\)"),
    row("copy_-list", lambda m, x: x.copy_([1.0, 2.0, 3.0]), f(3), match="list"),
    row("to-bad-device", lambda m, x: x.to("tpu"), f(3), match="tpu"),
    row("type-bad-name", lambda m, x: x.type("foo"), f(3), match="foo"),
    row("device-bad-string", lambda m: m.device("gpu"), match="gpu"),
    row("clone-list", lambda m: m.clone([1.0]), match="list"),
    row("detach_-view", lambda m: leaf(m, 3)[:2].detach_(), match="views"),
]


# ============================================================================= statistics, combinatorics, queries

STATISTICS = [
    row("cov-3d", lambda m, x: m.cov(x), f(2, 2, 2), match="3 dimensions"),
    row("cov-fweights-float", lambda m, x, w: m.cov(x, fweights=w), f(2, 3), f(3), match="integral"),
    row("cov-aweights-negative", lambda m, x, w: m.cov(x, aweights=w), f(2, 3), -f(3), match="cannot be negative"),
    row("cov-fweights-length", lambda m, x, w: m.cov(x, fweights=w), f(2, 3), i(2), match=r"3.*2|2"),
    row("corrcoef-3d", lambda m, x: m.corrcoef(x), f(2, 2, 2), match="3 dimensions"),
    row("quantile-q-range", lambda m, x: m.quantile(x, 1.5), f(3), match=r"\[0, 1\]"),
    row("quantile-q-tensor-range", lambda m, x, q: m.quantile(x, q), f(3), np.array([0.5, -0.1]),
        match=r"\[0, 1\]"),
    row("quantile-int", lambda m, x: x.quantile(0.5), i(3), match="float or double"),
    row("quantile-interpolation", lambda m, x: m.quantile(x, 0.5, interpolation="cubic"), f(3), match="cubic"),
    row("quantile-dim", lambda m, x: m.quantile(x, 0.5, dim=2), f(2, 3), match=r"got 2"),
    row("quantile-dtype", lambda m, x, q: m.quantile(x, q), f(3), f32(1), match="same dtype|Double|Float"),
    row("quantile-empty", lambda m, x: m.quantile(x, 0.5, dim=0), f(0), match="empty"),
    row("nanquantile-q-range", lambda m, x: m.nanquantile(x, 2.0), f(3), match=r"\[0, 1\]"),
    row("histc-range", lambda m, x: m.histc(x, 4, 3.0, 1.0), f(3), match="max must be larger than min"),
    row("histc-bins", lambda m, x: x.histc(0), f(3), match="bins must be > 0"),
    row("histc-int", lambda m, x: m.histc(x), i(3), match="Long"),
    row("histogram-bins", lambda m, x: m.histogram(x, -1), f(3), match="bins|-1"),
    row("cdist-columns", lambda m, x, y: m.cdist(x, y), f(2, 3), f(2, 4), match=r"X1: 3 X2: 4"),
    row("cdist-1d", lambda m, x, y: m.cdist(x, y), f(3), f(3), match="2D.*1D"),
    row("cdist-negative-p", lambda m, x, y: m.cdist(x, y, p=-1.0), f(2, 3), f(2, 3), match="non-negative"),
    row("dist-broadcast", lambda m, x, y: m.dist(x, y), f(3), f(2), match=r"\(3\).*\(2\)"),
    row("renorm-dim", lambda m, x: m.renorm(x, 2, 2, 1.0), f(2, 3), match=r"got 2"),
    row("renorm-maxnorm", lambda m, x: x.renorm(2, 0, -1.0), f(2, 3), match="maxnorm|non-negative"),
    row("renorm-p", lambda m, x: x.renorm(-1, 0, 1.0), f(2, 3), match="p|positive"),
    row("renorm-1d", lambda m, x: m.renorm(x, 2, 0, 1.0), f(3), match="at least 2|2"),
    row("trapezoid-x-shape", lambda m, y, x: m.trapezoid(y, x), f(3), f(2), match="one `x` value for each sample"),
    row("trapezoid-dim", lambda m, y: m.trapezoid(y, dim=2), f(2, 3), match=r"got 2"),
    row("cumulative_trapezoid-dim", lambda m, y: m.cumulative_trapezoid(y, dim=1), f(3), match=r"got 1"),
]

COMBINATORICS = [
    row("cartesian_prod-2d", lambda m, x: m.cartesian_prod(x, x), f(2, 2), match=r"1D.*\[2, 2\]"),
    row("combinations-2d", lambda m, x: m.combinations(x), f(2, 2), match=r"1D.*\[2, 2\]"),
    row("combinations-negative-r", lambda m, x: m.combinations(x, -1), f(3), match="non-negative.*-1"),
    row("block_diag-3d", lambda m, x: m.block_diag(x), f(2, 2, 2), match="Input 0 has 3 dimensions"),
    row("tril_indices-negative", lambda m: m.tril_indices(-1, 2), match="row.*-1"),
    row("triu_indices-negative-col", lambda m: m.triu_indices(2, -3), match="col.*-3"),
    row("vander-2d", lambda m, x: m.vander(x), f(2, 2), match="one-dimensional"),
    row("vander-negative-N", lambda m, x: m.vander(x, -1), f(3), match="non-negative"),
    row("unravel_index-float", lambda m, x: m.unravel_index(x, (2, 3)), f(2), match="integer"),
    row("unravel_index-negative-shape", lambda m, x: m.unravel_index(x, (2, -3)), i(2), match="non-negative|-3"),
    row("diagflat-list", lambda m: m.diagflat([1.0]), match="list"),
]

QUERIES = [
    row("is_nonzero-multi", lambda m, x: m.is_nonzero(x), f(3), match="more than one value"),
    row("is_nonzero-empty", lambda m, x: x.is_nonzero(), f(0), match="no values"),
    row("numel-string", lambda m: m.numel("a"), match="str"),
    row("is_same_size-list", lambda m, x: m.is_same_size(x, [1.0]), f(1), match="list"),
    row("is_signed-list", lambda m: m.is_signed([1]), match="list"),
]

# ============================================================================= wrong argument types, in every family

# Functions whose first argument must be a Tensor: a string there is torch's TypeError, never an AttributeError.
TENSOR_FIRST = ["sum", "mean", "prod", "std", "var", "std_mean", "var_mean", "max", "min", "amax", "amin", "aminmax",
                "argmax", "argmin", "all", "any", "count_nonzero", "median", "nanmedian", "mode", "nansum", "nanmean",
                "diff", "logsumexp", "cumsum", "cumprod", "cummax", "logcumsumexp", "reshape", "flatten", "ravel",
                "permute", "t", "adjoint",
                "squeeze", "unsqueeze", "unbind", "diag", "diag_embed", "diagonal", "tril", "triu", "fliplr",
                "flipud", "rot90", "repeat_interleave", "chunk", "split", "clone", "exp", "abs", "sigmoid", "gather",
                "sort", "topk", "nonzero", "index_select", "masked_fill", "matmul", "mm", "trace", "bernoulli",
                "poisson", "multinomial", "is_floating_point", "cov", "histc", "combinations", "atleast_1d",
                "broadcast_tensors", "permute_copy", "t_copy", "view_copy", "diagonal_copy", "transpose", "swapaxes",
                "select", "narrow", "tile", "broadcast_to", "unflatten", "tensor_split", "hsplit", "as_strided",
                "split_with_sizes", "exp_", "zero_", "clamp_", "detach", "index_put_"]
TENSOR_FIRST_ARGS = {"unsqueeze": (0,), "chunk": (2,), "split": (2,), "gather": (0, None), "topk": (1,),
                     "index_select": (0, None), "masked_fill": (None, 0.0), "matmul": (None,), "mm": (None,),
                     "multinomial": (1,), "permute_copy": ((0,),), "view_copy": ((1,),), "logsumexp": (0,),
                     "cumsum": (0,), "cumprod": (0,), "cummax": (0,), "logcumsumexp": (0,), "transpose": (0, 1),
                     "swapaxes": (0, 1), "select": (0, 0), "narrow": (0, 0, 1), "tile": ((2,),),
                     "broadcast_to": ((2,),), "unflatten": (0, (1, 1)), "tensor_split": (2,), "hsplit": (2,),
                     "as_strided": ((1,), (1,)), "split_with_sizes": ([1],), "clamp_": (0,), "index_put_": ((), None)}

WRONG_TYPES = [
    row(f"{name}-str-input", lambda m, name=name: getattr(m, name)("abc", *TENSOR_FIRST_ARGS.get(name, ())),
        match="str")
    for name in TENSOR_FIRST
] + [
    row("atleast_2d-list-element", lambda m, x: m.atleast_2d([x, 1.5]), f(2), match="float"),
    row("broadcast_tensors-number", lambda m, x: m.broadcast_tensors(x, 2.0), f(2), match="float"),
    row("diag-float-offset", lambda m, x: m.diag(x, 1.5), f(2, 3), match="diagonal.*float"),
    row("diag-bool-offset", lambda m, x: m.diag(x, True), f(2, 3), match="diagonal.*bool"),
    row("diagonal-float-offset", lambda m, x: x.diagonal(0.5), f(2, 3), match="offset.*float"),
    row("diag_embed-float-offset", lambda m, x: m.diag_embed(x, 0.5), f(3), match="offset.*float"),
    row("rot90-float-k", lambda m, x: m.rot90(x, 1.5), f(2, 3), match="k.*float"),
    row("unfold-float-size", lambda m, x: x.unfold(0, 1.5, 1), f(3), match="size.*float"),
    row("tril-float-diagonal", lambda m, x: m.tril(x, 0.5), f(2, 3), match="diagonal.*float"),
    row("select-float-index", lambda m, x: x.select(0, 1.5), f(2, 3), match="index.*float"),
    row("narrow-float-length", lambda m, x: m.narrow(x, 0, 0, 1.5), f(2, 3), match="float"),
    row("chunk-float", lambda m, x: x.chunk(1.5), f(4), match="chunks.*float"),
    row("split-float", lambda m, x: x.split(1.5), f(4), match="float"),
    row("topk-float-k", lambda m, x: x.topk(1.5), f(4), match="k.*float"),
    row("kthvalue-float-k", lambda m, x: m.kthvalue(x, 1.5), f(4), match="k.*float"),
    row("combinations-float-r", lambda m, x: m.combinations(x, 1.5), f(3), match="r.*float"),
    row("vander-float-N", lambda m, x: m.vander(x, 1.5), f(3), match="N.*float"),
    row("histc-float-bins", lambda m, x: m.histc(x, 2.5), f(3), match="bins.*float"),
    row("histc-str-min", lambda m, x: m.histc(x, 4, "a"), f(3), match="min.*str"),
    row("bincount-float-minlength", lambda m, x: m.bincount(x, minlength=1.5), i(3), match="minlength.*float"),
    row("diff-float-n", lambda m, x: m.diff(x, 1.5), f(3), match="n.*float"),
    row("roll-float-shifts", lambda m, x: x.roll(1.5, 0), f(3), match="shifts.*float"),
    row("view-float", lambda m, x: x.view(6.0), f(2, 3), match="float"),
    row("permute-str", lambda m, x: x.permute("ab"), f(2, 3), match="str"),
    row("unsqueeze-float-dim", lambda m, x: x.unsqueeze(1.5), f(2, 3), match="dim.*float"),
    row("transpose-float-dim", lambda m, x: m.transpose(x, 0, 1.0), f(2, 3), match="float"),
    row("cumsum-float-dim", lambda m, x: x.cumsum(1.0), f(2, 3), match="dim.*float"),
    row("argmax-float-dim", lambda m, x: x.argmax(1.0), f(2, 3), match="dim.*float"),
    row("amax-float-dim", lambda m, x: m.amax(x, 1.0), f(2, 3), match="dim.*float"),
    row("sum-float-in-dims", lambda m, x: x.sum((0, 1.0)), f(2, 3), match="float"),
    row("flip-float-dims", lambda m, x: m.flip(x, (1.0,)), f(2, 3), match="float"),
    row("index_select-float-dim", lambda m, x, k: x.index_select(0.0, k), f(3), i(1), match="dim.*float"),
    row("sum-keepdim-str", lambda m, x: x.sum(0, keepdim="yes"), f(2, 3), match="keepdim.*str"),
    row("amax-keepdim-int", lambda m, x: m.amax(x, 0, keepdim=1), f(2, 3), match="keepdim.*int"),
    row("mean-keepdim-none", lambda m, x: x.mean(0, keepdim=None), f(2, 3), match="keepdim.*NoneType"),
    row("max-keepdim-str", lambda m, x: m.max(x, 0, "abc"), f(2, 3)),
    row("logsumexp-keepdim-str", lambda m, x: m.logsumexp(x, 0, "abc"), f(2, 3), match="keepdim.*str"),
    row("logit-str-eps", lambda m, x: m.logit(x, "a"), f(3), match="eps.*str"),
    row("nan_to_num-str-nan", lambda m, x: m.nan_to_num(x, "a"), f(3), match="nan.*str"),
    row("nan_to_num-list-posinf", lambda m, x: m.nan_to_num(x, 0.0, [1.0]), f(3), match="posinf.*list"),
    row("float_power-str", lambda m, x: m.float_power(x, "a"), f(3)),
    row("pinverse-str-rcond", lambda m, x: m.pinverse(x, "a"), f(2, 2), match="rcond.*str"),
    row("cdist-str-p", lambda m, x: m.cdist(x, x, p="a"), f(2, 2), match="p.*str"),
    row("normal-str-mean", lambda m: m.normal("a", 1.0, (2,))),
    row("masked_fill-str-value", lambda m, x: x.masked_fill(x > 1, "a"), f(3)),
    row("index_fill-str-value", lambda m, x, k: x.index_fill(0, k, "a"), f(3), i(1)),
    row("scatter-str-value", lambda m, x, k: x.scatter(0, k, "a"), f(3), i(1)),
    row("can_cast-tensor", lambda m, x: m.can_cast(x, m.float32), f(3), match="Tensor"),
    row("promote_types-tensor", lambda m, x: m.promote_types(x, m.float32), f(3), match="Tensor"),
    row("type-int", lambda m, x: x.type(5), f(3)),
    row("add-str", lambda m, x: m.add(x, "a"), f(3)),
    row("where-str", lambda m, c, x: m.where(c, x, "a"), b(3), f(3)),
    row("pow-str", lambda m, x: m.pow(x, "a"), f(3)),
    row("view_as-str", lambda m, x: x.view_as("abc"), f(3), match="other.*str"),
    row("expand_as-none", lambda m, x: x.expand_as(None), f(3), match="other.*NoneType"),
    row("reshape_as-list", lambda m, x: x.reshape_as([1.0]), f(3), match="other.*list"),
    row("type_as-str", lambda m, x: x.type_as("abc"), f(3), match="other.*str"),
    row("normal_-str-mean", lambda m, x: x.normal_("a"), f(3), match="mean.*str"),
    row("cauchy_-str", lambda m, x: x.cauchy_("a"), f(3), match="median.*str"),
    row("log_normal_-str", lambda m, x: x.log_normal_("a"), f(3), match="mean.*str"),
    row("uniform_-str", lambda m, x: x.uniform_("a", 1.0), f(3)),
    row("polygamma-float-n", lambda m, x: m.polygamma(1.5, x), f(3), match="n.*float"),
    row("dist-int-int", lambda m, x: m.dist(x, x), i(3), match="Long"),
    row("searchsorted-bool-bool", lambda m, s: m.searchsorted(s, s), b(3), match="Bool"),
    row("normal-int-mean", lambda m, x, s: m.normal(x, s), i(3), f(3), match="Long"),
]


# Calls ember refused (or crashed on) where PyTorch gives a result: each must now match torch's result.
ACCEPTED = [
    pytest.param(lambda m: m.zeros(0).repeat(-1), id="repeat-negative-of-nothing"),
    pytest.param(lambda m: m.ones(2, 3).copy_(1.5), id="copy_-number"),
    pytest.param(lambda m: m.ones(2, dtype=m.int64).copy_(2.7), id="copy_-float-into-int"),
    pytest.param(lambda m: m.dist(m.arange(3), m.ones(3)), id="dist-int-float"),
    pytest.param(lambda m: m.searchsorted(m.tensor([False, True]), m.tensor([0.5])), id="searchsorted-bool-float"),
    pytest.param(lambda m: m.nan_to_num(m.tensor([float("nan"), 1.0]), None), id="nan_to_num-none"),
    pytest.param(lambda m: m.poisson(m.tensor(0.0)), id="poisson-0d"),
    pytest.param(lambda m: m.histogram(m.tensor([1.0, 2.0, 2.5])).hist, id="histogram-default-bins"),
    pytest.param(lambda m: m.diag(m.ones(2, 2), m.tensor(1)), id="diag-0d-int-tensor-offset"),
    pytest.param(lambda m: m.narrow(m.arange(4), 0, m.tensor(1), 2), id="narrow-0d-tensor-start"),
    pytest.param(lambda m: m.add(m.ones(2), 1, alpha=2), id="add-int-alpha"),
    pytest.param(lambda m: m.add(m.ones(2, dtype=m.int64), 1.5, alpha=0.5), id="add-float-alpha-float-other"),
]


@pytest.mark.parametrize("call", ACCEPTED)
def test_torch_accepts_so_ember_does(call):
    same_result(call)


CASES = ELEMENTWISE + REDUCTION + SHAPE + INDEXING + LINALG + CREATION + AUTOGRAD + STATISTICS + COMBINATORICS \
    + QUERIES + WRONG_TYPES


# Phrases only NumPy's own errors use; an ember message speaks of dimensions and Tensors.
NUMPY_WORDING = re.compile(r"\baxis\b|ufunc|dtype\('|operands could not be broadcast|numpy|ndarray|array")


def _torch_message(fn, inputs):
    """The message of the exception torch raises for ``fn`` (tensors made from ``inputs`` as same_error does)."""
    tensors = [torch.from_numpy(np.array(x)) if isinstance(x, np.ndarray) else x for x in inputs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn(torch, *tensors)
        except Exception as exc:   # noqa: BLE001 - any exception; same_error has checked its type
            return str(exc)
    raise AssertionError("torch did not raise")


@pytest.mark.parametrize("fn, inputs, match", CASES)
def test_bad_input_raises_torch_error(fn, inputs, match):
    error = same_error(fn, *inputs, match=match)
    assert type(error).__module__ == "builtins" or isinstance(error, ember.linalg.LinAlgError), \
        f"{type(error).__module__}.{type(error).__name__} leaked through: {error}"
    assert str(error), "the message must say what was expected and what came"
    torch_message = _torch_message(fn, inputs)
    if not NUMPY_WORDING.search(torch_message):     # from_numpy and .numpy() speak of NumPy in PyTorch too
        assert not NUMPY_WORDING.search(str(error)), f"NumPy's wording leaked through: {error}"
    if match is not None:
        assert re.search(match, torch_message), "the row's pattern must name what torch's message names"


def test_table_is_large():
    assert len(CASES) >= 150


# ============================================================================= CUDA: not in this build

CUDA_CALLS = [
    lambda m: m.zeros(2, device="cuda"),
    lambda m: m.ones(2, device="cuda:0"),
    lambda m: m.tensor([1.0], device="cuda"),
    lambda m: m.randn(2, device="cuda"),
    lambda m: m.arange(3, device="cuda"),
    lambda m: m.empty(2, device=m.device("cuda", 0)),
    lambda m: m.ones(2).to("cuda"),
    lambda m: m.ones(2).to(device="cuda"),
    lambda m: m.ones(2).cuda(),
    lambda m: m.zeros_like(m.ones(2), device="cuda"),
]


@pytest.mark.parametrize("call", CUDA_CALLS)
def test_cuda_unavailable(call):
    if torch is not None and torch.cuda.is_available():
        pytest.skip("this check is for a build without CUDA")
    with pytest.raises(RuntimeError, match="CUDA.*(not available|not compiled|compiled)|not compiled with CUDA"):
        call(ember)


# ============================================================================= linear algebra failures on values

@pytest.mark.parametrize("call", [
    lambda m: m.linalg.inv(m.zeros(2, 2, dtype=m.float64)),
    lambda m: m.linalg.cholesky(-m.eye(2, dtype=m.float64)),
    lambda m: m.linalg.solve(m.zeros(2, 2, dtype=m.float64), m.ones(2, dtype=m.float64)),
])
def test_linalg_errors_on_values(call):
    with pytest.raises(torch.linalg.LinAlgError):
        call(torch)
    with pytest.raises(ember.linalg.LinAlgError) as info:
        call(ember)
    assert isinstance(info.value, RuntimeError), "LinAlgError is a RuntimeError, as in PyTorch"
