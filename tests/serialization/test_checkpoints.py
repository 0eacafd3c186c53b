"""ember.save / ember.load: round trips with torch in both directions (zip and legacy formats), sharing, dtypes,
strides, map_location, mmap, file objects and atomic saving."""

import collections
import io
import os
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
import ember.serialization as serialization

torch = pytest.importorskip("torch")

ml_dtypes = pytest.importorskip("ml_dtypes")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "bfloat16"]


def values(dtype_name, shape, seed=0):
    """Deterministic values of a dtype, as a NumPy array (bfloat16 through ml_dtypes)."""
    rng = np.random.default_rng(seed)
    raw = np.asarray(rng.standard_normal(shape) * 50)
    if dtype_name == "bool":
        return np.asarray(raw > 0)
    if dtype_name == "bfloat16":
        return np.asarray(raw.astype(ml_dtypes.bfloat16))
    return np.asarray(raw.astype(dtype_name))


def ember_tensor(array):
    return ember.from_numpy(np.array(array))


def torch_tensor(array):
    if array.dtype.name == "bfloat16":
        return torch.from_numpy(array.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(np.array(array))


def as_numpy(t):
    """Values of an ember or torch tensor as NumPy (bfloat16 compared through float32)."""
    if isinstance(t, torch.Tensor):
        t = t.detach()
        return t.float().numpy() if t.dtype == torch.bfloat16 else t.numpy()
    array = t.detach().numpy()
    return array.astype(np.float32) if array.dtype.name == "bfloat16" else array


def assert_same_tensor(e, t):
    """An ember and a torch tensor agree on values, dtype, shape, strides, offset and requires_grad."""
    assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(as_numpy(e), as_numpy(t))
    if t.numel():
        assert e.stride() == t.stride()
        assert e.storage_offset() == t.storage_offset()
    assert e.requires_grad == t.requires_grad


def assert_same_structure(e, t):
    """Walk an ember object and a torch object side by side."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor)
        assert isinstance(e, ember.nn.Parameter) == isinstance(t, torch.nn.Parameter)
        assert_same_tensor(e, t)
    elif isinstance(t, torch.dtype):
        assert e is getattr(ember, str(t).split(".")[1])
    elif isinstance(t, torch.Size):
        assert isinstance(e, ember.Size) and tuple(e) == tuple(t)
    elif isinstance(t, torch.device):
        assert isinstance(e, ember.device) and str(e) == str(t)
    elif isinstance(t, dict):
        assert type(e) is type(t) and list(e) == list(t)
        assert getattr(e, "_metadata", None) == getattr(t, "_metadata", None)
        for key in t:
            assert_same_structure(e[key], t[key])
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t)
        for a, b in zip(e, t):
            assert_same_structure(a, b)
    else:
        assert type(e) is type(t) and e == t


def via_torch(obj, **save_kwargs):
    """Save with ember, load with torch (weights_only)."""
    buffer = io.BytesIO()
    ember.save(obj, buffer, **save_kwargs)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def via_ember(obj, **save_kwargs):
    """Save with torch, load with ember (weights_only)."""
    buffer = io.BytesIO()
    torch.save(obj, buffer, **save_kwargs)
    buffer.seek(0)
    return ember.load(buffer)


def state_dict_pair():
    """The same state-dict-like OrderedDict built in ember and in torch (with torch's _metadata attribute)."""
    arrays = {"fc.weight": values("float32", (4, 3)), "fc.bias": values("float32", (4,), 1),
              "bn.running_mean": values("float32", (4,), 2), "bn.num_batches_tracked": np.array(7, np.int64)}
    pair = []
    for make in (ember_tensor, torch_tensor):
        sd = collections.OrderedDict((name, make(a)) for name, a in arrays.items())
        sd._metadata = collections.OrderedDict([("", {"version": 1}), ("fc", {"version": 1}),
                                                ("bn", {"version": 2})])
        pair.append(sd)
    return pair


@pytest.mark.parametrize("legacy", [False, True])
def test_state_dict_round_trips_both_ways(legacy):
    e_sd, t_sd = state_dict_pair()
    kwargs = {"_use_new_zipfile_serialization": not legacy}
    assert_same_structure(e_sd, via_torch(e_sd, **kwargs) if not legacy else _torch_load_legacy(e_sd))
    assert_same_structure(via_ember(t_sd, **kwargs), t_sd)


def _torch_load_legacy(obj):
    buffer = io.BytesIO()
    ember.save(obj, buffer, _use_new_zipfile_serialization=False)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def test_zip_layout_matches_torch(tmp_path):
    path = tmp_path / "model.pt"
    ember.save({"w": ember.arange(5.0), "n": ember.tensor(3)}, path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names[0] == "model/data.pkl"
        assert {"model/version", "model/byteorder", "model/.data/serialization_id", "model/data/0",
                "model/data/1"} <= set(names)
        assert archive.read("model/version") == b"3\n"
        assert archive.read("model/byteorder") == b"little"
        assert archive.read("model/data/0") == np.arange(5, dtype=np.float32).tobytes()
        with open(path, "rb") as f:
            for info in archive.infolist():
                f.seek(info.header_offset + 26)
                name_length, extra_length = np.frombuffer(f.read(4), np.uint16)
                start = info.header_offset + 30 + int(name_length) + int(extra_length)
                assert info.compress_type == zipfile.ZIP_STORED
                assert start % 64 == 0, info.filename
        pickled = archive.read("model/data.pkl")
    for name in (b"torch._utils\n_rebuild_tensor_v2", b"torch\nFloatStorage", b"torch\nLongStorage"):
        assert name in pickled
    buffer = io.BytesIO()
    ember.save([ember.zeros(1)], buffer)
    assert zipfile.ZipFile(buffer).namelist()[0] == "archive/data.pkl"


def adam_state_pair():
    """An Adam-style optimizer state_dict (0-dim float32 steps, moment tensors, param_groups with lists of ints)."""
    pair = []
    for lib, make in ((ember, ember_tensor), (torch, torch_tensor)):
        state = {i: {"step": lib.tensor(float(i + 3)), "exp_avg": make(values("float32", (3, 2), i)),
                     "exp_avg_sq": make(np.abs(values("float32", (3, 2), i + 10)))} for i in range(2)}
        groups = [{"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0, "amsgrad": False,
                   "maximize": False, "foreach": None, "capturable": False, "differentiable": False,
                   "fused": None, "params": [0, 1]}]
        pair.append({"state": state, "param_groups": groups})
    return pair


def test_optimizer_state_round_trips_both_ways():
    e_state, t_state = adam_state_pair()
    loaded = via_torch(e_state)
    assert_same_structure(e_state, loaded)
    assert loaded["state"][1]["step"].dtype == torch.float32 and loaded["state"][1]["step"].dim() == 0
    assert_same_structure(via_ember(t_state), t_state)


def test_torch_optimizer_state_dict_loads():
    params = [torch.nn.Parameter(torch.randn(3, 2)), torch.nn.Parameter(torch.randn(2))]
    optimizer = torch.optim.Adam(params, lr=0.01)
    sum(p.sum() for p in params).backward()
    optimizer.step()
    t_state = optimizer.state_dict()
    for weights_only in (True, False):
        buffer = io.BytesIO()
        torch.save(t_state, buffer)
        buffer.seek(0)
        assert_same_structure(ember.load(buffer, weights_only=weights_only), t_state)


@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3), (5,), (3, 4)])
def test_every_dtype_and_shape_both_ways(dtype_name, shape):
    array = values(dtype_name, shape)
    assert_same_tensor(ember_tensor(array), via_torch(ember_tensor(array)))
    assert_same_tensor(via_ember(torch_tensor(array)), torch_tensor(array))


@pytest.mark.parametrize("dtype_name", ["float32", "int64", "bool", "bfloat16"])
def test_every_dtype_legacy_format_both_ways(dtype_name):
    array = values(dtype_name, (2, 3))
    assert_same_tensor(via_ember(torch_tensor(array), _use_new_zipfile_serialization=False), torch_tensor(array))
    assert_same_tensor(ember_tensor(array), _torch_load_legacy(ember_tensor(array)))


def test_non_contiguous_tensors_keep_their_strides_both_ways():
    base = values("float64", (4, 6))
    e, t = ember_tensor(base), torch_tensor(base)
    views = {"transposed": lambda m, x: x.t(), "stepped": lambda m, x: x[::2, 1::3],
             "expanded": lambda m, x: x[0:1].expand(3, 6), "column": lambda m, x: x[:, 2],
             "offset_scalar": lambda m, x: x[2, 3], "strided": lambda m, x: m.as_strided(x, (3, 2), (1, 5), 2)}
    for view in views.values():
        assert_same_tensor(view(ember, e), via_torch(view(ember, e)))
        assert_same_tensor(via_ember(view(torch, t)), view(torch, t))


def test_negative_stride_arrays_save_as_copies():
    e = ember.from_numpy(np.arange(6.0).reshape(2, 3))
    e._data = e._data[:, ::-1]          # NumPy allows negative strides; torch tensors cannot have them
    loaded = via_torch(e)
    np.testing.assert_array_equal(loaded.numpy(), np.arange(6.0).reshape(2, 3)[:, ::-1])


def test_shared_storage_is_saved_once_and_stays_shared_ember_to_torch():
    base = ember.arange(12.0)
    obj = {"base": base, "view": base[3:9].view(2, 3), "t": base.view(3, 4).t(), "again": base}
    buffer = io.BytesIO()
    ember.save(obj, buffer)
    storages = [n for n in zipfile.ZipFile(buffer).namelist() if "/data/" in n]
    assert len(storages) == 1
    buffer.seek(0)
    loaded = torch.load(buffer)
    assert loaded["again"] is loaded["base"]
    loaded["base"][4] = -100.0
    assert loaded["view"][0, 1] == -100.0 and loaded["t"][0, 1] == -100.0
    assert loaded["view"].storage_offset() == 3


def test_shared_storage_stays_shared_torch_to_ember():
    base = torch.arange(12.0)
    obj = {"base": base, "view": base[3:9].view(2, 3), "t": base.view(3, 4).t(), "same": base}
    for legacy in (False, True):
        loaded = via_ember(obj, _use_new_zipfile_serialization=not legacy)
        assert loaded["same"] is loaded["base"]
        assert_same_tensor(loaded["t"], base.view(3, 4).t())
        assert loaded["view"].storage_offset() == 3
        loaded["base"][4] = -100.0
        assert loaded["view"][0, 1].item() == -100.0 and loaded["t"][0, 1].item() == -100.0


def test_views_of_one_memory_as_different_dtypes_refused_like_torch():
    e = ember.arange(4.0)
    t = torch.arange(4.0)
    with pytest.raises(RuntimeError) as e_error:
        ember.save([e, e.view(ember.int32)], io.BytesIO())
    with pytest.raises(RuntimeError) as t_error:
        torch.save([t, t.view(torch.int32)], io.BytesIO())
    assert str(e_error.value) == str(t_error.value)


def test_parameters_keep_requires_grad_both_ways():
    e = [ember.nn.Parameter(ember.ones(2, 2)), ember.nn.Parameter(ember.zeros(3), requires_grad=False),
         ember.ones(2, requires_grad=True)]
    t = [torch.nn.Parameter(torch.ones(2, 2)), torch.nn.Parameter(torch.zeros(3), requires_grad=False),
         torch.ones(2, requires_grad=True)]
    assert_same_structure(e, via_torch(e))
    assert_same_structure(via_ember(t), t)
    for legacy in (False, True):
        back = via_ember(via_torch(e), _use_new_zipfile_serialization=not legacy)
        assert [type(x).__name__ for x in back] == ["Parameter", "Parameter", "Tensor"]
        assert [x.requires_grad for x in back] == [True, False, True]


def test_nested_containers_and_plain_values_both_ways():
    def build(lib, make):
        return {"list": [1, 2.5, "s", None, True, make(values("int32", (2,)))],
                "tuple": (lib.Size([2, 3]), lib.float16, lib.device("cpu"), (1, (2, 3))),
                "nested": {"a": {"b": [make(values("float32", (1,)))]}}, 3: "int key", "bytes": b"\x00\xff",
                "set": {1, 2}, "complex": 1 + 2j}
    e_obj, t_obj = build(ember, ember_tensor), build(torch, torch_tensor)
    assert_same_structure(e_obj, via_torch(e_obj))
    assert_same_structure(via_ember(t_obj), t_obj)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_pickle_protocols_both_ways(protocol):
    e_sd, t_sd = state_dict_pair()
    buffer = io.BytesIO()
    ember.save(e_sd, buffer, pickle_protocol=protocol)
    buffer.seek(0)
    # torch's own weights-only reader stops at protocol 4's FRAME opcode, even for files torch wrote
    torch_sd = torch.load(buffer, weights_only=protocol < 4)
    assert_same_structure(e_sd, torch_sd)
    assert_same_structure(via_ember(t_sd, pickle_protocol=protocol), t_sd)
    for weights_only in (True, False):
        assert_same_structure(_round_trip_ember(e_sd, pickle_protocol=protocol, weights_only=weights_only), torch_sd)


def _round_trip_ember(obj, weights_only=True, **save_kwargs):
    buffer = io.BytesIO()
    ember.save(obj, buffer, **save_kwargs)
    buffer.seek(0)
    return ember.load(buffer, weights_only=weights_only)


def test_bad_pickle_protocol_and_module():
    with pytest.raises(ValueError):
        ember.save([1], io.BytesIO(), pickle_protocol=1)
    with pytest.raises(TypeError):
        ember.save([1], io.BytesIO(), pickle_module=io)
    with pytest.raises(AttributeError):
        ember.save([1], 42)


class Checkpoint:
    """A user class: loads only with weights_only=False."""

    def __init__(self, weights, epoch):
        self.weights, self.epoch = weights, epoch


def test_weights_only_false_loads_user_objects():
    obj = Checkpoint({"w": ember.arange(3.0)}, 7)
    loaded = _round_trip_ember(obj, weights_only=False)
    assert isinstance(loaded, Checkpoint) and loaded.epoch == 7
    np.testing.assert_array_equal(loaded.weights["w"].numpy(), [0.0, 1.0, 2.0])
    with pytest.raises(pickle.UnpicklingError):
        _round_trip_ember(obj, weights_only=True)


def test_weights_only_false_refuses_unmapped_torch_globals():
    buffer = io.BytesIO()
    torch.save(torch.nn.Linear(2, 2), buffer)
    buffer.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="torch.nn.modules.linear"):
        ember.load(buffer, weights_only=False)


def test_cuda_tagged_file(tmp_path):
    path = cuda_tagged_checkpoint(tmp_path)
    with pytest.raises(RuntimeError) as e_error:
        ember.load(path)
    with pytest.raises(RuntimeError) as t_error:
        torch.load(path)
    assert str(e_error.value) == str(t_error.value)
    assert str(e_error.value).startswith("Attempting to deserialize object on a CUDA device")
    for map_location in ("cpu", ember.device("cpu"), torch.device("cpu"), {"cuda:0": "cpu"},
                         lambda storage, location: storage, lambda storage, location: None if False else storage.cpu()):
        loaded = ember.load(path, map_location=map_location)
        np.testing.assert_array_equal(loaded["w"].numpy(), [1.0, 2.0, 3.0])
        assert loaded["w"].device == ember.device("cpu")


def test_map_location_callable_sees_storage_and_location(tmp_path):
    path = cuda_tagged_checkpoint(tmp_path)
    seen = []

    def remember(storage, location):
        seen.append((location, storage.size(), str(storage.device)))
        return storage

    ember.load(path, map_location=remember)
    assert seen == [("cuda:0", 3, "cpu")]
    with pytest.raises(RuntimeError, match="CUDA"):
        ember.load(path, map_location=lambda storage, location: None)      # None: the default placement
    with pytest.raises(RuntimeError, match="CUDA"):
        ember.load(path, map_location=lambda storage, location: storage.cuda())
    with pytest.raises(RuntimeError, match="CUDA"):
        ember.load(path, map_location={"cuda:0": "cuda:1"})
    with pytest.raises(RuntimeError, match="CUDA"):
        ember.load(path, map_location="cuda")
    with pytest.raises(TypeError):
        ember.load(path, map_location=3.5)


def test_map_location_on_cpu_file():
    e_sd, _ = state_dict_pair()
    for map_location in (None, "cpu", {"cpu": "cpu"}, ember.device("cpu"), lambda s, loc: s):
        buffer = io.BytesIO()
        ember.save(e_sd, buffer)
        buffer.seek(0)
        assert_same_structure(ember.load(buffer, map_location=map_location), via_torch(e_sd))


def cuda_tagged_checkpoint(tmp_path):
    """A torch checkpoint whose storage says 'cuda:0' (made by editing the pickle of a CPU checkpoint)."""
    buffer = io.BytesIO()
    torch.save({"w": torch.tensor([1.0, 2.0, 3.0])}, buffer)
    path = tmp_path / "cuda.pt"
    path.write_bytes(rewrite_zip(buffer.getvalue(), "data.pkl",
                                 lambda data: data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")))
    return path


def rewrite_zip(data, suffix, change):
    """A copy of a zip archive with ``change`` applied to the record whose name ends with ``suffix``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            target.writestr(name, change(content) if name.endswith(suffix) else content)
    return out.getvalue()


def test_paths_file_objects_and_unseekable_streams(tmp_path):
    e_sd, _ = state_dict_pair()
    path = tmp_path / "sd.pt"
    ember.save(e_sd, str(path))
    assert_same_structure(ember.load(path), torch.load(str(path)))
    with open(path, "wb") as f:
        ember.save(e_sd, f)
    with open(path, "rb") as f:
        assert_same_structure(ember.load(f), torch.load(path))

    class Unseekable(io.RawIOBase):
        def __init__(self, data=b""):
            self.written, self._reader = [], io.BytesIO(data)

        def writable(self):
            return True

        def readable(self):
            return True

        def write(self, data):
            self.written.append(bytes(data))
            return len(data)

        def readinto(self, buffer):
            return self._reader.readinto(buffer)

    sink = Unseekable()
    ember.save(e_sd, sink)
    data = b"".join(sink.written)
    assert_same_structure(ember.load(Unseekable(data)), torch.load(io.BytesIO(data)))


def test_mmap_maps_the_records(tmp_path):
    path = tmp_path / "big.pt"
    base = torch.arange(20.0)
    torch.save({"base": base, "view": base[5:10], "i": torch.arange(3)}, path)
    loaded = ember.load(path, mmap=True)
    assert isinstance(serialization._root_array(loaded["base"]._data), np.memmap)
    np.testing.assert_array_equal(loaded["view"].numpy(), np.arange(5.0, 10.0))
    loaded["base"][6] = -1.0                           # copy-on-write: the file is not changed
    assert loaded["view"][1].item() == -1.0
    assert torch.load(path)["base"][6].item() == 6.0
    with pytest.raises(ValueError) as e_error:
        ember.load(io.BytesIO(path.read_bytes()), mmap=True)
    with pytest.raises(ValueError) as t_error:
        torch.load(io.BytesIO(path.read_bytes()), mmap=True)
    assert str(e_error.value) == str(t_error.value)
    legacy = tmp_path / "legacy.pt"
    torch.save({"a": torch.ones(2)}, legacy, _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="mmap can only be used"):
        ember.load(legacy, mmap=True)


def test_save_to_path_is_atomic_when_pickling_fails(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save({"w": ember.ones(2)}, path)
    before = path.read_bytes()

    class Unpicklable:
        def __reduce__(self):
            raise RuntimeError("cannot pickle this")

    with pytest.raises(RuntimeError, match="cannot pickle this"):
        ember.save({"w": ember.zeros(2), "bad": Unpicklable()}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.pt"]


@pytest.mark.parametrize("failing", ["fsync", "replace", "write"])
def test_save_to_path_is_atomic_when_writing_fails(tmp_path, monkeypatch, failing):
    path = tmp_path / "ckpt.pt"
    ember.save({"w": ember.ones(2)}, path)
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError(f"simulated {failing} failure")

    if failing == "write":
        monkeypatch.setattr(serialization, "_write_record", fail)
    else:
        monkeypatch.setattr(serialization.os, failing, fail)
    with pytest.raises(OSError, match="simulated"):
        ember.save({"w": ember.zeros(1000)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.pt"]
    np.testing.assert_array_equal(ember.load(path)["w"].numpy(), [1.0, 1.0])


def test_save_keeps_file_mode_and_reports_missing_directory(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save([1], path)
    os.chmod(path, 0o640)
    ember.save([2], path)
    assert os.stat(path).st_mode & 0o777 == 0o640
    missing = tmp_path / "nope" / "x.pt"
    with pytest.raises(RuntimeError) as e_error:
        ember.save([1], missing)
    with pytest.raises(RuntimeError) as t_error:
        torch.save([1], missing)
    assert str(e_error.value) == str(t_error.value)


def test_module_state_dict_round_trip():
    e_model = ember.nn.Linear(3, 2)
    t_model = torch.nn.Linear(3, 2)
    t_model.load_state_dict(via_torch(e_model.state_dict()))
    np.testing.assert_array_equal(t_model.weight.detach().numpy(), e_model.weight.detach().numpy())
    np.testing.assert_array_equal(t_model.bias.detach().numpy(), e_model.bias.detach().numpy())
    source = torch.nn.Linear(3, 2)
    e_model.load_state_dict(via_ember(source.state_dict()))
    np.testing.assert_array_equal(e_model.weight.detach().numpy(), source.weight.detach().numpy())
    whole = _round_trip_ember(e_model, weights_only=False)           # a whole ember module, pickled
    assert type(whole) is ember.nn.Linear and whole.weight.requires_grad
    np.testing.assert_array_equal(whole(ember.ones(1, 3)).detach().numpy(), e_model(ember.ones(1, 3)).detach().numpy())


tensor_arrays = st.sampled_from(["float32", "float64", "int64", "int16", "uint8", "bool", "float16"]).flatmap(
    lambda name: hnp.arrays(name, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)))


@settings(max_examples=25, deadline=None)
@given(array=tensor_arrays, transpose=st.booleans(), step=st.integers(1, 2))
def test_property_round_trip_through_torch(array, transpose, step):
    e = ember.from_numpy(np.array(array))
    if transpose and e.dim() >= 2:
        e = e.transpose(0, 1)
    if e.dim() >= 1:
        e = e[::step]
    loaded = via_torch(e)
    np.testing.assert_array_equal(loaded.numpy(), e.numpy())
    back = via_ember(loaded)
    np.testing.assert_array_equal(back.numpy(), e.numpy())
    assert back.stride() == e.stride() or e.numel() == 0
