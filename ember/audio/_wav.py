"""A WAV reader and writer in the standard library and NumPy: the codec behind ``ember.audio.load/save/info``.

Reads RIFF (little-endian), RIFX (big-endian) and RF64 files holding integer PCM (8-bit unsigned, 16/24/32-bit
signed), IEEE float PCM (32/64-bit), G.711 mu-law and A-law, in the plain and the WAVE_FORMAT_EXTENSIBLE layouts.
Writes the same encodings (RIFF, little-endian); WAVE_FORMAT_EXTENSIBLE when there are more than two channels or
integer samples wider than 16 bits, as FFmpeg does.

Sample conversions follow torchaudio (FFmpeg's rules): integers of ``n`` bits map to floats by dividing by
``2**(n-1)`` (8-bit unsigned first subtracts 128); floats map to integers by rounding ``x * 2**(n-1)`` half to even
and clipping; wider integers narrow by an arithmetic right shift, narrower ones widen by a left shift. 24-bit
samples live in int32 arrays shifted left by 8 bits (the whole int32 range), as torchaudio returns them.
"""

import struct
from collections import namedtuple

import numpy as np

__all__ = ["WavHeader", "NotWavError", "is_wav_prefix", "read_header", "available_data_size", "num_frames",
           "read_frames", "to_float32", "encode", "convert_samples", "native_dtype", "ulaw_decode", "ulaw_encode",
           "alaw_decode", "alaw_encode"]

# The 14 bytes after the 16-bit format tag in a WAVE_FORMAT_EXTENSIBLE sub-format GUID (KSDATAFORMAT_SUBTYPE_*).
_GUID_SUFFIX = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
_EXTENSIBLE = 0xFFFE
_TAGS = {"PCM_U": 1, "PCM_S": 1, "PCM_F": 3, "ALAW": 6, "ULAW": 7}
_TAG_NAMES = {0x0002: "MS ADPCM", 0x0011: "IMA ADPCM", 0x0031: "GSM 6.10", 0x0050: "MPEG", 0x0055: "MPEG Layer III",
              0x0092: "Dolby AC-3", 0x00FF: "AAC", 0x2000: "Dolby AC-3", 0x2001: "DTS"}
_UNKNOWN_SIZE = 0xFFFFFFFF
_READ_CHUNK = 1 << 20

WavHeader = namedtuple("WavHeader", "sample_rate num_channels encoding bits_per_sample sample_width byte_order "
                                    "data_offset data_size")
WavHeader.__doc__ = """What a WAV header says: rate, channels, encoding (PCM_S, PCM_U, PCM_F, ULAW, ALAW), container
bits per sample, bytes per sample, '<' or '>', where the samples start and how many bytes of them there are (None
when the header leaves it open: until the end of the file)."""


class NotWavError(RuntimeError):
    """The stream does not start with a RIFF/RIFX/RF64 WAVE header (it may hold another format)."""


# ------------------------------------------------------------------------------------------------- stream helpers

def _read_exact(stream, size):
    """Up to ``size`` bytes, calling ``read`` again when a stream returns fewer than asked (pipes, sockets)."""
    parts, wanted = [], size
    while wanted > 0:
        part = stream.read(min(wanted, _READ_CHUNK) if size > _READ_CHUNK else wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def _skip(stream, size):
    """Move ``size`` bytes forward (past the end is allowed: the next read comes back short)."""
    if size > 0:
        stream.seek(size, 1)


def is_wav_prefix(head):
    """Whether the first 12 bytes of a file are a RIFF, RIFX or RF64 WAVE header.

    >>> is_wav_prefix(b"RIFF\\x24\\x00\\x00\\x00WAVE"), is_wav_prefix(b"fLaC\\x00\\x00\\x00\\x22")
    (True, False)
    """
    return len(head) >= 12 and head[:4] in (b"RIFF", b"RIFX", b"RF64") and head[8:12] == b"WAVE"


# ---------------------------------------------------------------------------------------------------- reading

def _parse_fmt(body, order):
    """(encoding, container bits, bytes per sample, channels, rate) from a ``fmt `` chunk body."""
    if len(body) < 16:
        raise RuntimeError(f"Corrupt WAV file: the fmt chunk is {len(body)} bytes long, expected at least 16.")
    tag, channels, rate, _, block_align, bits = struct.unpack(order + "HHIIHH", body[:16])
    if tag == _EXTENSIBLE:
        if len(body) < 40:
            raise RuntimeError("Corrupt WAV file: a WAVE_FORMAT_EXTENSIBLE fmt chunk must be at least 40 bytes, "
                               f"got {len(body)}.")
        guid = body[24:40]
        tag = struct.unpack(order + "H", guid[:2])[0]
        if guid[2:] != _GUID_SUFFIX:
            raise RuntimeError(f"Unsupported WAV encoding: WAVE_FORMAT_EXTENSIBLE sub-format GUID {guid.hex()}.")
    if channels == 0 or rate == 0 or block_align == 0:
        raise RuntimeError(f"Corrupt WAV file: fmt chunk has {channels} channels, sample rate {rate} and "
                           f"block align {block_align}; all must be positive.")
    if block_align % channels:
        raise RuntimeError(f"Corrupt WAV file: block align {block_align} is not a multiple of the "
                           f"{channels} channels.")
    width = block_align // channels
    encoding = _encoding_of(tag, width, bits)
    return encoding, 8 * width, width, channels, rate


def _encoding_of(tag, width, bits):
    """The torchaudio encoding name of a WAV format tag with ``width`` bytes per sample, or a RuntimeError."""
    supported = {(1, 1): "PCM_U", (1, 2): "PCM_S", (1, 3): "PCM_S", (1, 4): "PCM_S", (3, 4): "PCM_F",
                 (3, 8): "PCM_F", (6, 1): "ALAW", (7, 1): "ULAW"}
    if (tag, width) in supported:
        return supported[tag, width]
    if tag in (1, 3, 6, 7):
        raise RuntimeError(f"Unsupported WAV encoding: format tag {tag} with {bits} bits per sample in "
                           f"{8 * width}-bit containers.")
    name = _TAG_NAMES.get(tag, "unknown")
    raise RuntimeError(f"Unsupported WAV encoding: format tag 0x{tag:04X} ({name}); ember reads PCM, IEEE float, "
                       "mu-law and A-law WAV files (install soundfile and pass backend='soundfile' for others).")


def read_header(stream):
    """Parse a WAV header from a seekable binary ``stream`` up to the start of the samples, left there.

    Raises NotWavError when the stream is not a WAV file and RuntimeError when the header is corrupt or the
    encoding unsupported.

    >>> import io; blob = encode(np.zeros((3, 1), np.int16), 8000, "PCM_S", 16)
    >>> read_header(io.BytesIO(blob)).data_size
    6
    """
    head = _read_exact(stream, 12)
    if not is_wav_prefix(head):
        if not head:
            raise NotWavError("The audio source is empty.")
        raise NotWavError(f"Not a WAV file: it starts with {head[:12]!r}.")
    order = ">" if head[:4] == b"RIFX" else "<"
    rf64 = head[:4] == b"RF64"
    fmt, ds64_data_size = None, None
    while True:
        chunk = _read_exact(stream, 8)
        if len(chunk) < 8:
            missing = "fmt" if fmt is None else "data"
            raise RuntimeError(f"Corrupt or truncated WAV file: it ends before a {missing} chunk.")
        chunk_id, size = chunk[:4], struct.unpack(order + "I", chunk[4:])[0]
        if chunk_id == b"data":
            if fmt is None:
                raise RuntimeError("Corrupt WAV file: the data chunk comes before the fmt chunk.")
            return _header(stream, fmt, order, _data_size(size, rf64, ds64_data_size))
        if chunk_id in (b"fmt ", b"ds64"):
            body = _read_exact(stream, size)
            if len(body) < size:
                raise RuntimeError(f"Truncated WAV file: its {chunk_id.decode().strip()} chunk is cut short.")
            if chunk_id == b"fmt ":
                fmt = _parse_fmt(body, order)
            elif len(body) >= 16:
                ds64_data_size = struct.unpack(order + "Q", body[8:16])[0]
            _skip(stream, size & 1)
        else:
            _skip(stream, size + (size & 1))


def _data_size(size, rf64, ds64_data_size):
    if rf64 and size == _UNKNOWN_SIZE:
        if ds64_data_size is None:
            raise RuntimeError("Corrupt RF64 file: the data size is in a ds64 chunk, which is missing.")
        return ds64_data_size
    return None if size == _UNKNOWN_SIZE else size


def _header(stream, fmt, order, data_size):
    encoding, bits, width, channels, rate = fmt
    return WavHeader(rate, channels, encoding, bits, width, order, stream.tell(), data_size)


def available_data_size(stream, header):
    """The bytes of samples the stream really holds (to the end of the file when the header leaves the size open).

    Raises RuntimeError when the file is shorter than its header says; leaves the stream at the samples' start.
    """
    end = stream.seek(0, 2)
    stream.seek(header.data_offset)
    present = end - header.data_offset
    if header.data_size is None:
        return present
    if present < header.data_size:
        raise RuntimeError(f"Truncated WAV file: its data chunk declares {header.data_size} bytes but only "
                           f"{present} follow.")
    return header.data_size


def num_frames(stream, header):
    """How many whole frames the file holds."""
    return available_data_size(stream, header) // (header.sample_width * header.num_channels)


def native_dtype(header):
    """The NumPy dtype ``load(normalize=False)`` returns for this header (int32 for 24-bit, int16 for G.711)."""
    if header.encoding == "PCM_F":
        return np.dtype(np.float32 if header.sample_width == 4 else np.float64)
    return np.dtype({1: np.uint8, 2: np.int16, 3: np.int32, 4: np.int32}[header.sample_width]
                    if header.encoding in ("PCM_U", "PCM_S") else np.int16)


def read_frames(stream, header, frame_offset=0, count=-1):
    """Frames ``frame_offset`` .. ``frame_offset + count`` (all the rest for ``count=-1``) as a (frames, channels)
    array of ``native_dtype(header)``; the stream must be at the start of the samples (after ``read_header``).

    >>> import io; stream = io.BytesIO(encode(np.arange(6, dtype=np.int16).reshape(3, 2), 8000, "PCM_S", 16))
    >>> read_frames(stream, read_header(stream), 1).tolist()
    [[2, 3], [4, 5]]
    """
    frame_bytes = header.sample_width * header.num_channels
    total = available_data_size(stream, header) // frame_bytes
    start = min(frame_offset, total)
    stop = total if count < 0 else min(total, start + count)
    _skip(stream, start * frame_bytes)
    wanted = (stop - start) * frame_bytes
    raw = _read_exact(stream, wanted)
    if len(raw) < wanted:
        raise RuntimeError(f"Truncated WAV file: expected {wanted} bytes of samples, got {len(raw)}.")
    return _decode(raw, header).reshape(stop - start, header.num_channels)


def _decode(raw, header):
    """The samples in ``raw`` as a flat array of ``native_dtype(header)``."""
    order, width = header.byte_order, header.sample_width
    if header.encoding == "ULAW":
        return ulaw_decode(np.frombuffer(raw, np.uint8))
    if header.encoding == "ALAW":
        return alaw_decode(np.frombuffer(raw, np.uint8))
    if width == 3:
        return _int24_to_int32(np.frombuffer(raw, np.uint8).reshape(-1, 3), order)
    kind = {"PCM_U": "u", "PCM_S": "i", "PCM_F": "f"}[header.encoding]
    return np.frombuffer(raw, np.dtype(f"{order}{kind}{width}")).astype(native_dtype(header))


def _int24_to_int32(triples, order):
    """24-bit samples (rows of 3 bytes) as int32 values shifted left by 8 bits: the low byte becomes zero."""
    quads = np.zeros((len(triples), 4), np.uint8)
    if order == "<":
        quads[:, 1:] = triples
    else:
        quads[:, :3] = triples
    return quads.view(f"{order}i4").reshape(-1).astype(np.int32)


def to_float32(samples, header):
    """Samples from ``read_frames`` scaled into [-1, 1] as float32, as torchaudio's ``normalize=True`` does.

    >>> to_float32(np.array([0, 128, 255], np.uint8), WavHeader(8000, 1, "PCM_U", 8, 1, "<", 0, 3)).tolist()
    [-1.0, 0.0, 0.9921875]
    """
    if samples.dtype == np.uint8:
        return (samples.astype(np.float32) - np.float32(128)) / np.float32(128)
    if samples.dtype.kind == "f":
        return samples.astype(np.float32, copy=False)
    scale = np.float32(2.0 ** -(8 * samples.dtype.itemsize - 1))
    return samples.astype(np.float32) * scale


# ------------------------------------------------------------------------------------------------------ G.711

def _ulaw_table():
    """The 16-bit linear value of each of the 256 mu-law codes (ITU-T G.711)."""
    code = ~np.arange(256, dtype=np.int64) & 0xFF
    exponent, mantissa = (code >> 4) & 0x07, code & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(code & 0x80, -magnitude, magnitude).astype(np.int16)


def _alaw_table():
    """The 16-bit linear value of each of the 256 A-law codes (ITU-T G.711, even bits inverted)."""
    code = np.arange(256, dtype=np.int64) ^ 0x55
    exponent, mantissa = (code >> 4) & 0x07, code & 0x0F
    magnitude = np.where(exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0))
    return np.where(code & 0x80, magnitude, -magnitude).astype(np.int16)


_ULAW_TO_LINEAR = _ulaw_table()
_ALAW_TO_LINEAR = _alaw_table()


def ulaw_decode(codes):
    """Mu-law bytes to 16-bit linear samples.

    >>> ulaw_decode(np.array([0x00, 0x7F, 0x80, 0xFF], np.uint8)).tolist()
    [-32124, 0, 32124, 0]
    """
    return _ULAW_TO_LINEAR[codes]


def alaw_decode(codes):
    """A-law bytes to 16-bit linear samples.

    >>> alaw_decode(np.array([0xD5, 0x55, 0xAA, 0x2A], np.uint8)).tolist()
    [8, -8, 32256, -32256]
    """
    return _ALAW_TO_LINEAR[codes]


def _segment(magnitude, top_of_first_segment):
    """The G.711 segment (0..7, 8 when above the range) of each magnitude: segments double in size."""
    segment = np.zeros(magnitude.shape, np.int64)
    bound = top_of_first_segment
    for _ in range(8):
        segment += magnitude > bound
        bound = bound * 2 + 1
    return segment


def ulaw_encode(samples):
    """16-bit linear samples to mu-law bytes with G.711's segment quantiser (the reference encoder's rounding).

    >>> ulaw_encode(np.array([-32768, 0, 1000, 32767], np.int16)).tolist()
    [0, 255, 206, 128]
    """
    value = samples.astype(np.int64) >> 2
    mask = np.where(value < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(value), 8159) + 33
    segment = _segment(magnitude, 0x3F)
    code = (segment << 4) | ((magnitude >> (segment + 1)) & 0x0F)
    return (np.where(segment >= 8, 0x7F, code) ^ mask).astype(np.uint8)


def alaw_encode(samples):
    """16-bit linear samples to A-law bytes with G.711's segment quantiser (the reference encoder's rounding).

    >>> alaw_encode(np.array([-32768, 0, 1000, 32767], np.int16)).tolist()
    [42, 213, 250, 170]
    """
    value = samples.astype(np.int64) >> 3
    mask = np.where(value >= 0, 0xD5, 0x55)
    magnitude = np.where(value >= 0, value, -value - 1)
    segment = _segment(magnitude, 0x1F)
    shift = np.maximum(segment, 1)
    code = (np.minimum(segment, 7) << 4) | ((magnitude >> shift) & 0x0F)
    return (np.where(segment >= 8, 0x7F, code) ^ mask).astype(np.uint8)


# ---------------------------------------------------------------------------------------------- conversions

def _signed_bits(array):
    """(signed int64 values, bits) of an integer array: uint8 is 8-bit unsigned PCM, offset by 128."""
    if array.dtype == np.uint8:
        return array.astype(np.int64) - 128, 8
    return array.astype(np.int64), 8 * array.dtype.itemsize


def _to_signed(array, bits):
    """Samples as signed ``bits``-bit integers (int64 array): floats rounded and clipped, integers shifted."""
    if array.dtype.kind == "f":
        if np.isnan(array).any():
            raise ValueError("save: src holds NaN, which has no integer PCM value; clean the waveform first.")
        scaled = np.rint(array.astype(np.float64) * 2.0 ** (bits - 1))
        return np.clip(scaled, -(2 ** (bits - 1)), 2 ** (bits - 1) - 1).astype(np.int64)
    values, source_bits = _signed_bits(array)
    if source_bits < bits:
        return values << (bits - source_bits)
    return values >> (source_bits - bits)


def _to_float(array, bits):
    if array.dtype.kind == "f":
        return array.astype(np.float32 if bits == 32 else np.float64)
    values, source_bits = _signed_bits(array)
    return (values * 2.0 ** -(source_bits - 1)).astype(np.float32 if bits == 32 else np.float64)


def convert_samples(array, encoding, bits):
    """``array`` (uint8, int16, int32, int64, float32 or float64 samples) in the sample format to be written:
    uint8 for PCM_U, int64 holding ``bits``-bit values for PCM_S, float32/float64 for PCM_F, codes for ULAW/ALAW.

    >>> convert_samples(np.array([-1.0, 0.0, 0.5, 1.0], np.float32), "PCM_S", 16).tolist()
    [-32768, 0, 16384, 32767]
    """
    if encoding == "PCM_F":
        return _to_float(array, bits)
    if encoding == "PCM_U":
        return (_to_signed(array, 8) + 128).astype(np.uint8)
    if encoding == "PCM_S":
        return _to_signed(array, bits)
    linear = _to_signed(array, 16)
    return ulaw_encode(linear) if encoding == "ULAW" else alaw_encode(linear)


def _sample_bytes(values, encoding, bits):
    """Little-endian bytes of converted samples (24-bit samples keep the low 3 bytes of each int32)."""
    if encoding in ("PCM_U", "ULAW", "ALAW"):
        return np.ascontiguousarray(values, np.uint8).tobytes()
    if encoding == "PCM_F":
        return np.ascontiguousarray(values, f"<f{bits // 8}").tobytes()
    if bits == 24:
        return np.ascontiguousarray(values, "<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    return np.ascontiguousarray(values, f"<i{bits // 8}").tobytes()


# ---------------------------------------------------------------------------------------------------- writing

def _channel_mask(channels):
    if channels == 1:
        return 0x4                                      # front centre
    return (1 << channels) - 1 if channels <= 18 else 0


def _fmt_body(tag, channels, sample_rate, bits, extensible):
    block_align = channels * bits // 8
    body = struct.pack("<HHIIHH", _EXTENSIBLE if extensible else tag, channels, sample_rate,
                       sample_rate * block_align, block_align, bits)
    if extensible:
        return body + struct.pack("<HHI", 22, bits, _channel_mask(channels)) + struct.pack("<H", tag) + _GUID_SUFFIX
    return body if tag == 1 else body + struct.pack("<H", 0)


def _chunk(chunk_id, body):
    return chunk_id + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")


def encode(samples, sample_rate, encoding, bits):
    """A whole WAV file (bytes) holding ``samples``, a (frames, channels) array, in ``encoding`` at ``bits``.

    >>> blob = encode(np.zeros((2, 1), np.float32), 16000, "PCM_S", 16)
    >>> blob[:4], len(blob)
    (b'RIFF', 48)
    """
    frames, channels = samples.shape
    if channels > 0xFFFF:
        raise RuntimeError(f"save: WAV files hold at most 65535 channels, got {channels}.")
    tag = _TAGS[encoding]
    extensible = channels > 2 or (tag == 1 and bits > 16)
    data = _sample_bytes(convert_samples(samples, encoding, bits), encoding, bits)
    chunks = [_chunk(b"fmt ", _fmt_body(tag, channels, sample_rate, bits, extensible))]
    if tag != 1:
        chunks.append(_chunk(b"fact", struct.pack("<I", min(frames, _UNKNOWN_SIZE))))
    if len(data) + 1 + sum(len(chunk) for chunk in chunks) + 12 > _UNKNOWN_SIZE:
        raise RuntimeError(f"save: {len(data)} bytes of samples exceed the 4 GiB limit of a WAV file.")
    chunks.append(_chunk(b"data", data))
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body
