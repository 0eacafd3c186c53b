"""Training parity: the same model, weights and batches train to the same losses in ember and PyTorch."""

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember

STEPS = 50


def mlp(nn):
    return nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 5))


def cnn(nn):
    return nn.Sequential(
        nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 8, 3), nn.ReLU(),
        nn.Flatten(), nn.Linear(8 * 2 * 2, 5))


def cnn_batchnorm(nn):
    return nn.Sequential(
        nn.Conv2d(1, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 8, 3), nn.ReLU(), nn.Dropout(0.0),
        nn.Flatten(), nn.Linear(8 * 2 * 2, 5))


ARCHITECTURES = {"mlp": (mlp, (20,)), "cnn": (cnn, (1, 8, 8)), "cnn_batchnorm": (cnn_batchnorm, (1, 8, 8))}
OPTIMIZERS = {
    "sgd_momentum": lambda optim, params: optim.SGD(params, lr=0.05, momentum=0.9, weight_decay=1e-4),
    "adam": lambda optim, params: optim.Adam(params, lr=1e-3),
}


def batches(input_shape, seed=0, count=STEPS, size=16):
    """Random inputs labelled by a fixed random linear rule, so there is something to learn."""
    rng = np.random.default_rng(seed)
    rule = rng.standard_normal((int(np.prod(input_shape)), 5))
    for _ in range(count):
        inputs = rng.standard_normal((size, *input_shape)).astype(np.float32)
        yield inputs, (inputs.reshape(size, -1) @ rule).argmax(1).astype(np.int64)


def train(lib, model, optimizer, input_shape, dtype=np.float32):
    losses = []
    loss_fn = lib.nn.CrossEntropyLoss()
    for images, labels in batches(input_shape):
        optimizer.zero_grad()
        loss = loss_fn(model(lib.from_numpy(images.astype(dtype))), lib.from_numpy(labels))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return np.array(losses)


def train_both(architecture, optimizer, dtype):
    """Train the torch and the ember model from the same weights on the same batches; returns both."""
    build, input_shape = ARCHITECTURES[architecture]
    torch.manual_seed(0)
    torch_model = build(torch.nn).to(getattr(torch, np.dtype(dtype).name))
    ember_model = build(ember.nn).to(getattr(ember, np.dtype(dtype).name))
    assert list(ember_model.state_dict()) == list(torch_model.state_dict())
    ember_model.load_state_dict({k: ember.tensor(v.numpy()) for k, v in torch_model.state_dict().items()})
    torch_losses = train(torch, torch_model, OPTIMIZERS[optimizer](torch.optim, torch_model.parameters()),
                         input_shape, dtype)
    ember_losses = train(ember, ember_model, OPTIMIZERS[optimizer](ember.optim, ember_model.parameters()),
                         input_shape, dtype)
    assert torch_losses[-10:].mean() < torch_losses[:10].mean()     # the run really trains
    return torch_model, torch_losses, ember_model, ember_losses


@requires_torch
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
@pytest.mark.parametrize("architecture", ["mlp", "cnn"])
def test_same_losses_step_for_step(architecture, optimizer):
    torch_model, torch_losses, ember_model, ember_losses = train_both(architecture, optimizer, np.float32)
    np.testing.assert_allclose(ember_losses, torch_losses, rtol=1e-4)
    for name, value in torch_model.state_dict().items():
        np.testing.assert_allclose(ember_model.state_dict()[name].numpy(), value.numpy(), rtol=1e-3, atol=1e-4,
                                   err_msg=name)


@requires_torch
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_batchnorm_model_in_float64(optimizer):
    # In float32, BatchNorm's statistics (torch accumulates them in double) differ in the last bit, and Adam,
    # which divides by the gradient's own scale, grows that to ~1e-4 over 50 steps; in float64 they agree closely.
    torch_model, torch_losses, ember_model, ember_losses = train_both("cnn_batchnorm", optimizer, np.float64)
    np.testing.assert_allclose(ember_losses, torch_losses, rtol=1e-9)
    for name, value in torch_model.state_dict().items():
        np.testing.assert_allclose(ember_model.state_dict()[name].numpy(), value.numpy(), rtol=1e-7, atol=1e-9,
                                   err_msg=name)
