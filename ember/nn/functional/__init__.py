"""torch.nn.functional: the layers as functions (``import ember.nn.functional as F``).

One submodule per family; everything is re-exported here."""

from . import (
    activation,
    attention,
    conv,
    distance,
    dropout,
    linear,
    loss,
    normalization,
    padding,
    pooling,
    sampling,
    shuffle,
    sparse,
)

FAMILIES = (
    activation,
    attention,
    linear,
    dropout,
    sparse,
    padding,
    normalization,
    loss,
    distance,
    conv,
    pooling,
    shuffle,
    sampling,
)

__all__ = []
for _family in FAMILIES:
    __all__ += list(_family.__all__)
    globals().update({name: getattr(_family, name) for name in _family.__all__})
del _family
