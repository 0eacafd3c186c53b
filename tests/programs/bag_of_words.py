"""A bag-of-words text classifier: EmbeddingBag, LayerNorm, GELU, a custom collate_fn, DataLoader worker
processes, SGD with Nesterov momentum under a StepLR schedule, and a final ReduceLROnPlateau phase."""

import numpy as np


def make_corpus(rng, n=120, vocab=50):
    """Documents of random token ids; the label says whether low ids outnumber high ones."""
    docs = [rng.integers(0, vocab, rng.integers(3, 12)) for _ in range(n)]
    labels = [int((d < vocab // 2).sum() > (d >= vocab // 2).sum()) for d in docs]
    return docs, labels


class Documents:
    """A map-style dataset of (token ids, label) pairs (an ordinary class, as torch code often has)."""

    def __init__(self, torch, docs, labels):
        self.items = [(torch.from_numpy(d), label) for d, label in zip(docs, labels)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def run(torch):
    nn, F = torch.nn, torch.nn.functional
    rng = np.random.default_rng(11)
    docs, labels = make_corpus(rng)

    def collate(batch):                 # EmbeddingBag wants one flat id list and each document's offset
        tokens = torch.cat([ids for ids, _ in batch])
        offsets = torch.tensor(np.cumsum([0] + [len(ids) for ids, _ in batch[:-1]]))
        return tokens, offsets, torch.tensor([label for _, label in batch])

    loader = torch.utils.data.DataLoader(Documents(torch, docs, labels), batch_size=20, collate_fn=collate,
                                         num_workers=2)
    model = nn.Sequential()
    model.add_module("bag", nn.EmbeddingBag(50, 16, mode="mean"))
    model.add_module("norm", nn.LayerNorm(16))
    model.add_module("act", nn.GELU(approximate="tanh"))
    model.add_module("out", nn.Linear(16, 2))
    model.load_state_dict({name: torch.from_numpy((rng.standard_normal(tuple(v.shape)) * 0.5).astype(np.float32))
                           for name, v in model.state_dict().items()})

    optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9, nesterov=True, weight_decay=1e-3)
    steps = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=0)
    epoch_losses, lrs = [], []
    for epoch in range(6):
        total = 0.0
        for tokens, offsets, target in loader:
            optimizer.zero_grad()
            features = model.bag(tokens, offsets)
            logits = model.out(model.act(model.norm(features)))
            loss = F.nll_loss(F.log_softmax(logits, dim=1), target)
            loss.backward()
            optimizer.step()
            total += loss.item()
        epoch_losses.append(total / len(loader))
        if epoch < 4:
            steps.step()
        else:
            plateau.step(epoch_losses[-1])
        lrs.append(optimizer.param_groups[0]["lr"])
    return {"epoch_losses": epoch_losses, "lrs": lrs, "embedding": model.bag.weight,
            "plateau_best": plateau.best, "state_keys": list(model.state_dict())}
