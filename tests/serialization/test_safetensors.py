"""ember.safetensors: the file format, interchange with the safetensors package both ways, header validation."""

import json
import os
import struct

import numpy as np
import pytest

import ember
import ember.safetensors as es

torch = pytest.importorskip("torch")
st = pytest.importorskip("safetensors.torch")
safetensors = pytest.importorskip("safetensors")
ml_dtypes = pytest.importorskip("ml_dtypes")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "bfloat16"]


def array_of(dtype_name, shape, seed=0):
    raw = np.asarray(np.random.default_rng(seed).standard_normal(shape) * 40)
    if dtype_name == "bool":
        return np.asarray(raw > 0)
    return np.asarray(raw.astype(ml_dtypes.bfloat16 if dtype_name == "bfloat16" else dtype_name))


def pair(arrays):
    """The same dict of tensors in ember and in torch."""
    e = {name: ember.from_numpy(np.array(a)) for name, a in arrays.items()}
    t = {name: torch.from_numpy(np.array(a.astype(np.float32) if a.dtype.name == "bfloat16" else a))
         for name, a in arrays.items()}
    t = {name: v.to(torch.bfloat16) if arrays[name].dtype.name == "bfloat16" else v for name, v in t.items()}
    return e, t


def assert_same(e_dict, t_dict):
    assert sorted(e_dict) == sorted(t_dict)
    for name, t in t_dict.items():
        e = e_dict[name]
        assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1], name
        assert tuple(e.shape) == tuple(t.shape)
        expected = t.float().numpy() if t.dtype == torch.bfloat16 else t.numpy()
        actual = e.numpy().astype(np.float32) if e.dtype.name == "bfloat16" else e.numpy()
        np.testing.assert_array_equal(actual, expected)


def mixed_arrays():
    arrays = {f"t_{name}": array_of(name, (2, 3), i) for i, name in enumerate(DTYPES)}
    arrays.update({"scalar": array_of("float32", ()), "empty": array_of("int64", (0, 4)),
                   "zzz_last": array_of("float64", (5,))})
    return arrays


def test_bytes_identical_to_the_package(tmp_path):
    e, t = pair(mixed_arrays())
    for metadata in (None, {}, {"note": "ünïcode"}):
        assert es.save(e, metadata=metadata) == st.save(t, metadata=metadata)
    assert es.save({}) == st.save({})
    several = {"format": "pt", "note": "ünïcode", "step": "10"}     # the package orders these by hash: compare parsed
    path = tmp_path / "meta.safetensors"
    st.save_file(t, str(path), metadata=several)
    with es.safe_open(path, framework="pt") as f:
        assert f.metadata() == several
    es.save_file(e, path, metadata=several)
    with safetensors.safe_open(str(path), framework="pt") as g:
        assert g.metadata() == several


def test_package_files_load_in_ember(tmp_path):
    e, t = pair(mixed_arrays())
    path = tmp_path / "model.safetensors"
    st.save_file(t, str(path), metadata={"format": "pt"})
    assert_same(es.load_file(path), t)
    assert_same(es.load(path.read_bytes()), t)
    with es.safe_open(path, framework="pt") as f:
        assert f.metadata() == {"format": "pt"}
        with safetensors.safe_open(str(path), framework="pt") as g:
            assert list(f.keys()) == list(g.keys())
            assert f.offset_keys() == list(g.offset_keys())
            for name in g.keys():
                assert_same({name: f.get_tensor(name)}, {name: g.get_tensor(name)})
                assert f.get_slice(name).get_shape() == g.get_slice(name).get_shape()
                assert f.get_slice(name).get_dtype() == g.get_slice(name).get_dtype()


def test_ember_files_load_in_the_package(tmp_path):
    e, t = pair(mixed_arrays())
    path = tmp_path / "model.safetensors"
    es.save_file(e, path, metadata={"k": "v"})
    assert_same(e, st.load_file(str(path)))
    assert_same(e, st.load(es.save(e)))
    with safetensors.safe_open(str(path), framework="pt") as g:
        assert g.metadata() == {"k": "v"}


def test_get_slice_reads_parts(tmp_path):
    values = np.arange(24, dtype=np.float32).reshape(4, 6)
    path = str(tmp_path / "slices.safetensors")
    es.save_file({"w": ember.from_numpy(values), "e": ember.zeros(0)}, path)
    with es.safe_open(path, framework="pt") as f, safetensors.safe_open(path, framework="pt") as g:
        for index in (slice(1, 3), (slice(None), slice(2, 5)), (2,), (slice(None, None, 2), 1)):
            np.testing.assert_array_equal(f.get_slice("w")[index].numpy(), g.get_slice("w")[index].numpy())
        assert f.get_slice("e")[:].shape == (0,)


def test_loaded_tensors_own_their_memory(tmp_path):
    path = tmp_path / "two.safetensors"
    es.save_file({"a": ember.ones(3), "b": ember.zeros(3)}, path)
    loaded = es.load_file(path)
    loaded["a"][0] = 5.0
    assert loaded["b"].tolist() == [0.0, 0.0, 0.0]
    es.save_file(loaded, path)          # loaded tensors do not count as sharing memory


def test_non_contiguous_tensors_are_saved_contiguous():
    base = ember.arange(12.0).reshape(3, 4)
    views = {"t": base.t(), "stepped": ember.arange(10)[::3]}
    loaded = st.load(es.save(views))
    np.testing.assert_array_equal(loaded["t"].numpy(), base.t().numpy())
    np.testing.assert_array_equal(loaded["stepped"].numpy(), [0, 3, 6, 9])


def test_shared_memory_raises_like_the_package():
    e = ember.arange(6.0)
    t = torch.arange(6.0)
    with pytest.raises(RuntimeError, match="share memory"):
        es.save({"a": e, "b": e[1:3]})
    with pytest.raises(RuntimeError, match="share memory"):
        st.save({"a": t, "b": t[1:3]})
    with pytest.raises(RuntimeError, match="share memory"):
        es.save({"a": e, "b": e})
    assert es.load(es.save({"a": e[:3], "b": e[3:]}))["b"].tolist() == [3.0, 4.0, 5.0]   # disjoint: allowed
    assert st.load(st.save({"a": t[:3], "b": t[3:]}))["b"].tolist() == [3.0, 4.0, 5.0]


@pytest.mark.parametrize("tensors, metadata", [
    ({1: "x"}, None), ({"a": 1}, None), ({"a": "x"}, {"k": 1}), ({"a": "x"}, {1: "v"}), ({"a": "x"}, "meta"),
])
def test_argument_errors_match_the_package(tensors, metadata):
    e_tensors = {k: ember.ones(1) if v == "x" else v for k, v in tensors.items()}
    t_tensors = {k: torch.ones(1) if v == "x" else v for k, v in tensors.items()}
    with pytest.raises(Exception) as t_error:
        st.save(t_tensors, metadata=metadata)
    with pytest.raises(type(t_error.value)):
        es.save(e_tensors, metadata=metadata)


def header_file(header, data=b"", pad=True, length=None):
    text = json.dumps(header).encode()
    if pad:
        text += b" " * (-(8 + len(text)) % 8)
    return struct.pack("<Q", len(text) if length is None else length) + text + data


F32_2 = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}


@pytest.mark.parametrize("name, data", [
    ("too short", b"\x01\x00"),
    ("header too large", header_file({}, length=200_000_000)),
    ("header past the end", header_file({}, length=4096)),
    ("not json", struct.pack("<Q", 8) + b"{notjson"),
    ("not an object start", struct.pack("<Q", 8) + b"[1,2,3] "),
    ("gap before data", header_file({"a": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 12)),
    ("overlap", header_file({"a": F32_2, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 12)),
    ("out of bounds", header_file({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\0" * 8)),
    ("size mismatch", header_file({"a": {"dtype": "F64", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8)),
    ("trailing bytes", header_file({"a": F32_2}, b"\0" * 12)),
    ("unknown dtype", header_file({"a": {"dtype": "Q9", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8)),
    ("negative shape", header_file({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, b"\0" * 8)),
    ("metadata not strings", header_file({"__metadata__": {"a": 1}, "a": F32_2}, b"\0" * 8)),
    ("missing field", header_file({"a": {"dtype": "F32", "shape": [2]}}, b"\0" * 8)),
])
def test_malformed_files_are_refused_like_the_package(tmp_path, name, data):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(data)
    with pytest.raises(es.SafetensorError):
        es.load(data)
    with pytest.raises(es.SafetensorError):
        es.load_file(path)
    with pytest.raises(Exception):
        st.load(data)


def test_valid_hand_written_header_loads():
    data = header_file({"b": {"dtype": "I32", "shape": [1], "data_offsets": [8, 12]}, "a": F32_2},
                       np.array([1.5, 2.5], np.float32).tobytes() + np.array([7], np.int32).tobytes())
    assert_same(es.load(data), st.load(data))


def test_unsupported_package_dtype_is_a_clear_error():
    data = st.save({"u": torch.zeros(2, dtype=torch.uint16)})
    with pytest.raises(es.SafetensorError, match="U16"):
        es.load(data)


def test_save_file_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "w.safetensors"
    es.save_file({"w": ember.ones(2)}, path)
    before = path.read_bytes()
    with pytest.raises(RuntimeError, match="share memory"):
        x = ember.ones(4)
        es.save_file({"a": x, "b": x[:2]}, path)

    def failing_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        es.save_file({"w": ember.zeros(100)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["w.safetensors"]


def test_devices_and_closed_files(tmp_path):
    path = tmp_path / "w.safetensors"
    es.save_file({"w": ember.ones(2)}, path)
    assert es.load_file(path, device="cpu")["w"].tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="CUDA"):
        es.load_file(path, device="cuda:0")
    with es.safe_open(path, framework="pt") as f:
        pass
    with pytest.raises(es.SafetensorError, match="closed"):
        f.get_tensor("w")
    with es.safe_open(path, framework="pt") as f:
        with pytest.raises(es.SafetensorError, match="does not contain"):
            f.get_tensor("missing")
