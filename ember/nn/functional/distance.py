"""ember.nn.functional: cosine_similarity, pairwise_distance, pdist, normalize."""

from ...ops._util import check_tensor
from ...ops.distance import cosine_similarity, pairwise_distance, pdist
from ...ops.elementwise import div

__all__ = ["cosine_similarity", "pairwise_distance", "pdist", "normalize"]


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input`` divided by its ``p``-norm along ``dim`` (the norm clamped below at ``eps``).

    >>> F.normalize(ember.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    check_tensor(input, "input", "normalize")
    denominator = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denominator
    return div(input, denominator, out=out)
