"""``load``, ``save`` and ``info``: torchaudio's audio file I/O, with WAV built in and other formats via soundfile.

WAV files (integer, float, mu-law and A-law PCM) go through ember's own codec (``_wav.py``, NumPy only). FLAC,
OGG/Vorbis, MP3 and the rest go through the optional ``soundfile`` package (``pip install "ember[audio]"``), imported
only when such a file is read or written. ``backend="soundfile"`` sends WAV files there too.

Where ember chooses between torchaudio's backends (they disagree): ``save`` picks the default encoding from the
tensor's dtype (sox/soundfile) and converts samples as FFmpeg does (round half to even, clip, shift); loading
mu-law/A-law with ``normalize=False`` gives their 16-bit linear values as int16 (FFmpeg); reading past the last
frame gives an empty waveform (soundfile).
"""

import contextlib
import io
import numbers
import os
import warnings

import numpy as np

import ember

from .._files import atomic_write
from . import _wav

__all__ = ["AudioMetaData", "load", "save", "info", "list_audio_backends"]

_WAV_FORMATS = ("wav", "wave")
_MAGIC_FORMATS = {b"fLaC": "FLAC", b"OggS": "OGG", b"ID3": "MP3", b"FORM": "AIFF", b"NIST": "SPHERE",
                  b".snd": "AU", b"caff": "CAF", b"riff": "W64"}
_SOUNDFILE_EXTENSIONS = {"flac", "ogg", "oga", "opus", "vorbis", "mp3", "aiff", "aif", "au", "snd", "caf", "w64",
                         "sph", "nist", "htk", "voc", "rf64"}
_BACKENDS = ("wav", "soundfile")
_DTYPE_DEFAULTS = {np.dtype(np.uint8): ("PCM_U", 8), np.dtype(np.int16): ("PCM_S", 16),
                   np.dtype(np.int32): ("PCM_S", 32), np.dtype(np.float32): ("PCM_F", 32),
                   np.dtype(np.float64): ("PCM_F", 64)}


class AudioMetaData:
    """What ``info`` reports about an audio file (torchaudio.AudioMetaData).

    ``bits_per_sample`` is 0 for lossy formats; ``encoding`` is one of PCM_S, PCM_U, PCM_F, FLAC, ULAW, ALAW, MP3,
    VORBIS, AMR_WB, AMR_NB, OPUS or UNKNOWN.

    >>> AudioMetaData(8000, 4000, 1, 16, "PCM_S")
    AudioMetaData(sample_rate=8000, num_frames=4000, num_channels=1, bits_per_sample=16, encoding=PCM_S)
    """

    def __init__(self, sample_rate, num_frames, num_channels, bits_per_sample, encoding):
        self.sample_rate = sample_rate
        self.num_frames = num_frames
        self.num_channels = num_channels
        self.bits_per_sample = bits_per_sample
        self.encoding = encoding

    def __str__(self):
        return (f"AudioMetaData(sample_rate={self.sample_rate}, num_frames={self.num_frames}, "
                f"num_channels={self.num_channels}, bits_per_sample={self.bits_per_sample}, "
                f"encoding={self.encoding})")

    __repr__ = __str__


def list_audio_backends():
    """The backends ``load``/``save``/``info`` can use here: ``"wav"`` (built in) and ``"soundfile"`` if installed.

    >>> list_audio_backends()[0]
    'wav'
    """
    try:
        _soundfile("list_audio_backends")
    except ImportError:
        return ["wav"]
    return ["wav", "soundfile"]


# ------------------------------------------------------------------------------------------------ arguments

def _soundfile(purpose):
    """The soundfile module, or an ImportError saying how to install it."""
    try:
        import soundfile
    except ImportError as error:
        raise ImportError(f"{purpose} needs the soundfile package (ember reads and writes only WAV by itself): "
                          "pip install \"ember[audio]\" (or pip install soundfile)") from error
    return soundfile


def _check_backend(backend):
    if backend is not None and backend not in _BACKENDS:
        raise ValueError(f"Unsupported backend '{backend}' specified; please select one of {list(_BACKENDS)} "
                         "instead.")
    return backend


def _check_int(value, name, function):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{function}: {name} must be an int, got {type(value).__name__}")
    return int(value)


def _check_load_range(frame_offset, num_frames):
    frame_offset = _check_int(frame_offset, "frame_offset", "load")
    num_frames = _check_int(num_frames, "num_frames", "load")
    if frame_offset < 0:
        raise RuntimeError(f"Invalid argument: frame_offset must be non-negative. Found: {frame_offset}")
    if num_frames == 0 or num_frames < -1:
        raise RuntimeError(f"Invalid argument: num_frames must be -1 or greater than 0. Found: {num_frames}")
    return frame_offset, num_frames


def _is_seekable(stream):
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


@contextlib.contextmanager
def _source(uri, buffer_size, function):
    """A seekable binary stream for ``uri`` (a path, or a file-like object read from where it stands)."""
    if hasattr(uri, "read"):
        if _is_seekable(uri):
            yield uri
            return
        size = max(_check_int(buffer_size, "buffer_size", function), 1)
        yield io.BytesIO(b"".join(iter(lambda: uri.read(size), b"")))
        return
    if not isinstance(uri, (str, bytes, os.PathLike)):
        raise TypeError(f"{function}: uri must be a path or a file-like object with read(), got "
                        f"{type(uri).__name__}")
    with open(os.fsdecode(os.fspath(uri)), "rb") as stream:
        yield stream


def _peek(stream, size=12):
    start = stream.tell()
    head = stream.read(size)
    stream.seek(start)
    return head


def _uses_soundfile(stream, uri, format, backend):
    """Whether to read through soundfile: asked for, named by ``format``, or the bytes are not a WAV file.

    A non-WAV file without soundfile installed raises ImportError when it looks like a format soundfile reads and
    RuntimeError when its bytes are of no known audio format.
    """
    if backend == "soundfile":
        return True
    if format is not None and str(format).lower() in _WAV_FORMATS:
        return False
    head = _peek(stream)
    if format is None and _wav.is_wav_prefix(head):
        return False
    if backend == "wav":
        raise RuntimeError(f"backend='wav' reads only WAV files, but {_describe(uri)} starts with {head!r}.")
    if not head:
        raise RuntimeError(f"Failed to load audio from {_describe(uri)}: the source is empty.")
    try:
        _soundfile("Reading audio other than WAV")
    except ImportError:
        if format is None and _kind_of(head, uri) is None:
            raise RuntimeError(f"Failed to load audio from {_describe(uri)}: it is not a WAV file (it starts with "
                               f"{head!r}); for other formats install soundfile: pip install soundfile") from None
        raise
    return True


def _kind_of(head, uri):
    """The format name the first bytes or the file name suggest, or None."""
    for magic, name in _MAGIC_FORMATS.items():
        if head.startswith(magic):
            return name
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "MP3"
    extension = _extension(uri)
    return extension.upper() if extension in _SOUNDFILE_EXTENSIONS else None


def _extension(uri):
    if hasattr(uri, "read") or not isinstance(uri, (str, bytes, os.PathLike)):
        return None
    name = os.path.basename(os.path.normpath(os.fsdecode(os.fspath(uri))))
    return name.rsplit(".", 1)[1].lower() if "." in name else None


def _describe(uri):
    return "the file object" if hasattr(uri, "read") else repr(os.fsdecode(os.fspath(uri)))


# ---------------------------------------------------------------------------------------------------- load

def load(uri, frame_offset=0, num_frames=-1, normalize=True, channels_first=True, format=None, buffer_size=4096,
         backend=None):
    """Read audio into a (channels, frames) float32 tensor scaled to [-1, 1], and its sample rate.

    ``normalize=False`` keeps integer WAV samples as uint8/int16/int32 (24-bit as int32, shifted to the whole
    range); ``frame_offset``/``num_frames`` read a slice; ``channels_first=False`` gives (frames, channels).
    ``uri`` is a path or a binary file-like object.

    >>> import io; buffer = io.BytesIO(); save(buffer, ember.tensor([[0.0, 0.5, -0.25]]), 8000, format="wav")
    >>> _ = buffer.seek(0); load(buffer)
    (tensor([[ 0.0000,  0.5000, -0.2500]]), 8000)
    """
    frame_offset, num_frames = _check_load_range(frame_offset, num_frames)
    backend = _check_backend(backend)
    with _source(uri, buffer_size, "load") as stream:
        if _uses_soundfile(stream, uri, format, backend):
            samples, sample_rate = _soundfile_load(stream, frame_offset, num_frames, normalize)
        else:
            header = _wav.read_header(stream)
            samples = _wav.read_frames(stream, header, frame_offset, num_frames)
            if normalize:
                samples = _wav.to_float32(samples, header)
            sample_rate = header.sample_rate
    if channels_first:
        samples = samples.T
    return ember.from_numpy(np.ascontiguousarray(samples)), sample_rate


_SUBTYPE_DTYPES = {"PCM_S8": np.int8, "PCM_U8": np.uint8, "PCM_16": np.int16, "PCM_24": np.int32,
                   "PCM_32": np.int32, "FLOAT": np.float32, "DOUBLE": np.float64}


def _soundfile_load(stream, frame_offset, num_frames, normalize):
    soundfile = _soundfile("Reading audio other than WAV")
    with soundfile.SoundFile(stream, "r") as audio:
        if audio.format != "WAV" or normalize:
            dtype = np.float32
        elif audio.subtype in _SUBTYPE_DTYPES:
            dtype = _SUBTYPE_DTYPES[audio.subtype]
        else:
            raise ValueError(f"Unsupported subtype: {audio.subtype}")
        audio.seek(min(frame_offset, audio.frames))
        samples = audio.read(num_frames, dtype=dtype, always_2d=True)
        return samples, audio.samplerate


# ---------------------------------------------------------------------------------------------------- info

_SUBTYPE_BITS = {"PCM_S8": 8, "PCM_16": 16, "PCM_24": 24, "PCM_32": 32, "PCM_U8": 8, "FLOAT": 32, "DOUBLE": 64,
                 "ULAW": 8, "ALAW": 8, "DWVW_12": 12, "DWVW_16": 16, "DWVW_24": 24, "DPCM_8": 8, "DPCM_16": 16,
                 "ALAC_16": 16, "ALAC_20": 20, "ALAC_24": 24, "ALAC_32": 32}
_SUBTYPE_ENCODINGS = {"PCM_S8": "PCM_S", "PCM_16": "PCM_S", "PCM_24": "PCM_S", "PCM_32": "PCM_S", "PCM_U8": "PCM_U",
                      "FLOAT": "PCM_F", "DOUBLE": "PCM_F", "ULAW": "ULAW", "ALAW": "ALAW", "VORBIS": "VORBIS",
                      "OPUS": "OPUS", "MPEG_LAYER_III": "MP3"}


def info(uri, format=None, buffer_size=4096, backend=None):
    """The sample rate, frame count, channels, bits per sample and encoding of an audio file, without its samples.

    >>> import io; buffer = io.BytesIO(); save(buffer, ember.zeros(2, 100, dtype=ember.int16), 16000, format="wav")
    >>> _ = buffer.seek(0); info(buffer)
    AudioMetaData(sample_rate=16000, num_frames=100, num_channels=2, bits_per_sample=16, encoding=PCM_S)
    """
    backend = _check_backend(backend)
    with _source(uri, buffer_size, "info") as stream:
        if _uses_soundfile(stream, uri, format, backend):
            with _soundfile("Reading audio other than WAV").SoundFile(stream, "r") as audio:
                encoding = "FLAC" if audio.format == "FLAC" else _SUBTYPE_ENCODINGS.get(audio.subtype, "UNKNOWN")
                return AudioMetaData(audio.samplerate, audio.frames, audio.channels,
                                     _SUBTYPE_BITS.get(audio.subtype, 0), encoding)
        header = _wav.read_header(stream)
        return AudioMetaData(header.sample_rate, _wav.num_frames(stream, header), header.num_channels,
                             header.bits_per_sample, header.encoding)


# ---------------------------------------------------------------------------------------------------- save

def _wav_encoding(dtype, encoding, bits_per_sample):
    """(encoding, bits) to write a WAV file: torchaudio's defaults from the tensor's dtype, checked."""
    if bits_per_sample not in (None, 8, 16, 24, 32, 64):
        raise ValueError(f"Invalid bits_per_sample {bits_per_sample} for WAV encoding.")
    if encoding is None:
        if bits_per_sample is None:
            return _DTYPE_DEFAULTS[dtype]
        encoding = "PCM_U" if bits_per_sample == 8 else "PCM_S"
    if encoding == "PCM_S":
        if bits_per_sample in (8, 64):
            raise ValueError(f"For WAV signed PCM, {bits_per_sample}-bit encoding is not supported.")
        return encoding, bits_per_sample or 16
    if encoding == "PCM_U":
        if bits_per_sample not in (None, 8):
            raise ValueError("For WAV unsigned PCM, only 8-bit encoding is supported.")
        return encoding, 8
    if encoding == "PCM_F":
        if bits_per_sample not in (None, 32, 64):
            raise ValueError("For WAV float PCM, only 32- and 64-bit encodings are supported.")
        return encoding, bits_per_sample or 32
    if encoding in ("ULAW", "ALAW"):
        if bits_per_sample not in (None, 8):
            raise ValueError(f"For WAV PCM {'mu' if encoding == 'ULAW' else 'A'}-law, only 8-bit encoding is "
                             "supported.")
        return encoding, 8
    raise ValueError(f"WAV encoding {encoding} is not supported.")


def _source_array(src):
    if not ember.is_tensor(src):
        raise TypeError(f"save: src must be a Tensor, got {type(src).__name__}")
    if src.dim() != 2:
        raise ValueError(f"Expected 2D Tensor, got {src.dim()}D.")
    array = src.detach().cpu().numpy()
    if array.dtype not in _DTYPE_DEFAULTS:
        raise ValueError(f"Unsupported dtype for wav: {src.dtype}; save takes uint8, int16, int32, float32 or "
                         "float64 tensors.")
    return array


def _check_sample_rate(sample_rate):
    if isinstance(sample_rate, float) and sample_rate.is_integer():
        sample_rate = int(sample_rate)
    sample_rate = _check_int(sample_rate, "sample_rate", "save")
    if not 0 < sample_rate < 2 ** 32:
        raise ValueError(f"save: sample_rate must be a positive int below 2**32, got {sample_rate}")
    return sample_rate


def _save_format(uri, format):
    if format is not None:
        return str(format).lower()
    if hasattr(uri, "write"):
        raise RuntimeError("'format' is required when saving to file object.")
    extension = _extension(uri)
    if extension is None:
        raise ValueError(f"save: cannot tell the audio format of {_describe(uri)} without a file extension; pass "
                         "format='wav' (or 'flac', 'ogg', ...).")
    return extension


def save(uri, src, sample_rate, channels_first=True, format=None, encoding=None, bits_per_sample=None,
         buffer_size=4096, backend=None, compression=None):
    """Write a (channels, frames) tensor to an audio file, the format from ``format`` or the file extension.

    WAV defaults follow the dtype: uint8 -> 8-bit unsigned, int16/int32 -> 16/32-bit signed, float32/float64 ->
    32/64-bit float; ``encoding`` ('PCM_S', 'PCM_U', 'PCM_F', 'ULAW', 'ALAW') and ``bits_per_sample`` override it.
    A path is written atomically (a temporary file renamed into place).

    >>> import io; buffer = io.BytesIO()
    >>> save(buffer, ember.tensor([[0.0, 1.0]]), 8000, format="wav", bits_per_sample=16)
    >>> len(buffer.getvalue())
    48
    """
    backend = _check_backend(backend)
    array = _source_array(src)
    sample_rate = _check_sample_rate(sample_rate)
    audio_format = _save_format(uri, format)
    frames = array.T if _check_bool(channels_first) else array
    if backend == "soundfile" or audio_format not in _WAV_FORMATS + ("amb",):
        _soundfile_save(uri, frames, sample_rate, audio_format, encoding, bits_per_sample, compression)
        return
    if compression is not None:
        warnings.warn("save: compression has no effect on WAV files; it is ignored.", stacklevel=2)
    encoding, bits = _wav_encoding(array.dtype, encoding, bits_per_sample)
    _write(uri, lambda stream: stream.write(_wav.encode(frames, sample_rate, encoding, bits)))


def _check_bool(value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"save: channels_first must be a bool, got {type(value).__name__}")
    return bool(value)


def _write(uri, write):
    """Call ``write(stream)`` on a file object, or atomically on a new file at a path."""
    if hasattr(uri, "write"):
        write(uri)
        return
    path = os.fsdecode(os.fspath(uri))
    try:
        atomic_write(path, write)
    except (FileNotFoundError, NotADirectoryError) as error:
        raise RuntimeError(f"save: cannot create {path}: {error.strerror}") from error


_SOUNDFILE_CONTAINERS = {"wav": "WAV", "wave": "WAV", "amb": "WAV", "flac": "FLAC", "ogg": "OGG", "vorbis": "OGG",
                         "mp3": "MP3", "sph": "NIST", "nist": "NIST", "aiff": "AIFF", "aif": "AIFF"}


def _soundfile_subtype(dtype, audio_format, encoding, bits_per_sample):
    """The libsndfile subtype torchaudio's soundfile backend picks for a format, encoding and bit depth."""
    if audio_format in _WAV_FORMATS + ("amb",):
        encoding, bits = _wav_encoding(dtype, encoding, bits_per_sample)
        return {("PCM_U", 8): "PCM_U8", ("PCM_F", 32): "FLOAT", ("PCM_F", 64): "DOUBLE", ("ULAW", 8): "ULAW",
                ("ALAW", 8): "ALAW"}.get((encoding, bits), f"PCM_{bits}")
    if audio_format == "flac":
        if encoding is not None:
            raise ValueError("flac does not support encoding.")
        if bits_per_sample is not None and bits_per_sample not in (8, 16, 24):
            raise ValueError(f"flac supports bits_per_sample 8, 16 or 24, got {bits_per_sample}.")
        return "PCM_S8" if bits_per_sample == 8 else f"PCM_{bits_per_sample or 16}"
    if audio_format in ("ogg", "vorbis"):
        if bits_per_sample is not None:
            raise ValueError("ogg/vorbis does not support bits_per_sample.")
        if encoding not in (None, "vorbis", "opus"):
            raise ValueError(f"Unexpected encoding: {encoding}")
        return "OPUS" if encoding == "opus" else "VORBIS"
    if audio_format == "mp3":
        return "MPEG_LAYER_III"
    if audio_format in _SOUNDFILE_CONTAINERS:
        return None
    raise ValueError(f"Unsupported format: {audio_format}")


def _soundfile_save(uri, frames, sample_rate, audio_format, encoding, bits_per_sample, compression):
    subtype = _soundfile_subtype(frames.dtype, audio_format, encoding, bits_per_sample)
    soundfile = _soundfile(f"Writing {audio_format} audio")
    if compression is not None:
        warnings.warn("save: compression is not supported with soundfile; it is ignored.", stacklevel=3)
    if frames.dtype == np.uint8:
        frames = (frames.astype(np.float32) - 128) / 128
    container = _SOUNDFILE_CONTAINERS[audio_format]
    _write(uri, lambda stream: soundfile.write(stream, np.ascontiguousarray(frames), sample_rate, subtype=subtype,
                                               format=container))
