"""``nn.MultiheadAttention``: attention over several heads with learned input and output projections.

Parameter names, shapes and initialisation are PyTorch's (``in_proj_weight`` packing the query,
key and value projections, or ``q_proj_weight``/``k_proj_weight``/``v_proj_weight`` when ``kdim``
or ``vdim`` differ from ``embed_dim``; ``out_proj``; ``bias_k``/``bias_v``), so state_dicts move
both ways. PyTorch lists this layer in ``torch.nn.modules.activation``; ember keeps it here and
re-exports it there.

In evaluation without gradients, PyTorch runs batch-first self-attention through a fused
"fast path" whose numbers are the same except in two corners: fully masked rows give NaN (not
zeros) and the ``is_causal`` hint is ignored. ``_fast_path_applies`` follows PyTorch's own
conditions so those corners match too.
"""

from ... import _creation
from ...autograd import grad_mode
from .. import init
from ..functional import attention as _attention
from ..parameter import Parameter
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention"]


class NonDynamicallyQuantizableLinear(Linear):
    """A plain Linear layer; PyTorch uses this class for ``MultiheadAttention.out_proj`` (a quantization marker).

    >>> NonDynamicallyQuantizableLinear(4, 2)(ember.ones(3, 4)).shape
    ember.Size([3, 2])
    """


def _requires_grad(tensor):
    return tensor is not None and tensor.requires_grad


class MultiheadAttention(Module):
    """Multi-head attention (Vaswani et al.): project, attend per head, concatenate, project back.

    Inputs are (L, N, E) (or (N, L, E) with ``batch_first``, or unbatched (L, E)); the call
    returns the output and, with ``need_weights``, the attention weights.

    >>> mha = ember.nn.MultiheadAttention(8, 2, batch_first=True)
    >>> x = ember.ones(3, 5, 8)
    >>> out, weights = mha(x, x, x)
    >>> out.shape, weights.shape
    (ember.Size([3, 5, 8]), ember.Size([3, 5, 5]))
    """

    __constants__ = ["batch_first"]

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        factory = {"device": device, "dtype": dtype}
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        self._make_projections(bias, factory)
        if add_bias_kv:
            self.bias_k = Parameter(_creation.empty((1, 1, embed_dim), **factory))
            self.bias_v = Parameter(_creation.empty((1, 1, embed_dim), **factory))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _make_projections(self, bias, factory):
        """``in_proj_weight`` (3E, E), or three separate weights when key or value have other sizes; biases."""
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(_creation.empty((3 * e, e), **factory))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(_creation.empty((e, e), **factory))
            self.k_proj_weight = Parameter(_creation.empty((e, self.kdim), **factory))
            self.v_proj_weight = Parameter(_creation.empty((e, self.vdim), **factory))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(_creation.empty(3 * e, **factory))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(e, e, bias=bias, **factory)

    def _reset_parameters(self):
        """Xavier-uniform projections, zero biases, Xavier-normal ``bias_k``/``bias_v`` (PyTorch's choice)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def __setstate__(self, state):
        state.setdefault("_qkv_same_embed_dim", True)
        super().__setstate__(state)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        float_masks = any(m is not None and m.dtype.is_floating_point for m in (attn_mask, key_padding_mask))
        key_padding_mask = _attention._canonical_mask(key_padding_mask, "key_padding_mask",
                                                      _attention._none_or_dtype(attn_mask), "attn_mask", query.dtype)
        attn_mask = _attention._canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        fast = not float_masks and self._fast_path_applies(query, key, value)
        if fast:
            is_causal = False           # PyTorch's fused kernel takes the masks only
        batched = _attention._mha_shape_check(query, key, value, key_padding_mask, attn_mask, self.num_heads)
        separate = not self._qkv_same_embed_dim
        return _attention._multi_head_attention_call(
            query, key, value, batched, batch_first=self.batch_first, fast_path=fast,
            embed_dim_to_check=self.embed_dim, num_heads=self.num_heads, in_proj_weight=self.in_proj_weight,
            in_proj_bias=self.in_proj_bias, bias_k=self.bias_k, bias_v=self.bias_v,
            add_zero_attn=self.add_zero_attn, dropout_p=self.dropout, out_proj_weight=self.out_proj.weight,
            out_proj_bias=self.out_proj.bias, training=self.training, key_padding_mask=key_padding_mask,
            need_weights=need_weights, attn_mask=attn_mask, use_separate_proj_weight=separate,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            static_k=None, static_v=None, average_attn_weights=average_attn_weights, is_causal=is_causal)

    def _fast_path_applies(self, query, key, value):
        """PyTorch's conditions for its fused inference kernel (``torch._native_multi_head_attention``)."""
        if query.ndim != 3 or query is not key or key is not value:
            return False
        if self.in_proj_bias is None or self.in_proj_weight is None:
            return False
        if query.dtype is not self.in_proj_bias.dtype or query.dtype is not self.in_proj_weight.dtype:
            return False
        if self.training or self.num_heads % 2 or not self.batch_first:
            return False
        if self.bias_k is not None or self.bias_v is not None or self.add_zero_attn or not self._qkv_same_embed_dim:
            return False
        tensors = (query, self.in_proj_weight, self.in_proj_bias, self.out_proj.weight, self.out_proj.bias)
        return not (grad_mode.is_grad_enabled() and any(_requires_grad(t) for t in tensors))

    def _fused_self_attention(self, x, attn_mask, key_padding_mask):
        """Self-attention as in PyTorch's fused encoder-layer kernel: canonical masks only, no causal hint."""
        return _attention._multi_head_attention_call(
            x, x, x, True, batch_first=True, fast_path=True, embed_dim_to_check=self.embed_dim,
            num_heads=self.num_heads, in_proj_weight=self.in_proj_weight, in_proj_bias=self.in_proj_bias,
            bias_k=None, bias_v=None, add_zero_attn=False, dropout_p=0.0, out_proj_weight=self.out_proj.weight,
            out_proj_bias=self.out_proj.bias, training=False, key_padding_mask=key_padding_mask,
            need_weights=False, attn_mask=attn_mask, use_separate_proj_weight=False, q_proj_weight=None,
            k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
            is_causal=False)[0]

    def merge_masks(self, attn_mask, key_padding_mask, query):
        """The attention and key-padding masks combined for (N, L, E) self-attention, and the mask type.

        Type 0 would be an attention mask alone (PyTorch reports it as 2 once expanded), 1 a
        key-padding mask alone, 2 both (or an attention mask), expanded to (N, heads, L, L).

        >>> mha = ember.nn.MultiheadAttention(4, 2, batch_first=True)
        >>> mha.merge_masks(None, ember.zeros(3, 5), ember.ones(3, 5, 4))[1]
        1
        """
        mask_type, merged = None, None
        if key_padding_mask is not None:
            mask_type, merged = 1, key_padding_mask
        if attn_mask is not None:
            batch, length, _ = query.shape
            mask_type = 2
            if attn_mask.ndim == 3:
                merged = attn_mask.reshape(batch, -1, length, length)
            else:
                merged = attn_mask.reshape(1, 1, length, length).expand(batch, self.num_heads, -1, -1)
            if key_padding_mask is not None:
                merged = merged + key_padding_mask.reshape(batch, 1, 1, length).expand(-1, self.num_heads, -1, -1)
        return merged, mask_type
