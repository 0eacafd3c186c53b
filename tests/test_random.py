"""Random numbers: generators and their state, samplers' shapes/dtypes/errors against PyTorch, statistics.

ember does not reproduce PyTorch's random streams, so values are checked statistically
(fixed seeds, tolerances of several standard errors) and for determinism, while shapes,
dtypes, autograd flags and errors are compared with PyTorch directly.
"""

import pickle

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from helpers import requires_torch, same_error, torch
from hypothesis import given, settings

import ember

N = 200_000


def sample(tensor):
    return np.asarray(tensor.detach()._data, dtype=np.float64)


def meta(t):
    """What can be compared across libraries for a random result: shape, dtype and autograd flags."""
    return (tuple(t.shape), str(t.dtype).split(".")[-1], t.requires_grad,
            type(t.grad_fn).__name__ if t.grad_fn is not None else None)


def same_meta(fn):
    """``fn(lib)`` gives a tensor of the same shape, dtype and autograd state in ember and PyTorch."""
    if torch is None:
        pytest.skip("PyTorch is not installed")
    assert meta(fn(ember)) == meta(fn(torch))


# ----------------------------------------------------------------------------- generators

def test_generator_seeding_and_attributes():
    g = ember.Generator()
    assert g.initial_seed() == 67280421310721 and g.device == ember.device("cpu")
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    assert g.manual_seed(-1).initial_seed() == 2 ** 64 - 1
    fresh = g.seed()
    assert isinstance(fresh, int) and 0 <= fresh < 2 ** 64 and g.initial_seed() == fresh
    with pytest.raises(ValueError):
        g.manual_seed(2 ** 64)
    with pytest.raises(RuntimeError):
        ember.Generator("cuda")


def test_generator_state_round_trip():
    g = ember.Generator().manual_seed(11)
    ember.rand(5, generator=g)
    state = g.get_state()
    assert state.dtype is ember.uint8 and state.ndim == 1
    first = ember.randn(10, generator=g).tolist()
    ember.rand(100, generator=g)
    assert g.set_state(state) is g
    assert ember.randn(10, generator=g).tolist() == first
    assert g.initial_seed() == 11
    other = ember.Generator().set_state(state)
    assert ember.randn(10, generator=other).tolist() == first


@requires_torch
@pytest.mark.parametrize("fn", [
    lambda m: m.Generator().set_state(m.zeros(3)), lambda m: m.Generator().set_state([1]),
    lambda m: m.Generator().set_state(m.zeros(3, dtype=m.uint8)),
])
def test_generator_state_errors(fn):
    same_error(fn)


def test_generators_are_independent_and_picklable():
    ember.manual_seed(5)
    expected = ember.rand(4).tolist()
    ember.manual_seed(5)
    g = ember.Generator().manual_seed(5)
    from_g = ember.rand(4, generator=g).tolist()
    assert ember.rand(4).tolist() == expected and from_g == expected
    copy = pickle.loads(pickle.dumps(g))
    assert ember.rand(3, generator=copy).tolist() == ember.rand(3, generator=g).tolist()


def test_module_seed_functions():
    assert ember.manual_seed(7) is ember.default_generator and ember.initial_seed() == 7
    assert ember.random.initial_seed() == 7 and ember.random.default_generator is ember.default_generator
    fresh = ember.seed()
    assert ember.initial_seed() == fresh
    ember.manual_seed(0)
    state = ember.get_rng_state()
    a = ember.randn(3).tolist()
    ember.set_rng_state(state)
    assert ember.randn(3).tolist() == a
    with ember.random.fork_rng():
        ember.rand(10)
    assert ember.randn(3).tolist() != a
    ember.set_rng_state(state)
    with ember.random.fork_rng():
        ember.rand(10)
    assert ember.randn(3).tolist() == a


SAMPLERS = {
    "rand": lambda g: ember.rand(3, 4, generator=g),
    "randn": lambda g: ember.randn(3, 4, generator=g, dtype=ember.float64),
    "randint": lambda g: ember.randint(-5, 5, (7,), generator=g),
    "randperm": lambda g: ember.randperm(9, generator=g),
    "normal": lambda g: ember.normal(ember.zeros(5), ember.ones(5), generator=g),
    "normal_size": lambda g: ember.normal(2.0, 3.0, (5,), generator=g),
    "bernoulli": lambda g: ember.bernoulli(ember.full((6,), 0.5), generator=g),
    "multinomial": lambda g: ember.multinomial(ember.ones(2, 5), 3, generator=g),
    "multinomial_replacement": lambda g: ember.multinomial(ember.ones(5), 8, True, generator=g),
    "poisson": lambda g: ember.poisson(ember.full((6,), 3.0), generator=g),
    "rand_like": lambda g: ember.rand_like(ember.zeros(4), generator=g),
    "uniform_": lambda g: ember.empty(6).uniform_(-2, 2, generator=g),
    "normal_": lambda g: ember.empty(6).normal_(1, 2, generator=g),
    "random_": lambda g: ember.empty(6, dtype=ember.int64).random_(generator=g),
    "bernoulli_": lambda g: ember.empty(6).bernoulli_(0.3, generator=g),
    "exponential_": lambda g: ember.empty(6).exponential_(2.0, generator=g),
    "geometric_": lambda g: ember.empty(6).geometric_(0.3, generator=g),
    "cauchy_": lambda g: ember.empty(6).cauchy_(generator=g),
    "log_normal_": lambda g: ember.empty(6).log_normal_(generator=g),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_every_sampler_is_deterministic_under_a_seed(name):
    draw = SAMPLERS[name]
    first = draw(ember.Generator().manual_seed(123)).tolist()
    assert draw(ember.Generator().manual_seed(123)).tolist() == first
    assert draw(ember.Generator().manual_seed(124)).tolist() != first
    ember.manual_seed(99)
    default_first = draw(None).tolist()
    ember.manual_seed(99)
    assert draw(None).tolist() == default_first


# ----------------------------------------------------------------------------- shapes, dtypes, grad flags

M, S = "m.tensor([0., 1.], requires_grad=True)", "m.tensor([1., 2.], requires_grad=True)"
META_CASES = [
    "m.rand(2, 3)", "m.rand((2, 3))", "m.rand([])", "m.rand(2, requires_grad=True)", "m.rand(2, dtype=m.float64)",
    "m.rand(3, dtype=m.float16)", "m.randn(size=(2,))", "m.randn(0, 3)", "m.randn(2, dtype=m.float16)",
    "m.randint(5, (3,))", "m.randint(0, 5, (3,), dtype=m.float32)", "m.randint(0, 2, (3,), dtype=m.bool)",
    "m.randint(high=5, size=(2,))", "m.randint(low=1, high=5, size=(2,))", "m.randint(5, size=(2, 2))",
    "m.randint(0, 5, (2,), dtype=m.float32, requires_grad=True)", "m.randperm(4)", "m.randperm(0)",
    "m.randperm(4, dtype=m.float32)", f"m.normal({M}, {S})", f"m.normal({M}, 1.0)", f"m.normal(0., {S})",
    "m.normal(0., 1., (2,))", "m.normal(0, 1, (2,), dtype=m.float64)", "m.normal(m.zeros(2, 3), m.ones(3))",
    "m.normal(m.zeros(2, dtype=m.float64), m.ones(2))", "m.normal(m.zeros(2, dtype=m.float16), 2.)",
    "m.normal(0., 1., (2,), requires_grad=True)", f"m.bernoulli({M})", "m.bernoulli(m.ones(2), 0.3)",
    "m.bernoulli(m.ones(2, dtype=m.float64))", "m.bernoulli(m.ones(2, dtype=m.int64), 0.5)",
    "m.multinomial(m.ones(2, 3), 2)", "m.multinomial(m.ones(2, 3), 5, replacement=True)",
    "m.multinomial(m.tensor([1., 2.], dtype=m.float64), 1)", "m.poisson(m.ones(2, dtype=m.float64))",
    f"m.poisson({M})", "m.randn_like(m.zeros(2, dtype=m.float64))", "m.randint_like(m.zeros(2), 5)",
    "m.randint_like(m.zeros(2, dtype=m.int32), 3, 5)", f"m.rand_like({M})",
    "m.rand_like(m.zeros(2), requires_grad=True)",
    "m.randn_like(m.zeros(2), dtype=m.float64)",
]


@requires_torch
@pytest.mark.parametrize("expr", META_CASES)
def test_samplers_match_torch_shape_dtype_and_grad(expr):
    same_meta(lambda m: eval(expr, {"m": m}))


INPLACE = ["uniform_()", "normal_()", "random_()", "random_(3)", "random_(1, 4)", "bernoulli_()", "exponential_()",
           "geometric_(0.5)", "cauchy_()", "log_normal_()"]


@requires_torch
@pytest.mark.parametrize("call", INPLACE)
def test_inplace_samplers_on_non_leaves_record_a_node(call):
    same_meta(lambda m: eval(f"(m.zeros(3, requires_grad=True) * 2).{call}", {"m": m}))


@requires_torch
@pytest.mark.parametrize("call", INPLACE)
@pytest.mark.parametrize("dtype", ["int64", "uint8", "bool", "float16", "float64", "int8"])
def test_inplace_samplers_dtypes(call, dtype):
    def run(m):
        t = m.zeros(4, dtype=getattr(m, dtype))
        result = eval(f"t.{call}", {"t": t})
        assert result is t
        return t
    try:
        run(torch)
    except Exception:
        same_error(run)
    else:
        same_meta(run)


@requires_torch
@pytest.mark.parametrize("call", INPLACE)
def test_inplace_samplers_refuse_leaves_that_require_grad(call):
    same_error(lambda m: eval(f"m.zeros(3, requires_grad=True).{call}", {"m": m}))
    same_error(lambda m: eval(f"m.zeros(3, requires_grad=True)[:2].{call}", {"m": m}))


def test_inplace_samplers_under_no_grad_keep_the_leaf():
    w = ember.zeros(3, 4, requires_grad=True)
    with ember.no_grad():
        assert w.normal_(0, 0.02) is w
        w.uniform_(-1, 1)
    assert w.is_leaf and w.requires_grad and w.grad_fn is None and w._version == 2
    assert np.all(np.abs(sample(w)) < 1)


def test_inplace_samplers_write_through_views_and_bump_version():
    base = ember.zeros(4, 5)
    row = base[2]
    row.uniform_(1, 2)
    data = sample(base)
    assert np.all(data[2] >= 1) and np.all(data[[0, 1, 3]] == 0) and base._version == 1


def test_zero_gradient_flows_through_samplers():
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    y.normal_()
    (y * 3).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    mean, std = ember.zeros(3, requires_grad=True), ember.ones(3, requires_grad=True)
    ember.normal(mean, std).sum().backward()
    assert mean.grad.tolist() == [0.0] * 3 and std.grad.tolist() == [0.0] * 3


# ----------------------------------------------------------------------------- errors

ERROR_CASES = [
    "m.rand(2, dtype=m.int64)", "m.randn(2, dtype=m.int64)", "m.rand(-1)", "m.rand()",
    "m.randint(5, 5, (3,))", "m.randint(3, 2)", "m.randint(0, 300, (3,), dtype=m.uint8)",
    "m.randint(-2, 3, (3,), dtype=m.uint8)", "m.randint(0.5, 5.5, (4,))", "m.randint(0, 5, (2,), requires_grad=True)",
    "m.randperm(-1)", f"m.normal({M}, -1.)", "m.normal(m.zeros(2, 3), m.ones(4))", "m.normal(2., 3.)",
    "m.normal(m.zeros(3, dtype=m.int64), 1.)", "m.normal(m.zeros(2), m.tensor([1., -1.]))",
    "m.bernoulli(m.tensor([0.2, 1.5]))", "m.bernoulli(m.tensor([1, 0]))", "m.bernoulli(m.ones(2), p=1.5)",
    "m.multinomial(m.tensor([0., 1.]), 3)", "m.multinomial(m.tensor([-1., 1.]), 1)",
    "m.multinomial(m.tensor([0., 0.]), 1)", "m.multinomial(m.tensor([float('nan'), 1.]), 1)",
    "m.multinomial(m.tensor([float('inf'), 1.]), 1)", "m.multinomial(m.tensor([1., 1.]), 0)",
    "m.multinomial(m.tensor([1, 1]), 1)", "m.multinomial(m.ones(2, 2, 2), 1)", "m.multinomial(m.tensor(1.), 1)",
    "m.poisson(m.tensor([-1.]))", "m.poisson(m.tensor([1]))", "m.rand_like(m.zeros(2, dtype=m.int64))",
    "m.rand_like([1.])", "m.zeros(3).uniform_(2, 1)", "m.zeros(3).normal_(0, -1)", "m.zeros(3).exponential_(0)",
    "m.zeros(3).exponential_(-1)", "m.zeros(3).geometric_(0)", "m.zeros(3).geometric_(1)",
    "m.zeros(3).cauchy_(0, 0)", "m.zeros(3).log_normal_(1, 0)", "m.zeros(3).random_(3, 3)",
    "m.zeros(3, dtype=m.uint8).random_(-1, 5)", "m.zeros(3, dtype=m.uint8).random_(0, 300)",
    "m.zeros(2, dtype=m.int32).random_(-2**31 - 1, 5)", "m.zeros(2, dtype=m.uint8).random_(300, None)",
    "m.zeros(2).random_(2**25, None)", "m.zeros(3).bernoulli_(1.5)", "m.zeros(3).bernoulli_(m.tensor([0., 1.5, 1.]))",
    "m.zeros(3).bernoulli_(m.ones(2))",
]


@requires_torch
@pytest.mark.filterwarnings("ignore:from is out of bounds")
@pytest.mark.parametrize("expr", ERROR_CASES)
def test_sampler_errors(expr):
    same_error(lambda m: eval(expr, {"m": m}))


def test_float_random_range_beyond_exact_integers_warns():
    with pytest.warns(UserWarning, match="out of bounds"):
        ember.zeros(2).random_(0, 2 ** 24 + 2)


# ----------------------------------------------------------------------------- statistics

def gen(seed=0):
    return ember.Generator().manual_seed(seed)


def assert_mean(values, expected, std, sigmas=5):
    """The sample mean is within ``sigmas`` standard errors of ``expected``."""
    assert abs(values.mean() - expected) < sigmas * std / np.sqrt(values.size), (values.mean(), expected)


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.float16])
def test_rand_is_uniform_on_unit_interval(dtype):
    x = ember.rand(N, generator=gen(), dtype=dtype)
    values = sample(x)
    assert x.dtype is dtype and values.min() >= 0 and values.max() < 1
    assert_mean(values, 0.5, np.sqrt(1 / 12))
    assert abs(values.var() - 1 / 12) < 0.002
    counts = np.histogram(values, bins=10, range=(0, 1))[0]
    assert np.all(np.abs(counts - N / 10) < 5 * np.sqrt(N / 10))


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.float16])
def test_randn_is_standard_normal(dtype):
    values = sample(ember.randn(N, generator=gen(1), dtype=dtype))
    assert_mean(values, 0.0, 1.0)
    assert abs(values.var() - 1) < 0.015
    assert abs(np.mean(np.abs(values) < 1) - 0.6827) < 0.005


def test_normal_overloads_statistics():
    mean = ember.tensor([-3.0, 5.0]).reshape(2, 1, 1).expand(2, 3, N // 10)
    std = ember.tensor([0.5, 2.0, 4.0]).reshape(1, 3, 1)
    values = sample(ember.normal(mean, std, generator=gen(2)))
    for i, m in enumerate([-3.0, 5.0]):
        for j, s in enumerate([0.5, 2.0, 4.0]):
            assert_mean(values[i, j], m, s)
            assert abs(values[i, j].std() / s - 1) < 0.03
    scalar_form = sample(ember.normal(10.0, 0.1, (N,), generator=gen(3)))
    assert_mean(scalar_form, 10.0, 0.1)
    assert abs(scalar_form.std() - 0.1) < 0.002
    tensor_std = sample(ember.normal(1.0, ember.full((N,), 3.0), generator=gen(4)))
    assert_mean(tensor_std, 1.0, 3.0)


@pytest.mark.parametrize("dtype", [ember.int64, ember.int32, ember.uint8, ember.float32])
def test_randint_is_uniform_over_its_range(dtype):
    low, high = (0, 256) if dtype is ember.uint8 else (-7, 13)
    x = ember.randint(low, high, (N,), generator=gen(5), dtype=dtype)
    values = sample(x)
    assert x.dtype is dtype and values.min() == low and values.max() == high - 1
    counts = np.bincount((values - low).astype(np.int64), minlength=high - low)
    expected = N / (high - low)
    assert np.all(np.abs(counts - expected) < 6 * np.sqrt(expected))


def test_randperm_is_a_uniform_permutation():
    perms = np.stack([sample(ember.randperm(5, generator=gen(seed))) for seed in range(2000)])
    assert np.all(np.sort(perms, axis=1) == np.arange(5))
    first = np.bincount(perms[:, 0].astype(np.int64), minlength=5)
    assert np.all(np.abs(first - 400) < 6 * np.sqrt(400))
    assert ember.randperm(1000, generator=gen(1)).tolist() != list(range(1000))


def test_bernoulli_frequencies():
    probs = ember.tensor([0.0, 0.1, 0.5, 0.9, 1.0], dtype=ember.float64)
    draws = sample(ember.bernoulli(probs.reshape(5, 1).expand(5, N // 5), generator=gen(6)))
    for p, row in zip([0.0, 0.1, 0.5, 0.9, 1.0], draws):
        assert set(np.unique(row)) <= {0.0, 1.0}
        assert_mean(row, p, max(np.sqrt(p * (1 - p)), 1e-9))
    fixed = sample(ember.bernoulli(ember.zeros(N), 0.25, generator=gen(7)))
    assert_mean(fixed, 0.25, np.sqrt(0.25 * 0.75))
    filled = sample(ember.zeros(N, dtype=ember.int64).bernoulli_(0.7, generator=gen(8)))
    assert_mean(filled, 0.7, np.sqrt(0.21))
    tensor_p = sample(ember.zeros(2, N // 2).bernoulli_(ember.tensor([[0.2], [0.8]]), generator=gen(9)))
    assert_mean(tensor_p[0], 0.2, 0.4)
    assert_mean(tensor_p[1], 0.8, 0.4)


def test_multinomial_with_replacement_frequencies():
    probs = ember.tensor([[1.0, 0.0, 3.0, 4.0], [0.0, 0.0, 1.0, 0.0]])
    draws = sample(ember.multinomial(probs, N // 2, replacement=True, generator=gen(10))).astype(np.int64)
    assert draws.shape == (2, N // 2)
    counts = np.bincount(draws[0], minlength=4) / draws.shape[1]
    assert counts[1] == 0 and np.allclose(counts, [0.125, 0.0, 0.375, 0.5], atol=0.01)
    assert np.all(draws[1] == 2)


def test_multinomial_without_replacement():
    probs = ember.tensor([1.0, 2.0, 0.0, 5.0, 2.0])
    firsts = []
    for seed in range(4000):
        draw = sample(ember.multinomial(probs, 3, generator=gen(seed))).astype(np.int64)
        assert len(set(draw.tolist())) == 3 and 2 not in draw
        firsts.append(draw[0])
    frequency = np.bincount(firsts, minlength=5) / 4000
    assert np.allclose(frequency, [0.1, 0.2, 0.0, 0.5, 0.2], atol=0.03)
    everything = sample(ember.multinomial(probs, 5, generator=gen(0))).astype(np.int64)
    assert sorted(everything.tolist()) == [0, 1, 2, 3, 4] and everything[-1] == 2


@pytest.mark.parametrize("rate", [0.5, 4.0, 30.0])
def test_poisson_mean_and_variance(rate):
    values = sample(ember.poisson(ember.full((N,), rate), generator=gen(11)))
    assert np.all(values == np.round(values)) and values.min() >= 0
    assert_mean(values, rate, np.sqrt(rate))
    assert abs(values.var() / rate - 1) < 0.03
    assert sample(ember.poisson(ember.zeros(5))).tolist() == [0.0] * 5


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.float16])
def test_uniform_and_normal_inplace_statistics(dtype):
    u = ember.empty(N, dtype=dtype).uniform_(-2, 3, generator=gen(12))
    values = sample(u)
    assert u.dtype is dtype and values.min() >= -2 and values.max() <= 3
    assert_mean(values, 0.5, 5 / np.sqrt(12))
    n = ember.empty(N, dtype=dtype).normal_(4, 0.5, generator=gen(13))
    assert n.dtype is dtype
    assert_mean(sample(n), 4.0, 0.5)
    assert abs(sample(n).std() - 0.5) < 0.01


@pytest.mark.parametrize("dtype, top", [(ember.float32, 2 ** 24), (ember.float16, 2 ** 11),
                                        (ember.int8, 127), (ember.uint8, 255), (ember.bool, 1)])
def test_random_inplace_ranges(dtype, top):
    full_range = sample(ember.empty(N, dtype=dtype).random_(generator=gen(14)))
    assert full_range.min() >= 0 and full_range.max() <= top and np.all(full_range == np.round(full_range))
    assert full_range.max() > top * 0.9
    below = sample(ember.empty(N, dtype=dtype).random_(2 if top > 1 else 1, generator=gen(15)))
    assert set(np.unique(below)) == ({0.0, 1.0} if top > 1 else {0.0})
    if dtype is not ember.bool:
        span = sample(ember.empty(N, dtype=dtype).random_(3, 7, generator=gen(16)))
        assert set(np.unique(span)) == {3.0, 4.0, 5.0, 6.0}
        assert_mean(span, 4.5, np.sqrt(1.25))
    huge = sample(ember.empty(1000, dtype=ember.int64).random_(generator=gen(17)))
    assert huge.min() >= 0 and huge.max() > 2 ** 60


def test_exponential_geometric_cauchy_lognormal_statistics():
    expo = sample(ember.empty(N).exponential_(2.0, generator=gen(18)))
    assert expo.min() >= 0
    assert_mean(expo, 0.5, 0.5)
    geom = sample(ember.empty(N, dtype=ember.int64).geometric_(0.25, generator=gen(19)))
    assert geom.min() >= 1 and np.all(geom == np.round(geom))
    assert_mean(geom, 4.0, np.sqrt(0.75) / 0.25)
    cauchy = sample(ember.empty(N, dtype=ember.float64).cauchy_(3.0, 2.0, generator=gen(20)))
    assert abs(np.median(cauchy) - 3.0) < 0.05
    assert abs(np.percentile(cauchy, 75) - np.percentile(cauchy, 25) - 4.0) < 0.1
    logn = sample(ember.empty(N, dtype=ember.float64).log_normal_(1.0, 0.5, generator=gen(21)))
    assert logn.min() > 0
    assert_mean(np.log(logn), 1.0, 0.5)
    assert abs(np.log(logn).std() - 0.5) < 0.01


def test_like_samplers_follow_input():
    source = ember.zeros(3, 4, dtype=ember.float64)
    assert ember.rand_like(source).dtype is ember.float64 and ember.randn_like(source).shape == (3, 4)
    ints = sample(ember.randint_like(source, 3, 6, generator=gen(22)))
    assert ints.min() >= 3 and ints.max() <= 5
    assert set(np.unique(sample(ember.randint_like(ember.zeros(N), 2)))) == {0.0, 1.0}


@settings(max_examples=25, deadline=None)
@given(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))
def test_samplers_accept_any_shape(shape):
    made = [ember.rand(shape), ember.randn(*shape) if shape else ember.randn(()), ember.randint(0, 3, shape),
            ember.empty(shape).normal_(), ember.empty(shape).uniform_(), ember.normal(0.0, 1.0, shape)]
    for t in made:
        assert t.shape == shape
