"""What tokenizers hand back and how they fit sequences to a length: BatchEncoding, truncation and padding.

The rules follow Hugging Face's tokenizers (the reference for ``BertTokenizer``): ``longest_first`` truncation of a
pair keeps ``max_length // 2`` tokens of the shorter sequence when both are too long, the longer one getting the
rest; padding goes to the longest sequence of the batch or to ``max_length``, rounded up to ``pad_to_multiple_of``.
"""

import numpy as np

__all__ = ["BatchEncoding", "PADDING_STRATEGIES", "TRUNCATION_STRATEGIES", "TENSOR_TYPES", "VERY_LARGE_INTEGER"]

VERY_LARGE_INTEGER = int(1e30)          # model_max_length of a tokenizer that names none (as Hugging Face)
PADDING_STRATEGIES = ("longest", "max_length", "do_not_pad")
TRUNCATION_STRATEGIES = ("only_first", "only_second", "longest_first", "do_not_truncate")
TENSOR_TYPES = ("pt", "np")
PADDED_KEYS = {"input_ids": None, "token_type_ids": 0, "attention_mask": 0, "special_tokens_mask": 1}
RAGGED_MESSAGE = ("Unable to create tensor, you should probably activate truncation and/or padding with "
                  "'padding=True' 'truncation=True' to have batched tensors with the same length.")


class BatchEncoding(dict):
    """A tokenizer's output: a dict of ``input_ids``, ``token_type_ids``, ``attention_mask``, ... also read as
    attributes (``enc.input_ids``); ``to(device)`` moves ember tensors.

    >>> enc = BatchEncoding({"input_ids": [[101, 102]]})
    >>> enc.input_ids, enc["input_ids"]
    ([[101, 102]], [[101, 102]])
    """

    def __init__(self, data=None, tensor_type=None):
        super().__init__(data or {})
        if tensor_type is not None:
            self.convert_to_tensors(tensor_type)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"'BatchEncoding' object has no attribute {name!r} (it holds "
                                 f"{sorted(self.keys())})") from None

    def __getstate__(self):
        return {"data": dict(self)}

    def __setstate__(self, state):
        self.update(state["data"])

    @property
    def data(self):
        """The plain dict of the fields."""
        return dict(self)

    def convert_to_tensors(self, tensor_type=None):
        """Turn every field into int64 ember tensors (``"pt"``) or NumPy arrays (``"np"``), in place.

        >>> BatchEncoding({"input_ids": [[1, 2]]}).convert_to_tensors("np")["input_ids"]
        array([[1, 2]])
        """
        if tensor_type is None:
            return self
        check_tensor_type(tensor_type)
        for key in list(self.keys()):
            self[key] = as_tensor(self[key], tensor_type, key)
        return self

    def to(self, device):
        """Move the ember tensors among the fields to ``device`` (other fields stay as they are).

        >>> BatchEncoding({"input_ids": [1]}).to("cpu")["input_ids"]
        [1]
        """
        for key, value in self.items():
            if hasattr(value, "to") and not isinstance(value, np.ndarray):
                self[key] = value.to(device)
        return self


def check_tensor_type(tensor_type):
    if tensor_type not in TENSOR_TYPES:
        raise ValueError(f"{tensor_type} is not a valid TensorType, please select one of {list(TENSOR_TYPES)}")


def as_tensor(value, tensor_type, key="input_ids"):
    """``value`` (a list, possibly nested) as an int64 NumPy array or ember tensor; ragged lists raise ValueError."""
    if tensor_type is None or not isinstance(value, (list, tuple)):
        return value
    try:
        array = np.array(value, dtype=np.int64)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{RAGGED_MESSAGE} Perhaps your features (`{key}` in this case) have excessive nesting "
                         "(inputs type `list` where type `int` is expected).") from error
    if tensor_type == "np":
        return array
    import ember

    return ember.from_numpy(array)


def resolve_padding(padding):
    """The padding strategy named by ``padding`` (True, False or one of PADDING_STRATEGIES)."""
    if padding is True:
        return "longest"
    if padding is False or padding is None:
        return "do_not_pad"
    if padding not in PADDING_STRATEGIES:
        raise ValueError(f"{padding} is not a valid PaddingStrategy, please select one of {list(PADDING_STRATEGIES)}")
    return padding


def resolve_truncation(truncation, max_length, padding):
    """The truncation strategy named by ``truncation``; a ``max_length`` alone (no padding) means longest_first."""
    if truncation is None:
        return "longest_first" if max_length is not None and padding is False else "do_not_truncate"
    if truncation is True:
        return "longest_first"
    if truncation is False:
        return "do_not_truncate"
    if truncation not in TRUNCATION_STRATEGIES:
        raise ValueError(f"{truncation} is not a valid TruncationStrategy, please select one of "
                         f"{list(TRUNCATION_STRATEGIES)}")
    return truncation


def _cut(ids, keep, side):
    """``ids`` cut to its first (side "right") or last (side "left") ``keep`` tokens."""
    if keep >= len(ids):
        return ids
    return ids[:keep] if side == "right" else ids[len(ids) - keep:]


def _longest_first_lengths(first, second, target):
    """How many tokens of each sequence longest_first keeps so that both fit in ``target`` tokens."""
    if second is None:
        return min(first, target), None
    if first + second <= target:
        return first, second
    if first > second:
        kept_second = min(second, target // 2)
        return target - kept_second, kept_second
    kept_first = min(first, target // 2)
    return kept_first, target - kept_first


def truncate_pair(ids, pair_ids, max_length, strategy, num_special, side="right"):
    """Cut ``ids`` (and ``pair_ids``, a list or None) so that with ``num_special`` added tokens they fit
    ``max_length``; only_first / only_second cut one sequence and raise ValueError when it is too short.

    >>> truncate_pair([1, 2, 3, 4, 5, 6], [7, 8, 9, 10], 9, "longest_first", 3)
    ([1, 2, 3], [7, 8, 9])
    """
    if strategy == "do_not_truncate" or max_length is None:
        return ids, pair_ids
    if strategy == "only_second" and pair_ids is None:
        raise ValueError("Truncation error: Second sequence not provided")
    target = max_length - num_special
    total = len(ids) + (len(pair_ids) if pair_ids is not None else 0)
    if target < 0 or total <= target:
        return ids, pair_ids
    if strategy == "longest_first":
        keep_first, keep_second = _longest_first_lengths(len(ids), None if pair_ids is None else len(pair_ids),
                                                         target)
        return _cut(ids, keep_first, side), None if pair_ids is None else _cut(pair_ids, keep_second, side)
    to_remove = total - target
    name, sequence = ("first", ids) if strategy == "only_first" else ("second", pair_ids)
    if len(sequence) <= to_remove:
        raise ValueError(f"Truncation error: the {name} sequence has {len(sequence)} tokens but {to_remove} must be "
                         f"removed to fit max_length={max_length} with strategy '{strategy}'; use 'longest_first' "
                         "or a larger max_length")
    if strategy == "only_first":
        return _cut(ids, len(ids) - to_remove, side), pair_ids
    return ids, _cut(pair_ids, len(pair_ids) - to_remove, side)


def padded_length(lengths, strategy, max_length, pad_to_multiple_of):
    """The length every sequence of a batch is padded to, or None when nothing is padded."""
    if strategy == "do_not_pad" or not lengths:
        return None
    target = max(lengths) if strategy == "longest" else max_length
    if pad_to_multiple_of is not None and target % pad_to_multiple_of != 0:
        target = (target // pad_to_multiple_of + 1) * pad_to_multiple_of
    return target


def pad_features(features, target, pad_token_id, side="right"):
    """Pad each field of one example (a dict of lists) to ``target`` tokens; fields other than the
    PADDED_KEYS are left alone."""
    missing = target - len(features["input_ids"])
    if missing <= 0:
        return features
    padded = dict(features)
    for key, value in features.items():
        if key not in PADDED_KEYS:
            continue
        filler = [pad_token_id if key == "input_ids" else PADDED_KEYS[key]] * missing
        padded[key] = list(value) + filler if side == "right" else filler + list(value)
    return padded
