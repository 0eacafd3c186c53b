"""Second-order autograd: Hessian-vector products, a Newton step, and a WGAN-GP gradient penalty."""

import numpy as np


def critic(x, params, torch):
    W1, b1, W2 = params
    return torch.tanh(x @ W1 + b1) @ W2


def run(torch):
    rng = np.random.default_rng(4)

    # Hessian-vector product of the Rosenbrock function, checked against the explicit Hessian.
    x = torch.tensor([-1.2, 1.0, 0.5], dtype=torch.float64, requires_grad=True)
    f = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
    (g,) = torch.autograd.grad(f, x, create_graph=True)
    v = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    (hv,) = torch.autograd.grad(g, x, grad_outputs=v, retain_graph=True)
    rows = [torch.autograd.grad(g[i], x, retain_graph=True)[0] for i in range(3)]
    H = torch.stack(rows)
    newton_step = torch.linalg.solve(H, g.detach())

    # A WGAN-GP critic update: penalty on the input-gradient norm at interpolated samples.
    real = torch.from_numpy(rng.standard_normal((64, 2)) + 2.0)
    fake = torch.from_numpy(rng.standard_normal((64, 2)))
    alpha = torch.from_numpy(rng.uniform(size=(64, 1)))
    params = [torch.from_numpy(rng.standard_normal(s) * 0.5).requires_grad_() for s in [(2, 16), (16,), (16, 1)]]
    losses, penalties = [], []
    for _step in range(15):
        mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        scores = critic(mixed, params, torch)
        (grad_x,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
        penalty = ((grad_x.norm(2, dim=1) - 1) ** 2).mean()
        loss = critic(fake, params, torch).mean() - critic(real, params, torch).mean() + 10 * penalty
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, gp in zip(params, grads):
                p.sub_(0.01 * gp)
        losses.append(loss.item())
        penalties.append(penalty.item())
    return {"f": f, "grad": g, "hv": hv, "H_times_v": H @ v, "H": H, "newton_step": newton_step,
            "losses": losses, "penalties": penalties, "params": [p.detach() for p in params]}
