"""Helpers shared by the audio datasets: verified downloads, atomic archive extraction, checked waveform loading.

Downloads go through ``ember.hub.download_url_to_file`` (a temporary file renamed into place only after its
SHA-256 matches, with a progress bar on a terminal). Archives unpack into a temporary directory beside the target
and are renamed into place, so an interrupted extraction never leaves a half-filled dataset folder behind.
"""

import contextlib
import os
import shutil
import tarfile
import tempfile
import zipfile

from ... import hub
from .._backend import load

__all__ = ["download", "extract_tar", "extract_zip", "load_waveform"]


def download(url, path, hash_prefix=None):
    """Fetch ``url`` to ``path`` atomically, checking the SHA-256 digest starts with ``hash_prefix`` when given.

    A digest mismatch raises RuntimeError and leaves nothing at ``path``.

    >>> import tempfile, os; folder = tempfile.mkdtemp(); source = os.path.join(folder, "a.bin")
    >>> _ = open(source, "wb").write(b"")
    >>> download("file://" + source, os.path.join(folder, "b.bin"), "e3b0c442")
    >>> os.path.getsize(os.path.join(folder, "b.bin"))
    0
    """
    hub.download_url_to_file(url, os.fspath(path), hash_prefix=hash_prefix, progress=True)


def _umask_mode():
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def _merge(source, target, overwrite):
    """Move the entries of directory ``source`` into directory ``target``; each move is a rename."""
    for name in os.listdir(source):
        moving, destination = os.path.join(source, name), os.path.join(target, name)
        if not os.path.lexists(destination):
            os.replace(moving, destination)
        elif os.path.isdir(moving) and os.path.isdir(destination):
            _merge(moving, destination, overwrite)
        elif overwrite and not os.path.isdir(destination):
            os.replace(moving, destination)


def _extract_atomically(unpack, to_path, overwrite):
    """Run ``unpack(staging_dir)`` and move the result into ``to_path`` by renames (the whole folder when new)."""
    to_path = os.fspath(to_path)
    parent = os.path.dirname(os.path.abspath(to_path))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(to_path)}.extracting-", dir=parent)
    try:
        unpack(staging)
        os.chmod(staging, _umask_mode())
        if os.path.isdir(to_path):
            _merge(staging, to_path, overwrite)
        else:
            os.replace(staging, to_path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(staging)


def extract_tar(from_path, to_path=None, overwrite=False):
    """Unpack a (possibly compressed) tar archive into ``to_path`` (default: beside it); returns the file paths.

    Files already present are kept unless ``overwrite=True``; members that would land outside ``to_path``
    (absolute paths, ``..``, links out) are refused.

    >>> import io, tarfile, tempfile, os; folder = tempfile.mkdtemp(); archive = os.path.join(folder, "a.tar.gz")
    >>> with tarfile.open(archive, "w:gz") as tar:
    ...     info = tarfile.TarInfo("waves/x.txt"); info.size = 2; tar.addfile(info, io.BytesIO(b"hi"))
    >>> [os.path.relpath(path, folder) for path in extract_tar(archive)]
    ['waves/x.txt']
    """
    from_path = os.fspath(from_path)
    to_path = os.path.dirname(from_path) if to_path is None else os.fspath(to_path)
    with tarfile.open(from_path, "r") as archive:
        members = archive.getmembers()

        def unpack(staging):
            if hasattr(tarfile, "data_filter"):
                archive.extractall(staging, members, filter="data")
            else:                                                     # Python < 3.10.12: check by hand
                for member in members:
                    _check_inside(staging, member.name)
                archive.extractall(staging, members)

        _extract_atomically(unpack, to_path, overwrite)
    return [os.path.normpath(os.path.join(to_path, member.name)) for member in members if member.isfile()]


def _check_inside(root, name):
    target = os.path.realpath(os.path.join(root, name))
    if os.path.commonpath([os.path.realpath(root), target]) != os.path.realpath(root):
        raise RuntimeError(f"Refusing to extract {name!r}: it would land outside {root}.")


def extract_zip(from_path, to_path=None, overwrite=False):
    """Unpack a zip archive into ``to_path`` (default: beside it) atomically; returns the member names.

    >>> import zipfile, tempfile, os; folder = tempfile.mkdtemp(); archive = os.path.join(folder, "a.zip")
    >>> with zipfile.ZipFile(archive, "w") as z: z.writestr("data/y.txt", "hi")
    >>> extract_zip(archive)
    ['data/y.txt']
    """
    from_path = os.fspath(from_path)
    to_path = os.path.dirname(from_path) if to_path is None else os.fspath(to_path)
    with zipfile.ZipFile(from_path, "r") as archive:
        names = archive.namelist()

        def unpack(staging):
            for name in names:
                _check_inside(staging, name)
            archive.extractall(staging)

        _extract_atomically(unpack, to_path, overwrite)
    return names


def load_waveform(root, filename, exp_sample_rate):
    """The waveform of ``root/filename``, checking its sample rate is ``exp_sample_rate`` (ValueError otherwise).

    >>> callable(load_waveform)
    True
    """
    waveform, sample_rate = load(os.path.join(root, filename))
    if exp_sample_rate != sample_rate:
        raise ValueError(f"sample rate should be {exp_sample_rate}, but got {sample_rate}")
    return waveform
