"""A small CNN written without nn: padding by cat, im2col by Tensor.unfold, max-pooling, one-hot by scatter_."""

import numpy as np


def pad2d(torch, x, p):
    """Zero-pad the last two dims of (N, C, H, W) by ``p`` on each side using cat."""
    n, c, h, w = x.shape
    side = x.new_zeros(n, c, h, p)
    x = torch.cat([side, x, side], dim=3)
    top = x.new_zeros(n, c, p, w + 2 * p)
    return torch.cat([top, x, top], dim=2)


def conv2d(x, weight, bias):
    """Stride-1 convolution: patches (N, C, H', W', k, k) from two unfolds, then one matmul."""
    out_channels, in_channels, k, _ = weight.shape
    patches = x.unfold(2, k, 1).unfold(3, k, 1)
    n, _, h, w = patches.shape[:4]
    columns = patches.permute(0, 2, 3, 1, 4, 5).reshape(n * h * w, in_channels * k * k)
    out = columns @ weight.reshape(out_channels, -1).t() + bias
    return out.view(n, h, w, out_channels).permute(0, 3, 1, 2)


def max_pool2d(x, size):
    return x.unfold(2, size, size).unfold(3, size, size).amax(dim=(-1, -2))


def run(torch):
    rng = np.random.default_rng(11)
    images = torch.from_numpy(rng.standard_normal((4, 2, 8, 8)).astype(np.float32))
    labels = torch.tensor([0, 2, 1, 2])
    weight = torch.from_numpy((rng.standard_normal((3, 2, 3, 3)) * 0.3).astype(np.float32)).requires_grad_()
    bias = torch.zeros(3, requires_grad=True)
    head = torch.from_numpy((rng.standard_normal((3 * 4 * 4, 3)) * 0.1).astype(np.float32)).requires_grad_()

    one_hot = torch.zeros(len(labels), 3).scatter_(1, labels.unsqueeze(1), 1.0)
    losses = []
    for _step in range(8):
        features = max_pool2d(conv2d(pad2d(torch, images, 1), weight, bias).relu(), 2)
        logits = features.flatten(1) @ head
        loss = -(one_hot * (logits - logits.logsumexp(1, keepdim=True))).sum(1).mean()
        for p in (weight, bias, head):
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in (weight, bias, head):
                p.add_(p.grad, alpha=-0.3)
        losses.append(loss.item())

    padded = pad2d(torch, images, 1)
    reference = torch.zeros(4, 3, 8, 8)
    for i in range(3):
        for j in range(3):
            window = padded[:, :, i:i + 8, j:j + 8]
            reference += torch.einsum("nchw,oc->nohw", window, weight.detach()[:, :, i, j])
    reference += bias.detach().view(1, 3, 1, 1)
    return {"losses": losses, "one_hot": one_hot, "features": features, "grad_weight": weight.grad,
            "grad_bias": bias.grad, "grad_head": head.grad, "conv": conv2d(padded, weight, bias),
            "loop_conv": reference, "patch_stride": images.unfold(3, 3, 2).stride()}
