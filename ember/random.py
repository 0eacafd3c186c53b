"""Random number generation: ``Generator``, seeding, RNG state, and the random samplers.

Each ``Generator`` runs NumPy's PCG64 bit generator. Seeding makes ember reproducible
(the same seed gives the same numbers, and a saved state replays them), but ember does
not reproduce PyTorch's streams: ``ember.manual_seed(0); ember.rand(3)`` and the same
in PyTorch give different numbers, because PyTorch's CPU generator is a Mersenne
Twister with its own transformations. Distributions and argument checks match PyTorch.

Samplers take ``generator=`` (the default generator when None). The in-place samplers
(``uniform_``, ``normal_``, ...) write into the tensor with PyTorch's in-place rules:
on a leaf that requires grad they are allowed only under ``no_grad`` (as ``nn.init``
uses them); on other tensors no gradient flows back through the new values.
"""

import contextlib
import warnings

import numpy as np

from . import _dtype
from ._creation import _finish, _sizes, zeros_like
from ._device import check_available, to_device
from ._tensor import Tensor, _type_word
from .autograd.function import Primitive
from .ops._util import broadcast_shapes, check_tensor, float_arg

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial",
           "poisson", "rand_like", "randn_like", "randint_like"]

_DEFAULT_SEED = 67280421310721      # PyTorch's seed for a new Generator
_UINT64 = 2 ** 64
_STATE_BYTES = 56                   # seed, PCG64 state and increment, cached 32-bit half


# ----------------------------------------------------------------------------- generators

def _seed_value(seed):
    """A seed as an unsigned 64-bit integer; negative seeds wrap, as in PyTorch."""
    seed = int(seed)
    if not -2 ** 63 <= seed < _UINT64:
        raise ValueError(f"Overflow when unpacking long long: seed {seed} is not a 64-bit integer")
    return seed % _UINT64


class Generator:
    """A source of random numbers with its own seed and state (NumPy's PCG64 underneath).

    >>> g = ember.Generator().manual_seed(42)
    >>> ember.rand(2, generator=g).shape
    ember.Size([2])
    """

    def __init__(self, device="cpu"):
        self.device = to_device(device)
        check_available(self.device)
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        """Restart the stream from ``seed``; returns the generator."""
        self._seed = _seed_value(seed)
        self._numpy = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self):
        """Restart the stream from a fresh seed taken from the operating system; returns that seed."""
        fresh = int(np.random.SeedSequence().entropy) % _UINT64
        self.manual_seed(fresh)
        return fresh

    def initial_seed(self):
        """The seed the stream was last started from."""
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 tensor, for ``set_state``."""
        state = self._numpy.bit_generator.state
        fields = ((self._seed, 8), (state["state"]["state"], 16), (state["state"]["inc"], 16),
                  (state["has_uint32"], 8), (state["uinteger"], 8))
        raw = b"".join(value.to_bytes(size, "little") for value, size in fields)
        return Tensor._make(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state from ``get_state``; the stream continues from where it was saved."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a ember.ByteTensor, but got {type(new_state).__name__}")
        if new_state.dtype is not _dtype.uint8:
            raise TypeError(f"RNG state must be a ember.ByteTensor, got {new_state.dtype}")
        if new_state.numel() != _STATE_BYTES:
            raise RuntimeError(f"Expected an RNG state of size {_STATE_BYTES} but found the input RNG state size "
                               f"to be {new_state.numel()}")
        raw = np.ascontiguousarray(new_state._data).tobytes()
        values, offset = [], 0
        for size in (8, 16, 16, 8, 8):
            values.append(int.from_bytes(raw[offset:offset + size], "little"))
            offset += size
        seed, state, inc, has_uint32, uinteger = values
        self.manual_seed(seed)
        self._numpy.bit_generator.state = {"bit_generator": "PCG64", "state": {"state": state, "inc": inc},
                            "has_uint32": has_uint32, "uinteger": uinteger}
        return self


default_generator = Generator()
default_generator.seed()            # like PyTorch, the default generator starts from a random seed


def manual_seed(seed):
    """Seed the default generator, making later random calls reproducible; returns it.

    >>> _ = ember.manual_seed(0); a = ember.rand(2)
    >>> _ = ember.manual_seed(0); bool((a == ember.rand(2)).all())
    True
    """
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator from the operating system's entropy; returns the seed.

    >>> isinstance(ember.seed(), int)
    True
    """
    return default_generator.seed()


def initial_seed():
    """The seed the default generator was last started from.

    >>> _ = ember.manual_seed(7); ember.initial_seed()
    7
    """
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a uint8 tensor.

    >>> ember.get_rng_state().dtype
    ember.uint8
    """
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default generator's state from ``get_rng_state``.

    >>> s = ember.get_rng_state(); a = ember.rand(2); ember.set_rng_state(s)
    >>> bool((a == ember.rand(2)).all())
    True
    """
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Run a block whose random calls leave the default generator's state as it was before.

    >>> with ember.random.fork_rng():
    ...     _ = ember.rand(3)
    """
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def _numpy_generator(generator=None):
    """The NumPy generator behind ``generator`` (the default one when None), for samplers elsewhere."""
    if generator is None:
        return default_generator._numpy
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a ember.Generator for argument 'generator', got {type(generator).__name__}")
    return generator._numpy


# ----------------------------------------------------------------------------- sampling arrays

_MANTISSA_BITS = {"float16": 11, "bfloat16": 8}       # random bits that fit each small float exactly
_RANDOM_LIMIT_BITS = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}
_C_TYPE_NAMES = {"uint8": "unsigned char", "int8": "signed char", "int16": "short", "int32": "int",
                 "int64": "long int", "bool": "bool", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
                 "float32": "float", "float64": "double"}


def _uniform_array(rng, shape, dtype):
    """Uniform values in [0, 1) of ``dtype``, each with as many random bits as the type holds."""
    if dtype.name in _MANTISSA_BITS:
        bits = _MANTISSA_BITS[dtype.name]
        return (rng.integers(0, 2 ** bits, size=shape) * 2.0 ** -bits).astype(dtype.np_dtype)
    return rng.random(shape, dtype=dtype.np_dtype)


def _normal_array(rng, shape, dtype):
    """Standard normal values, generated in float64 for float64 and float32 otherwise."""
    work = np.float64 if dtype is _dtype.float64 else np.float32
    return rng.standard_normal(shape, dtype=work)


def _complex_array(part, shape, target, scale=1.0):
    """A complex array of ``target`` whose real and imaginary parts are each drawn by ``part(shape, real dtype)``
    and multiplied by ``scale`` (complex ``randn`` draws each part with variance 1/2, as PyTorch's)."""
    parts = target.to_real()
    real, imag = part(shape, parts), part(shape, parts)
    values = np.empty(shape, dtype=target.np_dtype)
    values.real, values.imag = real * scale, imag * scale
    return values


def _require_float(dtype, kernel):
    """PyTorch's NotImplementedError for a floating-point-only kernel given another dtype."""
    if not dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_word(dtype)}'")


def _require_continuous(dtype, name, type_name):
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name} distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {type_name}")


def _sampled_primitive(name):
    """A Primitive whose output is values sampled outside it: gradients to its inputs are zero."""
    def forward(ctx, *arrays, values):
        return values

    def backward(ctx, grad):
        return tuple(zeros_like(grad) if need else None for need in ctx.needs_input_grad)

    return type(name, (Primitive,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                     "grad_fn_name": name, "__module__": __name__})


_SAMPLED = {name: _sampled_primitive(name) for name in (
    "NormalBackward0", "NormalBackward1", "NormalBackward2", "NormalBackward3", "UniformBackward0",
    "RandomBackward0", "RandomBackward1", "RandomBackward2", "BernoulliBackward0", "BernoulliBackward1",
    "BernoulliBackward2", "PoissonBackward0", "ExponentialBackward0", "GeometricBackward0", "CauchyBackward0",
    "LogNormalBackward0")}


def _sampled(name, values, *inputs):
    """``values`` as a tensor whose grad_fn (when an input requires grad) gives zero gradients."""
    return _SAMPLED[name].apply(*inputs, values=values)


# ----------------------------------------------------------------------------- factories

def rand(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """A tensor of the given size with values drawn uniformly from [0, 1).

    >>> ember.rand(2, 3).shape
    ember.Size([2, 3])
    """
    shape = _sizes(sizes, size, "rand")
    target = _factory_dtype(dtype, out)
    rng = _numpy_generator(generator)
    if target.is_complex:
        values = _complex_array(lambda part_shape, part: _uniform_array(rng, part_shape, part), shape, target)
        return _finish(values, device, requires_grad, out)
    _require_float(target, "check_uniform_bounds")
    return _finish(_uniform_array(rng, shape, target), device, requires_grad, out)


def randn(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """A tensor of the given size with values drawn from the standard normal distribution.

    >>> ember.randn(4).dtype
    ember.float32
    """
    shape = _sizes(sizes, size, "randn")
    target = _factory_dtype(dtype, out)
    rng = _numpy_generator(generator)
    if target.is_complex:
        values = _complex_array(lambda part_shape, part: _normal_array(rng, part_shape, part), shape, target,
                                scale=0.5 ** 0.5)
        return _finish(values, device, requires_grad, out)
    _require_float(target, "normal_kernel_cpu")
    values = _normal_array(rng, shape, target).astype(target.np_dtype)
    return _finish(values, device, requires_grad, out)


def _factory_dtype(dtype, out, default=None):
    if dtype is not None:
        return _dtype.to_dtype(dtype)
    if out is not None:
        return out.dtype
    return default or _dtype.get_default_dtype()


def _integer_arg(value, name, fn):
    if isinstance(value, Tensor) and value.ndim == 0 and not value.dtype.is_floating_point:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{fn}(): argument '{name}' must be int, not {type(value).__name__}")
    return int(value)


def _check_random_range(low, high, dtype):
    """PyTorch's checks on a ``[low, high)`` integer range for ``dtype``."""
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    _check_bound(low, "from", dtype)
    _check_bound(high - 1, "to - 1", dtype)


def _check_bound(value, name, dtype):
    """An error when ``value`` does not fit an integer dtype; a warning when a float cannot hold it exactly."""
    if dtype.is_floating_point:
        bits = _RANDOM_LIMIT_BITS[dtype.name]
        if not -2 ** bits <= value <= 2 ** bits:
            warnings.warn(f"{name} is out of bounds [-(2^{bits}), 2^{bits}]. Due to precision limitations "
                          f"{_C_TYPE_NAMES[dtype.name]} can support discrete uniform distribution only within "
                          "this range.", UserWarning, stacklevel=3)
        return
    info = (0, 1) if dtype is _dtype.bool else (int(np.iinfo(dtype.np_dtype).min), int(np.iinfo(dtype.np_dtype).max))
    if not info[0] <= value <= info[1]:
        raise RuntimeError(f"{name} is out of bounds for {_C_TYPE_NAMES[dtype.name]}")


def _integers(rng, low, high_inclusive, shape, dtype):
    """Uniform integers in [low, high_inclusive], converted to ``dtype``."""
    values = rng.integers(low, high_inclusive, size=shape, dtype=np.int64, endpoint=True)
    return values.astype(dtype.np_dtype)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False):
    """Integers drawn uniformly from [low, high) (``randint(high, size)`` starts at 0); int64 by default.

    >>> ember.randint(3, 10, (2, 2)).dtype
    ember.int64
    """
    if high is None or size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high if size is None else size
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' (position 2) must be tuple of ints, not "
                        f"{type(size).__name__}")
    low, high = _integer_arg(low, "low", "randint"), _integer_arg(high, "high", "randint")
    shape = _sizes((size,), None, "randint")
    target = _factory_dtype(dtype, out, _dtype.int64)
    _check_random_range(low, high, target)
    return _finish(_integers(_numpy_generator(generator), low, high - 1, shape, target), device, requires_grad,
                   out)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of the integers ``0 .. n-1`` (int64 by default).

    >>> sorted(ember.randperm(4).tolist())
    [0, 1, 2, 3]
    """
    n = _integer_arg(n, "n", "randperm")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    target = _factory_dtype(dtype, out, _dtype.int64)
    values = _numpy_generator(generator).permutation(n).astype(target.np_dtype)
    return _finish(values, device, requires_grad, out)


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False):
    """Normal samples with the given ``mean`` and ``std``: tensors (broadcast) or numbers with ``size``.

    Overloads as PyTorch: ``normal(Tensor, Tensor)``, ``normal(Tensor, float)``,
    ``normal(float, Tensor)`` and ``normal(float, float, size)``. No gradient flows to
    ``mean`` or ``std`` (it is zero, as in PyTorch).

    >>> ember.normal(ember.zeros(3), 1.0).shape
    ember.Size([3])
    """
    rng = _numpy_generator(generator)
    mean_is_tensor, std_is_tensor = isinstance(mean, Tensor), isinstance(std, Tensor)
    mean = mean if mean_is_tensor else float_arg(mean, "normal", "mean")
    std = std if std_is_tensor else float_arg(std, "normal", "std")
    if not (mean_is_tensor or std_is_tensor):
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got (float, float), but "
                            "expected (Tensor mean, Tensor std), (Tensor mean, float std), (float mean, Tensor "
                            "std) or (float mean, float std, tuple of ints size)")
        _check_std(std)
        target = _factory_dtype(dtype, out)
        _require_float(target, "normal_kernel_cpu")
        values = (mean + std * _normal_array(rng, _sizes((size,), None, "normal"), target))
        return _finish(values.astype(target.np_dtype), device, requires_grad, out)
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    if mean_is_tensor:
        _require_float(mean.dtype, "normal_kernel_cpu")     # the samples take mean's dtype
    target = _dtype.result_type(*tensors)
    _require_float(target, "normal_kernel_cpu")
    shape = broadcast_shapes(*(t.shape for t in tensors))
    std_values = std._data if std_is_tensor else std
    if std_is_tensor:
        if (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    else:
        _check_std(std)
    mean_values = mean._data if mean_is_tensor else mean
    values = (mean_values + std_values * _normal_array(rng, tuple(shape), target)).astype(target.np_dtype)
    name = "NormalBackward3" if mean_is_tensor and std_is_tensor else \
        "NormalBackward1" if mean_is_tensor else "NormalBackward2"
    result = _sampled(name, values, *tensors)
    return result if out is None else out.copy_(result)


def _check_std(std):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")


def _check_probabilities(p):
    """PyTorch's error for Bernoulli probabilities outside [0, 1]."""
    data = p._data
    if not ((data >= 0) & (data <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
                           "message be improved?  If so, please report an enhancement request to PyTorch.)")


def _check_p(p, name):
    if not 0 <= p <= 1:
        raise RuntimeError(f"{name} expects p to be in [0, 1], but got p={p}")


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples, 1 with probability ``input`` elementwise (or with the number ``p``), in input's dtype.

    >>> ember.bernoulli(ember.tensor([0.0, 1.0]))
    tensor([0., 1.])
    """
    check_tensor(input, "input", "bernoulli")
    rng = _numpy_generator(generator)
    if p is not None:
        _check_p(p, "bernoulli_")
        values = (rng.random(tuple(input.shape)) < p).astype(input._data.dtype)
        result = _sampled("BernoulliBackward1", values, input)
    else:
        _require_float(input.dtype, "bernoulli_tensor_cpu_p_")
        _check_probabilities(input)
        values = (_uniform_array(rng, tuple(input.shape), _dtype.float64) < input._data).astype(input._data.dtype)
        result = _sampled("BernoulliBackward0", values, input)
    return result if out is None else out.copy_(result)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices of ``num_samples`` categories drawn with probabilities proportional to each row of ``input``.

    >>> ember.multinomial(ember.tensor([0.0, 1.0]), 2)
    tensor([1, 0])
    """
    check_tensor(input, "input", "multinomial")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_type_word(input.dtype)}")
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    num_samples = _integer_arg(num_samples, "num_samples", "multinomial")
    categories = input.shape[-1]
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    probs = np.asarray(input._data, dtype=np.float64).reshape(-1, categories)
    if not (np.isfinite(probs) & (probs >= 0)).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (probs.sum(axis=1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _numpy_generator(generator)
    draw = _draw_with_replacement if replacement else _draw_without_replacement
    samples = np.stack([draw(rng, row, num_samples) for row in probs]).astype(np.int64)
    result = Tensor._make(samples.reshape(tuple(input.shape[:-1]) + (num_samples,)))
    return result if out is None else out.copy_(result)


def _draw_with_replacement(rng, probs, count):
    """Inverse-CDF sampling; a zero-probability category is never drawn."""
    cdf = np.cumsum(probs)
    return np.searchsorted(cdf / cdf[-1], rng.random(count), side="right")


def _draw_without_replacement(rng, probs, count):
    """The ``count`` first arrivals of exponential clocks with rates ``probs`` (zero-probability ones last)."""
    with np.errstate(divide="ignore"):
        arrival = rng.standard_exponential(probs.shape[0]) / probs
    return np.argsort(arrival, kind="stable")[:count]


def poisson(input, generator=None):
    """Poisson samples with rates ``input`` elementwise, in input's (floating-point) dtype.

    >>> ember.poisson(ember.zeros(2))
    tensor([0., 0.])
    """
    check_tensor(input, "input", "poisson")
    _require_float(input.dtype, "poisson_cpu")
    if (input._data < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    values = np.asarray(_numpy_generator(generator).poisson(input._data)).astype(input._data.dtype)
    return _sampled("PoissonBackward0", values, input)


def _like_dtype(input, dtype, fn):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return _dtype.to_dtype(dtype) if dtype is not None else input.dtype


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """``rand`` with the shape (and by default the dtype) of ``input``.

    >>> ember.rand_like(ember.zeros(2, dtype=ember.float64)).dtype
    ember.float64
    """
    target = _like_dtype(input, dtype, "rand_like")
    return rand(tuple(input.shape), generator=generator, dtype=target, device=device, requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """``randn`` with the shape (and by default the dtype) of ``input``.

    >>> ember.randn_like(ember.zeros(2, 3)).shape
    ember.Size([2, 3])
    """
    target = _like_dtype(input, dtype, "randn_like")
    return randn(tuple(input.shape), generator=generator, dtype=target, device=device,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None):
    """``randint`` with the shape and dtype of ``input``: ``randint_like(x, high)`` or ``(x, low, high)``.

    >>> ember.randint_like(ember.zeros(3), 5).dtype
    ember.float32
    """
    if high is None:
        low, high = 0, low
    target = _like_dtype(input, dtype, "randint_like")
    return randint(low, high, tuple(input.shape), generator=generator, dtype=target, device=device,
                   requires_grad=requires_grad)


# ----------------------------------------------------------------------------- in-place samplers

def _fill_sampled(self, name, values):
    """Write sampled ``values`` into ``self`` in place, under PyTorch's in-place rules."""
    return self._assign_inplace(_sampled(name, values.astype(self._data.dtype, copy=False), self))


def uniform_(self, from_=0, to=1, *, generator=None):
    """Fill with values drawn uniformly from [from_, to), in place.

    >>> ember.empty(3).uniform_(-1, 1).shape
    ember.Size([3])
    """
    _require_float(self.dtype, "check_uniform_bounds")
    from_, to = float_arg(from_, "uniform_", "from"), float_arg(to, "uniform_", "to")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}")
    self._check_inplace()
    u = _uniform_array(_numpy_generator(generator), tuple(self.shape), self.dtype)
    work = u.dtype.type if u.dtype.itemsize >= 4 else np.float32
    return _fill_sampled(self, "UniformBackward0", u.astype(work, copy=False) * work(to - from_) + work(from_))


def normal_(self, mean=0, std=1, *, generator=None):
    """Fill with normal samples of the given ``mean`` and ``std``, in place.

    >>> ember.empty(3).normal_(0, 0.02).shape
    ember.Size([3])
    """
    _require_float(self.dtype, "normal_kernel_cpu")
    mean, std = float_arg(mean, "normal_", "mean"), float_arg(std, "normal_", "std")
    _check_std(std)
    self._check_inplace()
    noise = _normal_array(_numpy_generator(generator), tuple(self.shape), self.dtype)
    work = noise.dtype.type
    return _fill_sampled(self, "NormalBackward0", noise * work(std) + work(mean))


_UNSET = object()


def random_(self, from_=None, to=_UNSET, *, generator=None):
    """Fill with random integers: ``random_(to)`` in [0, to), ``random_(from, to)`` in [from, to).

    With no arguments the values cover every integer the dtype holds exactly
    (``[0, 2**24]`` for float32, ``[0, max]`` for integer types).

    >>> ember.zeros(4, dtype=ember.int64).random_(0, 10).max() < 10
    tensor(True)
    """
    form = "RandomBackward0"             # PyTorch's node names for random_(from, to), (to) and ()
    if to is _UNSET:
        form = "RandomBackward1" if from_ is not None else "RandomBackward2"
        from_, to = (0, from_) if from_ is not None else (0, None)
    low = _integer_arg(from_, "from", "random_")
    if to is None:
        high = _largest_random(self.dtype) + 1
        _check_bound(low, "from", self.dtype)
        if low >= high:
            raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' "
                               f"casted to dtype, but got from={low} > to_inc={high - 1}")
    else:
        high = _integer_arg(to, "to", "random_")
        _check_random_range(low, high, self.dtype)
    self._check_inplace()
    values = _integers(_numpy_generator(generator), low, high - 1, tuple(self.shape), _dtype.int64)
    return _fill_sampled(self, form, values)


def _largest_random(dtype):
    if dtype.is_floating_point:
        return 2 ** _RANDOM_LIMIT_BITS[dtype.name]
    if dtype is _dtype.bool:
        return 1
    return int(np.iinfo(dtype.np_dtype).max)


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 samples, 1 with probability ``p`` (a number or a tensor broadcast to self), in place.

    >>> ember.zeros(3).bernoulli_(1.0)
    tensor([1., 1., 1.])
    """
    rng = _numpy_generator(generator)
    if isinstance(p, Tensor):
        _check_probabilities(p)
        if p.shape != self.shape:
            p.expand(self.shape)            # PyTorch's error when p does not broadcast to self
        probs = np.broadcast_to(p._data, tuple(self.shape))
        self._check_inplace()
        values = _uniform_array(rng, tuple(self.shape), _dtype.float64) < probs
        return _fill_sampled(self, "BernoulliBackward1", values)
    _check_p(p, "bernoulli_")
    self._check_inplace()
    values = _uniform_array(rng, tuple(self.shape), _dtype.float64) < p
    return _fill_sampled(self, "BernoulliBackward2", values)


def exponential_(self, lambd=1, *, generator=None):
    """Fill with exponential samples of rate ``lambd``, in place.

    >>> bool((ember.empty(3).exponential_() >= 0).all())
    True
    """
    _require_continuous(self.dtype, "Exponential", _type_word(self.dtype))
    lambd = float_arg(lambd, "exponential_", "lambd")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    self._check_inplace()
    values = _numpy_generator(generator).standard_exponential(tuple(self.shape)) / lambd
    return _fill_sampled(self, "ExponentialBackward0", values)


def geometric_(self, p, *, generator=None):
    """Fill with geometric samples (trials until the first success, so at least 1), in place.

    >>> bool((ember.empty(3).geometric_(0.5) >= 1).all())
    True
    """
    if self.dtype is _dtype.bool:
        raise NotImplementedError("\"geometric_cpu\" not implemented for 'Bool'")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    self._check_inplace()
    values = _numpy_generator(generator).geometric(p, tuple(self.shape))
    return _fill_sampled(self, "GeometricBackward0", values)


def cauchy_(self, median=0, sigma=1, *, generator=None):
    """Fill with Cauchy samples of the given ``median`` and scale ``sigma``, in place.

    >>> ember.empty(3).cauchy_().shape
    ember.Size([3])
    """
    _require_continuous(self.dtype, "Cauchy", _C_TYPE_NAMES[self.dtype.name])
    median, sigma = float_arg(median, "cauchy_", "median"), float_arg(sigma, "cauchy_", "sigma")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    self._check_inplace()
    values = median + sigma * _numpy_generator(generator).standard_cauchy(tuple(self.shape))
    return _fill_sampled(self, "CauchyBackward0", values)


def log_normal_(self, mean=1, std=2, *, generator=None):
    """Fill with samples whose logarithm is normal with the given ``mean`` and ``std``, in place.

    >>> bool((ember.empty(3).log_normal_() > 0).all())
    True
    """
    _require_float(self.dtype, "log_normal_cpu")
    mean, std = float_arg(mean, "log_normal_", "mean"), float_arg(std, "log_normal_", "std")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    self._check_inplace()
    noise = _numpy_generator(generator).standard_normal(tuple(self.shape))
    return _fill_sampled(self, "LogNormalBackward0", np.exp(mean + std * noise))


TENSOR_METHODS = {
    "uniform_": uniform_, "normal_": normal_, "random_": random_, "bernoulli_": bernoulli_,
    "exponential_": exponential_, "geometric_": geometric_, "cauchy_": cauchy_, "log_normal_": log_normal_,
    "bernoulli": bernoulli, "multinomial": multinomial,
}
