"""Summarize a tabular dataset with missing values: NaN-aware stats, histograms, correlations, standardization."""

import numpy as np


def run(torch):
    rng = np.random.default_rng(16)
    table = rng.standard_normal((120, 4)) * np.array([1.0, 10.0, 0.1, 3.0]) + np.array([0.0, 50.0, 1.0, -2.0])
    table[:, 3] += 0.8 * table[:, 0]
    table[rng.uniform(size=table.shape) < 0.05] = np.nan
    groups = rng.integers(0, 3, 120)
    X = torch.from_numpy(table).float()
    group = torch.from_numpy(groups)

    missing = torch.isnan(X)
    column_means = torch.nanmean(X, dim=0)
    filled = torch.where(missing, column_means.expand_as(X), X)
    std, mean = torch.std_mean(filled, dim=0)
    standardized = (filled - mean) / std
    clipped = standardized.clamp(-2.5, 2.5)

    histogram = torch.histc(standardized[:, 0], bins=8, min=-3, max=3)
    counts, edges = torch.histogram(filled[:, 1], bins=5)
    corr = torch.corrcoef(filled.T)
    group_sizes = torch.bincount(group)
    group_means = torch.zeros(3, 4).index_add_(0, group, filled) / group_sizes.unsqueeze(1)
    values, inverse, value_counts = torch.unique(group, return_inverse=True, return_counts=True)
    ranks = filled.argsort(dim=0, stable=True).argsort(dim=0, stable=True).float()
    spearman = torch.corrcoef(ranks.T)
    return {"missing_per_column": missing.sum(0), "any_row_missing": missing.any(dim=1).sum().item(),
            "column_means": column_means, "nanmedian": torch.nanmedian(X, dim=0).values, "mean": mean, "std": std,
            "quantiles": torch.quantile(filled, torch.tensor([0.05, 0.5, 0.95]), dim=0), "histc": histogram,
            "hist_counts": counts, "hist_edges": edges, "corr": corr, "spearman": spearman,
            "group_means": group_means, "value_counts": value_counts, "inverse_equal": torch.equal(inverse, group),
            "clipped_fraction": (clipped != standardized).float().mean(), "cov": torch.cov(filled.T, correction=0),
            "running_max": filled[:, 1].cummax(dim=0).values[::20], "mode": torch.mode(group).values}
