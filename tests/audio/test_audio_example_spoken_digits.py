"""examples/spoken_digits.py: the --quick run on the real recordings, and the pieces that build its dataset."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "examples", "spoken_digits.py")
DIGITS_DIR = "/usr/share/asterisk/sounds/en_US_f_Allison/digits"
LIBRIVOX_DIR = "/usr/share/pocketsphinx/test/data/librivox"

needs_data = pytest.mark.skipif(not (os.path.exists(os.path.join(DIGITS_DIR, "9.wav")) and
                                     os.path.isdir(LIBRIVOX_DIR)),
                                reason="Debian's asterisk-core-sounds-en-wav or pocketsphinx-testdata is missing")


def load_example():
    spec = importlib.util.spec_from_file_location("spoken_digits_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tone(frequency, seconds=1.0, sample_rate=8000):
    return np.sin(2 * np.pi * frequency * np.arange(int(seconds * sample_rate)) / sample_rate).astype(np.float32)


def dominant_frequency(signal, sample_rate=8000):
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal))))
    return np.argmax(spectrum) * sample_rate / len(signal)


@needs_data
def test_quick_run_trains_and_writes_metrics(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    output = tmp_path / "out"
    result = subprocess.run([sys.executable, SCRIPT, "--quick", "--output-dir", str(output)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "training: 200 examples" in result.stdout and "held-out accuracy" in result.stdout
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["quick"] is True and metrics["train_size"] == 200 and len(metrics["training_losses"]) == 2
    counts = np.array(metrics["held_out_confusion_matrix"])
    assert counts.shape == (10, 10) and counts.sum(axis=1).tolist() == [10] * 10      # balanced, 100 examples
    assert metrics["held_out_accuracy"] == pytest.approx(np.trace(counts) / 100)
    assert 0.0 <= metrics["validation_accuracy"] <= 1.0
    assert not [name for name in os.listdir(output) if name != "metrics.json"]       # no temporary files left


def test_augmentation_ranges_hold_out_what_they_claim():
    example = load_example()
    train, held_out = example.TRAIN_RANGES, example.HELD_OUT_RANGES
    for ranges in (train, held_out):
        for factor in ranges["speeds"] + ranges["pitches"]:
            example.check_factor(factor)                 # each grid point resamples between whole rates
    assert not set(train["speeds"]) & set(held_out["speeds"])
    assert not set(train["pitches"]) & set(held_out["pitches"])
    assert min(held_out["speeds"]) < min(train["speeds"]) and max(held_out["speeds"]) > max(train["speeds"])
    assert held_out["snr_db"][1] <= train["snr_db"][0]
    assert not set(train["noise_files"]) & set(held_out["noise_files"])
    with pytest.raises(ValueError, match="whole number"):
        example.check_factor(0.12345)


def test_speed_and_pitch_changes_move_a_tone():
    example = load_example()
    batch = ember.from_numpy(np.stack([tone(440.0), tone(600.0)]))
    with ember.no_grad():
        higher = example.change_pitch(batch, 1.12).numpy()
        faster = example.change_speed(batch, 1.25).numpy()
    assert higher.shape == (2, 8000)                             # same duration
    assert abs(dominant_frequency(higher[0, 1000:7000]) - 440 * 1.12) < 4
    assert abs(dominant_frequency(higher[1, 1000:7000]) - 600 * 1.12) < 4
    assert faster.shape == (2, 6400)                             # 1.25 times shorter and higher
    assert abs(dominant_frequency(faster[0, 500:5900]) - 550) < 4
    assert example.change_pitch(batch, 1.0) is batch and example.change_speed(batch, 1.0) is batch


def test_trim_silence_keeps_the_word_and_a_margin():
    example = load_example()
    signal = np.concatenate([np.zeros(2000, np.float32), tone(300.0, 0.5), np.zeros(1500, np.float32)])
    signal += 1e-4 * np.random.default_rng(0).standard_normal(len(signal)).astype(np.float32)
    trimmed = example.trim_silence(signal)
    assert 4000 <= len(trimmed) <= 4000 + 2 * 160 + 160
    np.testing.assert_array_equal(trimmed, signal[2000 - 160:2000 - 160 + len(trimmed)])


@needs_data
def test_dataset_pieces_on_the_real_recordings():
    example = load_example()
    clips = example.load_digits()
    assert len(clips) == 10 and all(c.dtype == np.float32 and 5000 < len(c) < 8000 for c in clips)
    noise = example.load_noise(example.HELD_OUT_RANGES["noise_files"][:1])
    assert noise.dtype == np.float32 and len(noise) == 47840 // 2
    variants = example.speed_pitch_variants(clips, (0.85, 1.0), (1.0, 1.12))
    assert len(variants) == 40
    for digit in range(10):
        assert len(variants[digit, 0.85, 1.0]) > len(variants[digit, 1.0, 1.0])     # slower is longer
        np.testing.assert_array_equal(variants[digit, 1.0, 1.0], example.trim_silence(clips[digit]))
        assert not np.allclose(variants[digit, 1.0, 1.12][:3000], variants[digit, 1.0, 1.0][:3000], atol=0.01)
    ranges = dict(example.TRAIN_RANGES, speeds=(0.85, 1.0), pitches=(1.0, 1.12))
    waveforms, labels, snr = example.make_split(variants, noise, ranges, 40, seed=5)
    assert waveforms.shape == (40, 8000) and waveforms.dtype == np.float32
    assert np.bincount(labels).tolist() == [4] * 10 and np.abs(waveforms).max() <= 1.0
    assert snr.min() >= 5.0 and snr.max() <= 30.0
    again, _, _ = example.make_split(variants, noise, ranges, 40, seed=5)
    other, _, _ = example.make_split(variants, noise, ranges, 40, seed=6)
    np.testing.assert_array_equal(waveforms, again)
    assert not np.array_equal(waveforms, other)
    images = example.features(waveforms)
    assert images.shape == (40, 1, 40, 63) and images.dtype == np.float32
    np.testing.assert_allclose(images.mean(axis=(1, 2, 3)), 0.0, atol=1e-4)
    np.testing.assert_allclose(images.std(axis=(1, 2, 3), ddof=1), 1.0, atol=1e-3)


def test_model_shapes_one_training_step_and_confusion():
    example = load_example()
    ember.manual_seed(0)
    model = example.make_model(width=4)
    assert tuple(model(ember.zeros(3, 1, 40, 63)).shape) == (3, 10)
    images = np.random.default_rng(0).standard_normal((16, 1, 40, 63)).astype(np.float32)
    labels = np.arange(16) % 10
    losses = example.train(model, images, labels, epochs=1, batch_size=8, max_lr=1e-3, seed=0, stream=None)
    assert len(losses) == 1 and np.isfinite(losses[0])
    predictions = example.predict(model, images)
    counts = example.confusion_matrix(labels, predictions)
    assert counts.sum() == 16 and counts.sum(axis=1).tolist() == np.bincount(labels, minlength=10).tolist()
    assert example.format_confusion(counts).count("\n") == 10
