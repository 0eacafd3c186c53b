"""ember.vision.datasets on small synthetic copies of the real files, in the real formats, downloaded from a local
HTTP server (``http_server`` in conftest.py): idx.gz (MNIST family), the EMNIST zip, CIFAR pickles in tar.gz, SVHN
.mat files written by scipy, plus folder datasets, FakeData and the download/extract utilities."""

import gzip
import hashlib
import io
import os
import pickle
import string
import sys
import tarfile
import zipfile

import numpy as np
import pytest

import ember
from ember.vision import datasets
from ember.vision.datasets import _matlab, folder, utils

Image = pytest.importorskip("PIL.Image")

RNG = np.random.default_rng(2024)


def md5_of(path):
    return hashlib.md5(open(path, "rb").read()).hexdigest()


def idx_bytes(array):
    """An idx file: magic (0, 0, type 8 = ubyte, ndim), big-endian sizes, then the bytes."""
    header = bytes([0, 0, 8, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_gz(path, data):
    with gzip.open(path, "wb") as stream:
        stream.write(data)
    return md5_of(path)


def make_mnist_files(directory, sizes=(7, 4), num_classes=10):
    """Train/test idx.gz files in ``directory``; returns the resources list and the arrays by split."""
    arrays, resources = {}, []
    for prefix, count in zip(("train", "t10k"), sizes):
        images = RNG.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
        labels = RNG.integers(0, num_classes, size=count, dtype=np.uint8)
        arrays[prefix] = images, labels
        for kind, array, dims in (("images", images, 3), ("labels", labels, 1)):
            name = f"{prefix}-{kind}-idx{dims}-ubyte.gz"
            resources.append((name, write_gz(os.path.join(directory, name), idx_bytes(array))))
    return resources, arrays


def check_items(dataset, images, labels, mode):
    assert len(dataset) == len(labels)
    for index in (0, len(labels) - 1):
        image, target = dataset[index]
        assert isinstance(image, Image.Image) and image.mode == mode
        np.testing.assert_array_equal(np.asarray(image), images[index])
        assert type(target) is int and target == labels[index]


# ------------------------------------------------------------------------------------------------- MNIST family

@pytest.mark.parametrize("cls", [datasets.MNIST, datasets.FashionMNIST, datasets.KMNIST])
def test_mnist_family_download_and_items(cls, http_server, tmp_path, monkeypatch):
    resources, arrays = make_mnist_files(http_server.root)
    monkeypatch.setattr(cls, "resources", resources)
    monkeypatch.setattr(cls, "mirrors", [http_server.url + "missing/", http_server.url])   # first mirror 404s
    train = cls(str(tmp_path), train=True, download=True)
    raw = tmp_path / cls.__name__ / "raw"
    assert sorted(os.listdir(raw)) == sorted([name for name, _ in resources] + [name[:-3] for name, _ in resources])
    assert train.data.dtype == ember.uint8 and tuple(train.data.shape) == (7, 28, 28)
    assert train.targets.dtype == ember.int64 and train.targets.tolist() == arrays["train"][1].tolist()
    check_items(train, *arrays["train"], mode="L")
    assert train.class_to_idx == {name: index for index, name in enumerate(cls.classes)}
    assert repr(train) == f"Dataset {cls.__name__}\n    Number of datapoints: 7\n    Root location: {tmp_path}\n" \
                          "    Split: Train"
    requests = http_server.count()
    test = cls(str(tmp_path), train=False, download=True,
               transform=lambda image: np.asarray(image).sum(), target_transform=lambda t: -t)
    assert http_server.count() == requests                 # already there: nothing downloaded again
    images, labels = arrays["t10k"]
    assert len(test) == 4 and test[1] == (images[1].astype(np.int64).sum(), -int(labels[1]))
    assert "Transform: <function" in repr(test) and "Split: Test" in repr(test)


def test_mnist_corrupt_download_raises_and_is_not_kept(http_server, tmp_path, monkeypatch):
    resources, _ = make_mnist_files(http_server.root)
    broken = [(name, "0" * 32 if index == 2 else md5) for index, (name, md5) in enumerate(resources)]
    monkeypatch.setattr(datasets.MNIST, "resources", broken)
    monkeypatch.setattr(datasets.MNIST, "mirrors", [http_server.url])
    with pytest.raises(RuntimeError, match="Error downloading t10k-images-idx3-ubyte.gz") as error:
        datasets.MNIST(str(tmp_path), download=True)
    assert "MD5" in str(error.value) and http_server.url in str(error.value)
    raw = os.listdir(tmp_path / "MNIST" / "raw")
    assert "t10k-images-idx3-ubyte.gz" not in raw and not [name for name in raw if "partial" in name]
    assert "train-images-idx3-ubyte" in raw                # the good files before it were kept
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True"):
        datasets.MNIST(str(tmp_path / "elsewhere"))


def test_mnist_reads_legacy_processed_files(tmp_path):
    processed = tmp_path / "MNIST" / "processed"
    processed.mkdir(parents=True)
    images = ember.from_numpy(RNG.integers(0, 256, size=(3, 28, 28), dtype=np.uint8))
    ember.save((images, ember.tensor([1, 2, 3])), str(processed / "training.pt"))
    ember.save((images[:1], ember.tensor([9])), str(processed / "test.pt"))
    test = datasets.MNIST(str(tmp_path), train=False)
    assert len(test) == 1 and test[0][1] == 9
    np.testing.assert_array_equal(np.asarray(test[0][0]), images[0].numpy())


def test_idx_readers_and_errors(tmp_path):
    from ember.vision.datasets import mnist

    values = np.arange(-6, 6, dtype=">i2").reshape(3, 4)
    path = tmp_path / "shorts-idx2"
    path.write_bytes(bytes([0, 0, 11, 2]) + np.asarray([3, 4], ">u4").tobytes() + values.tobytes())
    read = mnist.read_sn3_pascalvincent_tensor(str(path))
    assert read.dtype == ember.int16 and read.tolist() == values.tolist()
    with pytest.raises(TypeError, match="uint8"):
        mnist.read_image_file(str(path))
    path.write_bytes(bytes([0, 0, 8, 1]) + np.asarray([5], ">u4").tobytes() + bytes(3))
    with pytest.raises(ValueError, match="announces shape"):
        mnist.read_sn3_pascalvincent_tensor(str(path))
    with pytest.raises(ValueError, match="magic number"):
        path.write_bytes(b"\x1f\x8b\x08\x00garbage")
        mnist.read_label_file(str(path))


def test_emnist_all_splits_from_one_zip(http_server, tmp_path, monkeypatch):
    arrays = {}
    archive_path = http_server.path_for("gzip.zip")
    with zipfile.ZipFile(archive_path, "w") as archive:
        for split in datasets.EMNIST.splits:
            for part, count in (("train", 5), ("test", 3)):
                images = RNG.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
                labels = RNG.integers(0, len(datasets.EMNIST.classes_split_dict[split]), size=count, dtype=np.uint8)
                arrays[split, part] = images, labels
                for kind, array, dims in (("images", images, 3), ("labels", labels, 1)):
                    archive.writestr(f"gzip/emnist-{split}-{part}-{kind}-idx{dims}-ubyte.gz",
                                     gzip.compress(idx_bytes(array)))
    monkeypatch.setattr(datasets.EMNIST, "url", http_server.url_for("gzip.zip"))
    monkeypatch.setattr(datasets.EMNIST, "md5", md5_of(archive_path))
    letters = datasets.EMNIST(str(tmp_path), split="letters", download=True)
    assert letters.classes[:3] == ["N/A", "a", "b"] and len(letters.classes) == 27
    check_items(letters, *arrays["letters", "train"], mode="L")
    assert "gzip" not in os.listdir(tmp_path / "EMNIST" / "raw")
    for split in datasets.EMNIST.splits:                       # every split was unpacked by the one download
        test = datasets.EMNIST(str(tmp_path), split=split, train=False, download=True)
        check_items(test, *arrays[split, "test"], mode="L")
    assert http_server.count("gzip.zip") == 1
    assert len(datasets.EMNIST.classes_split_dict["byclass"]) == 62
    assert len(datasets.EMNIST.classes_split_dict["balanced"]) == 47
    with pytest.raises(ValueError, match="Unknown value 'bogus' for argument split. Valid values are"):
        datasets.EMNIST(str(tmp_path), split="bogus")


def test_emnist_corrupt_zip_is_not_kept(http_server, tmp_path, monkeypatch):
    with open(http_server.path_for("gzip.zip"), "wb") as stream:
        stream.write(b"not the archive")
    monkeypatch.setattr(datasets.EMNIST, "url", http_server.url_for("gzip.zip"))
    with pytest.raises(RuntimeError, match="corrupted"):
        datasets.EMNIST(str(tmp_path), split="digits", download=True)
    assert os.listdir(tmp_path / "EMNIST" / "raw") == []


# --------------------------------------------------------------------------------------------------------- CIFAR

def make_cifar_archive(server, cls, per_batch=3):
    """A tar.gz laid out as the real one (Python pickles of dicts), served at cls.filename; patches the MD5s."""
    train_names = [name for name, _ in cls.train_list]
    test_names = [name for name, _ in cls.test_list]
    num_classes = 100 if cls is datasets.CIFAR100 else 10
    label_key = "fine_labels" if cls is datasets.CIFAR100 else "labels"
    arrays, files = {}, {}
    for name in train_names + test_names:
        images = RNG.integers(0, 256, size=(per_batch, 3, 32, 32), dtype=np.uint8)
        labels = RNG.integers(0, num_classes, size=per_batch).tolist()
        arrays[name] = images.transpose(0, 2, 3, 1), labels
        entry = {"batch_label": name, "data": images.reshape(per_batch, -1), label_key: labels,
                 "filenames": [f"{name}_{i}.png" for i in range(per_batch)]}
        if cls is datasets.CIFAR100:
            entry["coarse_labels"] = [label // 5 for label in labels]
        files[name] = pickle.dumps(entry, protocol=2)
    class_names = [f"class_{i}" for i in range(num_classes)]
    files[cls.meta["filename"]] = pickle.dumps({cls.meta["key"]: class_names, "num_cases_per_batch": per_batch},
                                               protocol=2)
    archive_path = server.path_for(cls.filename)
    with tarfile.open(archive_path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{cls.base_folder}/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    md5 = {name: hashlib.md5(data).hexdigest() for name, data in files.items()}
    patches = {"url": server.url_for(cls.filename), "tgz_md5": md5_of(archive_path),
               "train_list": [[name, md5[name]] for name in train_names],
               "test_list": [[name, md5[name]] for name in test_names],
               "meta": dict(cls.meta, md5=md5[cls.meta["filename"]])}
    return patches, arrays, class_names


@pytest.mark.parametrize("cls", [datasets.CIFAR10, datasets.CIFAR100])
def test_cifar_download_and_items(cls, http_server, tmp_path, monkeypatch):
    patches, arrays, class_names = make_cifar_archive(http_server, cls)
    for name, value in patches.items():
        monkeypatch.setattr(cls, name, value)
    train = cls(str(tmp_path), download=True)
    train_names = [name for name, _ in cls.train_list]
    assert isinstance(train.data, np.ndarray) and train.data.shape == (3 * len(train_names), 32, 32, 3)
    assert isinstance(train.targets, list)
    images = np.concatenate([arrays[name][0] for name in train_names])
    labels = sum((arrays[name][1] for name in train_names), [])
    check_items(train, images, labels, mode="RGB")
    assert train.classes == class_names and train.class_to_idx["class_3"] == 3
    assert sorted(os.listdir(tmp_path)) == sorted([cls.base_folder, cls.filename])
    test = cls(str(tmp_path), train=False, download=True, transform=lambda image: image.size)
    assert http_server.count(cls.filename) == 1
    assert test[2] == ((32, 32), arrays[cls.test_list[0][0]][1][2])
    assert repr(test).splitlines()[:4] == [f"Dataset {cls.__name__}", "    Number of datapoints: 3",
                                           f"    Root location: {tmp_path}", "    Split: Test"]


def test_cifar_checks_every_file(http_server, tmp_path, monkeypatch):
    patches, _, _ = make_cifar_archive(http_server, datasets.CIFAR10, per_batch=1)
    for name, value in patches.items():
        monkeypatch.setattr(datasets.CIFAR10, name, value)
    datasets.CIFAR10(str(tmp_path), download=True)
    with open(tmp_path / "cifar-10-batches-py" / "data_batch_2", "ab") as stream:
        stream.write(b"!")                                 # a damaged batch is found by its MD5
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.CIFAR10(str(tmp_path))
    datasets.CIFAR10(str(tmp_path), download=True)         # download=True repairs it (archive is re-extracted)
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", "1" * 32)
    with pytest.raises(RuntimeError, match="corrupted"):
        datasets.CIFAR10(str(tmp_path / "fresh"), download=True)
    assert os.listdir(tmp_path / "fresh") == []


# ---------------------------------------------------------------------------------------------------------- SVHN

@pytest.mark.parametrize("compressed", [False, True])
def test_svhn_download_and_items(compressed, http_server, tmp_path, monkeypatch):
    sio = pytest.importorskip("scipy.io")
    images = RNG.integers(0, 256, size=(6, 32, 32, 3), dtype=np.uint8)     # (N, H, W, C)
    digits = np.array([10, 1, 2, 10, 9, 5], dtype=np.uint8)                # the files label 0 as 10
    sio.savemat(http_server.path_for("test_32x32.mat"), {"X": images.transpose(1, 2, 3, 0), "y": digits[:, None]},
                do_compression=compressed)
    split_list = dict(datasets.SVHN.split_list)
    split_list["test"] = [http_server.url_for("test_32x32.mat"), "test_32x32.mat",
                          md5_of(http_server.path_for("test_32x32.mat"))]
    monkeypatch.setattr(datasets.SVHN, "split_list", split_list)
    test = datasets.SVHN(str(tmp_path), split="test", download=True)
    assert test.data.shape == (6, 3, 32, 32) and test.labels.dtype == np.int64
    assert test.labels.tolist() == [0, 1, 2, 0, 9, 5]
    check_items(test, images, [0, 1, 2, 0, 9, 5], mode="RGB")
    assert os.listdir(tmp_path) == ["test_32x32.mat"] and "Split: test" in repr(test)
    datasets.SVHN(str(tmp_path), split="test", download=True)
    assert http_server.count("test_32x32.mat") == 1
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.SVHN(str(tmp_path), split="train")
    with pytest.raises(ValueError, match="Unknown value 'valid' for argument split"):
        datasets.SVHN(str(tmp_path), split="valid")


def test_svhn_corrupt_download_is_not_kept(http_server, tmp_path, monkeypatch):
    with open(http_server.path_for("train_32x32.mat"), "wb") as stream:
        stream.write(b"MATLAB 5.0 MAT-file, truncated")
    split_list = dict(datasets.SVHN.split_list, train=[http_server.url_for("train_32x32.mat"), "train_32x32.mat",
                                                       datasets.SVHN.split_list["train"][2]])
    monkeypatch.setattr(datasets.SVHN, "split_list", split_list)
    with pytest.raises(RuntimeError, match="corrupted"):
        datasets.SVHN(str(tmp_path), download=True)
    assert os.listdir(tmp_path) == []


def test_matlab_reader_matches_scipy(tmp_path):
    sio = pytest.importorskip("scipy.io")
    variables = {"doubles": RNG.normal(size=(3, 4)), "ints": np.arange(-5, 5, dtype=np.int16).reshape(2, 5),
                 "small": np.uint8(7), "flags": np.array([[True, False, True]]), "row": np.arange(5.0),
                 "complex": np.array([[1 + 2j, 3 - 1j]]), "wide": np.arange(12, dtype=np.int64).reshape(2, 3, 2),
                 "single": np.ones((2, 2), dtype=np.float32), "empty": np.zeros((0, 3)),
                 "text": "skipped", "cells": np.array([[1, "a"]], dtype=object)}
    for compressed in (False, True):
        path = str(tmp_path / f"vars{compressed}.mat")
        sio.savemat(path, variables, do_compression=compressed)
        ours, reference = _matlab.loadmat(path), sio.loadmat(path)
        assert sorted(ours) == sorted(set(variables) - {"text", "cells"})
        for name, array in ours.items():
            assert array.dtype == reference[name].dtype, name
            np.testing.assert_array_equal(array, reference[name])
    (tmp_path / "bad.mat").write_bytes(b"not a mat file")
    with pytest.raises(ValueError, match="not a MATLAB 5 MAT-file"):
        _matlab.loadmat(str(tmp_path / "bad.mat"))


# ------------------------------------------------------------------------------------------------ folder datasets

def make_image_tree(root):
    """root/cat/{a,b}.png, root/cat/nested/c.PNG, root/dog/d.jpg, root/dog/notes.txt, root/empty/."""
    pixels = {}
    for relative in ("cat/a.png", "cat/b.png", "cat/nested/c.PNG", "dog/d.bmp"):
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        array = RNG.integers(0, 256, size=(5, 6, 3), dtype=np.uint8)
        Image.fromarray(array).save(path)
        pixels[path] = array
    with open(os.path.join(root, "dog", "notes.txt"), "w") as stream:
        stream.write("not an image")
    os.makedirs(os.path.join(root, "empty"))
    return pixels


def test_image_folder(tmp_path):
    pixels = make_image_tree(str(tmp_path))
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty. Supported extensions"):
        datasets.ImageFolder(str(tmp_path))
    data = datasets.ImageFolder(str(tmp_path), allow_empty=True, target_transform=lambda t: t * 10)
    assert data.classes == ["cat", "dog", "empty"] and data.class_to_idx == {"cat": 0, "dog": 1, "empty": 2}
    expected = [(str(tmp_path / "cat" / "a.png"), 0), (str(tmp_path / "cat" / "b.png"), 0),
                (str(tmp_path / "cat" / "nested" / "c.PNG"), 0), (str(tmp_path / "dog" / "d.bmp"), 1)]
    assert data.samples == expected and data.imgs is data.samples and data.targets == [0, 0, 0, 1]
    image, target = data[3]
    assert image.mode == "RGB" and target == 10
    np.testing.assert_array_equal(np.asarray(image), pixels[expected[3][0]])
    only_png = datasets.ImageFolder(str(tmp_path), is_valid_file=lambda path: path.endswith(".png"),
                                    allow_empty=True)
    assert [target for _, target in only_png.samples] == [0, 0]
    assert "Number of datapoints: 4" in repr(data) and "Target transform: <function" in repr(data)


def test_dataset_folder_and_helpers(tmp_path):
    for name, value in (("b/x.npy", 2.0), ("a/y.npy", 1.0), ("a/z.NPY", 3.0)):
        os.makedirs(tmp_path / os.path.dirname(name), exist_ok=True)
        np.save(tmp_path / name, np.full(2, value))
    data = datasets.DatasetFolder(str(tmp_path), loader=np.load, extensions=(".npy",))
    assert [(float(sample[0]), target) for sample, target in (data[i] for i in range(len(data)))] == \
           [(1.0, 0), (3.0, 0), (2.0, 1)]
    assert data.extensions == (".npy",) and data.loader is np.load
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None or not None"):
        datasets.DatasetFolder(str(tmp_path), loader=np.load)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        datasets.DatasetFolder(str(tmp_path), loader=np.load, extensions=".npy", is_valid_file=bool)
    with pytest.raises(ValueError, match="class_to_idx parameter cannot be None"):
        datasets.DatasetFolder.make_dataset(str(tmp_path), None, extensions=".npy")
    with pytest.raises(ValueError, match="must have at least one entry"):
        folder.make_dataset(str(tmp_path), {}, extensions=".npy")
    assert [target for _, target in folder.make_dataset(str(tmp_path), {"b": 5}, extensions=".npy")] == [5]
    (tmp_path / "nothing").mkdir()
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        folder.find_classes(str(tmp_path / "nothing"))

    class OnlyB(datasets.DatasetFolder):
        def find_classes(self, directory):
            return ["b"], {"b": 0}

    assert len(OnlyB(str(tmp_path), loader=np.load, extensions=".npy")) == 1
    assert folder.is_image_file("x.WebP") and not folder.has_file_allowed_extension("x.png", ".jpg")


def test_missing_pillow_is_a_clear_import_error(tmp_path, monkeypatch):
    data = datasets.FakeData(size=2, image_size=(1, 4, 4))
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match='pip install "ember\\[vision\\]"'):
        data[0]


# ------------------------------------------------------------------------------------------------------- FakeData

def test_fake_data():
    data = datasets.FakeData(size=5, image_size=(3, 6, 7), num_classes=4, random_offset=2)
    ember.manual_seed(11)
    expected_next = ember.rand(3)
    ember.manual_seed(11)
    first, again = data[3], data[3]
    assert ember.equal(ember.rand(3), expected_next)        # the global generator is left as it was
    assert first[0].mode == "RGB" and first[0].size == (7, 6) and type(first[1]) is int and 0 <= first[1] < 4
    np.testing.assert_array_equal(np.asarray(first[0]), np.asarray(again[0]))
    ember.manual_seed(5)                                    # item 3 with offset 2 uses seed 5
    pixels = ember.randn(3, 6, 7).numpy() * 255
    np.testing.assert_array_equal(np.asarray(first[0]), np.moveaxis(pixels.astype(np.int64).astype(np.uint8), 0, -1))
    assert first[1] == ember.randint(0, 4, size=(1,))[0].item()
    grey = datasets.FakeData(size=1, image_size=(1, 3, 3), target_transform=lambda t: t + 100)
    assert grey[0][0].mode == "L" and grey[0][1] >= 100
    with pytest.raises(IndexError, match="FakeData index out of range"):
        data[5]
    assert repr(data) == "Dataset FakeData\n    Number of datapoints: 5"


# ---------------------------------------------------------------------------------------------------- utilities

def test_extract_archive_kinds(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "f.txt").write_bytes(b"payload")
    for name, mode in (("a.tar", "w"), ("a.tar.gz", "w:gz"), ("a.tgz", "w:gz"), ("a.tar.bz2", "w:bz2"),
                       ("a.tar.xz", "w:xz")):
        with tarfile.open(tmp_path / name, mode) as archive:
            archive.add(source / "f.txt", "inner/f.txt")
        out = tmp_path / ("out_" + name)
        assert utils.extract_archive(str(tmp_path / name), str(out)) == str(out)
        assert (out / "inner" / "f.txt").read_bytes() == b"payload"
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as archive:
        archive.writestr("z/f.txt", b"zipped")
    utils.extract_archive(tmp_path / "a.zip", tmp_path / "zout", remove_finished=True)
    assert (tmp_path / "zout" / "z" / "f.txt").read_bytes() == b"zipped" and not (tmp_path / "a.zip").exists()
    import bz2
    import lzma
    for suffix, compress in ((".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)):
        (tmp_path / f"single.bin{suffix}").write_bytes(compress(b"one file"))
        out = utils.extract_archive(str(tmp_path / f"single.bin{suffix}"))
        assert out == str(tmp_path / "single.bin") and open(out, "rb").read() == b"one file"
    with pytest.raises(RuntimeError, match="Unknown compression or archive type: '.rar'"):
        utils.extract_archive(str(tmp_path / "x.rar"))
    with pytest.raises(RuntimeError, match="has no suffixes"):
        utils.extract_archive(str(tmp_path / "noext"))


def test_zip_slip_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as archive:
        archive.writestr("../escaped.txt", b"x")
    with pytest.raises(ValueError, match="escapes"):
        utils.extract_archive(str(tmp_path / "evil.zip"), str(tmp_path / "out"))
    assert not (tmp_path / "escaped.txt").exists()


def test_download_url_checks_and_skips(http_server, tmp_path):
    with open(http_server.path_for("file.bin"), "wb") as stream:
        stream.write(b"dataset bytes")
    md5 = hashlib.md5(b"dataset bytes").hexdigest()
    utils.download_url(http_server.url_for("file.bin"), str(tmp_path), md5=md5)
    utils.download_url(http_server.url_for("file.bin"), str(tmp_path), md5=md5)      # intact: no request
    utils.download_url(http_server.url_for("file.bin"), str(tmp_path), filename="other.bin")
    assert http_server.count("file.bin") == 2
    assert sorted(os.listdir(tmp_path)) == ["file.bin", "other.bin"]
    assert utils.check_integrity(str(tmp_path / "file.bin"), md5) and utils.calculate_md5(tmp_path / "file.bin") == md5
    assert not utils.check_integrity(str(tmp_path / "file.bin"), "0" * 32)
    utils.download_url(str(tmp_path / "file.bin"), str(tmp_path / "copy"), md5=md5)     # a local path works too
    assert utils.list_files(str(tmp_path / "copy"), ".bin") == ["file.bin"]
    assert utils.list_dir(str(tmp_path), prefix=True) == [str(tmp_path / "copy")]


def test_download_progress_bar_draws_on_a_terminal(http_server, tmp_path, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    with open(http_server.path_for("big.bin"), "wb") as stream:
        stream.write(bytes(200_000))
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    utils.download_url(http_server.url_for("big.bin"), str(tmp_path))
    assert "big.bin" in terminal.getvalue() and "195.3 KiB/195.3 KiB" in terminal.getvalue()


def test_verify_str_arg():
    assert utils.verify_str_arg("a", "mode", ("a", "b")) == "a"
    with pytest.raises(ValueError, match="Unknown value 'c' for argument mode. Valid values are {'a', 'b'}."):
        utils.verify_str_arg("c", "mode", ("a", "b"))
    with pytest.raises(ValueError, match="Expected type str for argument mode, but got type <class 'int'>."):
        utils.verify_str_arg(3, "mode")
    with pytest.raises(ValueError, match="^custom$"):
        utils.verify_str_arg("c", "mode", ("a",), custom_msg="custom")
    assert utils.iterable_to_str(string.digits[:3]) == "'0', '1', '2'"
