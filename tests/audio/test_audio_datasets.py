"""ember.audio.datasets on small fake archives in the real layouts (tar.gz), downloaded from a local HTTP server
(``http_server`` in conftest.py), plus AudioFolder on generated and on real recordings."""

import hashlib
import inspect
import io
import os
import shutil
import sys
import tarfile

import numpy as np
import pytest

import ember
from ember.audio import datasets, load, save
from ember.audio.datasets import speechcommands, utils, yesno
from ember.utils.data import DataLoader

RNG = np.random.default_rng(66)


def sha256_of(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def wav_bytes(samples, sample_rate):
    """A 16-bit WAV file holding ``samples`` ((channels, frames) int16)."""
    buffer = io.BytesIO()
    save(buffer, ember.from_numpy(samples), sample_rate, format="wav")
    return buffer.getvalue()


def make_tar(path, files):
    """A tar.gz at ``path`` holding ``files`` ({member name: bytes}); returns its SHA-256."""
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            member = tarfile.TarInfo(name)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return sha256_of(path)


def clip(frames=40, channels=1):
    return RNG.integers(-2 ** 15, 2 ** 15, size=(channels, frames), dtype=np.int16)


class TtyBuffer(io.StringIO):
    def isatty(self):
        return True


# ---------------------------------------------------------------------------------------------------- YESNO

YESNO_NAMES = ["0_0_1_1_0_1_0_1", "0_1_0_0_1_0_1_1", "1_1_1_0_0_1_0_0"]


@pytest.fixture
def yesno_archive(http_server, monkeypatch):
    """waves_yesno.tar.gz served locally, the release checksum pointed at it; returns (url, clips by name)."""
    clips = {name: clip(50 + index) for index, name in enumerate(YESNO_NAMES)}
    files = {f"waves_yesno/{name}.wav": wav_bytes(samples, 8000) for name, samples in clips.items()}
    files["waves_yesno/README"] = b"60 recordings"
    digest = make_tar(http_server.path_for("waves_yesno.tar.gz"), files)
    monkeypatch.setitem(yesno._RELEASE_CONFIGS["release1"], "checksum", digest)
    return http_server.url_for("waves_yesno.tar.gz"), clips


def test_yesno_defaults_are_torchaudios():
    parameters = inspect.signature(datasets.YESNO).parameters
    assert list(parameters) == ["root", "url", "folder_in_archive", "download"]
    assert parameters["url"].default == "http://www.openslr.org/resources/1/waves_yesno.tar.gz"
    assert parameters["folder_in_archive"].default == "waves_yesno" and parameters["download"].default is False


def test_yesno_download_and_items(tmp_path, http_server, yesno_archive, monkeypatch):
    url, clips = yesno_archive
    progress = TtyBuffer()
    monkeypatch.setattr(sys, "stderr", progress)
    dataset = datasets.YESNO(tmp_path, url=url, download=True)
    assert "waves_yesno.tar.gz" in progress.getvalue()                     # the download drew a progress bar
    assert len(dataset) == 3 and http_server.count("waves_yesno.tar.gz") == 1
    for index, name in enumerate(YESNO_NAMES):
        waveform, sample_rate, labels = dataset[index]
        assert sample_rate == 8000 and labels == [int(c) for c in name.split("_")]
        assert waveform.dtype == ember.float32
        np.testing.assert_array_equal(waveform.numpy(), (clips[name] / 32768).astype(np.float32))
    again = datasets.YESNO(str(tmp_path), url=url, download=True)          # found: no second download
    assert len(again) == 3 and http_server.count("waves_yesno.tar.gz") == 1
    os.remove(tmp_path / "waves_yesno.tar.gz")
    assert len(datasets.YESNO(tmp_path)) == 3                               # the folder alone suffices


def test_yesno_extracts_a_present_archive_without_downloading(tmp_path, http_server, yesno_archive):
    url, _ = yesno_archive
    shutil.copy(http_server.path_for("waves_yesno.tar.gz"), tmp_path)
    assert len(datasets.YESNO(tmp_path, url=url, download=True)) == 3
    assert http_server.count() == 0


def test_yesno_missing_and_checksum_errors(tmp_path, http_server, yesno_archive, monkeypatch):
    url, _ = yesno_archive
    with pytest.raises(RuntimeError, match="Dataset not found. Please use `download=True` to download it."):
        datasets.YESNO(tmp_path, url=url)
    monkeypatch.setitem(yesno._RELEASE_CONFIGS["release1"], "checksum", "0" * 64)
    with pytest.raises(RuntimeError, match="invalid hash value"):
        datasets.YESNO(tmp_path, url=url, download=True)
    assert os.listdir(tmp_path) == []                                       # nothing half-downloaded is kept


def test_yesno_corrupt_archive_leaves_no_folder(tmp_path, http_server, monkeypatch):
    good = tmp_path / "good.tar.gz"
    make_tar(good, {f"waves_yesno/{name}.wav": wav_bytes(clip(2000), 8000) for name in YESNO_NAMES})
    broken = good.read_bytes()[:6000]                                       # cut inside the second clip
    with open(http_server.path_for("waves_yesno.tar.gz"), "wb") as stream:
        stream.write(broken)
    monkeypatch.setitem(yesno._RELEASE_CONFIGS["release1"], "checksum", hashlib.sha256(broken).hexdigest())
    root = tmp_path / "root"
    with pytest.raises((tarfile.TarError, EOFError, OSError)):
        datasets.YESNO(root, url=http_server.url_for("waves_yesno.tar.gz"), download=True)
    assert os.listdir(root) == ["waves_yesno.tar.gz"]                      # no half-extracted waves_yesno/


# ------------------------------------------------------------------------------------------- SPEECHCOMMANDS

SPEECH_CLIPS = ["yes/aa11_nohash_0.wav", "yes/bb22_nohash_1.wav", "no/aa11_nohash_2.wav", "no/cc33_nohash_0.wav",
                "up/dd44_nohash_3.wav", "up/ee55_nohash_0.wav"]
VALIDATION = ["yes/bb22_nohash_1.wav", "up/dd44_nohash_3.wav"]
TESTING = ["no/cc33_nohash_0.wav"]


def speech_files(sample_rate=16000):
    files = {f"./{name}": wav_bytes(clip(30 + index), sample_rate) for index, name in enumerate(SPEECH_CLIPS)}
    files["./_background_noise_/white_noise_nohash_0.wav"] = wav_bytes(clip(100), sample_rate)
    files["./_background_noise_/README.md"] = b"noise"
    files["./yes/not_a_clip.wav"] = wav_bytes(clip(), sample_rate)          # no "_nohash_": not part of it
    files["./validation_list.txt"] = ("\n".join(VALIDATION) + "\n\n").encode()
    files["./testing_list.txt"] = ("\n".join(TESTING) + "\n").encode()
    files["./LICENSE"] = b"CC BY 4.0"
    return files


@pytest.fixture
def speech_archive(http_server):
    files = speech_files()
    make_tar(http_server.path_for("speech_commands_v0.02.tar.gz"), files)
    return http_server.url_for("speech_commands_v0.02.tar.gz"), files


def test_speechcommands_defaults_are_torchaudios():
    parameters = inspect.signature(datasets.SPEECHCOMMANDS).parameters
    assert list(parameters) == ["root", "url", "folder_in_archive", "download", "subset"]
    assert parameters["url"].default == "speech_commands_v0.02"
    assert parameters["folder_in_archive"].default == "SpeechCommands" and parameters["subset"].default is None
    assert set(speechcommands._CHECKSUMS) == {"http://download.tensorflow.org/data/speech_commands_v0.01.tar.gz",
                                              "http://download.tensorflow.org/data/speech_commands_v0.02.tar.gz"}


def relative_names(dataset):
    return sorted(os.path.relpath(dataset.get_metadata(n)[0], "speech_commands_v0.02") for n in range(len(dataset)))


def test_speechcommands_download_and_subsets(tmp_path, http_server, speech_archive, monkeypatch):
    url, files = speech_archive
    monkeypatch.setattr(sys, "stderr", TtyBuffer())
    everything = datasets.SPEECHCOMMANDS(tmp_path, url=url, download=True)
    assert os.path.isdir(tmp_path / "SpeechCommands" / "speech_commands_v0.02" / "yes")
    assert relative_names(everything) == sorted(SPEECH_CLIPS)
    assert relative_names(datasets.SPEECHCOMMANDS(tmp_path, url=url, subset="validation")) == sorted(VALIDATION)
    assert relative_names(datasets.SPEECHCOMMANDS(tmp_path, url=url, subset="testing")) == sorted(TESTING)
    training = datasets.SPEECHCOMMANDS(tmp_path, url=url, subset="training")
    assert relative_names(training) == sorted(set(SPEECH_CLIPS) - set(VALIDATION) - set(TESTING))
    assert http_server.count("speech_commands_v0.02.tar.gz") == 1


def test_speechcommands_items(tmp_path, speech_archive):
    url, files = speech_archive
    dataset = datasets.SPEECHCOMMANDS(tmp_path, url=url, download=True)
    for n in range(len(dataset)):
        relpath, rate, label, speaker, utterance = dataset.get_metadata(n)
        waveform, sample_rate, label2, speaker2, utterance2 = dataset[n]
        name = os.path.relpath(relpath, "speech_commands_v0.02")
        assert (sample_rate, label2, speaker2, utterance2) == (rate, label, speaker, utterance)
        assert rate == 16000 and label == name.split("/")[0]
        assert f"{speaker}_nohash_{utterance}.wav" == os.path.basename(name) and isinstance(utterance, int)
        expected, _ = load(io.BytesIO(files["./" + name]))
        np.testing.assert_array_equal(waveform.numpy(), expected.numpy())


def test_speechcommands_wrong_sample_rate(tmp_path):
    path = tmp_path / "SpeechCommands" / "speech_commands_v0.02"
    archive = tmp_path / "speech_commands_v0.02.tar.gz"
    make_tar(archive, speech_files(sample_rate=8000))
    utils.extract_tar(archive, path)
    dataset = datasets.SPEECHCOMMANDS(tmp_path)
    with pytest.raises(ValueError, match="sample rate should be 16000, but got 8000"):
        dataset[0]


def test_speechcommands_errors(tmp_path, http_server, speech_archive, monkeypatch):
    url, _ = speech_archive
    with pytest.raises(ValueError, match=r"must be one of \['training', 'validation', 'testing'\]"):
        datasets.SPEECHCOMMANDS(tmp_path, subset="train")
    expected_path = os.path.join(tmp_path, "SpeechCommands", "speech_commands_v0.01")
    with pytest.raises(RuntimeError, match=f"The path {expected_path} doesn't exist"):
        datasets.SPEECHCOMMANDS(tmp_path, url="speech_commands_v0.01")
    monkeypatch.setitem(speechcommands._CHECKSUMS, url, "f" * 64)
    with pytest.raises(RuntimeError, match="invalid hash value"):
        datasets.SPEECHCOMMANDS(tmp_path, url=url, download=True)
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------------------------------------- utilities

def test_extract_tar_merges_and_keeps_existing_files(tmp_path):
    archive = tmp_path / "a.tar.gz"
    make_tar(archive, {"data/a.txt": b"new a", "data/sub/b.txt": b"new b"})
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_bytes(b"old a")
    files = utils.extract_tar(archive)
    assert files == [os.path.join(tmp_path, "data", "a.txt"), os.path.join(tmp_path, "data", "sub", "b.txt")]
    assert (tmp_path / "data" / "a.txt").read_bytes() == b"old a"
    assert (tmp_path / "data" / "sub" / "b.txt").read_bytes() == b"new b"
    utils.extract_tar(archive, overwrite=True)
    assert (tmp_path / "data" / "a.txt").read_bytes() == b"new a"
    assert sorted(os.listdir(tmp_path)) == ["a.tar.gz", "data"]             # no staging folder left behind


def test_extract_refuses_paths_outside(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    make_tar(archive, {"../escaped.txt": b"x"})
    with pytest.raises((tarfile.TarError, RuntimeError)):
        utils.extract_tar(archive, tmp_path / "out")
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "out").exists()


def test_extract_zip(tmp_path):
    import zipfile
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("clips/x.txt", "x")
    assert utils.extract_zip(archive, tmp_path / "out") == ["clips/x.txt"]
    assert (tmp_path / "out" / "clips" / "x.txt").read_text() == "x"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("../bad.txt", "x")
    with pytest.raises(RuntimeError, match="outside"):
        utils.extract_zip(archive, tmp_path / "other")


# ------------------------------------------------------------------------------------------------ AudioFolder

@pytest.fixture
def clip_folder(tmp_path):
    layout = {"yes": ["b.wav", "a.WAV", "deeper/c.wav"], "no": ["z.wav"], "up": ["u.wav", "notes.txt"]}
    expected = {}
    for label, names in layout.items():
        for name in names:
            path = tmp_path / label / name
            path.parent.mkdir(parents=True, exist_ok=True)
            samples = clip(24)
            path.write_bytes(wav_bytes(samples, 8000) if name.lower().endswith(".wav") else b"text")
            expected[str(path)] = samples
    return tmp_path, expected


def test_audio_folder(clip_folder):
    root, expected = clip_folder
    dataset = datasets.AudioFolder(root)
    assert dataset.classes == ["no", "up", "yes"] and dataset.class_to_idx == {"no": 0, "up": 1, "yes": 2}
    names = [os.path.relpath(path, root) for path, _ in dataset.samples]
    assert names == ["no/z.wav", "up/u.wav", "yes/a.WAV", "yes/b.wav", "yes/deeper/c.wav"]
    assert dataset.targets == [0, 1, 2, 2, 2] and len(dataset) == 5
    for index, (path, target) in enumerate(dataset.samples):
        waveform, sample_rate, label = dataset[index]
        assert (sample_rate, label) == (8000, target)
        np.testing.assert_array_equal(waveform.numpy(), (expected[path] / 32768).astype(np.float32))
    assert "Number of datapoints: 5" in repr(dataset)


def test_audio_folder_transforms_loader_and_batches(clip_folder):
    root, _ = clip_folder
    dataset = datasets.AudioFolder(root, transform=lambda w: w * 2, target_transform=lambda t: t + 10)
    waveform, _, target = dataset[0]
    np.testing.assert_array_equal(waveform.numpy(), load(dataset.samples[0][0])[0].numpy() * 2)
    assert target == 10
    batch_waveforms, rates, targets = next(iter(DataLoader(datasets.AudioFolder(root), batch_size=4)))
    assert tuple(batch_waveforms.shape) == (4, 1, 24) and rates.tolist() == [8000] * 4
    assert targets.tolist() == [0, 1, 2, 2]
    custom = datasets.AudioFolder(root, loader=lambda path: (os.path.basename(path), 1),
                                  is_valid_file=lambda path: path.endswith(".txt"), allow_empty=True)
    assert [custom[i] for i in range(len(custom))] == [("notes.txt", 1, 1)]


def test_audio_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.AudioFolder(tmp_path)
    (tmp_path / "yes").mkdir()
    (tmp_path / "no").mkdir()
    (tmp_path / "no" / "x.wav").write_bytes(wav_bytes(clip(), 8000))
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes yes"):
        datasets.AudioFolder(tmp_path)
    assert len(datasets.AudioFolder(tmp_path, allow_empty=True)) == 1


def test_audio_folder_on_real_digits(tmp_path, digit_wavs):
    """The Debian spoken digits laid out one folder per digit (symbolic links) form a 10-class dataset."""
    for path in digit_wavs:
        digit = os.path.basename(path)[:-4]
        (tmp_path / digit).mkdir()
        os.symlink(path, tmp_path / digit / "allison.wav")
    dataset = datasets.AudioFolder(tmp_path)
    assert dataset.classes == [str(d) for d in range(10)] and len(dataset) == 10
    for index in range(10):
        waveform, sample_rate, target = dataset[index]
        assert sample_rate == 8000 and target == index and waveform.shape[0] == 1
        assert 0.2 < waveform.shape[1] / sample_rate < 2.0                  # a spoken digit lasts about a second
