"""Polynomial least squares solved four ways, and a ridge penalty tuned by differentiating through the solve."""

import numpy as np


def run(torch):
    rng = np.random.default_rng(7)
    x = np.sort(rng.uniform(-1, 1, 40))
    y_np = np.sin(3 * x) + 0.1 * rng.standard_normal(40)
    t = torch.from_numpy(x)
    y = torch.from_numpy(y_np).unsqueeze(1)
    A = torch.stack([t ** p for p in range(6)], dim=1)      # Vandermonde design matrix

    gram = A.T @ A
    normal = torch.linalg.solve(gram, A.T @ y)
    L = torch.linalg.cholesky(gram)
    z = torch.linalg.solve_triangular(L, A.T @ y, upper=False)
    chol = torch.linalg.solve_triangular(L.T, z, upper=True)
    Q, R = torch.linalg.qr(A)
    qr = torch.linalg.solve_triangular(R, Q.T @ y, upper=True)
    pinv = torch.linalg.pinv(A) @ y
    residual = torch.linalg.vector_norm(A @ qr - y)

    # Choose the ridge strength by gradient descent on a held-out validation loss.
    train, val = torch.arange(0, 40, 2), torch.arange(1, 40, 2)
    log_lam = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    history = []
    for _step in range(20):
        At, yt = A[train], y[train]
        eye = torch.eye(A.shape[1], dtype=A.dtype)
        coef = torch.linalg.solve(At.T @ At + log_lam.exp() * eye, At.T @ yt)
        val_loss = ((A[val] @ coef - y[val]) ** 2).mean()
        val_loss.backward()
        with torch.no_grad():
            log_lam -= 2.0 * log_lam.grad
        log_lam.grad.zero_()
        history.append((val_loss.item(), log_lam.item()))
    return {"normal": normal, "cholesky": chol, "qr": qr, "pinv": pinv, "residual": residual,
            "abs_R_diag": R.diagonal().abs(), "condition": torch.linalg.cond(A), "history": history,
            "logdet_gram": torch.logdet(gram), "det_sign": torch.linalg.slogdet(gram).sign}
