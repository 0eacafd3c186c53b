"""Parity of complex tensors: dtypes and promotion, creation, printing, parts and views, arithmetic,
gradients (PyTorch's conjugate convention) and the errors of ops without complex support."""

import warnings

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, positive, randint, randn, same_error, same_result, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember


def crandn(*shape, dtype=np.complex128):
    """Random complex values (standard normal parts)."""
    return np.asarray(randn(*shape) + 1j * randn(*shape)).astype(dtype)


def name(dtype):
    """A dtype's name, comparable between ember and torch."""
    return str(dtype).split(".")[-1]


# ----------------------------------------------------------------------------- dtypes and promotion

def test_dtype_attributes():
    same_result(lambda m: [(d.is_complex, d.is_floating_point, d.is_signed, d.itemsize, name(d.to_real()),
                            name(d.to_complex())) for d in (m.complex64, m.complex128, m.cfloat, m.cdouble)])
    same_result(lambda m: [name(m.float32.to_complex()), name(m.float64.to_complex()), name(m.float32.to_real()),
                           m.int64.is_complex])
    assert ember.cfloat is ember.complex64 and ember.cdouble is ember.complex128
    assert repr(ember.complex64) == "ember.complex64"


DTYPES = ["bool", "uint8", "int32", "int64", "float16", "bfloat16", "float32", "float64", "complex64", "complex128"]


@pytest.mark.parametrize("first", DTYPES)
@pytest.mark.parametrize("second", ["complex64", "complex128"])
def test_promote_types(first, second):
    same_result(lambda m: [name(m.promote_types(getattr(m, first), getattr(m, second))),
                           name(m.promote_types(getattr(m, second), getattr(m, first)))])


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.int64, np.float32, np.float64])
@pytest.mark.parametrize("scalar", [1j, 2.5 - 1j])
def test_result_type_with_complex_scalars(dtype, scalar):
    a = randint(0, 3, 3).astype(dtype)
    parity(lambda m, x: x * scalar, a, grad=False)
    assert name(ember.result_type(ember.from_numpy(a), scalar)) == name(torch.result_type(torch.from_numpy(a), scalar))


@pytest.mark.parametrize("dim_dtype", [np.int64, np.float32, np.float64, np.complex64])
@pytest.mark.parametrize("zero_dtype", [np.complex64, np.complex128, np.float64])
def test_result_type_dimensioned_and_zero_dim(dim_dtype, zero_dtype):
    a, b = randint(0, 3, 3).astype(dim_dtype), np.array(2 + 1j if zero_dtype != np.float64 else 2.0, zero_dtype)
    parity(lambda m, x, y: x + y, a, b, grad=False)


def test_default_complex_dtype_follows_default_dtype(default_float64):
    same_result(lambda m: [name(m.tensor([1j]).dtype), name((m.ones(2, dtype=m.float32) * 1j).dtype),
                           name((m.ones(2, dtype=m.int32) * 1j).dtype), repr(m.tensor([1 + 1j])).split("dtype")[0]])


def test_is_complex():
    same_result(lambda m: [m.is_complex(m.tensor([1j])), m.tensor([1j]).is_complex(), m.is_complex(m.ones(2)),
                           m.tensor([1j]).is_floating_point(), m.is_floating_point(m.tensor([1j]))])
    same_error(lambda m: m.is_complex([1j]))


def test_complex32_is_refused():
    with pytest.raises(TypeError, match="complex32"):
        ember.ones(2, dtype=ember.float16) * 1j
    with pytest.raises(TypeError, match="complex32"):
        ember.complex(ember.ones(2, dtype=ember.float16), ember.ones(2, dtype=ember.float16))


# ----------------------------------------------------------------------------- creation

@pytest.mark.parametrize("data", [[1 + 2j, 3], 1 + 2j, [[1, 2.5], [3j, -1]], [], [[1j], [2]]])
def test_tensor_from_python_complex(data):
    same_result(lambda m: m.tensor(data))
    same_result(lambda m: m.tensor(data, dtype=m.complex128))


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_tensor_from_numpy_complex(dtype):
    array = crandn(2, 3, dtype=dtype)
    same_result(lambda m: [m.tensor(array), m.from_numpy(array.copy()), m.as_tensor(array),
                           m.tensor([array[0, 0], 1])])


def test_tensor_complex_data_errors():
    same_error(lambda m: m.tensor([1 + 2j], dtype=m.float32))
    same_error(lambda m: m.tensor([1 + 0j], dtype=m.int64))
    same_error(lambda m: m.full((2,), 1j, dtype=m.float32))


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_factories_take_complex_dtypes(dtype):
    same_result(lambda m: [m.zeros(2, 3, dtype=getattr(m, dtype)), m.ones(2, dtype=getattr(m, dtype)),
                           tuple(m.empty(2, 3, dtype=getattr(m, dtype)).shape),
                           name(m.empty(1, dtype=getattr(m, dtype)).dtype)])


def test_full_and_like_factories():
    same_result(lambda m: [m.full((2,), 1 + 1j), m.full((2,), 1, dtype=m.complex64),
                           m.full((2,), 1 + 0j, dtype=m.float32), m.zeros_like(m.tensor([1j])),
                           m.ones_like(m.ones(2), dtype=m.complex128), m.zeros(2, dtype=m.complex64).fill_(1 + 1j)])


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_random_complex_factories(dtype):
    target = getattr(ember, dtype)
    normal = ember.randn(200, 200, dtype=target)
    uniform = ember.rand(200, 200, dtype=target)
    assert normal.dtype is target and uniform.dtype is target
    parts = ember.view_as_real(normal).numpy()
    assert np.allclose(parts.var(axis=(0, 1)), 0.5, atol=0.02)       # each part has variance 1/2, as PyTorch's
    uniform_parts = ember.view_as_real(uniform).numpy()
    assert uniform_parts.min() >= 0 and uniform_parts.max() < 1 and abs(uniform_parts.mean() - 0.5) < 0.01
    assert ember.randn_like(normal).dtype is target and ember.rand_like(uniform).dtype is target


def test_requires_grad_on_complex():
    same_result(lambda m: [m.zeros(2, dtype=m.complex64, requires_grad=True).requires_grad,
                           m.ones(2, dtype=m.complex64).requires_grad_().requires_grad,
                           m.tensor([1j], requires_grad=True).requires_grad])


# ----------------------------------------------------------------------------- printing

REPR_CASES = [
    lambda m: m.tensor([1 + 2j, 3]),
    lambda m: m.tensor(1 + 2j),
    lambda m: m.tensor([[1.5 + 2j, -3.25 - 1e-3j]]),
    lambda m: m.tensor([1e10 + 2j, 3]),
    lambda m: m.tensor([1 + 2j, 3], dtype=m.complex128),
    lambda m: m.tensor([[1 + 1j, 2.5], [-3j, 1e-5]]),
    lambda m: m.tensor([float("nan") + 1j, float("inf")]),
    lambda m: m.zeros(0, dtype=m.complex64),
    lambda m: m.zeros(0, 2, dtype=m.complex128),
    lambda m: m.tensor([-0.0 - 0.0j, 0]),
    lambda m: m.arange(30, dtype=m.float32).to(m.complex64),
    lambda m: m.arange(30, dtype=m.float32).reshape(5, 6).to(m.complex64) * (1 + 1j) / 7,
    lambda m: m.arange(2000, dtype=m.float32) * 1j,
    lambda m: m.tensor([1 + 2j], requires_grad=True),
    lambda m: m.tensor([[1 + 2j, -1 - 1j]], requires_grad=True) * 2,
    lambda m: m.arange(12, dtype=m.float64).reshape(2, 3, 2) * (0.5 - 1.25j),
]


@pytest.mark.parametrize("case", range(len(REPR_CASES)))
def test_repr(case):
    expected = repr(REPR_CASES[case](torch)).replace("torch", "ember")
    assert repr(REPR_CASES[case](ember)) == expected


# ----------------------------------------------------------------------------- parts, views and conjugates

@pytest.mark.parametrize("shape", [(3,), (2, 3), (), (0, 2)])
def test_real_imag_views(shape):
    z = crandn(*shape)
    parity(lambda m, x: (m.real(x) * 2, m.imag(x) * 3, x.real, x.imag), z)


def test_real_imag_noncontiguous_and_float32():
    parity(lambda m, x: (x.real, x.imag), noncontiguous(crandn(3, 4)))
    parity(lambda m, x: (x.real + 1, x.imag * x.real), crandn(5, dtype=np.complex64))


def test_real_imag_share_memory():
    z = ember.tensor([1 + 2j, 3 - 1j])
    z.real.mul_(10)
    z.imag[0] = 7
    assert z.tolist() == [10 + 7j, 30 - 1j]
    z.real = ember.tensor([0.5, 0.25])
    z.imag = ember.tensor([1.0, 2.0])
    assert z.tolist() == [0.5 + 1j, 0.25 + 2j]
    assert z.real._base is z and z.imag.storage_offset() == 1 and z.real.stride() == (2,)


def test_real_of_real_tensors():
    x = ember.ones(3)
    assert x.real is x and ember.real(x) is x
    same_error(lambda m, a: a.imag, randn(3))
    same_error(lambda m, a: m.imag(a), randn(3))


@pytest.mark.parametrize("shape", [(3,), (2, 3), (), (0,)])
def test_view_as_real_and_back(shape):
    z = crandn(*shape)
    parity(lambda m, x: m.view_as_real(x) * 2, z)
    parity(lambda m, x: m.view_as_complex(x * 1), randn(*shape, 2))
    parity(lambda m, x: m.view_as_complex(m.view_as_real(x)) * (1 - 1j), z)


def test_view_as_real_is_a_view():
    z = ember.tensor([1 + 2j, 3 - 1j])
    parts = ember.view_as_real(z)
    parts[1, 1] = 5.0
    assert z.tolist() == [1 + 2j, 3 + 5j]
    x = ember.zeros(2, 2)
    ember.view_as_complex(x).add_(1j)
    assert x.tolist() == [[0, 1], [0, 1]]
    parity(lambda m, a: m.view_as_real(a.t()), noncontiguous(crandn(3, 4)))
    parity(lambda m, a: m.view_as_complex(a.transpose(0, 1)), randn(3, 2, 2))


def test_view_errors():
    same_error(lambda m, a: m.view_as_real(a), randn(3))
    same_error(lambda m, a: m.view_as_complex(a), randn(2, 3))
    same_error(lambda m, a: m.view_as_complex(a), randint(0, 3, 3, 2))
    same_error(lambda m, a: m.view_as_complex(a[:, ::2]), randn(2, 4))
    same_error(lambda m, a: m.view_as_complex(a[:, :2]), randn(3, 3))
    same_error(lambda m, a: m.view_as_complex(a[1:].view(4, 2)), randn(9))


def test_complex_and_polar():
    parity(lambda m, a, b: m.complex(a, b), randn(3), randn(3))
    parity(lambda m, a, b: m.complex(a, b), randn(2, 1), randn(3))
    parity(lambda m, a, b: m.polar(a, b), positive(4), randn(4))
    parity(lambda m, a, b: m.polar(a, b), positive(2, 3, dtype=np.float32), randn(2, 3, dtype=np.float32))
    parity(lambda m, a, b: m.complex(a, b), noncontiguous(randn(3, 4)), randn(3, 4))
    same_error(lambda m, a, b: m.complex(a, b), randn(2), randn(2).astype(np.float32))
    same_error(lambda m, a, b: m.complex(a, b), randint(0, 2, 2), randint(0, 2, 2))
    same_error(lambda m, a, b: m.polar(a, b), randn(2), randn(2).astype(np.float32))
    same_error(lambda m, b: m.complex(1.0, b), randn(2))


def test_conjugates():
    parity(lambda m, x: (m.conj(x) * 2, x.conj_physical() + 1, m.conj_physical(x), x.resolve_conj() * 1,
                         m.resolve_neg(x) * 1), crandn(3, 2))
    same_result(lambda m: [m.is_conj(m.ones(2)), m.ones(2).is_neg(), m.is_neg(m.ones(2))])
    assert not ember.tensor([1j]).conj().is_conj()       # ember conjugates eagerly (PyTorch: a lazy view, True)
    x = ember.ones(3)
    assert x.conj() is x and ember.conj_physical(x) is x and x.resolve_conj() is x
    z = ember.tensor([1 + 1j])
    z.conj_physical_()
    assert z.tolist() == [1 - 1j]


def test_conjugate_transposes():
    parity(lambda m, x: (x.mH * 1, x.adjoint() * 1), crandn(2, 3, 4))
    parity(lambda m, x: x.H * 1, crandn(3, 4))


def test_abs_angle_sgn():
    z = crandn(4, 3)
    z[0, 0] = 0
    parity(lambda m, x: (x.abs(), m.angle(x), x.sgn()), z)
    parity(lambda m, x: (abs(x), x.angle()), crandn(5, dtype=np.complex64))
    parity(lambda m, x: m.angle(x), np.array([-0.0, np.nan, -2.0, 3.0, -np.inf]))
    parity(lambda m, x: m.angle(x), randint(-3, 3, 5), grad=False)


# ----------------------------------------------------------------------------- arithmetic and functions

@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("kinds", [("c", "c"), ("c", "f"), ("f", "c"), ("c", "i")])
def test_binary_arithmetic(op, kinds):
    def make(kind, shape):
        return {"c": crandn, "f": lambda *s: randn(*s) + 3, "i": lambda *s: randint(1, 4, *s)}[kind](*shape)
    parity(lambda m, x, y: getattr(m, op)(x, y), make(kinds[0], (3, 4)), make(kinds[1], (4,)))
    parity(lambda m, x, y: getattr(m, op)(x, y), make(kinds[0], ()), make(kinds[1], (2, 3)))


def test_arithmetic_with_scalars_and_operators():
    parity(lambda m, x: (x * 2j, 1j * x, x + 1.5, 2 - x, x / (1 + 1j), (2 + 1j) / x, -x, +x), crandn(3))
    parity(lambda m, x: (x * 1j, x + (1 - 1j), 1j / x), randn(3) + 3)
    parity(lambda m, x, y: x * y, crandn(3, dtype=np.complex64), randn(3))
    parity(lambda m, x, y: x * y, crandn(3, dtype=np.complex64), randn(3).astype(np.float32))
    parity(lambda m, x: x * 3, noncontiguous(crandn(3, 4)))


def test_inplace_arithmetic():
    same_result(lambda m: m.tensor([1 + 1j, 2]).mul_(1j).add_(m.ones(2)).div_(2))
    same_error(lambda m: m.zeros(2).add_(m.tensor([1 + 2j, 1])))
    same_error(lambda m: m.zeros(2).mul_(1j))


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1.5, 0, 1 + 1j])
def test_pow(exponent):
    parity(lambda m, x: x ** exponent, crandn(4))
    parity(lambda m, x: m.pow(x, exponent), crandn(3, dtype=np.complex64), rtol=1e-4, atol=1e-5)


def test_pow_tensor_forms():
    parity(lambda m, x, y: (x ** y, 2 ** x, m.float_power(x, 2)), crandn(3), crandn(3))


HOLOMORPHIC = ["exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt", "sin", "cos", "tan", "asin",
               "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "reciprocal", "sinc",
               "square", "neg"]


@pytest.mark.parametrize("name", HOLOMORPHIC)
def test_unary_functions(name):
    z = crandn(6) * 0.7
    parity(lambda m, x: getattr(m, name)(x), z, rtol=1e-4, atol=1e-6)


def test_nan_to_num_isclose_predicates():
    z = np.array([1 + 1j, np.nan + 1j, np.inf, 2 - 0j])
    parity(lambda m, x: (m.isnan(x), m.isinf(x), m.isfinite(x), m.isreal(x)), z, grad=False)
    parity(lambda m, x: m.nan_to_num(x), z, grad=False)
    parity(lambda m, x, y: (m.isclose(x, y), m.allclose(x, x), m.eq(x, y), x != y), crandn(4), crandn(4), grad=False)
    parity(lambda m, x: (x == 1j, m.logical_not(x), x.bool(), x.all(), m.count_nonzero(x)), np.array([1j, 0]),
           grad=False)


def test_reductions():
    parity(lambda m, x: (x.sum(), x.sum(0), x.mean(), x.mean(1, keepdim=True), m.sum(x, (0, 1))), crandn(3, 4))
    parity(lambda m, x: (x.sum(), x.mean(0)), crandn(2, 3, dtype=np.complex64))
    parity(lambda m, x: x.sum(), crandn(0, 3))


def test_shape_ops_and_where():
    parity(lambda m, x: (x.reshape(6), x.t(), x[1:, ::2], m.cat([x, x]), m.stack([x, x]), x.flip(0),
                         m.where(x.real > 0, x, 0), x.expand(2, 2, 3)), crandn(2, 3))
    parity(lambda m, x, y: m.cat([x, y]), crandn(2), randn(3))


def test_matmul_gradients():
    parity(lambda m, a, b: a @ b, crandn(3, 4), crandn(4, 2))
    parity(lambda m, a, b: a @ b, crandn(2, 3, 4), crandn(4, 2, dtype=np.complex128))
    same_error(lambda m, a, b: a @ b, crandn(2, 3, 4), randn(4, 2))


# ----------------------------------------------------------------------------- casting and Python numbers

@pytest.mark.parametrize("cast", [lambda t: t.to(t.real.dtype), lambda t: t.float(), lambda t: t.double(),
                                  lambda t: t.long(), lambda t: t.to(ember.uint8 if isinstance(t, ember.Tensor) else
                                                                  torch.uint8)])
def test_casting_complex_to_real_warns_and_discards(cast):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # PyTorch warns once per process
        expected = cast(torch.tensor([1.5 + 2j, -3 - 1j]))
    with pytest.warns(UserWarning, match="Casting complex values to real discards the imaginary part"):
        actual = cast(ember.tensor([1.5 + 2j, -3 - 1j]))
    assert actual.tolist() == expected.tolist() and actual.dtype.name == name(expected.dtype)


def test_casting_to_bool_keeps_imaginary_parts():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        same_result(lambda m: [m.tensor([1j, 0, 2]).bool(), m.tensor([1j, 0]).to(m.bool)])


def test_casting_gradients():
    with pytest.warns(UserWarning, match="discards the imaginary part"):
        parity(lambda m, x: x.to(m.float64) * 2, crandn(3))
    parity(lambda m, x: x.to(m.complex64), randn(3))
    parity(lambda m, x: (x.cfloat(), x.cdouble()), randn(3))


def test_python_numbers():
    same_result(lambda m: [m.tensor(1 + 2j).item(), complex(m.tensor(1 - 1j)), float(m.tensor(2 + 0j)),
                           int(m.tensor(3 + 0j)), m.tensor([1j, 2]).tolist(), name(m.tensor([1j]).type())])
    same_error(lambda m: float(m.tensor(1 + 2j)))
    same_error(lambda m: int(m.tensor(1 + 2j)))


# ----------------------------------------------------------------------------- autograd conventions

def test_gradients_of_real_losses_match_torch():
    z = np.array([1.5 - 2j, 3 + 1j, 0j])
    weights = np.array([1 + 2j, 3, 4j])
    parity(lambda m, x: (x.abs() ** 3).sum(), z)
    parity(lambda m, x: (x.angle() * m.tensor([1.0, 2, 3], dtype=m.float64)).sum(), z)
    parity(lambda m, x, w: m.view_as_real(x.exp() * w).sum(), z, weights)
    parity(lambda m, x, w: m.view_as_real((x + 1) ** 2.5 * w).sum(), z, weights)


def test_backward_needs_real_scalar():
    same_error(lambda m: (m.tensor([1j], requires_grad=True) * 2).sum().backward())
    parity(lambda m, x: m.autograd.grad((x * (2 - 1j)).sum(), x, m.tensor(1 + 1j, dtype=m.complex128),
                                        create_graph=True)[0] * x, crandn(3))


def test_finite_differences():
    check_grad(lambda a, b: ember.view_as_real(ember.complex(a, b) * ember.complex(b, a) / (ember.complex(a, b) + 3)),
               randn(4), randn(4))
    check_grad(lambda a, b: ember.polar(a, b).abs() + ember.complex(a, b).angle(), positive(4), randn(4))
    check_grad(lambda a, b: ember.view_as_real(ember.complex(a, b).sgn()).sum(-1) + ember.complex(a, b).abs(), randn(3),
               randn(3))
    check_grad(lambda a: ember.view_as_real(ember.view_as_complex(a).exp().conj()).sum(-1), randn(3, 2))
    check_grad(lambda a, b: ember.complex(a, b).pow(3).real + ember.complex(a, b).sum().imag, randn(3), randn(3))


# ----------------------------------------------------------------------------- errors of ops without complex support

UNSUPPORTED_UNARY = ["erf", "erfc", "erfinv", "lgamma", "digamma", "deg2rad", "rad2deg", "floor", "ceil", "trunc",
                     "frac", "sign", "relu", "round", "isposinf", "isneginf", "signbit", "logit", "bitwise_not"]
UNSUPPORTED_BINARY = ["maximum", "minimum", "fmax", "fmin", "fmod", "remainder", "atan2", "hypot", "copysign",
                      "logaddexp2", "xlogy", "lt", "le", "gt", "ge", "bitwise_and", "gcd", "heaviside", "nextafter",
                      "floor_divide"]


@pytest.mark.parametrize("name", UNSUPPORTED_UNARY)
def test_unary_errors(name):
    same_error(lambda m, x: getattr(m, name)(x), crandn(3), match=None)


@pytest.mark.parametrize("name", UNSUPPORTED_BINARY)
def test_binary_errors(name):
    same_error(lambda m, x, y: getattr(m, name)(x, y), crandn(3), crandn(3))


def test_other_errors():
    z = crandn(3)
    for fn in (lambda m, x: x < 1, lambda m, x: x.max(), lambda m, x: m.clamp(x, min=0), lambda m, x: x // 2,
               lambda m, x: x % 2, lambda m, x: m.round(x, decimals=2), lambda m, x: m.div(x, x, rounding_mode="trunc"),
               lambda m, x: m.ones(3) < x, lambda m, x: m.polygamma(1, x), lambda m, x: ~x):
        same_error(fn, z)


# ----------------------------------------------------------------------------- properties over shapes

@settings(max_examples=25, deadline=None)
@given(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4), st.sampled_from([np.complex64, np.complex128]))
def test_properties_over_shapes(shape, dtype):
    z = crandn(*shape, dtype=dtype)
    parity(lambda m, x: (x * x.conj(), x.abs(), m.view_as_real(x), x.real - x.imag), z, rtol=1e-4, atol=1e-5,
           grad=z.size > 0)      # PyTorch's view_as_real backward fails on empty tensors


def test_checkpoints_hold_complex_tensors(tmp_path):
    z = ember.tensor([1 + 2j, 3 - 1j])
    ember.save({"z": z, "w": ember.tensor([0.5j], dtype=ember.complex128)}, tmp_path / "ember.pt")
    loaded = torch.load(tmp_path / "ember.pt")
    assert loaded["z"].tolist() == z.tolist() and loaded["w"].dtype == torch.complex128
    torch.save(torch.tensor([1 + 2j, 3 - 1j])[1:], tmp_path / "torch.pt")
    back = ember.load(tmp_path / "torch.pt")
    assert back.tolist() == [3 - 1j] and back.dtype is ember.complex64
