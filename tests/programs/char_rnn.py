"""A character-level Elman RNN: embedding lookup, truncated BPTT, gradient-norm clipping, greedy decoding."""

import numpy as np

TEXT = "the quick brown fox jumps over the lazy dog. " * 3


def run(torch):
    vocab = sorted(set(TEXT))
    stoi = {ch: i for i, ch in enumerate(vocab)}
    data = torch.tensor([stoi[ch] for ch in TEXT], dtype=torch.long)
    V, H, seq_len = len(vocab), 24, 16

    rng = np.random.default_rng(13)
    def param(*shape, scale):
        return torch.tensor(rng.standard_normal(shape) * scale, dtype=torch.float32, requires_grad=True)
    embedding, W_xh, W_hh, W_hy = param(V, H, scale=0.1), param(H, H, scale=0.1), param(H, H, scale=0.1), \
        param(H, V, scale=0.1)
    b_h = torch.zeros(H, requires_grad=True)
    params = [embedding, W_xh, W_hh, W_hy, b_h]

    losses, norms = [], []
    h = torch.zeros(1, H)
    for step in range(40):
        start = (step * seq_len) % (len(data) - seq_len - 1)
        inputs, targets = data[start:start + seq_len], data[start + 1:start + seq_len + 1]
        x = embedding.index_select(0, inputs)
        h = h.detach()
        outputs = []
        for t in range(seq_len):
            h = torch.tanh(x[t:t + 1] @ W_xh + h @ W_hh + b_h)
            outputs.append(h)
        logits = torch.cat(outputs) @ W_hy
        loss = (logits.logsumexp(1) - logits.gather(1, targets.view(-1, 1)).squeeze(1)).mean()
        for p in params:
            p.grad = None
        loss.backward()
        total_norm = torch.stack([p.grad.norm() for p in params]).norm()
        scale = (0.5 / (total_norm + 1e-6)).clamp(max=1.0)
        with torch.no_grad():
            for p in params:
                p.grad.mul_(scale)
                p.add_(p.grad, alpha=-1.0)
        losses.append(loss.item())
        norms.append(total_norm.item())

    with torch.no_grad():
        h, token, generated = torch.zeros(1, H), data[:1], []
        for _ in range(20):
            h = torch.tanh(embedding[token] @ W_xh + h @ W_hh + b_h)
            token = (h @ W_hy).argmax(dim=1)
            generated.append(vocab[token.item()])
    return {"losses": losses, "grad_norms": norms, "sample": "".join(generated), "embedding": embedding,
            "W_hh": W_hh, "vocab_size": V}
