"""Helpers over streams of text (torchtext.data.functional): regex clean-up, splitting, numericalizing, and
``to_map_style_dataset`` to turn a dataset iterator into an indexable dataset.
"""

import re

from ...utils.data import Dataset

__all__ = ["custom_replace", "simple_space_split", "numericalize_tokens_from_iterator", "to_map_style_dataset"]


def custom_replace(replace_pattern):
    """A function that applies the ``(regex, replacement)`` pairs, in order, to every line of an iterator.

    >>> clean = custom_replace([(r"<br />", " "), (r"\\s+", " ")])
    >>> list(clean(["a<br />b   c"]))
    ['a b c']
    """
    rules = [(re.compile(pattern), replacement) for pattern, replacement in replace_pattern]

    def apply(lines):
        for line in lines:
            for pattern, replacement in rules:
                line = pattern.sub(replacement, line)
            yield line

    return apply


def simple_space_split(iterator):
    """Yield each line of ``iterator`` split on whitespace.

    >>> list(simple_space_split(["a b", "c"]))
    [['a', 'b'], ['c']]
    """
    for line in iterator:
        yield line.split()


def numericalize_tokens_from_iterator(vocab, iterator, removed_tokens=None):
    """Yield, for each token list of ``iterator``, an iterator over the ids of its tokens (``vocab[token]``),
    skipping those in ``removed_tokens``.

    >>> ids = numericalize_tokens_from_iterator({"a": 0, "b": 1}, [["a", "b", "a"]], removed_tokens=["b"])
    >>> [list(line) for line in ids]
    [[0, 0]]
    """
    removed = set(removed_tokens or ())
    for tokens in iterator:
        yield iter([vocab[token] for token in tokens if token not in removed])


class _MapStyleDataset(Dataset):
    """The items of an iterable, read once into a list, indexable and with a length."""

    def __init__(self, iter_data):
        self._data = list(iter_data)

    def __len__(self):
        return len(self._data)

    def __getitem__(self, index):
        return self._data[index]


def to_map_style_dataset(iter_data):
    """Read an iterable dataset (e.g. ``AG_NEWS(split="train")``) into a map-style Dataset with ``len`` and
    indexing, as random samplers and ``random_split`` need.

    >>> data = to_map_style_dataset(iter([(1, "a"), (2, "b")]))
    >>> len(data), data[1]
    (2, (2, 'b'))
    """
    return _MapStyleDataset(iter_data)
