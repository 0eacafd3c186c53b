"""ember.audio.load / save / info against independent references: scipy.io.wavfile, the standard ``wave`` module,
audioop's G.711 codec (where Python still has it), WAV files built byte by byte here, and real recordings."""

import io
import os
import struct
import subprocess
import sys
import warnings
import wave

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.audio as audio
from ember.audio import _backend, _wav

scipy_wavfile = pytest.importorskip("scipy.io.wavfile")

RNG = np.random.default_rng(6)
GUID_SUFFIX = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"


def audioop_module():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import audioop
        except ImportError:
            return None
    return audioop


def random_samples(dtype, frames, channels):
    """(frames, channels) samples covering the dtype's whole range, extremes included."""
    if np.dtype(dtype).kind == "f":
        data = RNG.uniform(-1, 1, size=(frames, channels)).astype(dtype)
        data[:2] = [[-1.0], [1.0]] if channels == 1 else np.array([-1.0, 1.0])[:, None]
        return data
    info = np.iinfo(dtype)
    data = RNG.integers(info.min, info.max, size=(frames, channels), endpoint=True, dtype=dtype)
    data[0], data[1] = info.min, info.max
    return data


def expected_float(samples, bits=None):
    """torchaudio's normalize=True: integers divided by 2**(bits-1) (uint8 offset by 128), floats as float32."""
    samples = np.asarray(samples)
    if samples.dtype.kind == "f":
        return samples.astype(np.float32)
    if samples.dtype == np.uint8:
        return ((samples.astype(np.float64) - 128) / 128).astype(np.float32)
    bits = bits or 8 * samples.dtype.itemsize
    return (samples.astype(np.float64) / 2.0 ** (bits - 1)).astype(np.float32)


def riff(chunks, magic=b"RIFF", order="<"):
    body = b"WAVE" + b"".join(chunks)
    return magic + struct.pack(order + "I", len(body)) + body


def chunk(chunk_id, body, order="<"):
    return chunk_id + struct.pack(order + "I", len(body)) + body + (b"\x00" if len(body) % 2 else b"")


def fmt_body(tag, channels, rate, bits, order="<", extensible_tag=None, block_align=None):
    block_align = block_align or channels * bits // 8
    body = struct.pack(order + "HHIIHH", tag, channels, rate, rate * block_align, block_align, bits)
    if extensible_tag is not None:
        body += struct.pack(order + "HHI", 22, bits, 0) + struct.pack(order + "H", extensible_tag) + GUID_SUFFIX
    return body


def write_scipy(path, rate, data):
    scipy_wavfile.write(path, rate, data[:, 0] if data.shape[1] == 1 else data)


def read_scipy(path):
    rate, data = scipy_wavfile.read(path)
    return rate, data.reshape(len(data), -1)


def as_numpy(tensor):
    return tensor.numpy()


DTYPES = [np.uint8, np.int16, np.int32, np.float32, np.float64]
EMBER_DTYPES = {np.uint8: ember.uint8, np.int16: ember.int16, np.int32: ember.int32, np.float32: ember.float32,
                np.float64: ember.float64}
ENCODINGS = [("PCM_U", 8), ("PCM_S", 16), ("PCM_S", 24), ("PCM_S", 32), ("PCM_F", 32), ("PCM_F", 64),
             ("ULAW", 8), ("ALAW", 8)]


# -------------------------------------------------------------------------------------------- package wiring

def test_import_ember_does_not_load_audio():
    code = ("import sys, ember; assert 'ember.audio' not in sys.modules; import ember.audio; "
            "assert 'ember.audio._backend' not in sys.modules; ember.audio.load; "
            "assert 'ember.audio._backend' in sys.modules and 'ember.audio.datasets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.path.dirname(os.path.dirname(ember.__file__)))


def test_public_names():
    assert audio.load is _backend.load and audio.save is _backend.save and audio.info is _backend.info
    assert audio.AudioMetaData is _backend.AudioMetaData
    assert audio.datasets.YESNO.__name__ == "YESNO"
    assert {"load", "save", "info", "AudioMetaData", "datasets"} <= set(dir(audio))
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = audio.nothing_here


def test_list_audio_backends(monkeypatch):
    monkeypatch.setitem(sys.modules, "soundfile", None)
    assert audio.list_audio_backends() == ["wav"]


def test_audio_metadata_repr():
    meta = audio.AudioMetaData(16000, 5, 2, 24, "PCM_S")
    assert (meta.sample_rate, meta.num_frames, meta.num_channels, meta.bits_per_sample, meta.encoding) == \
        (16000, 5, 2, 24, "PCM_S")
    assert str(meta) == repr(meta) == ("AudioMetaData(sample_rate=16000, num_frames=5, num_channels=2, "
                                       "bits_per_sample=24, encoding=PCM_S)")


# ------------------------------------------------------------------------------------------------ round trips

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("channels", [1, 2, 3, 6])
def test_round_trip_default_encoding(tmp_path, dtype, channels):
    """save picks the encoding from the dtype; load(normalize=False) gives the same samples and dtype back."""
    samples = random_samples(dtype, 37, channels)
    path = tmp_path / "clip.wav"
    audio.save(path, ember.from_numpy(samples.T.copy()), 22050)
    raw, rate = audio.load(path, normalize=False)
    assert rate == 22050 and raw.dtype == EMBER_DTYPES[dtype] and tuple(raw.shape) == (channels, 37)
    np.testing.assert_array_equal(as_numpy(raw), samples.T)
    waveform, _ = audio.load(str(path))
    assert waveform.dtype == ember.float32
    np.testing.assert_array_equal(as_numpy(waveform), expected_float(samples).T)
    assert waveform.is_contiguous() and as_numpy(waveform.mul_(2)).flags.writeable   # a tensor of its own
    bits = {np.uint8: 8, np.int16: 16, np.int32: 32, np.float32: 32, np.float64: 64}[dtype]
    encoding = {"u": "PCM_U", "i": "PCM_S", "f": "PCM_F"}[np.dtype(dtype).kind]
    assert str(audio.info(path)) == str(audio.AudioMetaData(22050, 37, channels, bits, encoding))
    rate, reference = read_scipy(path)                                      # an independent reader agrees
    np.testing.assert_array_equal(reference, samples)


def expected_integers(waveform, bits):
    """Float samples as ``bits``-bit integers the way FFmpeg converts: x * 2**(bits-1), half to even, clipped."""
    scaled = np.rint(waveform.astype(np.float64) * 2.0 ** (bits - 1))
    return np.clip(scaled, -2.0 ** (bits - 1), 2.0 ** (bits - 1) - 1).astype(np.int64)


@pytest.mark.parametrize("encoding,bits", ENCODINGS)
@pytest.mark.parametrize("channels", [1, 2, 5])
def test_round_trip_every_encoding(tmp_path, encoding, bits, channels):
    """float32 saved in each encoding reads back as the encoding's quantisation of it (and info reports it)."""
    waveform = random_samples(np.float32, 64, channels) * 1.1                  # some samples clip
    path = tmp_path / "clip.wav"
    audio.save(path, ember.from_numpy(waveform.T.copy()), 8000, encoding=encoding, bits_per_sample=bits)
    meta = audio.info(path)
    assert (meta.sample_rate, meta.num_frames, meta.num_channels, meta.bits_per_sample, meta.encoding) == \
        (8000, 64, channels, bits, encoding)
    loaded, _ = audio.load(path)
    if encoding == "PCM_F":
        expected = waveform
    elif encoding in ("ULAW", "ALAW"):
        linear = expected_integers(waveform, 16).astype(np.int16)
        codes = _wav.ulaw_encode(linear) if encoding == "ULAW" else _wav.alaw_encode(linear)
        decoded = _wav.ulaw_decode(codes) if encoding == "ULAW" else _wav.alaw_decode(codes)
        expected = decoded.astype(np.float32) / 32768
    else:
        expected = (expected_integers(waveform, bits) / 2.0 ** (bits - 1)).astype(np.float32)
    np.testing.assert_array_equal(as_numpy(loaded), expected.T)
    if encoding not in ("ULAW", "ALAW"):                              # scipy reads PCM and float WAV files
        _, reference = read_scipy(path)
        np.testing.assert_array_equal(expected_float(reference, 32 if bits == 24 else None), expected)


@pytest.mark.parametrize("source", [np.uint8, np.int16, np.int32])
@pytest.mark.parametrize("bits", [8, 16, 24, 32])
def test_integer_width_conversion(tmp_path, source, bits):
    """Integer tensors written at another width are shifted (FFmpeg's rule: narrowing floors)."""
    samples = random_samples(source, 50, 2)
    path = tmp_path / "clip.wav"
    audio.save(path, ember.from_numpy(samples.T.copy()), 8000, bits_per_sample=bits)
    signed = samples.astype(np.int64) - (128 if source == np.uint8 else 0)
    source_bits = 8 * np.dtype(source).itemsize
    shifted = signed << (bits - source_bits) if bits >= source_bits else signed >> (source_bits - bits)
    raw, _ = audio.load(path, normalize=False)
    stored = {8: shifted + 128, 16: shifted, 24: shifted << 8, 32: shifted}[bits]
    np.testing.assert_array_equal(as_numpy(raw).astype(np.int64), stored.T)


def test_float_conversion_rounds_half_to_even_and_clips(tmp_path):
    values = np.array([[-2.0, -1.0, -0.5 / 32768, 0.5 / 32768, 1.5 / 32768, 2.5 / 32768, 0.999999, 1.0, 7.0,
                        -np.inf, np.inf]], np.float64)
    path = tmp_path / "clip.wav"
    audio.save(path, ember.from_numpy(values), 8000, encoding="PCM_S", bits_per_sample=16)
    raw, _ = audio.load(path, normalize=False)
    assert as_numpy(raw).tolist() == [[-32768, -32768, 0, 0, 2, 2, 32767, 32767, 32767, -32768, 32767]]
    audio.save(path, ember.from_numpy(values), 8000, encoding="PCM_U")
    raw, _ = audio.load(path, normalize=False)
    assert as_numpy(raw).tolist() == [[0, 0, 128, 128, 128, 128, 255, 255, 255, 0, 255]]


def test_channels_first_false_and_noncontiguous(tmp_path):
    samples = random_samples(np.int16, 40, 4)
    path = tmp_path / "clip.wav"
    audio.save(path, ember.from_numpy(samples), 8000, channels_first=False)
    frames_last, _ = audio.load(path, normalize=False, channels_first=False)
    assert tuple(frames_last.shape) == (40, 4)
    np.testing.assert_array_equal(as_numpy(frames_last), samples)
    strided = ember.from_numpy(samples.T.copy())[::2, ::3]                    # a non-contiguous view
    assert not strided.is_contiguous()
    audio.save(path, strided, 8000)
    np.testing.assert_array_equal(as_numpy(audio.load(path, normalize=False)[0]), samples.T[::2, ::3])


def test_save_detaches_and_leaves_source_alone(tmp_path):
    source = ember.tensor([[0.25, -0.5, 0.125]], requires_grad=True)
    before = source.detach().clone()
    audio.save(tmp_path / "g.wav", source, 8000)
    assert ember.equal(source.detach(), before)
    np.testing.assert_array_equal(as_numpy(audio.load(tmp_path / "g.wav")[0]), [[0.25, -0.5, 0.125]])


def test_zero_frames_round_trip(tmp_path):
    audio.save(tmp_path / "empty.wav", ember.zeros(2, 0), 8000)
    waveform, rate = audio.load(tmp_path / "empty.wav")
    assert tuple(waveform.shape) == (2, 0) and rate == 8000
    assert audio.info(tmp_path / "empty.wav").num_frames == 0


def test_odd_sized_data_chunk_is_padded(tmp_path):
    """8-bit mono with an odd frame count gets a pad byte; readers (scipy too) skip it."""
    samples = random_samples(np.uint8, 7, 1)
    path = tmp_path / "odd.wav"
    audio.save(path, ember.from_numpy(samples.T.copy()), 8000)
    blob = path.read_bytes()
    assert len(blob) % 2 == 0 and struct.unpack("<I", blob[4:8])[0] == len(blob) - 8
    np.testing.assert_array_equal(read_scipy(path)[1], samples)


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "keep.wav"
    audio.save(path, ember.zeros(1, 10), 8000)
    before = path.read_bytes()

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(_wav, "encode", broken)
    with pytest.raises(OSError, match="disk full"):
        audio.save(path, ember.ones(1, 10), 8000)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["keep.wav"]


# ------------------------------------------------------------------------------------ independent references

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("channels", [1, 2, 4])
def test_load_matches_scipy_files(tmp_path, dtype, channels):
    samples = random_samples(dtype, 33, channels)
    path = tmp_path / "scipy.wav"
    write_scipy(path, 11025, samples)
    raw, rate = audio.load(path, normalize=False)
    assert rate == 11025
    np.testing.assert_array_equal(as_numpy(raw), samples.T)
    np.testing.assert_array_equal(as_numpy(audio.load(path)[0]), expected_float(samples).T)


@pytest.mark.parametrize("channels", [1, 2, 3])
@pytest.mark.parametrize("extensible", [False, True])
def test_24_bit_matches_scipy(tmp_path, channels, extensible):
    """24-bit files (hand-built) load as int32 shifted left by 8, exactly what scipy returns."""
    values = RNG.integers(-2 ** 23, 2 ** 23, size=(19, channels))
    values[0, 0], values[1, 0] = -2 ** 23, 2 ** 23 - 1
    data = values.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    fmt = fmt_body(0xFFFE, channels, 48000, 24, extensible_tag=1) if extensible else fmt_body(1, channels, 48000, 24)
    path = tmp_path / "deep.wav"
    path.write_bytes(riff([chunk(b"fmt ", fmt), chunk(b"data", data)]))
    raw, rate = audio.load(path, normalize=False)
    _, reference = read_scipy(path)
    assert raw.dtype == ember.int32 and rate == 48000
    np.testing.assert_array_equal(as_numpy(raw), reference.T)
    np.testing.assert_array_equal(as_numpy(raw), (values << 8).T)
    np.testing.assert_array_equal(as_numpy(audio.load(path)[0]), (values / 2.0 ** 23).astype(np.float32).T)
    assert audio.info(path).bits_per_sample == 24 and audio.info(path).encoding == "PCM_S"


@pytest.mark.parametrize("width", [1, 2, 3, 4])
@pytest.mark.parametrize("channels", [1, 2])
def test_load_matches_wave_module_files(tmp_path, width, channels):
    raw_bytes = RNG.integers(0, 256, size=23 * width * channels, dtype=np.uint8).tobytes()
    path = str(tmp_path / "wave.wav")
    with wave.open(path, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(16000)
        writer.writeframes(raw_bytes)
    if width == 3:
        expected = np.frombuffer(raw_bytes, np.uint8).reshape(-1, 3)
        expected = (expected[:, 0].astype(np.int64) | expected[:, 1].astype(np.int64) << 8
                    | expected[:, 2].astype(np.int64) << 16)
        expected = np.where(expected >= 2 ** 23, expected - 2 ** 24, expected) << 8
    else:
        expected = np.frombuffer(raw_bytes, {1: "u1", 2: "<i2", 4: "<i4"}[width])
    raw, rate = audio.load(path, normalize=False, channels_first=False)
    assert rate == 16000
    np.testing.assert_array_equal(as_numpy(raw), expected.reshape(23, channels))


@pytest.mark.parametrize("dtype", [np.uint8, np.int16])
@pytest.mark.parametrize("channels", [1, 2])
def test_wave_module_reads_saved_files(tmp_path, dtype, channels):
    samples = random_samples(dtype, 29, channels)
    path = str(tmp_path / "ember.wav")
    audio.save(path, ember.from_numpy(samples.T.copy()), 44100)
    with wave.open(path, "rb") as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate(), reader.getnframes()) == \
            (channels, np.dtype(dtype).itemsize, 44100, 29)
        frames = reader.readframes(29)
    assert frames == samples.astype(np.dtype(dtype).newbyteorder("<")).tobytes()


def test_g711_tables_match_reference_values():
    assert _wav.ulaw_decode(np.array([0x00, 0x0F, 0x7E, 0x7F, 0x80, 0xFE, 0xFF], np.uint8)).tolist() == \
        [-32124, -16764, -8, 0, 32124, 8, 0]
    assert _wav.alaw_decode(np.array([0x55, 0xD5, 0x2A, 0xAA, 0x00, 0x80], np.uint8)).tolist() == \
        [-8, 8, -32256, 32256, -5504, 5504]
    every = np.arange(256, dtype=np.uint8)                     # each code survives a decode-encode round trip
    for decode, encode, zeros in ((_wav.ulaw_decode, _wav.ulaw_encode, {0x7F}),
                                  (_wav.alaw_decode, _wav.alaw_encode, set())):
        again = encode(decode(every))
        mismatched = set(np.flatnonzero(again != every).tolist())
        assert mismatched <= zeros and np.array_equal(decode(again), decode(every))


def test_g711_matches_audioop():
    audioop = audioop_module()
    if audioop is None:
        pytest.skip("audioop (the standard library's G.711 codec) was removed in Python 3.13")
    codes = bytes(range(256))
    np.testing.assert_array_equal(_wav.ulaw_decode(np.arange(256, dtype=np.uint8)),
                                  np.frombuffer(audioop.ulaw2lin(codes, 2), "<i2"))
    np.testing.assert_array_equal(_wav.alaw_decode(np.arange(256, dtype=np.uint8)),
                                  np.frombuffer(audioop.alaw2lin(codes, 2), "<i2"))
    linear = np.arange(-32768, 32768, dtype=np.int16)
    np.testing.assert_array_equal(_wav.ulaw_encode(linear),
                                  np.frombuffer(audioop.lin2ulaw(linear.astype("<i2").tobytes(), 2), np.uint8))
    np.testing.assert_array_equal(_wav.alaw_encode(linear),
                                  np.frombuffer(audioop.lin2alaw(linear.astype("<i2").tobytes(), 2), np.uint8))


@pytest.mark.parametrize("tag,encoding,decode", [(7, "ULAW", _wav.ulaw_decode), (6, "ALAW", _wav.alaw_decode)])
@pytest.mark.parametrize("extensible", [False, True])
def test_load_g711_files(tmp_path, tag, encoding, decode, extensible):
    codes = RNG.integers(0, 256, size=(12, 2), dtype=np.uint8)
    fmt = fmt_body(0xFFFE, 2, 8000, 8, extensible_tag=tag) if extensible else fmt_body(tag, 2, 8000, 8) + b"\0\0"
    path = tmp_path / "law.wav"
    path.write_bytes(riff([chunk(b"fmt ", fmt), chunk(b"fact", struct.pack("<I", 12)),
                           chunk(b"data", codes.tobytes())]))
    linear = decode(codes)
    raw, _ = audio.load(path, normalize=False)
    assert raw.dtype == ember.int16
    np.testing.assert_array_equal(as_numpy(raw), linear.T)
    np.testing.assert_array_equal(as_numpy(audio.load(path)[0]), (linear / 32768).astype(np.float32).T)
    assert str(audio.info(path)) == f"AudioMetaData(sample_rate=8000, num_frames=12, num_channels=2, " \
                                    f"bits_per_sample=8, encoding={encoding})"


def test_saved_layouts_plain_and_extensible(tmp_path):
    """Plain PCM up to 16 bits and 2 channels, WAVE_FORMAT_EXTENSIBLE beyond (as FFmpeg writes)."""
    cases = [((1, ember.int16), None, 1), ((2, ember.uint8), None, 1), ((3, ember.int16), None, 0xFFFE),
             ((1, ember.int32), None, 0xFFFE), ((2, ember.float32), None, 3), ((4, ember.float32), None, 0xFFFE),
             ((1, ember.float32), "ULAW", 7), ((1, ember.float32), "ALAW", 6), ((1, ember.int16), "PCM_S24", 0xFFFE)]
    for (channels, dtype), encoding, tag in cases:
        bits = 24 if encoding == "PCM_S24" else None
        encoding = "PCM_S" if encoding == "PCM_S24" else encoding
        path = tmp_path / "layout.wav"
        audio.save(path, ember.zeros(channels, 3, dtype=dtype), 96000, encoding=encoding, bits_per_sample=bits)
        blob = path.read_bytes()
        assert blob[12:16] == b"fmt " and struct.unpack("<H", blob[20:22])[0] == tag, (channels, dtype, encoding)
        assert (b"fact" in blob) == (encoding in ("ULAW", "ALAW") or dtype == ember.float32)


# ------------------------------------------------------------------------------------------ slices and sources

@settings(max_examples=25, deadline=None)
@given(offset=st.integers(0, 40), count=st.one_of(st.just(-1), st.integers(1, 45)),
       channels_first=st.booleans())
def test_frame_offset_and_num_frames(offset, count, channels_first):
    samples = random_samples(np.int16, 30, 2)
    buffer = io.BytesIO()
    audio.save(buffer, ember.from_numpy(samples.T.copy()), 8000, format="wav")
    buffer.seek(0)
    raw, _ = audio.load(buffer, frame_offset=offset, num_frames=count, normalize=False,
                        channels_first=channels_first)
    expected = samples[offset:] if count == -1 else samples[offset:offset + count]
    np.testing.assert_array_equal(as_numpy(raw), expected.T if channels_first else expected)


@pytest.mark.parametrize("kwargs,message", [({"frame_offset": -1}, "frame_offset must be non-negative"),
                                            ({"num_frames": 0}, "num_frames must be -1 or greater than 0"),
                                            ({"num_frames": -2}, "num_frames must be -1 or greater than 0")])
def test_load_range_errors(tmp_path, kwargs, message):
    audio.save(tmp_path / "a.wav", ember.zeros(1, 4), 8000)
    with pytest.raises(RuntimeError, match=message):
        audio.load(tmp_path / "a.wav", **kwargs)
    with pytest.raises(TypeError, match="frame_offset must be an int"):
        audio.load(tmp_path / "a.wav", frame_offset=1.5)


class ReadOnly:
    """A stream with nothing but read(), which hands out at most ``step`` bytes per call (a clogged pipe)."""

    def __init__(self, data, step):
        self.data, self.step, self.position = data, step, 0

    def read(self, size=-1):
        size = self.step if size < 0 else min(size, self.step)
        part = self.data[self.position:self.position + size]
        self.position += len(part)
        return part


def test_file_like_sources(tmp_path):
    samples = random_samples(np.int16, 25, 3)
    path = tmp_path / "clip.wav"
    audio.save(path, ember.from_numpy(samples.T.copy()), 16000)
    blob = path.read_bytes()
    expected = expected_float(samples).T
    with open(path, "rb") as stream:                                         # a real file
        np.testing.assert_array_equal(as_numpy(audio.load(stream)[0]), expected)
    for source in (io.BytesIO(blob), ReadOnly(blob, 2), ReadOnly(blob, 4096)):
        waveform, rate = audio.load(source, buffer_size=7)
        assert rate == 16000
        np.testing.assert_array_equal(as_numpy(waveform), expected)
    shifted = io.BytesIO(b"junk" + blob)                                     # read from where the stream stands
    shifted.seek(4)
    np.testing.assert_array_equal(as_numpy(audio.load(shifted, frame_offset=20)[0]), expected[:, 20:])
    assert audio.info(ReadOnly(blob, 3)).num_frames == 25
    assert audio.info(io.BytesIO(blob)).num_channels == 3


def test_save_to_file_objects(tmp_path):
    buffer = io.BytesIO()
    audio.save(buffer, ember.tensor([[0.5, -0.5]]), 8000, format="WAV")
    assert buffer.getvalue()[:4] == b"RIFF"
    with pytest.raises(RuntimeError, match="'format' is required when saving to file object"):
        audio.save(io.BytesIO(), ember.zeros(1, 2), 8000)
    with open(tmp_path / "f.wav", "wb") as stream:
        audio.save(stream, ember.tensor([[0.5, -0.5]]), 8000, format="wav")
    assert (tmp_path / "f.wav").read_bytes() == buffer.getvalue()


def test_format_argument_forces_wav(tmp_path):
    path = tmp_path / "clip.bin"
    audio.save(path, ember.tensor([[0.25]]), 8000, format="wav")
    assert audio.load(path, format="wav")[0].tolist() == [[0.25]]
    assert audio.load(path)[1] == 8000                               # the bytes say WAV whatever the name


# ------------------------------------------------------------------------------------------- header variants

def test_big_endian_rifx(tmp_path):
    samples = random_samples(np.int16, 9, 2)
    path = tmp_path / "rifx.wav"
    path.write_bytes(riff([chunk(b"fmt ", fmt_body(1, 2, 8000, 16, ">"), ">"),
                           chunk(b"data", samples.astype(">i2").tobytes(), ">")], b"RIFX", ">"))
    np.testing.assert_array_equal(as_numpy(audio.load(path, normalize=False)[0]), samples.T)
    values = RNG.integers(-2 ** 23, 2 ** 23, size=(5, 1))
    big24 = values.astype(">i4").view(np.uint8).reshape(-1, 4)[:, 1:].tobytes()
    path.write_bytes(riff([chunk(b"fmt ", fmt_body(1, 1, 8000, 24, ">"), ">"), chunk(b"data", big24, ">")],
                          b"RIFX", ">"))
    np.testing.assert_array_equal(as_numpy(audio.load(path, normalize=False)[0]), (values << 8).T)


def test_rf64_and_open_ended_data(tmp_path):
    samples = random_samples(np.float32, 11, 1)
    data = samples.astype("<f4").tobytes()
    ds64 = struct.pack("<QQQI", 0, len(data), 11, 0)
    path = tmp_path / "rf64.wav"
    path.write_bytes(riff([chunk(b"ds64", ds64), chunk(b"fmt ", fmt_body(3, 1, 8000, 32)),
                           b"data" + struct.pack("<I", 0xFFFFFFFF) + data], b"RF64"))
    np.testing.assert_array_equal(as_numpy(audio.load(path)[0]), samples.T)
    path.write_bytes(riff([chunk(b"fmt ", fmt_body(3, 1, 8000, 32)),             # streamed: size left open
                           b"data" + struct.pack("<I", 0xFFFFFFFF) + data]))
    np.testing.assert_array_equal(as_numpy(audio.load(path)[0]), samples.T)
    assert audio.info(path).num_frames == 11


def test_chunks_around_fmt_and_data(tmp_path):
    """Unknown chunks (odd sizes, padded) before fmt and data are skipped; a long fmt is accepted."""
    samples = random_samples(np.int16, 6, 1)
    path = tmp_path / "chunky.wav"
    path.write_bytes(riff([chunk(b"JUNK", b"abc"), chunk(b"fmt ", fmt_body(1, 1, 8000, 16) + b"\0\0"),
                           chunk(b"LIST", b"INFOxyz"), chunk(b"data", samples.astype("<i2").tobytes()),
                           chunk(b"id3 ", b"tail")]))
    np.testing.assert_array_equal(as_numpy(audio.load(path, normalize=False)[0]), samples.T)
    assert audio.info(path).num_frames == 6


def test_partial_trailing_frame_is_dropped(tmp_path):
    path = tmp_path / "ragged.wav"
    path.write_bytes(riff([chunk(b"fmt ", fmt_body(1, 2, 8000, 16)), chunk(b"data", bytes(4 * 3 + 2))]))
    assert tuple(audio.load(path)[0].shape) == (2, 3) and audio.info(path).num_frames == 3


# --------------------------------------------------------------------------------------------------- errors

def corrupt_files():
    fmt = chunk(b"fmt ", fmt_body(1, 1, 8000, 16))
    data = chunk(b"data", bytes(20))
    return {
        "truncated data": (riff([fmt, data])[:-6], "Truncated WAV file: its data chunk declares 20 bytes"),
        "truncated fmt": (riff([fmt])[:24], "Truncated WAV file: its fmt chunk is cut short"),
        "no data": (riff([fmt]), "ends before a data chunk"),
        "no fmt": (riff([chunk(b"LIST", b"ab")]), "ends before a fmt chunk"),
        "data first": (riff([data, fmt]), "data chunk comes before the fmt chunk"),
        "short fmt": (riff([chunk(b"fmt ", b"\x01\x00\x01\x00"), data]), "fmt chunk is 4 bytes long"),
        "no channels": (riff([chunk(b"fmt ", fmt_body(1, 0, 8000, 16, block_align=2)), data]), "0 channels"),
        "adpcm": (riff([chunk(b"fmt ", fmt_body(2, 1, 8000, 4, block_align=1)), data]), r"0x0002 \(MS ADPCM\)"),
        "12-bit in 12": (riff([chunk(b"fmt ", fmt_body(1, 1, 8000, 40, block_align=5)), data]),
                         "format tag 1 with 40 bits"),
        "odd guid": (riff([chunk(b"fmt ", fmt_body(0xFFFE, 1, 8000, 16, extensible_tag=1)[:-1] + b"\x00"), data]),
                     "sub-format GUID"),
        "bad block align": (riff([chunk(b"fmt ", fmt_body(1, 2, 8000, 16, block_align=3)), data]),
                            "block align 3 is not a multiple"),
    }


@pytest.mark.parametrize("name", sorted(corrupt_files()))
def test_corrupt_wav_errors(tmp_path, name):
    blob, message = corrupt_files()[name]
    path = tmp_path / "bad.wav"
    path.write_bytes(blob)
    with pytest.raises(RuntimeError, match=message):
        audio.load(path)
    with pytest.raises(RuntimeError, match=message):
        audio.info(io.BytesIO(blob))


def test_not_audio_errors(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "soundfile", None)
    path = tmp_path / "notes.wav"
    path.write_bytes(b"hello, this is text")
    with pytest.raises(RuntimeError, match=r"not a WAV file \(it starts with b'hello, this '\).*pip install "
                                           "soundfile"):
        audio.load(path)
    path.write_bytes(b"")
    with pytest.raises(RuntimeError, match="the source is empty"):
        audio.load(path)
    with pytest.raises(RuntimeError, match="backend='wav' reads only WAV files"):
        audio.load(io.BytesIO(b"fLaC\0\0\0\x22"), backend="wav")
    with pytest.raises(FileNotFoundError):
        audio.load(tmp_path / "missing.wav")
    with pytest.raises(TypeError, match="uri must be a path or a file-like object"):
        audio.load(42)
    with pytest.raises(ValueError, match="Unsupported backend 'ffmpeg'"):
        audio.load(path, backend="ffmpeg")


@pytest.mark.parametrize("head,extension", [(b"fLaC\0\0\0\x22" + bytes(40), "flac"), (b"OggS" + bytes(40), "ogg"),
                                            (b"ID3\x04" + bytes(40), "mp3"), (b"\xff\xfb\x90" + bytes(40), "bin"),
                                            (b"??" + bytes(40), "flac")])
def test_other_formats_need_soundfile(tmp_path, monkeypatch, head, extension):
    monkeypatch.setitem(sys.modules, "soundfile", None)
    path = tmp_path / f"clip.{extension}"
    path.write_bytes(head)
    for function in (audio.load, audio.info):
        with pytest.raises(ImportError, match="needs the soundfile package.*pip install soundfile"):
            function(path)
    with pytest.raises(ImportError, match="pip install soundfile"):
        audio.load(io.BytesIO(head), format="flac")
    with pytest.raises(ImportError, match="pip install soundfile"):
        audio.save(tmp_path / "out.flac", ember.zeros(1, 4), 8000)
    with pytest.raises(ImportError, match="pip install soundfile"):
        audio.load(path, backend="soundfile")


@pytest.mark.parametrize("kwargs,error,message", [
    ({"encoding": "PCM_S", "bits_per_sample": 8}, ValueError, "signed PCM, 8-bit encoding is not supported"),
    ({"encoding": "PCM_U", "bits_per_sample": 16}, ValueError, "unsigned PCM, only 8-bit"),
    ({"encoding": "PCM_F", "bits_per_sample": 16}, ValueError, "float PCM, only 32- and 64-bit"),
    ({"encoding": "ULAW", "bits_per_sample": 16}, ValueError, "mu-law, only 8-bit"),
    ({"encoding": "ALAW", "bits_per_sample": 32}, ValueError, "A-law, only 8-bit"),
    ({"encoding": "GSM"}, ValueError, "WAV encoding GSM is not supported"),
    ({"bits_per_sample": 12}, ValueError, "Invalid bits_per_sample 12"),
    ({"bits_per_sample": 64}, ValueError, "signed PCM, 64-bit encoding is not supported"),
    ({"backend": "sox"}, ValueError, "Unsupported backend 'sox'"),
    ({"channels_first": 1}, TypeError, "channels_first must be a bool"),
])
def test_save_argument_errors(tmp_path, kwargs, error, message):
    with pytest.raises(error, match=message):
        audio.save(tmp_path / "x.wav", ember.zeros(1, 3), 8000, **kwargs)
    assert not os.listdir(tmp_path)


def test_save_source_errors(tmp_path):
    target = tmp_path / "x.wav"
    with pytest.raises(ValueError, match="Expected 2D Tensor, got 1D"):
        audio.save(target, ember.zeros(3), 8000)
    with pytest.raises(ValueError, match="Expected 2D Tensor, got 3D"):
        audio.save(target, ember.zeros(1, 1, 3), 8000)
    with pytest.raises(ValueError, match="Unsupported dtype for wav: ember.int64"):
        audio.save(target, ember.zeros(1, 3, dtype=ember.int64), 8000)
    with pytest.raises(TypeError, match="src must be a Tensor, got ndarray"):
        audio.save(target, np.zeros((1, 3), np.float32), 8000)
    with pytest.raises(ValueError, match="src holds NaN"):
        audio.save(target, ember.tensor([[0.0, float("nan")]]), 8000, bits_per_sample=16)
    with pytest.raises(ValueError, match="sample_rate must be a positive int"):
        audio.save(target, ember.zeros(1, 3), 0)
    with pytest.raises(TypeError, match="sample_rate must be an int"):
        audio.save(target, ember.zeros(1, 3), 8000.5)
    with pytest.raises(ValueError, match="without a file extension"):
        audio.save(tmp_path / "noext", ember.zeros(1, 3), 8000)
    with pytest.raises(ValueError, match="Unsupported format: txt"):
        audio.save(tmp_path / "x.txt", ember.zeros(1, 3), 8000)
    missing = tmp_path / "no" / "such" / "dir" / "x.wav"
    with pytest.raises(RuntimeError, match=str(missing)):
        audio.save(missing, ember.zeros(1, 3), 8000)
    assert not os.listdir(tmp_path)
    audio.save(target, ember.tensor([[0.0, float("nan")]]), 16000.0)          # float WAV keeps NaN as it is
    assert np.isnan(as_numpy(audio.load(target)[0])[0, 1])


def test_compression_is_ignored_for_wav_with_a_warning(tmp_path):
    with pytest.warns(UserWarning, match="compression has no effect on WAV"):
        audio.save(tmp_path / "x.wav", ember.zeros(1, 3), 8000, compression=5)
    assert audio.info(tmp_path / "x.wav").num_frames == 3


# ---------------------------------------------------------------------------------------------- real data

def test_real_spoken_digits_match_scipy(digit_wavs):
    """The Debian spoken-digit recordings: 8 kHz mono 16-bit, values equal to scipy's scaled by 2**-15."""
    for path in digit_wavs:
        rate, reference = scipy_wavfile.read(path)
        waveform, sample_rate = audio.load(path)
        assert sample_rate == rate == 8000 and waveform.dtype == ember.float32
        assert tuple(waveform.shape) == (1, len(reference))
        np.testing.assert_array_equal(as_numpy(waveform)[0], (reference / 32768).astype(np.float32))
        raw, _ = audio.load(path, normalize=False)
        np.testing.assert_array_equal(as_numpy(raw)[0], reference)
        meta = audio.info(path)
        assert (meta.sample_rate, meta.num_frames, meta.num_channels, meta.bits_per_sample, meta.encoding) == \
            (8000, len(reference), 1, 16, "PCM_S")
        assert float(waveform.abs().max()) > 0.05                                 # speech, not silence


def test_real_librivox_utterances_round_trip(librivox_wavs, tmp_path):
    for path in librivox_wavs[:2]:
        rate, reference = scipy_wavfile.read(path)
        waveform, sample_rate = audio.load(path, frame_offset=1000, num_frames=4000)
        assert sample_rate == rate == 16000
        np.testing.assert_array_equal(as_numpy(waveform)[0], (reference[1000:5000] / 32768).astype(np.float32))
        audio.save(tmp_path / "copy.wav", waveform, sample_rate, bits_per_sample=16)
        np.testing.assert_array_equal(read_scipy(tmp_path / "copy.wav")[1][:, 0], reference[1000:5000])


# ------------------------------------------------------------------------------- soundfile (optional extra)

def test_soundfile_formats(tmp_path, digit_wavs):
    soundfile = pytest.importorskip("soundfile")
    waveform, rate = audio.load(digit_wavs[3])
    flac = tmp_path / "three.flac"
    audio.save(flac, waveform, rate)
    meta = audio.info(flac)
    assert (meta.sample_rate, meta.num_frames, meta.num_channels, meta.bits_per_sample, meta.encoding) == \
        (8000, waveform.shape[1], 1, 16, "FLAC")
    np.testing.assert_array_equal(as_numpy(audio.load(flac)[0]), as_numpy(waveform))          # lossless
    np.testing.assert_array_equal(as_numpy(audio.load(flac, frame_offset=100, num_frames=50)[0]),
                                  as_numpy(waveform)[:, 100:150])
    with open(flac, "rb") as stream:
        assert audio.load(stream)[1] == 8000
    ogg = tmp_path / "three.ogg"
    audio.save(ogg, waveform, rate)
    assert audio.info(ogg).encoding == "VORBIS" and audio.load(ogg)[0].shape[0] == 1
    buffer = io.BytesIO()
    audio.save(buffer, waveform, rate, format="flac", bits_per_sample=24)
    buffer.seek(0)
    assert audio.info(buffer).bits_per_sample == 24
    np.testing.assert_array_equal(soundfile.read(flac, dtype="float32")[0], as_numpy(waveform)[0])
    with pytest.raises(ValueError, match="flac does not support encoding"):
        audio.save(tmp_path / "x.flac", waveform, rate, encoding="PCM_S")


def test_soundfile_backend_for_wav(tmp_path):
    pytest.importorskip("soundfile")
    samples = random_samples(np.int16, 30, 2)
    path = tmp_path / "clip.wav"
    audio.save(path, ember.from_numpy(samples.T.copy()), 8000, backend="soundfile")
    for normalize in (True, False):
        ours = audio.load(path, normalize=normalize)[0]
        theirs = audio.load(path, normalize=normalize, backend="soundfile")[0]
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(as_numpy(ours), as_numpy(theirs))
    assert str(audio.info(path, backend="soundfile")) == str(audio.info(path))
    assert audio.list_audio_backends() == ["wav", "soundfile"]
