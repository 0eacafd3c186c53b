"""Batch norm with running statistics, layer norm and group norm written by hand, with their gradients."""

import numpy as np


def batch_norm(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        mean = x.mean(dim=(0, 2, 3))
        var = x.var(dim=(0, 2, 3), unbiased=False)
        n = x.numel() // x.shape[1]
        running_mean.mul_(1 - momentum).add_(momentum * mean.detach())
        running_var.mul_(1 - momentum).add_(momentum * var.detach() * n / (n - 1))
    else:
        mean, var = running_mean, running_var
    shape = (1, -1, 1, 1)
    return (x - mean.view(shape)) * (var.view(shape) + eps).rsqrt() * gamma.view(shape) + beta.view(shape)


def layer_norm(torch, x, weight, bias, eps=1e-5):
    var, mean = torch.var_mean(x, dim=-1, keepdim=True, correction=0)
    return (x - mean) / (var + eps).sqrt() * weight + bias


def group_norm(torch, x, groups, eps=1e-5):
    n, c, h, w = x.shape
    grouped = x.reshape(n, groups, -1)
    std, mean = torch.std_mean(grouped, dim=2, keepdim=True, unbiased=False)
    return ((grouped - mean) / (std ** 2 + eps).sqrt()).reshape(n, c, h, w)


def run(torch):
    rng = np.random.default_rng(14)
    batches = [torch.from_numpy(rng.standard_normal((8, 4, 5, 5)).astype(np.float32) * 3 + 1) for _ in range(5)]
    gamma = torch.ones(4, requires_grad=True)
    beta = torch.zeros(4, requires_grad=True)
    running_mean, running_var = torch.zeros(4), torch.ones(4)

    train_outputs = []
    for x in batches:
        y = batch_norm(x, gamma, beta, running_mean, running_var, training=True)
        (y[:, :2] ** 3).mean().backward()
        train_outputs.append(y.detach()[0, :, 0, 0])
    eval_out = batch_norm(batches[0], gamma, beta, running_mean, running_var, training=False)

    tokens = torch.from_numpy(rng.standard_normal((2, 6, 10))).requires_grad_()
    ln_weight = torch.from_numpy(rng.uniform(0.5, 1.5, 10)).requires_grad_()
    ln_bias = torch.zeros(10, dtype=torch.float64, requires_grad=True)
    ln = layer_norm(torch, tokens, ln_weight, ln_bias)
    (ln * torch.arange(10, dtype=torch.float64)).sum().backward()

    gn_input = torch.from_numpy(rng.standard_normal((3, 6, 2, 2))).requires_grad_()
    gn = group_norm(torch, gn_input, groups=3)
    gn.pow(3).sum().backward()
    return {"running_mean": running_mean, "running_var": running_var, "train_outputs": train_outputs,
            "eval_out": eval_out, "grad_gamma": gamma.grad, "grad_beta": beta.grad, "ln": ln,
            "ln_stats": (ln.detach().mean(-1), ln.detach().std(-1)), "grad_tokens": tokens.grad,
            "grad_ln_weight": ln_weight.grad, "gn": gn, "grad_gn_input": gn_input.grad}
