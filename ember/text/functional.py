"""Functions behind the text transforms (torchtext.functional): lists of tokens or ids to padded tensors,
truncation, begin/end tokens and string ids to ints. Each takes one sequence (a list) or a batch (a list of lists).
"""

__all__ = ["to_tensor", "truncate", "add_token", "str_to_int"]


def _is_sequence_of(value, kinds):
    return isinstance(value, list) and all(isinstance(item, kinds) and not isinstance(item, bool) for item in value)


def _is_batch_of(value, kinds):
    return isinstance(value, list) and all(_is_sequence_of(item, kinds) for item in value)


def _unsupported(input):
    return TypeError(f"Input type not supported: expected a list of ints/strs or a list of such lists, got "
                     f"{type(input).__name__}")


def to_tensor(input, padding_value=None, dtype=None):
    """A list of ids as a 1-D tensor, or a batch of id lists as a 2-D tensor, shorter rows padded on the right
    with ``padding_value`` (without it, rows of different lengths raise ValueError). ``dtype`` defaults to int64.

    >>> to_tensor([[1, 2, 3], [4]], padding_value=0)
    tensor([[1, 2, 3],
            [4, 0, 0]])
    """
    import ember

    dtype = ember.long if dtype is None else dtype
    if _is_sequence_of(input, int):
        return ember.tensor(input, dtype=dtype)
    if not _is_batch_of(input, int):
        raise _unsupported(input)
    if padding_value is None:
        return ember.tensor(input, dtype=dtype)
    width = max((len(ids) for ids in input), default=0)
    rows = [list(ids) + [padding_value] * (width - len(ids)) for ids in input]
    return ember.tensor(rows, dtype=dtype)


def truncate(input, max_seq_len):
    """Keep the first ``max_seq_len`` items of a sequence, or of every sequence of a batch.

    >>> truncate([[1, 2, 3], [4]], 2)
    [[1, 2], [4]]
    """
    if _is_sequence_of(input, (int, str)):
        return input[:max_seq_len]
    if _is_batch_of(input, (int, str)):
        return [ids[:max_seq_len] for ids in input]
    raise _unsupported(input)


def add_token(input, token_id, begin=True):
    """Put ``token_id`` (an id or a token) at the start (``begin=True``) or the end of a sequence or of every
    sequence of a batch.

    >>> add_token([[1, 2], [3]], 0), add_token(["a"], "<eos>", begin=False)
    ([[0, 1, 2], [0, 3]], ['a', '<eos>'])
    """
    if _is_sequence_of(input, (int, str)):
        return [token_id] + input if begin else input + [token_id]
    if _is_batch_of(input, (int, str)):
        return [add_token(ids, token_id, begin) for ids in input]
    raise _unsupported(input)


def str_to_int(input):
    """Convert a list of numeric strings (or a batch of them) to ints.

    >>> str_to_int([["1", "2"], ["3"]])
    [[1, 2], [3]]
    """
    if _is_sequence_of(input, str):
        return [int(item) for item in input]
    if _is_batch_of(input, str):
        return [str_to_int(items) for items in input]
    raise _unsupported(input)
