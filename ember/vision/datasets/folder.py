"""DatasetFolder and ImageFolder: datasets read from one sub-directory per class (torchvision.datasets.folder).

``root/cat/001.png, root/dog/x/002.jpg, ...``: classes are the sub-directory names in sorted order, samples
every valid file below each (sorted, symbolic links followed), loaded on access by ``loader``.
"""

import os

from .vision import VisionDataset, _pil_image

__all__ = ["DatasetFolder", "ImageFolder", "IMG_EXTENSIONS", "default_loader", "pil_loader", "find_classes",
           "make_dataset", "has_file_allowed_extension", "is_image_file"]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename, extensions):
    """Whether ``filename`` (any case) ends with one of ``extensions`` (a str or an iterable of lowercase ones).

    >>> has_file_allowed_extension("CAT.PNG", (".png", ".jpg"))
    True
    """
    return filename.lower().endswith(extensions if isinstance(extensions, str) else tuple(extensions))


def is_image_file(filename):
    """Whether ``filename`` has one of the image extensions in ``IMG_EXTENSIONS``.

    >>> is_image_file("photo.jpeg"), is_image_file("notes.txt")
    (True, False)
    """
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory):
    """The sorted sub-directory names of ``directory`` and the map from name to class index.

    >>> import tempfile, os; folder = tempfile.mkdtemp()
    >>> for name in ("dog", "cat"): os.mkdir(os.path.join(folder, name))
    >>> find_classes(folder)
    (['cat', 'dog'], {'cat': 0, 'dog': 1})
    """
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: index for index, name in enumerate(classes)}


def _validity_test(extensions, is_valid_file):
    """The file test to use: exactly one of ``extensions`` and ``is_valid_file`` must be given."""
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
    if extensions is not None:
        return lambda path: has_file_allowed_extension(path, extensions)
    return is_valid_file


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None, allow_empty=False):
    """The list of ``(path, class_index)`` for every valid file under each class directory, in sorted order.

    A class without any valid file raises FileNotFoundError unless ``allow_empty=True``.

    >>> import tempfile, os; folder = tempfile.mkdtemp(); os.mkdir(os.path.join(folder, "cat"))
    >>> _ = open(os.path.join(folder, "cat", "a.png"), "w")
    >>> [(os.path.basename(path), index) for path, index in make_dataset(folder, extensions=".png")]
    [('a.png', 0)]
    """
    directory = os.path.expanduser(directory)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    is_valid = _validity_test(extensions, is_valid_file)
    instances, found = [], set()
    for class_name in sorted(class_to_idx):
        class_dir = os.path.join(directory, class_name)
        if not os.path.isdir(class_dir):
            continue
        for folder, _, names in sorted(os.walk(class_dir, followlinks=True)):
            for name in sorted(names):
                path = os.path.join(folder, name)
                if is_valid(path):
                    instances.append((path, class_to_idx[class_name]))
                    found.add(class_name)
    empty = set(class_to_idx) - found
    if empty and not allow_empty:
        message = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            shown = extensions if isinstance(extensions, str) else ", ".join(extensions)
            message += f"Supported extensions are: {shown}"
        raise FileNotFoundError(message)
    return instances


class DatasetFolder(VisionDataset):
    """A dataset of files in class sub-directories, each read by ``loader(path)``.

    Attributes as torchvision's: ``classes``, ``class_to_idx``, ``samples`` (path, index) and ``targets``.
    Override ``find_classes`` or ``make_dataset`` for other layouts.

    >>> import tempfile, os; folder = tempfile.mkdtemp(); os.mkdir(os.path.join(folder, "a"))
    >>> _ = open(os.path.join(folder, "a", "x.txt"), "w").write("hi")
    >>> DatasetFolder(folder, loader=lambda p: open(p).read(), extensions=(".txt",))[0]
    ('hi', 0)
    """

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None, is_valid_file=None,
                 allow_empty=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx=class_to_idx, extensions=extensions,
                                    is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [target for _, target in samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None, allow_empty=False):
        """The ``(path, class_index)`` samples; override to read another layout (e.g. from a zip)."""
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions=extensions, is_valid_file=is_valid_file,
                            allow_empty=allow_empty)

    def find_classes(self, directory):
        """The class names and their indices; override to use a subset of the sub-directories."""
        return find_classes(directory)

    def __getitem__(self, index):
        """``(sample, target)``: the loaded file and its class index, both after their transforms."""
        path, target = self.samples[index]
        return self._apply_transforms(self.loader(path), target)

    def __len__(self):
        return len(self.samples)


def pil_loader(path):
    """Open the image at ``path`` with Pillow and convert it to RGB (the file is closed before returning).

    >>> callable(pil_loader)
    True
    """
    with open(path, "rb") as stream:
        return _pil_image().open(stream).convert("RGB")


def default_loader(path):
    """The loader ImageFolder uses by default: ``pil_loader``.

    >>> default_loader is not None
    True
    """
    return pil_loader(path)


class ImageFolder(DatasetFolder):
    """A DatasetFolder of images (files with an ``IMG_EXTENSIONS`` extension) read as RGB PIL images.

    ``imgs`` is the same list as ``samples``.

    >>> ImageFolder.__mro__[1].__name__
    'DatasetFolder'
    """

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader, is_valid_file=None,
                 allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform=transform,
                         target_transform=target_transform, is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
