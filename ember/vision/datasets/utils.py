"""Download, verify and unpack dataset files (torchvision.datasets.utils): MD5 checks, archives, argument checks.

Downloads go through a temporary file beside the destination and are renamed into place only after the MD5
check passes, so a corrupted download raises and is never kept. URLs may be http(s), ``file://`` or local paths.
"""

import bz2
import gzip
import hashlib
import lzma
import os
import pathlib
import shutil
import tarfile
import urllib.error
import urllib.request
import zipfile

from ... import hub
from ..._files import atomic_write

__all__ = ["calculate_md5", "check_md5", "check_integrity", "download_url", "download_file_from_google_drive",
           "list_dir", "list_files", "extract_archive", "download_and_extract_archive", "iterable_to_str",
           "verify_str_arg"]

USER_AGENT = "pytorch/vision"


# -------------------------------------------------------------------------------------------------------- checksums

def calculate_md5(fpath, chunk_size=1024 * 1024):
    """The hex MD5 digest of the file at ``fpath``, read in chunks (datasets publish MD5s of their files).

    >>> import tempfile, os; path = os.path.join(tempfile.mkdtemp(), "f"); _ = open(path, "wb").write(b"")
    >>> calculate_md5(path)
    'd41d8cd98f00b204e9800998ecf8427e'
    """
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as stream:
        for chunk in iter(lambda: stream.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    """Whether the file's MD5 digest equals ``md5``.

    >>> import tempfile, os; path = os.path.join(tempfile.mkdtemp(), "f"); _ = open(path, "wb").write(b"")
    >>> check_md5(path, "d41d8cd98f00b204e9800998ecf8427e")
    True
    """
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    """Whether ``fpath`` is a file and, when ``md5`` is given, has that MD5 digest.

    >>> check_integrity("/no/such/file")
    False
    """
    if not os.path.isfile(fpath):
        return False
    return md5 is None or check_md5(fpath, md5)


# -------------------------------------------------------------------------------------------------------- downloads

class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    """Follow at most ``max_repeats`` redirects (torchvision's ``max_redirect_hops``)."""

    def __init__(self, hops):
        super().__init__()
        self.max_redirections = hops


def _md5_check(md5):
    """A check for hub._download that rejects a finished download whose MD5 differs from ``md5``."""
    def check(path):
        if md5 is not None and not check_md5(path, md5):
            raise RuntimeError(f"File not found or corrupted: the MD5 of the download is {calculate_md5(path)}, "
                               f"expected {md5}.")
    return check


def _urlretrieve(url, fpath, md5, max_redirect_hops):
    opener = urllib.request.build_opener(_LimitedRedirects(max_redirect_hops)).open
    hub._download(url, fpath, progress=True, check=_md5_check(md5), user_agent=USER_AGENT, opener=opener)


def download_url(url, root, filename=None, md5=None, max_redirect_hops=3):
    """Download ``url`` into ``root/filename`` unless a file with the right MD5 is already there.

    A download whose MD5 differs raises RuntimeError and is deleted; an https URL that fails is retried over http.

    >>> import tempfile, os; folder = tempfile.mkdtemp(); source = os.path.join(folder, "a.txt")
    >>> _ = open(source, "wb").write(b"")
    >>> download_url("file://" + source, os.path.join(folder, "out"), md5="d41d8cd98f00b204e9800998ecf8427e")
    >>> os.listdir(os.path.join(folder, "out"))
    ['a.txt']
    """
    root = os.path.expanduser(root)
    filename = filename or os.path.basename(os.fspath(url))
    fpath = os.fspath(os.path.join(root, filename))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    try:
        _urlretrieve(url, fpath, md5, max_redirect_hops)
    except (urllib.error.URLError, OSError) as error:
        url = os.fspath(url)
        if not url.startswith("https:"):
            raise error
        _urlretrieve(url.replace("https:", "http:", 1), fpath, md5, max_redirect_hops)
    if not check_integrity(fpath, md5):
        raise RuntimeError("File not found or corrupted.")


def download_file_from_google_drive(file_id, root, filename=None, md5=None):
    """Download a Google Drive file (needs the ``gdown`` package, as torchvision) into ``root``.

    >>> callable(download_file_from_google_drive)
    True
    """
    try:
        import gdown
    except ModuleNotFoundError as error:
        raise RuntimeError("To download files from GDrive, 'gdown' is required. You can install it with "
                           "'pip install gdown'.") from error
    root = os.path.expanduser(root)
    fpath = os.fspath(os.path.join(root, filename or file_id))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    gdown.download(id=file_id, output=fpath, quiet=False, user_agent=USER_AGENT)
    if not check_integrity(fpath, md5):
        raise RuntimeError("File not found or corrupted.")


def list_dir(root, prefix=False):
    """The names (or paths, with ``prefix=True``) of the directories directly inside ``root``.

    >>> import tempfile, os; folder = tempfile.mkdtemp(); os.mkdir(os.path.join(folder, "cats"))
    >>> list_dir(folder)
    ['cats']
    """
    root = os.path.expanduser(root)
    names = [name for name in os.listdir(root) if os.path.isdir(os.path.join(root, name))]
    return [os.path.join(root, name) for name in names] if prefix else names


def list_files(root, suffix, prefix=False):
    """The names (or paths) of the files directly inside ``root`` ending with ``suffix`` (a str or tuple).

    >>> import tempfile, os; folder = tempfile.mkdtemp(); _ = open(os.path.join(folder, "a.png"), "w")
    >>> list_files(folder, ".png")
    ['a.png']
    """
    root = os.path.expanduser(root)
    names = [name for name in os.listdir(root)
             if os.path.isfile(os.path.join(root, name)) and name.endswith(suffix)]
    return [os.path.join(root, name) for name in names] if prefix else names


# --------------------------------------------------------------------------------------------------------- archives

def _extract_tar(from_path, to_path, compression):
    with tarfile.open(from_path, f"r:{compression[1:]}" if compression else "r") as archive:
        if hasattr(tarfile, "data_filter"):          # Python >= 3.10.12: refuse members escaping to_path
            archive.extractall(to_path, filter="data")
        else:
            archive.extractall(to_path)


def _extract_zip(from_path, to_path, compression):
    with zipfile.ZipFile(from_path, "r") as archive:
        hub._safe_extract_zip(archive, to_path)


_ARCHIVE_EXTRACTORS = {".tar": _extract_tar, ".zip": _extract_zip}
_COMPRESSED_FILE_OPENERS = {".bz2": bz2.open, ".gz": gzip.open, ".xz": lzma.open}
_FILE_TYPE_ALIASES = {".tbz": (".tar", ".bz2"), ".tbz2": (".tar", ".bz2"), ".tgz": (".tar", ".gz")}


def _detect_file_type(file):
    """(suffix, archive type or None, compression or None) read from the file name, e.g. ``.tar.gz``."""
    suffixes = pathlib.Path(file).suffixes
    if not suffixes:
        raise RuntimeError(f"File '{file}' has no suffixes that could be used to detect the archive type and "
                           "compression.")
    suffix = suffixes[-1]
    if suffix in _FILE_TYPE_ALIASES:
        return (suffix, *_FILE_TYPE_ALIASES[suffix])
    if suffix in _ARCHIVE_EXTRACTORS:
        return suffix, suffix, None
    if suffix in _COMPRESSED_FILE_OPENERS:
        if len(suffixes) > 1 and suffixes[-2] in _ARCHIVE_EXTRACTORS:
            return suffixes[-2] + suffix, suffixes[-2], suffix
        return suffix, None, suffix
    known = sorted(set(_FILE_TYPE_ALIASES) | set(_ARCHIVE_EXTRACTORS) | set(_COMPRESSED_FILE_OPENERS))
    raise RuntimeError(f"Unknown compression or archive type: '{suffix}'.\nKnown suffixes are: '{known}'.")


def _decompress(from_path, to_path=None, remove_finished=False):
    """Decompress a single compressed file (gz, bz2, xz) to ``to_path``, written atomically."""
    suffix, archive_type, compression = _detect_file_type(from_path)
    if not compression:
        raise RuntimeError(f"Couldn't detect a compression from suffix {suffix}.")
    if to_path is None:
        to_path = os.fspath(from_path).replace(suffix, archive_type or "")
    with _COMPRESSED_FILE_OPENERS[compression](from_path, "rb") as source:
        atomic_write(to_path, lambda target: shutil.copyfileobj(source, target, 1024 * 1024))
    if remove_finished:
        os.remove(from_path)
    return pathlib.Path(to_path)


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Unpack a tar/zip archive (optionally compressed) or decompress a gz/bz2/xz file into ``to_path``.

    The type comes from the file name; returns the directory extracted to (the decompressed file's path for
    a plain compressed file).

    >>> import tempfile, os, gzip; folder = tempfile.mkdtemp(); path = os.path.join(folder, "x.txt.gz")
    >>> with gzip.open(path, "wb") as f: _ = f.write(b"hello")
    >>> open(extract_archive(path), "rb").read()
    b'hello'
    """
    def same_kind(path):
        return os.fspath(path) if isinstance(from_path, str) else pathlib.Path(path)

    if to_path is None:
        to_path = os.path.dirname(from_path)
    suffix, archive_type, compression = _detect_file_type(from_path)
    if not archive_type:
        target = os.path.join(to_path, os.path.basename(from_path).replace(suffix, ""))
        return same_kind(_decompress(from_path, target, remove_finished=remove_finished))
    _ARCHIVE_EXTRACTORS[archive_type](from_path, to_path, compression)
    if remove_finished:
        os.remove(from_path)
    return same_kind(to_path)


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False):
    """Download an archive (MD5-checked) into ``download_root`` and unpack it into ``extract_root``.

    >>> import tempfile, os, gzip; folder = tempfile.mkdtemp(); path = os.path.join(folder, "x.txt.gz")
    >>> with gzip.open(path, "wb") as f: _ = f.write(b"hi")
    >>> download_and_extract_archive("file://" + path, os.path.join(folder, "out"))
    >>> sorted(os.listdir(os.path.join(folder, "out")))
    ['x.txt', 'x.txt.gz']
    """
    download_root = os.path.expanduser(download_root)
    extract_root = download_root if extract_root is None else extract_root
    filename = filename or os.path.basename(os.fspath(url))
    download_url(url, download_root, filename, md5)
    extract_archive(os.path.join(download_root, filename), extract_root, remove_finished)


# ---------------------------------------------------------------------------------------------- argument checking

def iterable_to_str(iterable):
    """``'a', 'b'``: the items quoted and joined, for error messages.

    >>> iterable_to_str(["train", "test"])
    "'train', 'test'"
    """
    return "'" + "', '".join(str(item) for item in iterable) + "'"


def verify_str_arg(value, arg=None, valid_values=None, custom_msg=None):
    """Return ``value`` if it is a str among ``valid_values``; otherwise raise ValueError naming the choices.

    >>> verify_str_arg("train", "split", ("train", "test"))
    'train'
    """
    if not isinstance(value, str):
        where = "" if arg is None else f" for argument {arg}"
        raise ValueError(f"Expected type str{where}, but got type {type(value)}.")
    if valid_values is None or value in valid_values:
        return value
    if custom_msg is not None:
        raise ValueError(custom_msg)
    raise ValueError(f"Unknown value '{value}' for argument {arg}. Valid values are "
                     f"{{{iterable_to_str(valid_values)}}}.")
