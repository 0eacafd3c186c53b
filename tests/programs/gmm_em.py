"""Expectation-maximization for a Gaussian mixture with full covariances, in log space (batched linalg)."""

import math

import numpy as np


def log_gaussian(torch, X, means, covariances):
    """log N(x | mean_k, cov_k) for every point and component: shape (N, K)."""
    L = torch.linalg.cholesky(covariances)                                  # (K, D, D)
    diff = (X.unsqueeze(0) - means.unsqueeze(1)).transpose(1, 2)           # (K, D, N)
    solved = torch.linalg.solve_triangular(L, diff, upper=False)
    mahalanobis = solved.pow(2).sum(1)                                      # (K, N)
    log_det = 2 * L.diagonal(dim1=-2, dim2=-1).log().sum(-1)                # (K,)
    d = X.shape[1]
    return (-0.5 * (mahalanobis + log_det.unsqueeze(1) + d * math.log(2 * math.pi))).T


def run(torch):
    rng = np.random.default_rng(17)
    a = rng.multivariate_normal([0, 0], [[1.0, 0.8], [0.8, 1.0]], 150)
    b = rng.multivariate_normal([4, 1], [[0.5, -0.2], [-0.2, 0.3]], 100)
    X = torch.from_numpy(np.concatenate([a, b]))
    K, D = 2, 2

    means = X[torch.tensor([0, 200])].clone()
    covariances = torch.eye(D, dtype=X.dtype).repeat(K, 1, 1)
    log_weights = torch.full((K,), -math.log(K), dtype=X.dtype)
    log_likelihoods = []
    for _it in range(12):
        joint = log_gaussian(torch, X, means, covariances) + log_weights
        log_norm = torch.logsumexp(joint, dim=1, keepdim=True)
        responsibilities = (joint - log_norm).exp()                         # E step
        log_likelihoods.append(log_norm.sum().item())

        Nk = responsibilities.sum(0)                                        # M step
        means = responsibilities.T @ X / Nk.unsqueeze(1)
        centered = X.unsqueeze(0) - means.unsqueeze(1)                      # (K, N, D)
        weighted = centered * responsibilities.T.unsqueeze(-1)
        covariances = weighted.transpose(1, 2) @ centered / Nk.view(K, 1, 1) + 1e-6 * torch.eye(D, dtype=X.dtype)
        log_weights = (Nk / X.shape[0]).log()

    sign, logabsdet = torch.linalg.slogdet(covariances)
    return {"log_likelihoods": log_likelihoods, "means": means, "covariances": covariances,
            "weights": log_weights.exp(), "logdet": logabsdet, "sign": sign,
            "hard_labels": responsibilities.argmax(1).bincount(),
            "precisions": torch.linalg.inv(covariances), "eigvals": torch.linalg.eigvalsh(covariances)}
