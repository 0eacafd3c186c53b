"""``ember.autograd.functional``: jacobian, hessian, vjp, jvp, hvp, vhp against torch.autograd.functional.

Results are compared including their nesting (Tensor, tuple or list), values,
dtypes and whether they require grad (``create_graph``).
"""

import numpy as np
import pytest
from helpers import noncontiguous, randn, requires_torch, to_numpy, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
import ember.autograd.functional as EF

pytestmark = [requires_torch,
              pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")]

if torch is not None:
    import torch.autograd.functional as TF


def _compare(a, b, path="result", check_requires_grad=True):
    if isinstance(b, torch.Tensor):
        assert isinstance(a, ember.Tensor), f"{path}: ember gave {type(a).__name__}, torch a Tensor"
        assert tuple(a.shape) == tuple(b.shape), f"{path}: shape {tuple(a.shape)} != {tuple(b.shape)}"
        assert a.dtype.name == str(b.dtype).replace("torch.", ""), f"{path}: dtype {a.dtype} != {b.dtype}"
        if check_requires_grad:
            assert a.requires_grad == b.requires_grad, f"{path}: requires_grad {a.requires_grad} != torch's"
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=1e-6, atol=1e-8, err_msg=path)
    elif not isinstance(b, (tuple, list)):
        assert a == b, f"{path}: {a!r} != torch's {b!r}"
    else:
        assert type(a) is type(b), f"{path}: ember gave {type(a).__name__}, torch {type(b).__name__}"
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            _compare(x, y, f"{path}[{i}]", check_requires_grad)


def _lib_args(m, arrays, as_tuple):
    tensors = tuple(m.tensor(a) for a in arrays)
    return tensors if as_tuple else tensors[0]


def same(name, make_fn, arrays, as_tuple=False, v=None, v_tuple=False, check_requires_grad=True, **kwargs):
    """Call ``functional.<name>`` on the same function and inputs in both libraries and compare."""
    results = []
    for m, module in ((ember, EF), (torch, TF)):
        args = [make_fn(m), _lib_args(m, arrays, as_tuple)]
        if v is not None:
            args.append(_lib_args(m, v, v_tuple))
        results.append(getattr(module, name)(*args, **kwargs))
    _compare(results[0], results[1], check_requires_grad=check_requires_grad)
    return results[0]


def same_error(name, make_fn, arrays, exc_type, fragment, as_tuple=False, v=None, v_tuple=False, **kwargs):
    for m, module in ((torch, TF), (ember, EF)):
        args = [make_fn(m), _lib_args(m, arrays, as_tuple)]
        if v is not None:
            args.append(_lib_args(m, v, v_tuple))
        with pytest.raises(exc_type) as info:
            getattr(module, name)(*args, **kwargs)
        assert fragment in str(info.value), f"{m.__name__}: {info.value}"


def cubes(m):
    return lambda a: (a ** 3).sum(-1)


def mixed(m):
    return lambda a, b: ((a * b).exp(), a.sum() * 2, b)


def two_outputs(m):
    return lambda a: (a.exp(), a * 2)


def scalar_of_two(m):
    return lambda a, b: (a * a * b).sum() + (b ** 3).sum()


X = randn(2, 3)
Y = randn(3)
V = randn(2, 3)
S = np.array(0.7)


# ----------------------------------------------------------------------------- jacobian

@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("vectorize", [False, True])
def test_jacobian_tensor_in_tensor_out(create_graph, vectorize):
    same("jacobian", cubes, [X], create_graph=create_graph, vectorize=vectorize)


@pytest.mark.parametrize("create_graph", [False, True])
def test_jacobian_tuple_inputs_and_outputs(create_graph):
    jac = same("jacobian", mixed, [X, Y], as_tuple=True, create_graph=create_graph)
    assert tuple(jac[0][1].shape) == (2, 3, 3)


def test_jacobian_tuple_outputs_tensor_input():
    same("jacobian", two_outputs, [Y])


def test_jacobian_tuple_inputs_tensor_output():
    same("jacobian", lambda m: lambda a, b: a * b, [X, Y], as_tuple=True)


def test_jacobian_zero_dim_and_non_contiguous():
    same("jacobian", lambda m: lambda a: a * a * 3, [S])
    same("jacobian", lambda m: lambda a: a.exp() * 2, [noncontiguous(randn(3, 2))])


def test_jacobian_zero_size_input():
    same("jacobian", lambda m: lambda a: a.sum(), [np.zeros(0)])


def test_jacobian_unused_input_and_constant_output():
    same("jacobian", lambda m: lambda a, b: a * 2, [Y, Y], as_tuple=True)
    same("jacobian", lambda m: lambda a: m.ones(2, dtype=m.float64), [Y])


@pytest.mark.parametrize("as_tuple", [False, True])
def test_jacobian_forward_mode_strategy(as_tuple):
    fn = mixed if as_tuple else two_outputs
    arrays = [X, Y] if as_tuple else [Y]
    same("jacobian", fn, arrays, as_tuple=as_tuple, vectorize=True, strategy="forward-mode")
    same("jacobian", lambda m: lambda *a: a[0] * 3, arrays, as_tuple=as_tuple, vectorize=True,
         strategy="forward-mode")


def test_jacobian_gradient_flows_to_inputs_with_create_graph():
    grads = []
    for m, module in ((ember, EF), (torch, TF)):
        x = m.tensor(Y, requires_grad=True)
        jac = module.jacobian(lambda a: a ** 3, x, create_graph=True)
        jac.sum().backward()
        grads.append(x.grad)
    _compare(grads[0], grads[1])


@settings(max_examples=25, deadline=None)
@given(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
       st.sampled_from(["exp", "square", "product"]))
def test_jacobian_matches_torch_on_random_shapes(shape, kind):
    data = randn(*shape)
    functions = {
        "exp": lambda m: lambda a: a.exp() * 2,
        "square": lambda m: lambda a: (a * a).sum(0) if a.ndim else a * a,
        "product": lambda m: lambda a: a * a.sum(),
    }
    same("jacobian", functions[kind], [data])


@pytest.mark.parametrize("call, exc, fragment", [
    (dict(strategy="sideways"), AssertionError, 'Expected strategy to be either "forward-mode" or "reverse-mode"'),
    (dict(strategy="forward-mode"), NotImplementedError, "only implemented for `vectorize=True`"),
    (dict(strategy="forward-mode", vectorize=True, create_graph=True), NotImplementedError,
     "`create_graph=True` and `strategy=\"forward-mode\"` are not supported together"),
    (dict(strict=True, vectorize=True), RuntimeError, "`strict=True` and `vectorized=True` are not supported"),
])
def test_jacobian_option_errors(call, exc, fragment):
    same_error("jacobian", cubes, [X], exc, fragment, **call)


def test_jacobian_strict_mode():
    same_error("jacobian", lambda m: lambda a, b: a * 2, [Y, Y], RuntimeError,
               "Output 0 of the user-provided function is independent of input 1", as_tuple=True, strict=True)
    same_error("jacobian", lambda m: lambda a: m.ones(2), [Y], RuntimeError,
               "Output 0 of the user-provided function does not require gradients", strict=True)
    same_error("jacobian", lambda m: lambda a: a * 2, [Y], RuntimeError,
               "The jacobian of the user-provided function is independent of input 0", strict=True,
               create_graph=True)


def test_input_type_errors():
    for m, module in ((torch, TF), (ember, EF)):
        with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
            module.jacobian(lambda a: a, [m.tensor(Y)])
        with pytest.raises(TypeError, match="outputs of the user-provided function given to jacobian"):
            module.jacobian(lambda a: [a], m.tensor(Y))
        with pytest.raises(TypeError, match="the value at index 1 has type"):
            module.vjp(lambda a, b: a, (m.tensor(Y), 3.0), m.tensor(Y))


# ----------------------------------------------------------------------------- hessian

@pytest.mark.parametrize("create_graph", [False, True])
def test_hessian_tensor_input(create_graph):
    same("hessian", lambda m: lambda a: (a ** 3).sum() + (a.exp() * a).sum(), [X], create_graph=create_graph)


@pytest.mark.parametrize("vectorize", [False, True])
def test_hessian_tuple_inputs(vectorize):
    hess = same("hessian", scalar_of_two, [Y, Y * 2], as_tuple=True, vectorize=vectorize)
    assert isinstance(hess, tuple) and isinstance(hess[0], tuple) and tuple(hess[0][1].shape) == (3, 3)


def test_hessian_zero_dim_input():
    same("hessian", lambda m: lambda a: a ** 4, [S])


def test_hessian_forward_mode_outer_strategy():
    # torch's result keeps a grad_fn here (an artefact of its forward AD); only values and nesting are compared
    same("hessian", scalar_of_two, [Y, Y * 2], as_tuple=True, vectorize=True,
         outer_jacobian_strategy="forward-mode", check_requires_grad=False)


def test_hessian_errors():
    same_error("hessian", lambda m: lambda a: a * 2, [Y], RuntimeError,
               "should contain a single element")
    same_error("hessian", lambda m: lambda a: (a.sum(), a.sum()), [Y], RuntimeError,
               "The function given to hessian should return a single Tensor")
    same_error("hessian", lambda m: lambda a: (a * 2).sum(), [Y], RuntimeError,
               "the jacobian of the user-provided function with respect to input 0 is independent", strict=True)
    same_error("hessian", lambda m: lambda a: (a * 2).sum(), [Y], AssertionError,
               "Expected strategy", outer_jacobian_strategy="diagonal")


# ----------------------------------------------------------------------------- vjp and jvp

@pytest.mark.parametrize("create_graph", [False, True])
def test_vjp(create_graph):
    same("vjp", lambda m: lambda a: a.exp() * 2, [X], v=[V], create_graph=create_graph)
    same("vjp", two_outputs, [Y], v=[Y, Y * 3], v_tuple=True, create_graph=create_graph)


def test_vjp_scalar_output_without_v():
    same("vjp", lambda m: lambda a: (a * a).sum(), [X])


@pytest.mark.parametrize("create_graph", [False, True])
def test_jvp(create_graph):
    same("jvp", lambda m: lambda a: a.exp() * 2, [X], v=[V], create_graph=create_graph)
    same("jvp", lambda m: lambda a, b: ((a * b).exp(), b.sum()), [X, Y], as_tuple=True, v=[V, Y], v_tuple=True,
         create_graph=create_graph)


def test_jvp_scalar_input_without_v():
    same("jvp", lambda m: lambda a: a * a, [S])


def test_vjp_jvp_unused_inputs_give_zeros():
    same("vjp", lambda m: lambda a, b: a * 2, [Y, Y], as_tuple=True, v=[Y])
    same("jvp", lambda m: lambda a, b: (a * 2, m.ones(2, dtype=m.float64)), [Y, Y], as_tuple=True, v=[Y, Y],
         v_tuple=True)


def test_vector_errors():
    same_error("vjp", lambda m: lambda a: a * 2, [Y], RuntimeError, "v has invalid size", v=[np.ones(2)])
    same_error("vjp", lambda m: lambda a: a * 2, [Y], RuntimeError,
               "The vector v can only be None if the user-provided function returns a single Tensor")
    same_error("jvp", lambda m: lambda a, b: a * 2, [Y, Y], RuntimeError,
               "v is a tuple of invalid length: should be 2 but got 1", as_tuple=True, v=[Y], v_tuple=True)
    same_error("jvp", lambda m: lambda a, b: a * 2, [Y, Y], RuntimeError,
               "Entry 1 in v has invalid size", as_tuple=True, v=[Y, np.ones(1)], v_tuple=True)
    same_error("vjp", lambda m: lambda a: m.ones(3, dtype=m.float64), [Y], RuntimeError,
               "does not require gradients", v=[Y], strict=True)


# ----------------------------------------------------------------------------- hvp and vhp

@pytest.mark.parametrize("name", ["hvp", "vhp"])
@pytest.mark.parametrize("create_graph", [False, True])
def test_hessian_vector_products(name, create_graph):
    same(name, lambda m: lambda a: (a ** 3).sum() + (a.exp() * a).sum(), [X], v=[V], create_graph=create_graph)
    same(name, scalar_of_two, [Y, Y * 2], as_tuple=True, v=[Y, Y * 3], v_tuple=True, create_graph=create_graph)


@pytest.mark.parametrize("name", ["hvp", "vhp"])
def test_hessian_vector_products_match_hessian(name):
    x, v = ember.tensor(Y), ember.tensor(Y * 3)
    fn = lambda a: (a ** 3).sum() * (a * 2).exp().sum()  # noqa: E731
    hessian = EF.hessian(fn, x)
    _, product = getattr(EF, name)(fn, x, v)
    np.testing.assert_allclose(product.tolist(), (hessian._data @ v._data).tolist(), rtol=1e-10)


@pytest.mark.parametrize("name", ["hvp", "vhp"])
def test_hessian_vector_product_errors(name):
    same_error(name, lambda m: lambda a: a * 2, [Y], RuntimeError,
               f"The Tensor returned by the function given to {name} should contain a single element", v=[Y])
    same_error(name, lambda m: lambda a: (a.sum(), a.sum()), [Y], RuntimeError,
               f"The function given to {name} should return a single Tensor", v=[Y])
    same_error(name, lambda m: lambda a: (a * 2).sum(), [Y], RuntimeError, "is independent", v=[Y], strict=True)


def test_functional_respects_outer_no_grad():
    def results(m, module):
        x = m.tensor(Y, requires_grad=True)
        with m.no_grad():
            out, product = module.vjp(lambda a: a * a, x, m.ones(3, dtype=m.float64))
            jac = module.jacobian(lambda a: a * a, x)
        return out, product, jac, m.is_grad_enabled()
    _compare(results(ember, EF), results(torch, TF))
