"""Named results of ops that return several tensors, as ``torch.return_types``.

``ember.max(x, dim=0)`` returns ``ember.return_types.max``: a tuple ``(values, indices)``
whose parts are also reachable by name. Like PyTorch's structseqs, each type is built
from one sequence (``max((values, indices))``); positional parts or keywords
(``max(values, indices)``, ``max(values=v, indices=i)``) work too. It unpacks and
indexes as a tuple and pickles by name.

>>> result = ember.return_types.max((ember.tensor([3.]), ember.tensor([0])))
>>> result.values, result[1]
(tensor([3.]), tensor([0]))
"""

from operator import itemgetter

__all__ = ["max", "min", "aminmax", "cummax", "cummin", "median", "nanmedian", "mode", "kthvalue", "sort",
           "topk", "histogram"]


class _ReturnType(tuple):
    """Base of the named result types: a tuple with one name per position."""

    __slots__ = ()
    _fields = ()

    def __new__(cls, *parts, **named):
        if named:
            missing = [f for f in cls._fields[len(parts):] if f not in named]
            if missing or len(named) + len(parts) != len(cls._fields):
                raise TypeError(f"ember.return_types.{cls.__name__} expects the fields {cls._fields}, got "
                                f"{len(parts)} positional and {sorted(named)}")
            parts = parts + tuple(named[f] for f in cls._fields[len(parts):])
        one_sequence = len(parts) == 1 and (len(cls._fields) > 1 or isinstance(parts[0], (tuple, list)))
        items = tuple(parts[0]) if one_sequence else parts
        if len(items) != len(cls._fields):
            raise TypeError(f"ember.return_types.{cls.__name__} takes a {len(cls._fields)}-sequence "
                            f"({len(items)}-sequence given)")
        return super().__new__(cls, items)

    def __repr__(self):
        parts = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"ember.return_types.{type(self).__name__}(\n{parts})"

    def _asdict(self):
        """The parts as a dict from field name to value."""
        return dict(zip(self._fields, self))

    def __reduce__(self):
        return (type(self), (tuple(self),))


def _make(name, fields):
    """A result type called ``name`` whose positions are named ``fields``."""
    namespace = {"__slots__": (), "_fields": fields, "n_fields": len(fields), "n_sequence_fields": len(fields),
                 "__module__": __name__, "__qualname__": name,
                 "__doc__": f"The result of ``ember.{name}``: ({', '.join(fields)})."}
    for position, field in enumerate(fields):
        namespace[field] = property(itemgetter(position), doc=f"Item {position} of the result.")
    return type(name, (_ReturnType,), namespace)


_VALUES_INDICES = ("values", "indices")

max = _make("max", _VALUES_INDICES)  # noqa: A001  (PyTorch's name)
min = _make("min", _VALUES_INDICES)  # noqa: A001
aminmax = _make("aminmax", ("min", "max"))
frexp = _make("frexp", ("mantissa", "exponent"))
cummax = _make("cummax", _VALUES_INDICES)
cummin = _make("cummin", _VALUES_INDICES)
median = _make("median", _VALUES_INDICES)
nanmedian = _make("nanmedian", _VALUES_INDICES)
mode = _make("mode", _VALUES_INDICES)
kthvalue = _make("kthvalue", _VALUES_INDICES)
sort = _make("sort", _VALUES_INDICES)
topk = _make("topk", _VALUES_INDICES)
histogram = _make("histogram", ("hist", "bin_edges"))
