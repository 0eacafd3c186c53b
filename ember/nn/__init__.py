"""torch.nn: layers (Modules), their Parameters, initializers and the functional forms.

>>> import ember
>>> layer = ember.nn.Linear(3, 2)
>>> layer(ember.ones(4, 3)).shape
ember.Size([4, 2])
"""

from . import functional, init, modules, parameter, utils

utils._import_parametrizations()

__all__ = ["functional", "init", "utils"]
for _family in (modules, parameter):
    __all__ += list(_family.__all__)
    globals().update({name: getattr(_family, name) for name in _family.__all__})
del _family
