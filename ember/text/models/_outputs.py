"""Model outputs as Hugging Face returns them: a dict whose fields are also attributes and tuple positions.

``out.last_hidden_state``, ``out["last_hidden_state"]`` and ``out[0]`` are the same tensor; fields left as None
are not keys (so ``out[1]`` is the next field that was set), as in ``transformers.utils.ModelOutput``.
"""

from collections import OrderedDict

__all__ = ["ModelOutput", "BaseModelOutputWithPooling", "SequenceClassifierOutput"]


class ModelOutput(OrderedDict):
    """Base of the output records: subclasses list their field names, in order, in ``_fields``.

    >>> out = BaseModelOutputWithPooling(last_hidden_state=ember.zeros(1, 2, 3))
    >>> out.last_hidden_state.shape, out[0].shape, list(out.keys()), out.pooler_output
    (ember.Size([1, 2, 3]), ember.Size([1, 2, 3]), ['last_hidden_state'], None)
    """

    _fields = ()

    def __init__(self, **fields):
        super().__init__()
        unknown = sorted(set(fields) - set(self._fields))
        if unknown:
            raise TypeError(f"{type(self).__name__} got unexpected field(s) {unknown}; its fields are "
                            f"{list(self._fields)}")
        for name in self._fields:
            if fields.get(name) is not None:
                super().__setitem__(name, fields[name])

    def __getattr__(self, name):
        if name in type(self)._fields:
            return self.get(name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        if name not in self._fields:
            raise AttributeError(f"'{type(self).__name__}' has no field '{name}'; its fields are {list(self._fields)}")
        self[name] = value

    def __setitem__(self, name, value):
        if name not in self._fields:
            raise KeyError(f"'{type(self).__name__}' has no field '{name}'; its fields are {list(self._fields)}")
        if value is None:
            self.pop(name, None)
            return
        # keep the fields in declaration order whatever order they are set in
        items = {**self, name: value}
        super().clear()
        for field in self._fields:
            if field in items:
                super().__setitem__(field, items[field])

    def __getitem__(self, key):
        if isinstance(key, str):
            return super().__getitem__(key)
        return self.to_tuple()[key]

    def __reduce__(self):
        return type(self), (), None, None, iter(self.items())

    def to_tuple(self):
        """The fields that are set, in order (what ``return_dict=False`` gives in Hugging Face)."""
        return tuple(self.values())


class BaseModelOutputWithPooling(ModelOutput):
    """What :class:`BertModel` returns: ``last_hidden_state`` (batch, seq, hidden), ``pooler_output`` (batch,
    hidden), and with ``output_hidden_states``/``output_attentions`` the per-layer tuples.

    >>> BaseModelOutputWithPooling(last_hidden_state=ember.ones(1, 1, 2)).to_tuple()
    (tensor([[[1., 1.]]]),)
    """

    _fields = ("last_hidden_state", "pooler_output", "hidden_states", "attentions")


class SequenceClassifierOutput(ModelOutput):
    """What :class:`BertForSequenceClassification` returns: ``loss`` (when labels are given), ``logits``, and the
    optional per-layer tuples.

    >>> SequenceClassifierOutput(logits=ember.zeros(2, 3)).logits.shape
    ember.Size([2, 3])
    """

    _fields = ("loss", "logits", "hidden_states", "attentions")
