"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict against torch: indexing, editing, keys, reprs."""

from collections import OrderedDict

import numpy as np
import pytest
from helpers import assert_close, requires_torch, same_error, torch

import ember

pytestmark = requires_torch


def leaves(m):
    """Distinct small modules of library ``m`` (told apart by their reprs)."""
    class Scale(m.nn.Module):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor
            self.weight = m.nn.Parameter(m.full((2,), float(factor)))

        def forward(self, x):
            return x * self.weight

        def extra_repr(self):
            return f"factor={self.factor}"
    return Scale


def make(m, n=4):
    scale = leaves(m)
    return [scale(i + 1) for i in range(n)]


def same_structure(fn):
    """``fn(m, modules)`` for both libraries gives the same repr and state_dict keys."""
    e, t = fn(ember, make(ember)), fn(torch, make(torch))
    assert repr(e) == repr(t).replace("torch.", "ember.")
    if isinstance(t, torch.nn.Module):
        assert list(e.state_dict()) == list(t.state_dict())
    return e, t


# ----------------------------------------------------------------------------- Sequential

@pytest.mark.parametrize("build", [
    lambda m, mods: m.nn.Sequential(*mods),
    lambda m, mods: m.nn.Sequential(OrderedDict([("first", mods[0]), ("second", mods[1])])),
    lambda m, mods: m.nn.Sequential(),
    lambda m, mods: m.nn.Sequential(*mods)[1:3],
    lambda m, mods: m.nn.Sequential(*mods)[::-2],
    lambda m, mods: m.nn.Sequential(*mods)[-1],
    lambda m, mods: m.nn.Sequential(OrderedDict([("a", mods[0]), ("b", mods[1])]))[1:],
    lambda m, mods: m.nn.Sequential(*mods[:2]) + m.nn.Sequential(*mods[2:]),
    lambda m, mods: m.nn.Sequential(*mods[:2]) * 2,
    lambda m, mods: 2 * m.nn.Sequential(*mods[:2]),
    lambda m, mods: m.nn.Sequential(m.nn.Sequential(*mods[:2]), m.nn.ModuleList(mods[2:])),
])
def test_sequential_structure(build):
    same_structure(build)


def _edit(m, mods, steps):
    seq = m.nn.Sequential(*mods[:3])
    out = []
    for step in steps:
        result = step(seq, mods)
        if isinstance(result, m.nn.Module):
            out.append(repr(result))
    out.append(repr(seq))
    out.append(list(seq.state_dict()))
    return out


@pytest.mark.parametrize("steps", [
    [lambda s, mods: s.__setitem__(1, mods[3])],
    [lambda s, mods: s.__setitem__(-1, mods[3])],
    [lambda s, mods: s.__delitem__(0)],
    [lambda s, mods: s.__delitem__(-1)],
    [lambda s, mods: s.__delitem__(slice(0, 2))],
    [lambda s, mods: s.append(mods[3])],
    [lambda s, mods: s.extend([mods[3], mods[0]])],
    [lambda s, mods: s.insert(0, mods[3])],
    [lambda s, mods: s.insert(-1, mods[3])],
    [lambda s, mods: s.insert(3, mods[3])],
    [lambda s, mods: s.pop(1)],
    [lambda s, mods: s.pop(slice(1, None))],
    [lambda s, mods: s.__iadd__(type(s)(mods[3]))],
    [lambda s, mods: s.__imul__(2)],
])
def test_sequential_editing(steps):
    assert _edit(ember, make(ember), steps) == [x.replace("torch.", "ember.") if isinstance(x, str) else x
                                                 for x in _edit(torch, make(torch), steps)]


def test_sequential_forward_len_iter():
    e, t = same_structure(lambda m, mods: m.nn.Sequential(*mods))
    x = np.arange(2.0, dtype=np.float32)
    assert_close(e(ember.from_numpy(x)), t(torch.from_numpy(x)))
    assert len(e) == 4 and [mod.factor for mod in e] == [1, 2, 3, 4]
    assert e[0] is list(e)[0] and e[-4] is e[0]
    assert "0" not in dir(e) and "append" in dir(e)


@pytest.mark.parametrize("call", [
    lambda m, s: s[4], lambda m, s: s[-5], lambda m, s: s["0"], lambda m, s: s.__setitem__(7, m.nn.Module()),
    lambda m, s: s.__delitem__(9), lambda m, s: s + m.nn.ModuleList(), lambda m, s: s * 0, lambda m, s: s * 1.5,
    lambda m, s: s.__imul__(-1), lambda m, s: s.__iadd__([m.nn.Module()]), lambda m, s: s.insert(9, m.nn.Module()),
    lambda m, s: s.insert(0, 3), lambda m, s: s.pop(4),
])
def test_sequential_errors(call):
    same_error(lambda m: call(m, m.nn.Sequential(*make(m))))


# ----------------------------------------------------------------------------- ModuleList

@pytest.mark.parametrize("build", [
    lambda m, mods: m.nn.ModuleList(mods),
    lambda m, mods: m.nn.ModuleList(),
    lambda m, mods: m.nn.ModuleList([mods[0]] * 3 + [mods[1], mods[1]]),      # repeated blocks collapse
    lambda m, mods: m.nn.ModuleList(mods)[1:],
    lambda m, mods: m.nn.ModuleList(mods)[::2],
    lambda m, mods: m.nn.ModuleList(mods[:2]) + m.nn.ModuleList(mods[2:]),
    lambda m, mods: m.nn.ModuleList(mods[:2]) + mods[2:],
    lambda m, mods: m.nn.ModuleList([m.nn.ModuleList(mods[:2]), m.nn.Sequential(*mods[2:])]),
    lambda m, mods: m.nn.ModuleList([leaves(m)(1) for _ in range(3)] + [leaves(m)(2)]),
])
def test_module_list_structure(build):
    same_structure(build)


@pytest.mark.parametrize("step", [
    lambda lst, mods: lst.__setitem__(1, mods[3]),
    lambda lst, mods: lst.__setitem__(-2, mods[3]),
    lambda lst, mods: lst.__delitem__(0),
    lambda lst, mods: lst.__delitem__(slice(None, None, 2)),
    lambda lst, mods: lst.append(mods[3]),
    lambda lst, mods: lst.extend(mods),
    lambda lst, mods: lst.__iadd__(mods[2:]),
    lambda lst, mods: lst.insert(1, mods[3]),
    lambda lst, mods: lst.insert(0, mods[3]),
    lambda lst, mods: lst.pop(-1),
    lambda lst, mods: lst.pop(slice(0, 2)),
])
def test_module_list_editing(step):
    def run(m):
        mods = make(m)
        lst = m.nn.ModuleList(mods[:3])
        result = step(lst, mods)
        return [repr(result) if isinstance(result, m.nn.Module) else None, repr(lst), list(lst.state_dict()),
                [mod.factor for mod in lst]]
    assert run(ember) == run(torch)


@pytest.mark.parametrize("call", [
    lambda m, lst: lst[3], lambda m, lst: lst[-4], lambda m, lst: lst.extend(3), lambda m, lst: lst.append(3),
    lambda m, lst: lst.__setitem__(5, m.nn.Module()), lambda m, lst: lst(m.ones(1)),
])
def test_module_list_errors(call):
    same_error(lambda m: call(m, m.nn.ModuleList(make(m, 3))))


def test_module_list_iteration_and_parameters():
    e = ember.nn.ModuleList(make(ember))
    assert len(e) == 4 and [mod.factor for mod in e] == [1, 2, 3, 4]
    assert len(list(e.parameters())) == 4
    assert "0" not in dir(e)


# ----------------------------------------------------------------------------- ModuleDict

@pytest.mark.parametrize("build", [
    lambda m, mods: m.nn.ModuleDict({"b": mods[0], "a": mods[1]}),
    lambda m, mods: m.nn.ModuleDict(OrderedDict([("b", mods[0]), ("a", mods[1])])),
    lambda m, mods: m.nn.ModuleDict([("x", mods[0]), ("y", m.nn.ModuleList(mods[1:3]))]),
    lambda m, mods: m.nn.ModuleDict(m.nn.ModuleDict({"z": mods[0]})),
    lambda m, mods: m.nn.ModuleDict(),
])
def test_module_dict_structure(build):
    same_structure(build)


def test_module_dict_methods():
    def run(m):
        mods = make(m)
        d = m.nn.ModuleDict({"a": mods[0], "b": mods[1]})
        d["c"] = mods[2]
        d.update([("d", mods[3])])
        out = [list(d), list(d.keys()), [mod.factor for mod in d.values()], [k for k, _ in d.items()], len(d),
               "a" in d, "z" in d, d.pop("b").factor]
        del d["a"]
        out += [list(d), list(d.state_dict())]
        d.clear()
        out.append(len(d))
        return out
    assert run(ember) == run(torch)


@pytest.mark.parametrize("call", [
    lambda m, d: d["missing"], lambda m, d: d.update(3), lambda m, d: d.update([3]),
    lambda m, d: d.update([("a", m.nn.Module(), 1)]), lambda m, d: d.__setitem__("x", 3),
    lambda m, d: d.__setitem__("a.b", m.nn.Module()), lambda m, d: d.pop("zz"),
])
def test_module_dict_errors(call):
    err = same_error(lambda m: call(m, m.nn.ModuleDict({"a": m.nn.Module()})))
    with pytest.raises(Exception) as t_info:
        call(torch, torch.nn.ModuleDict({"a": torch.nn.Module()}))
    assert str(err).replace("ember", "torch") == str(t_info.value)


# ----------------------------------------------------------------------------- ParameterList

@pytest.mark.parametrize("build", [
    lambda m, mods: m.nn.ParameterList([m.ones(2, 3), m.nn.Parameter(m.zeros(4)), m.zeros(1, dtype=m.float64)]),
    lambda m, mods: m.nn.ParameterList([m.nn.Parameter(m.ones(2))]),
    lambda m, mods: m.nn.ParameterList(),
    lambda m, mods: m.nn.ParameterList([m.ones(2), "text", 3]),
    lambda m, mods: m.nn.ParameterList([m.ones(2), m.zeros(3), m.ones(4)])[1:],
])
def test_parameter_list_structure(build):
    same_structure(build)


def test_parameter_list_behaviour():
    def run(m):
        plist = m.nn.ParameterList([m.ones(2)])
        plist.append(m.zeros(3))
        plist.extend([m.ones(1), m.nn.Parameter(m.zeros(2), requires_grad=False)])
        plist += [m.ones(5)]
        plist[0] = m.full((2,), 7.0)
        plist[-1] = m.nn.Parameter(m.ones(6))
        return [len(plist), [type(p).__name__ for p in plist], [tuple(p.shape) for p in plist],
                [p.requires_grad for p in plist], plist[0].tolist(), list(plist.state_dict()),
                [n for n, _ in plist.named_parameters()], repr(plist).replace("torch.", "ember.")]
    e, t = run(ember), run(torch)
    assert e[:-2] == t[:-2] and e[-1] == t[-1]
    assert isinstance(ember.nn.ParameterList([ember.ones(1)])[0], ember.nn.Parameter)


@pytest.mark.parametrize("call", [
    lambda m, p: p[2], lambda m, p: p[-3], lambda m, p: p.extend(m.ones(2)), lambda m, p: p.extend(3),
    lambda m, p: p(m.ones(1)), lambda m, p: p.__setitem__(5, m.ones(1)),
])
def test_parameter_list_errors(call):
    same_error(lambda m: call(m, m.nn.ParameterList([m.ones(1), m.ones(2)])))


# ----------------------------------------------------------------------------- ParameterDict

@pytest.mark.parametrize("build", [
    lambda m, mods: m.nn.ParameterDict({"b": m.ones(2), "a": m.nn.Parameter(m.zeros(3, 4))}),   # dicts are sorted
    lambda m, mods: m.nn.ParameterDict(OrderedDict([("b", m.ones(2)), ("a", m.zeros(1, dtype=m.float64))])),
    lambda m, mods: m.nn.ParameterDict([("y", m.ones(1)), ("x", m.ones(2))]),
    lambda m, mods: m.nn.ParameterDict({"t": m.ones(1), "s": "text"}),
    lambda m, mods: m.nn.ParameterDict(),
    lambda m, mods: m.nn.ParameterDict({"a": m.ones(1)}) | m.nn.ParameterDict({"b": m.ones(2)}),
    lambda m, mods: m.nn.ParameterDict({"a": m.ones(1)}).copy(),
])
def test_parameter_dict_structure(build):
    same_structure(build)


def test_parameter_dict_methods():
    def run(m):
        d = m.nn.ParameterDict({"a": m.ones(2)})
        d["b"] = m.zeros(3)
        out = [type(d["b"]).__name__, tuple(d.setdefault("c", m.ones(4)).shape), tuple(d.setdefault("a").shape),
               list(d), list(d.keys()), [k for k, _ in d.items()], [tuple(v.shape) for v in d.values()],
               list(reversed(d)), "a" in d, "q" in d, d.get("q"), tuple(d.get("a").shape), len(d)]
        out.append(d.popitem()[0])
        out.append(tuple(d.pop("a").shape))
        del d["b"]
        out += [list(d), list(d.state_dict())]
        d.update({"z": m.ones(1), "y": m.ones(1)})
        d |= m.nn.ParameterDict({"w": m.ones(1)})
        out.append(list(d))
        out.append(list(d.fromkeys(["k1", "k2"], m.ones(1))))
        d.clear()
        out.append(len(d))
        return out
    assert run(ember) == run(torch)


@pytest.mark.parametrize("call", [
    lambda m, d: d["missing"], lambda m, d: d[1], lambda m, d: d.update(3), lambda m, d: d.update([3]),
    lambda m, d: d.update([("a", m.ones(1), 1)]), lambda m, d: d(m.ones(1)), lambda m, d: d.pop("zz"),
    lambda m, d: d.__setitem__(1, m.ones(1)),
])
def test_parameter_dict_errors(call):
    same_error(lambda m: call(m, m.nn.ParameterDict({"a": m.ones(1)})))


def test_nested_containers_state_dict_and_load():
    def build(m):
        mods = make(m)
        return m.nn.ModuleDict({"seq": m.nn.Sequential(mods[0], m.nn.ModuleList([mods[1], mods[2]])),
                                "params": m.nn.ParameterDict({"p": m.ones(2)}),
                                "plist": m.nn.ParameterList([m.zeros(3)])})
    e, t = build(ember), build(torch)
    assert list(e.state_dict()) == list(t.state_dict())
    assert repr(e) == repr(t).replace("torch.", "ember.")
    e.load_state_dict({k: ember.from_numpy(v.numpy() + 1.5) for k, v in t.state_dict().items()})
    assert e["params"]["p"].tolist() == [2.5, 2.5] and e["seq"][1][0].weight.tolist() == [3.5, 3.5]
