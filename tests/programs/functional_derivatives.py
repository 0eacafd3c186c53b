"""torch.autograd.functional: Jacobians, Hessians and products of small scientific functions."""

import numpy as np


def run(torch):
    functional = torch.autograd.functional
    hessian, hvp, jacobian, jvp, vjp = (functional.hessian, functional.hvp, functional.jacobian,
                                        functional.jvp, functional.vjp)

    def polar_to_cartesian(r_theta_phi):
        r, theta, phi = r_theta_phi.unbind(-1)
        return torch.stack([r * torch.sin(theta) * torch.cos(phi),
                            r * torch.sin(theta) * torch.sin(phi),
                            r * torch.cos(theta)], dim=-1)

    def log_likelihood(mu, log_sigma):
        data = torch.tensor([0.3, -1.2, 2.2, 0.7, 1.1], dtype=torch.float64)
        sigma = log_sigma.exp()
        return (-0.5 * ((data - mu) / sigma) ** 2 - log_sigma - 0.5 * np.log(2 * np.pi)).sum()

    def softplus_energy(x):
        A = torch.tensor([[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 3.0]], dtype=torch.float64)
        return 0.5 * x @ A @ x + torch.log1p(torch.exp(x)).sum()

    point = torch.tensor([2.0, 0.6, 1.1], dtype=torch.float64)
    J = jacobian(polar_to_cartesian, point)
    volume_element = torch.linalg.det(J)            # r^2 sin(theta)

    mu, log_sigma = torch.tensor([0.5], dtype=torch.float64), torch.tensor([0.2], dtype=torch.float64)
    fisher = hessian(log_likelihood, (mu, log_sigma))
    score = jacobian(log_likelihood, (mu, log_sigma))

    x0 = torch.tensor([0.3, -0.4, 1.0], dtype=torch.float64)
    v = torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64)
    H = hessian(softplus_energy, x0)
    _, Hv = hvp(softplus_energy, x0, v)
    out, jv = jvp(polar_to_cartesian, point, v)
    _, vj = vjp(polar_to_cartesian, point, v)
    batch = torch.tensor([[1.0, 0.2, 0.3], [0.5, 1.4, -0.7]], dtype=torch.float64)
    batched_J = jacobian(lambda b: polar_to_cartesian(b).sum(0), batch, vectorize=False)
    return {"J": J, "volume": volume_element, "expected_volume": point[0] ** 2 * torch.sin(point[1]),
            "fisher": [list(row) for row in fisher], "score": list(score), "H": H, "Hv": Hv, "H_at_v": H @ v,
            "jvp_out": out, "jvp": jv, "vjp": vj, "J_t_v": J.T @ v, "batched_J": batched_J,
            "H_symmetric": bool(torch.allclose(H, H.T))}
