"""Lloyd's k-means with farthest-point seeding: cdist, argmin, index_add_, bincount and scatter_add_."""

import numpy as np


def run(torch):
    rng = np.random.default_rng(5)
    true_centers = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 6.0], [6.0, -1.0]])
    blobs = true_centers[rng.integers(0, 4, 400)] + rng.standard_normal((400, 2))
    X = torch.tensor(blobs, dtype=torch.float32)
    k = 4

    # Farthest-point seeding: start at the first point, then take the point farthest from all chosen.
    centers = X[:1].clone()
    for _ in range(k - 1):
        nearest = torch.cdist(X, centers).min(dim=1).values
        centers = torch.cat([centers, X[nearest.argmax()].unsqueeze(0)], dim=0)

    inertias = []
    for _ in range(10):
        distances = torch.cdist(X, centers)
        assignment = distances.argmin(dim=1)
        sums = torch.zeros(k, X.shape[1]).index_add_(0, assignment, X)
        counts = torch.bincount(assignment, minlength=k).clamp(min=1).unsqueeze(1)
        centers = sums / counts
        inertias.append(distances.gather(1, assignment[:, None]).pow(2).sum().item())

    # Same centroids through scatter_add and a one-hot matmul, as a cross-check.
    index = assignment.unsqueeze(1).expand(-1, 2)
    scatter_sums = torch.zeros(k, 2).scatter_add_(0, index, X)
    one_hot = (assignment[:, None] == torch.arange(k)).float()
    order = torch.argsort(centers[:, 0] * 100 + centers[:, 1])
    return {"inertias": inertias, "centers": centers[order], "sizes": torch.bincount(assignment, minlength=k),
            "scatter_sums": scatter_sums, "one_hot_sums": one_hot.T @ X,
            "unique_labels": torch.unique(assignment, sorted=True), "silhouette_proxy": distances.min(1).values.mean()}
