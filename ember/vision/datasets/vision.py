"""VisionDataset, the base of every ember.vision dataset, and StandardTransform (torchvision.datasets.vision)."""

import os

from ...utils.data import Dataset

__all__ = ["VisionDataset", "StandardTransform"]


def _pil_image():
    """Pillow's Image module, imported only when a dataset hands out PIL images (Pillow is an optional extra)."""
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError('ember.vision.datasets returns PIL images, which needs Pillow: pip install "ember[vision]"') \
            from error
    return Image


def _indented_repr(transform, head):
    """``head`` followed by the transform's repr, its continuation lines indented under the first."""
    lines = repr(transform).splitlines()
    return [head + lines[0]] + [" " * len(head) + line for line in lines[1:]]


class VisionDataset(Dataset):
    """Base class of image datasets: keeps ``root`` and the transforms, and prints a torchvision-style summary.

    Pass either ``transforms`` (called with image and target) or ``transform``/``target_transform``, not both.

    >>> class Two(VisionDataset):
    ...     def __len__(self): return 2
    >>> print(Two("data"))
    Dataset Two
        Number of datapoints: 2
        Root location: data
    """

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root
        has_separate_transform = transform is not None or target_transform is not None
        if transforms is not None and has_separate_transform:
            raise ValueError("Only transforms or transform/target_transform can be passed as argument")
        self.transform = transform
        self.target_transform = target_transform
        if has_separate_transform:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def _apply_transforms(self, image, target):
        """Run ``transform`` on the image and ``target_transform`` on the target, each when given."""
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self):
        body = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if getattr(self, "transforms", None) is not None:
            body += [repr(self.transforms)]
        indent = " " * self._repr_indent
        return "\n".join([f"Dataset {self.__class__.__name__}"] + [indent + line for line in body])

    def _format_transform_repr(self, transform, head):
        return _indented_repr(transform, head)

    def extra_repr(self):
        """Extra summary lines a subclass adds to the repr (e.g. ``Split: Train``)."""
        return ""


class StandardTransform:
    """Applies ``transform`` to the input and ``target_transform`` to the target (the pair form of transforms).

    >>> StandardTransform(None, lambda t: t + 1)("image", 1)
    ('image', 2)
    """

    def __init__(self, transform=None, target_transform=None):
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    def _format_transform_repr(self, transform, head):
        return _indented_repr(transform, head)

    def __repr__(self):
        body = [self.__class__.__name__]
        if self.transform is not None:
            body += _indented_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += _indented_repr(self.target_transform, "Target transform: ")
        return "\n".join(body)
