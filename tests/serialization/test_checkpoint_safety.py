"""ember.load on hostile and damaged files: weights_only refuses code, damaged archives raise clear errors."""

import io
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def torch_checkpoint(obj, **kwargs):
    buffer = io.BytesIO()
    torch.save(obj, buffer, **kwargs)
    return buffer.getvalue()


def rewrite_zip(data, suffix, change):
    """A copy of a zip archive with ``change`` applied to the record named ``...suffix`` (None drops it)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name.endswith(suffix):
                content = change(content)
                if content is None:
                    continue
            target.writestr(name, content)
    return out.getvalue()


def with_pickle(pickled):
    """A valid checkpoint whose data.pkl is replaced by ``pickled``."""
    return rewrite_zip(torch_checkpoint({"w": torch.ones(3)}), "data.pkl", lambda _: pickled)


def ember_load(data, **kwargs):
    return ember.load(io.BytesIO(data), **kwargs)


def both_raise(data, exc_type, match=None, **kwargs):
    """ember and torch both refuse ``data`` with ``exc_type`` (ember's message matching ``match``)."""
    with pytest.raises(exc_type, match=match):
        ember_load(data, **kwargs)
    with pytest.raises(exc_type):
        torch.load(io.BytesIO(data), **kwargs)


# ----------------------------------------------------------------------------- code execution is refused

class RunsCommand:
    """Unpickling this runs a shell command."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class Arbitrary:
    pass


def global_opcode(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def text(value):
    data = value.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def hostile_pickles(marker):
    """Hand-built pickles that would run ``touch marker`` (or worse) if unpickled naively."""
    command = text(f"touch {marker}")
    return {
        "eval": b"\x80\x02" + global_opcode("builtins", "eval") + text(f"__import__('os').system('touch {marker}')")
                + b"\x85R.",
        "os.system": b"\x80\x02" + global_opcode("os", "system") + command + b"\x85R.",
        "stack_global": b"\x80\x04" + text("os") + text("system") + b"\x93" + command + b"\x85R.",
        "inst": b"(" + b"S'touch " + str(marker).encode() + b"'\n" + b"ios\nsystem\n.",
        "obj": b"\x80\x02(" + global_opcode("os", "system") + command + b"o.",
        "subprocess": b"\x80\x02" + global_opcode("subprocess", "check_output") + b"]" + text("touch") + text(
            str(marker)) + b"\x86R\x85R.",
        "getattr_chain": b"\x80\x02" + global_opcode("builtins", "getattr") + global_opcode("os", "path")
                         + text("exists") + b"\x86R.",
        "ext": b"\x80\x02\x82\x01.",
    }


def test_hostile_pickles_are_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "pwned"
    for name, payload in hostile_pickles(marker).items():
        with pytest.raises(pickle.UnpicklingError) as error:
            ember_load(with_pickle(payload))
        assert str(error.value).startswith("Weights only load failed."), name
        assert not marker.exists(), name


def test_reduce_payloads_from_torch_and_ember_save_are_refused(tmp_path):
    marker = tmp_path / "pwned"
    for data in (torch_checkpoint({"a": RunsCommand(marker)}),
                 torch_checkpoint({"a": RunsCommand(marker)}, _use_new_zipfile_serialization=False)):
        with pytest.raises(pickle.UnpicklingError, match=r"posix\.system|os\.system|nt\.system"):
            ember_load(data)
        assert not marker.exists()
    buffer = io.BytesIO()
    ember.save({"a": RunsCommand(marker), "w": ember.ones(1)}, buffer)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ember_load(buffer.getvalue())
    assert not marker.exists()


def test_arbitrary_classes_are_refused_with_their_name():
    data = torch_checkpoint({"a": Arbitrary()})
    with pytest.raises(pickle.UnpicklingError, match="Arbitrary"):
        ember_load(data)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(io.BytesIO(data))


def test_allowed_globals_cannot_be_abused():
    # Tensor(10**12) would allocate a terabyte: torch.Tensor is allowed as a name, never as a call
    huge_tensor = b"\x80\x02" + global_opcode("torch", "Tensor") + b"\x8a\x06\x00\x10\xa5\xd4\xe8\x00\x85R."
    huge_bytearray = b"\x80\x02" + global_opcode("builtins", "bytearray") + b"\x8a\x06\x00\x10\xa5\xd4\xe8\x00\x85R."
    build_on_tensor = (b"\x80\x02" + global_opcode("torch._utils", "_rebuild_tensor_v2") + b"(" + b"(" + text("storage")
                       + global_opcode("torch", "FloatStorage") + text("0") + text("cpu") + b"K\x03tQK\x00K\x03\x85K"
                       b"\x01\x85\x89" + global_opcode("collections", "OrderedDict") + b")Rtr}" + text("_data")
                       + text("x") + b"sb.")
    dunder_state = (b"\x80\x02" + global_opcode("collections", "OrderedDict") + b")R}" + text("__class__")
                    + global_opcode("collections", "Counter") + b"sb.")
    for payload in (huge_tensor, huge_bytearray, build_on_tensor, dunder_state):
        with pytest.raises(pickle.UnpicklingError):
            ember_load(with_pickle(payload))


def test_weights_only_with_pickle_module_is_refused_like_torch():
    data = torch_checkpoint({"w": torch.ones(2)})
    both_raise(data, RuntimeError, "Can not safely load weights", pickle_module=pickle, weights_only=True)


# ----------------------------------------------------------------------------- damaged archives

def test_truncated_archives_raise_runtime_error():
    data = torch_checkpoint({"w": torch.arange(100.0), "n": torch.arange(10)})
    for cut in (len(data) // 2, len(data) - 1, 200, 30):
        with pytest.raises(RuntimeError, match="truncated or damaged"):
            ember_load(data[:cut])
        with pytest.raises(Exception):
            torch.load(io.BytesIO(data[:cut]))


def test_missing_records_raise_runtime_error():
    data = torch_checkpoint({"w": torch.ones(3)})
    both_raise(rewrite_zip(data, "data.pkl", lambda _: None), RuntimeError, "data.pkl")
    both_raise(rewrite_zip(data, "data/0", lambda _: None), RuntimeError)
    with pytest.raises(RuntimeError, match="no storage record"):
        ember_load(rewrite_zip(data, "data/0", lambda _: None))


def edit_pickle(old, new):
    data = torch_checkpoint({"w": torch.tensor([1.0, 2.0, 3.0])})
    return rewrite_zip(data, "data.pkl", lambda pkl: pkl.replace(old, new, 1) if old in pkl else pytest.fail(old))


@pytest.mark.parametrize("old, new", [
    (b"K\x03\x85", b"K\x05\x85"),                     # size 5 on a 3-element storage
    (b"QK\x00", b"QK\x02"),                           # storage offset 2: reads past the end
    (b"K\x01\x85", b"K\x02\x85"),                     # stride 2 over 3 elements
    (b"QK\x00", b"QJ\xff\xff\xff\xff"),               # negative storage offset
])
def test_tensors_that_would_read_past_their_storage_are_refused(old, new):
    both_raise(edit_pickle(old, new), RuntimeError, "the checkpoint is damaged")


def test_storage_records_shorter_or_longer_than_claimed():
    data = torch_checkpoint({"w": torch.tensor([1.0, 2.0, 3.0])})
    both_raise(rewrite_zip(data, "data/0", lambda raw: raw[:8]), RuntimeError, "record size")
    both_raise(rewrite_zip(data, "data/0", lambda raw: raw + b"\0" * 4), RuntimeError, "record size")
    # a storage claiming 2**31-1 float32 elements (8 GiB): refused by checking the record, not by allocating
    huge = edit_pickle(b"K\x03t", b"J\xff\xff\xff\x7ft")
    both_raise(huge, RuntimeError, "record size")


def test_corrupted_storage_bytes_fail_the_crc_check():
    data = bytearray(torch_checkpoint({"w": torch.arange(16.0)}))
    start = data.index(np.arange(16, dtype=np.float32).tobytes())
    data[start + 5] ^= 0xFF
    with pytest.raises(RuntimeError, match="CRC|damaged"):
        ember_load(bytes(data))


def test_unknown_storage_types_and_dtypes_raise_clearly():
    with pytest.raises(RuntimeError, match="ComplexHalfStorage"):
        ember_load(edit_pickle(b"torch\nFloatStorage", b"torch\nComplexHalfStorage"))
    with pytest.raises(pickle.UnpicklingError, match="complex32"):
        ember_load(torch_checkpoint({"d": torch.complex32}))
    bad_storage_type = edit_pickle(b"torch\nFloatStorage", b"torch\nFloatStorag")
    with pytest.raises((RuntimeError, pickle.UnpicklingError), match="FloatStorag"):
        ember_load(bad_storage_type)


def test_malformed_persistent_ids_and_rebuild_arguments():
    short_pid = edit_pickle(b"K\x03t", b"t")              # pid without its numel
    with pytest.raises(pickle.UnpicklingError, match="persistent id"):
        ember_load(short_pid)
    float_size = edit_pickle(b"K\x03\x85", b"G@\x08\x00\x00\x00\x00\x00\x00\x85")
    with pytest.raises(pickle.UnpicklingError, match="size"):
        ember_load(float_size)


def test_bad_byteorder_record():
    data = torch_checkpoint({"w": torch.ones(2)})
    with pytest.raises(RuntimeError, match="byte order"):
        ember_load(rewrite_zip(data, "byteorder", lambda _: b"middle"))


def test_big_endian_records_are_swapped():
    data = torch_checkpoint({"w": torch.arange(4, dtype=torch.int32)})
    swapped = rewrite_zip(rewrite_zip(data, "byteorder", lambda _: b"big"), "data/0",
                          lambda raw: np.frombuffer(raw, "<i4").astype(">i4").tobytes())
    np.testing.assert_array_equal(ember_load(swapped)["w"].numpy(), [0, 1, 2, 3])


# ----------------------------------------------------------------------------- legacy files and garbage

def test_legacy_wrong_magic_number_like_torch():
    data = torch_checkpoint({"w": torch.ones(2)}, _use_new_zipfile_serialization=False)
    bad = pickle.dumps(12345, protocol=2) + data[len(pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2)):]
    both_raise(bad, RuntimeError, "Invalid magic number")


def test_legacy_truncated_and_over_claiming_files():
    data = torch_checkpoint({"w": torch.arange(50.0)}, _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="truncated|damaged"):
        ember_load(data[:-10])
    over = data.replace(b"K2N", b"J\xff\xff\xff\x7fN", 1)     # numel 50 -> 2**31-1: more than the file holds
    assert over != data
    with pytest.raises(RuntimeError, match="claim more bytes"):
        ember_load(over)
    with pytest.raises(Exception):
        torch.load(io.BytesIO(over))


def test_legacy_hostile_object_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    data = torch_checkpoint([RunsCommand(marker)], _use_new_zipfile_serialization=False)
    with pytest.raises(pickle.UnpicklingError):
        ember_load(data)
    assert not marker.exists()


def test_garbage_and_empty_inputs_raise_like_torch():
    both_raise(b"garbage" * 10, pickle.UnpicklingError, "not a checkpoint")
    with pytest.raises(pickle.UnpicklingError, match="not a checkpoint"):      # torch: a bare IndexError
        ember_load(b"this is not a checkpoint at all")
    both_raise(b"", EOFError)
    both_raise(pickle.dumps({"plain": 1}, protocol=2), RuntimeError, "Invalid magic number")


def test_truncated_pickle_in_zip():
    data = torch_checkpoint({"w": torch.ones(2)})
    with pytest.raises(pickle.UnpicklingError, match="truncated"):
        ember_load(rewrite_zip(data, "data.pkl", lambda pkl: pkl[: len(pkl) // 2]))
    huge_string = b"\x80\x04\x8d" + struct.pack("<Q", 1 << 60) + b"abc"
    with pytest.raises(pickle.UnpicklingError, match="truncated"):
        ember_load(with_pickle(huge_string))
