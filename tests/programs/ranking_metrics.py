"""Retrieval and classification metrics: precision@k with topk, ROC AUC via ranks, average precision via cumsum."""

import numpy as np


def roc_auc(torch, scores, labels):
    """Mann-Whitney AUC: the rank-sum of the positives (scores are drawn without ties)."""
    order = scores.argsort()
    ranks = torch.empty_like(order)
    ranks[order] = torch.arange(1, len(scores) + 1)
    positives = labels.sum()
    negatives = labels.numel() - positives
    return (ranks[labels.bool()].sum() - positives * (positives + 1) / 2) / (positives * negatives)


def average_precision(scores, labels):
    order = scores.argsort(descending=True)
    hits = labels[order].float()
    precision_at_rank = hits.cumsum(0) / (hits.new_ones(hits.shape).cumsum(0))
    return (precision_at_rank * hits).sum() / hits.sum()


def run(torch):
    rng = np.random.default_rng(9)
    n_queries, n_items = 6, 40
    relevance = torch.from_numpy((rng.uniform(size=(n_queries, n_items)) < 0.25).astype(np.int64))
    scores = torch.from_numpy(rng.standard_normal((n_queries, n_items)) + 1.2 * relevance.numpy())

    top_scores, top_items = scores.topk(5, dim=1)
    precision_at_5 = relevance.gather(1, top_items).float().mean(1)
    recall_at_5 = relevance.gather(1, top_items).sum(1) / relevance.sum(1).clamp(min=1)
    first_hit = (relevance.gather(1, scores.argsort(dim=1, descending=True)) == 1).int().argmax(1)
    mrr = (1.0 / (first_hit + 1).float()).mean()

    aucs = torch.stack([roc_auc(torch, scores[i], relevance[i]) for i in range(n_queries)])
    aps = torch.stack([average_precision(scores[i], relevance[i]) for i in range(n_queries)])

    # ROC curve points of the pooled scores at a few thresholds, and a confusion count via bucketize.
    flat_scores, flat_labels = scores.flatten(), relevance.flatten()
    thresholds = torch.linspace(-2, 3, 11, dtype=torch.float64)
    predicted = flat_scores[None, :] >= thresholds[:, None]
    tpr = (predicted & flat_labels.bool()).sum(1) / flat_labels.sum()
    fpr = (predicted & ~flat_labels.bool()).sum(1) / (1 - flat_labels).sum()
    buckets = torch.bucketize(flat_scores, thresholds)
    sorted_scores, _ = torch.sort(flat_scores, descending=True, stable=True)
    median, _ = flat_scores.median(0)
    return {"top_scores": top_scores, "top_items": top_items, "precision@5": precision_at_5,
            "recall@5": recall_at_5, "mrr": mrr, "auc": aucs, "mean_auc": aucs.mean().item(), "ap": aps,
            "tpr": tpr, "fpr": fpr, "trapezoid_auc": torch.trapezoid(tpr.flip(0), fpr.flip(0)),
            "bucket_counts": torch.bincount(buckets, minlength=12), "top_decile": sorted_scores[:24],
            "median": median, "quantiles": torch.quantile(flat_scores, torch.tensor([0.1, 0.5, 0.9],
                                                                                   dtype=torch.float64))}
