"""torch.utils.model_zoo: the old name of ``ember.hub.load_state_dict_from_url`` (``load_url``), kept for old code.

>>> from ember.utils import model_zoo
>>> model_zoo.load_url is model_zoo.load_state_dict_from_url
True
"""

from ..hub import load_state_dict_from_url, tqdm  # noqa: F401  (torchvision imports tqdm from here)

load_url = load_state_dict_from_url

__all__ = ["load_url"]
