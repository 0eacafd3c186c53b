"""What the text datasets share (torchtext.data.datasets_utils): split arguments, the dataset folder, verified
downloads and the re-iterable streams they return.

Downloads go through ``ember.hub`` (a progress bar on a terminal, a temporary file renamed into place only after
its MD5 matches, so a broken download never stays); files taken out of archives are written atomically.
"""

import functools
import hashlib
import os
import shutil
import zipfile

from ..._files import atomic_write
from ...utils.data import IterableDataset, get_worker_info

__all__ = ["DEFAULT_ROOT", "TextIterableDataset", "check_splits", "dataset_directory", "download_verified",
           "extract_zip_member", "wrap_split_argument"]

DEFAULT_ROOT = os.path.expanduser(os.path.join("~", ".torchtext", "cache"))
USER_AGENT = "pytorch/text"
_CHUNK = 1024 * 1024


def check_splits(split, valid, dataset_name):
    """``split`` (a name or a tuple of names) as a tuple, each checked against ``valid`` (TypeError otherwise).

    >>> check_splits("train", ("train", "test"), "AG_NEWS")
    ('train',)
    """
    names = (split,) if isinstance(split, str) else split
    if not isinstance(names, tuple):
        raise ValueError(f"{dataset_name}: split must be a str or a tuple of str, got {type(split).__name__}")
    if not set(names) <= set(valid):
        raise TypeError(f"Given selection {names} of splits is not supported for dataset {dataset_name}. Please "
                        f"choose from {valid}.")
    return names


def dataset_directory(root, dataset_name):
    """``root/dataset_name``, created if missing (every dataset keeps its files in its own folder)."""
    folder = os.path.join(os.path.expanduser(os.fspath(root)), dataset_name)
    os.makedirs(folder, exist_ok=True)
    return folder


def wrap_split_argument(dataset_name, splits):
    """Decorate ``make(root, split)`` (one split) into ``Dataset(root=DEFAULT_ROOT, split=splits)``: a str split
    gives one dataset, a tuple a tuple of them; ``root/dataset_name`` is created first."""
    def decorate(make):
        @functools.wraps(make)
        def dataset(root=DEFAULT_ROOT, split=splits):
            folder = dataset_directory(root, dataset_name)
            made = tuple(make(folder, name) for name in check_splits(split, splits, dataset_name))
            return made[0] if isinstance(split, str) else made
        del dataset.__wrapped__          # show this signature (with its defaults), not make's
        return dataset
    return decorate


def md5_of(path):
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_verified(url, path, md5):
    """Download ``url`` to ``path`` unless a file with that MD5 is already there; a download whose MD5 differs
    raises RuntimeError and leaves nothing behind."""
    if os.path.isfile(path) and md5_of(path) == md5:
        return path
    from ... import hub

    def check(partial_path):
        actual = md5_of(partial_path)
        if actual != md5:
            raise RuntimeError(f"The hash of {url} does not match. Expected md5 {md5}, got {actual}: the download "
                               "is corrupted or the file changed; it was not kept.")

    hub._download(url, path, progress=True, check=check, user_agent=USER_AGENT)
    return path


def extract_zip_member(archive, member, target):
    """Write ``member`` of the zip ``archive`` to ``target`` (atomically) unless ``target`` exists already."""
    if os.path.isfile(target):
        return target
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with zipfile.ZipFile(archive) as bundle:
        if member not in bundle.namelist():
            raise RuntimeError(f"{archive} holds no file named {member!r}; the archive does not have the expected "
                               "layout.")
        with bundle.open(member) as source:
            atomic_write(target, lambda stream: shutil.copyfileobj(source, stream, _CHUNK))
    return target


class TextIterableDataset(IterableDataset):
    """The items of one dataset split, read from disk anew on every pass (torchtext returns such datapipes).

    Inside DataLoader workers each worker yields its own share (every ``num_workers``-th item), so no item comes
    twice. ``to_map_style_dataset`` turns it into an indexable dataset.

    >>> stream = TextIterableDataset("Demo", "train", lambda: iter([(1, "a"), (2, "b")]))
    >>> list(stream)
    [(1, 'a'), (2, 'b')]
    """

    def __init__(self, dataset_name, split, read):
        self.dataset_name = dataset_name
        self.split = split
        self._read = read

    def __iter__(self):
        worker = get_worker_info()
        for index, item in enumerate(self._read()):
            if worker is None or index % worker.num_workers == worker.id:
                yield item

    def __repr__(self):
        return f"{self.dataset_name}(split='{self.split}')"
