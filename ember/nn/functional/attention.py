"""ember.nn.functional: attention (``scaled_dot_product_attention`` and ``multi_head_attention_forward``).

Attention runs as batched matrix products over every head at once, never a loop over heads.
``AttentionWeights`` is the fused step ``softmax(scale * q @ k^T + bias)``: the product of the
scaled query and the key, then bias and softmax in place on the product's own memory, a block of
rows at a time (so the passes stay in the cache); the weighted sum of the values is one more
product. Its backward is written in Tensor ops from the saved weights (an output,
so second derivatives follow), with a plain-array path when no graph is being built.

Fully masked rows follow PyTorch 2.13 on CPU: ``scaled_dot_product_attention`` gives them zero
weights (PyTorch's ``_safe_softmax``), while ``multi_head_attention_forward`` with
``need_weights=True`` and the layers' inference fast path use a plain softmax, which gives NaN.
"""

import math
import warnings

import numpy as np

from ... import _dtype
from ..._device import array_module
from ..._tensor import Tensor
from ...autograd import grad_mode
from ...autograd.function import Primitive
from ...ops._util import broadcast_shapes, c_type_name
from ...ops.dropout import dropout as _dropout
from ...ops.linalg import Matmul
from ...ops.linear import linear as _linear
from ...ops.shape import cat

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


# ----------------------------------------------------------------------------- the fused attention weights

# Scores are computed and normalised a block of leading rows at a time, about this many elements per
# block, so that the softmax's passes over them run in the cache instead of main memory.
_BLOCK_ELEMENTS = 1 << 17


def _softmax_rows_inplace(xp, scores, safe):
    """Softmax over the last dimension of ``scores``, in its own memory.

    With ``safe``, rows whose every score is -inf (fully masked) become zeros instead of NaN.
    The row maxima come from ``fmax`` (several times faster than ``max`` in NumPy); a NaN it
    skips still makes its whole row NaN through the sum, as ``max`` would.
    """
    if scores.size == 0:
        return
    peak = xp.fmax.reduce(scores, axis=-1, keepdims=True)
    masked_rows = xp.isneginf(peak) if safe else None
    if masked_rows is not None and masked_rows.any():
        peak[masked_rows] = 0
    else:
        masked_rows = None
    scores -= peak
    xp.exp(scores, out=scores)
    total = scores.sum(axis=-1, keepdims=True)
    if masked_rows is not None:
        total[masked_rows] = 1
    scores /= total


def _row_blocks(shape):
    """Slices of the first dimension of an array of ``shape``, each about ``_BLOCK_ELEMENTS`` elements."""
    if len(shape) < 3 or 0 in shape:
        return [slice(None)]
    rows = max(1, _BLOCK_ELEMENTS // math.prod(shape[1:]))
    return [slice(start, start + rows) for start in range(0, shape[0], rows)]


def _leading(array, rows, ndim):
    """The part of ``array`` (which broadcasts against an ``ndim``-dimensional result) for result rows ``rows``."""
    if array.ndim < ndim or array.shape[0] == 1:
        return array
    return array[rows]


class AttentionWeights(Primitive):
    """``softmax(scale * query @ key^T + bias)`` over the last dimension, fused; batch dimensions broadcast."""

    @staticmethod
    def forward(ctx, query, key, bias, *, scale, safe):
        xp = array_module(query)
        batch = np.broadcast_shapes(query.shape[:-2], key.shape[:-2])
        scores = xp.empty(batch + (query.shape[-2], key.shape[-2]), dtype=query.dtype)
        ndim = scores.ndim
        scaled = query * query.dtype.type(scale)        # scaling the smaller operand saves a pass over the scores
        with np.errstate(invalid="ignore", over="ignore"):
            for rows in _row_blocks(scores.shape):
                block = scores[rows]
                xp.matmul(_leading(scaled, rows, ndim), xp.swapaxes(_leading(key, rows, ndim), -1, -2), out=block)
                if bias is not None:
                    block += _leading(bias, rows, ndim)
                _softmax_rows_inplace(xp, block, safe)
        ctx.scale = scale
        ctx.save_for_backward(query, key, scores)
        return scores

    @staticmethod
    def backward(ctx, grad):
        query, key, weights = ctx.saved_tensors
        needs = ctx.needs_input_grad
        if not grad_mode.is_grad_enabled():
            return _attention_weights_backward_arrays(ctx, grad._data, query._data, key._data, weights._data)
        d_scores = weights * (grad - (grad * weights).sum(-1, keepdim=True))
        d_query = d_scores.matmul(key) * ctx.scale if needs[0] else None
        d_key = d_scores.mT.matmul(query) * ctx.scale if needs[1] else None
        return d_query, d_key, d_scores if needs[2] else None


def _attention_weights_backward_arrays(ctx, grad, query, key, weights):
    """The same gradients on plain arrays (no graph to record): two products and a few passes in place."""
    xp = array_module(grad)
    needs = ctx.needs_input_grad
    with np.errstate(invalid="ignore"):
        d_scores = grad * weights
        total = d_scores.sum(axis=-1, keepdims=True)
        xp.subtract(grad, total, out=d_scores)
        d_scores *= weights
    d_query = d_key = None
    if needs[0]:
        d_query = xp.matmul(d_scores, key)
        d_query *= ctx.scale
        d_query = Tensor._make(d_query)
    if needs[1]:
        d_key = xp.matmul(xp.swapaxes(d_scores, -1, -2), query)
        d_key *= ctx.scale
        d_key = Tensor._make(d_key)
    return d_query, d_key, Tensor._make(d_scores) if needs[2] else None


_LOW_PRECISION = ("float16", "bfloat16")


def _attend(query, key, value, bias, dropout_p, scale, safe):
    """``dropout(softmax(scale * q @ k^T + bias)) @ v`` and the attention weights (after dropout).

    The operands are made contiguous first: NumPy's batched products on strided head views
    (slices of a packed projection) run several times slower than a copy followed by the product.
    """
    dtype = query.dtype
    if dtype.name in _LOW_PRECISION:      # as PyTorch's math kernel: half-precision intermediates in float32
        query, key, value = (t.to(_dtype.float32) for t in (query, key, value))
        if bias is not None and bias.dtype.name in _LOW_PRECISION:
            bias = bias.to(_dtype.float32)
    query, key, value = query.contiguous(), key.contiguous(), value.contiguous()
    weights = AttentionWeights.apply(query, key, bias, scale=scale, safe=safe)
    if dropout_p > 0:
        weights = _dropout(weights, dropout_p, True)
    out = Matmul.apply(weights, value)
    if out.dtype is not dtype:
        out, weights = out.to(dtype), weights.to(dtype)
    return out, weights


# ----------------------------------------------------------------------------- scaled_dot_product_attention


def _check_tensor_argument(value, name, position):
    if not isinstance(value, Tensor):
        raise TypeError(f"scaled_dot_product_attention(): argument '{name}' (position {position}) must be Tensor, "
                        f"not {type(value).__name__}")


def _number(value, name, optional=False):
    """A float argument of scaled_dot_product_attention (bools and 1-element tensors pass, as in PyTorch)."""
    if value is None and optional:
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, Tensor) and value.numel() == 1:
        return float(value.item())
    raise TypeError(f"scaled_dot_product_attention(): argument '{name}' must be float, not {type(value).__name__}")


def _check_sdpa_inputs(query, key, value, attn_mask, dropout_p, is_causal):
    """PyTorch's checks of scaled_dot_product_attention's arguments, in its order."""
    for position, (name, tensor) in enumerate((("query", query), ("key", key), ("value", value)), start=1):
        _check_tensor_argument(tensor, name, position)
    if attn_mask is not None and not isinstance(attn_mask, Tensor):
        raise TypeError(f"scaled_dot_product_attention(): argument 'attn_mask' must be Tensor, not "
                        f"{type(attn_mask).__name__}")
    if is_causal is not True and is_causal is not False:
        raise TypeError(f"scaled_dot_product_attention(): argument 'is_causal' must be bool, not "
                        f"{type(is_causal).__name__}")
    if not (query.dtype is key.dtype is value.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{c_type_name(query.dtype)} key.dtype: {c_type_name(key.dtype)} and value.dtype: "
                           f"{c_type_name(value.dtype)} instead.")
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{query.ndim} key.dim: {key.ndim} and value.dim: {value.ndim} instead.")
    if attn_mask is not None and attn_mask.dtype is not _dtype.bool and attn_mask.dtype is not _dtype.float32 \
            and attn_mask.dtype is not query.dtype:
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {c_type_name(attn_mask.dtype)} and  query.dtype: "
                           f"{c_type_name(query.dtype)} instead.")
    if attn_mask is not None and is_causal:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if dropout_p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {_plain(dropout_p)}")
    if not query.dtype.is_floating_point:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: float != "
                           f"{c_type_name(query.dtype)}")


def _plain(number):
    """A float printed as PyTorch's C++ prints it (``2`` for 2.0)."""
    return int(number) if float(number).is_integer() else number


def _heads_for_gqa(query, key, value):
    """Key and value with their heads (dimension -3) repeated to the query's, for grouped-query attention."""
    heads = query.shape[-3]
    key_heads, value_heads = key.shape[-3], value.shape[-3]
    if heads % key_heads or heads % value_heads:
        raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
    return _repeat_heads(key, heads // key_heads), _repeat_heads(value, heads // value_heads)


def _repeat_heads(x, repeats):
    """Each head of ``x`` (dimension -3) repeated ``repeats`` times in a row (``repeat_interleave``)."""
    if repeats == 1:
        return x
    shape = tuple(x.shape)
    spread = x.unsqueeze(-3).expand(*shape[:-2], repeats, *shape[-2:])
    return spread.reshape(*shape[:-3], shape[-3] * repeats, *shape[-2:])


def _check_product_shapes(query, key, value):
    """PyTorch's messages when the query's and key's features, or the key's and value's lengths, differ."""
    batch = broadcast_shapes(tuple(query.shape[:-2]), tuple(key.shape[:-2]), tuple(value.shape[:-2]))
    count = math.prod(batch)
    if query.shape[-1] != key.shape[-1]:
        _raise_product_error(query.ndim == key.ndim == 2, count, query.shape[-2:], tuple(key.shape[-2:])[::-1])
    if key.shape[-2] != value.shape[-2]:
        _raise_product_error(key.ndim == value.ndim == 2, count, (query.shape[-2], key.shape[-2]),
                             tuple(value.shape[-2:]))


def _raise_product_error(matrices, count, left, right):
    if matrices:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({left[0]}x{left[1]} and "
                           f"{right[0]}x{right[1]})")
    raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{count}, {left[1]}] but "
                       f"got: [{count}, {right[0]}].")


def _causal_bias(length, source_length, xp, np_dtype):
    """0 on and below the diagonal (aligned at the upper left), -inf above: each query sees itself and before."""
    bias = xp.zeros((length, source_length), dtype=np_dtype)
    bias[xp.triu_indices(length, 1, source_length)] = -np.inf
    return Tensor._make(bias)


def _mask_as_bias(attn_mask, np_dtype):
    """A boolean mask (True takes part) as an additive bias: 0 where True, -inf where False."""
    if attn_mask.dtype is not _dtype.bool:
        return attn_mask
    keep = attn_mask._data
    bias = array_module(keep).zeros(keep.shape, dtype=np_dtype)
    bias[~keep] = -np.inf
    return Tensor._make(bias)


def _check_flash_mask(attn_mask, query, key, value, dropout_p):
    """PyTorch's IndexError for a mask of fewer than 2 dimensions where its CPU flash kernel runs.

    That kernel takes 4-D inputs of one batch size without dropout and reads the mask's
    dimension -2; elsewhere (other ranks, dropout) PyTorch broadcasts such masks, and so does ember.
    """
    if attn_mask.ndim >= 2 or not query.ndim == key.ndim == value.ndim == 4 or dropout_p > 0:
        return
    if query.shape[0] == key.shape[0] == value.shape[0] and query.numel() and key.numel():
        if attn_mask.ndim == 0:
            raise IndexError("Dimension specified as -2 but tensor has no dimensions")
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got -2)")


def _check_bias_shape(bias, scores_shape):
    """The mask must broadcast to the attention scores' shape without enlarging it (PyTorch adds it in place)."""
    combined = tuple(broadcast_shapes(scores_shape, tuple(bias.shape)))
    if combined != scores_shape:
        raise RuntimeError(f"output with shape {list(scores_shape)} doesn't match the broadcast shape "
                           f"{list(combined)}")


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, *, scale=None,
                                 enable_gqa=False):
    """``softmax(query @ key^T * scale + mask) @ value`` over all heads and batches at once.

    A boolean ``attn_mask`` marks with True the positions that take part; a float one is added
    to the scores. ``is_causal`` masks each query's future (aligned at the upper left);
    ``enable_gqa`` shares each key/value head among a group of query heads. Fully masked rows
    give zeros, as PyTorch's CPU kernels do.

    >>> q = ember.ones(2, 3, 4, 8)
    >>> F.scaled_dot_product_attention(q, q, q, is_causal=True).shape
    ember.Size([2, 3, 4, 8])
    """
    dropout_p = _number(dropout_p, "dropout_p")
    scale = _number(scale, "scale", optional=True)
    _check_sdpa_inputs(query, key, value, attn_mask, dropout_p, is_causal)
    if attn_mask is not None:
        _check_flash_mask(attn_mask, query, key, value, dropout_p)
    if enable_gqa:
        key, value = _heads_for_gqa(query, key, value)
    _check_product_shapes(query, key, value)
    if scale is None:
        scale = 1 / math.sqrt(query.shape[-1]) if query.shape[-1] else math.inf
    length, source_length = query.shape[-2], key.shape[-2]
    np_dtype = np.float32 if query.dtype.name in _LOW_PRECISION else query._data.dtype
    if is_causal:
        bias = _causal_bias(length, source_length, array_module(query._data), np_dtype)
    elif attn_mask is not None:
        bias = _mask_as_bias(attn_mask, np_dtype)
        batch = broadcast_shapes(tuple(query.shape[:-2]), tuple(key.shape[:-2]))
        _check_bias_shape(bias, tuple(batch) + (length, source_length))
    else:
        bias = None
    return _attend(query, key, value, bias, dropout_p, scale, safe=True)[0]


# ----------------------------------------------------------------------------- multi-head attention

def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A mask as an additive float mask (booleans: True becomes -inf), warning when its type differs from the other's.

    PyTorch's ``F._canonical_mask``: the masks of MultiheadAttention and the transformer layers go through it.
    """
    if mask is None:
        return None
    if mask.dtype is not _dtype.bool and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype is not other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      "instead.", UserWarning, stacklevel=2)
    if mask.dtype is _dtype.bool:
        bias = array_module(mask._data).zeros(mask.shape, dtype=target_type.np_dtype)
        bias[mask._data] = -np.inf
        return Tensor._make(bias)
    return mask


def _none_or_dtype(input):
    """The dtype of an optional mask."""
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """True for batched (3-D) inputs, False for unbatched (2-D) ones; PyTorch's AssertionErrors otherwise."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.ndim}-D tensor instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                                 f"but found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.ndim}-D tensor instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query "
                         "tensor")


def _in_projection(query, key, value, embed_dim, in_proj_weight, in_proj_bias, separate):
    """The query, key and value projections: one product for self-attention, two when key is value."""
    if separate is not None:
        q_weight, k_weight, v_weight = separate
        _check_separate_weights(query, key, value, q_weight, k_weight, v_weight, in_proj_bias)
        biases = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
        return (_linear(query, q_weight, biases[0]), _linear(key, k_weight, biases[1]),
                _linear(value, v_weight, biases[2]))
    if key is value and query is key:
        projected = _linear(query, in_proj_weight, in_proj_bias)
        return projected.unflatten(-1, (3, embed_dim)).unbind(-2)
    weights = in_proj_weight.split(embed_dim)
    biases = (None,) * 3 if in_proj_bias is None else in_proj_bias.split(embed_dim)
    if key is value:
        projected = _linear(key, in_proj_weight[embed_dim:],
                            None if in_proj_bias is None else in_proj_bias[embed_dim:])
        k, v = projected.unflatten(-1, (2, embed_dim)).unbind(-2)
        return _linear(query, weights[0], biases[0]), k, v
    return tuple(_linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))


def _check_separate_weights(query, key, value, q_weight, k_weight, v_weight, in_proj_bias):
    eq, ek, ev = query.shape[-1], key.shape[-1], value.shape[-1]
    for name, weight, expected in (("query", q_weight, (eq, eq)), ("key", k_weight, (eq, ek)),
                                   ("value", v_weight, (eq, ev))):
        if tuple(weight.shape) != expected:
            raise AssertionError(f"expecting {name} weights shape of {expected}, but got {weight.shape}")
    if in_proj_bias is not None and tuple(in_proj_bias.shape) != (3 * eq,):
        raise AssertionError(f"expecting query bias shape of {(eq,)}, but got {(in_proj_bias.shape[0] // 3,)}")


def _split_heads(x, num_heads, batch_first):
    """(L, N, E), or (N, L, E) when ``batch_first``, as (N, heads, L, E / heads)."""
    if batch_first:
        batch, length, features = x.shape
        return x.reshape(batch, length, num_heads, features // num_heads).permute(0, 2, 1, 3)
    length, batch, features = x.shape
    return x.reshape(length, batch, num_heads, features // num_heads).permute(1, 2, 0, 3)


def _merge_heads(x, batch_first):
    """(N, heads, L, head_dim) back to (L, N, E), or (N, L, E) when ``batch_first``."""
    batch, heads, length, head_dim = x.shape
    order = (0, 2, 1, 3) if batch_first else (2, 0, 1, 3)
    shape = (batch, length, heads * head_dim) if batch_first else (length, batch, heads * head_dim)
    return x.permute(*order).reshape(shape)


def _pad_column(mask):
    """A float mask with one more (zero) column: the key added by ``bias_k`` or ``add_zero_attn``."""
    if mask is None:
        return None
    zeros = Tensor._make(array_module(mask._data).zeros(tuple(mask.shape[:-1]) + (1,), dtype=mask._data.dtype))
    return cat((mask, zeros), -1)


def _attn_mask_as_heads(attn_mask, batch, num_heads, length, source_length):
    """A 2-D (L, S) or 3-D (N * heads, L, S) attention mask, checked, as (1, 1, L, S) or (N, heads, L, S)."""
    if attn_mask.ndim == 2:
        if tuple(attn_mask.shape) != (length, source_length):
            raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                               f"{(length, source_length)}.")
        return attn_mask.reshape(1, 1, length, source_length)
    if attn_mask.ndim == 3:
        if tuple(attn_mask.shape) != (batch * num_heads, length, source_length):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                               f"{(batch * num_heads, length, source_length)}.")
        return attn_mask.reshape(batch, num_heads, length, source_length)
    raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")


def _static_heads(static, name, batch, num_heads, head_dim):
    """A precomputed key or value (N * heads, S, head_dim) as (N, heads, S, head_dim)."""
    if static.shape[0] != batch * num_heads:
        raise AssertionError(f"expecting {name}.size(0) of {batch * num_heads}, but got {static.shape[0]}")
    if static.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.shape[2]}")
    return static.reshape(batch, num_heads, static.shape[1], head_dim)


def _append_key(heads, row):
    """Heads (N, H, S, D) with one more key position, ``row`` (N or 1, H, 1, D), at the end."""
    return cat((heads, row.expand(heads.shape[0], -1, -1, -1)), 2)


def _check_key_padding_mask(key_padding_mask, source_length, batch):
    if key_padding_mask.shape[0] != batch:
        raise AssertionError(f"Expected key_padded_mask.shape[0] to be {batch}, but got {key_padding_mask.shape[0]}")
    if key_padding_mask.shape[1] != source_length:
        raise AssertionError(f"Expected key_padded_mask.shape[1] to be {source_length}, but got "
                             f"{key_padding_mask.shape[1]}")


class _Attention:
    """The arguments of one multi-head attention call, once checked (a record, so the steps stay small)."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def _multi_head_attention(query, key, value, a):
    """Multi-head attention on batched inputs in ``a.batch_first`` layout; returns (output, weights or None).

    ``a`` carries the weights, masks (already canonical) and options. Heads are a batch
    dimension of the products, and masks broadcast over heads rather than being copied.
    """
    if a.batch_first:
        batch, length, embed_dim = query.shape
        source_length = key.shape[1]
    else:
        length, batch, embed_dim = query.shape
        source_length = key.shape[0]
    if embed_dim != a.embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {a.embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // a.num_heads
    if head_dim * a.num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {a.num_heads}")
    _check_key_value_shapes(key, value, a.use_separate_proj_weight, a.batch_first)
    separate = (a.q_proj_weight, a.k_proj_weight, a.v_proj_weight) if a.use_separate_proj_weight else None
    if separate is None and a.in_proj_weight is None:
        raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
    if separate is not None:
        for name, weight in zip(("q_proj_weight", "k_proj_weight", "v_proj_weight"), separate):
            if weight is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name} is None")
    q, k, v = _in_projection(query, key, value, embed_dim, a.in_proj_weight, a.in_proj_bias, separate)
    attn_mask = a.attn_mask
    if attn_mask is not None:
        attn_mask = _attn_mask_as_heads(attn_mask, batch, a.num_heads, length, source_length)
    key_padding_mask = a.key_padding_mask
    q = _split_heads(q, a.num_heads, a.batch_first)
    k = _split_heads(k, a.num_heads, a.batch_first)
    v = _split_heads(v, a.num_heads, a.batch_first)
    if a.bias_k is not None and a.bias_v is not None:
        if a.static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if a.static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = _append_key(k, a.bias_k.reshape(1, a.num_heads, 1, head_dim))
        v = _append_key(v, a.bias_v.reshape(1, a.num_heads, 1, head_dim))
        attn_mask, key_padding_mask = _pad_column(attn_mask), _pad_column(key_padding_mask)
    elif a.bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif a.bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")
    if a.static_k is not None:
        k = _static_heads(a.static_k, "static_k", batch, a.num_heads, head_dim)
    if a.static_v is not None:
        v = _static_heads(a.static_v, "static_v", batch, a.num_heads, head_dim)
    if a.add_zero_attn:
        zeros = array_module(k._data).zeros((1, a.num_heads, 1, head_dim), dtype=k._data.dtype)
        k, v = _append_key(k, Tensor._make(zeros)), _append_key(v, Tensor._make(zeros.astype(v._data.dtype)))
        attn_mask, key_padding_mask = _pad_column(attn_mask), _pad_column(key_padding_mask)
    source_length = k.shape[2]
    bias = attn_mask
    if key_padding_mask is not None:
        _check_key_padding_mask(key_padding_mask, source_length, batch)
        padding = key_padding_mask.reshape(batch, 1, 1, source_length)
        bias = padding if bias is None else bias + padding
    if bias is not None:
        _check_merged_mask_dtype(bias, q.dtype, a.need_weights)
    dropout_p = a.dropout_p if a.training else 0.0
    if a.is_causal and bias is None:
        bias = _causal_bias(length, source_length, array_module(q._data), q._data.dtype)
    scale = 1 / math.sqrt(head_dim) if head_dim else math.inf
    safe = not a.need_weights and not a.fast_path
    out, weights = _attend(q, k, v, bias, dropout_p, scale, safe)
    out = _linear(_merge_heads(out, a.batch_first), a.out_proj_weight, a.out_proj_bias)
    if not a.need_weights:
        return out, None
    return out, weights.mean(1) if a.average_attn_weights else weights


def _check_merged_mask_dtype(bias, dtype, need_weights):
    """PyTorch's errors for a float mask of another type than the inputs (from baddbmm, or from SDPA)."""
    if need_weights and bias.dtype is not dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {c_type_name(bias.dtype)}, batch1: "
                           f"{c_type_name(dtype)}, batch2: {c_type_name(dtype)}")
    if not need_weights and bias.dtype is not dtype and bias.dtype is not _dtype.float32:
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {c_type_name(bias.dtype)} and  query.dtype: {c_type_name(dtype)} "
                           "instead.")


def _check_key_value_shapes(key, value, separate, batch_first):
    if separate:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")


def _prepare_masks(query, key_padding_mask, attn_mask, need_weights, is_causal):
    """PyTorch's mask handling before attention: canonical float masks, and whether the causal hint is used.

    Returns (key_padding_mask, attn_mask, is_causal).
    """
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask),
                                       "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        return None, None, True         # the hint replaces the mask
    attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
    if key_padding_mask is not None:
        is_causal = False
    return key_padding_mask, attn_mask, is_causal


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """Multi-head attention of (L, N, E) query and (S, N, E) key and value (2-D inputs: unbatched).

    Projects the inputs, attends over every head at once and projects the result back;
    returns the output and, with ``need_weights``, the attention weights (averaged over heads
    unless ``average_attn_weights=False``). Boolean masks mark with True what is masked out.

    >>> x, w = ember.ones(4, 2, 8), ember.ones(24, 8)
    >>> out, weights = F.multi_head_attention_forward(x, x, x, 8, 2, w, None, None, None, False, 0.0,
    ...                                               ember.ones(8, 8), None)
    >>> out.shape, weights.shape
    (ember.Size([4, 2, 8]), ember.Size([2, 4, 4]))
    """
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    return _multi_head_attention_call(
        query, key, value, batched, batch_first=False, fast_path=False, embed_dim_to_check=embed_dim_to_check,
        num_heads=num_heads, in_proj_weight=in_proj_weight, in_proj_bias=in_proj_bias, bias_k=bias_k, bias_v=bias_v,
        add_zero_attn=add_zero_attn, dropout_p=dropout_p, out_proj_weight=out_proj_weight,
        out_proj_bias=out_proj_bias, training=training, key_padding_mask=key_padding_mask,
        need_weights=need_weights, attn_mask=attn_mask, use_separate_proj_weight=use_separate_proj_weight,
        q_proj_weight=q_proj_weight, k_proj_weight=k_proj_weight, v_proj_weight=v_proj_weight, static_k=static_k,
        static_v=static_v, average_attn_weights=average_attn_weights, is_causal=is_causal)


def _with_batch_dimension(query, key, value):
    """Unbatched (L, E) inputs as (L, 1, E), keeping self-attention's shared tensor shared (one projection)."""
    key_batched = key.unsqueeze(1)
    value_batched = key_batched if value is key else value.unsqueeze(1)
    return (key_batched if query is key else query.unsqueeze(1)), key_batched, value_batched


def _multi_head_attention_call(query, key, value, batched, **options):
    """Unbatched inputs get a batch dimension for the duration; masks are made canonical; then attention runs."""
    if not batched:
        query, key, value = _with_batch_dimension(query, key, value)
        options["batch_first"] = False
        if options["key_padding_mask"] is not None:
            options["key_padding_mask"] = options["key_padding_mask"].unsqueeze(0)
    options["key_padding_mask"], options["attn_mask"], options["is_causal"] = _prepare_masks(
        query, options["key_padding_mask"], options["attn_mask"], options["need_weights"], options["is_causal"])
    out, weights = _multi_head_attention(query, key, value, _Attention(**options))
    if not batched:
        out = out.squeeze(1)
        weights = weights.squeeze(0) if weights is not None else None
    return out, weights
