"""Padding layers (ConstantPad*, ZeroPad*, ReflectionPad*, ReplicationPad*, CircularPad*) against PyTorch."""

import pytest
from helpers import parity, randn, requires_torch, same_error, torch

import ember

CASES = [  # (layer, constructor arguments, input shape)
    ("ConstantPad1d", (2, 1.5), (2, 3, 4)), ("ConstantPad2d", ((1, 0, 2, 1), -1.0), (2, 3, 4, 5)),
    ("ConstantPad3d", (1, 0.0), (1, 2, 3, 3, 3)), ("ZeroPad1d", ((0, 3),), (3, 4)),
    ("ZeroPad2d", ((1, 2, 3, 4),), (1, 2, 3, 3)), ("ZeroPad3d", (1,), (2, 2, 2, 2)),
    ("ReflectionPad1d", (2,), (2, 3, 5)), ("ReflectionPad2d", ((1, 2, 0, 1),), (1, 2, 4, 4)),
    ("ReflectionPad3d", (1,), (1, 1, 3, 3, 3)), ("ReplicationPad1d", ((3, 1),), (2, 4)),
    ("ReplicationPad2d", (2,), (1, 2, 3, 3)), ("ReplicationPad3d", ((1, 0, 0, 1, 2, 0),), (1, 2, 2, 3, 2)),
    ("CircularPad1d", (1,), (2, 3, 4)), ("CircularPad2d", ((1, 1, 2, 0),), (2, 3, 3)),
    ("CircularPad3d", (1,), (1, 1, 2, 3, 3)),
]


@requires_torch
@pytest.mark.parametrize("name,args,shape", CASES)
def test_values_gradients_and_repr(name, args, shape):
    parity(lambda m, x: getattr(m.nn, name)(*args)(x), randn(*shape))
    assert repr(getattr(ember.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
    assert getattr(ember.nn, name)(*args).padding == getattr(torch.nn, name)(*args).padding


@requires_torch
@pytest.mark.parametrize("name,args,shape", [("CircularPad2d", (1,), (2, 2, 2, 2, 2)),
                                             ("CircularPad1d", (1,), (4,)),
                                             ("ReflectionPad2d", (1,), (2, 2, 2, 2, 2)),
                                             ("ReflectionPad1d", (3,), (1, 2, 3))])
def test_bad_input_raises_like_torch(name, args, shape):
    same_error(lambda m, x: getattr(m.nn, name)(*args)(x), randn(*shape))


def test_state_dict_is_empty():
    assert list(ember.nn.ZeroPad2d(1).state_dict()) == []
