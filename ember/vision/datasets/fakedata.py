"""FakeData: random images with random labels, each reproducible from its index (torchvision.datasets.fakedata)."""

import numpy as np

from .vision import VisionDataset, _pil_image

__all__ = ["FakeData"]

_PIL_MODES = {1: "L", 3: "RGB", 4: "RGBA"}


def _to_pil(image):
    """A float (C, H, W) tensor to a PIL image as ToPILImage does: times 255, wrapped to bytes, channels last."""
    channels = image.shape[0]
    if channels not in _PIL_MODES:
        raise ValueError(f"FakeData: image_size must have 1, 3 or 4 channels to make a PIL image, got {channels}")
    pixels = (image.numpy() * 255).astype(np.int64).astype(np.uint8)          # float -> byte wraps as torch's
    pixels = np.ascontiguousarray(np.moveaxis(pixels, 0, -1))
    return _pil_image().fromarray(pixels[..., 0] if channels == 1 else pixels)      # mode L, RGB or RGBA


class FakeData(VisionDataset):
    """``size`` random PIL images of shape ``image_size`` (C, H, W) with labels below ``num_classes``.

    Item ``i`` is drawn with ember's generator seeded to ``i + random_offset`` (the global generator's state is
    restored afterwards), so it is the same every time; the pixels differ from torchvision's, whose generator
    differs from ember's.

    >>> data = FakeData(size=4, image_size=(3, 8, 8))
    >>> len(data), data[2][0].size
    (4, (8, 8))
    """

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None, target_transform=None,
                 random_offset=0):
        super().__init__(transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index):
        """``(image, target)`` for item ``index``, both after their transforms; IndexError past the end."""
        import ember

        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        state = ember.get_rng_state()
        try:
            ember.manual_seed(index + self.random_offset)
            image = ember.randn(*self.image_size)
            target = ember.randint(0, self.num_classes, size=(1,), dtype=ember.long)[0]
        finally:
            ember.set_rng_state(state)
        image, target = self._apply_transforms(_to_pil(image), target)
        return image, target.item()

    def __len__(self):
        return self.size
