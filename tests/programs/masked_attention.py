"""Multi-head attention written by hand over a padded batch: einsum, masked_fill, a stable softmax, backward."""

import math

import numpy as np


def stable_softmax(scores, dim):
    shifted = scores - scores.amax(dim=dim, keepdim=True)
    weights = shifted.exp()
    return weights / weights.sum(dim=dim, keepdim=True)


def stable_log_softmax(scores, dim):
    return scores - scores.logsumexp(dim=dim, keepdim=True)


def run(torch):
    rng = np.random.default_rng(8)
    batch, seq, d_model, heads = 3, 5, 8, 2
    lengths = torch.tensor([5, 3, 1])
    x = torch.from_numpy(rng.standard_normal((batch, seq, d_model)).astype(np.float32))
    Wq, Wk, Wv, Wo = (torch.from_numpy((rng.standard_normal((d_model, d_model)) / math.sqrt(d_model))
                                       .astype(np.float32)).requires_grad_() for _ in range(4))

    padding = torch.arange(seq)[None, :] >= lengths[:, None]                 # (batch, seq), True at pads
    def split_heads(t):
        return t.view(batch, seq, heads, d_model // heads).transpose(1, 2)    # (batch, heads, seq, d_head)

    q, k, v = split_heads(x @ Wq), split_heads(x @ Wk), split_heads(x @ Wv)
    scores = torch.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(d_model // heads)
    scores = scores.masked_fill(padding[:, None, None, :], float("-inf"))
    causal = torch.ones(seq, seq, dtype=torch.bool).triu(diagonal=1)
    scores = scores.masked_fill(causal, -1e9)
    attn = stable_softmax(scores, dim=-1)
    context = torch.einsum("bhqk,bhkd->bhqd", attn, v).transpose(1, 2).reshape(batch, seq, d_model)
    out = context @ Wo

    keep = (~padding).unsqueeze(-1).float()
    pooled = (out * keep).sum(1) / keep.sum(1)
    log_probs = stable_log_softmax(pooled, dim=-1)
    loss = -log_probs[:, 0].mean() + out.pow(2).mean()
    loss.backward()
    return {"attn": attn, "attn_row_sums": attn.sum(-1), "out": out, "pooled": pooled, "loss": loss,
            "log_probs": log_probs, "grad_Wq": Wq.grad, "grad_Wk": Wk.grad, "grad_Wv": Wv.grad, "grad_Wo": Wo.grad,
            "max_attn_on_pads": attn.masked_select(padding[:, None, None, :].expand_as(attn)).abs().max()}
