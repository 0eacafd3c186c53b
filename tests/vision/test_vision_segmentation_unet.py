"""The U-Net of ember.vision.models.segmentation: shapes at any size, structure, gradients and that it learns."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.vision.models.segmentation import UNet


@pytest.mark.parametrize("bilinear", [False, True])
@pytest.mark.parametrize("size", [(16, 16), (17, 23), (9, 12)])
def test_output_has_the_input_size(bilinear, size):
    model = UNet(in_channels=2, num_classes=5, base_channels=4, depth=3, bilinear=bilinear)
    out = model(ember.randn(2, 2, *size))
    assert tuple(out.shape) == (2, 5) + size


def test_depth_zero_is_a_plain_double_conv():
    model = UNet(in_channels=1, num_classes=2, base_channels=3, depth=0)
    assert len(model.encoder) == 1 and len(model.decoder) == 0
    assert tuple(model(ember.zeros(1, 1, 5, 7)).shape) == (1, 2, 5, 7)


def test_channels_double_per_level_and_the_decoder_mirrors_them():
    model = UNet(in_channels=3, num_classes=4, base_channels=8, depth=3)
    assert [block.conv2.out_channels for block in model.encoder] == [8, 16, 32, 64]
    assert [up.up.out_channels for up in model.decoder] == [32, 16, 8]            # transposed convs halve them
    assert [up.conv.conv1.in_channels for up in model.decoder] == [64, 32, 16]    # after concatenating the skip
    assert model.classifier.out_channels == 4
    bilinear = UNet(in_channels=3, num_classes=4, base_channels=8, depth=3, bilinear=True)
    assert [up.conv.conv1.in_channels for up in bilinear.decoder] == [96, 48, 24]
    assert not any(True for _ in bilinear.decoder[0].up.parameters())                # a fixed resize


def test_default_arguments_are_the_classic_unet():
    model = UNet()
    assert model.encoder[0].conv1.in_channels == 3 and model.classifier.out_channels == 2
    assert [block.conv2.out_channels for block in model.encoder] == [64, 128, 256, 512, 1024]


def test_skip_connections_carry_fine_detail():
    # with the deepest path cut (its weights zeroed), the output still depends on each input pixel via the skips
    model = UNet(in_channels=1, num_classes=1, base_channels=4, depth=2).eval()
    with ember.no_grad():
        for parameter in model.encoder[2].parameters():
            parameter.zero_()
    x = ember.randn(1, 1, 12, 12, requires_grad=True)
    model(x)[0, 0, 6, 6].backward()
    assert x.grad[0, 0, 6, 6].item() != 0


def test_every_parameter_gets_a_gradient():
    model = UNet(in_channels=3, num_classes=3, base_channels=4, depth=2, bilinear=True)
    loss = F.cross_entropy(model(ember.randn(2, 3, 10, 14)), ember.randint(0, 3, (2, 10, 14)))
    loss.backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None and bool(parameter.grad.abs().sum() > 0), name


def test_it_learns_to_segment_a_bright_square():
    ember.manual_seed(0)
    rng = np.random.default_rng(0)
    images = rng.normal(0, 0.3, (8, 1, 16, 16)).astype(np.float32)
    masks = np.zeros((8, 16, 16), dtype=np.int64)
    for i, (top, left) in enumerate(rng.integers(0, 10, (8, 2))):
        images[i, 0, top:top + 6, left:left + 6] += 1.5
        masks[i, top:top + 6, left:left + 6] = 1
    model = UNet(in_channels=1, num_classes=2, base_channels=4, depth=2)
    optimizer = ember.optim.Adam(model.parameters(), lr=0.02)
    x, y = ember.from_numpy(images), ember.from_numpy(masks)
    first = None
    for _ in range(30):
        loss = F.cross_entropy(model(x), y)
        first = loss.item() if first is None else first
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
    assert loss.item() < first / 3 and accuracy > 0.95


@pytest.mark.parametrize("kwargs", [{"num_classes": 0}, {"base_channels": 2.5}, {"depth": -1},
                                    {"in_channels": "3"}])
def test_bad_arguments_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        UNet(**kwargs)


def test_input_must_be_4d():
    with pytest.raises(ValueError, match="4-d"):
        UNet(base_channels=2, depth=1)(ember.zeros(3, 8, 8))


@pytest.mark.parametrize("module", ["ember.vision.models.segmentation", "ember.vision.models.segmentation.unet"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), extraglobs={"ember": ember})
    assert result.attempted > 0 and result.failed == 0
