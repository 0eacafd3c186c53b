"""PCA by SVD and by eigh of the covariance (signs fixed by a convention), and reconstruction errors by rank."""

import numpy as np


def flip_signs(components):
    """Make each component's largest-magnitude entry positive (as scikit-learn's svd_flip), so results are unique."""
    biggest = components.abs().argmax(dim=1, keepdim=True)
    return components * components.gather(1, biggest).sign()


def run(torch):
    rng = np.random.default_rng(6)
    latent = rng.standard_normal((150, 3)) * np.array([5.0, 2.0, 0.5])
    mixing = rng.standard_normal((3, 6))
    data = torch.from_numpy(latent @ mixing + 0.05 * rng.standard_normal((150, 6)))

    mean = data.mean(dim=0, keepdim=True)
    centered = data - mean
    U, S, Vh = torch.linalg.svd(centered, full_matrices=False)
    components = flip_signs(Vh)
    explained_variance = S ** 2 / (data.shape[0] - 1)
    ratio = explained_variance / explained_variance.sum()

    covariance = torch.cov(data.T)
    eigenvalues, eigenvectors = torch.linalg.eigh(covariance)
    eig_components = flip_signs(eigenvectors.flip(-1).T)

    scores = centered @ components[:3].T
    reconstruction = scores @ components[:3] + mean
    errors = [torch.linalg.norm(data - (centered @ components[:r].T @ components[:r] + mean)).item()
              for r in range(1, 7)]
    return {"singular_values": S, "components": components[:3], "eig_components": eig_components[:3],
            "eigenvalues": eigenvalues.flip(0), "explained_variance": explained_variance, "ratio": ratio,
            "cumulative_ratio": ratio.cumsum(0), "scores_std": scores.std(dim=0),
            "reconstruction_error": ((data - reconstruction) ** 2).mean(), "errors_by_rank": errors,
            "rank": int(torch.linalg.matrix_rank(centered, atol=1.0)), "svdvals": torch.linalg.svdvals(centered)}
