"""torch.optim: optimizers and learning-rate schedulers.

Each optimizer's update rule works on the parameters' raw arrays in place (no autograd
graph), in PyTorch's order of operations, so the numbers match ``torch.optim``'s.
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Adadelta", "Adagrad", "Adam", "Adamax", "AdamW", "ASGD", "LBFGS", "lr_scheduler", "NAdam", "Optimizer",
           "RAdam", "RMSprop", "Rprop", "SGD"]
