"""Files written atomically: a reader sees the old file or the whole new one, never half of one.

Checkpoints, safetensors files, images, decompressed downloads and training metrics all go through
``atomic_write``, so a crash or a full disk never leaves a truncated file where a good one was.
"""

import contextlib
import os
import tempfile


def _new_file_mode(path):
    """The mode ``open(path, 'w')`` would give: the old file's, or 0o666 less the umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(directory):
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path, write, text=False):
    """Call ``write(stream)`` on a temporary file beside ``path``, then rename it over ``path``.

    The temporary file is flushed to disk first and gets the mode a plain ``open`` would give; on any
    error the old file stays and the temporary goes. ``text=True`` opens the stream in text mode.

    >>> import os, tempfile; target = os.path.join(tempfile.mkdtemp(), "note.txt")
    >>> atomic_write(target, lambda stream: stream.write("done"), text=True)
    >>> open(target).read()
    'done'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    mode = _new_file_mode(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w" if text else "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_directory(directory)
