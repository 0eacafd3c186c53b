"""Gaussian-process regression: RBF kernel by cdist, Cholesky solves, and hyperparameters fit by marginal likelihood."""

import math

import numpy as np


def rbf(x1, x2, log_lengthscale, log_variance):
    squared_distances = (x1.unsqueeze(1) - x2.unsqueeze(0)).pow(2).sum(-1)
    return log_variance.exp() * (-0.5 * squared_distances / log_lengthscale.exp() ** 2).exp()


def negative_log_marginal_likelihood(torch, x, y, params):
    log_lengthscale, log_variance, log_noise = params
    n = x.shape[0]
    K = rbf(x, x, log_lengthscale, log_variance) + (log_noise.exp() + 1e-6) * torch.eye(n, dtype=x.dtype)
    L = torch.linalg.cholesky(K)
    alpha = torch.linalg.solve_triangular(L.T, torch.linalg.solve_triangular(L, y, upper=False), upper=True)
    data_fit = 0.5 * (y * alpha).sum()
    complexity = L.diagonal().log().sum()
    return data_fit + complexity + 0.5 * n * math.log(2 * math.pi), L, alpha


def run(torch):
    rng = np.random.default_rng(12)
    x = torch.from_numpy(np.sort(rng.uniform(0, 6, 25))).unsqueeze(1)
    y = torch.sin(x) + 0.1 * torch.from_numpy(rng.standard_normal((25, 1)))
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (0.0, 0.0, -2.0)]

    history = []
    for _step in range(25):
        nll, L, alpha = negative_log_marginal_likelihood(torch, x, y, params)
        grads = torch.autograd.grad(nll, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p -= 0.02 * g.clamp(-10, 10)
        history.append(nll.item())

    with torch.no_grad():
        nll, L, alpha = negative_log_marginal_likelihood(torch, x, y, params)
        x_test = torch.linspace(0, 6, 9, dtype=torch.float64).unsqueeze(1)
        K_star = rbf(x_test, x, params[0], params[1])
        mean = K_star @ alpha
        v = torch.linalg.solve_triangular(L, K_star.T, upper=False)
        variance = params[1].exp() - v.pow(2).sum(0)
        cdist_kernel = params[1].exp() * torch.exp(-0.5 * torch.cdist(x_test, x).pow(2) / params[0].exp() ** 2)
    return {"nll_curve": history, "params": [p.detach() for p in params], "mean": mean.squeeze(1),
            "std": variance.clamp(min=0).sqrt(), "kernel_via_cdist": cdist_kernel, "kernel": K_star,
            "truth_error": (mean - torch.sin(x_test)).abs().max()}
