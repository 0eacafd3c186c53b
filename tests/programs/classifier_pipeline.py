"""A whole training program: a Module subclass with conv, BatchNorm, dropout and linear layers, a DataLoader,
AdamW with OneCycleLR, gradient clipping, and a checkpoint saved mid-run and resumed into fresh objects."""

import io

import numpy as np


def initial_weights(model, rng):
    """Deterministic starting weights (the libraries' random streams differ), one array per state_dict entry."""
    return {name: (rng.standard_normal(tuple(value.shape)) * 0.3).astype(np.float32)
            if value.dtype.is_floating_point else value.numpy()
            for name, value in model.state_dict().items()}


def run(torch):
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        # No bias before BatchNorm: its gradient is zero up to rounding, and AdamW, which divides by the
        # gradient's own scale, would turn that rounding noise into steps that differ between libraries.
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2))
            self.head = nn.ModuleDict({"drop": nn.Dropout(0.3), "out": nn.Linear(32, 3)})

        def forward(self, x):
            x = torch.flatten(self.features(x), 1)
            return self.head["out"](self.head["drop"](x))

    rng = np.random.default_rng(7)
    images = rng.standard_normal((96, 1, 8, 8)).astype(np.float32)
    labels = (images[:, 0, :4].mean((1, 2)) > images[:, 0, 4:].mean((1, 2))).astype(np.int64) \
        + (images[:, 0].mean((1, 2)) > 0).astype(np.int64)
    data = torch.utils.data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    loader = torch.utils.data.DataLoader(data, batch_size=16, shuffle=False, drop_last=True)

    def build():
        model = Net()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.05)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-2, total_steps=4 * len(loader))
        return model, optimizer, scheduler

    model, optimizer, scheduler = build()
    model.load_state_dict({k: torch.from_numpy(v) for k, v in initial_weights(model, rng).items()})
    model.head["drop"].p = 0.0          # dropout masks come from each library's own random stream

    losses, lrs, norms = [], [], []
    checkpoint = io.BytesIO()
    for epoch in range(4):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
            loss.backward()
            norms.append(nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0))
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
            lrs.append(scheduler.get_last_lr()[0])
        if epoch == 1:                  # save, then carry on in fresh objects loaded from the checkpoint
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict(), "epoch": epoch}, checkpoint)
            checkpoint.seek(0)
            state = torch.load(checkpoint, weights_only=True)
            model, optimizer, scheduler = build()
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
            model.head["drop"].p = 0.0

    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(images))
    return {"losses": losses, "lrs": lrs, "grad_norms": torch.stack(norms), "eval_logits": logits,
            "running_var": model.features[1].running_var, "batches_tracked": model.features[1].num_batches_tracked,
            "accuracy": (logits.argmax(1) == torch.from_numpy(labels)).float().mean().item()}
