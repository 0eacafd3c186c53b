"""Fit a damped pendulum's parameters by differentiating through an RK4 integrator (discretize-then-optimize)."""

import numpy as np


def dynamics(torch, state, params):
    angle, velocity = state[..., 0], state[..., 1]
    g_over_l, damping = params.unbind()
    return torch.stack([velocity, -g_over_l * torch.sin(angle) - damping * velocity], dim=-1)


def rk4(torch, state, params, dt, steps):
    trajectory = [state]
    for _ in range(steps):
        k1 = dynamics(torch, state, params)
        k2 = dynamics(torch, state + 0.5 * dt * k1, params)
        k3 = dynamics(torch, state + 0.5 * dt * k2, params)
        k4 = dynamics(torch, state + dt * k3, params)
        state = state + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        trajectory.append(state)
    return torch.stack(trajectory)


def run(torch):
    rng = np.random.default_rng(15)
    initial = torch.tensor([[1.0, 0.0], [-0.5, 1.0]], dtype=torch.float64)     # two pendulums
    true_params = torch.tensor([9.81, 0.3], dtype=torch.float64)
    observed = rk4(torch, initial, true_params, dt=0.05, steps=40)[:, :, 0]
    observed = observed + 0.01 * torch.from_numpy(rng.standard_normal(tuple(observed.shape)))

    params = torch.tensor([6.0, 0.1], dtype=torch.float64, requires_grad=True)
    losses = []
    for _it in range(15):
        predicted = rk4(torch, initial, params, dt=0.05, steps=40)[:, :, 0]
        loss = (predicted - observed).pow(2).mean()
        (grad,) = torch.autograd.grad(loss, params)
        with torch.no_grad():
            params -= torch.tensor([20.0, 1.0], dtype=torch.float64) * grad
        losses.append(loss.item())

    trajectory = rk4(torch, initial, params.detach(), dt=0.05, steps=40)
    energy = 0.5 * trajectory[..., 1] ** 2 + params.detach()[0] * (1 - torch.cos(trajectory[..., 0]))
    crossings = (torch.diff(torch.sign(trajectory[:, 0, 0])) != 0).sum()
    return {"losses": losses, "params": params, "final_state": trajectory[-1], "energy_decay": energy[-1] / energy[0],
            "zero_crossings": crossings.item(), "peak": trajectory[..., 0].abs().max(dim=0)}
