"""The layers of ember.nn, one module per family (as in torch.nn.modules)."""

from . import (
    activation,
    attention,
    batchnorm,
    channelshuffle,
    container,
    conv,
    distance,
    dropout,
    flatten,
    instancenorm,
    linear,
    loss,
    module,
    normalization,
    padding,
    pixelshuffle,
    pooling,
    rnn,
    sparse,
    transformer,
    upsampling,
)

FAMILIES = (
    module,
    container,
    linear,
    flatten,
    activation,
    attention,
    transformer,
    dropout,
    sparse,
    normalization,
    batchnorm,
    instancenorm,
    distance,
    loss,
    conv,
    pooling,
    padding,
    pixelshuffle,
    channelshuffle,
    upsampling,
    rnn,
)

__all__ = []
for _family in FAMILIES:
    __all__ += list(_family.__all__)
    globals().update({name: getattr(_family, name) for name in _family.__all__})
del _family
